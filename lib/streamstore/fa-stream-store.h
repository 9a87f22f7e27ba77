/* facealert: the local video stream store behind kvssink.
 *
 * Like Kinesis Video Streams, a stream is a sequence of fragments (each a
 * Matroska file starting on a keyframe, see fa-mkv.h) indexed by fragment
 * number and time. On disk (default root: fa_paths_dir (FA_DIR_STREAMS)):
 *
 *   ROOT/STREAM/index.sqlite     SQLite index (WAL), one row per fragment
 *   ROOT/STREAM/fragments/N.mkv  fragment N (sealed with AES-256-GCM when a
 *                                key is given, see fa-stream-crypto.h)
 *   ROOT/STREAM/.lock            held by the one writer of the stream
 *
 * Directories are 0700, files 0600. A fragment is written to a temporary
 * name, fsync'ed and renamed before its index row is committed, and a writer
 * cleans up at open (partial files, files without a row, rows without a
 * file), so a crash at any point leaves an index that agrees with the files.
 *
 * Fragment numbers are decimal strings, increasing per stream and never
 * reused, as in KVS. Timestamps are microseconds since the Unix epoch:
 * the producer timestamp comes from the media, the server timestamp is the
 * time the store received the fragment.
 */
#pragma once

#include <glib.h>
#include "fa-mkv.h"

G_BEGIN_DECLS

typedef enum {
  FA_TIMESTAMP_PRODUCER,
  FA_TIMESTAMP_SERVER,
} FaTimestampKind;

typedef struct {
  gchar *number;            /* FragmentNumber */
  gint64 producer_us;       /* ProducerTimestamp (fragment start) */
  gint64 server_us;         /* ServerTimestamp */
  gint64 duration_us;       /* FragmentLengthInMilliseconds * 1000 */
  guint64 size;             /* FragmentSizeInBytes: the Matroska bytes */
  guint64 stored_size;      /* bytes on disk (larger when encrypted) */
  FaCodec codec;
  gboolean encrypted;
} FaFragmentInfo;

void fa_fragment_info_free (FaFragmentInfo *info);

typedef struct {
  gchar *name;              /* StreamName */
  gint64 creation_us;       /* CreationTime */
  guint retention_hours;    /* DataRetentionInHours (0: kept until quota) */
  gchar *media_type;        /* "video/h264" / "video/h265", NULL when empty */
  guint fragment_count;
  guint64 stored_size;
  gint64 first_producer_us; /* 0 when empty */
  gint64 last_producer_end_us;
} FaStreamInfo;

void fa_stream_info_free (FaStreamInfo *info);

typedef struct _FaStreamStore FaStreamStore;

/* Opens the store at @root (NULL: the default location), creating it. With
 * @key_file, new fragments are encrypted and encrypted ones can be read. */
FaStreamStore *fa_stream_store_new (const gchar *root, const gchar *key_file,
    GError **error);
void fa_stream_store_free (FaStreamStore *store);
const gchar *fa_stream_store_get_root (FaStreamStore *store);

/* TRUE when @name is a valid stream name: 1-256 of [A-Za-z0-9_.-], not
 * starting with a dot (the KVS rule, minus the dot). */
gboolean fa_stream_name_is_valid (const gchar *name, GError **error);

/* FaStreamInfo for each stream, by name. */
GPtrArray *fa_stream_store_list_streams (FaStreamStore *store, GError **error);

/* FaFragmentInfo of @stream whose @kind timestamp lies in [@start_us, @end_us]
 * (use G_MININT64 / G_MAXINT64 for an open range), oldest first. With
 * @overlapping, fragments that overlap the range by producer time instead. */
GPtrArray *fa_stream_store_list_fragments (FaStreamStore *store,
    const gchar *stream, FaTimestampKind kind, gint64 start_us, gint64 end_us,
    gboolean overlapping, GError **error);

FaFragmentInfo *fa_stream_store_get_fragment (FaStreamStore *store,
    const gchar *stream, const gchar *number, GError **error);

/* The fragment's Matroska bytes, decrypted and authenticated (a wrong or
 * missing key gives FA_ERROR_AUTH). */
GBytes *fa_stream_store_read_fragment (FaStreamStore *store,
    const gchar *stream, const gchar *number, GError **error);

/* ---- writing (one writer per stream) ---------------------------------- */

typedef struct _FaStreamWriter FaStreamWriter;

/* Locks @stream for writing (FA_ERROR_BUSY when another writer has it),
 * creates it when new and repairs it after a crash. */
FaStreamWriter *fa_stream_writer_open (FaStreamStore *store,
    const gchar *stream, GError **error);
void fa_stream_writer_close (FaStreamWriter *writer);

/* Retention (0: no age limit) and quota in bytes of fragment files (0: none).
 * Both are enforced after every append, oldest first; the newest fragment is
 * always kept. */
void fa_stream_writer_set_limits (FaStreamWriter *writer, guint retention_hours,
    guint64 quota_bytes);
/* For tests: retention in microseconds rather than hours. */
void fa_stream_writer_set_retention_us (FaStreamWriter *writer, gint64 retention_us);

/* Stores one fragment. @server_us 0 means now. A write failure (full disk,
 * I/O error) gives FA_ERROR_IO and leaves nothing behind: the caller can
 * drop the fragment and try the next one. */
FaFragmentInfo *fa_stream_writer_append (FaStreamWriter *writer, GBytes *media,
    FaCodec codec, gint64 producer_us, gint64 duration_us, gint64 server_us,
    GError **error);

/* Removes what retention and quota no longer allow, at time @now_us (0: now).
 * Returns the number of fragments removed, -1 on error. */
gint fa_stream_writer_evict (FaStreamWriter *writer, gint64 now_us, GError **error);

/* What the last open repaired: removed partial files, orphan files, rows. */
void fa_stream_writer_get_repairs (FaStreamWriter *writer, guint *partial,
    guint *orphans, guint *rows);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaStreamStore, fa_stream_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaStreamWriter, fa_stream_writer_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaFragmentInfo, fa_fragment_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaStreamInfo, fa_stream_info_free)

G_END_DECLS
