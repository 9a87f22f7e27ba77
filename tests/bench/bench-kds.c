/* kdssink / facealert consume benchmark (on demand: meson test -C build
 * --benchmark kds -v), against a real Kinesis server (kinesalite) on
 * 127.0.0.1. Three parts:
 *
 *  throughput  K kdssinks in one process (K cameras of one node), each fed
 *              frames whose faces change every frame (so every frame is a
 *              record) as fast as it takes them: records/s committed
 *              (render: an fsync'ed SQLite insert each) and delivered
 *              (acknowledged by Kinesis), CPU per record. Baseline in the
 *              same run: direct PutRecords of one record per request (what
 *              one partition key can do: one record in flight per key) and
 *              of 500 per request.
 *  cpu         two fa-camsim cameras through facealert-run (facedetect !
 *              facematch ! X) with X = fakesink, then X = kdssink (default
 *              interval, 1 s), alternated twice: the node's CPU, and the
 *              difference per camera; records/s per camera.
 *  latency     with the kdssink runs, `facealert consume` (poll interval
 *              1000 ms, the default, and 200 ms) with a handler that stamps
 *              each event: frame (the record's ProducerTimestamp, facematch's
 *              wall clock) to handler, p50/p95.
 *
 * Usage: bench-kds [SECONDS per camera run, default 20] [--no-cameras] */
#include "fa-kds-outbox.h"
#include "fa-kinesalite.h"
#include "fa-kinesis.h"
#include "fa-meta.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define N_RECORDS 600

static FaKinesalite *kinesalite;
static gchar *tmp;

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
  return v[(guint) (p * (n - 1) + 0.5)];
}

