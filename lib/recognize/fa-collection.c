/* facealert: the face collection store (SQLite, WAL). */
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define SCHEMA_VERSION 2

struct _FaCollectionStore {
  sqlite3 *db;
  gchar *path;
  int busy_timeout_ms;
};

static const gchar schema[] =
  "CREATE TABLE collections ("
  "  id TEXT PRIMARY KEY,"
  "  model_name TEXT NOT NULL,"
  "  model_version TEXT NOT NULL,"
  "  created_ms INTEGER NOT NULL);"
  "CREATE TABLE faces ("
  "  face_id TEXT PRIMARY KEY,"
  "  collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,"
  "  external_image_id TEXT NOT NULL,"
  "  image_id TEXT NOT NULL,"
  "  box_left REAL NOT NULL, box_top REAL NOT NULL,"
  "  box_width REAL NOT NULL, box_height REAL NOT NULL,"
  "  confidence REAL NOT NULL,"
  "  model_name TEXT NOT NULL,"
  "  model_version TEXT NOT NULL,"
  "  dim INTEGER NOT NULL,"
  "  embedding BLOB NOT NULL,"   /* dim little-endian float32 */
  "  created_ms INTEGER NOT NULL);"
  "CREATE INDEX faces_by_collection ON faces (collection_id, created_ms);"
  "PRAGMA user_version = 1;";

/* Version 2: negative examples ("this face is not NAME"), see fa-gallery.h. */
static const gchar schema_v2[] =
  "CREATE TABLE negatives ("
  "  face_id TEXT PRIMARY KEY,"
  "  collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,"
  "  external_image_id TEXT NOT NULL,"   /* the name this face is not */
  "  image_id TEXT NOT NULL,"            /* where it came from, e.g. sighting:42 */
  "  model_name TEXT NOT NULL,"
  "  model_version TEXT NOT NULL,"
  "  dim INTEGER NOT NULL,"
  "  embedding BLOB NOT NULL,"
  "  created_ms INTEGER NOT NULL);"
  "CREATE INDEX negatives_by_collection ON negatives (collection_id, external_image_id);"
  "PRAGMA user_version = 2;";

FaStoredFace *
fa_stored_face_new (void)
{
  return g_new0 (FaStoredFace, 1);
}

void
fa_stored_face_free (FaStoredFace *face)
{
  if (face == NULL)
    return;
  g_free (face->face_id);
  g_free (face->external_image_id);
  g_free (face->image_id);
  g_free (face->model_name);
  g_free (face->model_version);
  g_free (face->embedding);
  g_free (face);
}

void
fa_collection_info_free (FaCollectionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->arn);
  g_free (info->model_name);
  g_free (info->model_version);
  g_free (info);
}

/* Turns the connection's last error into a GError that says what to do. */
static gboolean
store_fail (FaCollectionStore *store, int rc, const gchar *doing, GError **error)
{
  int primary = rc & 0xff;
  const gchar *message = sqlite3_errmsg (store->db);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY,
        "collections database %s is locked by another process (waited %d ms while %s): "
        "try again when it has finished", store->path, store->busy_timeout_ms, doing);
  else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "collections database %s is corrupt or not a facealert database (%s while %s): "
        "move it away and re-enrol, or point --collections-dir elsewhere",
        store->path, message, doing);
  else if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN
      || primary == SQLITE_READONLY || primary == SQLITE_PERM)
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot write collections database %s (%s while %s): check disk space and permissions",
        store->path, message, doing);
  else
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED,
        "collections database %s: %s while %s", store->path, message, doing);
  return FALSE;
}

