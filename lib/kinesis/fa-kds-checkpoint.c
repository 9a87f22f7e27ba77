/* facealert: consumer checkpoints on SQLite. See fa-kds-checkpoint.h. */
#include "fa-kds-checkpoint.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

struct _FaKdsCheckpoints {
  gchar *path;
  sqlite3 *db;
  int owner_fd;
};

static gboolean
failed (FaKdsCheckpoints *c, const gchar *what, GError **error)
{
  int rc = sqlite3_errcode (c->db);
  g_set_error (error, FA_ERROR, rc == SQLITE_NOTADB ? FA_ERROR_CORRUPT
      : rc == SQLITE_BUSY ? FA_ERROR_BUSY : FA_ERROR_IO,
      "checkpoints %s: cannot %s: %s", c->path, what, sqlite3_errmsg (c->db));
  return FALSE;
}

FaKdsCheckpoints *
fa_kds_checkpoints_open (const gchar *path, GError **error)
{
  int owner_fd = fa_paths_take_private_file (path, error, "checkpoints %s "
      "are in use by another consumer (give each consumer its own --name or "
      "--checkpoint)", path);
  if (owner_fd < 0)
    return NULL;
  FaKdsCheckpoints *c = g_new0 (FaKdsCheckpoints, 1);
  c->path = g_strdup (path);
  c->owner_fd = owner_fd;
  if (sqlite3_open_v2 (path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
          NULL) != SQLITE_OK
      || sqlite3_exec (c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
          "CREATE TABLE IF NOT EXISTS checkpoints (stream TEXT NOT NULL,"
          " shard TEXT NOT NULL, sequence_number TEXT, ended INTEGER NOT NULL"
          " DEFAULT 0, updated_us INTEGER NOT NULL, PRIMARY KEY (stream, shard));",
          NULL, NULL, NULL) != SQLITE_OK) {
    if (c->db == NULL)
      g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open %s", path);
    else
      failed (c, "open it", error);
    fa_kds_checkpoints_close (c);
    return NULL;
  }
  sqlite3_busy_timeout (c->db, 2000);
  return c;
}

void
fa_kds_checkpoints_close (FaKdsCheckpoints *c)
{
  if (c == NULL)
    return;
  if (c->db != NULL)
    sqlite3_close (c->db);
  if (c->owner_fd >= 0)
    close (c->owner_fd);
  g_free (c->path);
  g_free (c);
}

gboolean
fa_kds_checkpoints_get (FaKdsCheckpoints *c, const gchar *stream,
    const gchar *shard, gchar **sequence_number, gboolean *ended, GError **error)
{
  *sequence_number = NULL;
  *ended = FALSE;
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (c->db, "SELECT sequence_number, ended FROM"
      " checkpoints WHERE stream = ? AND shard = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, shard, -1, SQLITE_STATIC);
    rc = sqlite3_step (stmt);
  }
  if (rc == SQLITE_ROW) {
    const gchar *seq = (const gchar *) sqlite3_column_text (stmt, 0);
    *sequence_number = g_strdup (seq);
    *ended = sqlite3_column_int (stmt, 1) != 0;
  }
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE || failed (c, "read a checkpoint", error);
}

gboolean
fa_kds_checkpoints_set (FaKdsCheckpoints *c, const gchar *stream,
    const gchar *shard, const gchar *sequence_number, gboolean ended,
    GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (c->db, "INSERT INTO checkpoints (stream, shard,"
      " sequence_number, ended, updated_us) VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT (stream, shard) DO UPDATE SET"
      " sequence_number = coalesce (?3, sequence_number), ended = ?4,"
      " updated_us = ?5", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, shard, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, sequence_number, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 4, ended ? 1 : 0);
    sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || failed (c, "commit a checkpoint", error);
}
