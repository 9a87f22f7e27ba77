/* facealert: the SQLite plumbing a store needs, in one place: open a private
 * (0600 file in a 0700 directory) WAL database, create or upgrade its schema,
 * and turn SQLite's result codes into FA_ERROR codes with messages that say
 * what to do (SQLite's own text only ever follows ours, never stands alone).
 *
 * A FaDb is not thread-safe: use one per thread.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct {
  const gchar *what;          /* "sightings database": used in every message */
  const gchar *missing_hint;  /* what to do when it does not exist */
  const gchar *corrupt_hint;  /* what to do when it is not ours */
  /* schemas[v - 1] takes a database from version v - 1 to v (schemas[0]
   * creates it); the version after them all is @n_schemas. */
  const gchar *const *schemas;
  int n_schemas;
  const gchar *pragmas;       /* run after opening, e.g. synchronous; may be NULL */
} FaDbSpec;

typedef struct {
  sqlite3 *db;
  gchar *path;
  const FaDbSpec *spec;       /* borrowed: static storage */
  int busy_timeout_ms;
} FaDb;

/* Opens (with @create: creates, private) @dir/@file_name per @spec, waiting
 * up to @busy_timeout_ms (<= 0: 5000) for other connections' locks.
 * FA_ERROR_NOT_FOUND when missing and not @create, FA_ERROR_CORRUPT when not a
 * database of @spec (or a newer schema), FA_ERROR_BUSY, FA_ERROR_IO. */
FaDb *fa_db_open (const gchar *dir, const gchar *file_name, gboolean create,
    int busy_timeout_ms, const FaDbSpec *spec, GError **error);
void fa_db_close (FaDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaDb, fa_db_close)

/* Sets @error from result code @rc of the last call while @doing ("listing
 * sightings"); always returns FALSE. */
gboolean fa_db_fail (FaDb *db, int rc, const gchar *doing, GError **error);

gboolean fa_db_exec (FaDb *db, const gchar *sql, const gchar *doing, GError **error);
sqlite3_stmt *fa_db_prepare (FaDb *db, const gchar *sql, const gchar *doing,
    GError **error);
/* BEGIN IMMEDIATE (a write transaction), COMMIT, and ROLLBACK if one is open. */
gboolean fa_db_begin_write (FaDb *db, const gchar *doing, GError **error);
gboolean fa_db_commit (FaDb *db, const gchar *doing, GError **error);
void fa_db_rollback (FaDb *db);

/* Changes whenever another connection commits: cheap, poll it. -1 on error. */
gint64 fa_db_data_version (FaDb *db);

G_END_DECLS
