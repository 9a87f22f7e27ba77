/* facealert serve: the page's data and media, under /ui/ (a live session for
 * everything, the session's CSRF token in X-CSRF-Token for every change):
 *
 *   GET    /ui/session                       {"csrf"}
 *   GET    /ui/alerts[?camera=C&limit=N]     alerts, newest first
 *   GET    /ui/alerts/ID/frame.jpg|face.jpg  an alert's snapshots
 *   GET    /ui/alerts/ID/clip.mp4            the recording around it
 *   GET    /ui/cameras                       each camera's status
 *   GET    /ui/cameras/NAME/latest.jpg       its newest recorded frame
 *   GET    /ui/faces                         collections and their faces
 *   GET    /ui/faces/COLLECTION/FACE.jpg     a face's photo
 *   POST   /ui/collections?id=C              CreateCollection
 *   POST   /ui/faces?collection=C&name=N     IndexFaces of the photo in the body
 *   DELETE /ui/faces/COLLECTION/FACE         DeleteFaces
 *   ...    /ui/sightings/...                 see serve-web-sightings.c
 *
 * Alerts are in serve-web-alerts.c, cameras in serve-web-cameras.c,
 * sightings in serve-web-sightings.c; this file routes and has the faces.
 * Media is addressed by alert id, camera name or face id, each checked
 * against a strict pattern; the file behind it comes from the stores
 * (alertsink's outbox records its snapshots' paths, and those are served
 * only from inside the snapshots directory). Never a path from the request. */
#include "serve-aws.h"
#include "serve-json.h"
#include "serve-photos.h"
#include "serve-web.h"
#include "fa-error.h"

#include <string.h>

/* ---- faces ------------------------------------------------------------- */

