/* MQTT's added cost per camera (on demand: meson test -C build --benchmark
 * mqtt, or run build/tests/bench/bench-mqtt under the test env).
 *
 * One alertsink fed a household scene at 15 fps of stream time, as fast as
 * it takes it: every 10 s a known face and a stranger stay 3 s (two tracks,
 * decided at once, one alert with snapshots), 7 s of empty frames. Measured
 * in the same run, alternating, best of ROUNDS:
 *   A  SNS only (the real SNS-compatible server): the baseline;
 *   B  SNS and MQTT (a real mosquitto): alerts through the outbox to both,
 *      tracked_object_update, events, counts, snapshots, discovery.
 * Process CPU (every thread: streaming, outbox workers, MQTT) from the
 * first frame until every delivery is made, per second of stream time; B - A
 * is what MQTT adds to one camera at 15 fps. Idle cost: the same sinks with
 * no frames for IDLE_S of wall time (the MQTT thread's loop and its
 * household check, once per process). Messages per second of stream time
 * on the broker, and its own CPU. Alerts per second with MQTT as the only
 * target, a burst of BURST alerts at once, against SNS only. */
#include "fa-meta.h"
#include "fa-mqtt-fixture.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define FPS 15
#define CYCLES 20                  /* of 10 s: 200 s of stream time */
#define ROUNDS 2
#define IDLE_S 5
#define BURST 100

static FaSnsFixture *sns;
static FaMqttBroker *broker;
static guint run_number;

static gdouble
process_cpu_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The broker's utime + stime, seconds. */
static gdouble
broker_cpu_s (void)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%d/stat", broker->pid);
  g_autofree gchar *stat = NULL;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  gchar *p = strrchr (stat, ')');
  g_auto (GStrv) f = g_strsplit (p + 2, " ", -1);
  return (g_ascii_strtod (f[11], NULL) + g_ascii_strtod (f[12], NULL))
      / sysconf (_SC_CLK_TCK);
}

static void
push (GstHarness *h, GstClockTime pts, guint64 base, guint n_faces)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, 320 * 240 * 3 / 2);
  gst_buffer_memset (buffer, 0, 100, 320 * 240 * 3 / 2);
  GST_BUFFER_PTS (buffer) = pts;
  for (guint i = 0; i < n_faces; i++) {
    FaFace face = { .box = { 40 + 120 * i, 60, 80, 96 }, .score = 0.9f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gboolean known = i == 0;
    gst_video_region_of_interest_meta_add_param (roi, gst_structure_new
        (FA_META_IDENTITY, "track-id", G_TYPE_UINT64, base + i,
            "known", G_TYPE_BOOLEAN, known, "name", G_TYPE_STRING, known ? "Bob" : "",
            "face-id", G_TYPE_STRING, "", "similarity", G_TYPE_DOUBLE,
            known ? 80.0 : 20.0, "decided", G_TYPE_BOOLEAN, TRUE,
            "record", G_TYPE_STRING, "{\"MatchedFaces\":[]}", NULL));
  }
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

static GstHarness *
start_sink (const gchar *dir, gboolean with_sns, gboolean with_mqtt)
{
  g_autofree gchar *outbox = g_strdup_printf ("%s/outbox-%u.sqlite", dir, ++run_number);
  g_autofree gchar *snaps = g_build_filename (dir, "snapshots", NULL);
  g_autofree gchar *camera = g_strdup_printf ("bench%u", run_number);
  GstElement *sink = gst_element_factory_make ("alertsink", NULL);
  g_object_set (sink, "camera", camera, "outbox-location", outbox,
      "snapshot-dir", snaps, "min-frames", 3, "cooldown", (guint64) 0,
      "drain-timeout", (guint64) (60 * GST_SECOND), NULL);
  if (with_sns)
    g_object_set (sink, "endpoint", sns->endpoint, "topic-arn", sns->topic,
        "access-key", "AKIDBENCH", "secret-key", "benchsecret", NULL);
  if (with_mqtt)
    g_object_set (sink, "mqtt-broker", broker->url, NULL);
  GstHarness *h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_harness_set_src_caps_str (h, "video/x-raw,format=I420,width=320,height=240,"
      "framerate=15/1");
  gst_harness_play (h);
  return h;
}

typedef struct {
  gdouble cpu_per_stream_s;      /* process CPU s per s of stream time */
  gdouble broker_per_stream_s;
  guint messages;
} Scene;

static Scene
run_scene (const gchar *dir, gboolean with_mqtt, FaMqttSub *sub)
{
  GstHarness *h = start_sink (dir, TRUE, with_mqtt);
  guint before = sub != NULL ? fa_mqtt_sub_wait (sub, NULL, 0, 0) : 0;
  gdouble cpu0 = process_cpu_s (), broker0 = broker_cpu_s ();
  GstClockTime pts = 0;
  for (guint c = 0; c < CYCLES; c++)
    for (guint f = 0; f < 10 * FPS; f++, pts += GST_SECOND / FPS)
      push (h, pts, 100 * (c + 1) + 1000 * run_number, f < 3 * FPS ? 2 : 0);
  gst_harness_push_event (h, gst_event_new_eos ());   /* drains every target */
  gdouble cpu = process_cpu_s () - cpu0, broker_cpu = broker_cpu_s () - broker0;
  guint messages = sub != NULL ? fa_mqtt_sub_wait (sub, NULL, 0, 0) - before : 0;
  gst_harness_teardown (h);
  gdouble stream_s = CYCLES * 10.0;
  return (Scene) { cpu / stream_s, broker_cpu / stream_s, messages };
}

static gdouble
idle_cpu (const gchar *dir, gboolean with_mqtt)
{
  GstHarness *h = start_sink (dir, TRUE, with_mqtt);
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);      /* connected, announced */
  gdouble cpu0 = process_cpu_s ();
  g_usleep (IDLE_S * G_USEC_PER_SEC);
  gdouble cpu = process_cpu_s () - cpu0;
  gst_harness_teardown (h);
  return cpu / IDLE_S;
}

