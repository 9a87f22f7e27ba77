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
 * Media is addressed by alert id, camera name or face id, each checked
 * against a strict pattern; the file behind it comes from the stores
 * (alertsink's outbox records its snapshots' paths, and those are served
 * only from inside the snapshots directory). Never a path from the request. */
#include "serve-aws.h"
#include "serve-json.h"
#include "serve-photos.h"
#include "serve-web.h"
#include "fa-error.h"
#include "fa-media-export.h"
#include "fa-outbox.h"
#include "fa-paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#define ALERTS_DEFAULT_LIMIT 50
#define CLIP_BEFORE_US (8 * G_USEC_PER_SEC)
#define CLIP_AFTER_US (7 * G_USEC_PER_SEC)
#define SNAPSHOT_MAX_BYTES (20 * 1024 * 1024)
#define FLOWING_WITHIN_US (15 * G_USEC_PER_SEC)

/* ---- alerts ------------------------------------------------------------ */

typedef struct {
  gchar *id, *camera, *subject, *event, *name, *frame, *face;
  gint64 time_us;
  gdouble similarity;
  gboolean known;
  FaOutboxStates state;
} PageAlert;

static void
page_alert_free (gpointer data)
{
  PageAlert *a = data;
  g_free (a->id);
  g_free (a->camera);
  g_free (a->subject);
  g_free (a->event);
  g_free (a->name);
  g_free (a->frame);
  g_free (a->face);
  g_free (a);
}

static const gchar *
string_member (JsonObject *o, const gchar *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

/* The payload alertsink publishes (docs/alertsink.md): for MessageStructure
 * json it is the "http" member, a JSON text itself. */
static JsonNode *
alert_payload (const FaOutboxAlert *a)
{
  if (a->message == NULL)
    return NULL;
  g_autoptr (JsonNode) outer = json_from_string (a->message, NULL);
  if (outer == NULL || !JSON_NODE_HOLDS_OBJECT (outer))
    return NULL;
  const gchar *http = a->json_structure
      ? string_member (json_node_get_object (outer), "http") : NULL;
  if (http == NULL)
    return g_steal_pointer (&outer);
  JsonNode *inner = json_from_string (http, NULL);
  if (inner != NULL && !JSON_NODE_HOLDS_OBJECT (inner))
    g_clear_pointer (&inner, json_node_unref);
  return inner;
}

static PageAlert *
page_alert_new (const FaOutboxAlert *a)
{
  PageAlert *p = g_new0 (PageAlert, 1);
  p->id = g_strdup (a->id);
  p->camera = g_strdup (a->camera);
  p->subject = g_strdup (a->subject);
  p->state = a->state;
  p->time_us = a->created_us;
  g_autoptr (JsonNode) payload = alert_payload (a);
  JsonObject *o = payload != NULL ? json_node_get_object (payload) : NULL;
  if (o != NULL) {
    p->event = g_strdup (string_member (o, "event"));
    p->name = g_strdup (string_member (o, "name"));
    if (json_object_has_member (o, "known"))
      p->known = json_object_get_boolean_member (o, "known");
    if (json_object_has_member (o, "similarity"))
      p->similarity = json_object_get_double_member (o, "similarity");
    JsonNode *snap = json_object_get_member (o, "snapshot");
    if (snap != NULL && JSON_NODE_HOLDS_OBJECT (snap)) {
      p->frame = g_strdup (string_member (json_node_get_object (snap), "frame"));
      p->face = g_strdup (string_member (json_node_get_object (snap), "face"));
    }
    const gchar *time = string_member (o, "time");
    g_autoptr (GDateTime) when = time != NULL ? g_date_time_new_from_iso8601 (time, NULL)
        : NULL;
    if (when != NULL)
      p->time_us = g_date_time_to_unix (when) * G_USEC_PER_SEC
          + g_date_time_get_microsecond (when);
  }
  return p;
}

static gchar *
outbox_dir (FaServe *serve)
{
  return serve->outbox_dir != NULL ? g_strdup (serve->outbox_dir)
      : fa_paths_dir (FA_DIR_OUTBOX);
}

/* Every alert of every outbox (of @camera, when set), newest first. */
static GPtrArray *
list_alerts (FaServe *serve, const gchar *camera, guint limit, GError **error)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func (page_alert_free);
  g_autofree gchar *dir = outbox_dir (serve);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *leaf;
  while (d != NULL && (leaf = g_dir_read_name (d)) != NULL) {
    if (!g_str_has_suffix (leaf, ".sqlite"))
      continue;
    g_autofree gchar *path = g_build_filename (dir, leaf, NULL);
    GError *local = NULL;
    FaOutbox *outbox = fa_outbox_open_existing (path, &local);
    if (outbox == NULL) {
      g_warning ("skipping outbox %s: %s", path, local->message);
      g_clear_error (&local);
      continue;
    }
    FaOutboxQuery query = { .camera = camera, .limit = limit };
    g_autoptr (GPtrArray) list = fa_outbox_list (outbox, &query, &local);
    fa_outbox_close (outbox);
    if (list == NULL) {
      g_propagate_error (error, local);
      g_ptr_array_unref (alerts);
      return NULL;
    }
    for (guint i = 0; i < list->len; i++)
      g_ptr_array_add (alerts, page_alert_new (g_ptr_array_index (list, i)));
  }
  return alerts;
}