static double
cpu_seconds (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec
      + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static FaKinesisClient *
client (void)
{
  g_autoptr (FaAwsCredentials) c = fa_aws_credentials_new ("AKIDBENCH", "bench", NULL);
  return fa_kinesis_client_new (kinesalite->endpoint, "us-east-1", c, NULL);
}

/* A facematch-sized record (one face). */
static gchar *
record_text (guint i)
{
  return g_strdup_printf ("{\"InputInformation\":{\"KinesisVideo\":{\"StreamArn\":"
      "\"arn:facealert:kinesisvideo:local:000000000000:stream/facematch0\","
      "\"ServerTimestamp\":%.6f,\"ProducerTimestamp\":%.6f,\"FrameOffsetInSeconds\":"
      "%.3f}},\"StreamProcessorInformation\":{\"Status\":\"RUNNING\"},"
      "\"FaceSearchResponse\":[{\"DetectedFace\":{\"BoundingBox\":{\"Width\":0.18,"
      "\"Height\":0.31,\"Left\":0.41,\"Top\":0.22},\"Confidence\":93.1,\"Landmarks\":["
      "{\"Type\":\"eyeLeft\",\"X\":0.45,\"Y\":0.33},{\"Type\":\"eyeRight\",\"X\":0.53,"
      "\"Y\":0.33},{\"Type\":\"nose\",\"X\":0.49,\"Y\":0.39},{\"Type\":\"mouthLeft\","
      "\"X\":0.46,\"Y\":0.45},{\"Type\":\"mouthRight\",\"X\":0.52,\"Y\":0.45}]},"
      "\"MatchedFaces\":[],\"TrackId\":%u,\"Decided\":true}]}",
      g_get_real_time () / 1e6, g_get_real_time () / 1e6, i / 15.0, i);
}

/* ---- throughput ---- */

static void
baseline (const gchar *stream, guint per_request, double *records_per_s)
{
  g_autoptr (FaKinesisClient) k = client ();
  FaKinesisRecord *records = g_new0 (FaKinesisRecord, per_request);
  FaKinesisPutResult *results = g_new0 (FaKinesisPutResult, per_request);
  g_autofree gchar *text = record_text (1);
  guint sent = 0;
  gint64 start = g_get_monotonic_time ();
  while (sent < N_RECORDS * 2) {
    for (guint i = 0; i < per_request; i++)
      records[i] = (FaKinesisRecord) { "cam1", (const guint8 *) text, strlen (text) };
    GError *error = NULL;
    if (!fa_kinesis_put_records (k, stream, records, per_request, results, &error))
      g_error ("baseline PutRecords: %s", error->message);
    for (guint i = 0; i < per_request; i++)
      fa_kinesis_put_result_clear (&results[i]);
    sent += per_request;
  }
  *records_per_s = sent / ((g_get_monotonic_time () - start) / 1e6);
  g_free (records);
  g_free (results);
}

typedef struct {
  GstHarness *h;
  GstElement *sink;
  guint index;
  gint64 pushed_us;
} Feeder;

static gpointer
feed (gpointer data)
{
  Feeder *f = data;
  for (guint i = 0; i < N_RECORDS; i++) {
    GstBuffer *buffer = gst_harness_create_buffer (f->h, 16);
    GST_BUFFER_PTS (buffer) = i * GST_SECOND / 15;
    FaFace face = { .box = { 100, 60, 80, 96 }, .score = 0.9f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gst_video_region_of_interest_meta_add_param (roi, gst_structure_new (FA_META_IDENTITY,
            "track-id", G_TYPE_UINT64, (guint64) i, "known", G_TYPE_BOOLEAN, FALSE,
            "name", G_TYPE_STRING, "", "face-id", G_TYPE_STRING, "",
            "similarity", G_TYPE_DOUBLE, 30.0, "decided", G_TYPE_BOOLEAN, TRUE,
            "record", G_TYPE_STRING, "{}", NULL));
    g_autofree gchar *record = record_text (i);
    fa_meta_set_frame_record (buffer, record);
    if (gst_harness_push (f->h, buffer) != GST_FLOW_OK)
      g_error ("kdssink refused a buffer");
  }
  f->pushed_us = g_get_monotonic_time ();
  return NULL;
}

static void
throughput (guint k, double *committed_per_s, double *delivered_per_s,
    double *cpu_ms_per_record)
{
  g_autofree gchar *stream = g_strdup_printf ("bench-%u", k);
  fa_kinesalite_create_stream (kinesalite, stream, 1);
  Feeder *feeders = g_new0 (Feeder, k);
  for (guint i = 0; i < k; i++) {
    g_autofree gchar *camera = g_strdup_printf ("cam%u", i + 1);
    g_autofree gchar *outbox = g_strdup_printf ("%s/outbox-%u-%u.sqlite", tmp, k, i);
    feeders[i].sink = gst_element_factory_make ("kdssink", NULL);
    g_object_set (feeders[i].sink, "stream-name", stream, "endpoint",
        kinesalite->endpoint, "camera", camera, "outbox-location", outbox,
        "interval", 0, "post-messages", FALSE, "access-key", "AKIDBENCH",
        "secret-key", "bench", "drain-timeout", (guint64) (120 * GST_SECOND), NULL);
    feeders[i].h = gst_harness_new_with_element (feeders[i].sink, "sink", NULL);
    gst_harness_set_src_caps_str (feeders[i].h, "video/x-raw,format=I420,width=16,"
        "height=16,framerate=15/1");
    gst_harness_play (feeders[i].h);
  }
  double cpu0 = cpu_seconds ();
  gint64 start = g_get_monotonic_time ();
  GThread **threads = g_new0 (GThread *, k);
  for (guint i = 0; i < k; i++)
    threads[i] = g_thread_new ("feeder", feed, &feeders[i]);
  gint64 pushed = start;
  for (guint i = 0; i < k; i++) {
    g_thread_join (threads[i]);
    pushed = MAX (pushed, feeders[i].pushed_us);
  }
  for (guint i = 0; i < k; i++)      /* EOS waits until the outbox is empty */
    g_assert_true (gst_harness_push_event (feeders[i].h, gst_event_new_eos ()));
  gint64 done = g_get_monotonic_time ();
  double cpu = cpu_seconds () - cpu0;
  g_autoptr (JsonArray) all = fa_kinesalite_read_all (kinesalite, stream);
  if (json_array_get_length (all) < (guint) k * N_RECORDS)
    g_error ("%u records in the stream, %u expected", json_array_get_length (all),
        k * N_RECORDS);
  *committed_per_s = k * N_RECORDS / ((pushed - start) / 1e6);
  *delivered_per_s = k * N_RECORDS / ((done - start) / 1e6);
  *cpu_ms_per_record = 1000.0 * cpu / (k * N_RECORDS);
  for (guint i = 0; i < k; i++)
    gst_harness_teardown (feeders[i].h);
  g_free (threads);
  g_free (feeders);
}

/* ---- cameras: CPU and latency ---- */

static double
process_cpu (GSubprocess *p)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (p));
  g_autofree gchar *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  const gchar *end = strrchr (text, ')');
  g_auto (GStrv) f = g_strsplit (end + 2, " ", -1);
  /* After "(comm) ": field 3 is state; utime and stime are 14 and 15. */
  return (g_ascii_strtod (f[11], NULL) + g_ascii_strtod (f[12], NULL))
      / sysconf (_SC_CLK_TCK);
}

