/* alertsink on MQTT, against a real mosquitto started per test on
 * 127.0.0.1 and libmosquitto subscribers (tests/support/fa-mqtt-fixture.h),
 * with the real SNS-compatible server where SNS is involved: Home Assistant
 * discovery, availability (clean stop, SIGKILL: the last will), Frigate's
 * tracked_object_update for a known and an unknown face, events, counts and
 * snapshots, alerts on PREFIX/alerts through the outbox (the same JSON as
 * SNS's), the alerts switch over MQTT and from the CLI (SNS and MQTT both
 * silent, remembered across restarts), the broker stopped and restarted
 * (every alert raised meanwhile exactly once, everything announced again),
 * bad settings, and no password in any log, message or file. */
#define _GNU_SOURCE   // memmem
#include "fa-meta.h"
#include "fa-mqtt-fixture.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME (GST_SECOND / 30)
#define PASSWORD "mqTT-pa55/NeverInLogs"

static FaSnsFixture *sns;

/* Everything GStreamer logs (alertsink at LOG, the rest from WARNING) goes
 * with GLib's (every level, libmosquitto's debug lines too) to
 * fa_test_record_logs(), to look for the password. */
static void
record_gst_log (GstDebugCategory *category, GstDebugLevel level,
    const gchar *file, const gchar *function, gint line, GObject *object,
    GstDebugMessage *message, gpointer data)
{
  fa_test_record_log_line (gst_debug_message_get (message));
}

/* ---- frames ------------------------------------------------------------- */

typedef struct {
  guint64 track;
  const gchar *name;      /* NULL: unknown */
} Face;

static void
push_frame (GstHarness *h, GstClockTime pts, const Face *faces, guint n)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, 160 * 120 * 3 / 2);
  gst_buffer_memset (buffer, 0, 90, 160 * 120 * 3 / 2);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = FRAME;
  for (guint i = 0; i < n; i++) {
    FaFace face = { .box = { 20 + 50 * i, 24, 40, 48 }, .score = 0.91f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gboolean known = faces[i].name != NULL;
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (FA_META_IDENTITY,
            "track-id", G_TYPE_UINT64, faces[i].track,
            "known", G_TYPE_BOOLEAN, known,
            "name", G_TYPE_STRING, known ? faces[i].name : "",
            "face-id", G_TYPE_STRING, known ? "f00d-face" : "",
            "similarity", G_TYPE_DOUBLE, known ? 83.0 : 9.0,
            "decided", G_TYPE_BOOLEAN, TRUE, NULL));
  }
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

static void
push_track (GstHarness *h, GstClockTime start, guint64 track, const gchar *name,
    guint frames)
{
  Face face = { track, name };
  for (guint i = 0; i < frames; i++)
    push_frame (h, start + i * FRAME, &face, 1);
}

/* ---- one alertsink -------------------------------------------------------- */

typedef struct {
  gchar *dir;
  gchar *outbox;
  gchar *state;
  GstBus *bus;
  GstHarness *h;
  GPtrArray *messages;    /* every bus message seen (GstStructure*) */
} Ctx;

static void
ctx_init (Ctx *ctx)
{
  ctx->dir = fa_test_make_tmpdir ("fa-alertsink-mqtt");
  ctx->outbox = g_build_filename (ctx->dir, "outbox.sqlite", NULL);
  ctx->state = g_build_filename (ctx->dir, "state", NULL);
  g_setenv ("FACEALERT_STATE_DIR", ctx->state, TRUE);
  ctx->bus = gst_bus_new ();
  ctx->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_structure_free);
}

static GstElement *
make_sink (Ctx *ctx, FaMqttBroker *broker, const gchar *camera, gboolean with_sns)
{
  GstElement *sink = gst_element_factory_make ("alertsink", NULL);
  g_assert_nonnull (sink);
  g_autofree gchar *snapshots = g_build_filename (ctx->dir, "snapshots", NULL);
  g_object_set (sink, "camera", camera, "outbox-location", ctx->outbox,
      "snapshot-dir", snapshots, "min-frames", 3, "cooldown", (guint64) 0,
      "retry-initial", (guint64) (50 * GST_MSECOND),
      "retry-max", (guint64) (300 * GST_MSECOND),
      "drain-timeout", (guint64) (15 * GST_SECOND), NULL);
  if (broker != NULL)
    g_object_set (sink, "mqtt-broker", broker->url, "mqtt-topic-prefix", "fa", NULL);
  if (broker != NULL && broker->user != NULL)
    g_object_set (sink, "mqtt-user", broker->user, "mqtt-password", broker->password,
        NULL);
  if (with_sns)
    g_object_set (sink, "endpoint", sns->endpoint, "topic-arn", sns->topic,
        "region", "us-east-1", "access-key", "AKIDMQTTTEST",
        "secret-key", "SeCrEt/NotInMqtt", NULL);
  return sink;
}

