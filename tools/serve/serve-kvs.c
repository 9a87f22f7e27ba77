/* facealert serve: Kinesis Video Streams (ListStreams, DescribeStream,
 * GetDataEndpoint) and its archived media (ListFragments, GetClip,
 * GetImages, GetMediaForFragmentList) over the local stream store, in KVS's
 * REST-JSON shapes. Clips and images come from fa-media-export.h, the code
 * behind `facealert clip|images`. A stream is named by StreamName or by the
 * StreamARN this server hands out; media is only ever addressed by stream
 * name plus fragment number or time. */
#include "serve-aws.h"
#include "serve-json.h"
#include "fa-error.h"
#include "fa-media-export.h"

#include <string.h>
#include <glib/gstdio.h>

#define ARN_PREFIX "arn:facealert:kinesisvideo:local:000000000000:stream/"
#define CLIP_MAX_BYTES (100 * 1024 * 1024)     /* GetClip's limit at AWS */
#define CLIP_MAX_US (3 * G_TIME_SPAN_HOUR)
#define MEDIA_MAX_FRAGMENTS 1000

static gchar *
stream_arn (const FaStreamInfo *info)
{
  return g_strdup_printf (ARN_PREFIX "%s/%" G_GINT64_FORMAT, info->name,
      info->creation_us / 1000);
}

/* StreamName, or the name inside StreamARN; validated. */
static gboolean
stream_name_of (FaServeCall *call, gchar **name)
{
  const gchar *text = NULL, *arn = NULL;
  GError *error = NULL;
  if (!fa_serve_json_get_string (call->input, "StreamName", FALSE, &text, &error)
      || !fa_serve_json_get_string (call->input, "StreamARN", FALSE, &arn, &error))
    return fa_serve_call_fail_error (call, error);
  if ((text == NULL) == (arn == NULL))
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "give exactly one of StreamName and StreamARN");
  if (arn != NULL) {
    const gchar *slash = g_str_has_prefix (arn, ARN_PREFIX) ? strrchr (arn, '/') : NULL;
    if (slash == NULL || slash < arn + strlen (ARN_PREFIX))
      return fa_serve_call_fail (call, 404, "ResourceNotFoundException",
          "no stream with ARN %s on this server", arn);
    *name = g_strndup (arn + strlen (ARN_PREFIX), slash - arn - strlen (ARN_PREFIX));
  } else {
    *name = g_strdup (text);
  }
  if (!fa_stream_name_is_valid (*name, &error)) {
    g_clear_pointer (name, g_free);
    return fa_serve_call_fail_error (call, error);
  }
  return TRUE;
}

/* The stream's info; ResourceNotFoundException when there is none. */
static FaStreamInfo *
find_stream (FaServeCall *call, const gchar *name)
{
  GError *error = NULL;
  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (call->serve->streams,
      &error);
  if (streams == NULL) {
    fa_serve_call_fail_error (call, error);
    return NULL;
  }
  for (guint i = 0; i < streams->len; i++) {
    FaStreamInfo *info = g_ptr_array_index (streams, i);
    if (g_str_equal (info->name, name))
      return g_ptr_array_steal_index (streams, i);
  }
  fa_serve_call_fail (call, 404, "ResourceNotFoundException",
      "The requested stream %s is not found or not active.", name);
  return NULL;
}

/* A store error about @stream, as KVS says it: without the store's paths or
 * CLI hints. */
static gboolean
store_failed (FaServeCall *call, const gchar *stream, GError *error)
{
  const gchar *missing = NULL;
  if (g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND))
    missing = g_strrstr (error->message, "no stream") != NULL
        ? "The requested stream %s is not found or not active."
        : g_strrstr (error->message, "has no media") != NULL
        ? "No fragments found in the stream %s for the requested timestamp range."
        : NULL;
  if (missing == NULL)
    return fa_serve_call_fail_error (call, error);
  g_error_free (error);
  g_autofree gchar *message = g_strdup_printf (missing, stream);
  return fa_serve_call_fail (call, 404, "ResourceNotFoundException", "%s", message);
}

static void
add_stream_info (JsonBuilder *b, const FaStreamInfo *info)
{
  json_builder_begin_object (b);
  fa_serve_json_add_string (b, "StreamName", info->name);
  g_autofree gchar *arn = stream_arn (info);
  fa_serve_json_add_string (b, "StreamARN", arn);
  if (info->media_type != NULL)
    fa_serve_json_add_string (b, "MediaType", info->media_type);
  fa_serve_json_add_string (b, "Version", "1");
  fa_serve_json_add_string (b, "Status", "ACTIVE");
  fa_serve_json_add_time (b, "CreationTime", info->creation_us);
  fa_serve_json_add_int (b, "DataRetentionInHours", info->retention_hours);
  json_builder_end_object (b);
}

