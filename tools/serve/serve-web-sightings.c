/* facealert serve: the page's sightings (lib/recognize/fa-sightings.h, the
 * store facematch fills and `facealert sightings` reads):
 *
 *   GET    /ui/sightings                 unknown faces grouped by person, and
 *                                        the latest known ones
 *   GET    /ui/sightings/ID/face.jpg     a sighting's best face crop
 *   POST   /ui/sightings/enrol           {"ids": [...], "name", "collection"?}
 *   POST   /ui/sightings/reject          {"id", "name", "collection"?}
 *   DELETE /ui/sightings/ID
 *   POST   /ui/sightings/search          a photo in the body: past sightings
 *                                        of that face
 *
 * Sightings are addressed by their numeric id only. */
#include "serve-json.h"
#include "serve-photos.h"
#include "serve-web.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-recognize-defaults.h"
#include "fa-sightings.h"
#include "fa-sightings-json.h"

#include <string.h>

#define LATEST_KNOWN 30
#define SEARCH_MAX_MATCHES 50

static void
send_failure (FaServeResponse *response, GError *error)
{
  guint status = g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND) ? 404
      : error->domain == FA_ERROR && (error->code == FA_ERROR_INVALID_ARGUMENT
      || error->code == FA_ERROR_BAD_IMAGE || error->code == FA_ERROR_NO_FACE
      || error->code == FA_ERROR_EXISTS) ? 400 : 500;
  fa_serve_web_error (response, status, error->message);
  g_error_free (error);
}

static gboolean
parse_id (const gchar *text, gint64 *id)
{
  if (text == NULL || *text == '\0' || strlen (text) > 18)
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  *id = g_ascii_strtoll (text, NULL, 10);
  return *id > 0;
}

static void
add_sighting_list (JsonBuilder *b, GPtrArray *sightings)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < sightings->len; i++)
    fa_json_add_sighting (b, g_ptr_array_index (sightings, i));
  json_builder_end_array (b);
}

