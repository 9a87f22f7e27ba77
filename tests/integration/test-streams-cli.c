/* Integration: record with kvssink, then read back through the `facealert`
 * CLI (fragments list, clip, images, media) and check the results with real
 * GStreamer demuxers and decoders (GstDiscoverer, decodebin). */
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <json-glib/json-glib.h>

#include "fa-test.h"

#include <string.h>

static gchar *root, *streams, *key, *wrong_key;
static gint64 t0_us;            /* producer start of the recording */

/* Runs `facealert ARGS...`; returns the exit status, output in @out/@err. */
static int
cli (gchar **out, gchar **err, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("facealert"));
  va_list ap;
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, g_strdup (a));
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return fa_test_run_argv ((const gchar *const *) args->pdata, out, err);
}

static gchar *
at (gdouble offset_s)
{
  return g_strdup_printf ("%.3f", t0_us / 1e6 + offset_s);
}

/* As an RTSP camera under load can send: a frame 0.3 ms after the one
 * before it, the same millisecond in the store. */
static GstPadProbeReturn
jitter_one_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  guint *index = data;
  static GstClockTime last;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if ((*index)++ == 20) {
    buf = gst_buffer_make_writable (buf);
    GST_BUFFER_PTS (buf) = GST_BUFFER_DTS (buf) = last + 300 * GST_USECOND;
    GST_PAD_PROBE_INFO_DATA (info) = buf;
  }
  last = GST_BUFFER_PTS (buf);
  return GST_PAD_PROBE_OK;
}

/* Records 3 s (90 frames, a keyframe every 0.5 s) into @stream; with
 * @jitter, frame 20 comes 0.3 ms after frame 19. */
static void
record (const gchar *stream, const gchar *key_file, gboolean jitter)
{
  g_autofree gchar *launch = g_strdup_printf ("videotestsrc num-buffers=90 ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! x264enc key-int-max=15 "
      "speed-preset=ultrafast tune=zerolatency ! h264parse ! identity name=probe ! "
      "kvssink stream-name=%s storage-dir=%s %s%s", stream, streams,
      key_file ? "encryption-key-file=" : "", key_file ? key_file : "");
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  guint index = 0;
  if (jitter) {
    GstElement *probe = gst_bin_get_by_name (GST_BIN (pipeline), "probe");
    GstPad *pad = gst_element_get_static_pad (probe, "src");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, jitter_one_frame, &index, NULL);
    gst_object_unref (pad);
    gst_object_unref (probe);
  }
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