/* ---- Kinesis Video Streams ----------------------------------------------- */

static gboolean
list_streams (FaServeCall *call)
{
  GError *error = NULL;
  gint64 limit = 10000;
  const gchar *token = NULL, *prefix = NULL;
  JsonObject *condition = NULL;
  guint64 first = 0;
  if (!fa_serve_json_get_int (call->input, "MaxResults", 1, 10000, &limit, &error)
      || !fa_serve_json_get_string (call->input, "NextToken", FALSE, &token, &error)
      || !fa_serve_json_get_object (call->input, "StreamNameCondition", FALSE, &condition,
          &error)
      || (condition != NULL && !fa_serve_json_get_string (condition, "ComparisonValue",
              TRUE, &prefix, &error))
      || (token != NULL && !fa_serve_parse_next_token (token, "streams", &first, &error)))
    return fa_serve_call_fail_error (call, error);
  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (call->serve->streams,
      &error);
  if (streams == NULL)
    return fa_serve_call_fail_error (call, error);
  json_builder_set_member_name (call->output, "StreamInfoList");
  json_builder_begin_array (call->output);
  guint index = 0, listed = 0;
  for (guint i = 0; i < streams->len; i++) {
    FaStreamInfo *info = g_ptr_array_index (streams, i);
    if (prefix != NULL && !g_str_has_prefix (info->name, prefix))
      continue;
    if (index++ < first)
      continue;
    if (listed == limit) {
      json_builder_end_array (call->output);
      g_autofree gchar *next = fa_serve_next_token (index - 1, "streams");
      fa_serve_json_add_string (call->output, "NextToken", next);
      return TRUE;
    }
    add_stream_info (call->output, info);
    listed++;
  }
  json_builder_end_array (call->output);
  return TRUE;
}

static gboolean
describe_stream (FaServeCall *call)
{
  g_autofree gchar *name = NULL;
  if (!stream_name_of (call, &name))
    return FALSE;
  g_autoptr (FaStreamInfo) info = find_stream (call, name);
  if (info == NULL)
    return FALSE;
  json_builder_set_member_name (call->output, "StreamInfo");
  add_stream_info (call->output, info);
  return TRUE;
}

static gboolean
get_data_endpoint (FaServeCall *call)
{
  static const gchar *const apis[] = { "PUT_MEDIA", "GET_MEDIA", "LIST_FRAGMENTS",
    "GET_MEDIA_FOR_FRAGMENT_LIST", "GET_HLS_STREAMING_SESSION_URL",
    "GET_DASH_STREAMING_SESSION_URL", "GET_CLIP", "GET_IMAGES", NULL };
  g_autofree gchar *name = NULL;
  const gchar *api = NULL;
  GError *error = NULL;
  if (!fa_serve_json_get_string (call->input, "APIName", TRUE, &api, &error))
    return fa_serve_call_fail_error (call, error);
  if (!g_strv_contains (apis, api))
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "APIName \"%s\" is not one of Kinesis Video Streams' APIs", api);
  if (!stream_name_of (call, &name))
    return FALSE;
  g_autoptr (FaStreamInfo) info = find_stream (call, name);
  if (info == NULL)
    return FALSE;
  /* Every API lives on this one server. */
  fa_serve_json_add_string (call->output, "DataEndpoint", call->serve->base_url);
  return TRUE;
}

/* ---- archived media ------------------------------------------------------ */

/* A {FragmentSelectorType, TimestampRange {StartTimestamp, EndTimestamp}}
 * selector, as ListFragments and GetClip take it. */
static gboolean
selector_of (FaServeCall *call, JsonObject *selector, FaTimestampKind *kind,
    gint64 *start_us, gint64 *end_us)
{
  const gchar *type = NULL;
  JsonObject *range = NULL;
  gdouble start = 0, end = 0;
  GError *error = NULL;
  if (!fa_serve_json_get_string (selector, "FragmentSelectorType", TRUE, &type, &error)
      || !fa_serve_json_get_object (selector, "TimestampRange", TRUE, &range, &error)
      || !fa_serve_json_get_double (range, "StartTimestamp", TRUE, 0, 1e11, &start, &error)
      || !fa_serve_json_get_double (range, "EndTimestamp", TRUE, 0, 1e11, &end, &error))
    return fa_serve_call_fail_error (call, error);
  if (g_str_equal (type, "PRODUCER_TIMESTAMP"))
    *kind = FA_TIMESTAMP_PRODUCER;
  else if (g_str_equal (type, "SERVER_TIMESTAMP"))
    *kind = FA_TIMESTAMP_SERVER;
  else
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "FragmentSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP");
  *start_us = (gint64) (start * G_USEC_PER_SEC + 0.5);
  *end_us = (gint64) (end * G_USEC_PER_SEC + 0.5);
  if (*start_us > *end_us)
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "StartTimestamp must not be after EndTimestamp");
  return TRUE;
}