static gboolean
exec (FaCollectionStore *store, const gchar *sql, const gchar *doing, GError **error)
{
  int rc = sqlite3_exec (store->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? TRUE : store_fail (store, rc, doing, error);
}

static void
rollback (FaCollectionStore *store)
{
  if (!sqlite3_get_autocommit (store->db))
    sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *
prepare (FaCollectionStore *store, const gchar *sql, const gchar *doing, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (store->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK) {
    store_fail (store, rc, doing, error);
    return NULL;
  }
  return stmt;
}

FaCollectionStore *
fa_collection_store_open (const gchar *dir, gboolean create, int busy_timeout_ms,
    GError **error)
{
  g_autofree gchar *base = dir != NULL && *dir != '\0' ? g_strdup (dir)
      : fa_paths_dir (FA_DIR_COLLECTIONS);
  g_autofree gchar *path = g_build_filename (base, FA_COLLECTION_DB_FILE, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    if (!create) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
          "no collections database at %s: create a collection first "
          "(facealert collection create --collection-id NAME)", path);
      return NULL;
    }
    if (!fa_paths_ensure_private_dir (base, error) || !fa_paths_create_private_file (path, error))
      return NULL;
  }

  FaCollectionStore *store = g_new0 (FaCollectionStore, 1);
  store->path = g_steal_pointer (&path);
  store->busy_timeout_ms = busy_timeout_ms > 0 ? busy_timeout_ms
      : FA_COLLECTION_DEFAULT_BUSY_TIMEOUT_MS;
  int rc = sqlite3_open_v2 (store->path, &store->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK) {
    if (store->db == NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open %s: out of memory", store->path);
    } else {
      store_fail (store, rc, "opening", error);
    }
    fa_collection_store_close (store);
    return NULL;
  }
  sqlite3_busy_timeout (store->db, store->busy_timeout_ms);
  sqlite3_extended_result_codes (store->db, 1);

  /* WAL lets readers (pipelines) run while a writer (the CLI) enrols. */
  if (!exec (store, "PRAGMA journal_mode = WAL", "switching to WAL mode", error)
      || !exec (store, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
          "configuring", error)) {
    fa_collection_store_close (store);
    return NULL;
  }

  sqlite3_stmt *stmt = prepare (store, "PRAGMA user_version", "reading the schema version", error);
  if (stmt == NULL) {
    fa_collection_store_close (store);
    return NULL;
  }
  rc = sqlite3_step (stmt);
  int version = rc == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  if (version < 0) {
    store_fail (store, rc, "reading the schema version", error);
    fa_collection_store_close (store);
    return NULL;
  }
  if (version < SCHEMA_VERSION) {
    /* Create or upgrade the schema, unless another process just did. */
    if (!exec (store, "BEGIN IMMEDIATE", "creating the schema", error)) {
      fa_collection_store_close (store);
      return NULL;
    }
    stmt = prepare (store, "PRAGMA user_version", "creating the schema", error);
    int now = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW
        ? sqlite3_column_int (stmt, 0) : -1;
    sqlite3_finalize (stmt);
    if (now < 0 || (now < 1 && !exec (store, schema, "creating the schema", error))
        || (now < 2 && !exec (store, schema_v2, "upgrading the schema", error))
        || !exec (store, "COMMIT", "creating the schema", error)) {
      rollback (store);
      fa_collection_store_close (store);
      return NULL;
    }
  } else if (version > SCHEMA_VERSION) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "collections database %s has schema version %d, newer than this facealert "
        "understands (%d): upgrade facealert", store->path, version, SCHEMA_VERSION);
    fa_collection_store_close (store);
    return NULL;
  }
  return store;
}

void
fa_collection_store_close (FaCollectionStore *store)
{
  if (store == NULL)
    return;
  sqlite3_close_v2 (store->db);
  g_free (store->path);
  g_free (store);
}

const gchar *
fa_collection_store_path (FaCollectionStore *store)
{
  return store->path;
}

gint64
fa_collection_store_data_version (FaCollectionStore *store)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (store->db, "PRAGMA data_version", -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  gint64 version = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
validate_name (const gchar *what, const gchar *option, const gchar *value,
    const gchar *extra_chars, GError **error)
{
  if (value == NULL || *value == '\0') {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "%s is empty: give %s", what, option);
    return FALSE;
  }
  gsize len = strlen (value);
  if (len > FA_NAME_MAX_LENGTH) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "%s is %" G_GSIZE_FORMAT " characters long: at most %d are allowed",
        what, len, FA_NAME_MAX_LENGTH);
    return FALSE;
  }
  for (const gchar *p = value; *p != '\0'; p++) {
    if (g_ascii_isalnum (*p) || strchr ("_.-", *p) != NULL
        || (extra_chars != NULL && strchr (extra_chars, *p) != NULL))
      continue;
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "%s \"%s\" has a character that is not allowed ('%c'): use letters, digits "
        "and _ . -%s", what, value, *p, extra_chars != NULL ? " :" : "");
    return FALSE;
  }
  return TRUE;
}