static void
ctx_start (Ctx *ctx, GstElement *sink)
{
  gst_element_set_bus (sink, ctx->bus);
  ctx->h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_harness_set_src_caps_str (ctx->h, "video/x-raw,format=I420,width=160,"
      "height=120,framerate=30/1");
  gst_harness_play (ctx->h);
}

static void
ctx_stop (Ctx *ctx)
{
  if (ctx->h != NULL)
    gst_harness_teardown (ctx->h);
  ctx->h = NULL;
}

static void
ctx_clear (Ctx *ctx)
{
  ctx_stop (ctx);
  gst_object_unref (ctx->bus);
  g_ptr_array_unref (ctx->messages);
  fa_test_rm_rf (ctx->dir);
  g_free (ctx->dir);
  g_free (ctx->outbox);
  g_free (ctx->state);
}

/* Moves what is on the bus to ctx->messages (checking for secrets). */
static void
drain_bus (Ctx *ctx, GstClockTime timeout)
{
  GstMessage *msg;
  while ((msg = gst_bus_timed_pop (ctx->bus, timeout)) != NULL) {
    timeout = 0;
    const GstStructure *s = gst_message_get_structure (msg);
    GError *error = NULL;
    gchar *debug = NULL;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
      gst_message_parse_warning (msg, &error, &debug);
    else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
      gst_message_parse_error (msg, &error, &debug);
    if (error != NULL) {
      g_test_message ("bus: %s | %s", error->message, debug ? debug : "");
      g_assert_null (strstr (error->message, PASSWORD));
      g_assert_null (debug != NULL ? strstr (debug, PASSWORD) : NULL);
      g_ptr_array_add (ctx->messages, gst_structure_new ("warning", "text",
              G_TYPE_STRING, error->message, NULL));
      g_error_free (error);
      g_free (debug);
    }
    if (s != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT) {
      g_autofree gchar *text = gst_structure_to_string (s);
      g_assert_null (strstr (text, PASSWORD));
      g_ptr_array_add (ctx->messages, gst_structure_copy (s));
    }
    gst_message_unref (msg);
  }
}

/* How many element messages named @name have @field == @value (a string,
 * or "TRUE"/"FALSE" for a boolean; NULL: any). */
static guint
count_messages (Ctx *ctx, const gchar *name, const gchar *field, const gchar *value)
{
  guint n = 0;
  for (guint i = 0; i < ctx->messages->len; i++) {
    const GstStructure *s = g_ptr_array_index (ctx->messages, i);
    if (!gst_structure_has_name (s, name))
      continue;
    if (field != NULL) {
      gboolean b;
      const gchar *text = gst_structure_get_string (s, field);
      if (text == NULL && gst_structure_get_boolean (s, field, &b))
        text = b ? "TRUE" : "FALSE";
      if (g_strcmp0 (text, value) != 0)
        continue;
    }
    n++;
  }
  return n;
}

static guint
wait_messages (Ctx *ctx, const gchar *name, const gchar *field,
    const gchar *value, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (count_messages (ctx, name, field, value) < n
      && g_get_monotonic_time () < deadline)
    drain_bus (ctx, 50 * GST_MSECOND);
  return count_messages (ctx, name, field, value);
}

/* Pushes empty frames until the alertsink applied the switch (it looks at
 * the household file from render(), twice a second). */
static void
wait_switch (Ctx *ctx, GstClockTime *pts, gboolean on)
{
  guint before = count_messages (ctx, "facealert/switches", "alerts", on ? "TRUE" : "FALSE");
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (count_messages (ctx, "facealert/switches", "alerts", on ? "TRUE" : "FALSE")
      == before && g_get_monotonic_time () < deadline) {
    push_frame (ctx->h, *pts, NULL, 0);
    *pts += FRAME;
    drain_bus (ctx, 20 * GST_MSECOND);
  }
  g_assert_cmpuint (count_messages (ctx, "facealert/switches", "alerts",
          on ? "TRUE" : "FALSE"), ==, before + 1);
}

static JsonObject *
parse_payload (FaMqttReceived *r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->payload, &size);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, data, size, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gchar *
payload_text (FaMqttReceived *r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->payload, &size);
  return g_strndup (data, size);
}

/* ---- discovery, availability, faces, alerts ------------------------------------ */

static void
check_config (GPtrArray *configs, const gchar *topic, const gchar *const *required)
{
  for (guint i = 0; i < configs->len; i++) {
    FaMqttReceived *r = g_ptr_array_index (configs, i);
    if (!g_str_equal (r->topic, topic))
      continue;
    g_assert_true (r->retained);
    g_autoptr (JsonObject) o = parse_payload (r);
    const gchar *common[] = { "name", "unique_id", "device", "availability", NULL };
    for (guint k = 0; common[k] != NULL; k++)
      g_assert_true (json_object_has_member (o, common[k]));
    for (guint k = 0; required[k] != NULL; k++)
      g_assert_true (json_object_has_member (o, required[k]));
    return;
  }
  g_error ("no discovery config on %s", topic);
}