static gint
newest_first (gconstpointer pa, gconstpointer pb)
{
  const PageAlert *a = *(PageAlert * const *) pa, *b = *(PageAlert * const *) pb;
  return a->time_us != b->time_us ? (a->time_us > b->time_us ? -1 : 1)
      : g_strcmp0 (a->id, b->id);
}

/* The alert whose id is exactly @id. */
static PageAlert *
find_alert (FaServe *serve, const gchar *id)
{
  g_autofree gchar *dir = outbox_dir (serve);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *leaf;
  while (d != NULL && (leaf = g_dir_read_name (d)) != NULL) {
    if (!g_str_has_suffix (leaf, ".sqlite"))
      continue;
    g_autofree gchar *path = g_build_filename (dir, leaf, NULL);
    FaOutbox *outbox = fa_outbox_open_existing (path, NULL);
    if (outbox == NULL)
      continue;
    g_autoptr (FaOutboxAlert) alert = fa_outbox_get (outbox, id, NULL);
    fa_outbox_close (outbox);
    if (alert != NULL && g_str_equal (alert->id, id))
      return page_alert_new (alert);
  }
  return NULL;
}

static void
get_alerts (FaServe *serve, const FaServeRequest *request, FaServeResponse *response)
{
  const gchar *camera = fa_serve_request_param (request, "camera");
  const gchar *limit_text = fa_serve_request_param (request, "limit");
  guint limit = limit_text != NULL ? (guint) CLAMP (atoi (limit_text), 1, 1000)
      : ALERTS_DEFAULT_LIMIT;
  GError *error = NULL;
  g_autoptr (GPtrArray) alerts = list_alerts (serve, camera, limit, &error);
  if (alerts == NULL) {
    fa_serve_web_error (response, 500, error->message);
    g_error_free (error);
    return;
  }
  g_ptr_array_sort (alerts, newest_first);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "alerts");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (alerts->len, limit); i++) {
    PageAlert *a = g_ptr_array_index (alerts, i);
    json_builder_begin_object (b);
    fa_serve_json_add_string (b, "id", a->id);
    fa_serve_json_add_string (b, "camera", a->camera);
    fa_serve_json_add_time (b, "time", a->time_us);
    fa_serve_json_add_string (b, "subject", a->subject);
    fa_serve_json_add_string (b, "event", a->event);
    fa_serve_json_add_string (b, "name", a->name);
    json_builder_set_member_name (b, "known");
    json_builder_add_boolean_value (b, a->known);
    json_builder_set_member_name (b, "similarity");
    json_builder_add_double_value (b, a->similarity);
    fa_serve_json_add_string (b, "state", fa_outbox_state_name (a->state));
    json_builder_set_member_name (b, "frame");
    json_builder_add_boolean_value (b, a->frame != NULL);
    json_builder_set_member_name (b, "face");
    json_builder_add_boolean_value (b, a->face != NULL);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

static gchar *
snapshots_root (FaServe *serve)
{
  return serve->snapshots_dir != NULL ? g_strdup (serve->snapshots_dir)
      : fa_paths_dir (FA_DIR_SNAPSHOTS);
}

/* The JPEG at @path, only when it really lies inside the snapshots directory
 * (symbolic links resolved) and is a plain file of sane size. */
static GBytes *
read_snapshot (FaServe *serve, const gchar *path)
{
  g_autofree gchar *root = snapshots_root (serve);
  g_autofree gchar *real_root = realpath (root, NULL);
  g_autofree gchar *real = path != NULL ? realpath (path, NULL) : NULL;
  if (real_root == NULL || real == NULL || !g_str_has_suffix (real, ".jpg"))
    return NULL;
  g_autofree gchar *prefix = g_strconcat (real_root, G_DIR_SEPARATOR_S, NULL);
  GStatBuf st;
  if (!g_str_has_prefix (real, prefix) || g_stat (real, &st) != 0
      || !S_ISREG (st.st_mode) || st.st_size > SNAPSHOT_MAX_BYTES)
    return NULL;
  gchar *data = NULL;
  gsize size = 0;
  if (!g_file_get_contents (real, &data, &size, NULL))
    return NULL;
  return g_bytes_new_take (data, size);
}

static gchar *
cache_path (FaServe *serve, const gchar *kind, const gchar *id, const gchar *ext)
{
  g_autofree gchar *leaf = g_strdup_printf ("%s-%s.%s", kind, id, ext);
  return g_build_filename (serve->cache_dir, leaf, NULL);
}

static void
send_file (FaServeResponse *response, const gchar *path, const gchar *type)
{
  gchar *data = NULL;
  gsize size = 0;
  if (!g_file_get_contents (path, &data, &size, NULL)) {
    fa_serve_web_error (response, 500, "cannot read the clip back");
    return;
  }
  g_autoptr (GBytes) bytes = g_bytes_new_take (data, size);
  fa_serve_response_set (response, 200, type, bytes);
}

/* The recording around alert @a, as MP4 (kept in the cache once the range
 * is complete, so the video element's range requests cost nothing). */
static void
send_alert_clip (FaServe *serve, PageAlert *a, FaServeResponse *response)
{
  if (a->camera == NULL || !fa_stream_name_is_valid (a->camera, NULL)) {
    fa_serve_web_error (response, 404, "this alert's camera has no recording");
    return;
  }
  g_autofree gchar *path = cache_path (serve, "alert", a->id, "mp4");
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    send_file (response, path, "video/mp4");
    return;
  }
  gint64 start_us = a->time_us - CLIP_BEFORE_US, end_us = a->time_us + CLIP_AFTER_US;
  g_autofree gchar *token = fa_serve_random_token (9);
  g_autofree gchar *partial = cache_path (serve, "partial", token, "mp4");
  FaExportResult result;
  GError *error = NULL;
  gboolean ok = fa_export_clip (serve->streams, a->camera, start_us, end_us, partial,
      &result, &error);
  fa_export_result_clear (&result);
  if (!ok) {
    gboolean missing = g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND);
    fa_serve_web_error (response, missing ? 404 : 500, missing
        ? "no recording around this alert (kvssink with this camera's name?)"
        : error->message);
    g_error_free (error);
    g_unlink (partial);
    return;
  }
  send_file (response, partial, "video/mp4");
  gboolean complete = g_get_real_time () > end_us + 30 * G_USEC_PER_SEC;
  if (!complete || g_rename (partial, path) != 0)
    g_unlink (partial);
}