gboolean
fa_collection_id_validate (const gchar *id, GError **error)
{
  return validate_name ("collection id", "--collection-id", id, NULL, error);
}

gboolean
fa_external_image_id_validate (const gchar *name, GError **error)
{
  return validate_name ("name (ExternalImageId)", "--name", name, ":", error);
}

static FaCollectionInfo *
info_from_row (sqlite3_stmt *stmt)
{
  FaCollectionInfo *info = g_new0 (FaCollectionInfo, 1);
  info->id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
  info->model_name = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
  info->model_version = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
  info->created_ms = sqlite3_column_int64 (stmt, 3);
  info->face_count = sqlite3_column_int64 (stmt, 4);
  info->arn = g_strdup_printf ("arn:facealert:rekognition:local:000000000000:collection/%s",
      info->id);
  return info;
}

#define INFO_SELECT \
  "SELECT c.id, c.model_name, c.model_version, c.created_ms, " \
  "(SELECT count(*) FROM faces f WHERE f.collection_id = c.id) FROM collections c "

static FaCollectionInfo *
get_info (FaCollectionStore *store, const gchar *id, GError **error)
{
  sqlite3_stmt *stmt = prepare (store, INFO_SELECT "WHERE c.id = ?1", "reading a collection",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step (stmt);
  FaCollectionInfo *info = NULL;
  if (rc == SQLITE_ROW)
    info = info_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "collection \"%s\" does not exist in %s (create it with `facealert collection create`)",
        id, store->path);
  else
    store_fail (store, rc, "reading a collection", error);
  sqlite3_finalize (stmt);
  return info;
}

FaCollectionInfo *
fa_collection_get (FaCollectionStore *store, const gchar *id, GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return NULL;
  return get_info (store, id, error);
}

FaCollectionInfo *
fa_collection_create (FaCollectionStore *store, const gchar *id, const gchar *model_name,
    const gchar *model_version, GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return NULL;
  if (!exec (store, "BEGIN IMMEDIATE", "creating a collection", error))
    return NULL;
  sqlite3_stmt *stmt = prepare (store,
      "INSERT INTO collections (id, model_name, model_version, created_ms) VALUES (?1, ?2, ?3, ?4)",
      "creating a collection", error);
  if (stmt == NULL) {
    rollback (store);
    return NULL;
  }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, model_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, model_version, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  int rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      g_set_error (error, FA_ERROR, FA_ERROR_EXISTS,
          "collection \"%s\" already exists (ResourceAlreadyExistsException)", id);
    else
      store_fail (store, rc, "creating a collection", error);
    rollback (store);
    return NULL;
  }
  FaCollectionInfo *info = get_info (store, id, error);
  if (info == NULL || !exec (store, "COMMIT", "creating a collection", error)) {
    rollback (store);
    fa_collection_info_free (info);
    return NULL;
  }
  return info;
}

gboolean
fa_collection_delete (FaCollectionStore *store, const gchar *id, GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return FALSE;
  if (!exec (store, "BEGIN IMMEDIATE", "deleting a collection", error))
    return FALSE;
  g_autoptr (FaCollectionInfo) info = get_info (store, id, error);
  sqlite3_stmt *stmt = info == NULL ? NULL
      : prepare (store, "DELETE FROM collections WHERE id = ?1", "deleting a collection", error);
  if (stmt == NULL) {
    rollback (store);
    return FALSE;
  }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    store_fail (store, rc, "deleting a collection", error);
    rollback (store);
    return FALSE;
  }
  if (!exec (store, "COMMIT", "deleting a collection", error)) {
    rollback (store);
    return FALSE;
  }
  return TRUE;
}

GPtrArray *
fa_collection_list (FaCollectionStore *store, GError **error)
{
  sqlite3_stmt *stmt = prepare (store, INFO_SELECT "ORDER BY c.id", "listing collections", error);
  if (stmt == NULL)
    return NULL;
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_collection_info_free);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, info_from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    store_fail (store, rc, "listing collections", error);
    g_ptr_array_unref (list);
    return NULL;
  }
  return list;
}