static void
get_faces (FaServe *serve, FaServeResponse *response)
{
  GError *error = NULL;
  FaCollectionStore *store = fa_serve_worker_store (serve, &error);
  g_autoptr (GPtrArray) collections = store != NULL ? fa_collection_list (store, &error)
      : NULL;
  if (collections == NULL) {
    fa_serve_web_error (response, 500, error->message);
    g_error_free (error);
    return;
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "collections");
  json_builder_begin_array (b);
  for (guint i = 0; i < collections->len; i++) {
    FaCollectionInfo *info = g_ptr_array_index (collections, i);
    g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, info->id, NULL, FALSE,
        NULL);
    json_builder_begin_object (b);
    fa_serve_json_add_string (b, "id", info->id);
    json_builder_set_member_name (b, "faces");
    json_builder_begin_array (b);
    for (guint k = 0; faces != NULL && k < faces->len; k++) {
      FaStoredFace *f = g_ptr_array_index (faces, k);
      g_autoptr (GBytes) photo = fa_serve_photos_read (serve, info->id, f->face_id, NULL);
      json_builder_begin_object (b);
      fa_serve_json_add_string (b, "face_id", f->face_id);
      fa_serve_json_add_string (b, "name", f->external_image_id);
      fa_serve_json_add_time (b, "created", f->created_ms * 1000);
      json_builder_set_member_name (b, "photo");
      json_builder_add_boolean_value (b, photo != NULL);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

/* Runs Rekognition operation @op on @input and answers with its output. */
static void
answer_call (FaServe *serve, const gchar *op, JsonObject *input, FaServeResponse *response)
{
  guint status = 400;
  g_autofree gchar *code = NULL, *message = NULL;
  g_autoptr (JsonNode) out = fa_serve_aws_call (serve, op, input, &status, &code, &message);
  if (out == NULL)
    fa_serve_web_error (response, status >= 400 && status < 600 ? status : 400, message);
  else
    fa_serve_response_set_json (response, 200, out);
}

static void
post_collection (FaServe *serve, const FaServeRequest *request, FaServeResponse *response)
{
  const gchar *id = fa_serve_request_param (request, "id");
  g_autoptr (JsonObject) input = json_object_new ();
  json_object_set_string_member (input, "CollectionId", id != NULL ? id : "");
  answer_call (serve, "CreateCollection", input, response);
}

static void
post_face (FaServe *serve, const FaServeRequest *request, FaServeResponse *response)
{
  const gchar *collection = fa_serve_request_param (request, "collection");
  const gchar *name = fa_serve_request_param (request, "name");
  gsize size = 0;
  const guchar *data = request->body != NULL ? g_bytes_get_data (request->body, &size)
      : NULL;
  if (size == 0) {
    fa_serve_web_error (response, 400, "send the photo as the request body");
    return;
  }
  g_autofree gchar *base64 = g_base64_encode (data, size);
  g_autoptr (JsonObject) input = json_object_new ();
  json_object_set_string_member (input, "CollectionId", collection ? collection : "");
  json_object_set_string_member (input, "ExternalImageId", name ? name : "");
  JsonObject *image = json_object_new ();
  json_object_set_string_member (image, "Bytes", base64);
  json_object_set_object_member (input, "Image", image);
  json_object_set_int_member (input, "MaxFaces", 1);
  answer_call (serve, "IndexFaces", input, response);
}

static void
delete_face (FaServe *serve, const gchar *collection, const gchar *face_id,
    FaServeResponse *response)
{
  g_autoptr (JsonObject) input = json_object_new ();
  json_object_set_string_member (input, "CollectionId", collection);
  JsonArray *ids = json_array_new ();
  json_array_add_string_element (ids, face_id);
  json_object_set_array_member (input, "FaceIds", ids);
  answer_call (serve, "DeleteFaces", input, response);
}

/* ---- routing ----------------------------------------------------------- */

void
fa_serve_web_api (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
{
  g_autofree gchar *csrf = NULL;
  if (!fa_serve_web_session (serve, request, &csrf)) {
    fa_serve_web_error (response, 401, "log in first");
    return;
  }
  gboolean get = g_str_equal (request->method, "GET")
      || g_str_equal (request->method, "HEAD");
  if (!get) {
    const gchar *token = fa_serve_request_header (request, "X-CSRF-Token");
    if (!fa_serve_web_same_origin (request) || !fa_serve_token_equal (token, csrf)) {
      fa_serve_web_error (response, 403, "missing or wrong CSRF token: reload the page");
      return;
    }
  }
  g_auto (GStrv) parts = g_strsplit (request->path + strlen ("/ui/"), "/", -1);
  guint n = g_strv_length (parts);
  const gchar *what = parts[0];
  const gchar *method = request->method;

  if (g_str_equal (what, "session") && n == 1 && get) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    fa_serve_json_add_string (b, "csrf", csrf);
    json_builder_end_object (b);
    fa_serve_web_send (response, b);
  } else if (g_str_equal (what, "alerts") && n == 1 && get) {
    fa_serve_web_alerts (serve, request, response);
  } else if (g_str_equal (what, "alerts") && n == 3 && get) {
    fa_serve_web_alert_media (serve, parts[1], parts[2], response);
  } else if (g_str_equal (what, "cameras") && n == 1 && get) {
    fa_serve_web_cameras (serve, response);
  } else if (g_str_equal (what, "cameras") && n == 3 && get
      && g_str_equal (parts[2], "latest.jpg")) {
    fa_serve_web_latest_frame (serve, parts[1], response);
  } else if (g_str_equal (what, "faces") && n == 1 && get) {
    get_faces (serve, response);
  } else if (g_str_equal (what, "faces") && n == 1 && g_str_equal (method, "POST")) {
    post_face (serve, request, response);
  } else if (g_str_equal (what, "collections") && n == 1 && g_str_equal (method, "POST")) {
    post_collection (serve, request, response);
  } else if (g_str_equal (what, "faces") && n == 3 && get
      && g_str_has_suffix (parts[2], ".jpg")) {
    g_autofree gchar *face_id = g_strndup (parts[2], strlen (parts[2]) - 4);
    g_autoptr (GBytes) photo = fa_serve_photos_read (serve, parts[1], face_id, NULL);
    if (photo != NULL)
      fa_serve_response_set (response, 200, "image/jpeg", photo);
    else
      fa_serve_web_error (response, 404, "no photo of this face");
  } else if (g_str_equal (what, "faces") && n == 3 && g_str_equal (method, "DELETE")) {
    delete_face (serve, parts[1], parts[2], response);
  } else if (fa_serve_web_sightings (serve, request, (const gchar *const *) parts,
          response)) {
    /* answered */
  } else {
    fa_serve_web_error (response, 404, "not found");
  }
}
