/* facealert: the sightings store (SQLite, WAL; crops inside the database). */
#include "fa-sightings.h"
#include "fa-cluster.h"
#include "fa-db.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <string.h>

struct _FaSightingStore {
  FaDb *db;
  guint retention_hours;
  guint64 quota_bytes;
};

static const gchar *const schemas[] = {
  "CREATE TABLE sightings ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"   /* never reused */
  "  camera TEXT NOT NULL,"
  "  track_id INTEGER NOT NULL,"
  "  first_seen_ms INTEGER NOT NULL,"
  "  decided_ms INTEGER NOT NULL,"
  "  last_seen_ms INTEGER NOT NULL,"
  "  decision TEXT NOT NULL CHECK (decision IN ('known', 'unknown')),"
  "  name TEXT,"
  "  face_id TEXT,"
  "  similarity REAL NOT NULL,"
  "  confirmed INTEGER NOT NULL,"
  "  collection TEXT,"
  "  box_x REAL NOT NULL, box_y REAL NOT NULL, box_width REAL NOT NULL, box_height REAL NOT NULL,"
  "  frame_width INTEGER NOT NULL, frame_height INTEGER NOT NULL,"
  "  face_score REAL NOT NULL,"
  "  crop_width INTEGER NOT NULL, crop_height INTEGER NOT NULL,"
  "  crop BLOB,"                              /* JPEG */
  "  n_embeddings INTEGER NOT NULL,"
  "  model_name TEXT NOT NULL,"
  "  model_version TEXT NOT NULL,"
  "  dim INTEGER NOT NULL,"
  "  embedding BLOB NOT NULL,"                /* dim little-endian float32 */
  "  enrolled_face_id TEXT,"
  "  size INTEGER NOT NULL);"                 /* crop + embedding bytes, for the quota */
  "CREATE INDEX sightings_by_time ON sightings (first_seen_ms);"
  "CREATE INDEX sightings_by_camera ON sightings (camera, id);"
  "CREATE TABLE rejections ("
  "  sighting_id INTEGER NOT NULL REFERENCES sightings (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  created_ms INTEGER NOT NULL,"
  "  PRIMARY KEY (sighting_id, name))",
};

static const FaDbSpec spec = {
  .what = "sightings database",
  .missing_hint = "nothing has been sighted yet (facematch records sightings while it runs; "
      "see its sightings-dir property) or point --sightings-dir elsewhere",
  .corrupt_hint = "move it away (facematch starts a new one) or point --sightings-dir elsewhere",
  .schemas = schemas,
  .n_schemas = G_N_ELEMENTS (schemas),
  .pragmas = "PRAGMA synchronous = NORMAL",
};

/* Every column a FaSighting is read from, in row_to_sighting's order. */
#define SIGHTING_COLUMNS \
  "s.id, s.camera, s.track_id, s.first_seen_ms, s.decided_ms, s.last_seen_ms, s.decision, " \
  "s.name, s.face_id, s.similarity, s.confirmed, s.collection, s.box_x, s.box_y, " \
  "s.box_width, s.box_height, s.frame_width, s.frame_height, s.face_score, s.crop_width, " \
  "s.crop_height, length (s.crop), s.n_embeddings, s.model_name, s.model_version, s.dim, " \
  "s.enrolled_face_id, " \
  "(SELECT group_concat (r.name, ',') FROM rejections r WHERE r.sighting_id = s.id), "
#define COL_EMBEDDING 28

const gchar *
fa_sighting_decision_name (FaSightingDecision decision)
{
  return decision == FA_SIGHTING_KNOWN ? "known" : "unknown";
}

FaSighting *
fa_sighting_new (void)
{
  return g_new0 (FaSighting, 1);
}

void
fa_sighting_free (FaSighting *s)
{
  if (s == NULL)
    return;
  g_free (s->camera);
  g_free (s->name);
  g_free (s->face_id);
  g_free (s->collection);
  g_free (s->model_name);
  g_free (s->model_version);
  g_free (s->embedding);
  g_free (s->enrolled_face_id);
  g_strfreev (s->rejected_names);
  g_free (s);
}

void
fa_sighting_match_free (FaSightingMatch *match)
{
  if (match == NULL)
    return;
  fa_sighting_free (match->sighting);
  g_free (match);
}

