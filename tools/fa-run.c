/* facealert-run: runs each camera of a pipeline description file as its own
 * GstPipeline in one process, and restarts only the camera that fails.
 *
 *   facealert-run [OPTION...] FILE
 *
 * FILE has one gst-launch description per camera, in [NAME] sections, with
 * ${VAR} taken from the environment (see fa-run-desc.h and docs/cameras.md).
 *
 * Why: in a single gst-launch pipeline, an error from one rtspsrc (a camera
 * that went away) stops every camera, and rtspsrc (1.22) does not reconnect
 * by itself after the server closed the connection. Here an error, an EOS or
 * a stall (no buffer reaching any sink for --stall-timeout seconds) in one
 * camera tears down that camera's pipeline only and builds it again after a
 * back-off (--min-backoff doubling up to --max-backoff; back to the minimum
 * once the camera has delivered data again). The others keep running.
 *
 * SIGINT/SIGTERM (or the end of --duration) send EOS to every camera and wait
 * up to --eos-timeout seconds for them to finish, so sinks can flush (a
 * second signal stops at once). A description that does not parse stops the
 * program before anything starts, with one line naming the camera and the
 * problem, and exit code 2.
 *
 * stdout, one line each ("facealert-run: " prefix):
 *   CAM: started | CAM: flowing | CAM: stopped: WHY; restarting in S s (attempt N)
 *   CAM: finished (EOS)
 *   stats CAM buffers=N dropped=N restarts=N state=STATE [received=N recorded=N]
 *     [detections=N]
 *   CAM: face track N: known NAME similarity S | unknown (best similarity S)
 *   CAM: N face(s) in a pet box: vetoed, not judged
 *   CAM: alert ID queued track N: SUBJECT (person N for a person alert)
 *     | delivered to TARGET ... | retrying for TARGET ... | failed for TARGET ...
 *     (TARGET: sns, mqtt)
 *   stopping: ... | stopped
 * "face" lines come from facematch's messages (once per track, when it is
 * decided, and again if its identity changes; "pet box" lines when faces in
 * a cat or dog box start being vetoed); "alert" lines from alertsink's
 * facealert/alert messages. "dropped" counts buffers dropped by the leaky
 * queues of the camera (frames the analysis skipped because it fell behind);
 * "received" / "recorded" (cameras with a kvssink) count buffers into its tee
 * and into its kvssink: equal once a camera finished when the recording lost
 * nothing. "detections" (cameras with an objectdetect) counts the object
 * detections run: with objectdetect's background detection, what a camera
 * still got when the cores were short. */

#include "fa-run-desc.h"
#include "fa-run-status.h"
#include "fa-paths.h"

#include <gst/gst.h>
#include <glib-unix.h>

#include <stdio.h>

typedef struct {
  FaRunSection *def;
  GstElement *pipeline;
  guint bus_watch;
  guint restart_id;
  guint attempt;             // consecutive failed starts
  guint restarts;
  gint64 started_us;
  gpointer last_buffer_us;   // atomic; a gint64 monotonic time
  gint buffers_run;          // atomic: buffers at the sinks in this run
  guint64 buffers_total;     // buffers in earlier runs
  GPtrArray *leaky;          // LeakyQueue of this run
  guint64 dropped_total;     // dropped by leaky queues in earlier runs
  gint received_run;         // atomic: buffers into the camera's tees (this run)
  gint recorded_run;         // atomic: buffers into its kvssinks (this run)
  guint64 received_total, recorded_total;   // earlier runs
  gboolean records;          // the description has a kvssink
  GPtrArray *detectors;      // its objectdetect elements (this run)
  guint64 detections_total;  // their detections in earlier runs
  gboolean detects;          // the description has an objectdetect
  GHashTable *tracks;        // track id -> last printed identity (this run)
  gboolean vetoing;          // the last facematch message had vetoed faces
  gboolean flowing;
  gchar *stream;             // its kvssink's stream-name (else the section name)
  gboolean finished;         // EOS reached after shutdown / in --once mode
  gboolean failed;
} Camera;