static GSubprocess *
spawn (const gchar *const *argv, gboolean quiet)
{
  GError *error = NULL;
  GSubprocess *p = g_subprocess_newv (argv, quiet ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE
      | G_SUBPROCESS_FLAGS_STDERR_SILENCE : G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  if (p == NULL)
    g_error ("%s: %s", argv[0], error->message);
  return p;
}

static void
stop (GSubprocess *p)
{
  g_subprocess_send_signal (p, SIGTERM);
  g_subprocess_wait (p, NULL, NULL);
  g_object_unref (p);
}

typedef struct {
  double node_cores;
  double consumer_cores;
  double records_per_s_per_camera;
  GArray *latency_ms;
} CameraRun;

/* Lines "STAMP EVENT" written by the handler: latency per record. */
static void
read_stamps (const gchar *path, GArray *latency_ms)
{
  g_autofree gchar *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *space = strchr (lines[i], ' ');
    if (space == NULL)
      continue;
    double stamp = g_ascii_strtod (lines[i], NULL);
    g_autoptr (JsonNode) node = json_from_string (space + 1, NULL);
    if (node == NULL)
      continue;
    JsonArray *records = json_object_get_array_member (json_node_get_object (node),
        "Records");
    for (guint r = 0; r < json_array_get_length (records); r++) {
      JsonObject *k = json_object_get_object_member (json_array_get_object_element (
              records, r), "kinesis");
      gsize size = 0;
      g_autofree guchar *data = g_base64_decode (json_object_get_string_member (k,
              "data"), &size);
      g_autofree gchar *data_text = g_strndup ((gchar *) data, size);
      g_autoptr (JsonNode) record = json_from_string (data_text, NULL);
      double produced = json_object_get_double_member (json_object_get_object_member (
              json_object_get_object_member (json_node_get_object (record),
                  "InputInformation"), "KinesisVideo"), "ProducerTimestamp");
      double ms = (stamp - produced) * 1000.0;
      g_array_append_val (latency_ms, ms);
    }
  }
}

