/* fa-camsim serves three cameras; real rtspsrc clients decode H.264 from each
 * of them at the expected size, with increasing timestamps across the loop
 * of a short clip; walk-in scenes announce their subject. Bad input fails with
 * one clear line. */

#include "fa-proc.h"
#include "fa-test.h"

#include <gst/gst.h>
#include <signal.h>
#include <string.h>

typedef struct {
  GstElement *pipeline;
  gint frames;                 // decoded frames (handoffs)
  gint width, height;
  GstClockTime last_pts;
  gint backwards;              // PTS that did not increase
  gboolean error;
} Client;

static gchar *
camsim_cache_dir (void)
{
  return g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"), "camsim-cache", NULL);
}

static void
on_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, Client *c)
{
  GstClockTime pts = GST_BUFFER_PTS (buf);
  if (c->frames == 0) {
    g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
    GstStructure *s = gst_caps_get_structure (caps, 0);
    gst_structure_get_int (s, "width", &c->width);
    gst_structure_get_int (s, "height", &c->height);
  } else if (!GST_CLOCK_TIME_IS_VALID (pts) || pts <= c->last_pts) {
    g_atomic_int_inc (&c->backwards);
  }
  c->last_pts = pts;
  g_atomic_int_inc (&c->frames);
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  Client *c = data;
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_test_message ("client error: %s", err->message);
    c->error = TRUE;
  }
  return G_SOURCE_CONTINUE;
}

static void
client_start (Client *c, const gchar *url)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *desc = g_strdup_printf ("rtspsrc location=%s "
      "protocols=tcp ! rtph264depay ! h264parse ! avdec_h264 "
      "! fakesink name=sink sync=false signal-handoffs=true", url);
  c->pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (c->pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), c);
  g_autoptr (GstBus) bus = gst_element_get_bus (c->pipeline);
  gst_bus_add_watch (bus, on_bus, c);
  g_assert_cmpint (gst_element_set_state (c->pipeline, GST_STATE_PLAYING), !=,
      GST_STATE_CHANGE_FAILURE);
}

static void
client_stop (Client *c)
{
  gst_element_set_state (c->pipeline, GST_STATE_NULL);
  g_autoptr (GstBus) bus = gst_element_get_bus (c->pipeline);
  gst_bus_remove_watch (bus);
  gst_object_unref (c->pipeline);
}

#define N_CAMS 3
#define WANT_FRAMES 45          // 3 s: more than one loop of the 2 s image clip

static gboolean
all_have_frames (gpointer data)
{
  Client *clients = data;
  for (int i = 0; i < N_CAMS; i++)
    if (g_atomic_int_get (&clients[i].frames) < WANT_FRAMES || clients[i].error)
      return clients[i].error;
  return TRUE;
}

static void
test_three_cameras (void)
{
  g_autofree gchar *cache = camsim_cache_dir ();
  g_autofree gchar *cat = fa_test_data_path ("negatives/skimage_chelsea.png");
  g_autofree gchar *cam3 = g_strdup_printf ("cam3=image:%s", cat);
  const gchar *argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", cam3, NULL };
  FaProc *sim = fa_proc_spawn ("camsim", FALSE, argv);

  // The first run encodes the clips (a few seconds); later runs reuse them.
  const gchar *ready = fa_proc_wait_line (sim, "READY ", NULL, 90);
  g_assert_nonnull (ready);
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  g_assert_cmpuint (g_strv_length (urls), ==, N_CAMS);
  for (int i = 0; i < N_CAMS; i++) {
    g_autofree gchar *suffix = g_strdup_printf ("/cam%d", i + 1);
    g_assert_true (g_str_has_prefix (urls[i], "rtsp://127.0.0.1:"));
    g_assert_true (g_str_has_suffix (urls[i], suffix));
  }

  Client clients[N_CAMS] = { 0 };
  for (int i = 0; i < N_CAMS; i++)
    client_start (&clients[i], urls[i]);
  g_assert_true (fa_wait_until (all_have_frames, clients, 30));
  for (int i = 0; i < N_CAMS; i++) {
    g_assert_false (clients[i].error);
    g_assert_cmpint (clients[i].width, ==, 640);
    g_assert_cmpint (clients[i].height, ==, 480);
    g_assert_cmpint (g_atomic_int_get (&clients[i].backwards), ==, 0);
  }

  // A walk-in scene says when its subject is wholly in view (frame 3.9 s of
  // its 10 s loop, counted from the first client).
  guint from = 0;
  g_assert_nonnull (fa_proc_wait_line (sim, "EVENT cam1 enter appearance=1",
          &from, 15));

  for (int i = 0; i < N_CAMS; i++)
    client_stop (&clients[i]);
  fa_proc_free (sim);
}

