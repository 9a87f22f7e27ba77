/* facealert: the stream store, reading side (see fa-stream-store.h). */
#define G_LOG_DOMAIN "facealert-streamstore"

#include "fa-stream-store-private.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>


static const gchar schema[] =
    "CREATE TABLE IF NOT EXISTS fragments ("
    " number INTEGER PRIMARY KEY,"
    " producer_us INTEGER NOT NULL,"
    " server_us INTEGER NOT NULL,"
    " duration_us INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " stored_size INTEGER NOT NULL,"
    " codec TEXT NOT NULL,"
    " encrypted INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS fragments_producer ON fragments (producer_us);"
    "CREATE INDEX IF NOT EXISTS fragments_server ON fragments (server_us);"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

void
fa_fragment_info_free (FaFragmentInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->number);
  g_free (info);
}

void
fa_stream_info_free (FaStreamInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->media_type);
  g_free (info);
}

FaStreamStore *
fa_stream_store_new (const gchar *root, const gchar *key_file, GError **error)
{
  g_autofree gchar *dir = root != NULL ? g_strdup (root) : fa_paths_dir (FA_DIR_STREAMS);
  if (!fa_paths_ensure_private_dir (dir, error))
    return NULL;
  FaStreamKey *key = NULL;
  if (key_file != NULL && *key_file != '\0') {
    key = fa_stream_key_load (key_file, error);
    if (key == NULL)
      return NULL;
  }
  FaStreamStore *store = g_new0 (FaStreamStore, 1);
  store->root = g_steal_pointer (&dir);
  store->key = key;
  return store;
}

void
fa_stream_store_free (FaStreamStore *store)
{
  if (store == NULL)
    return;
  fa_stream_key_free (store->key);
  g_free (store->root);
  g_free (store);
}

const gchar *
fa_stream_store_get_root (FaStreamStore *store)
{
  return store->root;
}

gboolean
fa_stream_name_is_valid (const gchar *name, GError **error)
{
  gsize len = name ? strlen (name) : 0;
  gboolean ok = len >= 1 && len <= 256 && name[0] != '.';
  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '.' || name[i] == '-';
  if (!ok)
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "invalid stream name \"%s\": use 1-256 letters, digits, '_', '.' or '-'",
        name ? name : "");
  return ok;
}

gchar *
fa_stream_dir (FaStreamStore *store, const gchar *stream)
{
  return g_build_filename (store->root, stream, NULL);
}

gchar *
fa_stream_fragment_path (FaStreamStore *store, const gchar *stream, gint64 number)
{
  g_autofree gchar *leaf = g_strdup_printf ("%020" G_GINT64_FORMAT ".mkv", number);
  return g_build_filename (store->root, stream, FA_STREAM_FRAGMENTS_DIR, leaf, NULL);
}

gint64
fa_stream_parse_number (const gchar *text, gboolean file_name)
{
  if (text == NULL || !g_ascii_isdigit (text[0]))
    return -1;
  gchar *end = NULL;
  errno = 0;
  guint64 v = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || v == 0 || v > G_MAXINT64)
    return -1;
  if (file_name ? strcmp (end, ".mkv") != 0 : *end != '\0')
    return -1;
  return (gint64) v;
}

void
fa_stream_index_set_error (sqlite3 *db, GError **error, const gchar *what)
{
  int code = sqlite3_errcode (db);
  FaErrorCode fa_code = FA_ERROR_FAILED;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    fa_code = FA_ERROR_BUSY;
  else if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN)
    fa_code = FA_ERROR_IO;
  else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    fa_code = FA_ERROR_CORRUPT;
  g_set_error (error, FA_ERROR, fa_code, "stream index: cannot %s: %s", what,
      sqlite3_errmsg (db));
}

gboolean
fa_stream_index_exec (sqlite3 *db, const gchar *sql, GError **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    fa_stream_index_set_error (db, error, "update it");
    return FALSE;
  }
  return TRUE;
}

