/* facealert: clips and images out of the stream store. See fa-media-export.h.
 * The stored frames are fed to GStreamer through appsrc, a fragment at a
 * time; the format of the first fragment is the output's. */
#include "fa-media-export.h"
#include "fa-cli-time.h"
#include "fa-error.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#define EXPORT_TIMEOUT (10 * 60 * GST_SECOND)

/* Feeds the frames of a time range to an appsrc, a fragment at a time, from
 * appsrc's need-data signal (so an error downstream never blocks us). */
typedef struct {
  FaStreamStore *store;
  const gchar *stream;
  GPtrArray *infos;             /* FaFragmentInfo overlapping the range */
  gint64 end_us;                /* frames at or after this are not fed */
  gboolean end_inclusive;
  guint next_info;
  FaMkvFragment *current;
  FaFragmentInfo *current_info;
  guint next_frame;
  gint64 base_us;               /* producer time of pts 0 */
  FaMkvFragment *first;         /* the format the output has */
  gboolean done;
  gint stop;                    /* atomic: end the output at the next buffer */
  GError *error;
  guint fragments, frames;
  gint64 last_end_us;
  gint64 last_fed_us;           /* time of the last frame fed (-1: none) */
  gchar *stopped_at;            /* fragment where the format changed */
} Feeder;

static gboolean
same_format (FaMkvFragment *a, FaMkvFragment *b)
{
  return a->codec == b->codec && a->width == b->width && a->height == b->height
      && ((a->codec_private == NULL && b->codec_private == NULL)
      || (a->codec_private != NULL && b->codec_private != NULL
          && g_bytes_equal (a->codec_private, b->codec_private)));
}

/* Loads the next fragment; FALSE at the end (or on error, in feeder->error). */
static gboolean
feeder_next_fragment (Feeder *feeder)
{
  g_clear_pointer (&feeder->current, fa_mkv_fragment_free);
  if (feeder->next_info >= feeder->infos->len)
    return FALSE;
  FaFragmentInfo *info = g_ptr_array_index (feeder->infos, feeder->next_info++);
  g_autoptr (GBytes) media = fa_stream_store_read_fragment (feeder->store,
      feeder->stream, info->number, &feeder->error);
  if (media == NULL)
    return FALSE;
  feeder->current = fa_mkv_fragment_parse (media, &feeder->error);
  if (feeder->current == NULL) {
    g_prefix_error (&feeder->error, "fragment %s: ", info->number);
    return FALSE;
  }
  if (feeder->first != NULL && !same_format (feeder->first, feeder->current)) {
    feeder->stopped_at = g_strdup (info->number);
    g_clear_pointer (&feeder->current, fa_mkv_fragment_free);
    return FALSE;
  }
  feeder->current_info = info;
  feeder->next_frame = 0;
  feeder->fragments++;
  return TRUE;
}

static GstBuffer *
feeder_next_buffer (Feeder *feeder)
{
  while (TRUE) {
    if (feeder->current == NULL || feeder->next_frame >= feeder->current->frames->len)
      if (!feeder_next_fragment (feeder))
        return NULL;
    FaMkvFragment *frag = feeder->current;
    guint i = feeder->next_frame++;
    FaMkvFrame *frame = &g_array_index (frag->frames, FaMkvFrame, i);
    gint64 abs_us = feeder->current_info->producer_us + frame->pts_us;
    if (abs_us > feeder->end_us || (abs_us == feeder->end_us && !feeder->end_inclusive))
      return NULL;
    gint64 next_us = i + 1 < frag->frames->len
        ? feeder->current_info->producer_us
        + g_array_index (frag->frames, FaMkvFrame, i + 1).pts_us
        : feeder->current_info->producer_us + feeder->current_info->duration_us;
    /* The store keeps milliseconds: two frames of a jittery camera can share
     * one, and MP4 wants strictly increasing times. A millisecond later. */
    if (abs_us <= feeder->last_fed_us)
      abs_us = feeder->last_fed_us + 1000;
    feeder->last_fed_us = abs_us;
    const guint8 *data = (const guint8 *) g_bytes_get_data (frag->data, NULL) + frame->offset;
    GstBuffer *buf = gst_buffer_new_memdup (data, frame->size);
    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = (abs_us - feeder->base_us) * GST_USECOND;
    if (next_us > abs_us)
      GST_BUFFER_DURATION (buf) = (next_us - abs_us) * GST_USECOND;
    if (!frame->keyframe)
      GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    feeder->frames++;
    feeder->last_end_us = MAX (feeder->last_end_us, MAX (next_us, abs_us));
    return buf;
  }
}

