/* kdssink in a GstHarness against a real Kinesis server (kinesalite, run by
 * the test on 127.0.0.1): what is sent and when (changes, heartbeats),
 * records read back, bad settings, an unreachable stream, state cycling,
 * and that no secret reaches any message. Faces are made here as facematch
 * makes them: ROI "face" with "facealert/identity", and the frame record
 * meta (fa-meta.h). */
#include "fa-kinesalite.h"
#include "fa-meta.h"
#include "fa-test.h"

#include <gst/check/gstharness.h>
#include <string.h>

#define FRAME (GST_SECOND / 10)
#define SECRET "SeCrEt/NeverInMessages"

static FaKinesalite *kinesalite;

typedef struct {
  guint64 track;
  gboolean decided, known;
  gboolean vetoed, waiting;     /* a pet's "face", or maybe one */
} Face;

/* The record facematch would make for this frame: its faces (not the pets'
 * nor the ones waiting for objectdetect's look), and the frame number, so
 * each record is recognisable. */
static gchar *
frame_record (guint frame, const Face *faces, guint n)
{
  GString *r = g_string_new (NULL);
  g_string_append_printf (r, "{\"InputInformation\":{\"KinesisVideo\":{\"StreamArn\":"
      "\"arn:facealert:kinesisvideo:local:000000000000:stream/front-door\","
      "\"FrameOffsetInSeconds\":%.1f}},\"StreamProcessorInformation\":{\"Status\":"
      "\"RUNNING\"},\"FaceSearchResponse\":[", frame / 10.0);
  gboolean first = TRUE;
  for (guint i = 0; i < n; i++) {
    if (faces[i].vetoed || faces[i].waiting)
      continue;
    g_string_append_printf (r, "%s{\"DetectedFace\":{\"BoundingBox\":{\"Width\":0.2,"
        "\"Height\":0.3,\"Left\":0.1,\"Top\":0.1},\"Confidence\":99.0},\"MatchedFaces\":"
        "[],\"TrackId\":%" G_GUINT64_FORMAT ",\"Decided\":%s}", first ? "" : ",",
        faces[i].track, faces[i].decided ? "true" : "false");
    first = FALSE;
  }
  g_string_append (r, "]}");
  return g_string_free (r, FALSE);
}

static void
push_frame (GstHarness *h, guint frame, const Face *faces, guint n, gboolean with_record)
{
  GstBuffer *buffer = gst_harness_create_buffer (h, 16);
  GST_BUFFER_PTS (buffer) = frame * FRAME;
  GST_BUFFER_DURATION (buffer) = FRAME;
  for (guint i = 0; i < n; i++) {
    FaFace face = { .box = { 10, 10, 40, 48 }, .score = 0.93f };
    GstVideoRegionOfInterestMeta *roi = fa_meta_add_face (buffer, &face, "yunet");
    gst_video_region_of_interest_meta_add_param (roi,
        gst_structure_new (FA_META_IDENTITY,
            "track-id", G_TYPE_UINT64, faces[i].track,
            "known", G_TYPE_BOOLEAN, faces[i].known,
            "name", G_TYPE_STRING, faces[i].known ? "Bob" : "",
            "face-id", G_TYPE_STRING, "",
            "similarity", G_TYPE_DOUBLE, 20.0,
            "decided", G_TYPE_BOOLEAN, faces[i].decided,
            "vetoed", G_TYPE_BOOLEAN, faces[i].vetoed,
            "waiting", G_TYPE_BOOLEAN, faces[i].waiting,
            "record", G_TYPE_STRING, "{}", NULL));
  }
  if (with_record && n > 0) {
    g_autofree gchar *record = frame_record (frame, faces, n);
    fa_meta_set_frame_record (buffer, record);
  }
  g_assert_cmpint (gst_harness_push (h, buffer), ==, GST_FLOW_OK);
}

typedef struct {
  gchar *dir;
  gchar *outbox;
  GstBus *bus;
  GstHarness *h;
} Ctx;

