/* fa-camsim: encoding a camera's source once to a cached H.264 clip, and
 * loading the clip's access units for looping. See fa-camsim-clip.h.
 *
 * Walk-in scenes ("scene:household", "walk:PHOTO", ...) are composed with
 * compositor: a plain background (videotestsrc solid-color) and the photo,
 * whose position and size on the compositor pad follow a piecewise-linear
 * timeline driven by GstInterpolationControlSource. One loop lasts 10 s:
 *
 *   0-3 s  empty background
 *   3-4 s  the photo walks in from the left, growing from 75 % to full size
 *   4-7 s  it stands near the centre, drifting 80 px to the right
 *   7-8 s  it walks out to the right, shrinking to 85 %
 *   8-10 s empty background (so appearances are 5 s apart when looping)
 *
 * Full size is 2/3 of the picture height (320 px at 480), so a portrait's
 * face is well over 100 px wide while the subject stands. */

#include "fa-camsim-clip.h"

#include <gst/app/app.h>
#include <gst/controller/controller.h>
#include <gst/pbutils/pbutils.h>

#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#define CLIP_FORMAT_VERSION "camsim-clip-1"

// The walk-in timeline (seconds) and the subject's scale/position at each
// control point; values between points are linear.
static const gdouble walk_times[] = { 0.0, 3.0, 4.0, 7.0, 8.0, 10.0 };
static const gdouble walk_scale[] = { 0.75, 0.75, 1.0, 1.0, 0.85, 0.85 };
#define WALK_POINTS G_N_ELEMENTS (walk_times)
#define WALK_SECONDS 10.0
#define IMAGE_SECONDS 2.0

static const struct {
  const gchar *name;
  const gchar *photo;   // relative to the test data directory; NULL: empty
} scenes[] = {
  { "household", "people/John_Lennon/1.jpg" },
  { "stranger", "unknown_faces/Steve_Carell.jpg" },
  { "cat", "negatives/skimage_chelsea.png" },
  { "empty", NULL },
};

typedef enum {
  KIND_WALK,
  KIND_EMPTY,
  KIND_FILE,
  KIND_IMAGE,
} ClipKind;

typedef struct {
  gint sub_w, sub_h;    // the subject's full size
  gdouble x[WALK_POINTS], y[WALK_POINTS], w[WALK_POINTS], h[WALK_POINTS];
} WalkPlan;

void
fa_cam_clip_free (FaCamClip *clip)
{
  if (clip == NULL)
    return;
  g_free (clip->source);
  g_free (clip->cache_path);
  if (clip->caps)
    gst_caps_unref (clip->caps);
  if (clip->frames)
    g_ptr_array_unref (clip->frames);
  g_free (clip);
}

static gboolean
run_to_eos (GstElement *pipeline, const gchar *what, GError **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  gboolean ok = TRUE;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    // The error message on the bus says why; fall through to read it.
  }
  g_autoptr (GstMessage) msg = gst_bus_timed_pop_filtered (bus,
      120 * GST_SECOND, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  if (msg == NULL) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "%s: timed out after 120 s", what);
    ok = FALSE;
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "%s: %s", what,
        err->message);
    ok = FALSE;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

static gboolean
photo_size (const gchar *path, gint *width, gint *height, GError **error)
{
  g_autoptr (GstDiscoverer) disc = gst_discoverer_new (30 * GST_SECOND, error);
  if (disc == NULL)
    return FALSE;
  g_autofree gchar *uri = gst_filename_to_uri (path, error);
  if (uri == NULL)
    return FALSE;
  g_autoptr (GError) err = NULL;
  g_autoptr (GstDiscovererInfo) info = gst_discoverer_discover_uri (disc, uri,
      &err);
  GList *videos = info ? gst_discoverer_info_get_video_streams (info) : NULL;
  if (videos == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "%s is not a readable picture (%s)", path,
        err ? err->message : "no video stream");
    return FALSE;
  }
  GstDiscovererVideoInfo *vinfo = videos->data;
  *width = gst_discoverer_video_info_get_width (vinfo);
  *height = gst_discoverer_video_info_get_height (vinfo);
  gst_discoverer_stream_info_list_free (videos);
  return *width > 0 && *height > 0;
}