static void
on_need_data (GstElement *src, guint length, Feeder *feeder)
{
  for (guint n = 0; n < 32 && !feeder->done; n++) {
    GstBuffer *buf = g_atomic_int_get (&feeder->stop) ? NULL : feeder_next_buffer (feeder);
    if (buf == NULL) {
      feeder->done = TRUE;
      GstFlowReturn ret;
      g_signal_emit_by_name (src, "end-of-stream", &ret);
      break;
    }
    GstFlowReturn ret = GST_FLOW_OK;
    g_signal_emit_by_name (src, "push-buffer", buf, &ret);
    gst_buffer_unref (buf);
    if (ret != GST_FLOW_OK) {
      feeder->done = TRUE;
      break;
    }
  }
}

static void
feeder_clear (Feeder *feeder)
{
  g_clear_pointer (&feeder->current, fa_mkv_fragment_free);
  g_clear_pointer (&feeder->first, fa_mkv_fragment_free);
  g_clear_pointer (&feeder->infos, g_ptr_array_unref);
  g_clear_error (&feeder->error);
  g_clear_pointer (&feeder->stopped_at, g_free);
}

/* Finds the fragments of [start, end] and loads the first (so a wrong key or
 * an empty range fails before any pipeline runs). */
static gboolean
feeder_init (Feeder *feeder, FaStreamStore *store, const gchar *stream,
    gint64 start_us, gint64 end_us, GError **error)
{
  memset (feeder, 0, sizeof *feeder);
  feeder->store = store;
  feeder->stream = stream;
  feeder->end_us = end_us;
  feeder->infos = fa_stream_store_list_fragments (store, stream,
      FA_TIMESTAMP_PRODUCER, start_us, end_us, TRUE, error);
  if (feeder->infos == NULL)
    return FALSE;
  if (feeder->infos->len == 0) {
    g_autofree gchar *s = fa_cli_format_time (start_us);
    g_autofree gchar *e = fa_cli_format_time (end_us);
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "stream \"%s\" has no media between %s and %s", stream, s, e);
    return FALSE;
  }
  if (!feeder_next_fragment (feeder)) {
    g_propagate_error (error, g_steal_pointer (&feeder->error));
    return FALSE;
  }
  /* Keep the first fragment's format: the output has one. */
  feeder->first = fa_mkv_fragment_parse (feeder->current->data, NULL);
  feeder->base_us = feeder->current_info->producer_us;
  feeder->last_end_us = feeder->base_us;
  feeder->last_fed_us = -1;
  return TRUE;
}

static GstCaps *
feeder_caps (Feeder *feeder)
{
  FaMkvFragment *f = feeder->first;
  GstBuffer *codec_data = gst_buffer_new_memdup (g_bytes_get_data (f->codec_private, NULL),
      g_bytes_get_size (f->codec_private));
  GstCaps *caps = gst_caps_new_simple (f->codec == FA_CODEC_H265 ? "video/x-h265"
      : "video/x-h264", "stream-format", G_TYPE_STRING,
      f->codec == FA_CODEC_H265 ? "hvc1" : "avc", "alignment", G_TYPE_STRING, "au",
      "codec_data", GST_TYPE_BUFFER, codec_data, NULL);
  if (f->width > 0 && f->height > 0)
    gst_caps_set_simple (caps, "width", G_TYPE_INT, f->width, "height", G_TYPE_INT,
        f->height, NULL);
  gst_buffer_unref (codec_data);
  return caps;
}