static GstElement *
make_sink (Ctx *ctx, const gchar *stream)
{
  GstElement *sink = gst_element_factory_make ("kdssink", NULL);
  g_assert_nonnull (sink);
  g_object_set (sink, "endpoint", kinesalite->endpoint, "stream-name", stream,
      "region", "us-east-1", "access-key", "AKIDFACEALERTTEST",
      "secret-key", SECRET, "session-token", "ToKeN/" SECRET,
      "camera", "front-door", "outbox-location", ctx->outbox,
      "retry-initial", (guint64) (20 * GST_MSECOND),
      "retry-max", (guint64) (200 * GST_MSECOND),
      "drain-timeout", (guint64) (10 * GST_SECOND), NULL);
  return sink;
}

static void
ctx_init (Ctx *ctx)
{
  ctx->dir = fa_test_make_tmpdir ("fa-kdssink");
  ctx->outbox = g_build_filename (ctx->dir, "state", "kds.sqlite", NULL);
  ctx->bus = gst_bus_new ();
}

static void
ctx_start (Ctx *ctx, GstElement *sink)
{
  gst_element_set_bus (sink, ctx->bus);
  ctx->h = gst_harness_new_with_element (sink, "sink", NULL);
  gst_harness_set_src_caps_str (ctx->h, "video/x-raw,format=I420,width=160,"
      "height=120,framerate=10/1");
  gst_harness_play (ctx->h);
}

static void
ctx_clear (Ctx *ctx)
{
  if (ctx->h != NULL)
    gst_harness_teardown (ctx->h);
  gst_object_unref (ctx->bus);
  fa_test_rm_rf (ctx->dir);
  g_free (ctx->dir);
  g_free (ctx->outbox);
}

/* Every message on @bus so far; fails when one carries a secret. */
static GPtrArray *
drain_bus (GstBus *bus)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_message_unref);
  GstMessage *msg;
  while ((msg = gst_bus_pop (bus)) != NULL) {
    const GstStructure *s = gst_message_get_structure (msg);
    g_autofree gchar *text = s != NULL ? gst_structure_to_string (s) : NULL;
    g_assert_null (text != NULL ? strstr (text, "SeCrEt") : NULL);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING
        || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *error = NULL;
      gchar *debug = NULL;
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
        gst_message_parse_warning (msg, &error, &debug);
      else
        gst_message_parse_error (msg, &error, &debug);
      g_assert_null (strstr (error->message, "SeCrEt"));
      g_assert_null (debug != NULL ? strstr (debug, "SeCrEt") : NULL);
      g_error_free (error);
      g_free (debug);
    }
    g_ptr_array_add (messages, msg);
  }
  return messages;
}

/* The "facealert/kds-record" messages with @status among @messages. */
static guint
count_records (GPtrArray *messages, const gchar *status)
{
  guint n = 0;
  for (guint i = 0; i < messages->len; i++) {
    const GstStructure *s = gst_message_get_structure (g_ptr_array_index (messages, i));
    if (s != NULL && gst_structure_has_name (s, "facealert/kds-record")
        && g_strcmp0 (gst_structure_get_string (s, "status"), status) == 0)
      n++;
  }
  return n;
}

/* The Data of every record of @stream, as text. */
static GPtrArray *
read_data (const gchar *stream, const gchar *expected_key)
{
  g_autoptr (JsonArray) all = fa_kinesalite_read_all (kinesalite, stream);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (all); i++) {
    JsonObject *r = json_array_get_object_element (all, i);
    g_assert_cmpstr (json_object_get_string_member (r, "PartitionKey"), ==, expected_key);
    gsize n = 0;
    guchar *data = g_base64_decode (json_object_get_string_member (r, "Data"), &n);
    g_ptr_array_add (texts, g_strndup ((gchar *) data, n));
    g_free (data);
  }
  return texts;
}

