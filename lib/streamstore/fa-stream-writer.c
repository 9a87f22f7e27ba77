/* facealert: the stream store, writing side: crash-safe appends, repair at
 * open, retention and quota eviction (see fa-stream-store.h). */
#define G_LOG_DOMAIN "facealert-streamstore"

#include "fa-stream-store-private.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <glib/gstdio.h>


struct _FaStreamWriter {
  FaStreamStore *store;
  gchar *stream;
  gchar *fragments_dir;
  sqlite3 *db;
  int lock_fd;
  gint64 next_number;
  gint64 retention_us;
  guint64 quota_bytes;
  guint repaired_partial, repaired_orphans, repaired_rows;
};

static gboolean
io_error (GError **error, int err, const gchar *what, const gchar *path)
{
  g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot %s %s: %s%s", what, path,
      g_strerror (err), err == ENOSPC || err == EDQUOT
      ? " (free some space or lower storage-size)" : "");
  return FALSE;
}

static void
fsync_dir (const gchar *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0) {
    fsync (fd);
    close (fd);
  }
}

static gboolean
meta_set (sqlite3 *db, const gchar *key, gint64 value, gboolean replace,
    GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const gchar *sql = replace
      ? "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
      : "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)";
  gboolean ok = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK;
  if (ok) {
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, value);
    ok = sqlite3_step (stmt) == SQLITE_DONE;
  }
  if (!ok)
    fa_stream_index_set_error (db, error, "update it");
  sqlite3_finalize (stmt);
  return ok;
}

static gint64
query_int64 (sqlite3 *db, const gchar *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Makes the index and the files agree after a crash: temporary files are
 * partial writes, files without a row were never committed, rows without a
 * file (or with a file of the wrong size) lost their media. */
static gboolean
repair (FaStreamWriter *writer, GError **error)
{
  GError *local = NULL;
  g_autoptr (GDir) dir = g_dir_open (writer->fragments_dir, 0, &local);
  if (dir == NULL) {
    g_propagate_error (error, local);
    return FALSE;
  }
  g_autoptr (GHashTable) rows = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, NULL);
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (writer->db, "SELECT number, stored_size FROM fragments",
          -1, &stmt, NULL) != SQLITE_OK) {
    fa_stream_index_set_error (writer->db, error, "read it");
    return FALSE;
  }
  while (sqlite3_step (stmt) == SQLITE_ROW) {
    gint64 *number = g_new (gint64, 1);
    *number = sqlite3_column_int64 (stmt, 0);
    g_hash_table_insert (rows, number, GSIZE_TO_POINTER (sqlite3_column_int64 (stmt, 1) + 1));
  }
  sqlite3_finalize (stmt);

  const gchar *name;
  g_autoptr (GHashTable) files = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, NULL);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *path = g_build_filename (writer->fragments_dir, name, NULL);
    gint64 number = fa_stream_parse_number (name, TRUE);
    if (g_str_has_prefix (name, FA_STREAM_TMP_PREFIX)) {
      g_unlink (path);
      writer->repaired_partial++;
      continue;
    }
    if (number < 0)
      continue;     /* not ours: leave it */
    gpointer expected = g_hash_table_lookup (rows, &number);
    GStatBuf st;
    if (expected == NULL || g_stat (path, &st) != 0
        || (guint64) st.st_size + 1 != GPOINTER_TO_SIZE (expected)) {
      g_unlink (path);
      writer->repaired_orphans++;
      if (number >= writer->next_number)
        writer->next_number = number + 1;
      continue;
    }
    gint64 *key = g_new (gint64, 1);
    *key = number;
    g_hash_table_add (files, key);
  }

  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, rows);
  if (!fa_stream_index_exec (writer->db, "BEGIN IMMEDIATE", error))
    return FALSE;
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (g_hash_table_contains (files, key))
      continue;
    sqlite3_stmt *del = NULL;
    sqlite3_prepare_v2 (writer->db, "DELETE FROM fragments WHERE number = ?", -1,
        &del, NULL);
    sqlite3_bind_int64 (del, 1, *(gint64 *) key);
    int rc = sqlite3_step (del);
    sqlite3_finalize (del);
    if (rc != SQLITE_DONE) {
      fa_stream_index_set_error (writer->db, error, "repair it");
      fa_stream_index_exec (writer->db, "ROLLBACK", NULL);
      return FALSE;
    }
    writer->repaired_rows++;
  }
  if (!fa_stream_index_exec (writer->db, "COMMIT", error))
    return FALSE;
  if (writer->repaired_partial + writer->repaired_orphans + writer->repaired_rows > 0)
    g_message ("stream \"%s\" repaired after an interrupted run: removed %u partial "
        "file(s), %u file(s) missing from the index, %u index row(s) without a file",
        writer->stream, writer->repaired_partial, writer->repaired_orphans,
        writer->repaired_rows);
  return TRUE;
}

