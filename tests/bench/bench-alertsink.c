/* alertsink benchmark (on demand: meson test -C build --benchmark alertsink,
 * or run build/tests/bench/bench-alertsink under the test env).
 *
 * Against the real SNS fixture on 127.0.0.1:
 *   baseline  direct fa_sns_client_publish() calls: latency from the call to
 *             the subscriber receiving the notification, and publishes/s;
 *   alertsink latency from pushing the buffer that completes the decision
 *             (the min-frames-th frame of a new unknown track) to the
 *             subscriber receiving the alert (p50, p95), and alerts/s when
 *             many are queued at once; ratios against the baseline. */
#include "fa-meta.h"
#include "fa-sns.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <stdio.h>
#include <stdlib.h>

#define N_LATENCY 40
#define N_BURST 150

static gint64
last_received_ms (FaSnsFixture *fx, guint index)
{
  JsonNode *d = fa_sns_fixture_deliveries (fx);
  JsonObject *o = json_array_get_object_element (json_node_get_array (d), index);
  gint64 ms = json_object_get_int_member (o, "received_ms");
  json_node_unref (d);
  return ms;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (double *v, guint n, double p)
{
  qsort (v, n, sizeof (double), cmp_double);
  guint i = (guint) (p * (n - 1) + 0.5);
  return v[i];
}

static void
push_frame (GstHarness *h, GstClockTime pts, guint64 track)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, 320 * 240 * 3 / 2);
  gst_buffer_memset (buffer, 0, 100, 320 * 240 * 3 / 2);
  GST_BUFFER_PTS (buffer) = pts;
  FaFace face = { .box = { 100, 60, 80, 96 }, .score = 0.9f };
  GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
  gst_video_region_of_interest_meta_add_param (roi, gst_structure_new (FA_META_IDENTITY,
          "track-id", G_TYPE_UINT64, track, "known", G_TYPE_BOOLEAN, FALSE,
          "name", G_TYPE_STRING, "", "face-id", G_TYPE_STRING, "",
          "similarity", G_TYPE_DOUBLE, 30.0, "decided", G_TYPE_BOOLEAN, TRUE,
          "record", G_TYPE_STRING, "{\"MatchedFaces\":[]}", NULL));
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  FaSnsFixture *fx = fa_sns_fixture_start ();
  g_autoptr (FaAwsCredentials) creds = fa_aws_credentials_new ("AKIDBENCH", "benchsecret", NULL);
  g_autoptr (FaSnsClient) client = fa_sns_client_new (fx->endpoint, "us-east-1", creds, NULL);
  double base_lat[N_LATENCY], sink_lat[N_LATENCY];
  guint count = 0;

  /* Baseline: direct publishes, one at a time. */
  for (guint i = 0; i < N_LATENCY; i++) {
    FaSnsMessage m = { .topic_arn = fx->topic, .subject = "bench",
      .message = "{\"default\":\"bench\",\"http\":\"{}\"}", .json_structure = TRUE };
    gint64 t0 = g_get_real_time ();
    g_autofree gchar *id = fa_sns_client_publish (client, &m, NULL);
    g_assert_nonnull (id);
    g_assert_cmpuint (fa_sns_fixture_wait_count (fx, ++count, 5000), ==, count);
    base_lat[i] = last_received_ms (fx, count - 1) - t0 / 1000.0;
  }
  gint64 t0 = g_get_real_time ();
  for (guint i = 0; i < N_BURST; i++) {
    FaSnsMessage m = { .topic_arn = fx->topic, .message = "burst" };
    g_autofree gchar *id = fa_sns_client_publish (client, &m, NULL);
    g_assert_nonnull (id);
  }
  count += N_BURST;
  g_assert_cmpuint (fa_sns_fixture_wait_count (fx, count, 20000), ==, count);
  double base_rate = N_BURST / ((last_received_ms (fx, count - 1) - t0 / 1000.0) / 1000.0);

  /* alertsink. */
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-bench-alert");
  g_autofree gchar *outbox = g_build_filename (dir, "outbox.sqlite", NULL);
  g_autofree gchar *snaps = g_build_filename (dir, "snapshots", NULL);
  GstElement *sink = gst_element_factory_make ("alertsink", NULL);
  g_object_set (sink, "endpoint", fx->endpoint, "topic-arn", fx->topic,
      "access-key", "AKIDBENCH", "secret-key", "benchsecret", "camera", "bench",
      "outbox-location", outbox, "snapshot-dir", snaps, "min-frames", 3,
      "cooldown", (guint64) 0, "drain-timeout", (guint64) (30 * GST_SECOND), NULL);
  GstHarness *h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=320,height=240,framerate=30/1");
  gst_harness_play (h);
  GstClockTime pts = 0;
  for (guint i = 0; i < N_LATENCY; i++) {
    push_frame (h, pts += GST_MSECOND, 1000 + i);
    push_frame (h, pts += GST_MSECOND, 1000 + i);
    gint64 start = g_get_real_time ();
    push_frame (h, pts += GST_MSECOND, 1000 + i);   /* completes the decision */
    g_assert_cmpuint (fa_sns_fixture_wait_count (fx, ++count, 5000), ==, count);
    sink_lat[i] = last_received_ms (fx, count - 1) - start / 1000.0;
  }
  gint64 burst_start = g_get_real_time ();
  for (guint i = 0; i < N_BURST; i++)
    for (guint k = 0; k < 3; k++)
      push_frame (h, pts += GST_MSECOND, 5000 + i);
  double render_ms = (g_get_real_time () - burst_start) / 1000.0;
  count += N_BURST;
  g_assert_cmpuint (fa_sns_fixture_wait_count (fx, count, 60000), ==, count);
  double sink_rate = N_BURST / ((last_received_ms (fx, count - 1) - burst_start / 1000.0) / 1000.0);
  gst_harness_push_event (h, gst_event_new_eos ());
  gst_harness_teardown (h);

  double b50 = percentile (base_lat, N_LATENCY, 0.5), b95 = percentile (base_lat, N_LATENCY, 0.95);
  double s50 = percentile (sink_lat, N_LATENCY, 0.5), s95 = percentile (sink_lat, N_LATENCY, 0.95);
  printf ("alertsink benchmark (serverless-offline-sns on 127.0.0.1, %d latency samples, "
      "%d-alert burst, 320x240 I420, snapshots on)\n", N_LATENCY, N_BURST);
  printf ("baseline direct publish: latency p50 %.1f ms, p95 %.1f ms; %.1f publishes/s\n",
      b50, b95, base_rate);
  printf ("alertsink: latency p50 %.1f ms, p95 %.1f ms (x%.2f / x%.2f of baseline); "
      "%.1f alerts/s (x%.2f of baseline)\n", s50, s95, s50 / MAX (b50, 0.5),
      s95 / MAX (b95, 0.5), sink_rate, sink_rate / base_rate);
  printf ("render() for the %d-alert burst (%d frames, snapshots + outbox commits): "
      "%.1f ms total, %.2f ms per alert\n", N_BURST, 3 * N_BURST, render_ms,
      render_ms / N_BURST);
  fa_sns_fixture_stop (fx);
  fa_test_rm_rf (dir);
  return 0;
}
