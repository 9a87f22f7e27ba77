/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-kdssink
 * @title: kdssink
 *
 * Sends facematch's Rekognition stream-processor records to an Amazon Kinesis
 * Data Stream (PutRecords, JSON 1.1, SigV4-signed), or to any
 * Kinesis-compatible endpoint: the "faces -> Kinesis Data Stream -> Lambda"
 * seam of the AWS design. Put it after facematch; `facealert consume` (or an
 * AWS Lambda function) reads the stream.
 *
 * Each record's Data is the frame's record exactly as facematch posts it in
 * its `facematch` message (it rides on the buffer as the FaFrameRecordMeta
 * custom meta), and its PartitionKey is #FaKdsSink:partition-key (default:
 * the camera name), so a camera's records stay in order on one shard. A frame
 * is sent when its faces or their decisions changed (a face came or went, was
 * decided, changed name), else at most every #FaKdsSink:interval ms while
 * faces stay in view. Frames without faces are not sent.
 *
 * Records are committed to a durable SQLite outbox before render() returns; a
 * worker thread sends them (render() never waits on the network) in batches
 * of up to 500 records / 5 MiB, retries the records Kinesis refused
 * (ProvisionedThroughputExceeded, InternalFailure) alone, with exponential
 * backoff, and keeps each partition key's order (at most one record per key
 * in flight: PutRecords does not keep order across partial failures).
 * Records pending while the stream is unreachable, or when the process is
 * killed, are sent at the next start. A stream that does not exist or
 * refused credentials keep the records pending (a warning says why). At EOS
 * the element waits up to #FaKdsSink:drain-timeout for the outbox.
 *
 * ## Element messages
 * "facealert/kds-record", one per record state change (with
 * #FaKdsSink:post-messages):
 *   seq (gint64: the record's number in the outbox), status ("queued",
 *   "delivered", "retrying", "failed"), partition-key (string), and for
 *   "queued": reason ("changed" or "heartbeat"), timestamp (guint64, the
 *   buffer's PTS), n-faces (guint); for "delivered": sequence-number,
 *   shard-id (string), attempts (guint), queued-time / delivered-time (gint64,
 *   real time in µs); for "retrying": error (string), attempts, retry-in
 *   (guint64 ns); for "failed": error, attempts.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 rtspsrc location=rtsp://cam1/ ! rtph264depay ! h264parse ! avdec_h264 ! \
 *   videoconvert ! facedetect ! facematch collection=home ! \
 *   kdssink stream-name=face-records camera=front-door region=eu-west-3
 * ]|
 * Credentials: access-key/secret-key/session-token, else AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, else ~/.aws/credentials
 * (profile, else AWS_PROFILE, else default). They are never logged.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkdssink.h"
#include "fa-elements.h"
#include "fa-meta.h"
#include "fa-aws-element.h"

#include "fa-error.h"
#include "fa-kds-gate.h"
#include "fa-kds-outbox.h"
#include "fa-kinesis.h"
#include "fa-paths.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (fa_kds_sink_debug);
#define GST_CAT_DEFAULT fa_kds_sink_debug

#define DEFAULT_PROP_INTERVAL 1000
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_DRAIN_TIMEOUT (5 * GST_SECOND)
#define DEFAULT_PROP_RETRY_INITIAL (200 * GST_MSECOND)
#define DEFAULT_PROP_RETRY_MAX (30 * GST_SECOND)

enum
{
  PROP_0,
  PROP_STREAM_NAME,
  PROP_PARTITION_KEY,
  PROP_CAMERA,
  PROP_AWS_FIRST,               /* endpoint ... request-timeout */
  PROP_AWS_LAST = PROP_AWS_FIRST + FA_AWS_N_PROPS - 1,
  PROP_INTERVAL,
  PROP_OUTBOX_LOCATION,
  PROP_POST_MESSAGES,
  PROP_DRAIN_TIMEOUT,
  PROP_RETRY_INITIAL,
  PROP_RETRY_MAX,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS_ANY);

struct _FaKdsSink
{
  GstBaseSink parent;

  /* properties (object lock) */
  gchar *stream_name;
  gchar *partition_key;
  gchar *camera;
  FaAwsSettings aws;
  guint interval;
  gchar *outbox_location;
  gboolean post_messages;
  guint64 drain_timeout;
  guint64 retry_initial;
  guint64 retry_max;

  /* state between start and stop */
  gchar *stream;          /* what start() read from the properties */
  gchar *key;
  gboolean post;
  FaKdsGate *gate;
  FaKdsOutbox *outbox;
  gboolean warned_no_record;
  gint failing;           /* worker: a retry streak is under way */
};

#define fa_kds_sink_parent_class parent_class
G_DEFINE_TYPE (FaKdsSink, fa_kds_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (kdssink, "kdssink", GST_RANK_NONE, FA_TYPE_KDS_SINK);

/* Letters, digits, '-', '_', '.' of @name (a file name). */
static gchar *
file_name_of (const gchar * name)
{
  GString *out = g_string_new (NULL);
  for (const gchar * p = name; *p != '\0' && out->len < 128; p++)
    g_string_append_c (out, g_ascii_isalnum (*p) || *p == '-' || *p == '_'
        || *p == '.' ? *p : '-');
  if (out->len == 0 || out->str[0] == '.')
    g_string_prepend (out, "camera");
  return g_string_free (out, FALSE);
}

/* Outbox worker thread (QUEUED comes from render(), posted there). */
static void
on_outbox_event (const FaKdsOutboxEvent * event, gpointer user_data)
{
  FaKdsSink *self = user_data;
  GstStructure *s = NULL;

  switch (event->state) {
    case FA_KDS_RECORD_QUEUED:
      return;
    case FA_KDS_RECORD_DELIVERED:
      GST_LOG_OBJECT (self, "record %" G_GINT64_FORMAT " is %s on %s",
          event->seq, event->sequence_number, event->shard_id);
      if (g_atomic_int_compare_and_exchange (&self->failing, 1, 0))
        GST_ELEMENT_INFO (self, RESOURCE, WRITE, ("Kinesis reachable again"),
            ("record %" G_GINT64_FORMAT " delivered after %u attempts",
                event->seq, event->attempts));
      if (self->post)
        s = gst_structure_new ("facealert/kds-record",
            "seq", G_TYPE_INT64, event->seq, "status", G_TYPE_STRING, "delivered",
            "partition-key", G_TYPE_STRING, event->partition_key,
            "sequence-number", G_TYPE_STRING, event->sequence_number,
            "shard-id", G_TYPE_STRING, event->shard_id,
            "attempts", G_TYPE_UINT, event->attempts,
            "queued-time", G_TYPE_INT64, event->queued_us,
            "delivered-time", G_TYPE_INT64, event->delivered_us, NULL);
      break;
    case FA_KDS_RECORD_RETRYING:
      GST_DEBUG_OBJECT (self, "record %" G_GINT64_FORMAT ": %s", event->seq,
          event->error->message);
      if (g_atomic_int_compare_and_exchange (&self->failing, 0, 1)) {
        if (fa_kinesis_error_is_retryable (event->error))
          GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
              ("Cannot send records to Kinesis yet; they are kept and retried."),
              ("%s", event->error->message));
        else
          GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
              ("Kinesis refused the records; they are kept and retried slowly "
                  "until this is fixed: %s", event->error->message), (NULL));
      }
      if (self->post)
        s = gst_structure_new ("facealert/kds-record",
            "seq", G_TYPE_INT64, event->seq, "status", G_TYPE_STRING, "retrying",
            "partition-key", G_TYPE_STRING, event->partition_key,
            "error", G_TYPE_STRING, event->error->message,
            "attempts", G_TYPE_UINT, event->attempts,
            "retry-in", G_TYPE_UINT64, (guint64) event->retry_in_us * 1000, NULL);
      break;
    case FA_KDS_RECORD_FAILED:
    default:
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("Kinesis refused record %" G_GINT64_FORMAT " for good: %s",
              event->seq, event->error->message), (NULL));
      if (self->post)
        s = gst_structure_new ("facealert/kds-record",
            "seq", G_TYPE_INT64, event->seq, "status", G_TYPE_STRING, "failed",
            "partition-key", G_TYPE_STRING, event->partition_key,
            "error", G_TYPE_STRING, event->error->message,
            "attempts", G_TYPE_UINT, event->attempts, NULL);
      break;
  }
  if (s != NULL)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), s));
}

