/* alertsink against a real SNS-compatible server (serverless-offline-sns) and
 * an HTTP subscriber, both run by the test on 127.0.0.1: alert rules, message
 * content, snapshots, errors, and faults (server down, SIGKILL + restart).
 * Faces are made here as facematch would: ROI meta "face" with
 * "facealert/detection" and "facealert/identity". */
#include "fa-meta.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WIDTH 160
#define HEIGHT 120
#define FRAME (GST_SECOND / 30)
#define RECORD "{\"DetectedFace\":{\"BoundingBox\":{\"Left\":0.25,\"Top\":0.2," \
  "\"Width\":0.25,\"Height\":0.33},\"Confidence\":99.1},\"MatchedFaces\":[]}"

static FaSnsFixture *fixture;

typedef struct {
  guint64 track;
  gboolean known;
} Face;

static void
push_frame (GstHarness *h, GstClockTime pts, const Face *faces, guint n)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, WIDTH * HEIGHT * 3 / 2);
  gst_buffer_memset (buffer, 0, 120, WIDTH * HEIGHT * 3 / 2);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DURATION (buffer) = FRAME;
  for (guint i = 0; i < n; i++) {
    FaFace face = { .box = { 40 + 10 * i, 24, 40, 48 }, .score = 0.93f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (FA_META_IDENTITY,
            "track-id", G_TYPE_UINT64, faces[i].track,
            "known", G_TYPE_BOOLEAN, faces[i].known,
            "name", G_TYPE_STRING, faces[i].known ? "Bob" : "",
            "face-id", G_TYPE_STRING, faces[i].known ? "4e8f9a2c-bob" : "",
            "similarity", G_TYPE_DOUBLE, faces[i].known ? 98.5 : 21.0,
            "decided", G_TYPE_BOOLEAN, TRUE,
            "record", G_TYPE_STRING, RECORD, NULL));
  }
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

/* Pushes @frames frames of one face from @start. */
static void
push_track (GstHarness *h, GstClockTime start, guint64 track, gboolean known,
    guint frames)
{
  Face face = { track, known };
  for (guint i = 0; i < frames; i++)
    push_frame (h, start + i * FRAME, &face, 1);
}

typedef struct {
  gchar *dir;
  gchar *outbox;
  gchar *snapshots;
  GstBus *bus;
  GstHarness *h;
} Ctx;

static GstElement *
make_sink (Ctx *ctx, const gchar *topic)
{
  GstElement *sink = gst_element_factory_make ("alertsink", NULL);
  g_assert_nonnull (sink);
  g_object_set (sink, "endpoint", fixture->endpoint, "topic-arn", topic,
      "region", "us-east-1", "access-key", "AKIDFACEALERTTEST",
      "secret-key", "SeCrEt/NeverInLogs", "camera", "front-door",
      "outbox-location", ctx->outbox, "snapshot-dir", ctx->snapshots,
      "min-frames", 3, "cooldown", (guint64) 0,
      "retry-initial", (guint64) (50 * GST_MSECOND),
      "retry-max", (guint64) (300 * GST_MSECOND),
      "drain-timeout", (guint64) (15 * GST_SECOND), NULL);
  return sink;
}

static void
ctx_init (Ctx *ctx)
{
  ctx->dir = fa_test_make_tmpdir ("fa-alertsink");
  ctx->outbox = g_build_filename (ctx->dir, "state", "outbox.sqlite", NULL);
  ctx->snapshots = g_build_filename (ctx->dir, "snapshots", NULL);
  ctx->bus = gst_bus_new ();
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
ctx_clear (Ctx *ctx)
{
  if (ctx->h != NULL)
    gst_harness_teardown (ctx->h);
  gst_object_unref (ctx->bus);
  fa_test_rm_rf (ctx->dir);
  g_free (ctx->dir);
  g_free (ctx->outbox);
  g_free (ctx->snapshots);
}

/* Waits (bounded) for @n "facealert/alert" messages with @status; returns
 * how many came. Other messages are checked for leaked secrets. */
static guint
wait_alerts (GstBus *bus, const gchar *status, guint n, guint timeout_ms)
{
  guint count = 0;
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  while (count < n) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0)
      break;
    GstMessage *msg = gst_bus_timed_pop (bus, left * GST_USECOND);
    if (msg == NULL)
      break;
    const GstStructure *s = gst_message_get_structure (msg);
    if (s != NULL) {
      gchar *text = gst_structure_to_string (s);
      g_assert_null (strstr (text, "SeCrEt"));
      g_free (text);
    }
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (s, "facealert/alert")
        && g_str_equal (gst_structure_get_string (s, "status"), status))
      count++;
    gst_message_unref (msg);
  }
  return count;
}

