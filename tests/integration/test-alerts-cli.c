/* Integration: real alertsinks write their SQLite outboxes (one failing with
 * a permanent error, one whose endpoint is down), then the `facealert alerts`
 * CLI lists, filters and shows them; a failed alert retried from the CLI is
 * delivered by a running alertsink to the real SNS-compatible server
 * (tests/support/sns-fixture.mjs); delivered alerts are purged; user errors
 * give one line and exit 1; no secret is ever stored or printed. */
#define _GNU_SOURCE   // memmem
#include "fa-meta.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define FRAME (GST_SECOND / 30)
#define RECORD "{\"DetectedFace\":{\"Confidence\":99.1},\"MatchedFaces\":[]}"

static FaSnsFixture *fixture;
static gchar *root, *outbox_dir, *snapshot_dir;

/* ---- the CLI ---- */

/* Runs `facealert alerts ARGS...`; returns the exit status. Every output is
 * checked for leaked secrets. */
static int
cli (gchar **out, gchar **err, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, "facealert");
  g_ptr_array_add (args, "alerts");
  va_list ap;
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gchar *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  gchar *o = NULL, *e = NULL;
  int status = fa_test_run_argv ((const gchar *const *) args->pdata, &o, &e);
  g_assert_null (strstr (o, "SeCrEt"));
  g_assert_null (strstr (e, "SeCrEt"));
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  return status;
}

/* `alerts ARGS... --output json` -> its "Alerts" array (asserts success). */
static JsonArray *
cli_list (const gchar *a1, const gchar *a2, const gchar *a3, const gchar *a4)
{
  g_autofree gchar *out = NULL, *err = NULL;
  /* The first NULL ends the arguments. */
  int status = cli (&out, &err, "list", "--output", "json", a1, a2, a3, a4, NULL);
  if (status != 0)
    g_error ("alerts list failed: %s", err);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  return json_array_ref (json_object_get_array_member (o, "Alerts"));
}

static JsonObject *
find_in (JsonArray *alerts, const gchar *id)
{
  for (guint i = 0; i < json_array_get_length (alerts); i++) {
    JsonObject *a = json_array_get_object_element (alerts, i);
    if (g_str_equal (json_object_get_string_member (a, "Id"), id))
      return a;
  }
  return NULL;
}

/* A user error: exit 1, nothing on stdout, one line on stderr with @expect. */
static void
assert_user_error (const gchar *expect, const gchar *a1, const gchar *a2,
    const gchar *a3, const gchar *a4, const gchar *a5)
{
  g_autofree gchar *out = NULL, *err = NULL;
  g_assert_cmpint (cli (&out, &err, a1, a2, a3, a4, a5, NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "facealert: "));
  g_assert_nonnull (strstr (err, expect));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);   /* one line */
}

/* ---- alertsinks, fed as facematch would ---- */

typedef struct {
  GstHarness *h;
  GstBus *bus;
} Sink;

static void
sink_start (Sink *sink, const gchar *camera, const gchar *endpoint)
{
  GstElement *e = gst_element_factory_make ("alertsink", NULL);
  g_assert_nonnull (e);
  /* outbox-location left unset: $FACEALERT_OUTBOX_DIR/CAMERA.sqlite */
  g_object_set (e, "endpoint", endpoint, "topic-arn", fixture->topic,
      "region", "us-east-1", "access-key", "AKIDALERTSCLI",
      "secret-key", "SeCrEt/NeverStored", "session-token", "SeCrEtToken",
      "camera", camera, "min-frames", 3, "cooldown", (guint64) 0,
      "request-timeout", (guint64) (2 * GST_SECOND),
      "retry-initial", (guint64) (50 * GST_MSECOND),
      "retry-max", (guint64) (200 * GST_MSECOND), NULL);
  sink->bus = gst_bus_new ();
  gst_element_set_bus (e, sink->bus);
  sink->h = gst_harness_new_with_element (e, "sink", NULL);
  gst_object_unref (e);
  gst_harness_set_src_caps_str (sink->h, "video/x-raw,format=I420,width=160,"
      "height=120,framerate=30/1");
  gst_harness_play (sink->h);
}

static void
sink_stop (Sink *sink)
{
  gst_harness_teardown (sink->h);
  gst_object_unref (sink->bus);
  sink->h = NULL;
  sink->bus = NULL;
}