static void
walk_plan_init (WalkPlan *plan, gint photo_w, gint photo_h,
    const FaCamClipOptions *opt)
{
  gint sub_h = opt->height * 2 / 3;
  gint sub_w = (gint) ((gint64) photo_w * sub_h / photo_h);
  if (sub_w > opt->width - 40) {
    sub_w = opt->width - 40;
    sub_h = (gint) ((gint64) photo_h * sub_w / photo_w);
  }
  plan->sub_w = sub_w & ~1;
  plan->sub_h = sub_h & ~1;

  gdouble cx = (opt->width - plan->sub_w) / 2.0;
  for (guint i = 0; i < WALK_POINTS; i++) {
    plan->w[i] = plan->sub_w * walk_scale[i];
    plan->h[i] = plan->sub_h * walk_scale[i];
    plan->y[i] = opt->height - plan->h[i] - 10;
  }
  // Off the left edge, walking in, drifting, off the right edge.
  plan->x[0] = plan->x[1] = -plan->w[1] - 1;
  plan->x[2] = cx - 40;
  plan->x[3] = cx + 40;
  plan->x[4] = plan->x[5] = opt->width;
}

// The linear interpolation the controller does, for computing events.
static gdouble
walk_value (const gdouble *values, gdouble t)
{
  for (guint i = 1; i < WALK_POINTS; i++) {
    if (t <= walk_times[i]) {
      gdouble f = (t - walk_times[i - 1]) / (walk_times[i] - walk_times[i - 1]);
      return values[i - 1] + f * (values[i] - values[i - 1]);
    }
  }
  return values[WALK_POINTS - 1];
}

static void
walk_events (const WalkPlan *plan, const FaCamClipOptions *opt,
    gint *enter, gint *leave)
{
  gint frames = (gint) (WALK_SECONDS * opt->fps);
  *enter = *leave = -1;
  for (gint i = 0; i < frames; i++) {
    gdouble t = (gdouble) i / opt->fps;
    gdouble x = walk_value (plan->x, t), w = walk_value (plan->w, t);
    gboolean inside = x >= 0 && x + w <= opt->width;
    if (inside && *enter < 0)
      *enter = i;
    else if (!inside && *enter >= 0 && *leave < 0)
      *leave = i;
  }
}

static void
bind_timeline (GstObject *pad, const gchar *property, const gdouble *values)
{
  GstControlSource *cs = gst_interpolation_control_source_new ();
  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
  for (guint i = 0; i < WALK_POINTS; i++)
    gst_timed_value_control_source_set (GST_TIMED_VALUE_CONTROL_SOURCE (cs),
        (GstClockTime) (walk_times[i] * GST_SECOND), values[i]);
  gst_object_add_control_binding (pad,
      gst_direct_control_binding_new_absolute (pad, property, cs));
  gst_object_unref (cs);
}

static const gchar *
encoder_tail (void)
{
  // Constrained baseline (no B-frames: decode order = display order), one
  // IDR per second so a client joining a shared stream starts quickly.
  return "x264enc speed-preset=veryfast tune=zerolatency pass=qual "
      "quantizer=23 key-int-max=%d threads=2 "
      "! video/x-h264,profile=constrained-baseline ! h264parse "
      "! mp4mux ! filesink name=out";
}