static gboolean
fa_kds_sink_start (GstBaseSink * sink)
{
  FaKdsSink *self = FA_KDS_SINK (sink);
  GError *error = NULL;
  FaAwsCredentials *credentials = NULL;
  FaKinesisClient *client = NULL;
  gboolean ok = FALSE;

  GST_OBJECT_LOCK (self);
  gchar *camera = self->camera != NULL && *self->camera != '\0'
      ? g_strdup (self->camera) : g_strdup (GST_OBJECT_NAME (self));
  self->stream = g_strdup (self->stream_name);
  self->key = self->partition_key != NULL && *self->partition_key != '\0'
      ? g_strdup (self->partition_key) : g_strdup (camera);
  self->post = self->post_messages;
  FaAwsSettings aws = { 0 };
  fa_aws_settings_copy (&aws, &self->aws);
  gchar *outbox_path;
  if (self->outbox_location != NULL && *self->outbox_location != '\0') {
    outbox_path = g_strdup (self->outbox_location);
  } else {
    gchar *dir = fa_paths_dir (FA_DIR_OUTBOX);
    gchar *base = file_name_of (camera);
    gchar *file = g_strconcat (base, ".sqlite", NULL);
    /* Its own folder: `facealert alerts` reads the *.sqlite files of the
     * outbox folder as alertsink outboxes. */
    outbox_path = g_build_filename (dir, "kinesis", file, NULL);
    g_free (dir);
    g_free (base);
    g_free (file);
  }
  self->gate = fa_kds_gate_new ((gint64) self->interval * GST_MSECOND);
  guint64 retry_initial = self->retry_initial, retry_max = self->retry_max;
  GST_OBJECT_UNLOCK (self);

  if (self->stream == NULL || *self->stream == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Set stream-name to the Kinesis data stream to send records to."),
        (NULL));
    goto done;
  }
  if (!fa_kinesis_validate_stream_name (self->stream, &error)
      || !fa_kinesis_validate_partition_key (self->key, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    goto done;
  }
  credentials = fa_aws_settings_resolve (&aws, GST_ELEMENT (self),
      GST_CAT_DEFAULT);
  if (credentials == NULL)
    goto done;
  client = fa_kinesis_client_new (aws.endpoint, aws.region, credentials,
      &error);
  if (client == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    goto done;
  }
  fa_kinesis_client_set_timeout (client, aws.request_timeout / GST_MSECOND);
  self->outbox = fa_kds_outbox_open (outbox_path, &error);
  if (self->outbox == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE, ("%s", error->message),
        (NULL));
    goto done;
  }
  GST_INFO_OBJECT (self, "stream %s, partition key %s, outbox %s (%u pending), "
      "endpoint %s", self->stream, self->key, outbox_path,
      fa_kds_outbox_count_pending (self->outbox),
      fa_kinesis_client_get_endpoint (client));
  fa_kds_outbox_set_backoff (self->outbox, retry_initial / GST_USECOND,
      retry_max / GST_USECOND);
  fa_kds_outbox_set_notify (self->outbox, on_outbox_event, self);
  self->failing = 0;
  self->warned_no_record = FALSE;
  /* The node's cameras that send to this endpoint share one sender: their
   * records go out together. */
  FaKdsSender *sender = fa_kds_sender_get (g_steal_pointer (&client));
  fa_kds_outbox_attach (self->outbox, sender);
  fa_kds_sender_unref (sender);
  ok = TRUE;