static void
get_overview (FaSightingStore *store, FaServeResponse *response)
{
  GError *error = NULL;
  FaSightingFilter unknown = { .decision = FA_SIGHTING_FILTER_UNKNOWN };
  g_autoptr (GPtrArray) clusters = fa_sighting_store_cluster (store, &unknown,
      FA_DEFAULT_FACE_MATCH_THRESHOLD, &error);
  if (clusters == NULL) {
    send_failure (response, error);
    return;
  }
  FaSightingFilter known = { .decision = FA_SIGHTING_FILTER_KNOWN, .limit = LATEST_KNOWN };
  g_autoptr (GPtrArray) recent = fa_sighting_store_list (store, &known, FALSE, &error);
  if (recent == NULL) {
    send_failure (response, error);
    return;
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "available");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  for (guint i = 0; i < clusters->len; i++) {
    FaSightingCluster *c = g_ptr_array_index (clusters, i);
    json_builder_begin_object (b);
    fa_serve_json_add_int (b, "index", c->index);
    json_builder_set_member_name (b, "cohesion");
    json_builder_add_double_value (b, c->cohesion);
    json_builder_set_member_name (b, "sightings");
    add_sighting_list (b, c->sightings);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "known");
  add_sighting_list (b, recent);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

/* The request body as a JSON object. */
static JsonNode *
body_object (const FaServeRequest *request, FaServeResponse *response)
{
  GError *error = NULL;
  JsonNode *node = fa_serve_json_parse_object (request->body, &error);
  if (node == NULL)
    send_failure (response, error);
  return node;
}

/* Keeps the enrolled faces' crops as their photos for the People view. */
static void
keep_photos (FaServe *serve, FaSightingStore *store, const gint64 *ids, GPtrArray *faces,
    const gchar *collection)
{
  for (guint i = 0; i < faces->len; i++) {
    FaStoredFace *face = g_ptr_array_index (faces, i);
    g_autoptr (GBytes) crop = fa_sighting_store_get_crop (store, ids[i], NULL);
    if (crop == NULL)
      continue;
    g_autoptr (FaPicture) picture = fa_picture_decode (g_bytes_get_data (crop, NULL),
        g_bytes_get_size (crop), NULL);
    if (picture == NULL)
      continue;
    const FaImage *image = fa_picture_image (picture);
    /* The crop is the face with its margin already: keep it whole. */
    FaRect whole = { image->width / 7.0f, image->height / 7.0f,
      image->width * 5 / 7.0f, image->height * 5 / 7.0f };
    fa_serve_photos_save (serve, collection, face->face_id, image, &whole);
  }
}

static void
post_enrol (FaServe *serve, FaSightingStore *store, const FaServeRequest *request,
    FaServeResponse *response)
{
  g_autoptr (JsonNode) node = body_object (request, response);
  if (node == NULL)
    return;
  JsonObject *o = json_node_get_object (node);
  const gchar *name = NULL, *collection = NULL;
  g_autoptr (GPtrArray) id_texts = NULL;
  GError *error = NULL;
  JsonNode *ids_node = json_object_get_member (o, "ids");
  if (!fa_serve_json_get_string (o, "name", TRUE, &name, &error)
      || !fa_external_image_id_validate (name, &error)
      || !fa_serve_json_get_string (o, "collection", FALSE, &collection, &error)
      || (collection != NULL && !fa_collection_id_validate (collection, &error))) {
    send_failure (response, error);
    return;
  }
  if (ids_node == NULL || !JSON_NODE_HOLDS_ARRAY (ids_node)) {
    fa_serve_web_error (response, 400, "give the sightings to enrol as \"ids\": [...]");
    return;
  }
  JsonArray *array = json_node_get_array (ids_node);
  guint n = json_array_get_length (array);
  if (n == 0 || n > 1000) {
    fa_serve_web_error (response, 400, "give 1 to 1000 sighting ids");
    return;
  }
  g_autofree gint64 *ids = g_new (gint64, n);
  for (guint i = 0; i < n; i++) {
    JsonNode *item = json_array_get_element (array, i);
    if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_INT64
        || (ids[i] = json_node_get_int (item)) <= 0) {
      fa_serve_web_error (response, 400, "sighting ids are positive integers");
      return;
    }
  }
  FaCollectionStore *collections = fa_serve_worker_store (serve, &error);
  if (collections == NULL) {
    send_failure (response, error);
    return;
  }
  g_autoptr (GPtrArray) faces = fa_sightings_enrol (store, collections, collection, ids, n,
      name, &error);
  if (faces == NULL) {
    send_failure (response, error);
    return;
  }
  g_autoptr (FaSighting) first = fa_sighting_store_get (store, ids[0], FALSE, NULL);
  const gchar *target = collection != NULL ? collection
      : first != NULL ? first->collection : NULL;
  if (target != NULL)
    keep_photos (serve, store, ids, faces, target);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  fa_serve_json_add_string (b, "name", name);
  if (target != NULL)
    fa_serve_json_add_string (b, "collection", target);
  json_builder_set_member_name (b, "face_ids");
  json_builder_begin_array (b);
  for (guint i = 0; i < faces->len; i++)
    json_builder_add_string_value (b, ((FaStoredFace *) g_ptr_array_index (faces, i))->face_id);
  json_builder_end_array (b);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

static void
post_reject (FaServe *serve, FaSightingStore *store, const FaServeRequest *request,
    FaServeResponse *response)
{
  g_autoptr (JsonNode) node = body_object (request, response);
  if (node == NULL)
    return;
  JsonObject *o = json_node_get_object (node);
  const gchar *name = NULL, *collection = NULL;
  gint64 id = 0;
  GError *error = NULL;
  if (!fa_serve_json_get_int (o, "id", 1, G_MAXINT64, &id, &error)
      || !fa_serve_json_get_string (o, "name", TRUE, &name, &error)
      || !fa_external_image_id_validate (name, &error)
      || !fa_serve_json_get_string (o, "collection", FALSE, &collection, &error)) {
    send_failure (response, error);
    return;
  }
  if (id == 0) {
    fa_serve_web_error (response, 400, "give the sighting as \"id\"");
    return;
  }
  FaCollectionStore *collections = fa_serve_worker_store (serve, &error);
  if (collections == NULL
      || !fa_sightings_reject (store, collections, collection, id, name, &error)) {
    send_failure (response, error);
    return;
  }
  g_autoptr (FaSighting) after = fa_sighting_store_get (store, id, FALSE, &error);
  if (after == NULL) {
    send_failure (response, error);
    return;
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  fa_json_add_sighting (b, after);
  fa_serve_web_send (response, b);
}

static void
post_search (FaServe *serve, FaSightingStore *store, const FaServeRequest *request,
    FaServeResponse *response)
{
  gsize size = 0;
  const guint8 *data = request->body != NULL ? g_bytes_get_data (request->body, &size)
      : NULL;
  GError *error = NULL;
  g_autoptr (FaPicture) picture = size > 0 ? fa_picture_decode (data, size, &error) : NULL;
  if (picture == NULL) {
    if (error == NULL)
      g_set_error (&error, FA_ERROR, FA_ERROR_BAD_IMAGE, "send a photo as the body");
    send_failure (response, error);
    return;
  }
  FaFaceAnalyzer *analyzer = fa_serve_worker_analyzer (serve, NULL, &error);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  if (analyzer == NULL || !fa_face_analyzer_largest_face (analyzer,
          fa_picture_image (picture), &face, embedding, &error)) {
    send_failure (response, error);
    return;
  }
  g_autoptr (GPtrArray) matches = fa_sighting_store_search (store, NULL,
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer),
      embedding, fa_face_analyzer_dim (analyzer), FA_DEFAULT_FACE_MATCH_THRESHOLD,
      SEARCH_MAX_MATCHES, &error);
  if (matches == NULL) {
    send_failure (response, error);
    return;
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "matches");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len; i++) {
    FaSightingMatch *m = g_ptr_array_index (matches, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "similarity");
    json_builder_add_double_value (b, m->similarity);
    json_builder_set_member_name (b, "sighting");
    fa_json_add_sighting (b, m->sighting);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

gboolean
fa_serve_web_sightings (FaServe *serve, const FaServeRequest *request,
    const gchar *const *parts, FaServeResponse *response)
{
  if (!g_str_equal (parts[0], "sightings"))
    return FALSE;
  guint n = g_strv_length ((gchar **) parts);
  const gchar *method = request->method;
  gboolean get = g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  GError *error = NULL;
  FaSightingStore *store = fa_serve_worker_sightings (serve, &error);
  if (store == NULL) {
    if (g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND) && n == 1 && get) {
      /* No pipeline has written sightings yet. */
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "available");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_end_object (b);
      fa_serve_web_send (response, b);
      g_error_free (error);
    } else {
      send_failure (response, error);
    }
    return TRUE;
  }
  gint64 id = 0;
  if (n == 1 && get) {
    get_overview (store, response);
  } else if (n == 3 && get && parse_id (parts[1], &id) && g_str_equal (parts[2], "face.jpg")) {
    g_autoptr (GBytes) crop = fa_sighting_store_get_crop (store, id, &error);
    if (crop != NULL)
      fa_serve_response_set (response, 200, "image/jpeg", crop);
    else
      send_failure (response, error);
  } else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (parts[1], "enrol")) {
    post_enrol (serve, store, request, response);
  } else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (parts[1], "reject")) {
    post_reject (serve, store, request, response);
  } else if (n == 2 && g_str_equal (method, "POST") && g_str_equal (parts[1], "search")) {
    post_search (serve, store, request, response);
  } else if (n == 2 && g_str_equal (method, "DELETE") && parse_id (parts[1], &id)) {
    if (fa_sighting_store_delete (store, &id, 1, &error)) {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      fa_serve_json_add_int (b, "deleted", id);
      json_builder_end_object (b);
      fa_serve_web_send (response, b);
    } else {
      send_failure (response, error);
    }
  } else {
    fa_serve_web_error (response, 404, "not found");
  }
  return TRUE;
}