static GstElement *
build_encoder (ClipKind kind, const FaCamClipOptions *o, const gchar *path,
    const WalkPlan *plan, GError **error)
{
  g_autofree gchar *tail = g_strdup_printf (encoder_tail (), o->fps);
  g_autofree gchar *raw = g_strdup_printf ("video/x-raw,format=I420,width=%d,"
      "height=%d,framerate=%d/1,pixel-aspect-ratio=1/1", o->width, o->height,
      o->fps);
  gint walk_frames = (gint) (WALK_SECONDS * o->fps);
  g_autofree gchar *desc = NULL;

  switch (kind) {
    case KIND_EMPTY:
    case KIND_WALK:
      desc = g_strdup_printf ("compositor name=mix background=black "
          "! videoconvert ! %s ! %s  "
          "videotestsrc pattern=solid-color foreground-color=0xff8c8577 "
          "num-buffers=%d ! video/x-raw,width=%d,height=%d,"
          "framerate=%d/1 ! mix.sink_0 ", raw, tail, walk_frames, o->width,
          o->height, o->fps);
      if (kind == KIND_WALK) {
        g_autofree gchar *subject = g_strdup_printf ("filesrc name=src "
            "! decodebin ! videoconvert ! videoscale "
            "! video/x-raw,format=AYUV,width=%d,height=%d,pixel-aspect-ratio=1/1 "
            "! imagefreeze num-buffers=%d ! video/x-raw,framerate=%d/1 "
            "! mix.sink_1", plan->sub_w, plan->sub_h, walk_frames, o->fps);
        gchar *both = g_strconcat (desc, subject, NULL);
        g_free (desc);
        desc = both;
      }
      break;
    case KIND_FILE:
      desc = g_strdup_printf ("filesrc name=src ! decodebin ! queue "
          "! videoconvert ! videoscale add-borders=true ! videorate "
          "! %s ! %s", raw, tail);
      break;
    case KIND_IMAGE:
      desc = g_strdup_printf ("filesrc name=src ! decodebin ! videoconvert "
          "! videoscale add-borders=true "
          "! video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1 "
          "! imagefreeze num-buffers=%d ! %s ! %s", o->width, o->height,
          (gint) (IMAGE_SECONDS * o->fps), raw, tail);
      break;
  }

  GstElement *pipeline = gst_parse_launch_full (desc, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (pipeline == NULL)
    return NULL;
  if (path != NULL) {
    g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
    g_object_set (src, "location", path, NULL);
  }
  if (kind == KIND_WALK) {
    g_autoptr (GstElement) mix = gst_bin_get_by_name (GST_BIN (pipeline), "mix");
    g_autoptr (GstPad) pad = gst_element_get_static_pad (mix, "sink_1");
    bind_timeline (GST_OBJECT (pad), "xpos", plan->x);
    bind_timeline (GST_OBJECT (pad), "ypos", plan->y);
    bind_timeline (GST_OBJECT (pad), "width", plan->w);
    bind_timeline (GST_OBJECT (pad), "height", plan->h);
  }
  return pipeline;
}

static gboolean
load_clip (FaCamClip *clip, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_parse_launch ("filesrc name=src "
      "! qtdemux ! h264parse config-interval=-1 "
      "! video/x-h264,stream-format=byte-stream,alignment=au "
      "! appsink name=sink sync=false", error);
  if (pipeline == NULL)
    return FALSE;
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", clip->cache_path, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  GstSample *sample;
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL) {
    if (clip->caps == NULL)
      clip->caps = gst_caps_copy (gst_sample_get_caps (sample));
    GstBuffer *buf = gst_sample_get_buffer (sample);
    if (clip->frames->len > 0 || !GST_BUFFER_FLAG_IS_SET (buf,
            GST_BUFFER_FLAG_DELTA_UNIT))
      g_ptr_array_add (clip->frames, gst_buffer_ref (buf));
    gst_sample_unref (sample);
  }

  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (msg != NULL || clip->frames->len == 0) {
    g_autoptr (GError) err = NULL;
    if (msg)
      gst_message_parse_error (msg, &err, NULL);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
        "cached clip %s is unreadable (%s)", clip->cache_path,
        err ? err->message : "no frames");
    return FALSE;
  }
  return TRUE;
}

static gchar *
cache_path_for (ClipKind kind, const gchar *path, const FaCamClipOptions *o,
    const gchar *label)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree gchar *key = g_strdup_printf ("%s|%d|%dx%d@%d|%s",
      CLIP_FORMAT_VERSION, kind, o->width, o->height, o->fps, encoder_tail ());
  g_checksum_update (sum, (const guchar *) key, -1);
  if (path != NULL) {
    GStatBuf st;
    g_autofree gchar *stamp = NULL;
    if (g_stat (path, &st) == 0)
      stamp = g_strdup_printf ("|%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
          path, (gint64) st.st_size, (gint64) st.st_mtime);
    else
      stamp = g_strdup_printf ("|%s", path);
    g_checksum_update (sum, (const guchar *) stamp, -1);
  }
  g_autofree gchar *base = g_strdup (label);
  g_strcanon (base, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
      "0123456789_-", '_');
  g_autofree gchar *name = g_strdup_printf ("%s-%.12s.mp4", base,
      g_checksum_get_string (sum));
  return g_build_filename (o->cache_dir, name, NULL);
}