static gboolean
list_fragments (FaServeCall *call)
{
  g_autofree gchar *name = NULL;
  if (!stream_name_of (call, &name))
    return FALSE;
  GError *error = NULL;
  gint64 limit = 1000;
  const gchar *token = NULL;
  JsonObject *selector = NULL;
  guint64 first = 0;
  g_autofree gchar *scope = g_strdup_printf ("fragments/%s", name);
  if (!fa_serve_json_get_int (call->input, "MaxResults", 1, 1000, &limit, &error)
      || !fa_serve_json_get_string (call->input, "NextToken", FALSE, &token, &error)
      || !fa_serve_json_get_object (call->input, "FragmentSelector", FALSE, &selector,
          &error)
      || (token != NULL && !fa_serve_parse_next_token (token, scope, &first, &error)))
    return fa_serve_call_fail_error (call, error);
  FaTimestampKind kind = FA_TIMESTAMP_PRODUCER;
  gint64 start_us = G_MININT64, end_us = G_MAXINT64;
  if (selector != NULL && !selector_of (call, selector, &kind, &start_us, &end_us))
    return FALSE;
  g_autoptr (GPtrArray) list = fa_stream_store_list_fragments (call->serve->streams,
      name, kind, start_us, end_us, FALSE, &error);
  if (list == NULL)
    return store_failed (call, name, error);
  guint end = (guint) MIN ((guint64) list->len, first + (guint64) limit);
  json_builder_set_member_name (call->output, "Fragments");
  json_builder_begin_array (call->output);
  for (guint i = (guint) MIN (first, list->len); i < end; i++) {
    FaFragmentInfo *f = g_ptr_array_index (list, i);
    json_builder_begin_object (call->output);
    fa_serve_json_add_string (call->output, "FragmentNumber", f->number);
    fa_serve_json_add_int (call->output, "FragmentSizeInBytes", f->size);
    fa_serve_json_add_time (call->output, "ProducerTimestamp", f->producer_us);
    fa_serve_json_add_time (call->output, "ServerTimestamp", f->server_us);
    fa_serve_json_add_int (call->output, "FragmentLengthInMilliseconds",
        (f->duration_us + 500) / 1000);
    json_builder_end_object (call->output);
  }
  json_builder_end_array (call->output);
  if (end < list->len) {
    g_autofree gchar *next = fa_serve_next_token (end, scope);
    fa_serve_json_add_string (call->output, "NextToken", next);
  }
  return TRUE;
}

/* A server-time range as the producer-time range of its fragments (the
 * exporter reads by producer time). */
static gboolean
to_producer_range (FaServeCall *call, const gchar *stream, gint64 *start_us,
    gint64 *end_us)
{
  GError *error = NULL;
  g_autoptr (GPtrArray) list = fa_stream_store_list_fragments (call->serve->streams,
      stream, FA_TIMESTAMP_SERVER, *start_us, *end_us, FALSE, &error);
  if (list == NULL)
    return store_failed (call, stream, error);
  if (list->len == 0)
    return fa_serve_call_fail (call, 404, "ResourceNotFoundException",
        "No fragments found in the stream %s for the requested timestamp range.", stream);
  FaFragmentInfo *first = g_ptr_array_index (list, 0);
  FaFragmentInfo *last = g_ptr_array_index (list, list->len - 1);
  *start_us = first->producer_us;
  *end_us = last->producer_us + last->duration_us;
  return TRUE;
}