void
fa_sighting_cluster_free (FaSightingCluster *cluster)
{
  if (cluster == NULL)
    return;
  g_ptr_array_unref (cluster->sightings);
  g_free (cluster);
}

FaSightingStore *
fa_sighting_store_open (const gchar *dir, gboolean create, int busy_timeout_ms, GError **error)
{
  g_autofree gchar *base = dir != NULL && *dir != '\0' ? g_strdup (dir)
      : fa_paths_dir (FA_DIR_SIGHTINGS);
  FaDb *db = fa_db_open (base, FA_SIGHTINGS_DB_FILE, create,
      busy_timeout_ms > 0 ? busy_timeout_ms : FA_SIGHTINGS_DEFAULT_BUSY_TIMEOUT_MS, &spec, error);
  if (db == NULL)
    return NULL;
  FaSightingStore *store = g_new0 (FaSightingStore, 1);
  store->db = db;
  store->retention_hours = FA_SIGHTINGS_DEFAULT_RETENTION_HOURS;
  return store;
}

void
fa_sighting_store_close (FaSightingStore *store)
{
  if (store == NULL)
    return;
  fa_db_close (store->db);
  g_free (store);
}

const gchar *
fa_sighting_store_path (FaSightingStore *store)
{
  return store->db->path;
}

void
fa_sighting_store_set_limits (FaSightingStore *store, guint retention_hours,
    guint64 quota_bytes)
{
  store->retention_hours = retention_hours;
  store->quota_bytes = quota_bytes;
}

static gboolean
step_done (FaSightingStore *store, sqlite3_stmt *stmt, const gchar *doing, GError **error)
{
  int rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? TRUE : fa_db_fail (store->db, rc, doing, error);
}

/* Deletes the oldest sightings beyond the limits (inside a write transaction). */
static gint
evict_locked (FaSightingStore *store, gint64 now_ms, GError **error)
{
  gint removed = 0;
  if (store->retention_hours > 0) {
    sqlite3_stmt *stmt = fa_db_prepare (store->db,
        "DELETE FROM sightings WHERE first_seen_ms < ?1", "removing old sightings", error);
    if (stmt == NULL)
      return -1;
    sqlite3_bind_int64 (stmt, 1, now_ms - (gint64) store->retention_hours * 3600 * 1000);
    if (!step_done (store, stmt, "removing old sightings", error))
      return -1;
    removed += sqlite3_changes (store->db->db);
  }
  if (store->quota_bytes > 0) {
    /* Oldest first until the rest fits; the newest one always stays. */
    sqlite3_stmt *stmt = fa_db_prepare (store->db,
        "DELETE FROM sightings WHERE id IN (SELECT id FROM (SELECT id, sum (size) OVER "
        "(ORDER BY id DESC) AS newer FROM sightings) WHERE newer > ?1 "
        "AND id < (SELECT max (id) FROM sightings))", "removing sightings over the quota",
        error);
    if (stmt == NULL)
      return -1;
    sqlite3_bind_int64 (stmt, 1, (gint64) MIN (store->quota_bytes, (guint64) G_MAXINT64));
    if (!step_done (store, stmt, "removing sightings over the quota", error))
      return -1;
    removed += sqlite3_changes (store->db->db);
  }
  return removed;
}

gint
fa_sighting_store_evict (FaSightingStore *store, gint64 now_ms, GError **error)
{
  if (now_ms <= 0)
    now_ms = g_get_real_time () / 1000;
  if (!fa_db_begin_write (store->db, "removing old sightings", error))
    return -1;
  gint removed = evict_locked (store, now_ms, error);
  if (removed < 0) {
    fa_db_rollback (store->db);
    return -1;
  }
  return fa_db_commit (store->db, "removing old sightings", error) ? removed : -1;
}

static gboolean
check_record (const FaSighting *s, GError **error)
{
  if (s->camera == NULL || *s->camera == '\0' || s->model_name == NULL
      || s->model_version == NULL || s->embedding == NULL || s->dim <= 0
      || s->dim > FA_EMBED_MAX_DIM) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "a sighting needs a camera, a face model and an embedding");
    return FALSE;
  }
  if (s->decision == FA_SIGHTING_KNOWN && (s->name == NULL || *s->name == '\0')) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "a sighting decided known needs the person's name");
    return FALSE;
  }
  return TRUE;
}