done:
  if (!ok) {
    g_clear_pointer (&self->gate, fa_kds_gate_free);
    g_clear_pointer (&self->stream, g_free);
    g_clear_pointer (&self->key, g_free);
  }
  g_clear_error (&error);
  fa_kinesis_client_free (client);
  fa_aws_credentials_free (credentials);
  g_free (camera);
  fa_aws_settings_clear (&aws);
  g_free (outbox_path);
  return ok;
}

static gboolean
fa_kds_sink_stop (GstBaseSink * sink)
{
  FaKdsSink *self = FA_KDS_SINK (sink);

  /* Pending records stay in the outbox for the next start. */
  g_clear_pointer (&self->outbox, fa_kds_outbox_close);
  g_clear_pointer (&self->gate, fa_kds_gate_free);
  g_clear_pointer (&self->stream, g_free);
  g_clear_pointer (&self->key, g_free);
  return TRUE;
}

static gboolean
fa_kds_sink_unlock (GstBaseSink * sink)
{
  FaKdsSink *self = FA_KDS_SINK (sink);
  if (self->outbox != NULL)
    fa_kds_outbox_set_flushing (self->outbox, TRUE);
  return TRUE;
}

static gboolean
fa_kds_sink_unlock_stop (GstBaseSink * sink)
{
  FaKdsSink *self = FA_KDS_SINK (sink);
  if (self->outbox != NULL)
    fa_kds_outbox_set_flushing (self->outbox, FALSE);
  return TRUE;
}