/* One face, undecided for 10 frames, then decided unknown; 3.5 s in view at
 * 10 fps with interval 1 s; a second face for a while; then a frame without
 * faces, which is never sent. */
static void
test_what_is_sent (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  fa_kinesalite_create_stream (kinesalite, "faces-what", 1);
  ctx_start (&ctx, make_sink (&ctx, "faces-what"));
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  Face faces[2] = { { 5, FALSE, FALSE }, { 6, TRUE, TRUE } };
  for (guint f = 0; f < 35; f++) {
    faces[0].decided = f >= 10;
    guint n = f >= 20 && f < 25 ? 2 : 1;
    push_frame (ctx.h, f, faces, n, TRUE);
    /* Sent: frame 0 (new), 10 (decided), 20 (a face came), 25 (it went),
     * and heartbeats 1 s after the last record sent: 35 would be next. */
    if (f == 0 || f == 10 || f == 20 || f == 25)
      g_ptr_array_add (expected, frame_record (f, faces, n));
  }
  push_frame (ctx.h, 35, NULL, 0, TRUE);
  push_frame (ctx.h, 36, faces, 1, TRUE);     /* 1.1 s after 25: heartbeat */
  g_ptr_array_add (expected, frame_record (36, faces, 1));
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));  /* drains */

  g_autoptr (GPtrArray) sent = read_data ("faces-what", "front-door");
  g_assert_cmpuint (sent->len, ==, expected->len);
  for (guint i = 0; i < sent->len; i++)
    g_assert_cmpstr (g_ptr_array_index (sent, i), ==, g_ptr_array_index (expected, i));
  g_autoptr (GPtrArray) messages = drain_bus (ctx.bus);
  g_assert_cmpuint (count_records (messages, "queued"), ==, expected->len);
  g_assert_cmpuint (count_records (messages, "delivered"), ==, expected->len);
  ctx_clear (&ctx);
}

/* The cat's "face": waiting for objectdetect's look, then vetoed in its cat
 * box. It is no face: nothing is sent for it, until a person comes beside it,
 * whose face alone the record carries. */
static void
test_pet_faces (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  fa_kinesalite_create_stream (kinesalite, "faces-pet", 1);
  ctx_start (&ctx, make_sink (&ctx, "faces-pet"));
  Face faces[2] = { { .track = 7, .waiting = TRUE }, { .track = 8 } };
  for (guint f = 0; f < 15; f++) {
    faces[0].waiting = f < 5;
    faces[0].vetoed = f >= 5;
    push_frame (ctx.h, f, faces, 1, TRUE);
  }
  push_frame (ctx.h, 15, faces, 2, TRUE);
  g_autofree gchar *expected = frame_record (15, faces, 2);
  g_assert_nonnull (strstr (expected, "\"TrackId\":8"));
  g_assert_null (strstr (expected, "\"TrackId\":7"));
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));

  g_autoptr (GPtrArray) sent = read_data ("faces-pet", "front-door");
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, expected);
  g_autoptr (GPtrArray) messages = drain_bus (ctx.bus);
  g_assert_cmpuint (count_records (messages, "queued"), ==, 1);
  ctx_clear (&ctx);
}

/* Faces without facematch's record (kdssink not after facematch): one
 * warning, nothing sent, the stream keeps flowing. */
static void
test_without_record (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  fa_kinesalite_create_stream (kinesalite, "faces-norecord", 1);
  ctx_start (&ctx, make_sink (&ctx, "faces-norecord"));
  Face face = { 1, TRUE, FALSE };
  for (guint f = 0; f < 5; f++)
    push_frame (ctx.h, f, &face, 1, FALSE);
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));
  g_autoptr (GPtrArray) messages = drain_bus (ctx.bus);
  guint warnings = 0;
  for (guint i = 0; i < messages->len; i++) {
    GstMessage *msg = g_ptr_array_index (messages, i);
    if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_WARNING)
      continue;
    GError *error = NULL;
    gst_message_parse_warning (msg, &error, NULL);
    g_assert_nonnull (strstr (error->message, "put kdssink after facematch"));
    g_error_free (error);
    warnings++;
  }
  g_assert_cmpuint (warnings, ==, 1);
  g_assert_cmpuint (count_records (messages, "queued"), ==, 0);
  g_autoptr (GPtrArray) sent = read_data ("faces-norecord", "front-door");
  g_assert_cmpuint (sent->len, ==, 0);
  ctx_clear (&ctx);
}