static JsonObject *
parse_json (const gchar *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_fragments_list (void)
{
  g_autofree gchar *out = NULL;
  g_assert_cmpint (cli (&out, NULL, "fragments", "list", "--stream", "cam",
          "--storage-dir", streams, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) obj = parse_json (out);
  JsonArray *frags = json_object_get_array_member (obj, "Fragments");
  /* 3 s at a keyframe every 0.5 s. */
  g_assert_cmpuint (json_array_get_length (frags), ==, 6);
  gdouble prev_end = 0;
  for (guint i = 0; i < 6; i++) {
    JsonObject *f = json_array_get_object_element (frags, i);
    g_autofree gchar *n = g_strdup_printf ("%u", i + 1);
    g_assert_cmpstr (json_object_get_string_member (f, "FragmentNumber"), ==, n);
    g_assert_cmpint (json_object_get_int_member (f, "FragmentLengthInMilliseconds"), ==, 500);
    g_assert_cmpint (json_object_get_int_member (f, "FragmentSizeInBytes"), >, 0);
    gdouble p = json_object_get_double_member (f, "ProducerTimestamp");
    g_assert_cmpfloat (json_object_get_double_member (f, "ServerTimestamp"), >, 0);
    if (i > 0)
      g_assert_cmpfloat (ABS (p - prev_end), <, 0.001);
    else
      t0_us = (gint64) (p * 1e6 + 0.5);
    prev_end = p + 0.5;
  }

  /* A time range: fragments starting within [0.6 s, 1.6 s] are 3 and 4. */
  g_autofree gchar *s = at (0.6), *e = at (1.6);
  g_autofree gchar *out2 = NULL;
  g_assert_cmpint (cli (&out2, NULL, "fragments", "list", "--stream", "cam",
          "--storage-dir", streams, "--start", s, "--end", e, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) obj2 = parse_json (out2);
  JsonArray *range = json_object_get_array_member (obj2, "Fragments");
  g_assert_cmpuint (json_array_get_length (range), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (range, 0),
          "FragmentNumber"), ==, "3");

  /* ISO 8601 works as well: everything after the end is empty. */
  g_autoptr (GDateTime) late = g_date_time_new_from_unix_utc (t0_us / G_USEC_PER_SEC + 3600);
  g_autofree gchar *iso = g_date_time_format_iso8601 (late);
  g_autofree gchar *out3 = NULL;
  g_assert_cmpint (cli (&out3, NULL, "fragments", "list", "--stream", "cam",
          "--storage-dir", streams, "--start", iso, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) obj3 = parse_json (out3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj3,
              "Fragments")), ==, 0);
}

static GstDiscovererInfo *
discover (const gchar *path)
{
  GError *error = NULL;
  g_autoptr (GstDiscoverer) d = gst_discoverer_new (20 * GST_SECOND, &error);
  g_assert_no_error (error);
  g_autofree gchar *uri = gst_filename_to_uri (path, NULL);
  GstDiscovererInfo *info = gst_discoverer_discover_uri (d, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  return info;
}

static guint
decoded_frames (const gchar *path)
{
  g_autofree gchar *launch = g_strdup_printf ("filesrc location=%s ! decodebin ! "
      "fakesink name=sink signal-handoffs=true", path);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint frames = 0;
  g_signal_connect_swapped (sink, "handoff", G_CALLBACK (g_atomic_int_inc), &frames);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return frames;
}

static void
test_clip (void)
{
  /* [0.7 s, 2.085 s): from the keyframe at 0.5 s to the last frame before the
   * end (2.0667 s), 48 frames = 1.6 s. The end lies between two frames, not on
   * the 2.1 s frame, because at() rounds to the millisecond. */
  g_autofree gchar *s = at (0.7), *e = at (2.085);
  g_autofree gchar *clip = g_build_filename (root, "clip.mp4", NULL);
  g_autofree gchar *out = NULL;
  g_assert_cmpint (cli (&out, NULL, "clip", "--stream", "cam", "--storage-dir", streams,
          "--start", s, "--end", e, "-o", clip, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) obj = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (obj, "Frames"), ==, 48);
  g_assert_cmpint (json_object_get_int_member (obj, "Fragments"), ==, 4);

  g_autoptr (GstDiscovererInfo) info = discover (clip);
  GstClockTime duration = gst_discoverer_info_get_duration (info);
  g_assert_cmpuint (duration, >=, 1600 * GST_MSECOND - 34 * GST_MSECOND);
  g_assert_cmpuint (duration, <=, 1600 * GST_MSECOND + 34 * GST_MSECOND);
  GList *videos = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (videos), ==, 1);
  GstDiscovererVideoInfo *v = videos->data;
  g_assert_cmpuint (gst_discoverer_video_info_get_width (v), ==, 160);
  g_autoptr (GstCaps) caps = gst_discoverer_stream_info_get_caps (videos->data);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (caps, 0), "video/x-h264"));
  gst_discoverer_stream_info_list_free (videos);
  g_autoptr (GstDiscovererStreamInfo) top = gst_discoverer_info_get_stream_info (info);
  g_autoptr (GstCaps) container = gst_discoverer_stream_info_get_caps (top);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (container, 0),
          "video/quicktime"));
  g_assert_cmpuint (decoded_frames (clip), ==, 48);
}

/* Two frames in the same millisecond (jitter): the clip still has them all,
 * in order (MP4 wants strictly increasing decoding times). */