/* Binds the columns a sighting shares between INSERT and UPDATE (?1..?23). */
static void
bind_record (sqlite3_stmt *stmt, const FaSighting *s, GBytes *crop)
{
  sqlite3_bind_text (stmt, 1, s->camera, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, (gint64) s->track_id);
  sqlite3_bind_int64 (stmt, 3, s->first_seen_ms);
  sqlite3_bind_int64 (stmt, 4, s->decided_ms);
  sqlite3_bind_int64 (stmt, 5, MAX (s->last_seen_ms, s->first_seen_ms));
  sqlite3_bind_text (stmt, 6, fa_sighting_decision_name (s->decision), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, s->decision == FA_SIGHTING_KNOWN ? s->name : NULL, -1,
      SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, s->decision == FA_SIGHTING_KNOWN ? s->face_id : NULL, -1,
      SQLITE_STATIC);
  sqlite3_bind_double (stmt, 9, s->similarity);
  sqlite3_bind_text (stmt, 10, s->collection, -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 11, s->box.x);
  sqlite3_bind_double (stmt, 12, s->box.y);
  sqlite3_bind_double (stmt, 13, s->box.width);
  sqlite3_bind_double (stmt, 14, s->box.height);
  sqlite3_bind_int (stmt, 15, s->frame_width);
  sqlite3_bind_int (stmt, 16, s->frame_height);
  sqlite3_bind_double (stmt, 17, s->face_score);
  sqlite3_bind_int (stmt, 18, s->crop_width);
  sqlite3_bind_int (stmt, 19, s->crop_height);
  gsize crop_size = 0;
  gconstpointer crop_data = crop != NULL ? g_bytes_get_data (crop, &crop_size) : NULL;
  if (crop_data != NULL && crop_size > 0)
    sqlite3_bind_blob64 (stmt, 20, crop_data, crop_size, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 20);
  sqlite3_bind_int (stmt, 21, (int) s->n_embeddings);
  sqlite3_bind_text (stmt, 22, s->model_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 23, s->model_version, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 24, s->dim);
  sqlite3_bind_blob (stmt, 25, s->embedding, s->dim * (int) sizeof (float), SQLITE_STATIC);
}

gint64
fa_sighting_store_add (FaSightingStore *store, FaSighting *sighting, GBytes *crop_jpeg,
    GError **error)
{
  if (!check_record (sighting, error))
    return 0;
  gint64 now_ms = g_get_real_time () / 1000;
  if (!fa_db_begin_write (store->db, "recording a sighting", error))
    return 0;
  sqlite3_stmt *stmt = fa_db_prepare (store->db,
      "INSERT INTO sightings (camera, track_id, first_seen_ms, decided_ms, last_seen_ms, "
      "decision, name, face_id, similarity, collection, box_x, box_y, box_width, box_height, "
      "frame_width, frame_height, face_score, crop_width, crop_height, crop, n_embeddings, "
      "model_name, model_version, dim, embedding, confirmed, size) VALUES (?1, ?2, ?3, ?4, "
      "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
      "?23, ?24, ?25, ?26, ifnull (length (?20), 0) + length (?25))",
      "recording a sighting", error);
  if (stmt == NULL) {
    fa_db_rollback (store->db);
    return 0;
  }
  bind_record (stmt, sighting, crop_jpeg);
  sqlite3_bind_int (stmt, 26, sighting->confirmed);
  if (!step_done (store, stmt, "recording a sighting", error)) {
    fa_db_rollback (store->db);
    return 0;
  }
  gint64 id = sqlite3_last_insert_rowid (store->db->db);
  if (evict_locked (store, now_ms, error) < 0
      || !fa_db_commit (store->db, "recording a sighting", error)) {
    fa_db_rollback (store->db);
    return 0;
  }
  sighting->id = id;
  sighting->crop_size = crop_jpeg != NULL ? g_bytes_get_size (crop_jpeg) : 0;
  return id;
}

static gboolean
not_found (gint64 id, GError **error)
{
  g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
      "sighting %" G_GINT64_FORMAT " does not exist (deleted, expired or never recorded; "
      "see `facealert sightings list`)", id);
  return FALSE;
}