static void
get_alert_media (FaServe *serve, const gchar *id, const gchar *what,
    FaServeResponse *response)
{
  if (!fa_serve_is_uuid (id)) {
    fa_serve_web_error (response, 400, "an alert id is a UUID");
    return;
  }
  PageAlert *a = find_alert (serve, id);
  if (a == NULL) {
    fa_serve_web_error (response, 404, "no such alert");
    return;
  }
  if (g_str_equal (what, "clip.mp4")) {
    send_alert_clip (serve, a, response);
  } else if (g_str_equal (what, "frame.jpg") || g_str_equal (what, "face.jpg")) {
    g_autoptr (GBytes) jpeg = read_snapshot (serve,
        g_str_equal (what, "frame.jpg") ? a->frame : a->face);
    if (jpeg != NULL)
      fa_serve_response_set (response, 200, "image/jpeg", jpeg);
    else
      fa_serve_web_error (response, 404, "this alert has no such snapshot");
  } else {
    fa_serve_web_error (response, 404, "not found");
  }
  page_alert_free (a);
}

/* ---- cameras ----------------------------------------------------------- */

typedef struct {
  gchar *name;
  gint64 last_frame_us;       /* real time, 0: unknown */
  guint fragments;
  gint64 status_updated_us;   /* facealert-run's status file, 0: none */
  gchar *state;
  gint64 dropped, buffers, restarts;
  gint64 last_alert_us;
  gchar *last_alert;
} PageCamera;