static void
test_discovery_faces_alerts (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint sns_before = fa_sns_fixture_count (sns);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "fa/#");
  ctx_start (&ctx, make_sink (&ctx, broker, "porch", TRUE));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/available", "online", NULL, 10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/available", "online", NULL,
          10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/alerts/state", "ON", NULL,
          10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/mode/state", "away", NULL, 10000));

  /* Discovery: a late subscriber gets every config retained, valid JSON
   * with the keys Home Assistant requires per component. */
  FaMqttSub *ha = fa_mqtt_sub_new (broker, NULL, "homeassistant/#");
  g_assert_cmpuint (fa_mqtt_sub_wait (ha, "homeassistant/#", 5, 10000), ==, 5);
  g_autoptr (GPtrArray) configs = fa_mqtt_sub_messages (ha, "homeassistant/#");
  const gchar *bs[] = { "state_topic", "device_class", NULL };
  const gchar *sensor[] = { "state_topic", NULL };
  const gchar *image[] = { "image_topic", "content_type", NULL };
  const gchar *sw[] = { "command_topic", "state_topic", NULL };
  const gchar *select[] = { "command_topic", "options", "state_topic", NULL };
  check_config (configs, "homeassistant/binary_sensor/fa/porch_person/config", bs);
  check_config (configs, "homeassistant/sensor/fa/porch_last_face/config", sensor);
  check_config (configs, "homeassistant/image/fa/porch_snapshot/config", image);
  check_config (configs, "homeassistant/switch/fa/porch_alerts/config", sw);
  check_config (configs, "homeassistant/select/fa/mode/config", select);

  /* Home Assistant restarts: every config comes again. */
  fa_mqtt_test_publish (broker, "homeassistant/status", "online", FALSE);
  g_assert_cmpuint (fa_mqtt_sub_wait (ha, "homeassistant/+/+/+/config", 10, 10000),
      ==, 10);

  /* Bob (known) and a stranger, together. */
  GstClockTime pts = 0;
  for (guint i = 0; i < 6; i++, pts += FRAME) {
    Face faces[2] = { { 1, "Bob" }, { 2, NULL } };
    push_frame (ctx.h, pts, faces, 2);
  }
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/tracked_object_update", 2, 10000), ==, 2);
  g_autoptr (GPtrArray) updates = fa_mqtt_sub_messages (sub, "fa/tracked_object_update");
  gboolean saw_bob = FALSE, saw_stranger = FALSE;
  for (guint i = 0; i < updates->len; i++) {
    g_autoptr (JsonObject) u = parse_payload (g_ptr_array_index (updates, i));
    g_assert_cmpstr (json_object_get_string_member (u, "type"), ==, "face");
    g_assert_cmpstr (json_object_get_string_member (u, "camera"), ==, "porch");
    g_assert_cmpfloat (json_object_get_double_member (u, "timestamp"), >, 1.7e9);
    const gchar *id = json_object_get_string_member (u, "id");
    if (json_object_get_null_member (u, "name")) {
      saw_stranger = TRUE;
      g_assert_true (g_str_has_suffix (id, "-porch-face-2"));
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (u, "score"), 0.09,
          1e-9);
    } else {
      saw_bob = TRUE;
      g_assert_cmpstr (json_object_get_string_member (u, "name"), ==, "Bob");
      g_assert_true (g_str_has_suffix (id, "-porch-face-1"));
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (u, "score"), 0.83,
          1e-9);
    }
  }
  g_assert_true (saw_bob && saw_stranger);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/last_face", "Bob", NULL, 10000));
  guint person_from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/person", "2", &person_from,
          10000));

  /* The stranger's alert: on SNS and on fa/alerts, the same JSON. */
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "status", "queued", 1, 5000),
      ==, 1);
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 1, 10000), ==, 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, sns_before + 1, 10000), ==,
      sns_before + 1);
  g_autoptr (GPtrArray) alerts = fa_mqtt_sub_messages (sub, "fa/alerts");
  g_autofree gchar *mqtt_text = payload_text (g_ptr_array_index (alerts, 0));
  JsonNode *deliveries = fa_sns_fixture_deliveries (sns);
  JsonObject *d = json_array_get_object_element (json_node_get_array (deliveries),
      sns_before);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json_object_get_string_member
          (json_object_get_object_member (d, "body"), "Message"), -1, NULL));
  const gchar *sns_payload = json_object_get_string_member
      (json_node_get_object (json_parser_get_root (parser)), "http");
  g_assert_cmpstr (mqtt_text, ==, sns_payload);
  g_autoptr (JsonObject) alert = parse_payload (g_ptr_array_index (alerts, 0));
  g_assert_cmpint (json_object_get_int_member (alert, "track_id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (alert, "camera"), ==, "porch");
  json_node_unref (deliveries);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "target", "mqtt", 1, 10000),
      ==, 1);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "target", "sns", 1, 10000),
      ==, 1);

  /* The snapshot of the alert, retained, a JPEG; an update event says so. */
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/porch/snapshot", 1, 10000), ==, 1);
  g_autoptr (GPtrArray) snapshots = fa_mqtt_sub_messages (sub, "fa/porch/snapshot");
  gsize size;
  const guchar *jpeg = g_bytes_get_data (((FaMqttReceived *)
          g_ptr_array_index (snapshots, 0))->payload, &size);
  g_assert_cmpuint (size, >, 100);
  g_assert_cmpint (jpeg[0], ==, 0xff);
  g_assert_cmpint (jpeg[1], ==, 0xd8);

  /* End of stream: both tracks end, nobody in view. */
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/person", "0", &person_from,
          10000));
  g_autoptr (GPtrArray) events = fa_mqtt_sub_messages (sub, "fa/events");
  guint news = 0, ends = 0, with_snapshot = 0;
  for (guint i = 0; i < events->len; i++) {
    g_autoptr (JsonObject) e = parse_payload (g_ptr_array_index (events, i));
    const gchar *type = json_object_get_string_member (e, "type");
    JsonObject *after = json_object_get_object_member (e, "after");
    news += g_str_equal (type, "new");
    ends += g_str_equal (type, "end");
    with_snapshot += g_str_equal (type, "update")
        && json_object_get_boolean_member (after, "has_snapshot");
    g_assert_cmpstr (json_object_get_string_member (after, "camera"), ==, "porch");
  }
  g_assert_cmpuint (news, ==, 2);
  g_assert_cmpuint (with_snapshot, ==, 1);
  g_assert_cmpuint (ends, ==, 2);

  /* A clean stop: the camera and then the connection say offline. */
  guint from = 0;
  ctx_stop (&ctx);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/porch/available", "offline", &from,
          10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/available", "offline", NULL, 10000));
  fa_mqtt_sub_free (ha);
  fa_mqtt_sub_free (sub);
  ctx_clear (&ctx);
  fa_mqtt_broker_free (broker);
}