static gboolean
insert_faces (FaCollectionStore *store, const gchar *id, GPtrArray *faces, gboolean negatives,
    GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return FALSE;
  for (guint i = 0; i < faces->len; i++) {
    FaStoredFace *face = g_ptr_array_index (faces, i);
    if (!fa_external_image_id_validate (face->external_image_id, error))
      return FALSE;
    if (face->embedding == NULL || face->dim <= 0 || face->model_name == NULL
        || face->model_version == NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "face %u has no embedding or model", i);
      return FALSE;
    }
  }
  if (!exec (store, "BEGIN IMMEDIATE", "indexing faces", error))
    return FALSE;
  g_autoptr (FaCollectionInfo) info = get_info (store, id, error);
  sqlite3_stmt *stmt = info == NULL ? NULL : prepare (store, negatives
      ? "INSERT INTO negatives (face_id, collection_id, external_image_id, image_id, "
      "model_name, model_version, dim, embedding, created_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?10, ?11, ?12, ?13, ?14)"
      : "INSERT INTO faces (face_id, collection_id, external_image_id, image_id, box_left, "
      "box_top, box_width, box_height, confidence, model_name, model_version, dim, embedding, "
      "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
      "indexing faces", error);
  if (stmt == NULL) {
    rollback (store);
    return FALSE;
  }
  gint64 now = g_get_real_time () / 1000;
  for (guint i = 0; i < faces->len; i++) {
    FaStoredFace *face = g_ptr_array_index (faces, i);
    if (face->face_id == NULL)
      face->face_id = g_uuid_string_random ();
    if (face->image_id == NULL)
      face->image_id = g_uuid_string_random ();
    if (face->created_ms == 0)
      face->created_ms = now;
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, face->face_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 3, face->external_image_id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 4, face->image_id, -1, SQLITE_STATIC);
    sqlite3_bind_double (stmt, 5, face->left);
    sqlite3_bind_double (stmt, 6, face->top);
    sqlite3_bind_double (stmt, 7, face->width);
    sqlite3_bind_double (stmt, 8, face->height);
    sqlite3_bind_double (stmt, 9, face->confidence);
    sqlite3_bind_text (stmt, 10, face->model_name, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 11, face->model_version, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 12, face->dim);
    sqlite3_bind_blob (stmt, 13, face->embedding, face->dim * (int) sizeof (float),
        SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 14, face->created_ms);
    int rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE) {
      store_fail (store, rc, "indexing faces", error);
      sqlite3_finalize (stmt);
      rollback (store);
      return FALSE;
    }
  }
  sqlite3_finalize (stmt);
  if (!exec (store, "COMMIT", "indexing faces", error)) {
    rollback (store);
    return FALSE;
  }
  return TRUE;
}

gboolean
fa_collection_add_faces (FaCollectionStore *store, const gchar *id, GPtrArray *faces,
    GError **error)
{
  return insert_faces (store, id, faces, FALSE, error);
}

gboolean
fa_collection_add_negatives (FaCollectionStore *store, const gchar *id, GPtrArray *faces,
    GError **error)
{
  return insert_faces (store, id, faces, TRUE, error);
}

static GPtrArray *
select_faces (FaCollectionStore *store, const gchar *id, const gchar *name,
    gboolean with_embeddings, gboolean negatives, GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return NULL;
  /* One read transaction: the collection check and the rows agree. */
  if (!exec (store, "BEGIN", "listing faces", error))
    return NULL;
  g_autoptr (FaCollectionInfo) info = get_info (store, id, error);
  sqlite3_stmt *stmt = info == NULL ? NULL : prepare (store, negatives
      ? "SELECT face_id, external_image_id, image_id, 0, 0, 0, 0, 0, model_name, "
      "model_version, dim, embedding, created_ms FROM negatives "
      "WHERE collection_id = ?1 AND (?2 IS NULL OR external_image_id = ?2) "
      "ORDER BY created_ms, rowid"
      : "SELECT face_id, external_image_id, image_id, box_left, box_top, box_width, box_height, "
      "confidence, model_name, model_version, dim, embedding, created_ms FROM faces "
      "WHERE collection_id = ?1 AND (?2 IS NULL OR external_image_id = ?2) "
      "ORDER BY created_ms, rowid", "listing faces", error);
  if (stmt == NULL) {
    rollback (store);
    return NULL;
  }
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    FaStoredFace *face = fa_stored_face_new ();
    face->face_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 0));
    face->external_image_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 1));
    face->image_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, 2));
    face->left = (float) sqlite3_column_double (stmt, 3);
    face->top = (float) sqlite3_column_double (stmt, 4);
    face->width = (float) sqlite3_column_double (stmt, 5);
    face->height = (float) sqlite3_column_double (stmt, 6);
    face->confidence = (float) sqlite3_column_double (stmt, 7);
    face->model_name = g_strdup ((const gchar *) sqlite3_column_text (stmt, 8));
    face->model_version = g_strdup ((const gchar *) sqlite3_column_text (stmt, 9));
    face->dim = sqlite3_column_int (stmt, 10);
    if (with_embeddings) {
      int bytes = sqlite3_column_bytes (stmt, 11);
      if (face->dim <= 0 || bytes != face->dim * (int) sizeof (float)) {
        g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
            "collections database %s: face %s has a damaged embedding (%d bytes for %d values): "
            "delete the face and index it again", store->path, face->face_id, bytes, face->dim);
        fa_stored_face_free (face);
        sqlite3_finalize (stmt);
        g_ptr_array_unref (list);
        rollback (store);
        return NULL;
      }
      face->embedding = g_memdup2 (sqlite3_column_blob (stmt, 11), bytes);
    }
    face->created_ms = sqlite3_column_int64 (stmt, 12);
    g_ptr_array_add (list, face);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    store_fail (store, rc, "listing faces", error);
    g_ptr_array_unref (list);
    rollback (store);
    return NULL;
  }
  exec (store, "COMMIT", "listing faces", NULL);
  return list;
}