/* One unknown face of @track for 6 frames (alerts after 3). */
static void
push_track (Sink *sink, guint track)
{
  for (guint i = 0; i < 6; i++) {
    GstBuffer *buffer = gst_harness_create_buffer (sink->h, 160 * 120 * 3 / 2);
    gst_buffer_memset (buffer, 0, 120, 160 * 120 * 3 / 2);
    GST_BUFFER_PTS (buffer) = (track * 10 + i) * FRAME;
    GST_BUFFER_DURATION (buffer) = FRAME;
    FaFace face = { .box = { 40, 24, 40, 48 }, .score = 0.93f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (FA_META_IDENTITY, "track-id", G_TYPE_UINT64,
            (guint64) track, "known", G_TYPE_BOOLEAN, FALSE, "name", G_TYPE_STRING, "",
            "face-id", G_TYPE_STRING, "", "similarity", G_TYPE_DOUBLE, 21.0,
            "decided", G_TYPE_BOOLEAN, TRUE, "record", G_TYPE_STRING, RECORD, NULL));
    g_assert_cmpint (gst_harness_push (sink->h, buffer), ==, GST_FLOW_OK);
  }
}

/* Waits (bounded) for @n "facealert/alert" messages with @status; their ids
 * are added to @ids (optional). Returns how many came. */
static guint
wait_alerts (Sink *sink, const gchar *status, guint n, GPtrArray *ids)
{
  guint count = 0;
  gint64 deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;
  while (count < n) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0)
      break;
    GstMessage *msg = gst_bus_timed_pop_filtered (sink->bus, left * GST_USECOND,
        GST_MESSAGE_ELEMENT);
    if (msg == NULL)
      break;
    const GstStructure *s = gst_message_get_structure (msg);
    if (gst_structure_has_name (s, "facealert/alert")
        && g_str_equal (gst_structure_get_string (s, "status"), status)) {
      count++;
      if (ids != NULL)
        g_ptr_array_add (ids, g_strdup (gst_structure_get_string (s, "id")));
    }
    gst_message_unref (msg);
  }
  return count;
}

static gboolean
dir_contains_secret (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_autofree gchar *data = NULL;
    gsize size = 0;
    if (g_file_get_contents (path, &data, &size, NULL)
        && memmem (data, size, "SeCrEt", 6) != NULL)
      return TRUE;
  }
  return FALSE;
}

/* ---- the scenario ---- */

