/* facealert: face collections stored in SQLite, with Amazon Rekognition's
 * meaning (CreateCollection, DeleteCollection, ListCollections, IndexFaces'
 * write, ListFaces, DeleteFaces, and the search behind SearchFacesByImage).
 *
 * All collections live in one database file, FA_COLLECTION_DB_FILE, in the
 * collections directory (fa_paths_dir (FA_DIR_COLLECTIONS) by default; the
 * directory is created 0700 and the file 0600). The database runs in WAL
 * mode: one process can enrol faces while pipelines read. Every write is one
 * transaction: it happens entirely or not at all.
 *
 * A handle is not thread-safe: use one per thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FA_COLLECTION_DB_FILE "faces.db"
#define FA_COLLECTION_DEFAULT_BUSY_TIMEOUT_MS 5000
#define FA_NAME_MAX_LENGTH 255

typedef struct {
  gchar *face_id;             /* UUID */
  gchar *external_image_id;   /* the person's name */
  gchar *image_id;            /* UUID of the image it was indexed from */
  float left, top, width, height;   /* bounding box, ratios of the image size */
  float confidence;           /* detector confidence, percent */
  gchar *model_name;          /* embedder that made @embedding */
  gchar *model_version;
  int dim;
  float *embedding;           /* unit length; NULL when not loaded */
  gint64 created_ms;          /* Unix time, milliseconds */
} FaStoredFace;

FaStoredFace *fa_stored_face_new (void);
void fa_stored_face_free (FaStoredFace *face);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaStoredFace, fa_stored_face_free)

typedef struct {
  gchar *id;
  gchar *arn;
  gchar *model_name;          /* face model of the collection */
  gchar *model_version;
  gint64 created_ms;
  gint64 face_count;
} FaCollectionInfo;

void fa_collection_info_free (FaCollectionInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaCollectionInfo, fa_collection_info_free)

typedef struct _FaCollectionStore FaCollectionStore;

/* Opens the database in @dir (NULL: the default collections directory).
 * With @create the directory and file are created when missing; without, a
 * missing database fails with FA_ERROR_NOT_FOUND. A file that is not a
 * collections database fails with FA_ERROR_CORRUPT, one locked for longer
 * than @busy_timeout_ms (<= 0: the default) with FA_ERROR_BUSY. */
FaCollectionStore *fa_collection_store_open (const gchar *dir, gboolean create,
    int busy_timeout_ms, GError **error);
void fa_collection_store_close (FaCollectionStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaCollectionStore, fa_collection_store_close)

const gchar *fa_collection_store_path (FaCollectionStore *store);

/* Changes whenever another connection (process) commits a change: cheap, no
 * disk access; poll it to notice enrolments. -1 on error. */
gint64 fa_collection_store_data_version (FaCollectionStore *store);

/* Validation, with Rekognition's rules: collection ids [a-zA-Z0-9_.-]+,
 * external image ids [a-zA-Z0-9_.-:]+, both 1..255 characters. */
gboolean fa_collection_id_validate (const gchar *id, GError **error);
gboolean fa_external_image_id_validate (const gchar *name, GError **error);

/* FA_ERROR_EXISTS when it exists already. */
FaCollectionInfo *fa_collection_create (FaCollectionStore *store, const gchar *id,
    const gchar *model_name, const gchar *model_version, GError **error);
/* Deletes the collection and all its faces. FA_ERROR_NOT_FOUND if absent. */
gboolean fa_collection_delete (FaCollectionStore *store, const gchar *id, GError **error);
/* FaCollectionInfo*, sorted by id. */
GPtrArray *fa_collection_list (FaCollectionStore *store, GError **error);
FaCollectionInfo *fa_collection_get (FaCollectionStore *store, const gchar *id,
    GError **error);

/* Adds @faces (FaStoredFace* with embeddings; face_id and created_ms are
 * filled in when unset) to collection @id in one transaction. */
gboolean fa_collection_add_faces (FaCollectionStore *store, const gchar *id,
    GPtrArray *faces, GError **error);

/* The faces of collection @id, oldest first; with embeddings when
 * @with_embeddings. @name (or NULL) restricts to one ExternalImageId. */
GPtrArray *fa_collection_list_faces (FaCollectionStore *store, const gchar *id,
    const gchar *name, gboolean with_embeddings, GError **error);

/* Negative examples: faces that are *not* a person ("this sighting is not
 * Bob", see fa-sightings.h), kept beside the collection's faces but never
 * listed with them; fa-gallery.h stops a face that is closer to a negative
 * example of a name than to that name's faces from matching it. Same record
 * as a face: external_image_id is the name the face is not, image_id where
 * it came from ("sighting:42"); box and confidence are unused. */
gboolean fa_collection_add_negatives (FaCollectionStore *store, const gchar *id,
    GPtrArray *faces, GError **error);
GPtrArray *fa_collection_list_negatives (FaCollectionStore *store, const gchar *id,
    const gchar *name, gboolean with_embeddings, GError **error);

/* Deletes the faces @face_ids (NULL-terminated) of collection @id in one
 * transaction. If any of them is not in the collection nothing is deleted and
 * it fails with FA_ERROR_NOT_FOUND naming it. */
gboolean fa_collection_delete_faces (FaCollectionStore *store, const gchar *id,
    const gchar *const *face_ids, GError **error);

typedef struct {
  const FaStoredFace *face;   /* borrowed from the searched array */
  double similarity;          /* percent */
} FaSearchMatch;

/* Compares @embedding (of @model_name/@model_version) with every face of
 * @faces made by the same model and version (others are never compared).
 * Returns the FaSearchMatch with similarity >= @threshold, best first, at most
 * @max_matches (0: all). */
GArray *fa_faces_search (GPtrArray *faces, const gchar *model_name,
    const gchar *model_version, const float *embedding, int dim,
    double threshold, guint max_matches);

G_END_DECLS