gboolean
fa_sighting_store_update (FaSightingStore *store, const FaSighting *s, GBytes *crop_jpeg,
    GError **error)
{
  if (!check_record (s, error))
    return FALSE;
  /* A person's word (enrol, reject) outranks facematch's later view. */
  sqlite3_stmt *stmt = fa_db_prepare (store->db,
      "UPDATE sightings SET camera = ?1, track_id = ?2, first_seen_ms = ?3, "
      "decided_ms = ?4, last_seen_ms = ?5, "
      "decision = CASE confirmed WHEN 0 THEN ?6 ELSE decision END, "
      "name = CASE confirmed WHEN 0 THEN ?7 ELSE name END, "
      "face_id = CASE confirmed WHEN 0 THEN ?8 ELSE face_id END, "
      "similarity = ?9, collection = ?10, box_x = ?11, box_y = ?12, box_width = ?13, "
      "box_height = ?14, frame_width = ?15, frame_height = ?16, face_score = ?17, "
      "crop_width = CASE WHEN ?20 IS NULL THEN crop_width ELSE ?18 END, "
      "crop_height = CASE WHEN ?20 IS NULL THEN crop_height ELSE ?19 END, "
      "crop = ifnull (?20, crop), n_embeddings = ?21, model_name = ?22, model_version = ?23, "
      "dim = ?24, embedding = ?25, size = ifnull (length (ifnull (?20, crop)), 0) + length (?25) "
      "WHERE id = ?26", "updating a sighting", error);
  if (stmt == NULL)
    return FALSE;
  bind_record (stmt, s, crop_jpeg);
  sqlite3_bind_int64 (stmt, 26, s->id);
  if (!step_done (store, stmt, "updating a sighting", error))
    return FALSE;
  return sqlite3_changes (store->db->db) > 0 ? TRUE : not_found (s->id, error);
}

static FaSighting *
row_to_sighting (FaSightingStore *store, sqlite3_stmt *stmt, gboolean with_embedding,
    GError **error)
{
  FaSighting *s = fa_sighting_new ();
  int c = 0;
  s->id = sqlite3_column_int64 (stmt, c++);
  s->camera = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->track_id = (guint64) sqlite3_column_int64 (stmt, c++);
  s->first_seen_ms = sqlite3_column_int64 (stmt, c++);
  s->decided_ms = sqlite3_column_int64 (stmt, c++);
  s->last_seen_ms = sqlite3_column_int64 (stmt, c++);
  s->decision = g_strcmp0 ((const gchar *) sqlite3_column_text (stmt, c++), "known") == 0
      ? FA_SIGHTING_KNOWN : FA_SIGHTING_UNKNOWN;
  s->name = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->face_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->similarity = sqlite3_column_double (stmt, c++);
  s->confirmed = sqlite3_column_int (stmt, c++) != 0;
  s->collection = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->box.x = (float) sqlite3_column_double (stmt, c++);
  s->box.y = (float) sqlite3_column_double (stmt, c++);
  s->box.width = (float) sqlite3_column_double (stmt, c++);
  s->box.height = (float) sqlite3_column_double (stmt, c++);
  s->frame_width = sqlite3_column_int (stmt, c++);
  s->frame_height = sqlite3_column_int (stmt, c++);
  s->face_score = (float) sqlite3_column_double (stmt, c++);
  s->crop_width = sqlite3_column_int (stmt, c++);
  s->crop_height = sqlite3_column_int (stmt, c++);
  s->crop_size = (gsize) sqlite3_column_int64 (stmt, c++);
  s->n_embeddings = (guint) sqlite3_column_int (stmt, c++);
  s->model_name = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->model_version = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  s->dim = sqlite3_column_int (stmt, c++);
  s->enrolled_face_id = g_strdup ((const gchar *) sqlite3_column_text (stmt, c++));
  const gchar *rejected = (const gchar *) sqlite3_column_text (stmt, c++);
  s->rejected_names = rejected != NULL ? g_strsplit (rejected, ",", -1) : g_new0 (gchar *, 1);
  g_assert (c == COL_EMBEDDING);
  if (with_embedding) {
    int bytes = sqlite3_column_bytes (stmt, COL_EMBEDDING);
    if (s->dim <= 0 || s->dim > FA_EMBED_MAX_DIM || bytes != s->dim * (int) sizeof (float)) {
      g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
          "sightings database %s: sighting %" G_GINT64_FORMAT " has a damaged embedding "
          "(%d bytes for %d values): delete it", store->db->path, s->id, bytes, s->dim);
      fa_sighting_free (s);
      return NULL;
    }
    s->embedding = g_memdup2 (sqlite3_column_blob (stmt, COL_EMBEDDING), bytes);
  }
  return s;
}