static struct {
  gint min_backoff_ms;
  gint max_backoff_ms;
  gint stall_timeout_s;
  gint eos_timeout_s;
  gint duration_s;
  gint stats_s;
  gboolean once;
  gchar *status_dir;         // per-camera status files ("" : none)
} opt = { 1000, 30000, 20, 10, 0, 0, FALSE, NULL };

static GPtrArray *cameras;
static GMainLoop *loop;
static gboolean stopping;
static guint eos_timeout_id;
static int exit_code;

static void G_GNUC_PRINTF (1, 2)
say (const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *msg = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("facealert-run: %s\n", msg);
  fflush (stdout);
}

// Buffers into and out of one leaky queue: in - out - level = dropped.
typedef struct {
  GstElement *queue;
  gint in, out;              // atomic
} LeakyQueue;

static void camera_start (Camera *cam);
static void maybe_quit (void);

static void
leaky_queue_free (gpointer data)
{
  LeakyQueue *q = data;
  gst_object_unref (q->queue);
  g_free (q);
}

static GstPadProbeReturn
count_leaky (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  gint *counter = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    g_atomic_int_add (counter, gst_buffer_list_length (
            GST_PAD_PROBE_INFO_BUFFER_LIST (info)));
  else
    g_atomic_int_inc (counter);
  return GST_PAD_PROBE_OK;
}

static guint64
leaky_dropped (LeakyQueue *q)
{
  guint level = 0;
  g_object_get (q->queue, "current-level-buffers", &level, NULL);
  gint64 d = (gint64) g_atomic_int_get (&q->in) - g_atomic_int_get (&q->out)
      - level;
  return d > 0 ? (guint64) d : 0;
}

static guint64
camera_dropped (Camera *cam)
{
  guint64 d = cam->dropped_total;
  for (guint i = 0; cam->leaky && i < cam->leaky->len; i++)
    d += leaky_dropped (g_ptr_array_index (cam->leaky, i));
  return d;
}

static guint64
camera_detections (Camera *cam)
{
  guint64 n = cam->detections_total;
  for (guint i = 0; cam->detectors && i < cam->detectors->len; i++) {
    guint64 d = 0;
    g_object_get (g_ptr_array_index (cam->detectors, i), "detections", &d, NULL);
    n += d;
  }
  return n;
}

static void
watch_detector (Camera *cam, GstElement *el)
{
  GstElementFactory *f = gst_element_get_factory (el);
  if (f == NULL || g_strcmp0 (GST_OBJECT_NAME (f), "objectdetect") != 0)
    return;
  cam->detects = TRUE;
  g_ptr_array_add (cam->detectors, gst_object_ref (el));
}