/* Sets @sink to PAUSED, expecting an error; returns its message. */
static gchar *
start_error (GstElement *sink, GstBus *bus)
{
  gst_element_set_bus (sink, bus);
  g_assert_cmpint (gst_element_set_state (sink, GST_STATE_PAUSED), ==,
      GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_error (msg, &error, &debug);
  gchar *text = g_strdup (error->message);
  g_assert_null (strstr (text, "SeCrEt"));
  g_assert_null (debug != NULL ? strstr (debug, "SeCrEt") : NULL);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  gst_bus_set_flushing (bus, TRUE);
  gst_bus_set_flushing (bus, FALSE);
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  return text;
}

static void
test_bad_settings (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  g_autofree gchar *e1 = start_error (make_sink (&ctx, NULL), ctx.bus);
  g_assert_nonnull (strstr (e1, "Set stream-name"));

  g_autofree gchar *e2 = start_error (make_sink (&ctx, "two words"), ctx.bus);
  g_assert_nonnull (strstr (e2, "bad Kinesis stream name \"two words\""));

  GstElement *sink = make_sink (&ctx, "faces");
  g_object_set (sink, "endpoint", "htp:/nowhere", NULL);
  g_autofree gchar *e3 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e3, "bad Kinesis endpoint \"htp:/nowhere\""));

  g_autofree gchar *long_key = g_strnfill (257, 'k');
  sink = make_sink (&ctx, "faces");
  g_object_set (sink, "partition-key", long_key, NULL);
  g_autofree gchar *e4 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e4, "257 characters"));

  /* No credentials anywhere. */
  g_autofree gchar *none = g_build_filename (ctx.dir, "no-credentials", NULL);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", none, TRUE);
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  sink = make_sink (&ctx, "faces");
  g_object_set (sink, "access-key", NULL, "secret-key", NULL, NULL);
  g_autofree gchar *e5 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e5, "no AWS credentials"));
  g_assert_nonnull (strstr (e5, "AWS_ACCESS_KEY_ID"));
  /* Half a key pair. */
  sink = make_sink (&ctx, "faces");
  g_object_set (sink, "secret-key", NULL, NULL);
  g_autofree gchar *e6 = start_error (sink, ctx.bus);
  g_assert_nonnull (strstr (e6, "incomplete AWS credentials"));

  /* The outbox belongs to one element at a time. */
  GstElement *first = make_sink (&ctx, "faces");
  gst_element_set_bus (first, ctx.bus);
  g_assert_cmpint (gst_element_set_state (first, GST_STATE_PAUSED), !=,
      GST_STATE_CHANGE_FAILURE);
  g_autofree gchar *e7 = start_error (make_sink (&ctx, "faces"), ctx.bus);
  g_assert_nonnull (strstr (e7, "in use by another pipeline"));
  gst_element_set_state (first, GST_STATE_NULL);
  gst_object_unref (first);

  /* Secrets are write-only. */
  sink = make_sink (&ctx, "faces");
  GParamSpec *spec = g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "secret-key");
  g_assert_false (spec->flags & G_PARAM_READABLE);
  spec = g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "session-token");
  g_assert_false (spec->flags & G_PARAM_READABLE);
  gst_object_unref (sink);
  ctx_clear (&ctx);
}

/* Kinesis unreachable: PLAYING anyway, one warning naming the problem, the
 * records kept; EOS gives up after drain-timeout with a warning; the next
 * start, with Kinesis back, sends them. */