FaSighting *
fa_sighting_store_get (FaSightingStore *store, gint64 id, gboolean with_embedding,
    GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (store->db,
      "SELECT " SIGHTING_COLUMNS "s.embedding FROM sightings s WHERE s.id = ?1",
      "reading a sighting", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  int rc = sqlite3_step (stmt);
  FaSighting *s = NULL;
  if (rc == SQLITE_ROW)
    s = row_to_sighting (store, stmt, with_embedding, error);
  else if (rc == SQLITE_DONE)
    not_found (id, error);
  else
    fa_db_fail (store->db, rc, "reading a sighting", error);
  sqlite3_finalize (stmt);
  return s;
}

GBytes *
fa_sighting_store_get_crop (FaSightingStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (store->db, "SELECT crop FROM sightings WHERE id = ?1",
      "reading a face crop", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  int rc = sqlite3_step (stmt);
  GBytes *crop = NULL;
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) > 0)
    crop = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  else if (rc == SQLITE_ROW)
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "sighting %" G_GINT64_FORMAT " has no face crop", id);
  else if (rc == SQLITE_DONE)
    not_found (id, error);
  else
    fa_db_fail (store->db, rc, "reading a face crop", error);
  sqlite3_finalize (stmt);
  return crop;
}

/* The WHERE clause of @filter, bound from ?1..?6. */
#define FILTER_WHERE \
  "WHERE (?1 IS NULL OR s.camera = ?1) AND (?2 = 0 OR s.first_seen_ms >= ?2) " \
  "AND (?3 = 0 OR s.first_seen_ms < ?3) AND (?4 = 0 OR s.decision = " \
  "CASE ?4 WHEN 1 THEN 'unknown' ELSE 'known' END) AND (?5 IS NULL OR s.name = ?5) " \
  "AND (?6 = 0 OR s.id < ?6) "

static void
bind_filter (sqlite3_stmt *stmt, const FaSightingFilter *filter, gboolean paged)
{
  static const FaSightingFilter all = {0};
  const FaSightingFilter *f = filter != NULL ? filter : &all;
  sqlite3_bind_text (stmt, 1, f->camera, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, f->since_ms);
  sqlite3_bind_int64 (stmt, 3, f->until_ms);
  sqlite3_bind_int (stmt, 4, (int) f->decision);
  sqlite3_bind_text (stmt, 5, f->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, paged ? f->before_id : 0);
  sqlite3_bind_int64 (stmt, 7, paged && f->limit > 0 ? (gint64) f->limit : -1);
}

GPtrArray *
fa_sighting_store_list (FaSightingStore *store, const FaSightingFilter *filter,
    gboolean with_embeddings, GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (store->db,
      "SELECT " SIGHTING_COLUMNS "s.embedding FROM sightings s " FILTER_WHERE
      "ORDER BY s.id DESC LIMIT ?7", "listing sightings", error);
  if (stmt == NULL)
    return NULL;
  bind_filter (stmt, filter, TRUE);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_sighting_free);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    FaSighting *s = row_to_sighting (store, stmt, with_embeddings, error);
    if (s == NULL) {
      sqlite3_finalize (stmt);
      g_ptr_array_unref (list);
      return NULL;
    }
    g_ptr_array_add (list, s);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE) {
    fa_db_fail (store->db, rc, "listing sightings", error);
    g_ptr_array_unref (list);
    return NULL;
  }
  return list;
}

gint64
fa_sighting_store_count (FaSightingStore *store, const FaSightingFilter *filter,
    GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (store->db,
      "SELECT count (*) FROM sightings s " FILTER_WHERE, "counting sightings", error);
  if (stmt == NULL)
    return -1;
  bind_filter (stmt, filter, FALSE);
  int rc = sqlite3_step (stmt);
  gint64 n = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_finalize (stmt);
  if (n < 0)
    fa_db_fail (store->db, rc, "counting sightings", error);
  return n;
}

