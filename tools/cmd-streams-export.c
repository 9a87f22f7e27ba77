/* facealert CLI: `clip` (an MP4 like KVS GetClip) and `images` (JPEGs like
 * KVS GetImages), over fa-media-export.h (which the server's GetClip and
 * GetImages use too). */
#include "cmd-groups.h"
#include "cmd-streams.h"
#include "fa-error.h"
#include "fa-media-export.h"
#include "fa-paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

static void
note_format_change (const FaExportResult *result)
{
  if (result->stopped_at != NULL)
    fprintf (stderr, "facealert: note: the stream's format changes at fragment %s; "
        "the output stops there (export the rest separately)\n", result->stopped_at);
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
  FaExportResult clip;
  if (!fa_export_clip (store, options.stream, start_us, end_us, options.out, &clip,
          &error)) {
    fa_export_result_clear (&clip);
    return fa_cli_fail_error (error);
  }
  note_format_change (&clip);

  gint64 duration_us = clip.duration_us;
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "ContentType");
    json_builder_add_string_value (b, "video/mp4");
    json_builder_set_member_name (b, "Payload");
    json_builder_add_string_value (b, options.out);
    json_builder_set_member_name (b, "StartTimestamp");
    json_builder_add_double_value (b, clip.start_us / 1e6);
    json_builder_set_member_name (b, "DurationInMilliseconds");
    json_builder_add_int_value (b, (duration_us + 500) / 1000);
    json_builder_set_member_name (b, "Fragments");
    json_builder_add_int_value (b, clip.fragments);
    json_builder_set_member_name (b, "Frames");
    json_builder_add_int_value (b, clip.frames);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    g_autofree gchar *from = fa_cli_format_time (clip.start_us);
    printf ("wrote %s: %u frames from %u fragments, %.3f s from %s\n", options.out,
        clip.frames, clip.fragments, duration_us / 1e6, from);
  }
  fa_export_result_clear (&clip);
  return 0;
}

const FaCliGroup fa_cli_clip = {
  "clip", "export a time range as MP4 (KVS GetClip)", run_clip
};

/* ---- images ----------------------------------------------------------- */

typedef struct {
  const gchar *dir;
  const gchar *stream;
  GPtrArray *written;           /* file paths */
  GArray *times;                /* gint64 producer times of the images */
} ImageFiles;

static gboolean
save_image (gint64 producer_us, GBytes *image, gpointer user_data, GError **error)
{
  ImageFiles *files = user_data;
  g_autofree gchar *leaf = g_strdup_printf ("%s-%" G_GINT64_FORMAT ".jpg",
      files->stream, producer_us / 1000);
  gchar *path = g_build_filename (files->dir, leaf, NULL);
  gsize size;
  const gchar *data = g_bytes_get_data (image, &size);
  g_ptr_array_add (files->written, path);
  g_array_append_val (files->times, producer_us);
  return g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT,
      0600, error);
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
  if (!fa_paths_ensure_private_dir (options.out, &error))
    return fa_cli_fail_error (error);
  ImageFiles files = {
    .dir = options.out, .stream = options.stream,
    .written = g_ptr_array_new_with_free_func (g_free),
    .times = g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  FaExportImageOptions image_options = {
    .interval_us = (gint64) (interval * G_USEC_PER_SEC), .format = FA_EXPORT_JPEG,
  };
  FaExportResult result;
  gboolean ok = fa_export_images (store, options.stream, start_us, end_us,
      &image_options, save_image, &files, &result, &error);
  note_format_change (&result);
  fa_export_result_clear (&result);
  int code = 0;
  if (!ok) {
    code = fa_cli_fail_error (error);
  } else if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Images");
    json_builder_begin_array (b);
    for (guint i = 0; i < files.written->len; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "TimeStamp");
      json_builder_add_double_value (b, g_array_index (files.times, gint64, i) / 1e6);
      json_builder_set_member_name (b, "File");
      json_builder_add_string_value (b, g_ptr_array_index (files.written, i));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    for (guint i = 0; i < files.written->len; i++)
      printf ("%s\n", (const gchar *) g_ptr_array_index (files.written, i));
  }
  g_ptr_array_unref (files.written);
  g_array_unref (files.times);
  return code;
}

const FaCliGroup fa_cli_images = {
  "images", "save JPEG images of a time range (KVS GetImages)", run_images
};
