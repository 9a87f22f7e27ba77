/* facealert-run keeps cameras 1 and 3 flowing while camera 2 is dropped by
 * the simulator, and camera 2 resumes by itself when it comes back; SIGTERM
 * ends every camera with EOS; bad descriptions stop it with one line and
 * exit code 2. Real RTSP from fa-camsim, real decoding (avdec_h264). */

#include "fa-proc.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define N_CAMS 3

typedef struct {
  FaProc *run;
  guint parsed;                 // runner lines already parsed
  gint64 buffers[N_CAMS + 1];   // from the last "stats" lines, cam1..cam3
  gint64 stats_lines[N_CAMS + 1];
} Runner;

static void
runner_parse (Runner *r)
{
  for (; r->parsed < r->run->lines->len; r->parsed++) {
    const gchar *line = g_ptr_array_index (r->run->lines, r->parsed);
    int cam;
    gint64 buffers;
    if (sscanf (line, "facealert-run: stats cam%d buffers=%" G_GINT64_FORMAT,
            &cam, &buffers) == 2 && cam >= 1 && cam <= N_CAMS) {
      r->buffers[cam] = buffers;
      r->stats_lines[cam]++;
    }
  }
}

typedef struct {
  Runner *r;
  gint64 want[N_CAMS + 1];      // wanted buffer counts; 0: any
} Growth;

static gboolean
grown (gpointer data)
{
  Growth *g = data;
  runner_parse (g->r);
  if (g->r->run->eof)
    return TRUE;
  for (int i = 1; i <= N_CAMS; i++)
    if (g->want[i] > 0 && g->r->buffers[i] < g->want[i])
      return FALSE;
  return TRUE;
}