gboolean
fa_sighting_store_delete (FaSightingStore *store, const gint64 *ids, guint n, GError **error)
{
  if (!fa_db_begin_write (store->db, "deleting sightings", error))
    return FALSE;
  sqlite3_stmt *stmt = fa_db_prepare (store->db, "DELETE FROM sightings WHERE id = ?1",
      "deleting sightings", error);
  if (stmt == NULL) {
    fa_db_rollback (store->db);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    sqlite3_reset (stmt);
    sqlite3_bind_int64 (stmt, 1, ids[i]);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE && sqlite3_changes (store->db->db) > 0)
      continue;
    if (rc != SQLITE_DONE)
      fa_db_fail (store->db, rc, "deleting sightings", error);
    else
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "sighting %" G_GINT64_FORMAT
          " does not exist: nothing was deleted", ids[i]);
    sqlite3_finalize (stmt);
    fa_db_rollback (store->db);
    return FALSE;
  }
  sqlite3_finalize (stmt);
  return fa_db_commit (store->db, "deleting sightings", error);
}

static gint
compare_match_desc (gconstpointer a, gconstpointer b)
{
  const FaSightingMatch *ma = *(FaSightingMatch *const *) a, *mb = *(FaSightingMatch *const *) b;
  if (ma->similarity != mb->similarity)
    return ma->similarity > mb->similarity ? -1 : 1;
  return ma->sighting->id > mb->sighting->id ? -1 : ma->sighting->id < mb->sighting->id;
}

GPtrArray *
fa_sighting_store_search (FaSightingStore *store, const FaSightingFilter *filter,
    const gchar *model_name, const gchar *model_version, const float *embedding, int dim,
    double threshold, guint max_matches, GError **error)
{
  FaSightingFilter all = filter != NULL ? *filter : (FaSightingFilter) {0};
  all.limit = 0;
  all.before_id = 0;
  g_autoptr (GPtrArray) list = fa_sighting_store_list (store, &all, TRUE, error);
  if (list == NULL)
    return NULL;
  GPtrArray *matches = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_sighting_match_free);
  for (guint i = 0; i < list->len; i++) {
    FaSighting *s = g_ptr_array_index (list, i);
    if (s->dim != dim || g_strcmp0 (s->model_name, model_name) != 0
        || g_strcmp0 (s->model_version, model_version) != 0)
      continue;
    double similarity = fa_similarity_from_cosine (fa_embedding_cosine (embedding,
            s->embedding, dim));
    if (similarity < threshold)
      continue;
    FaSightingMatch *m = g_new0 (FaSightingMatch, 1);
    m->sighting = s;
    list->pdata[i] = NULL;
    m->similarity = similarity;
    g_ptr_array_add (matches, m);
  }
  g_ptr_array_sort (matches, compare_match_desc);
  if (filter != NULL && filter->limit > 0 && max_matches == 0)
    max_matches = filter->limit;
  if (max_matches > 0 && matches->len > max_matches)
    g_ptr_array_set_size (matches, max_matches);
  return matches;
}