static void
watch_leaky (Camera *cam, GstElement *el)
{
  GstElementFactory *f = gst_element_get_factory (el);
  gint leaky = 0;
  if (f == NULL || g_strcmp0 (GST_OBJECT_NAME (f), "queue") != 0)
    return;
  g_object_get (el, "leaky", &leaky, NULL);
  if (leaky == 0)
    return;
  LeakyQueue *q = g_new0 (LeakyQueue, 1);
  q->queue = gst_object_ref (el);
  GstPad *sink = gst_element_get_static_pad (el, "sink");
  GstPad *src = gst_element_get_static_pad (el, "src");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, count_leaky, &q->in, NULL);
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, count_leaky, &q->out, NULL);
  gst_object_unref (sink);
  gst_object_unref (src);
  g_ptr_array_add (cam->leaky, q);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Camera *cam = data;
  g_atomic_int_inc (&cam->buffers_run);
  g_atomic_pointer_set (&cam->last_buffer_us,
      GSIZE_TO_POINTER (g_get_monotonic_time ()));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_into (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

// Counts what a tee receives and what a kvssink records: equal at the end
// when the recording lost no frame (stats: received=, recorded=).
static void
watch_recording (Camera *cam, GstElement *el)
{
  GstElementFactory *f = gst_element_get_factory (el);
  const gchar *factory = f != NULL ? GST_OBJECT_NAME (f) : "";
  gint *counter = g_str_equal (factory, "tee") ? &cam->received_run
      : g_str_equal (factory, "kvssink") ? &cam->recorded_run : NULL;
  if (counter == NULL)
    return;
  cam->records |= counter == &cam->recorded_run;
  GstPad *pad = gst_element_get_static_pad (el, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_into, counter, NULL);
  gst_object_unref (pad);
}

// Counts buffers reaching every sink of the description (recursing into
// bins present after parsing) to know that a camera is alive.
static void
watch_sinks (Camera *cam)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (cam->pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *el = g_value_get_object (&item);
    watch_leaky (cam, el);
    watch_recording (cam, el);
    watch_detector (cam, el);
    if (!GST_IS_BIN (el) && GST_OBJECT_FLAG_IS_SET (el, GST_ELEMENT_FLAG_SINK)) {
      GstPad *pad = gst_element_get_static_pad (el, "sink");
      if (pad) {
        gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER |
            GST_PAD_PROBE_TYPE_BUFFER_LIST, count_buffer, cam, NULL);
        gst_object_unref (pad);
      }
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

static void
camera_teardown (Camera *cam)
{
  if (cam->pipeline == NULL)
    return;
  if (cam->bus_watch)
    g_source_remove (cam->bus_watch);
  cam->bus_watch = 0;
  gst_element_set_state (cam->pipeline, GST_STATE_NULL);
  cam->dropped_total = camera_dropped (cam);
  g_clear_pointer (&cam->leaky, g_ptr_array_unref);
  cam->detections_total = camera_detections (cam);
  g_clear_pointer (&cam->detectors, g_ptr_array_unref);
  g_clear_pointer (&cam->tracks, g_hash_table_unref);
  g_clear_object (&cam->pipeline);
  cam->buffers_total += g_atomic_int_get (&cam->buffers_run);
  g_atomic_int_set (&cam->buffers_run, 0);
  cam->received_total += g_atomic_int_get (&cam->received_run);
  g_atomic_int_set (&cam->received_run, 0);
  cam->recorded_total += g_atomic_int_get (&cam->recorded_run);
  g_atomic_int_set (&cam->recorded_run, 0);
}

static gboolean
restart_timeout (gpointer data)
{
  Camera *cam = data;
  cam->restart_id = 0;
  if (!stopping)
    camera_start (cam);
  return G_SOURCE_REMOVE;
}

static void
camera_failed (Camera *cam, const gchar *why)
{
  gboolean was_flowing = cam->flowing;

  camera_teardown (cam);
  if (stopping) {
    say ("%s: stopped: %s", cam->def->name, why);
    cam->finished = TRUE;
    maybe_quit ();
    return;
  }
  if (opt.once) {
    say ("%s: stopped: %s", cam->def->name, why);
    cam->finished = cam->failed = TRUE;
    exit_code = 1;
    maybe_quit ();
    return;
  }
  if (was_flowing)
    cam->attempt = 0;           // it worked: retry quickly
  gint64 delay = opt.min_backoff_ms;
  for (guint i = 0; i < cam->attempt && delay < opt.max_backoff_ms; i++)
    delay *= 2;
  delay = MIN (delay, opt.max_backoff_ms);
  cam->attempt++;
  cam->restarts++;
  say ("%s: stopped: %s; restarting in %.1f s (attempt %u)", cam->def->name,
      why, delay / 1000.0, cam->attempt);
  cam->restart_id = g_timeout_add ((guint) delay, restart_timeout, cam);
}

static gchar *
describe_error (GstMessage *msg)
{
  g_autoptr (GError) err = NULL;
  g_autofree gchar *debug = NULL;
  gst_message_parse_error (msg, &err, &debug);
  return g_strdup_printf ("error from %s: %s", GST_OBJECT_NAME (msg->src),
      err->message);
}

// One line per facematch track when it is decided or changes identity, and
// one when faces in a pet box start being vetoed.
static void
report_faces (Camera *cam, const GstStructure *s)
{
  guint vetoed = 0;
  gst_structure_get_uint (s, "n-vetoed", &vetoed);
  if (vetoed > 0 && !cam->vetoing)
    say ("%s: %u face(s) in a pet box: vetoed, not judged", cam->def->name, vetoed);
  cam->vetoing = vetoed > 0;
  const GValue *faces = gst_structure_get_value (s, "faces");
  if (faces == NULL || !GST_VALUE_HOLDS_LIST (faces))
    return;
  for (guint i = 0; i < gst_value_list_get_size (faces); i++) {
    const GstStructure *f =
        gst_value_get_structure (gst_value_list_get_value (faces, i));
    guint64 track = 0;
    gboolean decided = FALSE, known = FALSE;
    gdouble similarity = 0;
    const gchar *name = gst_structure_get_string (f, "name");
    gst_structure_get (f, "track-id", G_TYPE_UINT64, &track, "decided",
        G_TYPE_BOOLEAN, &decided, "known", G_TYPE_BOOLEAN, &known,
        "similarity", G_TYPE_DOUBLE, &similarity, NULL);
    if (!decided)
      continue;
    g_autofree gchar *state = g_strdup_printf ("%d:%s", known, name ? name : "");
    gpointer key = g_memdup2 (&track, sizeof track);
    const gchar *old = g_hash_table_lookup (cam->tracks, key);
    if (g_strcmp0 (old, state) == 0) {
      g_free (key);
      continue;
    }
    if (known)
      say ("%s: face track %" G_GUINT64_FORMAT ": known %s similarity %.1f",
          cam->def->name, track, name, similarity);
    else
      say ("%s: face track %" G_GUINT64_FORMAT ": unknown (best similarity "
          "%.1f)", cam->def->name, track, similarity);
    g_hash_table_replace (cam->tracks, key, g_steal_pointer (&state));
  }
}

static void
report_alert (Camera *cam, const GstStructure *s)
{
  const gchar *status = gst_structure_get_string (s, "status");
  const gchar *id = gst_structure_get_string (s, "id");
  const gchar *target = gst_structure_get_string (s, "target");   /* sns, mqtt */
  guint64 track = 0;
  guint attempts = 0;

  if (g_strcmp0 (status, "queued") == 0) {
    gst_structure_get_uint64 (s, "track-id", &track);
    gboolean person = g_strcmp0 (gst_structure_get_string (s, "event"), "person") == 0;
    say ("%s: alert %s queued %s %" G_GUINT64_FORMAT ": %s", cam->def->name,
        id, person ? "person" : "track", track, gst_structure_get_string (s, "subject"));
  } else if (g_strcmp0 (status, "delivered") == 0) {
    gint64 queued = 0, delivered = 0;
    gst_structure_get (s, "attempts", G_TYPE_UINT, &attempts, "queued-time",
        G_TYPE_INT64, &queued, "delivered-time", G_TYPE_INT64, &delivered, NULL);
    say ("%s: alert %s delivered%s%s (attempts %u, %.0f ms after queued)",
        cam->def->name, id, target != NULL ? " to " : "", target != NULL ? target : "",
        attempts, (delivered - queued) / 1000.0);
  } else {
    gst_structure_get_uint (s, "attempts", &attempts);
    say ("%s: alert %s %s%s%s (attempts %u): %s", cam->def->name, id, status,
        target != NULL ? " for " : "", target != NULL ? target : "", attempts,
        gst_structure_get_string (s, "error"));
  }
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  Camera *cam = data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);
      if (gst_structure_has_name (s, "facematch"))
        report_faces (cam, s);
      else if (gst_structure_has_name (s, "facealert/alert"))
        report_alert (cam, s);
      break;
    }
    case GST_MESSAGE_ERROR:{
      g_autofree gchar *why = describe_error (msg);
      cam->bus_watch = 0;       // removed by returning G_SOURCE_REMOVE
      camera_failed (cam, why);
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_EOS:
      cam->bus_watch = 0;
      if (stopping || opt.once) {
        camera_teardown (cam);
        cam->finished = TRUE;
        say ("%s: finished (EOS)", cam->def->name);
        maybe_quit ();
      } else {
        camera_failed (cam, "end of stream (the camera closed the connection)");
      }
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) err = NULL;
      gst_message_parse_warning (msg, &err, NULL);
      say ("%s: warning from %s: %s", cam->def->name, GST_OBJECT_NAME (msg->src),
          err->message);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static GstElement *
build_pipeline (FaRunSection *def, GError **error)
{
  GstElement *el = gst_parse_launch_full (def->description, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (el == NULL)
    return NULL;
  // A lone element is returned as is: wrap it so it has a bus of its own.
  if (!GST_IS_PIPELINE (el)) {
    GstElement *pipeline = gst_pipeline_new (def->name);
    gst_bin_add (GST_BIN (pipeline), el);
    el = pipeline;
  } else {
    gst_object_set_name (GST_OBJECT (el), def->name);
  }
  return el;
}

// The name the stores know the camera by: its kvssink's stream-name.
static gchar *
find_stream_name (GstElement *pipeline)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  GValue item = G_VALUE_INIT;
  gchar *name = NULL;
  while (name == NULL && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *e = g_value_get_object (&item);
    GstElementFactory *f = gst_element_get_factory (e);
    if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "kvssink"))
      g_object_get (e, "stream-name", &name, NULL);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  return name;
}