static gchar *
write_description (const gchar *dir, const gchar *text)
{
  gchar *path = g_build_filename (dir, "cams.pipeline", NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_drop_and_resume (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-runner");
  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", "cam3=scene:cat", NULL };
  FaProc *sim = fa_proc_spawn ("camsim", TRUE, sim_argv);
  const gchar *ready = fa_proc_wait_line (sim, "READY rtsp://127.0.0.1:", NULL, 90);
  g_assert_nonnull (ready);
  g_autofree gchar *base = g_strndup (ready + strlen ("READY "),
      strstr (ready, "/cam1") - (ready + strlen ("READY ")));

  // One description per camera, sharing a template through ${CAMERA}.
  g_autoptr (GString) text = g_string_new ("# three cameras, decoded\n");
  for (int i = 1; i <= N_CAMS; i++)
    g_string_append_printf (text, "[cam%d]\n"
        "rtspsrc location=${TEST_CAMS}/${CAMERA} protocols=tcp\n"
        "  ! rtph264depay ! h264parse ! avdec_h264 ! fakesink sync=false\n", i);
  g_autofree gchar *desc = write_description (tmp, text->str);
  g_setenv ("TEST_CAMS", base, TRUE);
  const gchar *run_argv[] = { "facealert-run", "--stats", "1",
    "--min-backoff", "500", "--max-backoff", "1000", "--stall-timeout", "10",
    desc, NULL };
  Runner r = { fa_proc_spawn ("run", FALSE, run_argv) };

  guint from = 0;
  for (int i = 1; i <= N_CAMS; i++) {
    g_autofree gchar *flowing = g_strdup_printf ("facealert-run: cam%d: flowing", i);
    guint at = 0;
    g_assert_nonnull (fa_proc_wait_line (r.run, flowing, &at, 30));
  }

  // Drop camera 2 for 6 s.
  Growth g = { &r, { 0, 1, 0, 1 } };
  g_assert_true (fa_wait_until (grown, &g, 10));
  gint64 at_drop1 = r.buffers[1], at_drop3 = r.buffers[3];
  guint sim_from = 0;
  fa_proc_send (sim, "drop cam2 6");
  g_assert_nonnull (fa_proc_wait_line (sim, "DROPPED cam2", &sim_from, 10));
  from = r.run->lines->len;
  g_assert_nonnull (fa_proc_wait_line (r.run, "facealert-run: cam2: stopped: ",
          &from, 10));
  runner_parse (&r);
  gint64 cam2_stopped = r.buffers[2];

  // While it is away, cameras 1 and 3 keep delivering (2 s of frames more).
  Growth during = { &r, { 0, at_drop1 + 30, 0, at_drop3 + 30 } };
  g_assert_true (fa_wait_until (grown, &during, 10));
  g_assert_false (fa_proc_has_line (sim, "RESTORED cam2", sim_from));
  g_assert_false (fa_proc_has_line (r.run, "facealert-run: cam1: stopped", 0));
  g_assert_false (fa_proc_has_line (r.run, "facealert-run: cam3: stopped", 0));
  // ... and camera 2 does not (a few frames may have been in flight).
  g_assert_cmpint (r.buffers[2], <=, cam2_stopped + 15);

  // Back after 6 s: the runner reconnects camera 2 by itself.
  g_assert_nonnull (fa_proc_wait_line (sim, "RESTORED cam2", &sim_from, 10));
  guint after = r.run->lines->len;
  g_assert_nonnull (fa_proc_wait_line (r.run, "facealert-run: cam2: flowing",
          &after, 15));
  runner_parse (&r);
  Growth resumed = { &r, { 0, 0, r.buffers[2] + 30, 0 } };
  g_assert_true (fa_wait_until (grown, &resumed, 10));
  g_assert_false (fa_proc_has_line (r.run, "facealert-run: cam1: stopped", 0));
  g_assert_false (fa_proc_has_line (r.run, "facealert-run: cam3: stopped", 0));

  // SIGTERM: EOS to every camera, a clean exit.
  kill (atoi (g_subprocess_get_identifier (r.run->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (r.run, 20), ==, 0);
  for (int i = 1; i <= N_CAMS; i++) {
    g_autofree gchar *fin = g_strdup_printf ("facealert-run: cam%d: finished (EOS)", i);
    g_assert_true (fa_proc_has_line (r.run, fin, 0));
  }

  fa_proc_free (r.run);
  fa_proc_free (sim);
  g_unsetenv ("TEST_CAMS");
  fa_test_rm_rf (tmp);
}

static void
expect_bad (const gchar *text, const gchar *needle)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-runner-bad");
  g_autofree gchar *desc = write_description (tmp, text);
  const gchar *argv[] = { "facealert-run", desc, NULL };
  FaProc *p = fa_proc_spawn ("run-bad", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 20), ==, 2);
  g_test_message ("stderr: %s", p->err->str);
  g_assert_nonnull (strstr (p->err->str, needle));
  g_assert_cmpint (strchr (p->err->str, '\n') - p->err->str, ==,
      (gint) p->err->len - 1);
  // Nothing was started.
  g_assert_false (fa_proc_has_line (p, "facealert-run: cam", 0));
  fa_proc_free (p);
  fa_test_rm_rf (tmp);
}

static void
test_bad_descriptions (void)
{
  g_unsetenv ("FA_TEST_UNSET_URL");
  expect_bad ("[cam1]\nvideotestsrc ! fakesink\n[cam2]\nvideotestsrc ! nosuchelement ! fakesink\n",
      "camera [cam2]: bad pipeline description: no element \"nosuchelement\"");
  expect_bad ("[cam1]\nrtspsrc location=${FA_TEST_UNSET_URL} ! fakesink\n",
      "${FA_TEST_UNSET_URL} is not set");
  expect_bad ("[cam1]\nvideotestsrc ! fakesink\n[cam1]\nvideotestsrc ! fakesink\n",
      "camera [cam1] is defined twice");
  expect_bad ("# only a comment\n", "no pipeline description");
}

static void
test_defaults_and_print (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-runner-print");
  g_autofree gchar *desc = write_description (tmp,
      "[front]\nvideotestsrc pattern=${FA_TEST_PATTERN:-ball} ! fakesink name=${CAMERA}\n"
      "# a comment\n[back]\nvideotestsrc \\\n ! fakesink name=${CAMERA}-$$\n");
  const gchar *argv[] = { "facealert-run", "--print", desc, NULL };
  g_unsetenv ("FA_TEST_PATTERN");
  FaProc *p = fa_proc_spawn ("run-print", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 20), ==, 0);
  g_assert_cmpuint (p->lines->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (p->lines, 0), ==,
      "videotestsrc pattern=ball ! fakesink name=front  "
      "videotestsrc   ! fakesink name=back-$");
  fa_proc_free (p);
  fa_test_rm_rf (tmp);
}

/* Counts the elements made by @factory in @bin (recursing). */
static guint
count_factory (GstBin *bin, const gchar *factory)
{
  guint n = 0;
  GstIterator *it = gst_bin_iterate_recurse (bin);
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory (g_value_get_object (&item));
    n += f != NULL && g_str_equal (GST_OBJECT_NAME (f), factory);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return n;
}

/* gst_iterator_foreach: an objectdetect's background is @expected. */
static void
background_is (const GValue *item, gpointer expected)
{
  GstElement *el = g_value_get_object (item);
  GstElementFactory *f = gst_element_get_factory (el);
  gboolean background = FALSE;
  if (f == NULL || !g_str_equal (GST_OBJECT_NAME (f), "objectdetect"))
    return;
  g_object_get (el, "background", &background, NULL);
  g_assert_cmpint (background, ==, GPOINTER_TO_INT (expected));
}

/* The shipped pipelines: `--print` gives one gst-launch line that parses
 * (every element exists, names are unique), one camera per template name.
 * @background: whether the cameras' objectdetect detect in the background
 * (live cameras) or inline (a file, where every frame may wait). */
static void
check_pipeline (const gchar *file, guint cameras, gboolean background)
{
  g_autofree gchar *path = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"),
      "pipelines", file, NULL);
  const gchar *argv[] = { "facealert-run", "--print", path, NULL };
  FaProc *p = fa_proc_spawn ("run-print", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 20), ==, 0);
  g_assert_cmpuint (p->lines->len, ==, 1);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch_full (g_ptr_array_index (p->lines, 0), NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);
  g_assert_no_error (error);
  const gchar *per_camera[] = { "objectdetect", "facedetect", "facematch", "alertsink",
    "kvssink" };
  for (guint i = 0; i < G_N_ELEMENTS (per_camera); i++)
    g_assert_cmpuint (count_factory (GST_BIN (pipeline), per_camera[i]), ==, cameras);
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  gst_iterator_foreach (it, background_is, GINT_TO_POINTER (background));
  gst_iterator_free (it);
  gst_object_unref (pipeline);
  fa_proc_free (p);
}

