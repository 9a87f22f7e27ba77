/* fa-camsim: serves simulated RTSP cameras on 127.0.0.1 for demos and tests.
 *
 *   fa-camsim [--port 8554] cam1=scene:household cam2=scene:stranger \
 *       cam3=file:clip.mp4 cam4=image:cat.png
 *
 * Each camera's source is encoded once to a cached H.264 clip (see
 * fa-camsim-clip.h) and served in a loop from memory: appsrc (live,
 * timestamped from the pipeline clock, so timestamps keep increasing across
 * loops) ! rtph264pay, one shared media per camera whatever the number of
 * clients. No decoding or encoding happens while serving.
 *
 * stdout, one line each, for scripts:
 *   CAMERA cam1 rtsp://127.0.0.1:PORT/cam1 source=... frames=N fps=F enter_frame=E leave_frame=L
 *   READY rtsp://127.0.0.1:PORT/cam1 rtsp://127.0.0.1:PORT/cam2 ...
 *   EVENT cam1 enter appearance=N time_us=WALLCLOCK   (subject wholly in view)
 *   DROPPED cam2 seconds=5 / RESTORED cam2
 * Commands on stdin: "drop NAME [SECONDS]" (stop serving NAME and close its
 * clients; back after SECONDS, or on "restore NAME"), "restore NAME", "quit".
 * SIGINT/SIGTERM or "quit" stop the server: clients are closed, "STOPPED" is
 * printed and the process exits within 3 s (a second signal: at once). */

#include "fa-camsim-clip.h"

#include <gst/app/app.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  gchar *name;
  gchar *mount;            // "/cam1"
  FaCamClip *clip;
  gboolean dropped;
  guint restore_id;
  guint appearances;       // atomic
} Camera;

typedef struct {
  Camera *cam;
  GstElement *appsrc;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean stop;
} Feeder;

static GMainLoop *loop;
static GstRTSPServer *server;
static GPtrArray *cameras;
static GMutex print_lock;

static void G_GNUC_PRINTF (1, 2)
say (const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_mutex_lock (&print_lock);
  vprintf (format, args);
  putchar ('\n');
  fflush (stdout);
  g_mutex_unlock (&print_lock);
  va_end (args);
}

static gpointer
feeder_run (gpointer data)
{
  Feeder *f = data;
  FaCamClip *clip = f->cam->clip;
  const gint64 frame_us = G_USEC_PER_SEC / clip->fps;
  GstClockTime duration = GST_SECOND / clip->fps;
  gint64 start = 0;
  guint64 count = 0;
  guint index = 0;

  g_mutex_lock (&f->lock);
  while (!f->stop) {
    // A live source only flows in PLAYING; wait there without advancing.
    if (GST_STATE (f->appsrc) != GST_STATE_PLAYING) {
      start = 0;
      g_cond_wait_until (&f->cond, &f->lock,
          g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
      continue;
    }
    if (start == 0)
      start = g_get_monotonic_time ();
    // Deadlines from the start, so pacing never drifts.
    gint64 deadline = start + (gint64) count * frame_us;
    if (g_get_monotonic_time () < deadline) {
      g_cond_wait_until (&f->cond, &f->lock, deadline);
      continue;
    }
    g_mutex_unlock (&f->lock);

    // A shallow copy: same memory, fresh metadata for do-timestamp.
    GstBuffer *buf = gst_buffer_copy (g_ptr_array_index (clip->frames, index));
    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION (buf) = duration;
    gst_app_src_push_buffer (GST_APP_SRC (f->appsrc), buf);
    if ((gint) index == clip->enter_frame)
      say ("EVENT %s enter appearance=%u time_us=%" G_GINT64_FORMAT,
          f->cam->name, g_atomic_int_add (&f->cam->appearances, 1) + 1,
          g_get_real_time ());
    index = (index + 1) % clip->frames->len;
    count++;

    g_mutex_lock (&f->lock);
  }
  g_mutex_unlock (&f->lock);
  return NULL;
}

static void
feeder_stop (Feeder *f)
{
  g_mutex_lock (&f->lock);
  f->stop = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);
  if (f->thread) {
    g_thread_join (f->thread);
    f->thread = NULL;
  }
}

static void
feeder_free (Feeder *f)
{
  feeder_stop (f);
  gst_object_unref (f->appsrc);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
  g_free (f);
}