static gboolean
encode_clip (ClipKind kind, const gchar *path, const WalkPlan *plan,
    const FaCamClipOptions *o, const gchar *out, GError **error)
{
  g_autofree gchar *tmp = g_strdup_printf ("%s.%d.tmp", out, (int) getpid ());
  g_autoptr (GstElement) pipeline = build_encoder (kind, o, path, plan, error);
  if (pipeline == NULL)
    return FALSE;
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "out");
  g_object_set (sink, "location", tmp, NULL);
  g_autofree gchar *what = g_strdup_printf ("encoding %s", path ? path : "scene");
  if (!run_to_eos (pipeline, what, error)) {
    g_unlink (tmp);
    return FALSE;
  }
  // Atomic, so parallel runs sharing the cache never see a partial clip.
  if (g_rename (tmp, out) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot store clip %s: %s", out, g_strerror (errno));
    g_unlink (tmp);
    return FALSE;
  }
  return TRUE;
}

FaCamClip *
fa_cam_clip_prepare (const gchar *source, const FaCamClipOptions *o,
    GError **error)
{
  const gchar *colon = strchr (source, ':');
  g_autofree gchar *kind_name = colon ? g_strndup (source, colon - source) : NULL;
  const gchar *arg = colon ? colon + 1 : NULL;
  g_autofree gchar *path = NULL;
  ClipKind kind;

  if (kind_name == NULL || *arg == '\0') {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "bad source \"%s\": use scene:NAME, walk:PHOTO, file:VIDEO or "
        "image:PHOTO", source);
    return NULL;
  }
  if (g_str_equal (kind_name, "scene")) {
    guint i;
    for (i = 0; i < G_N_ELEMENTS (scenes); i++)
      if (g_str_equal (scenes[i].name, arg))
        break;
    if (i == G_N_ELEMENTS (scenes)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "unknown scene \"%s\": use household, stranger, cat or empty", arg);
      return NULL;
    }
    kind = scenes[i].photo ? KIND_WALK : KIND_EMPTY;
    if (scenes[i].photo)
      path = g_build_filename (o->testdata_dir, scenes[i].photo, NULL);
  } else if (g_str_equal (kind_name, "walk")) {
    kind = KIND_WALK;
    path = g_canonicalize_filename (arg, NULL);
  } else if (g_str_equal (kind_name, "file")) {
    kind = KIND_FILE;
    path = g_canonicalize_filename (arg, NULL);
  } else if (g_str_equal (kind_name, "image")) {
    kind = KIND_IMAGE;
    path = g_canonicalize_filename (arg, NULL);
  } else {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "bad source \"%s\": the kind must be scene, walk, file or image",
        source);
    return NULL;
  }
  if (path != NULL && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "%s: %s does not exist%s", source, path, g_str_equal (kind_name,
            "scene") ? " (fetch the test data: sh scripts/fetch-testdata.sh, "
        "or pass --testdata DIR)" : "");
    return NULL;
  }

  WalkPlan plan = { 0 };
  g_autoptr (FaCamClip) clip = g_new0 (FaCamClip, 1);
  clip->source = g_strdup (source);
  clip->fps = o->fps;
  clip->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  clip->enter_frame = clip->leave_frame = -1;
  if (kind == KIND_WALK) {
    gint pw, ph;
    if (!photo_size (path, &pw, &ph, error))
      return NULL;
    walk_plan_init (&plan, pw, ph, o);
    walk_events (&plan, o, &clip->enter_frame, &clip->leave_frame);
  }

  g_autofree gchar *label = (path && kind_name[0] != 's') ?
      g_path_get_basename (path) : g_strdup (arg);
  g_autofree gchar *full_label = g_strdup_printf ("%s-%s", kind_name, label);
  char *dot = strrchr (full_label, '.');
  if (dot)
    *dot = '\0';
  clip->cache_path = cache_path_for (kind, path, o, full_label);

  if (g_file_test (clip->cache_path, G_FILE_TEST_IS_REGULAR)) {
    g_autoptr (GError) err = NULL;
    if (load_clip (clip, &err))
      return g_steal_pointer (&clip);
    // A damaged cache entry: encode it again.
    g_ptr_array_set_size (clip->frames, 0);
    g_clear_pointer (&clip->caps, gst_caps_unref);
  }
  if (g_mkdir_with_parents (o->cache_dir, 0700) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot create cache directory %s: %s", o->cache_dir, g_strerror (errno));
    return NULL;
  }
  if (!encode_clip (kind, path, &plan, o, clip->cache_path, error))
    return NULL;
  if (!load_clip (clip, error))
    return NULL;
  return g_steal_pointer (&clip);
}