GPtrArray *
fa_sighting_store_cluster (FaSightingStore *store, const FaSightingFilter *filter,
    double threshold, GError **error)
{
  FaSightingFilter f = filter != NULL ? *filter : (FaSightingFilter) {0};
  if (f.limit == 0 || f.limit > FA_SIGHTINGS_MAX_CLUSTER)
    f.limit = FA_SIGHTINGS_MAX_CLUSTER;
  g_autoptr (GPtrArray) list = fa_sighting_store_list (store, &f, TRUE, error);
  if (list == NULL)
    return NULL;
  /* One model's embeddings only: the newest sighting's. */
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_sighting_free);
  const FaSighting *newest = list->len > 0 ? g_ptr_array_index (list, 0) : NULL;
  for (guint i = 0; i < list->len; i++) {
    FaSighting *s = g_ptr_array_index (list, i);
    if (s->dim == newest->dim && g_strcmp0 (s->model_name, newest->model_name) == 0
        && g_strcmp0 (s->model_version, newest->model_version) == 0) {
      g_ptr_array_add (members, s);
      list->pdata[i] = NULL;
    }
  }
  GPtrArray *clusters = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_sighting_cluster_free);
  guint n = members->len;
  if (n == 0)
    return clusters;
  int dim = newest->dim;
  float *vectors = g_new (float, (gsize) n * dim);
  for (guint i = 0; i < n; i++)
    memcpy (vectors + (gsize) i * dim, ((FaSighting *) g_ptr_array_index (members, i))->embedding,
        dim * sizeof (float));
  guint *labels = g_new (guint, n);
  float min_cosine = (float) (CLAMP (threshold, 0.0, 100.0) / 100.0);
  guint n_groups = fa_cluster_average_linkage (vectors, n, dim, min_cosine, labels);
  for (guint k = 0; k < n_groups; k++) {
    FaSightingCluster *c = g_new0 (FaSightingCluster, 1);
    c->index = k + 1;
    c->sightings = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_sighting_free);
    g_ptr_array_add (clusters, c);
  }
  /* members are newest first, so each cluster's list is too. */
  for (guint i = 0; i < n; i++) {
    FaSightingCluster *c = g_ptr_array_index (clusters, labels[i]);
    g_ptr_array_add (c->sightings, members->pdata[i]);
    members->pdata[i] = NULL;
  }
  for (guint k = 0; k < n_groups; k++) {
    FaSightingCluster *c = g_ptr_array_index (clusters, k);
    double sum = 0;
    guint pairs = 0;
    for (guint i = 0; i < c->sightings->len; i++)
      for (guint j = i + 1; j < c->sightings->len; j++, pairs++)
        sum += fa_similarity_from_cosine (fa_embedding_cosine (
                ((FaSighting *) g_ptr_array_index (c->sightings, i))->embedding,
                ((FaSighting *) g_ptr_array_index (c->sightings, j))->embedding, dim));
    c->cohesion = pairs > 0 ? sum / pairs : 100.0;
  }
  g_free (labels);
  g_free (vectors);
  return clusters;
}

/* ---- enrol and reject: the sightings store and the collection together -- */

static FaSighting *
get_for_collection (FaSightingStore *store, gint64 id, const gchar **collection_id,
    GError **error)
{
  FaSighting *s = fa_sighting_store_get (store, id, TRUE, error);
  if (s == NULL)
    return NULL;
  if (*collection_id == NULL) {
    if (s->collection == NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "sighting %" G_GINT64_FORMAT " was not searched in any collection: give the "
          "collection", id);
      fa_sighting_free (s);
      return NULL;
    }
    *collection_id = s->collection;
  }
  return s;
}

static gboolean
check_model (const FaSighting *s, const FaCollectionInfo *info, GError **error)
{
  if (g_strcmp0 (s->model_name, info->model_name) == 0
      && g_strcmp0 (s->model_version, info->model_version) == 0)
    return TRUE;
  g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
      "sighting %" G_GINT64_FORMAT " was embedded by %s %s but collection \"%s\" holds %s %s "
      "faces: they cannot be compared", s->id, s->model_name, s->model_version, info->id,
      info->model_name, info->model_version);
  return FALSE;
}

static FaStoredFace *
face_of_sighting (const FaSighting *s, const gchar *name)
{
  FaStoredFace *f = fa_stored_face_new ();
  f->face_id = g_uuid_string_random ();
  f->external_image_id = g_strdup (name);
  f->image_id = g_strdup_printf ("sighting:%" G_GINT64_FORMAT, s->id);
  if (s->frame_width > 0 && s->frame_height > 0) {
    f->left = MAX (s->box.x, 0) / s->frame_width;
    f->top = MAX (s->box.y, 0) / s->frame_height;
    f->width = s->box.width / s->frame_width;
    f->height = s->box.height / s->frame_height;
  }
  f->confidence = 100.f * s->face_score;
  f->model_name = g_strdup (s->model_name);
  f->model_version = g_strdup (s->model_version);
  f->dim = s->dim;
  f->embedding = g_memdup2 (s->embedding, s->dim * sizeof (float));
  return f;
}

/* Runs @sql on sighting ?1 with the texts ?2 and ?3 and the time ?4. */
static gboolean
mark (FaSightingStore *store, const gchar *sql, gint64 id, const gchar *text,
    const gchar *text2, const gchar *doing, GError **error)
{
  sqlite3_stmt *stmt = fa_db_prepare (store->db, sql, doing, error);
  if (stmt == NULL)
    return FALSE;
  /* Binding a parameter the statement lacks is a harmless SQLITE_RANGE. */
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, text2, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  return step_done (store, stmt, doing, error);
}