static void
test_alerts_cli (void)
{
  /* No outbox yet: a clear error. */
  assert_user_error ("no outbox directory", "list", NULL, NULL, NULL, NULL);

  /* porch: its endpoint is misconfigured (a path the SNS server does not
   * serve: HTTP 404), so both alerts fail permanently. */
  g_autofree gchar *bad_endpoint = g_strconcat (fixture->endpoint, "misconfigured/", NULL);
  g_autoptr (GPtrArray) porch_ids = g_ptr_array_new_with_free_func (g_free);
  Sink porch = { 0 };
  sink_start (&porch, "porch", bad_endpoint);
  push_track (&porch, 1);
  push_track (&porch, 2);
  g_assert_cmpuint (wait_alerts (&porch, "failed", 2, porch_ids), ==, 2);
  sink_stop (&porch);
  const gchar *id1 = g_ptr_array_index (porch_ids, 0);
  const gchar *id2 = g_ptr_array_index (porch_ids, 1);

  /* garden: nothing listens at its endpoint: its alert stays pending. */
  gint64 mid_us = g_get_real_time ();
  g_autofree gchar *since = g_strdup_printf ("%.6f", mid_us / 1e6);
  g_autoptr (GPtrArray) garden_ids = g_ptr_array_new_with_free_func (g_free);
  Sink garden = { 0 };
  sink_start (&garden, "garden", "http://127.0.0.1:1/");
  push_track (&garden, 3);
  g_assert_cmpuint (wait_alerts (&garden, "retrying", 1, garden_ids), ==, 1);
  sink_stop (&garden);
  const gchar *id3 = g_ptr_array_index (garden_ids, 0);
  g_assert_cmpuint (fa_sns_fixture_count (fixture), ==, 0);

  /* list: everything, newest first, from both outboxes. */
  g_autoptr (JsonArray) all = cli_list (NULL, NULL, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (all), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (all, 0),
          "Id"), ==, id3);
  JsonObject *a1 = find_in (all, id1);
  g_assert_nonnull (a1);
  g_assert_cmpstr (json_object_get_string_member (a1, "State"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (a1, "Camera"), ==, "porch");
  g_assert_cmpstr (json_object_get_string_member (a1, "LastErrorCode"), ==, "HTTP 404");
  g_assert_cmpint (json_object_get_int_member (a1, "Attempts"), ==, 1);
  g_assert_true (json_object_get_null_member (a1, "MessageId"));
  g_assert_cmpstr (json_object_get_string_member (a1, "Subject"), ==,
      "Unknown face at porch");
  /* Its one target's delivery says the same. */
  JsonArray *targets = json_object_get_array_member (a1, "Deliveries");
  g_assert_cmpuint (json_array_get_length (targets), ==, 1);
  JsonObject *t1 = json_array_get_object_element (targets, 0);
  g_assert_cmpstr (json_object_get_string_member (t1, "Target"), ==, "sns");
  g_assert_cmpstr (json_object_get_string_member (t1, "State"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (t1, "LastErrorCode"), ==, "HTTP 404");
  JsonObject *a3 = find_in (all, id3);
  g_assert_cmpstr (json_object_get_string_member (a3, "State"), ==, "pending");
  g_assert_cmpstr (json_object_get_string_member (a3, "LastErrorCode"), ==,
      "ConnectFailure");
  g_assert_cmpint (json_object_get_int_member (a3, "Attempts"), >=, 1);
  g_assert_cmpfloat (json_object_get_double_member (a3, "CreatedTime"), >=, mid_us / 1e6);

  /* Filters. */
  g_autoptr (JsonArray) failed = cli_list ("--state", "failed", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (failed), ==, 2);
  g_assert_nonnull (find_in (failed, id1));
  g_assert_nonnull (find_in (failed, id2));
  g_autoptr (JsonArray) of_garden = cli_list ("--camera", "garden", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (of_garden), ==, 1);
  g_assert_nonnull (find_in (of_garden, id3));
  g_autoptr (JsonArray) recent = cli_list ("--since", since, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (recent), ==, 1);
  g_assert_nonnull (find_in (recent, id3));
  g_autoptr (JsonArray) newest = cli_list ("--limit", "2", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (newest), ==, 2);
  g_assert_nonnull (find_in (newest, id3));
  g_assert_nonnull (find_in (newest, id2));
  g_autofree gchar *garden_file = g_build_filename (outbox_dir, "garden.sqlite", NULL);
  g_autoptr (JsonArray) one_file = cli_list ("--outbox", garden_file, "--state", "failed");
  g_assert_cmpuint (json_array_get_length (one_file), ==, 0);

  /* Text: a header and one line per alert. */
  g_autofree gchar *text = NULL;
  g_assert_cmpint (cli (&text, NULL, "list", "--state", "failed", NULL), ==, 0);
  g_test_message ("alerts list --state failed:\n%s", text);
  g_auto (GStrv) lines = g_strsplit (g_strchomp (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "ID "));
  for (guint i = 1; i < 3; i++) {
    g_assert_nonnull (strstr (lines[i], " porch "));
    g_assert_nonnull (strstr (lines[i], " failed "));
    g_assert_nonnull (strstr (lines[i], "HTTP 404"));
  }

  /* show: the payload and its snapshots (by a unique id prefix). */
  g_autofree gchar *prefix = g_strndup (id1, 8);
  g_autofree gchar *shown = NULL;
  g_assert_cmpint (cli (&shown, NULL, "show", prefix, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, shown, -1, NULL));
  JsonObject *show = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (show, "Id"), ==, id1);
  JsonObject *payload = json_object_get_object_member (show, "Payload");
  g_assert_cmpstr (json_object_get_string_member (payload, "id"), ==, id1);
  g_assert_cmpstr (json_object_get_string_member (payload, "camera"), ==, "porch");
  g_assert_cmpint (json_object_get_int_member (payload, "track_id"), ==, 1);
  JsonObject *snaps = json_object_get_object_member (show, "Snapshots");
  const gchar *frame = json_object_get_string_member (snaps, "Frame");
  g_assert_true (g_str_has_prefix (frame, snapshot_dir));
  g_assert_true (g_file_test (frame, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (json_object_get_string_member (snaps, "Face"),
          G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (show,
              "MessageAttributes"), "camera"), ==, "porch");
  g_autofree gchar *shown_text = NULL;
  g_assert_cmpint (cli (&shown_text, NULL, "show", id1, NULL), ==, 0);
  g_test_message ("alerts show:\n%s", shown_text);
  g_assert_nonnull (strstr (shown_text, "State:           failed"));
  g_assert_nonnull (strstr (shown_text, frame));
  g_assert_nonnull (strstr (shown_text, "HTTP 404"));

  /* The user fixes porch's endpoint and restarts it: failed alerts are not
   * retried by themselves... */
  sink_start (&porch, "porch", fixture->endpoint);
  /* ...until `alerts retry ID`, which the running alertsink picks up. */
  g_autofree gchar *retried = NULL;
  g_assert_cmpint (cli (&retried, NULL, "retry", prefix, NULL), ==, 0);
  g_assert_nonnull (strstr (retried, id1));
  g_assert_cmpuint (wait_alerts (&porch, "delivered", 1, NULL), ==, 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, 1, 10000), ==, 1);
  JsonNode *deliveries = fa_sns_fixture_deliveries (fixture);
  JsonObject *p = fa_sns_fixture_payload (deliveries, 0);
  g_assert_cmpstr (json_object_get_string_member (p, "id"), ==, id1);   /* same id */
  json_object_unref (p);
  json_node_unref (deliveries);
  g_autoptr (JsonArray) delivered = cli_list ("--state", "delivered", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (delivered), ==, 1);
  JsonObject *d1 = find_in (delivered, id1);
  g_assert_nonnull (d1);
  g_assert_cmpuint (strlen (json_object_get_string_member (d1, "MessageId")), >, 0);
  g_assert_cmpint (json_object_get_int_member (d1, "Attempts"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (d1, "DeliveredTime"), >,
      json_object_get_double_member (d1, "CreatedTime"));

  /* A delivered alert is never sent again. */
  assert_user_error ("already delivered", "retry", id1, NULL, NULL, NULL);

  /* retry --failed --camera garden: nothing (garden's alert is pending). */
  g_autofree gchar *none = NULL;
  g_assert_cmpint (cli (&none, NULL, "retry", "--failed", "--camera", "garden", NULL), ==, 0);
  g_assert_cmpstr (none, ==, "requeued 0 failed alerts\n");
  /* retry --failed: porch's second alert, delivered once. */
  g_autofree gchar *requeued = NULL;
  g_assert_cmpint (cli (&requeued, NULL, "retry", "--failed", "--output", "json", NULL), ==, 0);
  g_assert_nonnull (strstr (requeued, "\"Requeued\" : 1"));
  g_assert_cmpuint (wait_alerts (&porch, "delivered", 1, NULL), ==, 1);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, 2, 10000), ==, 2);
  deliveries = fa_sns_fixture_deliveries (fixture);
  p = fa_sns_fixture_payload (deliveries, 1);
  g_assert_cmpstr (json_object_get_string_member (p, "id"), ==, id2);
  json_object_unref (p);
  json_node_unref (deliveries);

  /* purge --delivered, while porch's alertsink still holds its outbox. */
  g_autofree gchar *before = g_strdup_printf ("%" G_GINT64_FORMAT,
      g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree gchar *purged = NULL;
  g_assert_cmpint (cli (&purged, NULL, "purge", "--delivered", "--before", before, NULL),
      ==, 0);
  g_assert_true (g_str_has_prefix (purged, "purged 2 delivered alerts"));
  g_autoptr (JsonArray) left = cli_list (NULL, NULL, NULL, NULL);
  g_assert_cmpuint (json_array_get_length (left), ==, 1);
  g_assert_nonnull (find_in (left, id3));   /* pending: never purged */
  sink_stop (&porch);
  g_assert_cmpuint (fa_sns_fixture_count (fixture), ==, 2);

  /* User errors: one line, exit 1. */
  g_autofree gchar *missing = g_build_filename (root, "nope.sqlite", NULL);
  assert_user_error ("no outbox at", "list", "--outbox", missing, NULL, NULL);
  assert_user_error ("no alert 0123abcd", "show", "0123abcd", NULL, NULL, NULL);
  assert_user_error ("no alert 0123abcd", "retry", "0123abcd", NULL, NULL, NULL);
  assert_user_error ("--state must be pending, delivered, failed or all, not \"sent\"",
      "list", "--state", "sent", NULL, NULL);
  assert_user_error ("invalid time for --since: \"yesterday\"", "list", "--since",
      "yesterday", NULL, NULL);
  assert_user_error ("invalid time for --before", "purge", "--delivered", "--before",
      "soon", NULL);
  assert_user_error ("--before TIME is required", "purge", "--delivered", NULL, NULL, NULL);
  assert_user_error ("unknown alerts verb", "resend", NULL, NULL, NULL, NULL);

  /* Credentials were given to both alertsinks: none reached the outboxes. */
  g_assert_false (dir_contains_secret (outbox_dir));
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  root = fa_test_make_tmpdir ("fa-alerts-cli");
  outbox_dir = g_build_filename (root, "outbox", NULL);
  snapshot_dir = g_build_filename (root, "snapshots", NULL);
  /* For the alertsinks here and the CLI in child processes. */
  g_setenv ("FACEALERT_OUTBOX_DIR", outbox_dir, TRUE);
  g_setenv ("FACEALERT_SNAPSHOTS_DIR", snapshot_dir, TRUE);
  fixture = fa_sns_fixture_start ();
  g_test_add_func ("/alerts-cli/list-show-retry-purge", test_alerts_cli);
  int ret = g_test_run ();
  fa_sns_fixture_stop (fixture);
  fa_test_rm_rf (root);
  return ret;
}
