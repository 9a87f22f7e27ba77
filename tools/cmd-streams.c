/* facealert CLI: `streams list`, `fragments list`, `media` (see cmd-streams.h). */
#include "cmd-groups.h"
#include "cmd-streams.h"
#include "fa-error.h"

#include <stdio.h>
#include <string.h>

gboolean
fa_streams_parse (int *argc, gchar ***argv, const gchar *usage,
    const gchar *summary, const GOptionEntry *entries, FaStreamsOptions *options,
    GError **error)
{
  const GOptionEntry common[] = {
    {"storage-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->storage_dir,
        "Stream store (default: $FACEALERT_STREAMS_DIR or "
        "~/.local/share/facealert/streams)", "DIR"},
    {"key-file", 'k', 0, G_OPTION_ARG_FILENAME, &options->key_file,
        "Key file of an encrypted store (kvssink's encryption-key-file)", "FILE"},
    {NULL}
  };
  return fa_cli_parse (argc, argv, usage, summary, entries, common, error);
}

FaStreamStore *
fa_streams_open_store (FaStreamsOptions *options, GError **error)
{
  return fa_stream_store_new (options->storage_dir, options->key_file, error);
}

gboolean
fa_streams_parse_range (FaStreamsOptions *options, gboolean required,
    gint64 *start_us, gint64 *end_us, GError **error)
{
  *start_us = G_MININT64;
  *end_us = G_MAXINT64;
  if (required && (options->start == NULL || options->end == NULL)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "--start and --end are required");
    return FALSE;
  }
  if (options->start != NULL
      && !fa_cli_parse_time ("--start", options->start, start_us, error))
    return FALSE;
  if (options->end != NULL && !fa_cli_parse_time ("--end", options->end, end_us, error))
    return FALSE;
  if (*start_us > *end_us) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "--start (%s) is after --end (%s)", options->start, options->end);
    return FALSE;
  }
  return TRUE;
}

static gdouble
epoch_seconds (gint64 us)
{
  return us / 1e6;
}

static gboolean
check_no_args (int argc, gchar **argv, GError **error)
{
  if (argc > 2) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "unexpected argument \"%s\"", argv[2]);
    return FALSE;
  }
  return TRUE;
}

/* ---- streams list ----------------------------------------------------- */

static int
run_streams (int argc, gchar **argv)
{
  FaStreamsOptions options = { 0 };
  GError *error = NULL;
  if (!fa_streams_parse (&argc, &argv, "list",
          "List the recorded streams (like KVS ListStreams).", NULL, &options, &error))
    return fa_cli_fail_error (error);
  if (argc < 2 || strcmp (argv[1], "list") != 0)
    return fa_cli_fail ("usage: facealert streams list [--storage-dir DIR] [--output json]");
  if (!check_no_args (argc, argv, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaStreamStore) store = fa_streams_open_store (&options, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (store, &error);
  if (streams == NULL)
    return fa_cli_fail_error (error);

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "StreamInfoList");
    json_builder_begin_array (b);
    for (guint i = 0; i < streams->len; i++) {
      FaStreamInfo *s = g_ptr_array_index (streams, i);
      g_autofree gchar *created = fa_cli_format_time (s->creation_us);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "StreamName");
      json_builder_add_string_value (b, s->name);
      json_builder_set_member_name (b, "MediaType");
      json_builder_add_string_value (b, s->media_type ? s->media_type : "");
      json_builder_set_member_name (b, "CreationTime");
      json_builder_add_double_value (b, epoch_seconds (s->creation_us));
      json_builder_set_member_name (b, "DataRetentionInHours");
      json_builder_add_int_value (b, s->retention_hours);
      json_builder_set_member_name (b, "Status");
      json_builder_add_string_value (b, "ACTIVE");
      json_builder_set_member_name (b, "FragmentCount");
      json_builder_add_int_value (b, s->fragment_count);
      json_builder_set_member_name (b, "SizeInBytes");
      json_builder_add_int_value (b, s->stored_size);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
    return 0;
  }
  printf ("%-24s %-11s %9s %12s  %-24s  %s\n", "STREAM", "MEDIA", "FRAGMENTS",
      "BYTES", "FIRST", "LAST");
  for (guint i = 0; i < streams->len; i++) {
    FaStreamInfo *s = g_ptr_array_index (streams, i);
    g_autofree gchar *first = s->fragment_count ? fa_cli_format_time (s->first_producer_us)
        : g_strdup ("-");
    g_autofree gchar *last = s->fragment_count ? fa_cli_format_time (s->last_producer_end_us)
        : g_strdup ("-");
    printf ("%-24s %-11s %9u %12" G_GUINT64_FORMAT "  %-24s  %s\n", s->name,
        s->media_type ? s->media_type : "-", s->fragment_count, s->stored_size, first, last);
  }
  return 0;
}

const FaCliGroup fa_cli_streams = {
  "streams", "list recorded streams (KVS ListStreams)", run_streams
};

/* ---- fragments list --------------------------------------------------- */

