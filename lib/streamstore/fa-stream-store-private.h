/* facealert: pieces shared by the stream store's reader and writer. */
#pragma once

#include "fa-stream-store.h"
#include "fa-stream-crypto.h"

#include <sqlite3.h>

G_BEGIN_DECLS

struct _FaStreamStore {
  gchar *root;
  FaStreamKey *key;     /* NULL: no encryption */
};

#define FA_STREAM_INDEX_NAME "index.sqlite"
#define FA_STREAM_FRAGMENTS_DIR "fragments"
#define FA_STREAM_LOCK_NAME ".lock"
#define FA_STREAM_TMP_PREFIX ".tmp-"

gchar *fa_stream_dir (FaStreamStore *store, const gchar *stream);
gchar *fa_stream_fragment_path (FaStreamStore *store, const gchar *stream,
    gint64 number);
/* Parses "N" (a fragment number) or "N.mkv" (a file name); -1 when invalid. */
gint64 fa_stream_parse_number (const gchar *text, gboolean file_name);

/* Opens the stream's index (creating the schema when @writable). */
sqlite3 *fa_stream_index_open (FaStreamStore *store, const gchar *stream,
    gboolean writable, GError **error);
gboolean fa_stream_index_exec (sqlite3 *db, const gchar *sql, GError **error);
void fa_stream_index_set_error (sqlite3 *db, GError **error, const gchar *what);

FaFragmentInfo *fa_stream_fragment_from_row (sqlite3_stmt *stmt);
#define FA_STREAM_FRAGMENT_COLUMNS \
  "number, producer_us, server_us, duration_us, size, stored_size, codec, encrypted"

G_END_DECLS
