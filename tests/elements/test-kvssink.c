/* Element tests: kvssink records real H.264 (x264enc) into a real store. */
#define _GNU_SOURCE
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "fa-error.h"
#include "fa-mkv.h"
#include "fa-stream-store.h"
#include "fa-test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#define WAIT (20 * GST_SECOND)

static const gchar *key_hex =
    "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576777879";

static gchar *
encoder_launch (guint frames, guint gop, const gchar *extra_src, const gchar *sink)
{
  return g_strdup_printf ("videotestsrc %s num-buffers=%d %s ! "
      "video/x-raw,width=%s,framerate=30/1 ! "
      "x264enc key-int-max=%u speed-preset=ultrafast tune=zerolatency %s ! "
      "h264parse ! %s", frames > 0 ? "" : "is-live=true", frames > 0 ? (int) frames : -1,
      extra_src, strstr (extra_src, "snow") ? "320,height=240" : "160,height=120", gop, strstr (extra_src, "snow") ? "pass=quant quantizer=5" : "", sink);
}

/* Runs @launch to EOS; returns the kvssink-fragment structures posted.
 * With @probe, it sees every buffer leaving the element named "probe". */
static GPtrArray *
record_probed (const gchar *launch, GstPadProbeCallback probe, gpointer data,
    GError **error_out)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  g_assert_no_error (error);
  if (probe != NULL) {
    GstElement *el = gst_bin_get_by_name (GST_BIN (pipeline), "probe");
    GstPad *pad = gst_element_get_static_pad (el, "src");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, probe, data, NULL);
    gst_object_unref (pad);
    gst_object_unref (el);
  }
  GPtrArray *fragments = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_structure_free);
  GstBus *bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg != NULL) {
      gst_message_parse_error (msg, error_out, NULL);
      gst_message_unref (msg);
    } else {
      g_set_error (error_out, FA_ERROR, FA_ERROR_FAILED, "state change failed");
    }
  }
  while (error_out == NULL || *error_out == NULL) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, WAIT,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL, "pipeline timed out");
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error (msg, error_out, NULL);
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS) {
      gst_message_unref (msg);
      break;
    } else if (gst_message_has_name (msg, "kvssink-fragment")) {
      g_ptr_array_add (fragments, gst_structure_copy (gst_message_get_structure (msg)));
    }
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return fragments;
}

static GPtrArray *
record (const gchar *launch, GError **error_out)
{
  return record_probed (launch, NULL, NULL, error_out);
}

static GPtrArray *
list_all (FaStreamStore *store, const gchar *stream)
{
  GError *error = NULL;
  GPtrArray *list = fa_stream_store_list_fragments (store, stream,
      FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, &error);
  g_assert_no_error (error);
  return list;
}

/* Every row has its file, every file its row, and every fragment parses. */
static void
assert_consistent (FaStreamStore *store, const gchar *root, const gchar *stream)
{
  g_autoptr (GPtrArray) rows = list_all (store, stream);
  g_autofree gchar *dir = g_build_filename (root, stream, "fragments", NULL);
  fail_unless_equals_int (fa_test_count_files (dir), rows->len);
  for (guint i = 0; i < rows->len; i++) {
    FaFragmentInfo *f = rows->pdata[i];
    GError *error = NULL;
    g_autoptr (GBytes) media = fa_stream_store_read_fragment (store, stream, f->number, &error);
    g_assert_no_error (error);
    fail_unless_equals_int (g_bytes_get_size (media), f->size);
    g_autoptr (FaMkvFragment) frag = fa_mkv_fragment_parse (media, &error);
    g_assert_no_error (error);
    fail_unless (frag->frames->len > 0);
    fail_unless (g_array_index (frag->frames, FaMkvFrame, 0).keyframe);
  }
}

/* Decodes a stored fragment on its own with matroskademux + a real decoder. */
static guint
decode_frames (GBytes *media)
{
  g_autofree gchar *tmpdir = fa_test_make_tmpdir ("fa-kvs-dec");
  g_autofree gchar *path = g_build_filename (tmpdir, "f.mkv", NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (media, NULL),
          g_bytes_get_size (media), NULL));
  g_autofree gchar *launch = g_strdup_printf ("filesrc location=%s ! matroskademux ! "
      "h264parse ! avdec_h264 ! fakesink name=sink signal-handoffs=true", path);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint frames = 0;
  g_signal_connect_swapped (sink, "handoff", G_CALLBACK (g_atomic_int_inc), &frames);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, WAIT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "a stored fragment does not decode on its own");
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  fa_test_rm_rf (tmpdir);
  return frames;
}