static void
on_media_unprepared (GstRTSPMedia *media, Feeder *f)
{
  feeder_stop (f);
}

static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media,
    Camera *cam)
{
  g_autoptr (GstElement) bin = gst_rtsp_media_get_element (media);
  Feeder *f = g_new0 (Feeder, 1);

  f->cam = cam;
  f->appsrc = gst_bin_get_by_name_recurse_up (GST_BIN (bin), "src");
  g_object_set (f->appsrc, "caps", cam->clip->caps, "format", GST_FORMAT_TIME,
      "is-live", TRUE, "do-timestamp", TRUE, NULL);
  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->thread = g_thread_new (cam->name, feeder_run, f);
  g_signal_connect (media, "unprepared", G_CALLBACK (on_media_unprepared), f);
  g_object_set_data_full (G_OBJECT (media), "fa-feeder", f,
      (GDestroyNotify) feeder_free);
}

static void
camera_mount (Camera *cam)
{
  g_autoptr (GstRTSPMountPoints) mounts = gst_rtsp_server_get_mount_points (server);
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();

  gst_rtsp_media_factory_set_launch (factory,
      "( appsrc name=src ! rtph264pay name=pay0 pt=96 config-interval=-1 )");
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  g_signal_connect (factory, "media-configure", G_CALLBACK (on_media_configure),
      cam);
  gst_rtsp_mount_points_add_factory (mounts, cam->mount, factory);
  cam->dropped = FALSE;
}

typedef struct {
  const gchar *mount;
  gboolean found;
} MountMatch;

static GstRTSPFilterResult
match_session_media (GstRTSPSession *sess, GstRTSPSessionMedia *sm,
    gpointer data)
{
  MountMatch *m = data;
  gint matched;
  if (gst_rtsp_session_media_matches (sm, m->mount, &matched))
    m->found = TRUE;
  return GST_RTSP_FILTER_KEEP;
}

static GstRTSPFilterResult
match_client_session (GstRTSPClient *client, GstRTSPSession *sess,
    gpointer data)
{
  gst_rtsp_session_filter (sess, match_session_media, data);
  return GST_RTSP_FILTER_KEEP;
}

static GstRTSPFilterResult
close_if_watching (GstRTSPServer *srv, GstRTSPClient *client, gpointer data)
{
  MountMatch *m = data;
  m->found = FALSE;
  gst_rtsp_client_session_filter (client, match_client_session, m);
  return m->found ? GST_RTSP_FILTER_REMOVE : GST_RTSP_FILTER_KEEP;
}

static Camera *
find_camera (const gchar *name)
{
  for (guint i = 0; i < cameras->len; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    if (g_str_equal (cam->name, name))
      return cam;
  }
  return NULL;
}

static void
camera_restore (Camera *cam)
{
  if (cam->restore_id) {
    g_source_remove (cam->restore_id);
    cam->restore_id = 0;
  }
  if (cam->dropped) {
    camera_mount (cam);
    say ("RESTORED %s", cam->name);
  }
}

static gboolean
restore_timeout (gpointer data)
{
  Camera *cam = data;
  cam->restore_id = 0;
  camera_restore (cam);
  return G_SOURCE_REMOVE;
}

static void
camera_drop (Camera *cam, guint seconds)
{
  if (!cam->dropped) {
    g_autoptr (GstRTSPMountPoints) mounts =
        gst_rtsp_server_get_mount_points (server);
    MountMatch m = { cam->mount, FALSE };
    // New clients get 404; connected ones lose their connection.
    gst_rtsp_mount_points_remove_factory (mounts, cam->mount);
    g_list_free_full (gst_rtsp_server_client_filter (server, close_if_watching,
            &m), g_object_unref);
    cam->dropped = TRUE;
  }
  if (cam->restore_id)
    g_source_remove (cam->restore_id);
  cam->restore_id = seconds ? g_timeout_add_seconds (seconds, restore_timeout,
      cam) : 0;
  say ("DROPPED %s seconds=%u", cam->name, seconds);
}