static gboolean
fa_kds_sink_event (GstBaseSink * sink, GstEvent * event)
{
  FaKdsSink *self = FA_KDS_SINK (sink);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->outbox != NULL) {
    GST_OBJECT_LOCK (self);
    guint64 timeout = self->drain_timeout;
    GST_OBJECT_UNLOCK (self);
    if (!fa_kds_outbox_wait_idle (self->outbox, timeout / GST_USECOND)) {
      guint pending = fa_kds_outbox_count_pending (self->outbox);
      if (pending > 0)
        GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
            ("%u record(s) not sent to Kinesis yet at end of stream; they stay "
                "in the outbox and are sent at the next start.", pending),
            ("drain-timeout %" GST_TIME_FORMAT, GST_TIME_ARGS (timeout)));
    }
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->gate != NULL) {
    fa_kds_gate_reset (self->gate);
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

/* The faces facematch identified on @buffer (names borrowed from it); faces
 * facematch vetoed (in a pet's box) or that wait for objectdetect's look
 * (maybe a pet's) are not faces. */
static GArray *
identified_faces (GstBuffer * buffer)
{
  GArray *faces = g_array_new (FALSE, FALSE, sizeof (FaKdsFace));
  GQuark face_quark = g_quark_from_static_string (FA_ROI_TYPE_FACE);
  gpointer state = NULL;
  GstVideoRegionOfInterestMeta *roi;
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    if (roi->roi_type != face_quark)
      continue;
    const GstStructure *identity =
        gst_video_region_of_interest_meta_get_param (roi, FA_META_IDENTITY);
    if (identity == NULL || !fa_meta_identity_is_face (identity))
      continue;                 /* not through facematch, or a pet's "face" (maybe) */
    FaKdsFace face = { 0 };
    gst_structure_get_uint64 (identity, "track-id", &face.track_id);
    gst_structure_get_boolean (identity, "decided", &face.decided);
    gst_structure_get_boolean (identity, "known", &face.known);
    face.name = gst_structure_get_string (identity, "name");
    g_array_append_val (faces, face);
  }
  return faces;
}