static void
push_eos (GstHarness *h)
{
  g_assert_true (gst_harness_push_event (h, gst_event_new_eos ()));
}

static gboolean
is_private_file (const gchar *path)
{
  GStatBuf st;
  return g_stat (path, &st) == 0 && (st.st_mode & 0777) == 0600;
}

/* ---- rules ---- */

static void
test_unknown_one_alert_per_track (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);
  ctx_start (&ctx, make_sink (&ctx, fixture->topic));
  /* Two unknown people; each stays 20 frames (alert after 3). Flicker (a
   * track seen twice) never alerts. */
  push_track (ctx.h, 0, 7, FALSE, 2);
  for (guint i = 0; i < 20; i++) {
    Face faces[2] = { { 11, FALSE }, { 12, FALSE } };
    push_frame (ctx.h, (10 + i) * FRAME, faces, 2);
  }
  g_assert_cmpuint (wait_alerts (ctx.bus, "queued", 2, 5000), ==, 2);
  push_eos (ctx.h);   /* drains the outbox */
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 2, 10000), ==, before + 2);
  gst_harness_teardown (ctx.h);
  ctx.h = NULL;

  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (deliveries)), ==, before + 2);
  gint64 tracks = 0;
  for (guint i = before; i < before + 2; i++) {
    JsonObject *d = json_array_get_object_element (json_node_get_array (deliveries), i);
    JsonObject *body = json_object_get_object_member (d, "body");
    g_assert_cmpstr (json_object_get_string_member (body, "TopicArn"), ==, fixture->topic);
    g_assert_cmpstr (json_object_get_string_member (body, "Subject"), ==,
        "Unknown face at front-door");
    g_autofree gchar *line = fa_sns_fixture_default_line (deliveries, i);
    g_assert_true (g_str_has_prefix (line, "Unknown face at front-door "));
    g_assert_true (g_regex_match_simple ("^Unknown face at front-door \\d\\d:\\d\\d:\\d\\d$",
            line, 0, 0));
    JsonObject *p = fa_sns_fixture_payload (deliveries, i);
    g_assert_cmpstr (json_object_get_string_member (p, "camera"), ==, "front-door");
    g_assert_cmpstr (json_object_get_string_member (p, "event"), ==, "unknown-face");
    g_assert_false (json_object_get_boolean_member (p, "known"));
    tracks += json_object_get_int_member (p, "track_id");
    g_assert_cmpfloat (json_object_get_double_member (p, "similarity"), ==, 21.0);
    JsonObject *box = json_object_get_object_member (p, "face_box");
    g_assert_cmpint (json_object_get_int_member (box, "width"), ==, 40);
    JsonObject *record = json_object_get_object_member (p, "record");
    g_assert_nonnull (record);
    g_assert_true (json_object_has_member (record, "DetectedFace"));
    JsonObject *snap = json_object_get_object_member (p, "snapshot");
    const gchar *frame = json_object_get_string_member (snap, "frame");
    const gchar *crop = json_object_get_string_member (snap, "face");
    g_assert_true (g_str_has_prefix (frame, ctx.snapshots));
    g_assert_true (is_private_file (frame));
    g_assert_true (is_private_file (crop));
    g_autoptr (GError) error = NULL;
    g_autofree gchar *jpeg = NULL;
    gsize size = 0;
    g_assert_true (g_file_get_contents (frame, &jpeg, &size, &error));
    g_assert_cmpuint (size, >, 100);
    g_assert_cmpint ((guchar) jpeg[0], ==, 0xff);
    g_assert_cmpint ((guchar) jpeg[1], ==, 0xd8);
    json_object_unref (p);
  }
  g_assert_cmpint (tracks, ==, 11 + 12);
  g_assert_true (is_private_file (ctx.outbox));
  json_node_unref (deliveries);
  ctx_clear (&ctx);
}