/* ---- the last will ------------------------------------------------------------------- */

/* The feeder: this binary re-run as its own process, an MQTT-only alertsink
 * that prints "started" and then lives until SIGKILL. */
static int
feeder_main (int argc, char **argv)
{
  /* --feeder URL DIR */
  g_assert_cmpint (argc, ==, 4);
  FaMqttBroker broker = { .url = argv[2] };
  Ctx ctx = { 0 };
  ctx.dir = g_strdup (argv[3]);
  ctx.outbox = g_build_filename (ctx.dir, "feeder.sqlite", NULL);
  ctx.bus = gst_bus_new ();
  ctx_start (&ctx, make_sink (&ctx, &broker, "yard", FALSE));
  push_track (ctx.h, 0, 5, NULL, 5);
  printf ("started\n");
  fflush (stdout);
  while (TRUE)
    g_usleep (G_USEC_PER_SEC);
  return 0;
}

static void
test_last_will (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-mqtt-feeder");
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "fa/#");
  g_autofree gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  GError *error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
      &error, self_exe, "--feeder", broker->url, dir, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (p));
  /* (GLib's debug lines go to stdout too.) */
  gchar *line;
  while ((line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error)) != NULL
      && !g_str_equal (line, "started"))
    g_free (line);
  g_assert_cmpstr (line, ==, "started");
  g_free (line);
  guint from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/available", "online", &from, 10000));
  g_subprocess_send_signal (p, SIGKILL);
  g_subprocess_wait (p, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (p));
  /* The broker publishes the will: offline, retained. */
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/available", "offline", &from, 10000));
  FaMqttSub *late = fa_mqtt_sub_new (broker, NULL, "fa/available");
  g_assert_true (fa_mqtt_sub_wait_payload (late, "fa/available", "offline", NULL, 10000));
  GPtrArray *got = fa_mqtt_sub_messages (late, "fa/available");
  g_assert_true (((FaMqttReceived *) g_ptr_array_index (got, 0))->retained);
  g_ptr_array_unref (got);
  fa_mqtt_sub_free (late);
  fa_mqtt_sub_free (sub);
  fa_test_rm_rf (dir);
  fa_mqtt_broker_free (broker);
}

/* ---- the alerts switch ------------------------------------------------------------------ */

