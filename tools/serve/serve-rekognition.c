/* facealert serve: RekognitionService.* over lib/recognize, the same
 * collection store and face analyzer `facealert collection|faces` use, with
 * Rekognition's request members, defaults, response shapes and errors.
 * SearchFacesByImage and SearchFaces decide through the gallery
 * (fa-gallery.h), as facematch does: a face rejected as "not Bob"
 * (`facealert sightings reject`) is not answered as Bob here either. */
#include "serve-aws.h"
#include "serve-json.h"
#include "serve-photos.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-json.h"
#include "fa-gallery.h"
#include "fa-recognize-defaults.h"

#include <string.h>

#define IMAGE_MAX_BYTES 5242880     /* Rekognition's ImageBlob limit */
#define INDEX_DEFAULT_MAX_FACES 100

static gboolean
invalid_parameter (FaServeCall *call, GError *error)
{
  return fa_serve_call_fail_error (call, error);
}

/* The store, and the collection named by CollectionId. */
static FaCollectionStore *
collection_of (FaServeCall *call, const gchar **id, FaCollectionInfo **info)
{
  GError *error = NULL;
  if (!fa_serve_json_get_string (call->input, "CollectionId", TRUE, id, &error)
      || !fa_collection_id_validate (*id, &error)) {
    invalid_parameter (call, error);
    return NULL;
  }
  FaCollectionStore *store = fa_serve_worker_store (call->serve, &error);
  if (store == NULL) {
    fa_serve_call_fail_error (call, error);
    return NULL;
  }
  if (info != NULL) {
    *info = fa_collection_get (store, *id, &error);
    if (*info == NULL) {
      if (g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND)) {
        fa_serve_call_fail (call, 400, "ResourceNotFoundException",
            "The collection id: %s does not exist", *id);
        g_error_free (error);
      } else {
        fa_serve_call_fail_error (call, error);
      }
      return NULL;
    }
  }
  return store;
}

/* Image.Bytes decoded; S3Object cannot be reached from here. */
static FaPicture *
image_of (FaServeCall *call)
{
  GError *error = NULL;
  JsonObject *image = NULL;
  if (!fa_serve_json_get_object (call->input, "Image", TRUE, &image, &error)) {
    invalid_parameter (call, error);
    return NULL;
  }
  if (json_object_has_member (image, "S3Object")) {
    fa_serve_call_fail (call, 400, "InvalidS3ObjectException", "S3Object is not "
        "supported by facealert serve: send the image as Bytes");
    return NULL;
  }
  g_autoptr (GBytes) bytes = NULL;
  if (!fa_serve_json_get_blob (image, "Bytes", IMAGE_MAX_BYTES, &bytes, &error)) {
    if (g_strrstr (error->message, "length") != NULL) {
      fa_serve_call_fail (call, 400, "ImageTooLargeException", "Image size is too "
          "large (at most %d bytes)", IMAGE_MAX_BYTES);
      g_error_free (error);
      return NULL;
    }
    invalid_parameter (call, error);
    return NULL;
  }
  if (bytes == NULL) {
    fa_serve_call_fail (call, 400, "InvalidParameterException", "Image needs Bytes");
    return NULL;
  }
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  FaPicture *picture = fa_picture_decode (data, size, &error);
  if (picture == NULL) {
    fa_serve_call_fail (call, 400, "InvalidImageFormatException",
        "Request has invalid image format");
    g_error_free (error);
  }
  return picture;
}

static gboolean
quality_filter_of (FaServeCall *call, FaQualityFilter *filter)
{
  const gchar *name = NULL;
  GError *error = NULL;
  if (!fa_serve_json_get_string (call->input, "QualityFilter", FALSE, &name, &error))
    return invalid_parameter (call, error);
  if (name != NULL && !fa_quality_filter_from_name (name, filter))
    return fa_serve_call_fail (call, 400, "InvalidParameterException", "1 validation "
        "error detected: Value '%s' at 'qualityFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: [NONE, AUTO, LOW, MEDIUM, HIGH]", name);
  return TRUE;
}

static void
add_model_version (FaServeCall *call, const gchar *member, const gchar *name,
    const gchar *version)
{
  g_autofree gchar *text = fa_json_face_model_version (name, version);
  fa_serve_json_add_string (call->output, member, text);
}

/* ---- collections ------------------------------------------------------- */