static void
page_camera_free (gpointer data)
{
  PageCamera *c = data;
  g_free (c->name);
  g_free (c->state);
  g_free (c->last_alert);
  g_free (c);
}

static PageCamera *
camera_of (GHashTable *cameras, const gchar *name)
{
  PageCamera *c = g_hash_table_lookup (cameras, name);
  if (c == NULL) {
    c = g_new0 (PageCamera, 1);
    c->name = g_strdup (name);
    g_hash_table_insert (cameras, c->name, c);
  }
  return c;
}

static gint64
int_member (JsonObject *o, const gchar *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? (gint64) json_node_get_double (n) : 0;
}

/* facealert-run's CAMERAS/NAME.json files (see tools/fa-run-status.h). */
static void
read_status_files (FaServe *serve, GHashTable *cameras)
{
  g_autofree gchar *dir = serve->cameras_dir != NULL ? g_strdup (serve->cameras_dir)
      : fa_paths_dir (FA_DIR_CAMERAS);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *leaf;
  while (d != NULL && (leaf = g_dir_read_name (d)) != NULL) {
    if (!g_str_has_suffix (leaf, ".json"))
      continue;
    g_autofree gchar *path = g_build_filename (dir, leaf, NULL);
    g_autofree gchar *text = NULL;
    if (!g_file_get_contents (path, &text, NULL, NULL))
      continue;
    g_autoptr (JsonNode) node = json_from_string (text, NULL);
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
      continue;
    JsonObject *o = json_node_get_object (node);
    const gchar *name = string_member (o, "camera");
    if (name == NULL || !fa_stream_name_is_valid (name, NULL))
      continue;
    PageCamera *c = camera_of (cameras, name);
    c->status_updated_us = int_member (o, "updated_ms") * 1000;
    g_free (c->state);
    c->state = g_strdup (string_member (o, "state"));
    c->dropped = int_member (o, "dropped");
    c->buffers = int_member (o, "buffers");
    c->restarts = int_member (o, "restarts");
    c->last_frame_us = MAX (c->last_frame_us, int_member (o, "last_buffer_ms") * 1000);
  }
}

static void
get_cameras (FaServe *serve, FaServeResponse *response)
{
  g_autoptr (GHashTable) cameras = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      page_camera_free);
  GError *error = NULL;
  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (serve->streams, &error);
  if (streams == NULL) {
    g_warning ("cannot list streams: %s", error->message);
    g_clear_error (&error);
  }
  for (guint i = 0; streams != NULL && i < streams->len; i++) {
    FaStreamInfo *s = g_ptr_array_index (streams, i);
    PageCamera *c = camera_of (cameras, s->name);
    c->fragments = s->fragment_count;
    c->last_frame_us = MAX (c->last_frame_us, s->last_producer_end_us);
  }
  read_status_files (serve, cameras);
  g_autoptr (GPtrArray) alerts = list_alerts (serve, NULL, 0, NULL);
  for (guint i = 0; alerts != NULL && i < alerts->len; i++) {
    PageAlert *a = g_ptr_array_index (alerts, i);
    if (a->camera == NULL || !fa_stream_name_is_valid (a->camera, NULL))
      continue;
    PageCamera *c = camera_of (cameras, a->camera);
    if (a->time_us > c->last_alert_us) {
      c->last_alert_us = a->time_us;
      g_free (c->last_alert);
      c->last_alert = g_strdup (a->id);
    }
  }

  g_autoptr (GList) names = g_list_sort (g_hash_table_get_keys (cameras),
      (GCompareFunc) g_strcmp0);
  gint64 now = g_get_real_time ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cameras");
  json_builder_begin_array (b);
  for (GList *l = names; l != NULL; l = l->next) {
    PageCamera *c = g_hash_table_lookup (cameras, l->data);
    /* Flowing: the runner says so and said it lately, or (no runner status)
     * the recording grew lately. */
    gboolean flowing = c->status_updated_us > 0
        ? g_strcmp0 (c->state, "flowing") == 0
        && now - c->status_updated_us < FLOWING_WITHIN_US
        : c->last_frame_us > 0 && now - c->last_frame_us < FLOWING_WITHIN_US;
    json_builder_begin_object (b);
    fa_serve_json_add_string (b, "name", c->name);
    json_builder_set_member_name (b, "flowing");
    json_builder_add_boolean_value (b, flowing);
    if (c->last_frame_us > 0)
      fa_serve_json_add_time (b, "last_frame", c->last_frame_us);
    fa_serve_json_add_int (b, "fragments", c->fragments);
    json_builder_set_member_name (b, "recorded");
    json_builder_add_boolean_value (b, c->fragments > 0);
    if (c->status_updated_us > 0) {
      fa_serve_json_add_string (b, "state", c->state);
      fa_serve_json_add_int (b, "dropped", c->dropped);
      fa_serve_json_add_int (b, "buffers", c->buffers);
      fa_serve_json_add_int (b, "restarts", c->restarts);
      fa_serve_json_add_time (b, "status_time", c->status_updated_us);
    }
    if (c->last_alert != NULL) {
      fa_serve_json_add_string (b, "last_alert", c->last_alert);
      fa_serve_json_add_time (b, "last_alert_time", c->last_alert_us);
    }
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  fa_serve_web_send (response, b);
}

