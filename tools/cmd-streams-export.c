/* facealert CLI: `clip` (an MP4 like KVS GetClip) and `images` (JPEGs like
 * KVS GetImages). The stored H.264/H.265 is fed to GStreamer through appsrc
 * and remuxed (clip) or decoded (images); nothing is re-encoded for clips. */
#include "cmd-groups.h"
#include "cmd-streams.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <stdio.h>
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
  GError *error;
  guint fragments, frames;
  gint64 last_end_us;
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
    GstBuffer *buf = feeder_next_buffer (feeder);
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
        "stream \"%s\" has no media between %s and %s (see `facealert fragments "
        "list --stream %s`)", stream, s, e, stream);
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
  if (feeder->stopped_at != NULL)
    fprintf (stderr, "facealert: note: the stream's format changes at fragment %s; "
        "the output stops there (export the rest separately)\n", feeder->stopped_at);
  return ok;
}

/* ---- clip ------------------------------------------------------------- */

static int
run_clip (int argc, gchar **argv)
{
  FaStreamsOptions options = { 0 };
  const GOptionEntry entries[] = {
    {"stream", 's', 0, G_OPTION_ARG_STRING, &options.stream, "Stream name", "NAME"},
    {"start", 0, 0, G_OPTION_ARG_STRING, &options.start,
        "Start (producer time, ISO 8601 or epoch seconds)", "TIME"},
    {"end", 0, 0, G_OPTION_ARG_STRING, &options.end, "End (producer time)", "TIME"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &options.out, "Output MP4 file", "FILE"},
    {NULL}
  };
  GError *error = NULL;
  gst_init (NULL, NULL);
  if (!fa_streams_parse (&argc, &argv, "", "Export a time range as an MP4 file "
          "(like KVS GetClip). The clip starts at the keyframe that begins the "
          "fragment holding --start.", entries, &options, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\"", argv[1]);
  if (options.stream == NULL || options.out == NULL)
    return fa_cli_fail ("usage: facealert clip --stream NAME --start TIME --end TIME -o OUT.mp4");
  gint64 start_us, end_us;
  if (!fa_streams_parse_range (&options, TRUE, &start_us, &end_us, &error))
    return fa_cli_fail_error (error);
  if (start_us == end_us)
    return fa_cli_fail ("--start and --end are the same time: a clip needs a range");
  g_autoptr (FaStreamStore) store = fa_streams_open_store (&options, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  Feeder feeder;
  if (!feeder_init (&feeder, store, options.stream, start_us, end_us, &error)) {
    feeder_clear (&feeder);
    return fa_cli_fail_error (error);
  }

  const gchar *parse = feeder.first->codec == FA_CODEC_H265 ? "h265parse" : "h264parse";
  g_autofree gchar *desc = g_strdup_printf ("appsrc name=src ! %s ! mp4mux ! "
      "filesink name=sink", parse);
  GstElement *pipeline = gst_parse_launch (desc, &error);
  if (pipeline == NULL) {
    feeder_clear (&feeder);
    return fa_cli_fail ("cannot build the export pipeline: %s (install "
        "gst-plugins-good and gst-plugins-bad)", error->message);
  }
  g_autofree gchar *part = g_strdup_printf ("%s.part", options.out);
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (sink, "location", part, NULL);
  gboolean ok = run_pipeline (pipeline, &feeder, &error);
  gst_object_unref (pipeline);
  if (ok && g_rename (part, options.out) != 0) {
    ok = FALSE;
    g_set_error (&error, FA_ERROR, FA_ERROR_IO, "cannot write %s: %s", options.out,
        g_strerror (errno));
  }
  if (!ok) {
    g_unlink (part);
    feeder_clear (&feeder);
    return fa_cli_fail_error (error);
  }
  g_chmod (options.out, 0600);

  gint64 duration_us = feeder.last_end_us - feeder.base_us;
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "ContentType");
    json_builder_add_string_value (b, "video/mp4");
    json_builder_set_member_name (b, "Payload");
    json_builder_add_string_value (b, options.out);
    json_builder_set_member_name (b, "StartTimestamp");
    json_builder_add_double_value (b, feeder.base_us / 1e6);
    json_builder_set_member_name (b, "DurationInMilliseconds");
    json_builder_add_int_value (b, (duration_us + 500) / 1000);
    json_builder_set_member_name (b, "Fragments");
    json_builder_add_int_value (b, feeder.fragments);
    json_builder_set_member_name (b, "Frames");
    json_builder_add_int_value (b, feeder.frames);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    g_autofree gchar *from = fa_cli_format_time (feeder.base_us);
    printf ("wrote %s: %u frames from %u fragments, %.3f s from %s\n", options.out,
        feeder.frames, feeder.fragments, duration_us / 1e6, from);
  }
  feeder_clear (&feeder);
  return 0;
}

const FaCliGroup fa_cli_clip = {
  "clip", "export a time range as MP4 (KVS GetClip)", run_clip
};

/* ---- images ----------------------------------------------------------- */