static gboolean
create_collection (FaServeCall *call)
{
  const gchar *id = NULL;
  FaCollectionStore *store = collection_of (call, &id, NULL);
  if (store == NULL)
    return FALSE;
  GError *error = NULL;
  /* The collection records the exact face model that fills it. */
  FaFaceAnalyzer *analyzer = fa_serve_worker_analyzer (call->serve, NULL, &error);
  if (analyzer == NULL)
    return fa_serve_call_fail_error (call, error);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, id,
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer),
      &error);
  if (info == NULL) {
    if (g_error_matches (error, FA_ERROR, FA_ERROR_EXISTS)) {
      g_error_free (error);
      return fa_serve_call_fail (call, 400, "ResourceAlreadyExistsException",
          "The collection id: %s already exists", id);
    }
    return fa_serve_call_fail_error (call, error);
  }
  fa_serve_json_add_int (call->output, "StatusCode", 200);
  fa_serve_json_add_string (call->output, "CollectionArn", info->arn);
  add_model_version (call, "FaceModelVersion", info->model_name, info->model_version);
  return TRUE;
}

static gboolean
delete_collection (FaServeCall *call)
{
  const gchar *id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  GError *error = NULL;
  if (!fa_collection_delete (store, id, &error))
    return fa_serve_call_fail_error (call, error);
  fa_serve_photos_delete_collection (call->serve, id);
  fa_serve_json_add_int (call->output, "StatusCode", 200);
  return TRUE;
}

/* MaxResults / NextToken: the [*first, *first + *count) slice of @total. */
static gboolean
page_of (FaServeCall *call, const gchar *scope, gint64 max_limit, gint64 default_limit,
    guint *first, guint *count)
{
  GError *error = NULL;
  gint64 limit = default_limit;
  const gchar *token = NULL;
  guint64 offset = 0;
  if (!fa_serve_json_get_int (call->input, "MaxResults", 0, max_limit, &limit, &error)
      || !fa_serve_json_get_string (call->input, "NextToken", FALSE, &token, &error)
      || (token != NULL && !fa_serve_parse_next_token (token, scope, &offset, &error))) {
    if (error->domain == FA_ERROR && g_str_equal (error->message, "invalid NextToken")) {
      g_error_free (error);
      return fa_serve_call_fail (call, 400, "InvalidPaginationTokenException",
          "Invalid pagination token");
    }
    return invalid_parameter (call, error);
  }
  *first = (guint) MIN (offset, G_MAXUINT);
  *count = limit > 0 ? (guint) limit : (guint) default_limit;
  return TRUE;
}

static void
add_next_token (FaServeCall *call, const gchar *scope, guint next, guint total)
{
  if (next >= total)
    return;
  g_autofree gchar *token = fa_serve_next_token (next, scope);
  fa_serve_json_add_string (call->output, "NextToken", token);
}

static gboolean
list_collections (FaServeCall *call)
{
  guint first, count;
  if (!page_of (call, "collections", 4096, 1000, &first, &count))
    return FALSE;
  GError *error = NULL;
  FaCollectionStore *store = fa_serve_worker_store (call->serve, &error);
  g_autoptr (GPtrArray) list = store != NULL ? fa_collection_list (store, &error) : NULL;
  if (list == NULL)
    return fa_serve_call_fail_error (call, error);
  guint end = MIN (list->len, first + count);
  json_builder_set_member_name (call->output, "CollectionIds");
  json_builder_begin_array (call->output);
  for (guint i = first; i < end; i++)
    json_builder_add_string_value (call->output,
        ((FaCollectionInfo *) g_ptr_array_index (list, i))->id);
  json_builder_end_array (call->output);
  json_builder_set_member_name (call->output, "FaceModelVersions");
  json_builder_begin_array (call->output);
  for (guint i = first; i < end; i++) {
    FaCollectionInfo *info = g_ptr_array_index (list, i);
    g_autofree gchar *v = fa_json_face_model_version (info->model_name, info->model_version);
    json_builder_add_string_value (call->output, v);
  }
  json_builder_end_array (call->output);
  add_next_token (call, "collections", end, list->len);
  return TRUE;
}

static gboolean
describe_collection (FaServeCall *call)
{
  const gchar *id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  if (collection_of (call, &id, &info) == NULL)
    return FALSE;
  fa_serve_json_add_int (call->output, "FaceCount", info->face_count);
  add_model_version (call, "FaceModelVersion", info->model_name, info->model_version);
  fa_serve_json_add_string (call->output, "CollectionARN", info->arn);
  fa_serve_json_add_time (call->output, "CreationTimestamp", info->created_ms * 1000);
  return TRUE;
}

/* ---- faces ------------------------------------------------------------- */