static GstFlowReturn
fa_kds_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  FaKdsSink *self = FA_KDS_SINK (sink);
  g_autoptr (GArray) faces = identified_faces (buffer);
  if (faces->len == 0)
    return GST_FLOW_OK;

  const gchar *record = fa_meta_get_frame_record (buffer);
  if (record == NULL) {
    if (!self->warned_no_record)
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("Frames with faces carry no facematch record: put kdssink after "
              "facematch."), (NULL));
    self->warned_no_record = TRUE;
    return GST_FLOW_OK;
  }

  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gint64 now = GST_CLOCK_TIME_IS_VALID (pts)
      ? (gint64) gst_segment_to_running_time (&sink->segment, GST_FORMAT_TIME, pts)
      : g_get_monotonic_time () * 1000;
  FaKdsGateVerdict verdict = fa_kds_gate_check (self->gate, now,
      (FaKdsFace *) faces->data, faces->len);
  if (verdict == FA_KDS_GATE_SKIP)
    return GST_FLOW_OK;

  GError *error = NULL;
  gint64 seq = 0;
  if (!fa_kds_outbox_add (self->outbox, self->stream, self->key, record,
          strlen (record), &seq, &error)) {
    fa_kds_gate_forget (self->gate);
    if (g_error_matches (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT)) {
      /* Over the API's limits (a record over 1 MiB): it can never be sent. */
      GST_ELEMENT_WARNING (self, STREAM, ENCODE,
          ("A frame's record cannot be sent: %s", error->message), (NULL));
      g_clear_error (&error);
      return GST_FLOW_OK;
    }
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("%s", error->message), (NULL));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  GST_LOG_OBJECT (self, "record %" G_GINT64_FORMAT " queued (%s, %u faces)", seq,
      verdict == FA_KDS_GATE_CHANGED ? "changed" : "heartbeat", faces->len);
  if (self->post)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("facealert/kds-record",
                "seq", G_TYPE_INT64, seq, "status", G_TYPE_STRING, "queued",
                "partition-key", G_TYPE_STRING, self->key,
                "reason", G_TYPE_STRING, verdict == FA_KDS_GATE_CHANGED
                ? "changed" : "heartbeat", "timestamp", G_TYPE_UINT64, pts,
                "n-faces", G_TYPE_UINT, faces->len, NULL)));
  return GST_FLOW_OK;
}

static void
fa_kds_sink_finalize (GObject * object)
{
  FaKdsSink *self = FA_KDS_SINK (object);
  g_free (self->stream_name);
  g_free (self->partition_key);
  g_free (self->camera);
  fa_aws_settings_clear (&self->aws);
  g_free (self->outbox_location);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void fa_kds_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_kds_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static void
fa_kds_sink_class_init (FaKdsSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_class = GST_BASE_SINK_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ready = rw | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = fa_kds_sink_set_property;
  gobject_class->get_property = fa_kds_sink_get_property;
  gobject_class->finalize = fa_kds_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_STREAM_NAME,
      g_param_spec_string ("stream-name", "Stream name",
          "Kinesis data stream to put records into (required)", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_PARTITION_KEY,
      g_param_spec_string ("partition-key", "Partition key",
          "PartitionKey of every record, 1-256 characters (NULL: the camera "
          "name): one key keeps a camera's records in order", NULL, ready));
  g_object_class_install_property (gobject_class, PROP_CAMERA,
      g_param_spec_string ("camera", "Camera",
          "Camera name: the default partition key and outbox file name "
          "(NULL: the element's name)", NULL, ready));
  fa_aws_settings_install (gobject_class, PROP_AWS_FIRST,
      "Kinesis endpoint URL (NULL: https://kinesis.REGION.amazonaws.com/)",
      "Timeout (ns) of one PutRecords request");
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Milliseconds between two records while the faces in view stay the "
          "same (changes are sent at once; 0: every frame with faces)", 0,
          G_MAXUINT, DEFAULT_PROP_INTERVAL, ready));
  g_object_class_install_property (gobject_class, PROP_OUTBOX_LOCATION,
      g_param_spec_string ("outbox-location", "Outbox location",
          "SQLite record outbox (NULL: $FACEALERT_OUTBOX_DIR or "
          "~/.local/state/facealert/outbox, then /kinesis/CAMERA.sqlite)", NULL,
          ready));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a facealert/kds-record element message per record state change",
          DEFAULT_PROP_POST_MESSAGES, ready));
  g_object_class_install_property (gobject_class, PROP_DRAIN_TIMEOUT,
      g_param_spec_uint64 ("drain-timeout", "Drain timeout",
          "How long (ns) EOS waits for pending records to be sent", 0,
          G_MAXUINT64, DEFAULT_PROP_DRAIN_TIMEOUT, rw));
  g_object_class_install_property (gobject_class, PROP_RETRY_INITIAL,
      g_param_spec_uint64 ("retry-initial", "Initial retry delay",
          "First retry delay (ns); doubles on each failure", GST_MSECOND,
          G_MAXUINT64, DEFAULT_PROP_RETRY_INITIAL, ready));
  g_object_class_install_property (gobject_class, PROP_RETRY_MAX,
      g_param_spec_uint64 ("retry-max", "Maximum retry delay",
          "Longest delay (ns) between retries", GST_MSECOND, G_MAXUINT64,
          DEFAULT_PROP_RETRY_MAX, ready));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Kinesis Data Streams sink", "Sink/Network",
      "Sends facematch's Rekognition stream-processor records to a Kinesis "
      "data stream, through a durable outbox", "facealert developers");

  base_class->start = GST_DEBUG_FUNCPTR (fa_kds_sink_start);
  base_class->stop = GST_DEBUG_FUNCPTR (fa_kds_sink_stop);
  base_class->unlock = GST_DEBUG_FUNCPTR (fa_kds_sink_unlock);
  base_class->unlock_stop = GST_DEBUG_FUNCPTR (fa_kds_sink_unlock_stop);
  base_class->event = GST_DEBUG_FUNCPTR (fa_kds_sink_event);
  base_class->render = GST_DEBUG_FUNCPTR (fa_kds_sink_render);

  GST_DEBUG_CATEGORY_INIT (fa_kds_sink_debug, "kdssink", 0,
      "facealert Kinesis Data Streams sink");
}