sqlite3 *
fa_stream_index_open (FaStreamStore *store, const gchar *stream,
    gboolean writable, GError **error)
{
  if (!fa_stream_name_is_valid (stream, error))
    return NULL;
  g_autofree gchar *dir = fa_stream_dir (store, stream);
  g_autofree gchar *path = g_build_filename (dir, FA_STREAM_INDEX_NAME, NULL);
  if (!writable && !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "no stream \"%s\" in %s (see `facealert streams list`)", stream, store->root);
    return NULL;
  }
  if (writable) {
    /* Create the file ourselves so it is private from the start; SQLite
     * gives its -wal and -shm files the same mode. */
    if (!fa_paths_create_private_file (path, error))
      return NULL;
  }
  sqlite3 *db = NULL;
  int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open stream index %s: %s",
        path, db ? sqlite3_errmsg (db) : "out of memory");
    sqlite3_close (db);
    return NULL;
  }
  sqlite3_busy_timeout (db, 5000);
  if (writable) {
    if (!fa_stream_index_exec (db, "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;", error)
        || !fa_stream_index_exec (db, schema, error)) {
      sqlite3_close (db);
      return NULL;
    }
  }
  return db;
}

FaFragmentInfo *
fa_stream_fragment_from_row (sqlite3_stmt *stmt)
{
  FaFragmentInfo *info = g_new0 (FaFragmentInfo, 1);
  info->number = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
  info->producer_us = sqlite3_column_int64 (stmt, 1);
  info->server_us = sqlite3_column_int64 (stmt, 2);
  info->duration_us = sqlite3_column_int64 (stmt, 3);
  info->size = sqlite3_column_int64 (stmt, 4);
  info->stored_size = sqlite3_column_int64 (stmt, 5);
  if (!fa_codec_from_name ((const gchar *) sqlite3_column_text (stmt, 6), &info->codec))
    info->codec = FA_CODEC_H264;
  info->encrypted = sqlite3_column_int (stmt, 7) != 0;
  return info;
}

static gint64
meta_get (sqlite3 *db, const gchar *key, gint64 fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;
  if (sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = ?", -1, &stmt,
          NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      value = sqlite3_column_int64 (stmt, 0);
  }
  sqlite3_finalize (stmt);
  return value;
}

static FaStreamInfo *
stream_info (FaStreamStore *store, const gchar *name, GError **error)
{
  sqlite3 *db = fa_stream_index_open (store, name, FALSE, error);
  if (db == NULL)
    return NULL;
  FaStreamInfo *info = g_new0 (FaStreamInfo, 1);
  info->name = g_strdup (name);
  info->creation_us = meta_get (db, "creation_us", 0);
  info->retention_hours = meta_get (db, "retention_hours", 0);
  sqlite3_stmt *stmt = NULL;
  const gchar *sql = "SELECT count(*), total(stored_size), min(producer_us),"
      " max(producer_us + duration_us),"
      " (SELECT codec FROM fragments ORDER BY number DESC LIMIT 1) FROM fragments";
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW) {
    fa_stream_index_set_error (db, error, "read it");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    fa_stream_info_free (info);
    return NULL;
  }
  info->fragment_count = sqlite3_column_int (stmt, 0);
  info->stored_size = (guint64) sqlite3_column_double (stmt, 1);
  info->first_producer_us = sqlite3_column_int64 (stmt, 2);
  info->last_producer_end_us = sqlite3_column_int64 (stmt, 3);
  if (sqlite3_column_type (stmt, 4) == SQLITE_TEXT)
    info->media_type = g_strdup_printf ("video/%s", sqlite3_column_text (stmt, 4));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return info;
}

static gint
compare_streams (gconstpointer a, gconstpointer b)
{
  const FaStreamInfo *sa = *(FaStreamInfo * const *) a;
  const FaStreamInfo *sb = *(FaStreamInfo * const *) b;
  return strcmp (sa->name, sb->name);
}

GPtrArray *
fa_stream_store_list_streams (FaStreamStore *store, GError **error)
{
  GError *local = NULL;
  g_autoptr (GDir) dir = g_dir_open (store->root, 0, &local);
  if (dir == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot list %s: %s", store->root,
        local->message);
    g_error_free (local);
    return NULL;
  }
  g_autoptr (GPtrArray) streams = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stream_info_free);
  const gchar *name;
  while ((name = g_dir_read_name (dir)) != NULL) {
    if (!fa_stream_name_is_valid (name, NULL))
      continue;
    g_autofree gchar *index = g_build_filename (store->root, name,
        FA_STREAM_INDEX_NAME, NULL);
    if (!g_file_test (index, G_FILE_TEST_IS_REGULAR))
      continue;
    FaStreamInfo *info = stream_info (store, name, error);
    if (info == NULL)
      return NULL;
    g_ptr_array_add (streams, info);
  }
  g_ptr_array_sort (streams, compare_streams);
  return g_steal_pointer (&streams);
}