static void
test_known_no_alert (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);
  ctx_start (&ctx, make_sink (&ctx, fixture->topic));
  /* Bob (known) first, then a stranger: only the stranger alerts, and since
   * the outbox is in order, a known-face alert would have come first. */
  push_track (ctx.h, 0, 21, TRUE, 30);
  push_track (ctx.h, 30 * FRAME, 22, FALSE, 10);
  g_assert_cmpuint (wait_alerts (ctx.bus, "delivered", 1, 10000), ==, 1);
  push_eos (ctx.h);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 1, 10000), ==, before + 1);
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (deliveries)), ==, before + 1);
  JsonObject *p = fa_sns_fixture_payload (deliveries, before);
  g_assert_cmpint (json_object_get_int_member (p, "track_id"), ==, 22);
  json_object_unref (p);
  json_node_unref (deliveries);
  ctx_clear (&ctx);
}

static void
test_cooldown (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);
  GstElement *sink = make_sink (&ctx, fixture->topic);
  g_object_set (sink, "cooldown", (guint64) (10 * GST_SECOND), NULL);
  ctx_start (&ctx, sink);
  /* Stream time: A at 0 s alerts; B at 2 s and C at 5 s are held back by
   * the 10 s cooldown and leave; D at 12 s alerts. */
  push_track (ctx.h, 0, 31, FALSE, 10);
  push_track (ctx.h, 2 * GST_SECOND, 32, FALSE, 10);
  push_track (ctx.h, 5 * GST_SECOND, 33, FALSE, 10);
  push_track (ctx.h, 12 * GST_SECOND, 34, FALSE, 10);
  push_eos (ctx.h);
  g_assert_cmpuint (wait_alerts (ctx.bus, "queued", 3, 2000), ==, 2);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 2, 10000), ==, before + 2);
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (deliveries)), ==, before + 2);
  JsonObject *a = fa_sns_fixture_payload (deliveries, before);
  JsonObject *d = fa_sns_fixture_payload (deliveries, before + 1);
  g_assert_cmpint (json_object_get_int_member (a, "track_id"), ==, 31);
  g_assert_cmpint (json_object_get_int_member (d, "track_id"), ==, 34);
  json_object_unref (a);
  json_object_unref (d);
  json_node_unref (deliveries);
  ctx_clear (&ctx);
}

/* ---- persons and pets ---- */

/* An object ROI as objectdetect attaches it ("facealert/object"). */
static GstVideoRegionOfInterestMeta *
add_object (GstBuffer *buffer, const gchar *label, guint x, guint y, guint w,
    guint h)
{
  GstVideoRegionOfInterestMeta *roi =
      gst_buffer_add_video_region_of_interest_meta (buffer, label, x, y, w, h);
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new (FA_META_OBJECT, "label", G_TYPE_STRING, label,
          "score", G_TYPE_DOUBLE, 0.8, "class-id", G_TYPE_INT,
          g_str_equal (label, "person") ? 0 : 15, "method", G_TYPE_STRING,
          "yolox", "fresh", G_TYPE_BOOLEAN, TRUE, NULL));
  return roi;
}

/* @seconds of frames with one person (track 5, as facematch tracks it)
 * whose face is never seen, beside a cat whose "face" facematch vetoed. */
static void
push_person_and_cat (GstHarness *h, gdouble seconds)
{
  for (guint i = 0; i * FRAME < seconds * GST_SECOND; i++) {
    GstBuffer *buffer = gst_harness_create_buffer (h, WIDTH * HEIGHT * 3 / 2);
    gst_buffer_memset (buffer, 0, 90, WIDTH * HEIGHT * 3 / 2);
    GST_BUFFER_PTS (buffer) = i * FRAME;
    GST_BUFFER_DURATION (buffer) = FRAME;
    GstVideoRegionOfInterestMeta *person = add_object (buffer, "person", 10, 5,
        50, 110);
    gst_video_region_of_interest_meta_add_param (person,
        gst_structure_new (FA_META_PERSON, "track-id", G_TYPE_UINT64,
            (guint64) 5, "known", G_TYPE_BOOLEAN, FALSE, "decided",
            G_TYPE_BOOLEAN, FALSE, "name", G_TYPE_STRING, "", "similarity",
            G_TYPE_DOUBLE, 0.0, "face-track-id", G_TYPE_UINT64, (guint64) 0,
            NULL));
    add_object (buffer, "cat", 90, 60, 60, 50);
    FaFace face = { .box = { 105, 65, 30, 30 }, .score = 0.9f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (FA_META_IDENTITY, "track-id", G_TYPE_UINT64,
            (guint64) 1, "known", G_TYPE_BOOLEAN, FALSE, "name", G_TYPE_STRING,
            "", "face-id", G_TYPE_STRING, "", "similarity", G_TYPE_DOUBLE, 0.0,
            "decided", G_TYPE_BOOLEAN, FALSE, "vetoed", G_TYPE_BOOLEAN, TRUE,
            "person-track-id", G_TYPE_UINT64, (guint64) 0, NULL));
    g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
  }
}