static gboolean
index_faces (FaServeCall *call)
{
  const gchar *id = NULL, *name = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  GError *error = NULL;
  gint64 max_faces = INDEX_DEFAULT_MAX_FACES;
  FaQualityFilter filter = FA_QUALITY_FILTER_AUTO;
  if (!fa_serve_json_get_string (call->input, "ExternalImageId", FALSE, &name, &error)
      || (name != NULL && !fa_external_image_id_validate (name, &error))
      || !fa_serve_json_get_int (call->input, "MaxFaces", 1, 4096, &max_faces, &error))
    return invalid_parameter (call, error);
  if (!quality_filter_of (call, &filter))
    return FALSE;
  g_autoptr (FaPicture) picture = image_of (call);
  if (picture == NULL)
    return FALSE;
  FaFaceAnalyzer *analyzer = fa_serve_worker_analyzer (call->serve, info->model_name,
      &error);
  if (analyzer == NULL)
    return fa_serve_call_fail_error (call, error);
  const FaImage *image = fa_picture_image (picture);
  g_autoptr (FaIndexResult) result = fa_face_analyzer_index (analyzer, image,
      name != NULL ? name : "", (guint) max_faces, filter, &error);
  if (result == NULL)
    return fa_serve_call_fail_error (call, error);
  if (result->indexed->len > 0) {
    g_autoptr (GPtrArray) faces = g_ptr_array_new ();
    for (guint i = 0; i < result->indexed->len; i++)
      g_ptr_array_add (faces, ((FaAnalyzedFace *) g_ptr_array_index (result->indexed,
                  i))->stored);
    if (!fa_collection_add_faces (store, id, faces, &error))
      return fa_serve_call_fail_error (call, error);
    for (guint i = 0; i < result->indexed->len; i++) {
      FaAnalyzedFace *f = g_ptr_array_index (result->indexed, i);
      fa_serve_photos_save (call->serve, id, f->stored->face_id, image, &f->face.box);
    }
  }
  g_autofree gchar *version = fa_json_face_model_version (
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer));
  fa_json_add_index_faces_members (call->output, result, version);
  return TRUE;
}

static gboolean
list_faces (FaServeCall *call)
{
  const gchar *id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  guint first, count;
  g_autofree gchar *scope = g_strdup_printf ("faces/%s", id);
  if (!page_of (call, scope, 4096, 1000, &first, &count))
    return FALSE;
  GError *error = NULL;
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, id, NULL, FALSE, &error);
  if (faces == NULL)
    return fa_serve_call_fail_error (call, error);
  guint end = MIN (faces->len, first + count);
  json_builder_set_member_name (call->output, "Faces");
  json_builder_begin_array (call->output);
  for (guint i = first; i < end; i++)
    fa_json_add_stored_face (call->output, g_ptr_array_index (faces, i));
  json_builder_end_array (call->output);
  add_model_version (call, "FaceModelVersion", info->model_name, info->model_version);
  add_next_token (call, scope, end, faces->len);
  return TRUE;
}

static gboolean
delete_faces (FaServeCall *call)
{
  const gchar *id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  GError *error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  if (!fa_serve_json_get_strings (call->input, "FaceIds", TRUE, 4096, &ids, &error))
    return invalid_parameter (call, error);
  /* Rekognition deletes the faces it has and reports the others. */
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, id, NULL, FALSE, &error);
  if (faces == NULL)
    return fa_serve_call_fail_error (call, error);
  g_autoptr (GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < faces->len; i++)
    g_hash_table_add (known, ((FaStoredFace *) g_ptr_array_index (faces, i))->face_id);
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  for (guint i = 0; i + 1 < ids->len; i++) {
    gchar *face_id = g_ptr_array_index (ids, i);
    g_ptr_array_add (g_hash_table_contains (known, face_id) ? found : missing, face_id);
  }
  if (found->len > 0) {
    g_ptr_array_add (found, NULL);
    if (!fa_collection_delete_faces (store, id, (const gchar *const *) found->pdata,
            &error))
      return fa_serve_call_fail_error (call, error);
    g_ptr_array_set_size (found, found->len - 1);
  }
  json_builder_set_member_name (call->output, "DeletedFaces");
  json_builder_begin_array (call->output);
  for (guint i = 0; i < found->len; i++) {
    json_builder_add_string_value (call->output, g_ptr_array_index (found, i));
    fa_serve_photos_delete (call->serve, id, g_ptr_array_index (found, i));
  }
  json_builder_end_array (call->output);
  json_builder_set_member_name (call->output, "UnsuccessfulFaceDeletions");
  json_builder_begin_array (call->output);
  for (guint i = 0; i < missing->len; i++) {
    json_builder_begin_object (call->output);
    fa_serve_json_add_string (call->output, "FaceId", g_ptr_array_index (missing, i));
    json_builder_set_member_name (call->output, "Reasons");
    json_builder_begin_array (call->output);
    json_builder_add_string_value (call->output, "FACE_NOT_FOUND");
    json_builder_end_array (call->output);
    json_builder_end_object (call->output);
  }
  json_builder_end_array (call->output);
  return TRUE;
}