static gboolean
queued_since (Ctx *ctx, guint *seen)
{
  drain_bus (ctx, 0);
  guint n = count_messages (ctx, "facealert/alert", "status", "queued");
  gboolean more = n > *seen;
  *seen = n;
  return more;
}

static void
run_cli (Ctx *ctx, const gchar *verb, const gchar *camera)
{
  const gchar *argv[] = { "facealert", "alerts", verb, "--camera", camera, NULL };
  g_autofree gchar *err = NULL;
  g_assert_cmpint (fa_test_run_argv (argv, NULL, &err), ==, 0);
}

static void
test_switch (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint sns_before = fa_sns_fixture_count (sns);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "fa/#");
  ctx_start (&ctx, make_sink (&ctx, broker, "gate", TRUE));
  g_assert_cmpuint (wait_messages (&ctx, "facealert/switches", "alerts", "TRUE", 1,
          5000), ==, 1);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/gate/alerts/state", "ON", NULL,
          10000));
  GstClockTime pts = 0;
  guint queued = 0;

  /* Home Assistant switches the camera off: state OFF, no alert on either
   * target for a stranger (render() raises alerts synchronously: none was
   * queued by the time the frames are in). */
  guint from = 0;
  fa_mqtt_test_publish (broker, "fa/gate/alerts/set", "OFF", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/gate/alerts/state", "OFF", &from,
          10000));
  wait_switch (&ctx, &pts, FALSE);
  push_track (ctx.h, pts, 11, NULL, 10);
  pts += 10 * FRAME;
  g_assert_false (queued_since (&ctx, &queued));

  /* On again: the stranger still in view alerts now, on both. */
  fa_mqtt_test_publish (broker, "fa/gate/alerts/set", "ON", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/gate/alerts/state", "ON", &from,
          10000));
  wait_switch (&ctx, &pts, TRUE);
  push_track (ctx.h, pts, 11, NULL, 2);
  pts += 2 * FRAME;
  g_assert_true (queued_since (&ctx, &queued));
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 1, 10000), ==, 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, sns_before + 1, 10000), ==,
      sns_before + 1);

  /* The CLI, for people without Home Assistant: same effect, and Home
   * Assistant's switch follows. */
  run_cli (&ctx, "disable", "gate");
  wait_switch (&ctx, &pts, FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/gate/alerts/state", "OFF", &from,
          10000));
  push_track (ctx.h, pts, 12, NULL, 10);
  pts += 10 * FRAME;
  g_assert_false (queued_since (&ctx, &queued));
  ctx_stop (&ctx);

  /* Remembered across a restart: still off, and said so. */
  g_ptr_array_set_size (ctx.messages, 0);
  ctx_start (&ctx, make_sink (&ctx, broker, "gate", TRUE));
  g_assert_cmpuint (wait_messages (&ctx, "facealert/switches", "alerts", "FALSE", 1,
          5000), ==, 1);
  queued = 0;
  pts = 0;
  push_track (ctx.h, pts, 13, NULL, 10);
  pts += 10 * FRAME;
  g_assert_false (queued_since (&ctx, &queued));
  run_cli (&ctx, "enable", "gate");
  wait_switch (&ctx, &pts, TRUE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/gate/alerts/state", "ON", &from,
          10000));
  push_track (ctx.h, pts, 13, NULL, 2);
  g_assert_true (queued_since (&ctx, &queued));
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));   /* drains */
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 2, 10000), ==, 2);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, sns_before + 2, 10000), ==,
      sns_before + 2);
  /* Nothing more on either: tracks 12 and 13 while off made no alert. */
  fa_mqtt_test_publish (broker, "fa/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/alerts", "barrier", NULL, 10000));
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 0, 0), ==, 3);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, sns_before + 3, 300), ==,
      sns_before + 2);
  fa_mqtt_sub_free (sub);
  ctx_clear (&ctx);
  fa_mqtt_broker_free (broker);
}

/* ---- persons and the household mode ------------------------------------------ */

/* One frame: a person (track 40, as facematch marks it: decided and known
 * when @name) and a cat whose "face" facematch vetoed (before @cat_looked,
 * objectdetect had not looked at it yet: waiting). Neither is a face. */