typedef struct {
  Feeder *feeder;
  gint64 start_us, end_us, interval_us;
  gint64 next_us;               /* next sampling time */
  const gchar *dir;
  const gchar *stream;
  GPtrArray *written;           /* file paths */
  GArray *times;                /* gint64 producer times of the images */
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
  while (sampler->next_us <= abs_us)
    sampler->next_us += sampler->interval_us;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
save_image (GstPad *pad, GstPadProbeInfo *info, ImageSampler *sampler)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  gint64 abs_us = sampler->feeder->base_us + (gint64) (GST_BUFFER_PTS (buf) / GST_USECOND);
  g_autofree gchar *leaf = g_strdup_printf ("%s-%" G_GINT64_FORMAT ".jpg",
      sampler->stream, abs_us / 1000);
  gchar *path = g_build_filename (sampler->dir, leaf, NULL);
  GstMapInfo map;
  if (sampler->error == NULL && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    g_file_set_contents_full (path, (const gchar *) map.data, map.size,
        G_FILE_SET_CONTENTS_CONSISTENT, 0600, &sampler->error);
    gst_buffer_unmap (buf, &map);
  }
  g_ptr_array_add (sampler->written, path);
  g_array_append_val (sampler->times, abs_us);
  return GST_PAD_PROBE_OK;
}

static int
run_images (int argc, gchar **argv)
{
  FaStreamsOptions options = { 0 };
  gdouble interval = 1.0;
  const GOptionEntry entries[] = {
    {"stream", 's', 0, G_OPTION_ARG_STRING, &options.stream, "Stream name", "NAME"},
    {"start", 0, 0, G_OPTION_ARG_STRING, &options.start,
        "Start (producer time, ISO 8601 or epoch seconds)", "TIME"},
    {"end", 0, 0, G_OPTION_ARG_STRING, &options.end, "End (producer time)", "TIME"},
    {"interval", 0, 0, G_OPTION_ARG_DOUBLE, &interval,
        "Seconds between images (default 1)", "SEC"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &options.out,
        "Output directory (created, private)", "DIR"},
    {NULL}
  };
  GError *error = NULL;
  gst_init (NULL, NULL);
  if (!fa_streams_parse (&argc, &argv, "", "Save JPEG images of a time range every "
          "--interval seconds (like KVS GetImages).", entries, &options, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\"", argv[1]);
  if (options.stream == NULL || options.out == NULL)
    return fa_cli_fail ("usage: facealert images --stream NAME --start TIME --end TIME "
        "--interval SEC -o DIR");
  if (!(interval >= 0.001 && interval <= 86400))
    return fa_cli_fail ("--interval must be between 0.001 and 86400 seconds");
  gint64 start_us, end_us;
  if (!fa_streams_parse_range (&options, TRUE, &start_us, &end_us, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaStreamStore) store = fa_streams_open_store (&options, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  Feeder feeder;
  if (!feeder_init (&feeder, store, options.stream, start_us, end_us, &error)) {
    feeder_clear (&feeder);
    return fa_cli_fail_error (error);
  }
  feeder.end_inclusive = TRUE;
  if (!fa_paths_ensure_private_dir (options.out, &error)) {
    feeder_clear (&feeder);
    return fa_cli_fail_error (error);
  }

  GstElement *pipeline = gst_parse_launch ("appsrc name=src ! decodebin ! "
      "videoconvert name=conv ! jpegenc name=enc ! fakesink sync=false", &error);
  if (pipeline == NULL) {
    feeder_clear (&feeder);
    return fa_cli_fail ("cannot build the image pipeline: %s (install "
        "gst-plugins-good and gst-libav)", error->message);
  }
  ImageSampler sampler = {
    .feeder = &feeder, .start_us = start_us, .end_us = end_us,
    .interval_us = (gint64) (interval * G_USEC_PER_SEC), .next_us = start_us,
    .dir = options.out, .stream = options.stream,
    .written = g_ptr_array_new_with_free_func (g_free),
    .times = g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  g_autoptr (GstElement) conv = gst_bin_get_by_name (GST_BIN (pipeline), "conv");
  g_autoptr (GstElement) enc = gst_bin_get_by_name (GST_BIN (pipeline), "enc");
  g_autoptr (GstPad) conv_sink = gst_element_get_static_pad (conv, "sink");
  g_autoptr (GstPad) enc_src = gst_element_get_static_pad (enc, "src");
  gst_pad_add_probe (conv_sink, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) select_frame, &sampler, NULL);
  gst_pad_add_probe (enc_src, GST_PAD_PROBE_TYPE_BUFFER,
      (GstPadProbeCallback) save_image, &sampler, NULL);
  gboolean ok = run_pipeline (pipeline, &feeder, &error);
  gst_object_unref (pipeline);
  if (ok && sampler.error != NULL) {
    ok = FALSE;
    error = g_steal_pointer (&sampler.error);
  }
  int code = 0;
  if (!ok) {
    code = fa_cli_fail_error (error);
  } else if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Images");
    json_builder_begin_array (b);
    for (guint i = 0; i < sampler.written->len; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "TimeStamp");
      json_builder_add_double_value (b, g_array_index (sampler.times, gint64, i) / 1e6);
      json_builder_set_member_name (b, "File");
      json_builder_add_string_value (b, g_ptr_array_index (sampler.written, i));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    for (guint i = 0; i < sampler.written->len; i++)
      printf ("%s\n", (const gchar *) g_ptr_array_index (sampler.written, i));
  }
  g_clear_error (&sampler.error);
  g_ptr_array_unref (sampler.written);
  g_array_unref (sampler.times);
  feeder_clear (&feeder);
  return code;
}

const FaCliGroup fa_cli_images = {
  "images", "save JPEG images of a time range (KVS GetImages)", run_images
};