static void
run_command (const gchar *line)
{
  g_auto (GStrv) words = g_strsplit_set (g_strstrip ((gchar *) line), " \t", 0);
  guint n = g_strv_length (words);
  if (n == 0 || words[0][0] == '\0')
    return;
  if (g_str_equal (words[0], "quit")) {
    g_main_loop_quit (loop);
    return;
  }
  if ((g_str_equal (words[0], "drop") && (n == 2 || n == 3)) ||
      (g_str_equal (words[0], "restore") && n == 2)) {
    Camera *cam = find_camera (words[1]);
    if (cam == NULL) {
      g_printerr ("fa-camsim: no camera named \"%s\"\n", words[1]);
      return;
    }
    if (g_str_equal (words[0], "restore"))
      camera_restore (cam);
    else
      camera_drop (cam, n == 3 ? (guint) g_ascii_strtoull (words[2], NULL, 10) : 0);
    return;
  }
  g_printerr ("fa-camsim: unknown command \"%s\" (use: drop NAME [SECONDS], "
      "restore NAME, quit)\n", line);
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition cond, gpointer data)
{
  g_autofree gchar *line = NULL;
  GIOStatus status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);
  if (status == G_IO_STATUS_NORMAL) {
    run_command (line);
    return G_SOURCE_CONTINUE;
  }
  if (status == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  return G_SOURCE_REMOVE;       // EOF: no more commands, keep serving
}