GST_START_TEST (test_record_h264)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *sink = g_strdup_printf ("kvssink stream-name=cam1 storage-dir=%s", root);
  g_autofree gchar *launch = encoder_launch (60, 10, "", sink);
  g_autoptr (GPtrArray) msgs = record (launch, NULL);

  /* 60 frames, a keyframe every 10: six fragments, one per keyframe. */
  fail_unless_equals_int (msgs->len, 6);
  g_autoptr (FaStreamStore) store = fa_stream_store_new (root, NULL, NULL);
  g_autoptr (GPtrArray) rows = list_all (store, "cam1");
  fail_unless_equals_int (rows->len, 6);
  for (guint i = 0; i < rows->len; i++) {
    FaFragmentInfo *f = rows->pdata[i];
    g_autofree gchar *n = g_strdup_printf ("%u", i + 1);
    fail_unless_equals_string (f->number, n);
    fail_unless_equals_string (gst_structure_get_string (msgs->pdata[i],
            "fragment-number"), n);
    /* 10 frames at 30 fps. */
    fail_unless (ABS (f->duration_us - 333333) <= 1, "duration %" G_GINT64_FORMAT,
        f->duration_us);
    if (i > 0) {
      FaFragmentInfo *prev = rows->pdata[i - 1];
      gint64 gap = f->producer_us - (prev->producer_us + prev->duration_us);
      fail_unless (ABS (gap) <= 1, "fragments %s and %s are not contiguous (%"
          G_GINT64_FORMAT " us)", prev->number, f->number, gap);
      fail_unless (f->server_us >= prev->server_us);
    }
    guint64 producer_ns;
    gst_structure_get_uint64 (msgs->pdata[i], "producer-timestamp", &producer_ns);
    fail_unless_equals_uint64 (producer_ns / 1000, f->producer_us);
  }
  assert_consistent (store, root, "cam1");

  /* A fragment from the middle decodes on its own, all 10 frames. */
  g_autoptr (GBytes) media = fa_stream_store_read_fragment (store, "cam1", "4", NULL);
  fail_unless_equals_int (decode_frames (media), 10);
  fa_test_rm_rf (root);
}
GST_END_TEST;

GST_START_TEST (test_fragment_duration)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *sink = g_strdup_printf ("kvssink stream-name=cam storage-dir=%s "
      "key-frame-fragmentation=false fragment-duration=1000", root);
  g_autofree gchar *launch = encoder_launch (90, 10, "", sink);
  g_autoptr (GPtrArray) msgs = record (launch, NULL);
  /* Keyframes every 333 ms: a fragment ends at the first one after 1 s. */
  fail_unless_equals_int (msgs->len, 3);
  g_autoptr (FaStreamStore) store = fa_stream_store_new (root, NULL, NULL);
  g_autoptr (GPtrArray) rows = list_all (store, "cam");
  for (guint i = 0; i < rows->len; i++) {
    FaFragmentInfo *f = rows->pdata[i];
    fail_unless (ABS (f->duration_us - 1000000) <= 1, "duration %" G_GINT64_FORMAT,
        f->duration_us);
  }
  fa_test_rm_rf (root);
}
GST_END_TEST;

/* As an RTSP camera's stream can be: no buffer durations, and the frame
 * before each keyframe lost (so the last frame of every fragment looks twice
 * as long as it was). */
static GstPadProbeReturn
lose_frame_before_keyframe (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  guint *index = data;
  if ((*index)++ % 10 == 8)
    return GST_PAD_PROBE_DROP;
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GST_BUFFER_DURATION (buf) = GST_CLOCK_TIME_NONE;
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

GST_START_TEST (test_contiguous_without_durations)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *sink = g_strdup_printf ("identity name=probe ! "
      "kvssink stream-name=cam storage-dir=%s", root);
  g_autofree gchar *launch = encoder_launch (60, 10, "", sink);
  guint index = 0;
  g_autoptr (GPtrArray) msgs = record_probed (launch, lose_frame_before_keyframe,
      &index, NULL);
  fail_unless_equals_int (msgs->len, 6);

  /* Each fragment ends where the next one's keyframe starts: no overlap. */
  g_autoptr (FaStreamStore) store = fa_stream_store_new (root, NULL, NULL);
  g_autoptr (GPtrArray) rows = list_all (store, "cam");
  fail_unless_equals_int (rows->len, 6);
  for (guint i = 1; i < rows->len; i++) {
    FaFragmentInfo *prev = rows->pdata[i - 1], *f = rows->pdata[i];
    gint64 gap = f->producer_us - (prev->producer_us + prev->duration_us);
    fail_unless (ABS (gap) <= 1, "fragments %s and %s are not contiguous (%"
        G_GINT64_FORMAT " us)", prev->number, f->number, gap);
  }
  fa_test_rm_rf (root);
}
GST_END_TEST;