static void
push_person (GstHarness *h, GstClockTime pts, const gchar *name, gboolean cat_looked)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, 160 * 120 * 3 / 2);
  gst_buffer_memset (buffer, 0, 90, 160 * 120 * 3 / 2);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = FRAME;
  FaObject person = { .box = { 10, 5, 50, 110 }, .score = 0.8f, .class_id = 0 };
  GstVideoRegionOfInterestMeta *roi = fa_meta_add_object (buffer, &person,
      "fastestdet", TRUE);
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new (FA_META_PERSON, "track-id", G_TYPE_UINT64, (guint64) 40,
          "known", G_TYPE_BOOLEAN, name != NULL, "decided", G_TYPE_BOOLEAN,
          name != NULL, "name", G_TYPE_STRING, name != NULL ? name : "",
          "similarity", G_TYPE_DOUBLE, name != NULL ? 77.0 : 0.0,
          "face-track-id", G_TYPE_UINT64, (guint64) 0, NULL));
  FaObject cat = { .box = { 90, 60, 60, 50 }, .score = 0.7f, .class_id = 15 };
  fa_meta_add_object (buffer, &cat, "fastestdet", TRUE);
  FaFace face = { .box = { 105, 65, 30, 30 }, .score = 0.9f };
  GstVideoRegionOfInterestMeta *pet = fa_meta_add_face (buffer, &face, "yunet");
  gst_video_region_of_interest_meta_add_param (pet,
      gst_structure_new (FA_META_IDENTITY, "track-id", G_TYPE_UINT64, (guint64) 41,
          "known", G_TYPE_BOOLEAN, FALSE, "name", G_TYPE_STRING, "",
          "face-id", G_TYPE_STRING, "", "similarity", G_TYPE_DOUBLE, 0.0,
          "decided", G_TYPE_BOOLEAN, FALSE, "vetoed", G_TYPE_BOOLEAN, cat_looked,
          "waiting", G_TYPE_BOOLEAN, !cat_looked,
          "person-track-id", G_TYPE_UINT64, (guint64) 0, NULL));
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

static void
test_person_and_mode (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "fa/#");
  GstElement *sink = make_sink (&ctx, broker, "yard", FALSE);
  g_object_set (sink, "alert-on", "unknown,person",
      "person-min-duration", (guint64) (GST_SECOND / 2), NULL);
  ctx_start (&ctx, sink);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/mode/state", "away", NULL, 10000));

  /* Home Assistant says home: a person who never shows a face stays
   * silent (the cat is nobody: one person in view). */
  guint from = 0;
  GstClockTime pts = 0;
  fa_mqtt_test_publish (broker, "fa/mode/set", "home", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/mode/state", "home", &from, 10000));
  guint before = count_messages (&ctx, "facealert/switches", "mode", "home");
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (count_messages (&ctx, "facealert/switches", "mode", "home") == before
      && g_get_monotonic_time () < deadline) {
    push_frame (ctx.h, pts, NULL, 0);
    pts += FRAME;
    drain_bus (&ctx, 20 * GST_MSECOND);
  }
  g_assert_cmpuint (count_messages (&ctx, "facealert/switches", "mode", "home"), ==,
      before + 1);
  guint queued = 0;
  for (guint i = 0; i < 30; i++, pts += FRAME)
    push_person (ctx.h, pts, NULL, i >= 5);
  g_assert_false (queued_since (&ctx, &queued));
  guint person_from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/yard/person", "1", &person_from,
          10000));

  /* Away (the CLI this time): the person still there alerts, once. */
  const gchar *argv[] = { "facealert", "mode", "away", NULL };
  g_assert_cmpint (fa_test_run_argv (argv, NULL, NULL), ==, 0);
  before = count_messages (&ctx, "facealert/switches", "mode", "away");
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!queued_since (&ctx, &queued) && g_get_monotonic_time () < deadline) {
    push_person (ctx.h, pts, NULL, TRUE);
    pts += FRAME;
    drain_bus (&ctx, 20 * GST_MSECOND);
  }
  g_assert_cmpuint (count_messages (&ctx, "facealert/switches", "mode", "away"), ==,
      before + 1);
  g_assert_cmpuint (count_messages (&ctx, "facealert/alert", "status", "queued"), ==, 1);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/mode/state", "away", &from, 10000));
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 1, 10000), ==, 1);
  g_autoptr (GPtrArray) alerts = fa_mqtt_sub_messages (sub, "fa/alerts");
  g_autoptr (JsonObject) alert = parse_payload (g_ptr_array_index (alerts, 0));
  g_assert_cmpstr (json_object_get_string_member (alert, "rule"), ==, "person");

  /* Recognised now: a person identity on tracked_object_update. */
  for (guint i = 0; i < 5; i++, pts += FRAME)
    push_person (ctx.h, pts, "Carol", TRUE);
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/tracked_object_update", 1, 10000), ==, 1);
  g_autoptr (GPtrArray) updates = fa_mqtt_sub_messages (sub, "fa/tracked_object_update");
  g_autoptr (JsonObject) u = parse_payload (g_ptr_array_index (updates, 0));
  g_assert_cmpstr (json_object_get_string_member (u, "type"), ==, "person");
  g_assert_cmpstr (json_object_get_string_member (u, "name"), ==, "Carol");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (u, "id"),
          "-yard-person-40"));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "fa/yard/last_face", "Carol", NULL,
          10000));
  /* The cat never was anybody: no event is about track 41. */
  g_autoptr (GPtrArray) events = fa_mqtt_sub_messages (sub, "fa/events");
  for (guint i = 0; i < events->len; i++) {
    g_autoptr (JsonObject) e = parse_payload (g_ptr_array_index (events, i));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (e,
                "after"), "label"), ==, "person");
  }
  fa_mqtt_sub_free (sub);
  ctx_clear (&ctx);
  fa_mqtt_broker_free (broker);
}