/* How many alerts a person who never shows a face (and a cat) raise under
 * @alert_on, in @seconds of video. */
static guint
person_alerts (Ctx *ctx, const gchar *alert_on, gdouble seconds)
{
  GstElement *sink = make_sink (ctx, fixture->topic);
  g_object_set (sink, "alert-on", alert_on, NULL);
  ctx_start (ctx, sink);
  push_person_and_cat (ctx->h, seconds);
  push_eos (ctx->h);   /* every render() and its queued message are done */
  guint n = wait_alerts (ctx->bus, "queued", 2, 200);
  gst_harness_teardown (ctx->h);
  ctx->h = NULL;
  return n;
}

static void
test_person_rule (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);

  /* Not asked for, too short, pets only: no alert. */
  g_assert_cmpuint (person_alerts (&ctx, "unknown", 4), ==, 0);
  g_assert_cmpuint (person_alerts (&ctx, "all", 4), ==, 0);
  g_assert_cmpuint (person_alerts (&ctx, "unknown,person", 1.5), ==, 0);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 1, 300), ==, before);

  /* unknown,person: one alert for the person, never one for the cat. */
  g_assert_cmpuint (person_alerts (&ctx, "unknown,person", 4), ==, 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 1, 10000), ==, before + 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 2, 300), ==, before + 1);
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  JsonObject *d = json_array_get_object_element (json_node_get_array (deliveries), before);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (d,
              "body"), "Subject"), ==, "Person at front-door (face not seen)");
  JsonObject *p = fa_sns_fixture_payload (deliveries, before);
  g_assert_cmpstr (json_object_get_string_member (p, "event"), ==, "person");
  g_assert_cmpstr (json_object_get_string_member (p, "rule"), ==, "person");
  g_assert_cmpint (json_object_get_int_member (p, "person_track_id"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (p, "track_id"), ==, 5);
  JsonObject *box = json_object_get_object_member (p, "person_box");
  g_assert_cmpint (json_object_get_int_member (box, "x"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (box, "height"), ==, 110);
  g_assert_false (json_object_has_member (p, "face_box"));
  /* 2 s (the default person-min-duration) after the person came in. */
  g_assert_cmpint (json_object_get_int_member (p, "pts_ns"), >=, 2 * GST_SECOND);
  g_assert_cmpint (json_object_get_int_member (p, "pts_ns"), <, 2 * GST_SECOND + 2 * FRAME);
  JsonObject *snap = json_object_get_object_member (p, "snapshot");
  const gchar *crop = json_object_get_string_member (snap, "person");
  g_assert_true (g_str_has_prefix (crop, ctx.snapshots));
  g_assert_true (g_str_has_suffix (crop, "-person.jpg"));
  g_assert_true (is_private_file (crop));
  g_assert_true (is_private_file (json_object_get_string_member (snap, "frame")));
  g_assert_false (json_object_has_member (snap, "face"));
  json_object_unref (p);
  json_node_unref (deliveries);
  ctx_clear (&ctx);
}

/* ---- bad settings ---- */

static gchar *
start_error (GstElement *sink, GstBus *bus)
{
  gst_element_set_bus (sink, bus);
  g_assert_cmpint (gst_element_set_state (sink, GST_STATE_PAUSED), ==,
      GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_error (msg, &error, &debug);
  gchar *text = g_strdup_printf ("%s | %s", error->message, debug ? debug : "");
  g_assert_null (strstr (text, "SeCrEt"));
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  /* basesink adds a generic fallback error: drop it. */
  gst_bus_set_flushing (bus, TRUE);
  gst_bus_set_flushing (bus, FALSE);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  return text;
}

static void
test_bad_settings (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  GstElement *sink = make_sink (&ctx, fixture->topic);
  g_object_set (sink, "endpoint", "htp:/nowhere", NULL);
  g_autofree gchar *e1 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e1, "bad SNS endpoint \"htp:/nowhere\""));

  /* No credentials anywhere. */
  g_autofree gchar *none = g_build_filename (ctx.dir, "no-credentials", NULL);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", none, TRUE);
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  sink = make_sink (&ctx, fixture->topic);
  g_object_set (sink, "access-key", NULL, "secret-key", NULL, NULL);
  g_autofree gchar *e2 = start_error (sink, ctx.bus);
  g_test_message ("e2: %s", e2);
  g_assert_nonnull (strstr (e2, "no AWS credentials"));
  g_assert_nonnull (strstr (e2, "AWS_ACCESS_KEY_ID"));

  sink = make_sink (&ctx, NULL);
  g_autofree gchar *e3 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e3, "topic-arn"));

  /* Secrets are write-only. */
  sink = make_sink (&ctx, fixture->topic);
  GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "secret-key");
  g_assert_false (spec->flags & G_PARAM_READABLE);
  spec = g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "session-token");
  g_assert_false (spec->flags & G_PARAM_READABLE);
  gst_object_unref (sink);
  ctx_clear (&ctx);
}