static void
camera_start (Camera *cam)
{
  g_autoptr (GError) error = NULL;

  cam->pipeline = build_pipeline (cam->def, &error);
  if (cam->pipeline == NULL) {
    // It parsed at start-up; a failure now is transient (e.g. memory).
    camera_failed (cam, error->message);
    return;
  }
  if (cam->stream == NULL)
    cam->stream = find_stream_name (cam->pipeline);
  cam->leaky = g_ptr_array_new_with_free_func (leaky_queue_free);
  cam->detectors = g_ptr_array_new_with_free_func (gst_object_unref);
  cam->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  cam->vetoing = FALSE;
  watch_sinks (cam);
  cam->flowing = FALSE;
  cam->started_us = g_get_monotonic_time ();
  g_atomic_pointer_set (&cam->last_buffer_us, GSIZE_TO_POINTER (cam->started_us));
  g_autoptr (GstBus) bus = gst_element_get_bus (cam->pipeline);
  cam->bus_watch = gst_bus_add_watch (bus, on_bus, cam);
  say ("%s: started", cam->def->name);
  if (gst_element_set_state (cam->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    g_autofree gchar *why = msg ? describe_error (msg) :
        g_strdup ("could not start the pipeline");
    camera_failed (cam, why);
  }
}

static gboolean
monitor (gpointer data)
{
  gint64 now = g_get_monotonic_time ();
  for (guint i = 0; i < cameras->len && !stopping; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    if (cam->pipeline == NULL)
      continue;
    if (!cam->flowing && g_atomic_int_get (&cam->buffers_run) > 0) {
      cam->flowing = TRUE;
      cam->attempt = 0;
      say ("%s: flowing", cam->def->name);
    }
    gint64 last = GPOINTER_TO_SIZE (g_atomic_pointer_get (&cam->last_buffer_us));
    if (opt.stall_timeout_s > 0 &&
        now - last > (gint64) opt.stall_timeout_s * G_USEC_PER_SEC) {
      g_autofree gchar *why = g_strdup_printf ("no data for %d s",
          opt.stall_timeout_s);
      camera_failed (cam, why);
    }
  }
  return G_SOURCE_CONTINUE;
}

static const gchar *
camera_state (Camera *cam)
{
  return cam->finished ? "finished" : cam->pipeline == NULL ? "waiting"
      : cam->flowing ? "flowing" : "starting";
}

// The status files `facealert serve` reads (fa-run-status.h).
static gboolean
write_status (gpointer data)
{
  const gchar *final_state = data;
  gint64 now = g_get_monotonic_time (), real = g_get_real_time ();
  for (guint i = 0; i < cameras->len && *opt.status_dir != '\0'; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    gint64 last = GPOINTER_TO_SIZE (g_atomic_pointer_get (&cam->last_buffer_us));
    guint64 buffers = cam->buffers_total + (guint64) g_atomic_int_get (&cam->buffers_run);
    FaRunStatus status = {
      .camera = cam->stream ? cam->stream : cam->def->name,
      .state = final_state ? final_state : camera_state (cam),
      .buffers = buffers, .dropped = camera_dropped (cam), .restarts = cam->restarts,
      .last_buffer_real_us = last > 0 && buffers > 0 ? real - (now - last) : 0,
    };
    g_autoptr (GError) error = NULL;
    if (!fa_run_status_write (opt.status_dir, &status, &error)) {
      g_printerr ("facealert-run: no status files from now on: camera %s: %s\n",
          cam->def->name, error->message);
      opt.status_dir[0] = '\0';
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
print_stats (gpointer data)
{
  for (guint i = 0; i < cameras->len; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    const gchar *state = camera_state (cam);
    g_autofree gchar *recording = cam->records ? g_strdup_printf (" received=%"
        G_GUINT64_FORMAT " recorded=%" G_GUINT64_FORMAT, cam->received_total +
        (guint64) g_atomic_int_get (&cam->received_run), cam->recorded_total +
        (guint64) g_atomic_int_get (&cam->recorded_run)) : g_strdup ("");
    g_autofree gchar *detections = cam->detects ? g_strdup_printf (" detections=%"
        G_GUINT64_FORMAT, camera_detections (cam)) : g_strdup ("");
    say ("stats %s buffers=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
        " restarts=%u state=%s%s%s", cam->def->name, cam->buffers_total +
        (guint64) g_atomic_int_get (&cam->buffers_run), camera_dropped (cam),
        cam->restarts, state, recording, detections);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
all_finished (void)
{
  for (guint i = 0; i < cameras->len; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    if (!cam->finished)
      return FALSE;
  }
  return TRUE;
}

static void
maybe_quit (void)
{
  if (all_finished ())
    g_main_loop_quit (loop);
}

static gboolean
eos_timeout (gpointer data)
{
  eos_timeout_id = 0;
  say ("stopping: %d s passed without EOS from every camera; stopping now",
      opt.eos_timeout_s);
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
begin_stop (const gchar *why)
{
  guint n = 0;

  stopping = TRUE;
  for (guint i = 0; i < cameras->len; i++) {
    Camera *cam = g_ptr_array_index (cameras, i);
    if (cam->restart_id) {
      g_source_remove (cam->restart_id);
      cam->restart_id = 0;
    }
    if (cam->pipeline == NULL) {
      cam->finished = TRUE;
      continue;
    }
    gst_element_send_event (cam->pipeline, gst_event_new_eos ());
    n++;
  }
  say ("stopping (%s): sent EOS to %u camera(s), waiting up to %d s for them "
      "to flush", why, n, opt.eos_timeout_s);
  eos_timeout_id = g_timeout_add_seconds (opt.eos_timeout_s, eos_timeout, NULL);
  maybe_quit ();
}

static gboolean
on_signal (gpointer data)
{
  if (stopping) {
    say ("second signal: stopping without waiting");
    g_main_loop_quit (loop);
  } else {
    begin_stop ("signal");
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_duration (gpointer data)
{
  if (!stopping)
    begin_stop ("--duration reached");
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gboolean print = FALSE;
  GOptionEntry entries[] = {
    { "print", 0, 0, G_OPTION_ARG_NONE, &print,
      "Print the expanded description of all cameras on one line (for "
      "gst-launch-1.0 -e) and exit", NULL },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &opt.duration_s,
      "Stop (with EOS) after SECONDS (default 0: run until a signal)", "SECONDS" },
    { "min-backoff", 0, 0, G_OPTION_ARG_INT, &opt.min_backoff_ms,
      "First restart delay (default 1000)", "MS" },
    { "max-backoff", 0, 0, G_OPTION_ARG_INT, &opt.max_backoff_ms,
      "Longest restart delay (default 30000)", "MS" },
    { "stall-timeout", 0, 0, G_OPTION_ARG_INT, &opt.stall_timeout_s,
      "Restart a camera whose sinks got no buffer for SECONDS (default 20; "
      "0: never)", "SECONDS" },
    { "eos-timeout", 0, 0, G_OPTION_ARG_INT, &opt.eos_timeout_s,
      "When stopping, wait at most SECONDS for EOS (default 10)", "SECONDS" },
    { "stats", 0, 0, G_OPTION_ARG_INT, &opt.stats_s,
      "Print buffer counts every SECONDS (default 0: never)", "SECONDS" },
    { "status-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt.status_dir,
      "Write each camera's status to DIR/CAMERA.json every 2 s (default: "
      "$FACEALERT_CAMERAS_DIR or ~/.local/state/facealert/cameras; \"\": none)", "DIR" },
    { "once", 0, 0, G_OPTION_ARG_NONE, &opt.once,
      "Do not restart: exit when every camera has finished (for files); exit "
      "code 1 if one failed", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE");
  g_autoptr (GError) error = NULL;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_set_summary (ctx, "Runs each camera of a pipeline "
      "description file as its own pipeline, restarting only the camera that "
      "fails. See docs/cameras.md.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &error)) {
    g_printerr ("facealert-run: %s (see --help)\n", error->message);
    return 2;
  }
  if (argc != 2) {
    g_printerr ("facealert-run: give one pipeline description file, e.g. "
        "pipelines/three-cameras.pipeline (see --help)\n");
    return 2;
  }
  if (opt.min_backoff_ms < 1 || opt.max_backoff_ms < opt.min_backoff_ms ||
      opt.stall_timeout_s < 0 || opt.eos_timeout_s < 1 || opt.duration_s < 0 ||
      opt.stats_s < 0) {
    g_printerr ("facealert-run: bad option value: need 1 <= --min-backoff <= "
        "--max-backoff, --eos-timeout >= 1, others >= 0\n");
    return 2;
  }

  g_autoptr (GPtrArray) sections = fa_run_desc_load (argv[1], &error);
  if (sections == NULL) {
    g_printerr ("facealert-run: %s\n", error->message);
    return 2;
  }
  if (print) {
    for (guint i = 0; i < sections->len; i++) {
      FaRunSection *s = g_ptr_array_index (sections, i);
      printf ("%s%s", i ? "  " : "", s->description);
    }
    printf ("\n");
    return 0;
  }

  // Check every description before starting anything.
  for (guint i = 0; i < sections->len; i++) {
    FaRunSection *s = g_ptr_array_index (sections, i);
    g_autoptr (GstElement) p = build_pipeline (s, &error);
    if (p == NULL) {
      g_printerr ("facealert-run: %s:%u: camera [%s]: bad pipeline "
          "description: %s\n", argv[1], s->line, s->name, error->message);
      return 2;
    }
  }

  loop = g_main_loop_new (NULL, FALSE);
  cameras = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < sections->len; i++) {
    Camera *cam = g_new0 (Camera, 1);
    cam->def = g_ptr_array_index (sections, i);
    g_ptr_array_add (cameras, cam);
  }
  for (guint i = 0; i < cameras->len; i++)
    camera_start (g_ptr_array_index (cameras, i));

  if (opt.status_dir == NULL)
    opt.status_dir = fa_paths_dir (FA_DIR_CAMERAS);
  g_timeout_add (500, monitor, NULL);
  g_timeout_add_seconds (2, write_status, NULL);
  if (opt.stats_s > 0)
    g_timeout_add_seconds (opt.stats_s, print_stats, NULL);
  if (opt.duration_s > 0)
    g_timeout_add_seconds (opt.duration_s, on_duration, NULL);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);

  if (!all_finished ())
    g_main_loop_run (loop);

  for (guint i = 0; i < cameras->len; i++)
    camera_teardown (g_ptr_array_index (cameras, i));
  write_status ((gpointer) "stopped");
  if (opt.stats_s > 0)
    print_stats (NULL);
  say ("stopped");
  return exit_code;
}