/* ---- the broker goes away ------------------------------------------------------------------ */

static void
test_broker_restart (void)
{
  FaMqttBrokerOptions options = { .persistence = TRUE };
  FaMqttBroker *broker = fa_mqtt_broker_start (&options);
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  /* A subscriber with a persistent session, as Home Assistant has. */
  FaMqttSub *alerts = fa_mqtt_sub_new (broker, "test-alerts", "fa/alerts");
  ctx_start (&ctx, make_sink (&ctx, broker, "drive", FALSE));
  push_track (ctx.h, 0, 21, NULL, 5);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "status", "delivered", 1,
          10000), ==, 1);

  /* Forget what the broker holds of us, so only a re-announce brings it
   * back; then the broker goes away. */
  const gchar *retained[] = { "fa/available", "fa/drive/available",
    "homeassistant/binary_sensor/fa/drive_person/config",
    "homeassistant/switch/fa/drive_alerts/config",
    "homeassistant/select/fa/mode/config" };
  for (guint i = 0; i < G_N_ELEMENTS (retained); i++)
    fa_mqtt_test_publish (broker, retained[i], "", TRUE);
  fa_mqtt_broker_stop (broker);

  /* Three strangers while it is down: kept, retried. */
  for (guint t = 0; t < 3; t++)
    push_track (ctx.h, (1 + t) * GST_SECOND, 22 + t, NULL, 5);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "status", "queued", 4,
          5000), ==, 4);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "status", "retrying", 1,
          10000), >=, 1);
  g_assert_cmpuint (count_messages (&ctx, "facealert/alert", "status", "delivered"), ==, 1);
  g_assert_cmpuint (wait_messages (&ctx, "warning", NULL, NULL, 1, 10000), >=, 1);

  /* Back: reconnected, announced again, all three delivered. */
  fa_mqtt_broker_restart (broker);
  g_assert_cmpuint (wait_messages (&ctx, "facealert/alert", "status", "delivered", 4,
          15000), ==, 4);
  FaMqttSub *late = fa_mqtt_sub_new (broker, NULL, "#");
  for (guint i = 0; i < G_N_ELEMENTS (retained); i++)
    g_assert_cmpuint (fa_mqtt_sub_wait (late, retained[i], 1, 10000), ==, 1);
  g_autofree gchar *available = fa_mqtt_sub_last (late, "fa/available");
  g_assert_cmpstr (available, ==, "online");

  /* Each alert exactly once: everything before the barrier. */
  fa_mqtt_test_publish (broker, "fa/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (alerts, "fa/alerts", "barrier", NULL, 15000));
  g_autoptr (GPtrArray) got = fa_mqtt_sub_messages (alerts, "fa/alerts");
  g_assert_cmpuint (got->len, ==, 5);
  gboolean seen[4] = { FALSE };
  for (guint i = 0; i + 1 < got->len; i++) {
    g_autoptr (JsonObject) a = parse_payload (g_ptr_array_index (got, i));
    gint64 track = json_object_get_int_member (a, "track_id");
    g_assert_cmpint (track, >=, 21);
    g_assert_cmpint (track, <=, 24);
    g_assert_false (seen[track - 21]);
    seen[track - 21] = TRUE;
  }
  fa_mqtt_sub_free (late);
  fa_mqtt_sub_free (alerts);
  ctx_clear (&ctx);
  fa_mqtt_broker_free (broker);
}

/* ---- settings, passwords --------------------------------------------------------------------- */

