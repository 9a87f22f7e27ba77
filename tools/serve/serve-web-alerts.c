/* facealert serve: the page's alerts (alertsink's outboxes, read through
 * fa_outbox_list like `facealert alerts`): the list, newest first, each
 * alert's snapshots and the recording around it. An alert is named by its
 * id (a UUID); its snapshot paths come from its outbox record and are served
 * only from inside the snapshots directory. */
#include "serve-json.h"
#include "serve-photos.h"
#include "serve-web.h"
#include "fa-error.h"
#include "fa-media-export.h"
#include "fa-outbox.h"
#include "fa-paths.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#define ALERTS_DEFAULT_LIMIT 50
#define CLIP_BEFORE_US (8 * G_USEC_PER_SEC)
#define CLIP_AFTER_US (7 * G_USEC_PER_SEC)
#define SNAPSHOT_MAX_BYTES (20 * 1024 * 1024)

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
      ? fa_serve_json_string_member (json_node_get_object (outer), "http") : NULL;
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
    p->event = g_strdup (fa_serve_json_string_member (o, "event"));
    p->name = g_strdup (fa_serve_json_string_member (o, "name"));
    if (json_object_has_member (o, "known"))
      p->known = json_object_get_boolean_member (o, "known");
    if (json_object_has_member (o, "similarity"))
      p->similarity = json_object_get_double_member (o, "similarity");
    JsonNode *snap = json_object_get_member (o, "snapshot");
    if (snap != NULL && JSON_NODE_HOLDS_OBJECT (snap)) {
      p->frame = g_strdup (fa_serve_json_string_member (json_node_get_object (snap), "frame"));
      p->face = g_strdup (fa_serve_json_string_member (json_node_get_object (snap), "face"));
    }
    const gchar *time = fa_serve_json_string_member (o, "time");
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

void
fa_serve_web_alerts (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
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

void
fa_serve_web_alert_media (FaServe *serve, const gchar *id, const gchar *what,
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

void
fa_serve_last_alert_free (gpointer data)
{
  FaServeLastAlert *last = data;
  g_free (last->id);
  g_free (last);
}

GHashTable *
fa_serve_web_last_alerts (FaServe *serve)
{
  GHashTable *by_camera = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      fa_serve_last_alert_free);
  g_autoptr (GPtrArray) alerts = list_alerts (serve, NULL, 0, NULL);
  for (guint i = 0; alerts != NULL && i < alerts->len; i++) {
    PageAlert *a = g_ptr_array_index (alerts, i);
    if (a->camera == NULL)
      continue;
    FaServeLastAlert *last = g_hash_table_lookup (by_camera, a->camera);
    if (last == NULL) {
      last = g_new0 (FaServeLastAlert, 1);
      g_hash_table_insert (by_camera, g_strdup (a->camera), last);
    }
    if (a->time_us > last->time_us) {
      last->time_us = a->time_us;
      g_free (last->id);
      last->id = g_strdup (a->id);
    }
  }
  return by_camera;
}
