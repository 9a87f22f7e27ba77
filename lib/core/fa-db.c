/* facealert: SQLite plumbing shared by stores (private WAL files, schema
 * versions, errors that say what to do). */
#include "fa-db.h"
#include "fa-error.h"
#include "fa-paths.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000

gboolean
fa_db_fail (FaDb *db, int rc, const gchar *doing, GError **error)
{
  int primary = rc & 0xff;
  const gchar *what = db->spec->what;
  const gchar *message = db->db != NULL ? sqlite3_errmsg (db->db) : sqlite3_errstr (rc);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY,
        "%s %s is locked by another process (waited %d ms while %s): "
        "try again when it has finished", what, db->path, db->busy_timeout_ms, doing);
  else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "%s %s is corrupt or not a facealert database (%s while %s): %s",
        what, db->path, message, doing, db->spec->corrupt_hint);
  else if (primary == SQLITE_FULL)
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot write %s %s: the disk is full (while %s)", what, db->path, doing);
  else if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN
      || primary == SQLITE_READONLY || primary == SQLITE_PERM)
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot use %s %s (%s while %s): check disk space and permissions",
        what, db->path, message, doing);
  else
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "%s %s: %s while %s", what, db->path,
        message, doing);
  return FALSE;
}

gboolean
fa_db_exec (FaDb *db, const gchar *sql, const gchar *doing, GError **error)
{
  int rc = sqlite3_exec (db->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? TRUE : fa_db_fail (db, rc, doing, error);
}

sqlite3_stmt *
fa_db_prepare (FaDb *db, const gchar *sql, const gchar *doing, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) {
    fa_db_fail (db, rc, doing, error);
    return NULL;
  }
  return stmt;
}

gboolean
fa_db_begin_write (FaDb *db, const gchar *doing, GError **error)
{
  return fa_db_exec (db, "BEGIN IMMEDIATE", doing, error);
}

gboolean
fa_db_commit (FaDb *db, const gchar *doing, GError **error)
{
  if (fa_db_exec (db, "COMMIT", doing, error))
    return TRUE;
  fa_db_rollback (db);
  return FALSE;
}

void
fa_db_rollback (FaDb *db)
{
  if (!sqlite3_get_autocommit (db->db))
    sqlite3_exec (db->db, "ROLLBACK", NULL, NULL, NULL);
}

gint64
fa_db_data_version (FaDb *db)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db->db, "PRAGMA data_version", -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  gint64 version = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  return version;
}

static int
read_version (FaDb *db, GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (db, "PRAGMA user_version", "reading the schema version",
      error);
  if (stmt == NULL)
    return -1;
  int rc = sqlite3_step (stmt);
  int version = rc == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  if (version < 0)
    fa_db_fail (db, rc, "reading the schema version", error);
  return version;
}

/* Brings the schema to the newest version, unless another process just did. */
static gboolean
upgrade (FaDb *db, GError **error)
{
  const FaDbSpec *spec = db->spec;
  int version = read_version (db, error);
  if (version < 0)
    return FALSE;
  if (version > spec->n_schemas) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "%s %s has schema version %d, newer than this facealert understands (%d): "
        "upgrade facealert", spec->what, db->path, version, spec->n_schemas);
    return FALSE;
  }
  if (version == spec->n_schemas)
    return TRUE;
  if (!fa_db_begin_write (db, "creating the schema", error))
    return FALSE;
  version = read_version (db, error);
  if (version < 0) {
    fa_db_rollback (db);
    return FALSE;
  }
  for (int v = version; v < spec->n_schemas; v++) {
    g_autofree gchar *sql = g_strdup_printf ("%s; PRAGMA user_version = %d;",
        spec->schemas[v], v + 1);
    if (!fa_db_exec (db, sql, "creating the schema", error)) {
      fa_db_rollback (db);
      return FALSE;
    }
  }
  return fa_db_commit (db, "creating the schema", error);
}

FaDb *
fa_db_open (const gchar *dir, const gchar *file_name, gboolean create, int busy_timeout_ms,
    const FaDbSpec *spec, GError **error)
{
  g_autofree gchar *path = g_build_filename (dir, file_name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    if (!create) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no %s at %s: %s", spec->what, path,
          spec->missing_hint);
      return NULL;
    }
    if (!fa_paths_ensure_private_dir (dir, error) || !fa_paths_create_private_file (path, error))
      return NULL;
  } else if (!fa_paths_create_private_file (path, error)) {
    /* Tightens a file someone loosened; fails on one we may not write. */
    return NULL;
  }

  g_autoptr (FaDb) db = g_new0 (FaDb, 1);
  db->path = g_steal_pointer (&path);
  db->spec = spec;
  db->busy_timeout_ms = busy_timeout_ms > 0 ? busy_timeout_ms : DEFAULT_BUSY_TIMEOUT_MS;
  int rc = sqlite3_open_v2 (db->path, &db->db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK) {
    if (db->db == NULL)
      g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open %s: out of memory", db->path);
    else
      fa_db_fail (db, rc, "opening", error);
    return NULL;
  }
  sqlite3_busy_timeout (db->db, db->busy_timeout_ms);
  sqlite3_extended_result_codes (db->db, 1);
  /* WAL lets readers (the CLI, the server) run while pipelines write. */
  if (!fa_db_exec (db, "PRAGMA journal_mode = WAL", "switching to WAL mode", error)
      || !fa_db_exec (db, "PRAGMA foreign_keys = ON", "configuring", error)
      || (spec->pragmas != NULL && !fa_db_exec (db, spec->pragmas, "configuring", error))
      || !upgrade (db, error))
    return NULL;
  return g_steal_pointer (&db);
}

void
fa_db_close (FaDb *db)
{
  if (db == NULL)
    return;
  sqlite3_close_v2 (db->db);
  g_free (db->path);
  g_free (db);
}