static gchar *
start_error (Ctx *ctx, GstElement *sink)
{
  gst_element_set_bus (sink, ctx->bus);
  g_assert_cmpint (gst_element_set_state (sink, GST_STATE_PAUSED), ==,
      GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (ctx->bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  GError *error = NULL;
  gst_message_parse_error (msg, &error, NULL);
  gchar *text = g_strdup (error->message);
  g_error_free (error);
  gst_message_unref (msg);
  gst_bus_set_flushing (ctx->bus, TRUE);
  gst_bus_set_flushing (ctx->bus, FALSE);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  g_assert_null (strstr (text, PASSWORD));
  return text;
}

static void
test_settings_and_secrets (void)
{
  FaMqttBrokerOptions options = { .user = "ha", .password = PASSWORD };
  FaMqttBroker *broker = fa_mqtt_broker_start (&options);
  Ctx ctx = { 0 };
  ctx_init (&ctx);

  /* Bad settings fail at start with one clear line. */
  GstElement *sink = make_sink (&ctx, broker, "porch", FALSE);
  g_object_set (sink, "mqtt-broker", "http://127.0.0.1:1883", NULL);
  g_autofree gchar *e1 = start_error (&ctx, sink);
  g_assert_nonnull (strstr (e1, "mqtt:// or mqtts://"));
  sink = make_sink (&ctx, broker, "front/door", FALSE);
  g_autofree gchar *e2 = start_error (&ctx, sink);
  g_assert_nonnull (strstr (e2, "camera \"front/door\" cannot be used in MQTT topics"));
  g_autofree gchar *creds = g_build_filename (ctx.dir, "creds", NULL);
  g_assert_true (g_file_set_contents (creds, "username = ha\npassword = " PASSWORD "\n",
          -1, NULL));
  g_chmod (creds, 0644);
  sink = make_sink (&ctx, broker, "porch", FALSE);
  g_object_set (sink, "mqtt-user", NULL, "mqtt-password", NULL,
      "mqtt-credentials-file", creds, NULL);
  g_autofree gchar *e3 = start_error (&ctx, sink);
  g_assert_nonnull (strstr (e3, "chmod 600"));
  sink = gst_element_factory_make ("alertsink", NULL);
  GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (sink),
      "mqtt-password");
  g_assert_false (spec->flags & G_PARAM_READABLE);
  g_autofree gchar *e4 = start_error (&ctx, sink);
  g_assert_nonnull (strstr (e4, "mqtt-broker"));

  /* A wrong password: a warning that says so, alerts kept. */
  sink = make_sink (&ctx, broker, "porch", FALSE);
  g_object_set (sink, "mqtt-password", "wrong-" PASSWORD, NULL);
  ctx_start (&ctx, sink);
  push_track (ctx.h, 0, 31, NULL, 5);
  g_assert_cmpuint (wait_messages (&ctx, "warning", NULL, NULL, 1, 10000), >=, 1);
  gboolean said = FALSE;
  for (guint i = 0; i < ctx.messages->len; i++) {
    const gchar *text = gst_structure_get_string (g_ptr_array_index (ctx.messages, i),
        "text");
    said |= text != NULL && strstr (text, "not authorised") != NULL;
  }
  g_assert_true (said);
  ctx_stop (&ctx);

  /* The right one, from a private credentials file: the kept alert goes. */
  g_chmod (creds, 0600);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "fa/alerts");
  sink = make_sink (&ctx, broker, "porch", FALSE);
  g_object_set (sink, "mqtt-user", NULL, "mqtt-password", NULL,
      "mqtt-credentials-file", creds, NULL);
  ctx_start (&ctx, sink);
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "fa/alerts", 1, 10000), ==, 1);
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));
  ctx_stop (&ctx);
  fa_mqtt_sub_free (sub);

  /* No password anywhere: logs (alertsink at LOG, libfacealert and
   * libmosquitto at debug), bus messages
   * (checked as they came), the outbox, the household file. */
  g_assert_false (fa_test_logged_contains (PASSWORD));
  g_assert_true (fa_test_logged_contains ("not authorised"));   /* the check reads */
  const gchar *suffixes[] = { "", "-wal", ".lock" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    g_autofree gchar *file = g_strconcat (ctx.outbox, suffixes[i], NULL);
    g_autofree gchar *data = NULL;
    gsize size = 0;
    if (g_file_get_contents (file, &data, &size, NULL))
      g_assert_null (memmem (data, size, PASSWORD, strlen (PASSWORD)));
  }
  ctx_clear (&ctx);
  fa_mqtt_broker_free (broker);
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  if (argc > 1 && g_str_equal (argv[1], "--feeder"))
    return feeder_main (argc, argv);
  gst_debug_add_log_function (record_gst_log, NULL, NULL);
  gst_debug_set_threshold_from_string ("*:4,alertsink:9", TRUE);
  gst_debug_remove_log_function (gst_debug_log_default);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  fa_test_record_logs ();
  g_test_init (&argc, &argv, NULL);
  sns = fa_sns_fixture_start ();
  g_test_add_func ("/alertsink-mqtt/discovery-faces-alerts", test_discovery_faces_alerts);
  g_test_add_func ("/alertsink-mqtt/last-will", test_last_will);
  g_test_add_func ("/alertsink-mqtt/switch", test_switch);
  g_test_add_func ("/alertsink-mqtt/person-and-mode", test_person_and_mode);
  g_test_add_func ("/alertsink-mqtt/broker-restart", test_broker_restart);
  g_test_add_func ("/alertsink-mqtt/settings-and-secrets", test_settings_and_secrets);
  int ret = g_test_run ();
  fa_sns_fixture_stop (sns);
  return ret;
}