static int
run_fragments (int argc, gchar **argv)
{
  FaStreamsOptions options = { 0 };
  gchar *timestamp = NULL;
  const GOptionEntry entries[] = {
    {"stream", 's', 0, G_OPTION_ARG_STRING, &options.stream, "Stream name", "NAME"},
    {"start", 0, 0, G_OPTION_ARG_STRING, &options.start,
        "Start of the time range (ISO 8601 or epoch seconds)", "TIME"},
    {"end", 0, 0, G_OPTION_ARG_STRING, &options.end, "End of the time range", "TIME"},
    {"timestamp", 0, 0, G_OPTION_ARG_STRING, &timestamp,
        "Which timestamp the range applies to: producer (default) or server", "KIND"},
    {NULL}
  };
  GError *error = NULL;
  if (!fa_streams_parse (&argc, &argv, "list",
          "List a stream's fragments (like KVS ListFragments).", entries, &options,
          &error))
    return fa_cli_fail_error (error);
  if (argc < 2 || strcmp (argv[1], "list") != 0)
    return fa_cli_fail ("usage: facealert fragments list --stream NAME "
        "[--start TIME --end TIME] [--timestamp producer|server] [--output json]");
  if (!check_no_args (argc, argv, &error))
    return fa_cli_fail_error (error);
  if (options.stream == NULL)
    return fa_cli_fail ("--stream is required (see `facealert streams list`)");
  FaTimestampKind kind = FA_TIMESTAMP_PRODUCER;
  if (timestamp != NULL && strcmp (timestamp, "server") == 0)
    kind = FA_TIMESTAMP_SERVER;
  else if (timestamp != NULL && strcmp (timestamp, "producer") != 0)
    return fa_cli_fail ("--timestamp must be \"producer\" or \"server\", not \"%s\"",
        timestamp);
  gint64 start_us, end_us;
  if (!fa_streams_parse_range (&options, FALSE, &start_us, &end_us, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaStreamStore) store = fa_streams_open_store (&options, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) list = fa_stream_store_list_fragments (store, options.stream,
      kind, start_us, end_us, FALSE, &error);
  if (list == NULL)
    return fa_cli_fail_error (error);

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Fragments");
    json_builder_begin_array (b);
    for (guint i = 0; i < list->len; i++) {
      FaFragmentInfo *f = g_ptr_array_index (list, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "FragmentNumber");
      json_builder_add_string_value (b, f->number);
      json_builder_set_member_name (b, "FragmentSizeInBytes");
      json_builder_add_int_value (b, f->size);
      json_builder_set_member_name (b, "ProducerTimestamp");
      json_builder_add_double_value (b, epoch_seconds (f->producer_us));
      json_builder_set_member_name (b, "ServerTimestamp");
      json_builder_add_double_value (b, epoch_seconds (f->server_us));
      json_builder_set_member_name (b, "FragmentLengthInMilliseconds");
      json_builder_add_int_value (b, (f->duration_us + 500) / 1000);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
    return 0;
  }
  printf ("%-12s %-24s %-24s %8s %10s %s\n", "FRAGMENT", "PRODUCER", "SERVER",
      "MS", "BYTES", "CODEC");
  for (guint i = 0; i < list->len; i++) {
    FaFragmentInfo *f = g_ptr_array_index (list, i);
    g_autofree gchar *producer = fa_cli_format_time (f->producer_us);
    g_autofree gchar *server = fa_cli_format_time (f->server_us);
    printf ("%-12s %-24s %-24s %8" G_GINT64_FORMAT " %10" G_GUINT64_FORMAT " %s%s\n",
        f->number, producer, server, (f->duration_us + 500) / 1000, f->size,
        fa_codec_name (f->codec), f->encrypted ? " encrypted" : "");
  }
  return 0;
}

const FaCliGroup fa_cli_fragments = {
  "fragments", "list a stream's fragments by time (KVS ListFragments)", run_fragments
};

/* ---- media ------------------------------------------------------------ */

static int
run_media (int argc, gchar **argv)
{
  FaStreamsOptions options = { 0 };
  gchar **numbers = NULL;
  const GOptionEntry entries[] = {
    {"stream", 's', 0, G_OPTION_ARG_STRING, &options.stream, "Stream name", "NAME"},
    {"fragment", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &numbers,
        "Fragment number (repeat for several: their Matroska files follow each "
        "other, as GetMediaForFragmentList returns them)", "N"},
    {"out", 'o', 0, G_OPTION_ARG_FILENAME, &options.out, "Output file (.mkv)", "FILE"},
    {NULL}
  };
  GError *error = NULL;
  if (!fa_streams_parse (&argc, &argv, "",
          "Write fragments' media as Matroska (like KVS GetMediaForFragmentList).",
          entries, &options, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\"", argv[1]);
  if (options.stream == NULL || numbers == NULL || options.out == NULL)
    return fa_cli_fail ("usage: facealert media --stream NAME --fragment N -o OUT.mkv");
  g_autoptr (FaStreamStore) store = fa_streams_open_store (&options, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);

  g_autoptr (GByteArray) out = g_byte_array_new ();
  for (guint i = 0; numbers[i] != NULL; i++) {
    g_autoptr (GBytes) media = fa_stream_store_read_fragment (store, options.stream,
        numbers[i], &error);
    if (media == NULL)
      return fa_cli_fail_error (error);
    gsize size;
    const guint8 *data = g_bytes_get_data (media, &size);
    g_byte_array_append (out, data, size);
  }
  if (!g_file_set_contents_full (options.out, (const gchar *) out->data, out->len,
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "ContentType");
    json_builder_add_string_value (b, "video/x-matroska");
    json_builder_set_member_name (b, "Payload");
    json_builder_add_string_value (b, options.out);
    json_builder_set_member_name (b, "SizeInBytes");
    json_builder_add_int_value (b, out->len);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    printf ("wrote %u bytes to %s\n", out->len, options.out);
  }
  return 0;
}

const FaCliGroup fa_cli_media = {
  "media", "write fragments as Matroska (KVS GetMediaForFragmentList)", run_media
};