static void
expect_failure (const gchar *const *argv, const gchar *needle)
{
  FaProc *p = fa_proc_spawn ("camsim-bad", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 30), ==, 1);
  g_test_message ("stderr: %s", p->err->str);
  g_assert_nonnull (strstr (p->err->str, needle));
  // One line.
  g_assert_cmpint (strchr (p->err->str, '\n') - p->err->str, ==,
      (gint) p->err->len - 1);
  fa_proc_free (p);
}

static void
test_bad_input (void)
{
  g_autofree gchar *cache = camsim_cache_dir ();
  const gchar *no_scene[] = { "fa-camsim", "--cache-dir", cache,
    "cam1=scene:garden", NULL };
  const gchar *no_file[] = { "fa-camsim", "--cache-dir", cache,
    "cam1=file:/nonexistent/clip.mp4", NULL };
  const gchar *no_eq[] = { "fa-camsim", "--cache-dir", cache, "cam1", NULL };
  const gchar *twice[] = { "fa-camsim", "--cache-dir", cache,
    "cam1=scene:empty", "cam1=scene:empty", NULL };
  expect_failure (no_scene, "unknown scene \"garden\"");
  expect_failure (no_file, "/nonexistent/clip.mp4 does not exist");
  expect_failure (no_eq, "use NAME=SOURCE");
  expect_failure (twice, "camera \"cam1\" is given twice");
}

/* SIGTERM while serving 18 cameras, 3 of them with clients playing: the
 * process says STOPPED and exits 0 within 5 s (it was once seen hanging in
 * poll() after SIGTERM with 18 cameras; its shutdown is now bounded). */
static void
test_sigterm_many_cameras (void)
{
  g_autofree gchar *cache = camsim_cache_dir ();
  const gchar *scenes[] = { "household", "stranger", "cat" };
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup ("fa-camsim"));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--cache-dir"));
  g_ptr_array_add (argv, g_strdup (cache));
  for (int i = 1; i <= 18; i++)
    g_ptr_array_add (argv, g_strdup_printf ("cam%d=scene:%s", i, scenes[i % 3]));
  g_ptr_array_add (argv, NULL);
  FaProc *sim = fa_proc_spawn ("camsim18", TRUE, (const gchar * const *) argv->pdata);
  const gchar *ready = fa_proc_wait_line (sim, "READY ", NULL, 90);
  g_assert_nonnull (ready);
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  g_assert_cmpuint (g_strv_length (urls), ==, 18);

  Client clients[N_CAMS] = { 0 };
  for (int i = 0; i < N_CAMS; i++)
    client_start (&clients[i], urls[i]);
  g_assert_true (fa_wait_until (all_have_frames, clients, 30));

  g_subprocess_send_signal (sim->proc, SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (sim, 5), ==, 0);
  guint from = 0;
  g_assert_nonnull (fa_proc_wait_line (sim, "STOPPED", &from, 1));
  for (int i = 0; i < N_CAMS; i++)
    client_stop (&clients[i]);
  fa_proc_free (sim);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/camsim/three-cameras", test_three_cameras);
  g_test_add_func ("/camsim/bad-input", test_bad_input);
  g_test_add_func ("/camsim/sigterm-18-cameras", test_sigterm_many_cameras);
  return g_test_run ();
}