static void
camera_run (const gchar *const *urls, const gchar *sink, const gchar *poll_ms,
    guint seconds, guint run_index, CameraRun *out)
{
  g_autofree gchar *stream = g_strdup_printf ("cams-%u", run_index);
  if (poll_ms != NULL)
    fa_kinesalite_create_stream (kinesalite, stream, 1);
  GString *text = g_string_new (NULL);
  for (guint c = 0; c < 2; c++)
    g_string_append_printf (text, "[cam%u]\n"
        "rtspsrc location=%s protocols=tcp latency=200 ! rtph264depay ! h264parse\n"
        "  ! avdec_h264 ! videoconvert\n"
        "  ! queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0\n"
        "  ! facedetect method=yunet detect-width=320 interval=2 post-messages=false\n"
        "  ! facematch collection=home post-messages=false\n"
        "  ! %s\n", c + 1, urls[c], sink);
  g_autofree gchar *file = g_strdup_printf ("%s/run-%u.pipeline", tmp, run_index);
  g_autofree gchar *desc = g_strdup_printf ("%s", text->str);
  g_string_free (text, TRUE);
  g_autofree gchar *expanded = NULL;
  {
    /* ${STREAM} in @sink. */
    g_auto (GStrv) parts = g_strsplit (desc, "${STREAM}", -1);
    expanded = g_strjoinv (stream, parts);
  }
  g_assert_true (g_file_set_contents (file, expanded, -1, NULL));

  g_autofree gchar *stamps = g_strdup_printf ("%s/stamps-%u.txt", tmp, run_index);
  g_autofree gchar *checkpoint = g_strdup_printf ("%s/cp-%u.sqlite", tmp, run_index);
  g_autofree gchar *handler = g_strdup_printf ("read -r e; printf '%%s %%s\\n' "
      "\"$(date +%%s.%%N)\" \"$e\" >> '%s'", stamps);
  GSubprocess *consumer = NULL;
  if (poll_ms != NULL) {
    const gchar *argv[] = { "facealert", "consume", "--stream", stream, "--endpoint",
      kinesalite->endpoint, "--checkpoint", checkpoint, "--poll-interval", poll_ms,
      "--", "sh", "-c", handler, NULL };
    consumer = spawn (argv, TRUE);
  }
  const gchar *run_argv[] = { "facealert-run", file, NULL };
  GSubprocess *run = spawn (run_argv, FALSE);
  g_autoptr (GDataInputStream) lines = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (run));
  guint flowing = 0;
  while (flowing < 2) {
    g_autofree gchar *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL);
    if (line == NULL)
      g_error ("facealert-run ended before its cameras flowed");
    flowing += strstr (line, ": flowing") != NULL;
  }
  /* Warm up, then the measured window. */
  g_usleep (3 * G_USEC_PER_SEC);
  double node0 = process_cpu (run), consumer0 = consumer ? process_cpu (consumer) : 0;
  guint records0 = 0;
  if (poll_ms != NULL) {
    g_autoptr (JsonArray) all = fa_kinesalite_read_all (kinesalite, stream);
    records0 = json_array_get_length (all);
  }
  gint64 t0 = g_get_monotonic_time ();
  g_usleep (seconds * G_USEC_PER_SEC);
  double wall = (g_get_monotonic_time () - t0) / 1e6;
  out->node_cores = (process_cpu (run) - node0) / wall;
  out->consumer_cores = consumer ? (process_cpu (consumer) - consumer0) / wall : 0;
  if (poll_ms != NULL) {
    g_autoptr (JsonArray) all = fa_kinesalite_read_all (kinesalite, stream);
    out->records_per_s_per_camera = (json_array_get_length (all) - records0) / wall / 2;
  }
  stop (run);
  if (consumer != NULL) {
    g_usleep (3 * G_USEC_PER_SEC);       /* the last records reach the handler */
    stop (consumer);
    read_stamps (stamps, out->latency_ms);
  }
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  guint seconds = argc > 1 && atoi (argv[1]) > 0 ? (guint) atoi (argv[1]) : 20;
  gboolean cameras = !(argc > 1 && g_str_equal (argv[argc - 1], "--no-cameras"));
  tmp = fa_test_make_tmpdir ("fa-bench-kds");
  kinesalite = fa_kinesalite_start (NULL, 0);
  double load[3];
  getloadavg (load, 3);
  printf ("bench-kds: kinesalite on 127.0.0.1, %ld CPUs, load average %.1f at start\n",
      sysconf (_SC_NPROCESSORS_ONLN), load[0]);

  /* ---- throughput ---- */
  fa_kinesalite_create_stream (kinesalite, "baseline", 1);
  double one = 0, full = 0;
  baseline ("baseline", 1, &one);
  baseline ("baseline", 500, &full);
  printf ("\nthroughput (%u records per camera, a ~700-byte facematch record each)\n",
      N_RECORDS);
  printf ("  baseline PutRecords, 1 record/request:    %7.0f records/s\n", one);
  printf ("  baseline PutRecords, 500 records/request: %7.0f records/s\n", full);
  guint ks[] = { 1, 4 };
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++) {
    double committed, delivered, cpu_ms;
    throughput (ks[i], &committed, &delivered, &cpu_ms);
    printf ("  kdssink x%u: committed %6.0f records/s, delivered %6.0f records/s "
        "(%.2f x the 1-record baseline), %.2f ms CPU per record\n", ks[i], committed,
        delivered, delivered / one, cpu_ms);
  }

  if (!cameras) {
    fa_kinesalite_free (kinesalite);
    fa_test_rm_rf (tmp);
    return 0;
  }

  /* ---- cameras ---- */
  g_autofree gchar *collections = g_build_filename (tmp, "collections", NULL);
  g_autofree gchar *outboxes = g_build_filename (tmp, "outbox", NULL);
  g_setenv ("FACEALERT_COLLECTIONS_DIR", collections, TRUE);
  g_setenv ("FACEALERT_OUTBOX_DIR", outboxes, TRUE);
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDBENCH", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "bench", TRUE);
  g_autofree gchar *lennon = fa_test_data_path ("people/John_Lennon/2.jpg");
  const gchar *create[] = { "facealert", "collection", "create", "--collection-id",
    "home", NULL };
  const gchar *index[] = { "facealert", "faces", "index", "--collection", "home",
    "--name", "John_Lennon", lennon, NULL };
  if (fa_test_run_argv (create, NULL, NULL) != 0 || fa_test_run_argv (index, NULL, NULL) != 0)
    g_error ("cannot enrol the household");
  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", NULL };
  GSubprocess *sim = spawn (sim_argv, FALSE);
  g_autoptr (GDataInputStream) sim_out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (sim));
  gchar *ready = NULL;
  while ((ready = g_data_input_stream_read_line_utf8 (sim_out, NULL, NULL, NULL)) != NULL
      && !g_str_has_prefix (ready, "READY "))
    g_free (ready);
  if (ready == NULL)
    g_error ("fa-camsim did not start");
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  g_free (ready);

  const gchar *kds = "kdssink stream-name=${STREAM} endpoint=%s camera=${CAMERA}";
  g_autofree gchar *kds_sink = g_strdup_printf (kds, kinesalite->endpoint);
  const struct {
    const gchar *name, *sink, *poll;
  } runs[] = {
    { "fakesink", "fakesink sync=false", NULL },
    { "kdssink (consume poll 1000 ms)", kds_sink, "1000" },
    { "fakesink", "fakesink sync=false", NULL },
    { "kdssink (consume poll 200 ms)", kds_sink, "200" },
  };
  double cores[2] = { 0, 0 }, per_camera_rate = 0;
  printf ("\ncameras: 2 fa-camsim cameras (640x480, 15 fps, a face in view 5 s of "
      "every 10), facealert-run, %u s per run\n", seconds);
  for (guint r = 0; r < G_N_ELEMENTS (runs); r++) {
    CameraRun out = { .latency_ms = g_array_new (FALSE, FALSE, sizeof (double)) };
    camera_run ((const gchar * const *) urls, runs[r].sink, runs[r].poll, seconds, r, &out);
    cores[runs[r].poll != NULL] += out.node_cores / 2;
    printf ("  %-32s node %.3f cores", runs[r].name, out.node_cores);
    if (runs[r].poll != NULL) {
      per_camera_rate += out.records_per_s_per_camera / 2;
      printf (", consumer %.3f cores, %.2f records/s per camera", out.consumer_cores,
          out.records_per_s_per_camera);
      if (out.latency_ms->len > 0)
        printf (", frame->handler p50 %.0f ms p95 %.0f ms (%u records)",
            percentile ((double *) out.latency_ms->data, out.latency_ms->len, 0.5),
            percentile ((double *) out.latency_ms->data, out.latency_ms->len, 0.95),
            out.latency_ms->len);
    }
    printf ("\n");
    g_array_unref (out.latency_ms);
  }
  printf ("  added CPU per camera (kdssink - fakesink, mean of 2 runs each): %.4f cores "
      "(%.1f %% of one core); %.2f records/s per camera\n", (cores[1] - cores[0]) / 2,
      100 * (cores[1] - cores[0]) / 2, per_camera_rate);
  getloadavg (load, 3);
  printf ("load average %.1f at the end\n", load[0]);
  stop (sim);
  fa_kinesalite_free (kinesalite);
  fa_test_rm_rf (tmp);
  return 0;
}