static gboolean
accepts (GstHarness *h, const gchar *caps_str)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  gboolean ok = gst_pad_peer_query_accept_caps (h->srcpad, caps);
  gst_caps_unref (caps);
  return ok;
}

GST_START_TEST (test_caps_refused)
{
  GstHarness *h = gst_harness_new ("kvssink");
  fail_unless (accepts (h, "video/x-h264,stream-format=avc,alignment=au"));
  fail_unless (accepts (h, "video/x-h265,stream-format=hvc1,alignment=au"));
  fail_if (accepts (h, "video/x-raw,format=I420,width=64,height=64"));
  fail_if (accepts (h, "audio/x-raw"));
  fail_if (accepts (h, "video/x-vp8"));
  fail_if (accepts (h, "video/x-h264,stream-format=byte-stream,alignment=au"));
  gst_harness_teardown (h);

  /* In a pipeline: raw video fails to negotiate, nothing is recorded. */
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *launch = g_strdup_printf ("videotestsrc num-buffers=5 ! "
      "kvssink stream-name=raw storage-dir=%s", root);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &error);
  fail_unless (g_error_matches (error, GST_PARSE_ERROR, GST_PARSE_ERROR_LINK),
      "raw video was accepted");
  g_clear_error (&error);
  gst_clear_object (&pipeline);
  g_autofree gchar *stream_dir = g_build_filename (root, "raw", NULL);
  fail_if (g_file_test (stream_dir, G_FILE_TEST_EXISTS));
  fa_test_rm_rf (root);
}
GST_END_TEST;

GST_START_TEST (test_bad_key_file)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  GstElement *sink = gst_element_factory_make ("kvssink", NULL);
  g_object_set (sink, "storage-dir", root, "encryption-key-file",
      "/nonexistent/fa-key", NULL);
  fail_unless_equals_int (gst_element_set_state (sink, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  fa_test_rm_rf (root);
}
GST_END_TEST;

GST_START_TEST (test_encryption)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *key = g_build_filename (root, "key", NULL);
  g_autofree gchar *wrong = g_build_filename (root, "wrong", NULL);
  g_autofree gchar *streams = g_build_filename (root, "streams", NULL);
  g_assert_true (g_file_set_contents (key, key_hex, -1, NULL));
  g_assert_true (g_file_set_contents (wrong, "00000000000000000000000000000000"
          "00000000000000000000000000000000", -1, NULL));
  g_autofree gchar *sink = g_strdup_printf ("kvssink stream-name=cam storage-dir=%s "
      "encryption-key-file=%s", streams, key);
  g_autofree gchar *launch = encoder_launch (30, 10, "", sink);
  g_autoptr (GPtrArray) msgs = record (launch, NULL);
  fail_unless_equals_int (msgs->len, 3);

  /* No Matroska (nor any H.264 start) in the clear on disk. */
  g_autofree gchar *path = g_build_filename (streams, "cam", "fragments",
      "00000000000000000001.mkv", NULL);
  gchar *raw;
  gsize len;
  g_assert_true (g_file_get_contents (path, &raw, &len, NULL));
  fail_unless (memcmp (raw, "FAE1", 4) == 0);
  fail_unless (memmem (raw, len, "matroska", 8) == NULL);
  fail_unless (memmem (raw, len, "x264", 4) == NULL);
  g_free (raw);

  GError *error = NULL;
  g_autoptr (FaStreamStore) store = fa_stream_store_new (streams, key, NULL);
  assert_consistent (store, streams, "cam");
  g_autoptr (GBytes) media = fa_stream_store_read_fragment (store, "cam", "2", &error);
  g_assert_no_error (error);
  fail_unless_equals_int (decode_frames (media), 10);

  g_autoptr (FaStreamStore) bad = fa_stream_store_new (streams, wrong, NULL);
  fail_unless (fa_stream_store_read_fragment (bad, "cam", "2", &error) == NULL);
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);
  fa_test_rm_rf (root);
}
GST_END_TEST;