FaStreamWriter *
fa_stream_writer_open (FaStreamStore *store, const gchar *stream, GError **error)
{
  if (!fa_stream_name_is_valid (stream, error))
    return NULL;
  g_autofree gchar *dir = fa_stream_dir (store, stream);
  g_autofree gchar *fragments = g_build_filename (dir, FA_STREAM_FRAGMENTS_DIR, NULL);
  if (!fa_paths_ensure_private_dir (fragments, error))
    return NULL;
  g_autofree gchar *lock_path = g_build_filename (dir, FA_STREAM_LOCK_NAME, NULL);
  GError *lock_error = NULL;
  int lock_fd = fa_paths_lock_exclusive (lock_path, &lock_error);
  if (lock_fd < 0) {
    if (g_error_matches (lock_error, FA_ERROR, FA_ERROR_BUSY)) {
      g_set_error (error, FA_ERROR, FA_ERROR_BUSY,
          "stream \"%s\" is already being recorded by another process", stream);
      g_error_free (lock_error);
    } else {
      g_propagate_error (error, lock_error);
    }
    return NULL;
  }

  FaStreamWriter *writer = g_new0 (FaStreamWriter, 1);
  writer->store = store;
  writer->stream = g_strdup (stream);
  writer->fragments_dir = g_steal_pointer (&fragments);
  writer->lock_fd = lock_fd;
  writer->db = fa_stream_index_open (store, stream, TRUE, error);
  if (writer->db == NULL
      || !meta_set (writer->db, "creation_us", g_get_real_time (), FALSE, error)) {
    fa_stream_writer_close (writer);
    return NULL;
  }
  writer->next_number = 1 + MAX (
      query_int64 (writer->db, "SELECT value FROM meta WHERE key = 'last_number'"),
      query_int64 (writer->db, "SELECT max(number) FROM fragments"));
  if (!repair (writer, error)) {
    fa_stream_writer_close (writer);
    return NULL;
  }
  return writer;
}

void
fa_stream_writer_close (FaStreamWriter *writer)
{
  if (writer == NULL)
    return;
  if (writer->db != NULL)
    sqlite3_close (writer->db);
  if (writer->lock_fd >= 0)
    close (writer->lock_fd);    /* releases the lock */
  g_free (writer->stream);
  g_free (writer->fragments_dir);
  g_free (writer);
}

void
fa_stream_writer_get_repairs (FaStreamWriter *writer, guint *partial,
    guint *orphans, guint *rows)
{
  if (partial)
    *partial = writer->repaired_partial;
  if (orphans)
    *orphans = writer->repaired_orphans;
  if (rows)
    *rows = writer->repaired_rows;
}

void
fa_stream_writer_set_limits (FaStreamWriter *writer, guint retention_hours,
    guint64 quota_bytes)
{
  writer->retention_us = (gint64) retention_hours * 3600 * G_USEC_PER_SEC;
  writer->quota_bytes = quota_bytes;
  meta_set (writer->db, "retention_hours", retention_hours, TRUE, NULL);
}

void
fa_stream_writer_set_retention_us (FaStreamWriter *writer, gint64 retention_us)
{
  writer->retention_us = retention_us;
}

static gboolean
write_file (int fd, const guint8 *data, gsize size, const gchar *path, GError **error)
{
  while (size > 0) {
    ssize_t n = write (fd, data, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return io_error (error, errno, "write", path);
    }
    data += n;
    size -= n;
  }
  if (fsync (fd) != 0)
    return io_error (error, errno, "flush", path);
  return TRUE;
}

