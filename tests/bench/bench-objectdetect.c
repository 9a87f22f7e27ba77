/* Benchmark: objectdetect's cost per frame at 640x480 on real video
 * (tests/data/videos/intel_one_by_one_person_walking_away.mp4: people walk
 * into a room one at a time, with empty stretches), for each method with the
 * motion gate on and off. Ratios are against yolox with the gate off (every
 * frame through the network), measured in the same run, so load from other
 * processes cancels out as far as it can.
 *
 *   meson test -C build --benchmark objectdetect      (BENCH_FRAMES=N, default 300)
 *
 * Besides ms per frame (wall and process CPU) it prints the forward passes
 * and how many frames carry the same number of persons as the ungated run
 * of the same method (what the gate costs in boxes). */
#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fa-meta.h"

static double
now_ms (clockid_t clock)
{
  struct timespec ts;
  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Decodes the first @n frames of @path as 640x480 I420. */
static GPtrArray *
decode (const gchar *path, guint n, GstCaps **caps)
{
  g_autofree gchar *launch = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "videoconvert ! videoscale ! video/x-raw,format=I420,width=640,height=480 ! "
      "appsink name=sink sync=false", path);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  if (pipeline == NULL)
    g_error ("%s", error->message);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  while (frames->len < n) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 30 * GST_SECOND);
    if (sample == NULL)
      break;
    if (*caps == NULL)
      *caps = gst_caps_copy (gst_sample_get_caps (sample));
    g_ptr_array_add (frames, gst_buffer_copy_deep (gst_sample_get_buffer (sample)));
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  if (frames->len == 0)
    g_error ("no frame decoded from %s", path);
  return frames;
}

typedef struct {
  double wall_ms, cpu_ms;
  guint forwards;
  guint *persons;     /* per frame */
} Run;

static Run
run (const gchar *props, GPtrArray *frames, GstCaps *caps)
{
  g_autofree gchar *launch = g_strdup_printf ("objectdetect %s", props);
  GstHarness *h = gst_harness_new_parse (launch);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  /* warm-up: the first inference allocates */
  gst_buffer_unref (gst_harness_push_and_pull (h, gst_buffer_copy (frames->pdata[0])));
  gst_element_set_state (h->element, GST_STATE_NULL);
  gst_element_set_state (h->element, GST_STATE_PLAYING);
  while (gst_bus_have_pending (bus))
    gst_message_unref (gst_bus_pop (bus));

  Run r = {0};
  r.persons = g_new0 (guint, frames->len);
  double wall = 0, cpu = 0;
  for (guint i = 0; i < frames->len; i++) {
    GstBuffer *in = gst_buffer_copy (frames->pdata[i]);
    double w0 = now_ms (CLOCK_MONOTONIC), c0 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
    GstBuffer *out = gst_harness_push_and_pull (h, in);
    wall += now_ms (CLOCK_MONOTONIC) - w0;
    cpu += now_ms (CLOCK_PROCESS_CPUTIME_ID) - c0;
    gpointer state = NULL;
    GstMeta *meta;
    while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
      FaObject o;
      if (fa_meta_read_object ((GstVideoRegionOfInterestMeta *) meta, &o, NULL)
          && o.class_id == FA_COCO_PERSON)
        r.persons[i]++;
    }
    const GstStructure *scan = fa_meta_get_object_scan (out);
    gboolean fresh = FALSE;
    if (scan && gst_structure_get_boolean (scan, "fresh", &fresh) && fresh)
      r.forwards++;
    gst_buffer_unref (out);
  }
  r.wall_ms = wall / frames->len;
  r.cpu_ms = cpu / frames->len;
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
  return r;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  const gchar *data = g_getenv ("FACEALERT_TESTDATA");
  if (data == NULL)
    g_error ("FACEALERT_TESTDATA is not set: run with meson test --benchmark");
  guint n = g_getenv ("BENCH_FRAMES") ? (guint) atoi (g_getenv ("BENCH_FRAMES")) : 300;
  g_autofree gchar *video = g_build_filename (data, "videos",
      "intel_one_by_one_person_walking_away.mp4", NULL);
  GstCaps *caps = NULL;
  g_autoptr (GPtrArray) frames = decode (video, n, &caps);

  const gchar *configs[][2] = {
    {"yolox, gate off", "method=yolox motion-gate=false"},
    {"yolox, gate on", "method=yolox"},
    {"yolox 320, gate off", "method=yolox input-size=320 motion-gate=false"},
    {"yolox 320, gate on", "method=yolox input-size=320"},
    {"fastestdet, gate off", "method=fastestdet motion-gate=false"},
    {"fastestdet, gate on", "method=fastestdet"},
  };
  Run runs[G_N_ELEMENTS (configs)];
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    runs[c] = run (configs[c][1], frames, caps);

  printf ("# %u frames of %s at 640x480 I420, %d CPUs, threads=1\n", frames->len, video,
      g_get_num_processors ());
  printf ("%-22s %9s %9s %8s %9s %9s %10s\n", "config", "wall_ms", "cpu_ms", "x_cpu",
      "forwards", "persons", "same_as_off");
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++) {
    const Run *ref = &runs[c & ~1u];   /* the same method and size, gate off */
    guint same = 0, persons = 0;
    for (guint i = 0; i < frames->len; i++) {
      same += runs[c].persons[i] == ref->persons[i];
      persons += runs[c].persons[i] > 0;
    }
    printf ("%-22s %9.2f %9.2f %8.2f %9u %9u %9.1f%%\n", configs[c][0], runs[c].wall_ms,
        runs[c].cpu_ms, runs[c].cpu_ms / runs[0].cpu_ms, runs[c].forwards, persons,
        100.0 * same / frames->len);
  }
  printf ("(x_cpu: CPU per frame / yolox with the gate off, same run; forwards: frames the "
      "network ran on; persons: frames with a person box; same_as_off: frames with as many "
      "person boxes as the same method with the gate off)\n");
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    g_free (runs[c].persons);
  gst_caps_unref (caps);
  return 0;
}