GST_START_TEST (test_quota)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  /* Snow at a fine quantizer: several MB, quota 1 MB. */
  g_autofree gchar *sink = g_strdup_printf ("kvssink stream-name=cam storage-dir=%s "
      "storage-size=1", root);
  g_autofree gchar *launch = encoder_launch (20, 2, "pattern=snow", sink);
  g_autoptr (GPtrArray) msgs = record (launch, NULL);
  fail_unless_equals_int (msgs->len, 10);
  guint64 written = 0;
  for (guint i = 0; i < msgs->len; i++) {
    guint64 size;
    gst_structure_get_uint64 (msgs->pdata[i], "size", &size);
    written += size;
  }
  fail_unless (written > 2 * 1024 * 1024, "test input too small: %" G_GUINT64_FORMAT,
      written);

  g_autoptr (FaStreamStore) store = fa_stream_store_new (root, NULL, NULL);
  g_autoptr (GPtrArray) rows = list_all (store, "cam");
  guint64 kept = 0;
  for (guint i = 0; i < rows->len; i++)
    kept += ((FaFragmentInfo *) rows->pdata[i])->stored_size;
  fail_unless (kept <= 1024 * 1024, "kept %" G_GUINT64_FORMAT " bytes", kept);
  /* The newest are kept, the oldest went. */
  FaFragmentInfo *last = rows->pdata[rows->len - 1];
  fail_unless_equals_string (last->number, "10");
  fail_unless (g_ascii_strtoll (((FaFragmentInfo *) rows->pdata[0])->number, NULL, 10) > 1);
  assert_consistent (store, root, "cam");
  fa_test_rm_rf (root);
}
GST_END_TEST;

static guint
wait_fragments (FaStreamStore *store, const gchar *stream, guint at_least)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline) {
    GPtrArray *list = fa_stream_store_list_fragments (store, stream,
        FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, NULL);
    guint n = list ? list->len : 0;
    if (list)
      g_ptr_array_unref (list);
    if (n >= at_least)
      return n;
    g_usleep (20000);
  }
  return 0;
}

GST_START_TEST (test_sigkill_then_restart)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *key = g_build_filename (root, "key", NULL);
  g_autofree gchar *streams = g_build_filename (root, "streams", NULL);
  g_assert_true (g_file_set_contents (key, key_hex, -1, NULL));
  g_autofree gchar *sink = g_strdup_printf ("kvssink stream-name=cam storage-dir=%s "
      "encryption-key-file=%s", streams, key);
  g_autofree gchar *launch = encoder_launch (0, 2, "", sink);
  g_auto (GStrv) args = NULL;
  g_autofree gchar *cmd = g_strdup_printf ("gst-launch-1.0 -q %s", launch);
  GError *error = NULL;
  g_assert_true (g_shell_parse_argv (cmd, NULL, &args, &error));
  GPid pid;
  /* The child must not rewrite the registry this process uses. */
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "GST_REGISTRY_UPDATE", "no", TRUE);
  g_assert_true (g_spawn_async (NULL, args, env, G_SPAWN_SEARCH_PATH |
          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_autoptr (FaStreamStore) store = fa_stream_store_new (streams, key, NULL);
  /* The child stores a fragment every ~67 ms: kill it while it writes. */
  guint before = wait_fragments (store, "cam", 8);
  kill (pid, SIGKILL);
  int status;
  waitpid (pid, &status, 0);
  fail_unless (before >= 8, "the recording child stored no fragments");
  fail_unless (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

  /* Readers are fine right away: every indexed fragment is whole. */
  g_autoptr (GPtrArray) rows = list_all (store, "cam");
  for (guint i = 0; i < rows->len; i++) {
    FaFragmentInfo *f = rows->pdata[i];
    g_autoptr (GBytes) media = fa_stream_store_read_fragment (store, "cam", f->number,
        &error);
    g_assert_no_error (error);
  }
  gint64 last = g_ascii_strtoll (((FaFragmentInfo *) rows->pdata[rows->len - 1])->number,
      NULL, 10);

  /* Restart recording on the same stream: repaired, numbering continues. */
  g_autofree gchar *launch2 = encoder_launch (20, 10, "", sink);
  g_autoptr (GPtrArray) msgs = record (launch2, NULL);
  fail_unless_equals_int (msgs->len, 2);
  gint64 first_new = g_ascii_strtoll (gst_structure_get_string (msgs->pdata[0],
          "fragment-number"), NULL, 10);
  fail_unless (first_new > last);
  g_autofree gchar *dir = g_build_filename (streams, "cam", "fragments", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;
  while ((name = g_dir_read_name (d)) != NULL)
    fail_if (g_str_has_prefix (name, ".tmp-"), "partial file %s left", name);
  assert_consistent (store, streams, "cam");
  fa_test_rm_rf (root);
}
GST_END_TEST;

/* Waits for a bus message matching @want; FALSE on timeout or error. */
static gboolean
wait_for (GstBus *bus, gboolean (*want) (GstMessage *), GstMessage **out)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline) {
    GstMessage *msg = gst_bus_timed_pop (bus, 100 * GST_MSECOND);
    if (msg == NULL)
      continue;
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (msg, &e, NULL);
      GST_ERROR ("pipeline error: %s", e->message);
      g_error_free (e);
      gst_message_unref (msg);
      return FALSE;
    }
    if (want (msg)) {
      if (out)
        *out = msg;
      else
        gst_message_unref (msg);
      return TRUE;
    }
    gst_message_unref (msg);
  }
  return FALSE;
}