FaFragmentInfo *
fa_stream_writer_append (FaStreamWriter *writer, GBytes *media, FaCodec codec,
    gint64 producer_us, gint64 duration_us, gint64 server_us, GError **error)
{
  gint64 number = writer->next_number;
  g_autofree gchar *number_text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  g_autoptr (GBytes) stored = NULL;
  if (writer->store->key != NULL) {
    /* Sealed in memory: plaintext never touches the disk. */
    stored = fa_stream_seal (writer->store->key, number_text, media, error);
    if (stored == NULL)
      return NULL;
  } else {
    stored = g_bytes_ref (media);
  }
  gsize stored_size;
  const guint8 *stored_data = g_bytes_get_data (stored, &stored_size);

  g_autofree gchar *tmp = g_build_filename (writer->fragments_dir,
      FA_STREAM_TMP_PREFIX "XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    io_error (error, errno, "create a fragment file in", writer->fragments_dir);
    return NULL;
  }
  gboolean ok = write_file (fd, stored_data, stored_size, tmp, error);
  if (close (fd) != 0 && ok)
    ok = io_error (error, errno, "close", tmp);
  g_autofree gchar *path = fa_stream_fragment_path (writer->store, writer->stream, number);
  if (ok && g_rename (tmp, path) != 0)
    ok = io_error (error, errno, "rename", tmp);
  if (!ok) {
    g_unlink (tmp);
    return NULL;
  }
  fsync_dir (writer->fragments_dir);

  if (server_us == 0)
    server_us = g_get_real_time ();
  sqlite3_stmt *stmt = NULL;
  ok = fa_stream_index_exec (writer->db, "BEGIN IMMEDIATE", error);
  if (ok) {
    ok = sqlite3_prepare_v2 (writer->db, "INSERT INTO fragments ("
        FA_STREAM_FRAGMENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt,
        NULL) == SQLITE_OK;
    if (ok) {
      sqlite3_bind_int64 (stmt, 1, number);
      sqlite3_bind_int64 (stmt, 2, producer_us);
      sqlite3_bind_int64 (stmt, 3, server_us);
      sqlite3_bind_int64 (stmt, 4, duration_us);
      sqlite3_bind_int64 (stmt, 5, g_bytes_get_size (media));
      sqlite3_bind_int64 (stmt, 6, stored_size);
      sqlite3_bind_text (stmt, 7, fa_codec_name (codec), -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 8, writer->store->key != NULL);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
    }
    sqlite3_finalize (stmt);
    if (!ok)
      fa_stream_index_set_error (writer->db, error, "add a fragment to it");
    ok = ok && meta_set (writer->db, "last_number", number, TRUE, error);
    ok = ok && fa_stream_index_exec (writer->db, "COMMIT", error);
    if (!ok)
      fa_stream_index_exec (writer->db, "ROLLBACK", NULL);
  }
  if (!ok) {
    g_unlink (path);
    return NULL;
  }
  writer->next_number = number + 1;

  FaFragmentInfo *info = g_new0 (FaFragmentInfo, 1);
  info->number = g_steal_pointer (&number_text);
  info->producer_us = producer_us;
  info->server_us = server_us;
  info->duration_us = duration_us;
  info->size = g_bytes_get_size (media);
  info->stored_size = stored_size;
  info->codec = codec;
  info->encrypted = writer->store->key != NULL;

  GError *evict_error = NULL;
  if (fa_stream_writer_evict (writer, 0, &evict_error) < 0) {
    g_warning ("stream \"%s\": eviction failed: %s", writer->stream, evict_error->message);
    g_error_free (evict_error);
  }
  return info;
}

gint
fa_stream_writer_evict (FaStreamWriter *writer, gint64 now_us, GError **error)
{
  if (writer->retention_us <= 0 && writer->quota_bytes == 0)
    return 0;
  if (now_us == 0)
    now_us = g_get_real_time ();
  gint64 newest = query_int64 (writer->db, "SELECT max(number) FROM fragments");
  gint64 total = query_int64 (writer->db, "SELECT total(stored_size) FROM fragments");
  g_autoptr (GArray) doomed = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* Oldest first: by age, then by size until the quota holds. */
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (writer->db, "SELECT number, server_us, stored_size"
          " FROM fragments WHERE number < ? ORDER BY number", -1, &stmt,
          NULL) != SQLITE_OK) {
    fa_stream_index_set_error (writer->db, error, "read it");
    return -1;
  }
  sqlite3_bind_int64 (stmt, 1, newest);
  while (sqlite3_step (stmt) == SQLITE_ROW) {
    gint64 number = sqlite3_column_int64 (stmt, 0);
    gint64 server_us = sqlite3_column_int64 (stmt, 1);
    gint64 size = sqlite3_column_int64 (stmt, 2);
    gboolean too_old = writer->retention_us > 0 && server_us < now_us - writer->retention_us;
    gboolean over_quota = writer->quota_bytes > 0 && (guint64) total > writer->quota_bytes;
    if (!too_old && !over_quota)
      break;
    g_array_append_val (doomed, number);
    total -= size;
  }
  sqlite3_finalize (stmt);
  if (doomed->len == 0)
    return 0;

  /* Rows go first, files after: a crash in between leaves orphan files,
   * which the next open removes. */
  if (!fa_stream_index_exec (writer->db, "BEGIN IMMEDIATE", error))
    return -1;
  gboolean ok = TRUE;
  for (guint i = 0; i < doomed->len && ok; i++) {
    sqlite3_stmt *del = NULL;
    ok = sqlite3_prepare_v2 (writer->db, "DELETE FROM fragments WHERE number = ?",
        -1, &del, NULL) == SQLITE_OK;
    if (ok) {
      sqlite3_bind_int64 (del, 1, g_array_index (doomed, gint64, i));
      ok = sqlite3_step (del) == SQLITE_DONE;
    }
    sqlite3_finalize (del);
  }
  if (!ok) {
    fa_stream_index_set_error (writer->db, error, "remove old fragments from it");
    fa_stream_index_exec (writer->db, "ROLLBACK", NULL);
    return -1;
  }
  if (!fa_stream_index_exec (writer->db, "COMMIT", error)) {
    fa_stream_index_exec (writer->db, "ROLLBACK", NULL);
    return -1;
  }
  for (guint i = 0; i < doomed->len; i++) {
    g_autofree gchar *path = fa_stream_fragment_path (writer->store, writer->stream,
        g_array_index (doomed, gint64, i));
    g_unlink (path);
  }
  return doomed->len;
}