static gboolean
search_options (FaServeCall *call, gint64 *max_faces, gdouble *threshold)
{
  GError *error = NULL;
  *max_faces = 80;    /* Rekognition's default */
  *threshold = FA_DEFAULT_FACE_MATCH_THRESHOLD;
  if (!fa_serve_json_get_int (call->input, "MaxFaces", 1, 4096, max_faces, &error)
      || !fa_serve_json_get_double (call->input, "FaceMatchThreshold", FALSE, 0, 100,
          threshold, &error))
    return invalid_parameter (call, error);
  return TRUE;
}

static gboolean
search_faces_by_image (FaServeCall *call)
{
  const gchar *id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  gint64 max_faces;
  gdouble threshold;
  FaQualityFilter filter = FA_QUALITY_FILTER_AUTO;
  if (!search_options (call, &max_faces, &threshold) || !quality_filter_of (call, &filter))
    return FALSE;
  g_autoptr (FaPicture) picture = image_of (call);
  if (picture == NULL)
    return FALSE;
  GError *error = NULL;
  FaFaceAnalyzer *analyzer = fa_serve_worker_analyzer (call->serve, info->model_name,
      &error);
  if (analyzer == NULL)
    return fa_serve_call_fail_error (call, error);
  const FaImage *image = fa_picture_image (picture);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  if (!fa_face_analyzer_largest_face (analyzer, image, &face, embedding, &error)) {
    if (g_error_matches (error, FA_ERROR, FA_ERROR_NO_FACE)) {
      g_error_free (error);
      return fa_serve_call_fail (call, 400, "InvalidParameterException",
          "There are no faces in the image. Should be at least 1.");
    }
    return fa_serve_call_fail_error (call, error);
  }
  g_autoptr (FaGallery) gallery = fa_gallery_load (store, id,
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer), &error);
  if (gallery == NULL)
    return fa_serve_call_fail_error (call, error);
  g_autoptr (GArray) matches = fa_gallery_search_faces (gallery, embedding,
      fa_face_analyzer_dim (analyzer), threshold, (guint) max_faces);
  g_autofree gchar *version = fa_json_face_model_version (
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer));
  fa_json_add_search_members (call->output, &face, image->width, image->height, matches,
      version);
  return TRUE;
}

static gboolean
search_faces (FaServeCall *call)
{
  const gchar *id = NULL, *face_id = NULL;
  g_autoptr (FaCollectionInfo) info = NULL;
  FaCollectionStore *store = collection_of (call, &id, &info);
  if (store == NULL)
    return FALSE;
  gint64 max_faces;
  gdouble threshold;
  GError *error = NULL;
  if (!search_options (call, &max_faces, &threshold))
    return FALSE;
  if (!fa_serve_json_get_string (call->input, "FaceId", TRUE, &face_id, &error))
    return invalid_parameter (call, error);
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, id, NULL, TRUE, &error);
  if (faces == NULL)
    return fa_serve_call_fail_error (call, error);
  /* The searched face is never its own match. */
  FaStoredFace *searched = NULL;
  for (guint i = 0; i < faces->len && searched == NULL; i++)
    if (g_str_equal (((FaStoredFace *) g_ptr_array_index (faces, i))->face_id, face_id))
      searched = g_ptr_array_steal_index (faces, i);
  if (searched == NULL)
    return fa_serve_call_fail (call, 400, "InvalidParameterException",
        "Face %s is not in collection %s", face_id, id);
  g_autoptr (FaStoredFace) owned = searched;
  g_autoptr (GPtrArray) negatives = fa_collection_list_negatives (store, id, NULL, TRUE,
      &error);
  if (negatives == NULL)
    return fa_serve_call_fail_error (call, error);
  g_autoptr (FaGallery) gallery = fa_gallery_new (faces, negatives, searched->model_name,
      searched->model_version);
  g_autoptr (GArray) matches = fa_gallery_search_faces (gallery, searched->embedding,
      searched->dim, threshold, (guint) max_faces);
  fa_serve_json_add_string (call->output, "SearchedFaceId", face_id);
  json_builder_set_member_name (call->output, "FaceMatches");
  fa_json_add_face_matches (call->output, matches);
  add_model_version (call, "FaceModelVersion", info->model_name, info->model_version);
  return TRUE;
}

const FaServeOpEntry fa_serve_rekognition_ops[] = {
  {"CreateCollection", create_collection},
  {"DeleteCollection", delete_collection},
  {"ListCollections", list_collections},
  {"DescribeCollection", describe_collection},
  {"IndexFaces", index_faces},
  {"ListFaces", list_faces},
  {"DeleteFaces", delete_faces},
  {"SearchFacesByImage", search_faces_by_image},
  {"SearchFaces", search_faces},
  {NULL, NULL}
};