static void
test_unreachable_then_back (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  fa_kinesalite_create_stream (kinesalite, "faces-later", 1);
  GstElement *sink = make_sink (&ctx, "faces-later");
  g_object_set (sink, "endpoint", "http://127.0.0.1:9/",
      "drain-timeout", (guint64) (300 * GST_MSECOND), NULL);
  ctx_start (&ctx, sink);
  Face face = { 3, TRUE, FALSE };
  for (guint f = 0; f < 30; f += 10)
    push_frame (ctx.h, f, &face, 1, TRUE);    /* 3 heartbeats */
  GstMessage *msg = gst_bus_timed_pop_filtered (ctx.bus, 10 * GST_SECOND,
      GST_MESSAGE_WARNING);
  g_assert_nonnull (msg);
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_warning (msg, &error, &debug);
  g_assert_nonnull (strstr (error->message, "kept and retried"));
  g_assert_nonnull (strstr (debug, "cannot connect"));
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));
  g_autoptr (GPtrArray) messages = drain_bus (ctx.bus);
  gboolean told = FALSE;
  for (guint i = 0; i < messages->len; i++) {
    GstMessage *m = g_ptr_array_index (messages, i);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
      gst_message_parse_warning (m, &error, NULL);
      told |= strstr (error->message, "3 record(s) not sent to Kinesis yet") != NULL;
      g_error_free (error);
    }
  }
  g_assert_true (told);
  gst_harness_teardown (ctx.h);
  ctx.h = NULL;
  g_autoptr (GPtrArray) none = read_data ("faces-later", "front-door");
  g_assert_cmpuint (none->len, ==, 0);

  /* Back: the next start sends the three, in order. */
  ctx_start (&ctx, make_sink (&ctx, "faces-later"));
  g_assert_true (gst_harness_push_event (ctx.h, gst_event_new_eos ()));
  g_autoptr (GPtrArray) sent = read_data ("faces-later", "front-door");
  g_assert_cmpuint (sent->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    g_autofree gchar *want = frame_record (i * 10, &face, 1);
    g_assert_cmpstr (g_ptr_array_index (sent, i), ==, want);
  }
  ctx_clear (&ctx);
}

static void
test_state_cycling (void)
{
  Ctx ctx = { 0 };
  ctx_init (&ctx);
  GstElement *sink = make_sink (&ctx, "faces");
  gst_element_set_bus (sink, ctx.bus);
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpint (gst_element_set_state (sink, GST_STATE_PLAYING), !=,
        GST_STATE_CHANGE_FAILURE);
    g_assert_cmpint (gst_element_set_state (sink, GST_STATE_READY), ==,
        GST_STATE_CHANGE_SUCCESS);
  }
  g_assert_cmpint (gst_element_set_state (sink, GST_STATE_NULL), ==,
      GST_STATE_CHANGE_SUCCESS);
  g_autoptr (GPtrArray) messages = drain_bus (ctx.bus);
  for (guint i = 0; i < messages->len; i++)
    g_assert_cmpint (GST_MESSAGE_TYPE (g_ptr_array_index (messages, i)), !=,
        GST_MESSAGE_ERROR);
  gst_object_unref (sink);
  ctx_clear (&ctx);
}

int
main (int argc, char **argv)
{
  gst_init (NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  kinesalite = fa_kinesalite_start (NULL, 0);
  g_test_add_func ("/kdssink/what-is-sent", test_what_is_sent);
  g_test_add_func ("/kdssink/pet-faces", test_pet_faces);
  g_test_add_func ("/kdssink/without-record", test_without_record);
  g_test_add_func ("/kdssink/bad-settings", test_bad_settings);
  g_test_add_func ("/kdssink/unreachable-then-back", test_unreachable_then_back);
  g_test_add_func ("/kdssink/state-cycling", test_state_cycling);
  int ret = g_test_run ();
  fa_kinesalite_free (kinesalite);
  return ret;
}