/* Runs @pipeline fed by @feeder until EOS; a clear error otherwise. */
static gboolean
run_pipeline (GstElement *pipeline, Feeder *feeder, GError **error)
{
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstCaps) caps = feeder_caps (feeder);
  g_object_set (src, "caps", caps, "emit-signals", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (src), "format", "time");
  g_signal_connect (src, "need-data", G_CALLBACK (on_need_data), feeder);

  gboolean ok = FALSE;
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED,
        "cannot start the export pipeline (are gst-plugins-good/-bad installed?)");
  } else {
    g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, EXPORT_TIMEOUT,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (msg == NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "export timed out");
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *gerr = NULL;
      gst_message_parse_error (msg, &gerr, NULL);
      g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "export failed: %s", gerr->message);
      g_error_free (gerr);
    } else {
      ok = TRUE;
    }
    if (msg)
      gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  if (feeder->error != NULL) {
    /* Reading the store failed mid-way: that is the real cause. */
    g_clear_error (error);
    g_propagate_error (error, g_steal_pointer (&feeder->error));
    return FALSE;
  }
  return ok;
}

void
fa_export_result_clear (FaExportResult *result)
{
  g_clear_pointer (&result->stopped_at, g_free);
}

static void
feeder_result (Feeder *feeder, FaExportResult *result)
{
  if (result == NULL)
    return;
  result->start_us = feeder->base_us;
  result->duration_us = feeder->last_end_us - feeder->base_us;
  result->fragments = feeder->fragments;
  result->frames = feeder->frames;
  result->stopped_at = g_steal_pointer (&feeder->stopped_at);
}

/* The pipeline of @desc, or a line saying what to install. */
static GstElement *
build_pipeline (const gchar *desc, const gchar *what, const gchar *packages,
    GError **error)
{
  GError *local = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &local);
  if (pipeline == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "cannot build the %s pipeline: %s "
        "(install %s)", what, local->message, packages);
    g_error_free (local);
  }
  return pipeline;
}

/* ---- clip ------------------------------------------------------------- */

gboolean
fa_export_clip (FaStreamStore *store, const gchar *stream, gint64 start_us,
    gint64 end_us, const gchar *out_path, FaExportResult *result, GError **error)
{
  if (result != NULL)
    memset (result, 0, sizeof *result);
  Feeder feeder;
  if (!feeder_init (&feeder, store, stream, start_us, end_us, error)) {
    feeder_clear (&feeder);
    return FALSE;
  }
  const gchar *parse = feeder.first->codec == FA_CODEC_H265 ? "h265parse" : "h264parse";
  g_autofree gchar *desc = g_strdup_printf ("appsrc name=src ! %s ! mp4mux ! "
      "filesink name=sink", parse);
  GstElement *pipeline = build_pipeline (desc, "export", "gst-plugins-good and "
      "gst-plugins-bad", error);
  if (pipeline == NULL) {
    feeder_clear (&feeder);
    return FALSE;
  }
  g_autofree gchar *part = g_strdup_printf ("%s.part", out_path);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "location", part, NULL);
  gboolean ok = run_pipeline (pipeline, &feeder, error);
  gst_object_unref (pipeline);
  if (ok && g_rename (part, out_path) != 0) {
    ok = FALSE;
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot write %s: %s", out_path,
        g_strerror (errno));
  }
  if (ok)
    g_chmod (out_path, 0600);
  else
    g_unlink (part);
  feeder_result (&feeder, result);
  feeder_clear (&feeder);
  return ok;
}

/* ---- images ----------------------------------------------------------- */

typedef struct {
  Feeder *feeder;
  gint64 end_us, interval_us;
  gint64 next_us;               /* next sampling time */
  guint max_images, selected;
  FaExportImageFunc func;
  gpointer user_data;
  GError *error;
} ImageSampler;