static void
fa_kds_sink_init (FaKdsSink * self)
{
  fa_aws_settings_init (&self->aws);
  self->interval = DEFAULT_PROP_INTERVAL;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->drain_timeout = DEFAULT_PROP_DRAIN_TIMEOUT;
  self->retry_initial = DEFAULT_PROP_RETRY_INITIAL;
  self->retry_max = DEFAULT_PROP_RETRY_MAX;
  /* Records are not rendered against the clock. */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

static void
replace_string (gchar ** slot, const GValue * value)
{
  g_free (*slot);
  *slot = g_value_dup_string (value);
}

static void
fa_kds_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FaKdsSink *self = FA_KDS_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STREAM_NAME:
      replace_string (&self->stream_name, value);
      break;
    case PROP_PARTITION_KEY:
      replace_string (&self->partition_key, value);
      break;
    case PROP_CAMERA:
      replace_string (&self->camera, value);
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_OUTBOX_LOCATION:
      replace_string (&self->outbox_location, value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_DRAIN_TIMEOUT:
      self->drain_timeout = g_value_get_uint64 (value);
      break;
    case PROP_RETRY_INITIAL:
      self->retry_initial = g_value_get_uint64 (value);
      break;
    case PROP_RETRY_MAX:
      self->retry_max = g_value_get_uint64 (value);
      break;
    default:
      if (!fa_aws_settings_set_property (&self->aws, prop_id - PROP_AWS_FIRST,
              value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_kds_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FaKdsSink *self = FA_KDS_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STREAM_NAME:
      g_value_set_string (value, self->stream_name);
      break;
    case PROP_PARTITION_KEY:
      g_value_set_string (value, self->partition_key);
      break;
    case PROP_CAMERA:
      g_value_set_string (value, self->camera);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_OUTBOX_LOCATION:
      g_value_set_string (value, self->outbox_location);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_DRAIN_TIMEOUT:
      g_value_set_uint64 (value, self->drain_timeout);
      break;
    case PROP_RETRY_INITIAL:
      g_value_set_uint64 (value, self->retry_initial);
      break;
    case PROP_RETRY_MAX:
      g_value_set_uint64 (value, self->retry_max);
      break;
    default:
      if (!fa_aws_settings_get_property (&self->aws, prop_id - PROP_AWS_FIRST,
              value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