static gboolean
get_clip (FaServeCall *call)
{
  g_autofree gchar *name = NULL;
  if (!stream_name_of (call, &name))
    return FALSE;
  JsonObject *selector = NULL;
  GError *error = NULL;
  if (!fa_serve_json_get_object (call->input, "ClipFragmentSelector", TRUE, &selector,
          &error))
    return fa_serve_call_fail_error (call, error);
  FaTimestampKind kind;
  gint64 start_us, end_us;
  if (!selector_of (call, selector, &kind, &start_us, &end_us))
    return FALSE;
  if (kind == FA_TIMESTAMP_SERVER && !to_producer_range (call, name, &start_us, &end_us))
    return FALSE;
  if (end_us == start_us)
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "the clip's StartTimestamp and EndTimestamp are the same");
  if (end_us - start_us > CLIP_MAX_US)
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "a clip spans at most 3 hours");

  g_autofree gchar *token = fa_serve_random_token (12);
  g_autofree gchar *leaf = g_strdup_printf ("getclip-%s.mp4", token);
  g_autofree gchar *path = g_build_filename (call->serve->cache_dir, leaf, NULL);
  FaExportResult result;
  gboolean ok = fa_export_clip (call->serve->streams, name, start_us, end_us, path,
      &result, &error);
  fa_export_result_clear (&result);
  if (!ok)
    return store_failed (call, name, error);
  gchar *data = NULL;
  gsize size = 0;
  gboolean read = g_file_get_contents (path, &data, &size, &error);
  g_unlink (path);
  if (!read)
    return fa_serve_call_fail_error (call, error);
  if (size > CLIP_MAX_BYTES) {
    g_free (data);
    return fa_serve_call_fail (call, 400, "ClientLimitExceededException",
        "the clip would be larger than 100 MB: ask for a shorter range");
  }
  call->raw_type = g_strdup ("video/mp4");
  call->raw_body = g_bytes_new_take (data, size);
  return TRUE;
}

/* GetImages' Images: one entry per sampling time, from @next_slot_us on
 * every @interval_us: the first frame at or after it (as fa_export_images
 * picks them), or, as AWS answers, Error NO_MEDIA when no frame came before
 * the next sampling time (a gap in the recording, or past its end). */
typedef struct {
  JsonBuilder *out;
  guint count, limit;
  gint64 next_slot_us, interval_us;
} ImageList;

static void
add_no_media_before (ImageList *list, gint64 before_us)
{
  while (list->count < list->limit && list->next_slot_us + list->interval_us <= before_us) {
    json_builder_begin_object (list->out);
    fa_serve_json_add_time (list->out, "TimeStamp", list->next_slot_us);
    fa_serve_json_add_string (list->out, "Error", "NO_MEDIA");
    json_builder_end_object (list->out);
    list->count++;
    list->next_slot_us += list->interval_us;
  }
}

static gboolean
add_image (gint64 producer_us, GBytes *image, gpointer user_data, GError **error)
{
  ImageList *list = user_data;
  add_no_media_before (list, producer_us);
  if (list->count >= list->limit)
    return TRUE;
  gsize size;
  const guchar *data = g_bytes_get_data (image, &size);
  g_autofree gchar *base64 = g_base64_encode (data, size);
  json_builder_begin_object (list->out);
  fa_serve_json_add_time (list->out, "TimeStamp", producer_us);
  fa_serve_json_add_string (list->out, "ImageContent", base64);
  json_builder_end_object (list->out);
  list->count++;
  while (list->next_slot_us <= producer_us)
    list->next_slot_us += list->interval_us;
  return TRUE;
}