// SIGINT/SIGTERM (dispatched in the main loop by g_unix_signal_add, not in a
// signal handler): the first quits the loop, a second exits at once.
static gboolean
on_signal (gpointer data)
{
  static gboolean stopping;
  if (stopping)
    _exit (1);
  stopping = TRUE;
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gpointer
shutdown_watchdog (gpointer data)
{
  g_usleep (3 * G_USEC_PER_SEC);
  g_printerr ("fa-camsim: shutdown took more than 3 s: exiting anyway\n");
  _exit (1);
  return NULL;
}

static GstRTSPFilterResult
close_client (GstRTSPServer *srv, GstRTSPClient *client, gpointer data)
{
  return GST_RTSP_FILTER_REMOVE;
}

// Bounded shutdown after the main loop: stop accepting, close the clients,
// then leave with _exit(). Nothing is left to save (clips are written to the
// cache atomically when prepared), and exit() would run library destructors
// while every camera's feeder thread and the RTSP threads still run: a
// watchdog ends the process if closing the clients ever stalls.
static void G_GNUC_NORETURN
shut_down (guint server_source)
{
  g_thread_unref (g_thread_new ("watchdog", shutdown_watchdog, NULL));
  g_source_remove (server_source);
  g_list_free_full (gst_rtsp_server_client_filter (server, close_client, NULL),
      g_object_unref);
  say ("STOPPED");
  fflush (stdout);
  fflush (stderr);
  _exit (0);
}

static gboolean
cleanup_sessions (gpointer data)
{
  g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_server_get_session_pool (server);
  gst_rtsp_session_pool_cleanup (pool);
  return G_SOURCE_CONTINUE;
}

static int
fail (const gchar *format, ...) G_GNUC_PRINTF (1, 2);

static int
fail (const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("fa-camsim: %s\n", msg);
  return 1;
}

static gchar *
default_cache_dir (void)
{
  const gchar *env = g_getenv ("FACEALERT_CAMSIM_CACHE");
  if (env && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "facealert", "camsim", NULL);
}

int
main (int argc, char **argv)
{
  gint port = 8554, width = 640, height = 480, fps = 15;
  g_autofree gchar *address = g_strdup ("127.0.0.1");
  g_autofree gchar *cache_dir = NULL, *testdata = NULL;
  gboolean prepare_only = FALSE;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "RTSP port (default 8554; 0 picks a free one)", "PORT" },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address,
      "Address to listen on (default 127.0.0.1)", "ADDR" },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir,
      "Where encoded clips are kept (default $FACEALERT_CAMSIM_CACHE, else "
      "$XDG_CACHE_HOME/facealert/camsim)", "DIR" },
    { "testdata", 0, 0, G_OPTION_ARG_FILENAME, &testdata,
      "Test data for scenes (default $FACEALERT_TESTDATA, else the "
      "checkout's tests/data)", "DIR" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Picture width (default 640)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Picture height (default 480)", "H" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, "Frames per second (default 15)", "N" },
    { "prepare-only", 0, 0, G_OPTION_ARG_NONE, &prepare_only,
      "Encode the clips into the cache and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("NAME=SOURCE...");
  g_autoptr (GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_set_summary (ctx, "Serves simulated RTSP cameras, looping "
      "H.264 clips, at rtsp://ADDR:PORT/NAME.\n\nSOURCE is one of:\n"
      "  scene:household|stranger|cat|empty  a walk-in scene from the test photos\n"
      "  walk:PHOTO   PHOTO walking in and out of a plain background\n"
      "  file:VIDEO   a video file, scaled to WxH\n"
      "  image:PHOTO  a still picture\n\n"
      "stdin commands: drop NAME [SECONDS] | restore NAME | quit");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return fail ("%s (see --help)", error->message);
  if (argc < 2)
    return fail ("no camera given: pass NAME=SOURCE, e.g. cam1=scene:household "
        "(see --help)");
  if (port < 0 || port > 65535 || width < 16 || height < 16 || fps < 1 || fps > 60)
    return fail ("bad --port, --width, --height or --fps value");
  if ((width | height) & 1)
    return fail ("--width and --height must be even");

  if (cache_dir == NULL)
    cache_dir = default_cache_dir ();
  if (testdata == NULL)
    testdata = g_strdup (g_getenv ("FACEALERT_TESTDATA"));
  if (testdata == NULL || *testdata == '\0') {
    g_free (testdata);
    testdata = g_strdup (FA_DEFAULT_TESTDATA);
  }
  FaCamClipOptions opts = { width, height, fps, cache_dir, testdata };

  cameras = g_ptr_array_new ();
  for (int i = 1; i < argc; i++) {
    const gchar *eq = strchr (argv[i], '=');
    if (eq == NULL || eq == argv[i])
      return fail ("bad camera \"%s\": use NAME=SOURCE, e.g. cam1=scene:household",
          argv[i]);
    g_autofree gchar *name = g_strndup (argv[i], eq - argv[i]);
    for (const gchar *c = name; *c; c++)
      if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-')
        return fail ("bad camera name \"%s\": use letters, digits, - and _", name);
    if (find_camera (name))
      return fail ("camera \"%s\" is given twice", name);
    FaCamClip *clip = fa_cam_clip_prepare (eq + 1, &opts, &error);
    if (clip == NULL)
      return fail ("%s: %s", name, error->message);
    Camera *cam = g_new0 (Camera, 1);
    cam->name = g_steal_pointer (&name);
    cam->mount = g_strdup_printf ("/%s", cam->name);
    cam->clip = clip;
    g_ptr_array_add (cameras, cam);
  }
  if (prepare_only) {
    for (guint i = 0; i < cameras->len; i++) {
      Camera *cam = g_ptr_array_index (cameras, i);
      say ("PREPARED %s %s", cam->name, cam->clip->cache_path);
    }
    return 0;
  }

  loop = g_main_loop_new (NULL, FALSE);
  // Before READY, so that a script stopping us right after READY is heard.
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  server = gst_rtsp_server_new ();
  g_autofree gchar *service = g_strdup_printf ("%d", port);
  gst_rtsp_server_set_address (server, address);
  gst_rtsp_server_set_service (server, service);
  for (guint i = 0; i < cameras->len; i++)
    camera_mount (g_ptr_array_index (cameras, i));
  guint server_source = gst_rtsp_server_attach (server, NULL);
  if (server_source == 0)
    return fail ("cannot listen on %s:%d (in use?): pick another --port, or "
        "--port 0 for a free one", address, port);
  port = gst_rtsp_server_get_bound_port (server);

  g_autoptr (GString) ready = g_string_new ("READY");
  for (guint i = 0; i < cameras->len; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    g_autofree gchar *url = g_strdup_printf ("rtsp://%s:%d%s", address, port,
        cam->mount);
    say ("CAMERA %s %s source=%s frames=%u fps=%d enter_frame=%d leave_frame=%d",
        cam->name, url, cam->clip->source, cam->clip->frames->len, fps,
        cam->clip->enter_frame, cam->clip->leave_frame);
    g_string_append_printf (ready, " %s", url);
  }
  say ("%s", ready->str);

  g_timeout_add_seconds (2, cleanup_sessions, NULL);
  GIOChannel *in = g_io_channel_unix_new (0);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);

  g_main_loop_run (loop);
  shut_down (server_source);
}