static void
test_bad_alert_on (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  GstElement *sink = make_sink (&ctx, fixture->topic);
  g_object_set (sink, "alert-on", "unknown,pets", NULL);
  g_autofree gchar *e = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e, "alert-on: \"pets\" is not a rule"));
  ctx_clear (&ctx);
}

/* A DNS failure at runtime: a warning naming the problem, the alert kept. */
static void
test_dns_failure_warns (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  GstElement *sink = make_sink (&ctx, fixture->topic);
  g_object_set (sink, "endpoint", "https://sns.facealert.invalid/",
      "drain-timeout", (guint64) (200 * GST_MSECOND), NULL);
  ctx_start (&ctx, sink);
  push_track (ctx.h, 0, 41, FALSE, 5);
  GstMessage *msg = gst_bus_timed_pop_filtered (ctx.bus, 10 * GST_SECOND,
      GST_MESSAGE_WARNING);
  g_assert_nonnull (msg);
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_warning (msg, &error, &debug);
  g_assert_nonnull (strstr (debug, "DNS lookup failed"));
  g_assert_null (strstr (debug, "SeCrEt"));
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  push_eos (ctx.h);   /* bounded: 200 ms, then a warning; the alert stays */
  gst_harness_teardown (ctx.h);
  ctx.h = NULL;
  ctx_clear (&ctx);
}

/* ---- faults ---- */

static void
test_server_down_then_back (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);
  fa_sns_fixture_sns_stop (fixture);
  ctx_start (&ctx, make_sink (&ctx, fixture->topic));
  for (guint64 t = 0; t < 3; t++)
    push_track (ctx.h, t * GST_SECOND, 51 + t, FALSE, 5);
  g_assert_cmpuint (wait_alerts (ctx.bus, "retrying", 2, 10000), ==, 2);
  g_assert_cmpuint (fa_sns_fixture_count (fixture), ==, before);
  fa_sns_fixture_sns_start (fixture);
  push_eos (ctx.h);   /* drain: everything delivered */
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 3, 15000), ==, before + 3);
  gst_harness_teardown (ctx.h);
  ctx.h = NULL;
  /* Nothing else was published: a 4th delivery would be a duplicate. */
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 4, 500), ==, before + 3);
  /* Each track's alert exactly once. Not in order: the outbox publishes in
   * order, but SNS (and the local server) deliver to subscribers concurrently. */
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean track_seen[3] = { FALSE, FALSE, FALSE };
  for (guint i = before; i < before + 3; i++) {
    JsonObject *p = fa_sns_fixture_payload (deliveries, i);
    g_assert_true (g_hash_table_add (ids, g_strdup (json_object_get_string_member (p, "id"))));
    gint64 track = json_object_get_int_member (p, "track_id");
    g_assert_cmpint (track, >=, 51);
    g_assert_cmpint (track, <=, 53);
    g_assert_false (track_seen[track - 51]);
    track_seen[track - 51] = TRUE;
    json_object_unref (p);
  }
  json_node_unref (deliveries);
  ctx_clear (&ctx);
}