GPtrArray *
fa_collection_list_faces (FaCollectionStore *store, const gchar *id, const gchar *name,
    gboolean with_embeddings, GError **error)
{
  return select_faces (store, id, name, with_embeddings, FALSE, error);
}

GPtrArray *
fa_collection_list_negatives (FaCollectionStore *store, const gchar *id, const gchar *name,
    gboolean with_embeddings, GError **error)
{
  return select_faces (store, id, name, with_embeddings, TRUE, error);
}

gboolean
fa_collection_delete_faces (FaCollectionStore *store, const gchar *id,
    const gchar *const *face_ids, GError **error)
{
  if (!fa_collection_id_validate (id, error))
    return FALSE;
  if (!exec (store, "BEGIN IMMEDIATE", "deleting faces", error))
    return FALSE;
  g_autoptr (FaCollectionInfo) info = get_info (store, id, error);
  sqlite3_stmt *stmt = info == NULL ? NULL : prepare (store,
      "DELETE FROM faces WHERE collection_id = ?1 AND face_id = ?2", "deleting faces", error);
  if (stmt == NULL) {
    rollback (store);
    return FALSE;
  }
  for (guint i = 0; face_ids != NULL && face_ids[i] != NULL; i++) {
    sqlite3_reset (stmt);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, face_ids[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE) {
      store_fail (store, rc, "deleting faces", error);
    } else if (sqlite3_changes (store->db) == 0) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
          "face %s is not in collection \"%s\": nothing was deleted", face_ids[i], id);
    } else {
      continue;
    }
    sqlite3_finalize (stmt);
    rollback (store);
    return FALSE;
  }
  sqlite3_finalize (stmt);
  if (!exec (store, "COMMIT", "deleting faces", error)) {
    rollback (store);
    return FALSE;
  }
  return TRUE;
}

static gint
compare_matches (gconstpointer a, gconstpointer b)
{
  double sa = ((const FaSearchMatch *) a)->similarity, sb = ((const FaSearchMatch *) b)->similarity;
  return sa < sb ? 1 : sa > sb ? -1 : 0;
}

GArray *
fa_faces_search (GPtrArray *faces, const gchar *model_name, const gchar *model_version,
    const float *embedding, int dim, double threshold, guint max_matches)
{
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (FaSearchMatch));
  for (guint i = 0; faces != NULL && i < faces->len; i++) {
    const FaStoredFace *face = g_ptr_array_index (faces, i);
    if (face->embedding == NULL || face->dim != dim
        || g_strcmp0 (face->model_name, model_name) != 0
        || g_strcmp0 (face->model_version, model_version) != 0)
      continue;
    double similarity = fa_similarity_from_cosine (fa_embedding_cosine (embedding,
            face->embedding, dim));
    if (similarity >= threshold) {
      FaSearchMatch match = {face, similarity};
      g_array_append_val (matches, match);
    }
  }
  g_array_sort (matches, compare_matches);
  if (max_matches > 0 && matches->len > max_matches)
    g_array_set_size (matches, max_matches);
  return matches;
}