/* Alerts per second: BURST at once, until every delivery is made. */
static gdouble
burst (const gchar *dir, gboolean with_sns, gboolean with_mqtt)
{
  GstHarness *h = start_sink (dir, with_sns, with_mqtt);
  gint64 t0 = g_get_monotonic_time ();
  GstClockTime pts = 0;
  for (guint i = 0; i < BURST; i++)
    for (guint k = 0; k < 3; k++)
      push (h, pts += GST_MSECOND, 100000 * run_number + 2 * i, 2);
  gst_harness_push_event (h, gst_event_new_eos ());
  gdouble s = (g_get_monotonic_time () - t0) / 1e6;
  gst_harness_teardown (h);
  return BURST / s;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  sns = fa_sns_fixture_start ();
  broker = fa_mqtt_broker_start (NULL);
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-bench-mqtt");
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_setenv ("FACEALERT_STATE_DIR", state, TRUE);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "facealert/#");

  Scene a = { G_MAXDOUBLE }, b = { G_MAXDOUBLE };
  for (guint r = 0; r < ROUNDS; r++) {
    Scene sa = run_scene (dir, FALSE, NULL);
    Scene sb = run_scene (dir, TRUE, sub);
    if (sa.cpu_per_stream_s < a.cpu_per_stream_s)
      a = sa;
    if (sb.cpu_per_stream_s < b.cpu_per_stream_s)
      b = sb;
  }
  gdouble idle_a = idle_cpu (dir, FALSE), idle_b = idle_cpu (dir, TRUE);
  gdouble rate_sns = burst (dir, TRUE, FALSE), rate_mqtt = burst (dir, FALSE, TRUE);
  gdouble rate_both = burst (dir, TRUE, TRUE);
  gdouble load[3] = { 0 };
  getloadavg (load, 3);

  printf ("MQTT cost per camera (mosquitto and serverless-offline-sns on 127.0.0.1; "
      "%d s of a 15 fps scene: every 10 s a known face and a stranger for 3 s, one "
      "alert; best of %d; load average %.2f)\n", CYCLES * 10, ROUNDS, load[0]);
  printf ("A  SNS only:    %.4f core per camera (process CPU per second of video)\n",
      a.cpu_per_stream_s);
  printf ("B  SNS + MQTT:  %.4f core per camera (x%.2f of A)\n", b.cpu_per_stream_s,
      b.cpu_per_stream_s / a.cpu_per_stream_s);
  printf ("MQTT adds %.4f core per camera at 15 fps; %.2f messages/s to the broker "
      "(%u in %d s), which spends %.4f core on them\n",
      b.cpu_per_stream_s - a.cpu_per_stream_s, b.messages / (CYCLES * 10.0),
      b.messages, CYCLES * 10, b.broker_per_stream_s);
  printf ("idle (no frames, %d s wall): SNS only %.4f core, SNS + MQTT %.4f core "
      "(the MQTT thread: +%.4f, once per process)\n", IDLE_S, idle_a, idle_b,
      idle_b - idle_a);
  printf ("alert burst of %d: SNS only %.1f alerts/s, MQTT only %.1f alerts/s "
      "(x%.2f), both %.1f alerts/s (x%.2f)\n", BURST, rate_sns, rate_mqtt,
      rate_mqtt / rate_sns, rate_both, rate_both / rate_sns);

  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_free (broker);
  fa_sns_fixture_stop (sns);
  fa_test_rm_rf (dir);
  return 0;
}