/* The feeder: this binary re-run as a separate process. */
static int
feeder_main (int argc, char **argv)
{
  /* --feeder ENDPOINT TOPIC OUTBOX SNAPSHOTS N_TRACKS kill|drain */
  g_assert_cmpint (argc, ==, 8);
  FaSnsFixture fx = { .endpoint = argv[2] };
  fixture = &fx;
  Ctx ctx = { 0 };
  ctx.outbox = argv[4];
  ctx.snapshots = argv[5];
  ctx.bus = gst_bus_new ();
  guint n = atoi (argv[6]);
  ctx_start (&ctx, make_sink (&ctx, argv[3]));
  for (guint i = 0; i < n; i++)
    push_track (ctx.h, i * GST_SECOND, 61 + i, FALSE, 5);
  guint queued = wait_alerts (ctx.bus, "queued", n, 10000);
  printf ("queued %u\n", queued);
  fflush (stdout);
  if (g_str_equal (argv[7], "kill")) {
    while (TRUE)
      g_usleep (G_USEC_PER_SEC);   /* until SIGKILL */
  }
  push_eos (ctx.h);
  gst_harness_teardown (ctx.h);
  return 0;
}

static void
run_feeder (const gchar *outbox, const gchar *snapshots, guint n, const gchar *mode,
    gboolean kill_it)
{
  g_autofree gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *n_text = g_strdup_printf ("%u", n);
  GError *error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE,
      &error, self_exe, "--feeder", fixture->endpoint, fixture->topic, outbox,
      snapshots, n_text, mode, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (p));
  g_autofree gchar *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autofree gchar *expected = g_strdup_printf ("queued %u", n);
  g_assert_cmpstr (line, ==, expected);
  if (kill_it)
    g_subprocess_send_signal (p, SIGKILL);
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  if (kill_it) {
    g_assert_true (g_subprocess_get_if_signaled (p));
    g_assert_cmpint (g_subprocess_get_term_sig (p), ==, SIGKILL);
  } else {
    g_assert_true (g_subprocess_get_successful (p));
  }
}

static void
test_sigkill_then_restart (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  guint before = fa_sns_fixture_count (fixture);
  fa_sns_fixture_sns_stop (fixture);
  /* Alerts happen while SNS is down; the process is SIGKILLed. */
  run_feeder (ctx.outbox, ctx.snapshots, 3, "kill", TRUE);
  fa_sns_fixture_sns_start (fixture);
  g_assert_cmpuint (fa_sns_fixture_count (fixture), ==, before);
  /* Restarted with no new faces: the pending alerts go out, drained at EOS. */
  run_feeder (ctx.outbox, ctx.snapshots, 0, "drain", FALSE);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 3, 15000), ==, before + 3);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 4, 500), ==, before + 3);
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  gint64 tracks = 0;
  for (guint i = before; i < before + 3; i++) {
    JsonObject *p = fa_sns_fixture_payload (deliveries, i);
    tracks += json_object_get_int_member (p, "track_id");
    json_object_unref (p);
  }
  g_assert_cmpint (tracks, ==, 61 + 62 + 63);
  json_node_unref (deliveries);
  /* A third start sends nothing again. */
  run_feeder (ctx.outbox, ctx.snapshots, 0, "drain", FALSE);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, before + 4, 500), ==, before + 3);
  ctx_clear (&ctx);
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  if (argc > 1 && g_str_equal (argv[1], "--feeder"))
    return feeder_main (argc, argv);
  g_test_init (&argc, &argv, NULL);
  fixture = fa_sns_fixture_start ();
  g_test_add_func ("/alertsink/unknown-one-alert-per-track", test_unknown_one_alert_per_track);
  g_test_add_func ("/alertsink/known-no-alert", test_known_no_alert);
  g_test_add_func ("/alertsink/cooldown", test_cooldown);
  g_test_add_func ("/alertsink/bad-settings", test_bad_settings);
  g_test_add_func ("/alertsink/bad-alert-on", test_bad_alert_on);
  g_test_add_func ("/alertsink/person-rule-and-pets", test_person_rule);
  g_test_add_func ("/alertsink/dns-failure-warns", test_dns_failure_warns);
  g_test_add_func ("/alertsink/faults/server-down-then-back", test_server_down_then_back);
  g_test_add_func ("/alertsink/faults/sigkill-then-restart", test_sigkill_then_restart);
  int ret = g_test_run ();
  fa_sns_fixture_stop (fixture);
  return ret;
}