static gboolean
is_fragment (GstMessage *m)
{
  return gst_message_has_name (m, "kvssink-fragment");
}

static gboolean
is_warning (GstMessage *m)
{
  return GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING;
}

GST_START_TEST (test_full_disk)
{
  /* A real full disk: a 2 MB tmpfs in a private mount namespace (this test
   * runs in its own forked process). Needs root; skipped otherwise. */
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-kvs");
  g_autofree gchar *mnt = g_build_filename (root, "mnt", NULL);
  g_mkdir (mnt, 0700);
  if (unshare (CLONE_NEWNS) != 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
      || mount ("tmpfs", mnt, "tmpfs", 0, "size=2m,mode=0700") != 0) {
    g_printerr ("SKIP full-disk: cannot mount a tmpfs here (%s); run as root\n",
        g_strerror (errno));
    fa_test_rm_rf (root);
    return;
  }
  g_autofree gchar *sink = g_strdup_printf ("kvssink name=sink stream-name=cam "
      "storage-dir=%s", mnt);
  g_autofree gchar *launch = encoder_launch (0, 5, "", sink);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  fail_unless (wait_for (bus, is_fragment, NULL), "nothing recorded");

  /* Fill the disk. */
  g_autofree gchar *filler = g_build_filename (mnt, "filler", NULL);
  int fd = g_open (filler, O_WRONLY | O_CREAT, 0600);
  static guint8 block[64 * 1024];
  while (write (fd, block, sizeof block) > 0);
  fail_unless_equals_int (errno, ENOSPC);
  close (fd);

  GstMessage *warning = NULL;
  fail_unless (wait_for (bus, is_warning, &warning), "no warning on a full disk");
  GError *e = NULL;
  gst_message_parse_warning (warning, &e, NULL);
  fail_unless (g_error_matches (e, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT),
      "%s", e->message);
  fail_unless (strstr (e->message, "cam") != NULL, "%s", e->message);
  g_error_free (e);
  gst_message_unref (warning);

  /* Space returns: recording resumes by itself. */
  g_unlink (filler);
  fail_unless (wait_for (bus, is_fragment, NULL), "recording did not resume");
  fail_unless (wait_for (bus, is_fragment, NULL));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);

  g_autoptr (FaStreamStore) store = fa_stream_store_new (mnt, NULL, NULL);
  assert_consistent (store, mnt, "cam");
  umount (mnt);
  fa_test_rm_rf (root);
}
GST_END_TEST;

static Suite *
kvssink_suite (void)
{
  Suite *s = suite_create ("kvssink");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_record_h264);
  tcase_add_test (tc, test_fragment_duration);
  tcase_add_test (tc, test_contiguous_without_durations);
  tcase_add_test (tc, test_caps_refused);
  tcase_add_test (tc, test_bad_key_file);
  tcase_add_test (tc, test_encryption);
  tcase_add_test (tc, test_quota);
  tcase_add_test (tc, test_sigkill_then_restart);
  tcase_add_test (tc, test_full_disk);
  return s;
}

GST_CHECK_MAIN (kvssink);