static gboolean
get_images (FaServeCall *call)
{
  g_autofree gchar *name = NULL;
  if (!stream_name_of (call, &name))
    return FALSE;
  JsonObject *in = call->input, *format_config = NULL;
  const gchar *selector = NULL, *format = NULL, *token = NULL, *quality = NULL;
  gdouble start = 0, end = 0;
  gint64 interval_ms = 0, width = 0, height = 0, limit = 25;
  GError *error = NULL;
  if (!fa_serve_json_get_string (in, "ImageSelectorType", TRUE, &selector, &error)
      || !fa_serve_json_get_double (in, "StartTimestamp", TRUE, 0, 1e11, &start, &error)
      || !fa_serve_json_get_double (in, "EndTimestamp", TRUE, 0, 1e11, &end, &error)
      || !fa_serve_json_get_int (in, "SamplingInterval", 1, 86400000, &interval_ms, &error)
      || !fa_serve_json_get_string (in, "Format", TRUE, &format, &error)
      || !fa_serve_json_get_object (in, "FormatConfig", FALSE, &format_config, &error)
      || (format_config != NULL && !fa_serve_json_get_string (format_config,
              "JPEGQuality", FALSE, &quality, &error))
      || !fa_serve_json_get_int (in, "WidthPixels", 1, 3840, &width, &error)
      || !fa_serve_json_get_int (in, "HeightPixels", 1, 2160, &height, &error)
      || !fa_serve_json_get_int (in, "MaxResults", 1, 100, &limit, &error)
      || !fa_serve_json_get_string (in, "NextToken", FALSE, &token, &error))
    return fa_serve_call_fail_error (call, error);
  if (interval_ms == 0)
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "SamplingInterval is required");
  FaExportImageOptions options = {
    .interval_us = interval_ms * 1000, .width = (int) width, .height = (int) height,
    .max_images = (guint) limit,
  };
  if (g_str_equal (format, "PNG"))
    options.format = FA_EXPORT_PNG;
  else if (!g_str_equal (format, "JPEG"))
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "Format must be JPEG or PNG");
  if (quality != NULL) {
    gchar *rest = NULL;
    gint64 q = g_ascii_strtoll (quality, &rest, 10);
    if (*rest != '\0' || q < 1 || q > 100)
      return fa_serve_call_fail (call, 400, "InvalidArgumentException",
          "FormatConfig JPEGQuality must be 1 to 100");
    options.jpeg_quality = (int) q;
  }
  gint64 start_us = (gint64) (start * G_USEC_PER_SEC + 0.5);
  gint64 end_us = (gint64) (end * G_USEC_PER_SEC + 0.5);
  g_autofree gchar *scope = g_strdup_printf ("images/%s", name);
  guint64 resume_us = 0;
  if (token != NULL && !fa_serve_parse_next_token (token, scope, &resume_us, &error))
    return fa_serve_call_fail_error (call, error);
  if (start_us > end_us)
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "StartTimestamp must not be after EndTimestamp");
  if (g_str_equal (selector, "SERVER_TIMESTAMP")) {
    if (!to_producer_range (call, name, &start_us, &end_us))
      return FALSE;
  } else if (!g_str_equal (selector, "PRODUCER_TIMESTAMP")) {
    return fa_serve_call_fail (call, 400, "InvalidArgumentException",
        "ImageSelectorType must be PRODUCER_TIMESTAMP or SERVER_TIMESTAMP");
  }
  if ((gint64) resume_us > start_us)
    start_us = (gint64) resume_us;

  json_builder_set_member_name (call->output, "Images");
  json_builder_begin_array (call->output);
  ImageList list = { .out = call->output, .limit = options.max_images,
    .next_slot_us = start_us, .interval_us = options.interval_us };
  FaExportResult result;
  gboolean ok = fa_export_images (call->serve->streams, name, start_us, end_us,
      &options, add_image, &list, &result, &error);
  fa_export_result_clear (&result);
  if (ok)   /* the sampling times after the last frame */
    add_no_media_before (&list, end_us + list.interval_us);
  json_builder_end_array (call->output);
  if (!ok)
    return store_failed (call, name, error);
  if (list.count >= list.limit && list.next_slot_us <= end_us) {
    g_autofree gchar *next = fa_serve_next_token ((guint64) list.next_slot_us, scope);
    fa_serve_json_add_string (call->output, "NextToken", next);
  }
  return TRUE;
}

static gboolean
get_media_for_fragment_list (FaServeCall *call)
{
  g_autofree gchar *name = NULL;
  if (!stream_name_of (call, &name))
    return FALSE;
  g_autoptr (GPtrArray) numbers = NULL;
  GError *error = NULL;
  if (!fa_serve_json_get_strings (call->input, "Fragments", TRUE, MEDIA_MAX_FRAGMENTS,
          &numbers, &error))
    return fa_serve_call_fail_error (call, error);
  GByteArray *out = g_byte_array_new ();
  for (guint i = 0; i + 1 < numbers->len; i++) {
    g_autoptr (GBytes) media = fa_stream_store_read_fragment (call->serve->streams, name,
        g_ptr_array_index (numbers, i), &error);
    if (media == NULL) {
      g_byte_array_unref (out);
      return store_failed (call, name, error);
    }
    gsize size;
    const guint8 *data = g_bytes_get_data (media, &size);
    g_byte_array_append (out, data, size);
  }
  call->raw_type = g_strdup ("video/x-matroska");
  call->raw_body = g_byte_array_free_to_bytes (out);
  return TRUE;
}

const FaServeOpEntry fa_serve_kvs_ops[] = {
  {"/listStreams", list_streams},
  {"/describeStream", describe_stream},
  {"/getDataEndpoint", get_data_endpoint},
  {"/listFragments", list_fragments},
  {"/getClip", get_clip},
  {"/getImages", get_images},
  {"/getMediaForFragmentList", get_media_for_fragment_list},
  {NULL, NULL}
};
