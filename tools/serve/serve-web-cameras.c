/* facealert serve: the page's cameras: every camera the stream store,
 * the outboxes or facealert-run's status files (tools/fa-run-status.h)
 * know, with its live status and its newest recorded frame. A camera is
 * named by its stream name, checked before it names anything. */
#include "serve-json.h"
#include "serve-web.h"
#include "fa-error.h"
#include "fa-media-export.h"
#include "fa-paths.h"

#include <string.h>

#define FLOWING_WITHIN_US (15 * G_USEC_PER_SEC)

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
    const gchar *name = fa_serve_json_string_member (o, "camera");
    if (name == NULL || !fa_stream_name_is_valid (name, NULL))
      continue;
    PageCamera *c = camera_of (cameras, name);
    c->status_updated_us = int_member (o, "updated_ms") * 1000;
    g_free (c->state);
    c->state = g_strdup (fa_serve_json_string_member (o, "state"));
    c->dropped = int_member (o, "dropped");
    c->buffers = int_member (o, "buffers");
    c->restarts = int_member (o, "restarts");
    c->last_frame_us = MAX (c->last_frame_us, int_member (o, "last_buffer_ms") * 1000);
  }
}

void
fa_serve_web_cameras (FaServe *serve, FaServeResponse *response)
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
  g_autoptr (GHashTable) last_alerts = fa_serve_web_last_alerts (serve);
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, last_alerts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const FaServeLastAlert *last = value;
    if (!fa_stream_name_is_valid (key, NULL))
      continue;
    PageCamera *c = camera_of (cameras, key);
    c->last_alert_us = last->time_us;
    g_free (c->last_alert);
    c->last_alert = g_strdup (last->id);
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
void
fa_serve_web_latest_frame (FaServe *serve, const gchar *name, FaServeResponse *response)
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