GPtrArray *
fa_stream_store_list_fragments (FaStreamStore *store, const gchar *stream,
    FaTimestampKind kind, gint64 start_us, gint64 end_us, gboolean overlapping,
    GError **error)
{
  if (start_us > end_us) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "the start time is after the end time");
    return NULL;
  }
  sqlite3 *db = fa_stream_index_open (store, stream, FALSE, error);
  if (db == NULL)
    return NULL;
  const gchar *sql;
  if (overlapping)
    sql = "SELECT " FA_STREAM_FRAGMENT_COLUMNS " FROM fragments"
        " WHERE producer_us + duration_us > ?1 AND producer_us <= ?2 ORDER BY number";
  else if (kind == FA_TIMESTAMP_SERVER)
    sql = "SELECT " FA_STREAM_FRAGMENT_COLUMNS " FROM fragments"
        " WHERE server_us BETWEEN ?1 AND ?2 ORDER BY number";
  else
    sql = "SELECT " FA_STREAM_FRAGMENT_COLUMNS " FROM fragments"
        " WHERE producer_us BETWEEN ?1 AND ?2 ORDER BY number";
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    fa_stream_index_set_error (db, error, "read it");
    sqlite3_close (db);
    return NULL;
  }
  sqlite3_bind_int64 (stmt, 1, start_us);
  sqlite3_bind_int64 (stmt, 2, end_us);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_fragment_info_free);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, fa_stream_fragment_from_row (stmt));
  if (rc != SQLITE_DONE) {
    fa_stream_index_set_error (db, error, "read it");
    g_clear_pointer (&list, g_ptr_array_unref);
  }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return list;
}

FaFragmentInfo *
fa_stream_store_get_fragment (FaStreamStore *store, const gchar *stream,
    const gchar *number, GError **error)
{
  gint64 n = fa_stream_parse_number (number, FALSE);
  if (n < 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "invalid fragment number \"%s\": expected a positive decimal number", number);
    return NULL;
  }
  sqlite3 *db = fa_stream_index_open (store, stream, FALSE, error);
  if (db == NULL)
    return NULL;
  sqlite3_stmt *stmt = NULL;
  FaFragmentInfo *info = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT " FA_STREAM_FRAGMENT_COLUMNS
          " FROM fragments WHERE number = ?", -1, &stmt, NULL) != SQLITE_OK) {
    fa_stream_index_set_error (db, error, "read it");
  } else {
    sqlite3_bind_int64 (stmt, 1, n);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      info = fa_stream_fragment_from_row (stmt);
    else if (rc == SQLITE_DONE)
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
          "stream \"%s\" has no fragment %s (it may have been removed by retention; "
          "see `facealert fragments list`)", stream, number);
    else
      fa_stream_index_set_error (db, error, "read it");
  }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return info;
}

GBytes *
fa_stream_store_read_fragment (FaStreamStore *store, const gchar *stream,
    const gchar *number, GError **error)
{
  g_autoptr (FaFragmentInfo) info = fa_stream_store_get_fragment (store, stream,
      number, error);
  if (info == NULL)
    return NULL;
  gint64 n = fa_stream_parse_number (info->number, FALSE);
  g_autofree gchar *path = fa_stream_fragment_path (store, stream, n);
  gchar *contents = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &contents, &len, &local)) {
    g_set_error (error, FA_ERROR,
        g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? FA_ERROR_NOT_FOUND
        : FA_ERROR_IO, "cannot read fragment %s of stream \"%s\": %s",
        number, stream, local->message);
    g_error_free (local);
    return NULL;
  }
  g_autoptr (GBytes) stored = g_bytes_new_take (contents, len);
  if (!info->encrypted)
    return g_steal_pointer (&stored);
  if (store->key == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "fragment %s of stream \"%s\" is encrypted: give its key file", number, stream);
    return NULL;
  }
  GBytes *plain = fa_stream_unseal (store->key, info->number, stored, error);
  if (plain == NULL)
    g_prefix_error (error, "fragment %s of stream \"%s\": ", number, stream);
  return plain;
}