static GstPadProbeReturn
select_frame (GstPad *pad, GstPadProbeInfo *info, ImageSampler *sampler)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (!GST_BUFFER_PTS_IS_VALID (buf))
    return GST_PAD_PROBE_DROP;
  gint64 abs_us = sampler->feeder->base_us + (gint64) (GST_BUFFER_PTS (buf) / GST_USECOND);
  if (abs_us < sampler->next_us || abs_us > sampler->end_us)
    return GST_PAD_PROBE_DROP;
  if (sampler->max_images > 0 && sampler->selected >= sampler->max_images) {
    g_atomic_int_set (&sampler->feeder->stop, 1);
    return GST_PAD_PROBE_DROP;
  }
  while (sampler->next_us <= abs_us)
    sampler->next_us += sampler->interval_us;
  sampler->selected++;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
hand_image (GstPad *pad, GstPadProbeInfo *info, ImageSampler *sampler)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 abs_us = sampler->feeder->base_us + (gint64) (GST_BUFFER_PTS (buf) / GST_USECOND);
  GstMapInfo map;
  if (sampler->error == NULL && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    g_autoptr (GBytes) bytes = g_bytes_new (map.data, map.size);
    gst_buffer_unmap (buf, &map);
    if (!sampler->func (abs_us, bytes, sampler->user_data, &sampler->error))
      g_atomic_int_set (&sampler->feeder->stop, 1);
  }
  return GST_PAD_PROBE_OK;
}

gboolean
fa_export_images (FaStreamStore *store, const gchar *stream, gint64 start_us,
    gint64 end_us, const FaExportImageOptions *options, FaExportImageFunc func,
    gpointer user_data, FaExportResult *result, GError **error)
{
  if (result != NULL)
    memset (result, 0, sizeof *result);
  Feeder feeder;
  if (!feeder_init (&feeder, store, stream, start_us, end_us, error)) {
    feeder_clear (&feeder);
    return FALSE;
  }
  feeder.end_inclusive = TRUE;

  g_autofree gchar *size = NULL;
  if (options->width > 0 || options->height > 0) {
    GString *s = g_string_new ("video/x-raw,pixel-aspect-ratio=1/1");
    if (options->width > 0)
      g_string_append_printf (s, ",width=%d", options->width);
    if (options->height > 0)
      g_string_append_printf (s, ",height=%d", options->height);
    size = g_string_free (s, FALSE);
  }
  g_autofree gchar *encoder = options->format == FA_EXPORT_PNG ? g_strdup ("pngenc")
      : options->jpeg_quality > 0
      ? g_strdup_printf ("jpegenc quality=%d", CLAMP (options->jpeg_quality, 1, 100))
      : g_strdup ("jpegenc");
  g_autofree gchar *desc = g_strdup_printf ("appsrc name=src ! decodebin ! "
      "videoconvert name=conv %s%s ! %s name=enc ! fakesink sync=false",
      size != NULL ? "! videoscale ! " : "", size != NULL ? size : "", encoder);
  GstElement *pipeline = build_pipeline (desc, "image", "gst-plugins-good and gst-libav",
      error);
  if (pipeline == NULL) {
    feeder_clear (&feeder);
    return FALSE;
  }
  ImageSampler sampler = {
    .feeder = &feeder, .end_us = end_us,
    .interval_us = MAX (options->interval_us, 1), .next_us = start_us,
    .max_images = options->max_images, .func = func, .user_data = user_data,
  };
  g_autoptr (GstElement) conv = gst_bin_get_by_name (GST_BIN (pipeline), "conv");
  g_autoptr (GstElement) enc = gst_bin_get_by_name (GST_BIN (pipeline), "enc");
  g_autoptr (GstPad) conv_sink = gst_element_get_static_pad (conv, "sink");
  g_autoptr (GstPad) enc_src = gst_element_get_static_pad (enc, "src");
  gst_pad_add_probe (conv_sink, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) select_frame, &sampler, NULL);
  gst_pad_add_probe (enc_src, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) hand_image, &sampler, NULL);
  gboolean ok = run_pipeline (pipeline, &feeder, error);
  gst_object_unref (pipeline);
  if (sampler.error != NULL) {
    if (ok)
      g_propagate_error (error, g_steal_pointer (&sampler.error));
    else
      g_clear_error (&sampler.error);
    ok = FALSE;
  }
  feeder_result (&feeder, result);
  feeder_clear (&feeder);
  return ok;
}