typedef struct {
  GBytes *jpeg;
} OneImage;

static gboolean
keep_image (gint64 producer_us, GBytes *image, gpointer user_data, GError **error)
{
  OneImage *one = user_data;
  if (one->jpeg == NULL)
    one->jpeg = g_bytes_ref (image);
  return TRUE;
}

/* The first frame of the newest fragment of stream @name, 640 wide. */
static void
get_latest_frame (FaServe *serve, const gchar *name, FaServeResponse *response)
{
  GError *error = NULL;
  if (!fa_stream_name_is_valid (name, NULL)) {
    fa_serve_web_error (response, 400, "not a camera name");
    return;
  }
  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (serve->streams, &error);
  FaStreamInfo *info = NULL;
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    if (g_str_equal (((FaStreamInfo *) g_ptr_array_index (streams, i))->name, name))
      info = g_ptr_array_index (streams, i);
  g_clear_error (&error);
  if (info == NULL || info->fragment_count == 0) {
    fa_serve_web_error (response, 404, "this camera has no recording");
    return;
  }
  g_autoptr (GPtrArray) newest = fa_stream_store_list_fragments (serve->streams, name,
      FA_TIMESTAMP_PRODUCER, info->last_producer_end_us - 60 * G_USEC_PER_SEC,
      G_MAXINT64, FALSE, &error);
  if (newest == NULL || newest->len == 0) {
    fa_serve_web_error (response, 404, "this camera has no recent recording");
    g_clear_error (&error);
    return;
  }
  FaFragmentInfo *f = g_ptr_array_index (newest, newest->len - 1);
  FaExportImageOptions options = {
    .interval_us = G_USEC_PER_SEC, .format = FA_EXPORT_JPEG, .width = 640,
    .max_images = 1, .jpeg_quality = 80,
  };
  OneImage one = { NULL };
  FaExportResult result;
  gboolean ok = fa_export_images (serve->streams, name, f->producer_us,
      f->producer_us + f->duration_us, &options, keep_image, &one, &result, &error);
  fa_export_result_clear (&result);
  if (!ok || one.jpeg == NULL) {
    fa_serve_web_error (response, 500, error != NULL ? error->message : "no frame decoded");
    g_clear_error (&error);
  } else {
    fa_serve_response_set (response, 200, "image/jpeg", one.jpeg);
  }
  g_clear_pointer (&one.jpeg, g_bytes_unref);
}

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
    get_alerts (serve, request, response);
  } else if (g_str_equal (what, "alerts") && n == 3 && get) {
    get_alert_media (serve, parts[1], parts[2], response);
  } else if (g_str_equal (what, "cameras") && n == 1 && get) {
    get_cameras (serve, response);
  } else if (g_str_equal (what, "cameras") && n == 3 && get
      && g_str_equal (parts[2], "latest.jpg")) {
    get_latest_frame (serve, parts[1], response);
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