static void
test_shipped_pipelines (void)
{
  g_setenv ("CAM1_URL", "rtsp://127.0.0.1:9/cam1", TRUE);
  g_setenv ("CAM2_URL", "rtsp://127.0.0.1:9/cam2", TRUE);
  g_setenv ("CAM3_URL", "rtsp://127.0.0.1:9/cam3", TRUE);
  g_setenv ("CAMERA_URL", "rtsp://127.0.0.1:9/door", TRUE);
  g_setenv ("VIDEO", "clip.mp4", TRUE);
  g_setenv ("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:facealert", TRUE);
  g_unsetenv ("CAMERAS");
  check_pipeline ("three-cameras.pipeline", 3, TRUE);
  check_pipeline ("one-camera.pipeline", 1, TRUE);
  check_pipeline ("video-file.pipeline", 1, FALSE);
  /* The template for other cameras, each with its own URL. */
  g_setenv ("CAMERAS", "front-door,garden", TRUE);
  g_setenv ("FRONT_DOOR_URL", "rtsp://127.0.0.1:9/door", TRUE);
  g_setenv ("GARDEN_URL", "rtsp://127.0.0.1:9/garden", TRUE);
  check_pipeline ("three-cameras.pipeline", 2, TRUE);
  g_unsetenv ("CAMERAS");
}

static void
test_once_finishes (void)
{
  // Finite cameras with --once end the runner with EOS, exit code 0.
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-runner-once");
  g_autofree gchar *desc = write_description (tmp,
      "[a]\nvideotestsrc num-buffers=20 ! fakesink\n"
      "[b]\nvideotestsrc num-buffers=40 ! fakesink\n"
      "[c]\nvideotestsrc num-buffers=30 ! objectdetect method=fastestdet motion-gate=false "
      "post-messages=false ! fakesink\n");
  const gchar *argv[] = { "facealert-run", "--once", "--stats", "60", desc, NULL };
  FaProc *p = fa_proc_spawn ("run-once", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 20), ==, 0);
  g_assert_true (fa_proc_has_line (p, "facealert-run: a: finished (EOS)", 0));
  g_assert_true (fa_proc_has_line (p, "facealert-run: stats a buffers=20 ", 0));
  g_assert_true (fa_proc_has_line (p, "facealert-run: stats b buffers=40 ", 0));
  /* A camera with objectdetect also counts its detections (every frame here:
   * gate off, interval 1); the others have no such field. */
  g_assert_true (fa_proc_has_line (p,
          "facealert-run: stats c buffers=30 dropped=0 restarts=0 state=finished detections=30", 0));
  g_assert_false (fa_proc_has_line (p, "facealert-run: stats a buffers=20 dropped=0 "
          "restarts=0 state=finished detections", 0));
  fa_proc_free (p);
  fa_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runner/drop-and-resume", test_drop_and_resume);
  g_test_add_func ("/runner/bad-descriptions", test_bad_descriptions);
  g_test_add_func ("/runner/defaults-and-print", test_defaults_and_print);
  g_test_add_func ("/runner/once", test_once_finishes);
  g_test_add_func ("/runner/shipped-pipelines", test_shipped_pipelines);
  return g_test_run ();
}