GPtrArray *
fa_sightings_enrol (FaSightingStore *sightings, FaCollectionStore *collections,
    const gchar *collection_id, const gint64 *ids, guint n, const gchar *name,
    GError **error)
{
  if (!fa_external_image_id_validate (name, error))
    return NULL;
  if (n == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "give at least one sighting");
    return NULL;
  }
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);
  g_autoptr (FaCollectionInfo) info = NULL;
  g_autofree gchar *collection = g_strdup (collection_id);
  for (guint i = 0; i < n; i++) {
    const gchar *want = collection;
    g_autoptr (FaSighting) s = get_for_collection (sightings, ids[i], &want, error);
    if (s == NULL)
      return NULL;
    if (collection == NULL)
      collection = g_strdup (want);
    else if (collection_id == NULL && g_strcmp0 (s->collection, collection) != 0) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "sightings %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " were searched in different "
          "collections (%s, %s): give the collection", ids[0], ids[i], collection,
          s->collection);
      return NULL;
    }
    if (info == NULL && (info = fa_collection_get (collections, collection, error)) == NULL)
      return NULL;
    if (!check_model (s, info, error))
      return NULL;
    g_ptr_array_add (faces, face_of_sighting (s, name));
  }
  if (!fa_collection_add_faces (collections, collection, faces, error))
    return NULL;
  /* The faces are enrolled; now say so on the sightings. */
  if (!fa_db_begin_write (sightings->db, "marking enrolled sightings", error))
    return NULL;
  for (guint i = 0; i < n; i++) {
    FaStoredFace *f = g_ptr_array_index (faces, i);
    if (!mark (sightings, "UPDATE sightings SET decision = 'known', name = ?2, face_id = ?3, "
            "enrolled_face_id = ?3, confirmed = 1 WHERE id = ?1", ids[i], name, f->face_id,
            "marking enrolled sightings", error)) {
      fa_db_rollback (sightings->db);
      g_prefix_error (error, "enrolled in \"%s\", but ", collection);
      return NULL;
    }
  }
  if (!fa_db_commit (sightings->db, "marking enrolled sightings", error)) {
    g_prefix_error (error, "enrolled in \"%s\", but ", collection);
    return NULL;
  }
  return g_steal_pointer (&faces);
}

gboolean
fa_sightings_reject (FaSightingStore *sightings, FaCollectionStore *collections,
    const gchar *collection_id, gint64 id, const gchar *name, GError **error)
{
  if (!fa_external_image_id_validate (name, error))
    return FALSE;
  const gchar *collection = collection_id;
  g_autoptr (FaSighting) s = get_for_collection (sightings, id, &collection, error);
  if (s == NULL)
    return FALSE;
  g_autoptr (FaCollectionInfo) info = fa_collection_get (collections, collection, error);
  if (info == NULL || !check_model (s, info, error))
    return FALSE;
  g_autoptr (GPtrArray) negatives = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (negatives, face_of_sighting (s, name));
  if (!fa_collection_add_negatives (collections, collection, negatives, error))
    return FALSE;
  if (!fa_db_begin_write (sightings->db, "recording a rejection", error))
    return FALSE;
  if (!mark (sightings, "INSERT OR IGNORE INTO rejections (sighting_id, name, created_ms) "
          "VALUES (?1, ?2, ?4)", id, name, NULL, "recording a rejection", error)
      || !mark (sightings, "UPDATE sightings SET decision = 'unknown', name = NULL, "
          "face_id = NULL, confirmed = 1 WHERE id = ?1 AND name = ?2", id, name, NULL,
          "recording a rejection", error)) {
    fa_db_rollback (sightings->db);
    g_prefix_error (error, "stored as \"not %s\" in \"%s\", but ", name, collection);
    return FALSE;
  }
  if (!fa_db_commit (sightings->db, "recording a rejection", error)) {
    g_prefix_error (error, "stored as \"not %s\" in \"%s\", but ", name, collection);
    return FALSE;
  }
  return TRUE;
}