static void
test_clip_jitter (void)
{
  record ("jitter", NULL, TRUE);
  g_autofree gchar *s = at (-10), *e = at (3600);
  g_autofree gchar *clip = g_build_filename (root, "jitter.mp4", NULL);
  g_autofree gchar *out = NULL, *err = NULL;
  int status = cli (&out, &err, "clip", "--stream", "jitter", "--storage-dir", streams,
      "--start", s, "--end", e, "-o", clip, "--output", "json", NULL);
  if (status != 0)
    g_test_message ("facealert clip: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_autoptr (JsonObject) obj = parse_json (out);
  g_assert_cmpint (json_object_get_int_member (obj, "Frames"), ==, 90);
  g_assert_cmpuint (decoded_frames (clip), ==, 90);
}

static void
test_images (void)
{
  g_autofree gchar *s = at (0), *e = at (2.9);
  g_autofree gchar *dir = g_build_filename (root, "images", NULL);
  g_autofree gchar *out = NULL;
  g_assert_cmpint (cli (&out, NULL, "images", "--stream", "cam", "--storage-dir", streams,
          "--start", s, "--end", e, "--interval", "0.5", "-o", dir, "--output", "json",
          NULL), ==, 0);
  g_autoptr (JsonObject) obj = parse_json (out);
  JsonArray *images = json_object_get_array_member (obj, "Images");
  /* 0, 0.5, ... 2.5 s. */
  g_assert_cmpuint (json_array_get_length (images), ==, 6);
  for (guint i = 0; i < 6; i++) {
    JsonObject *img = json_array_get_object_element (images, i);
    gdouble ts = json_object_get_double_member (img, "TimeStamp");
    g_assert_cmpfloat (ABS (ts - (t0_us / 1e6 + 0.5 * i)), <, 0.034);
    g_autoptr (GstDiscovererInfo) info = discover (json_object_get_string_member (img, "File"));
    GList *videos = gst_discoverer_info_get_video_streams (info);
    g_assert_cmpuint (gst_discoverer_video_info_get_width (videos->data), ==, 160);
    g_assert_true (gst_discoverer_video_info_is_image (videos->data));
    gst_discoverer_stream_info_list_free (videos);
  }
}

static void
test_media (void)
{
  g_autofree gchar *path = g_build_filename (root, "f3.mkv", NULL);
  g_assert_cmpint (cli (NULL, NULL, "media", "--stream", "cam", "--fragment", "3",
          "--storage-dir", streams, "-o", path, NULL), ==, 0);
  g_autoptr (GstDiscovererInfo) info = discover (path);
  GstClockTime duration = gst_discoverer_info_get_duration (info);
  g_assert_cmpuint (duration, >=, 466 * GST_MSECOND);
  g_assert_cmpuint (duration, <=, 534 * GST_MSECOND);
  g_assert_cmpuint (decoded_frames (path), ==, 15);
}

static void
assert_fails (const gchar *expect, const gchar *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  va_start (ap, first);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_autofree gchar *argv0 = g_strjoinv ("' '", (gchar **) args->pdata);
  g_autofree gchar *cmd = g_strdup_printf ("facealert '%s'", argv0);
  gchar *err = NULL;
  int status = 0;
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  /* One line, saying what went wrong. */
  g_assert_nonnull (strstr (err, expect));
  guint lines = 0;
  for (const gchar *c = err; *c; c++)
    lines += *c == '\n';
  g_assert_cmpuint (lines, ==, 1);
  g_free (err);
}

static void
test_errors (void)
{
  g_autofree gchar *s = at (0), *e = at (1);
  g_autofree gchar *o = g_build_filename (root, "x.mp4", NULL);
  assert_fails ("no stream \"nope\"", "fragments", "list", "--stream", "nope",
      "--storage-dir", streams, NULL);
  assert_fails ("has no fragment 42", "media", "--stream", "cam", "--fragment", "42",
      "--storage-dir", streams, "-o", o, NULL);
  assert_fails ("invalid fragment number", "media", "--stream", "cam", "--fragment",
      "abc", "--storage-dir", streams, "-o", o, NULL);
  assert_fails ("invalid time for --start", "clip", "--stream", "cam", "--start",
      "yesterday", "--end", e, "--storage-dir", streams, "-o", o, NULL);
  assert_fails ("is after --end", "clip", "--stream", "cam", "--start", e, "--end", s,
      "--storage-dir", streams, "-o", o, NULL);
  assert_fails ("has no media between", "clip", "--stream", "cam", "--start", "1000",
      "--end", "2000", "--storage-dir", streams, "-o", o, NULL);
  g_assert_false (g_file_test (o, G_FILE_TEST_EXISTS));
}

static void
test_encrypted (void)
{
  record ("secret", key, FALSE);
  g_autofree gchar *s = at (0), *e = at (60);
  g_autofree gchar *o = g_build_filename (root, "secret.mp4", NULL);
  /* The second recording started after the first: use an open-ended range. */
  assert_fails ("is encrypted: give its key file", "media", "--stream", "secret",
      "--fragment", "1", "--storage-dir", streams, "-o", o, NULL);
  assert_fails ("authentication failed", "media", "--stream", "secret", "--fragment", "1",
      "--storage-dir", streams, "--key-file", wrong_key, "-o", o, NULL);
  assert_fails ("authentication failed", "clip", "--stream", "secret", "--start", s,
      "--end", e, "--storage-dir", streams, "--key-file", wrong_key, "-o", o, NULL);
  g_assert_false (g_file_test (o, G_FILE_TEST_EXISTS));
  g_autofree gchar *out = NULL;
  g_assert_cmpint (cli (&out, NULL, "clip", "--stream", "secret", "--start", s, "--end", e,
          "--storage-dir", streams, "--key-file", key, "-o", o, "--output", "json",
          NULL), ==, 0);
  g_assert_cmpuint (decoded_frames (o), ==, 90);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  root = fa_test_make_tmpdir ("fa-streams-cli");
  streams = g_build_filename (root, "streams", NULL);
  key = g_build_filename (root, "key", NULL);
  wrong_key = g_build_filename (root, "wrong-key", NULL);
  g_assert_true (g_file_set_contents (key,
          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", -1, NULL));
  g_assert_true (g_file_set_contents (wrong_key,
          "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", -1, NULL));
  record ("cam", NULL, FALSE);
  g_test_add_func ("/streams-cli/fragments-list", test_fragments_list);
  g_test_add_func ("/streams-cli/clip", test_clip);
  g_test_add_func ("/streams-cli/clip-jitter", test_clip_jitter);
  g_test_add_func ("/streams-cli/images", test_images);
  g_test_add_func ("/streams-cli/media", test_media);
  g_test_add_func ("/streams-cli/errors", test_errors);
  g_test_add_func ("/streams-cli/encrypted", test_encrypted);
  int ret = g_test_run ();
  fa_test_rm_rf (root);
  return ret;
}
