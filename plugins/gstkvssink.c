/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-kvssink
 * @title: kvssink
 *
 * Records H.264 or H.265 video into the local stream store, the way Amazon
 * Kinesis Video Streams' kvssink records into KVS: the stream is cut into
 * fragments that start on a keyframe, each fragment is a self-contained
 * Matroska file with the codec data (so it decodes on its own), and every
 * fragment is indexed in SQLite by fragment number, producer timestamp and
 * server timestamp. Nothing is re-encoded.
 *
 * The store is read with `facealert streams|fragments|clip|images|media`
 * (see docs/cli-streams.md) or the lib/streamstore API.
 *
 * Fragments older than #FaKvsSink:retention-period hours and, beyond
 * #FaKvsSink:storage-size MB, the oldest ones are removed while recording.
 * With #FaKvsSink:encryption-key-file every fragment is sealed with
 * AES-256-GCM in memory before it is written. When the disk is full the
 * element posts a warning, drops fragments and resumes by itself when space
 * returns. After a crash the next start repairs the stream's index.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -e rtspsrc location=rtsp://cam1/stream ! rtph264depay ! h264parse ! \
 *     kvssink stream-name=cam1 retention-period=48 storage-size=20000
 * ]|
 *
 * ## Messages
 * For every stored fragment an element message `kvssink-fragment`:
 * - `stream-name` (string)
 * - `fragment-number` (string): the fragment's number in the store
 * - `producer-timestamp` (guint64): start of the fragment, ns since the Unix epoch
 * - `server-timestamp` (guint64): when it was stored, ns since the Unix epoch
 * - `duration` (guint64, ns)
 * - `size` (guint64): bytes of the Matroska fragment
 * - `frames` (guint)
 * - `running-time` (guint64): running time of the fragment's first frame
 *
 * For a fragment that could not be written (full disk, I/O error) an element
 * message `kvssink-fragment-dropped` with `stream-name`, `producer-timestamp`,
 * `duration` and `reason` (string), and one GST_ELEMENT_WARNING per outage.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstkvssink.h"
#include "fa-elements.h"
#include "fa-error.h"
#include "fa-mkv.h"
#include "fa-paths.h"
#include "fa-stream-store.h"

GST_DEBUG_CATEGORY_STATIC (fa_kvs_sink_debug);
#define GST_CAT_DEFAULT fa_kvs_sink_debug

#define DEFAULT_PROP_STREAM_NAME "DEFAULT_STREAM"
#define DEFAULT_PROP_STORAGE_DIR NULL
#define DEFAULT_PROP_RETENTION_PERIOD 2
#define DEFAULT_PROP_STORAGE_SIZE 0
#define DEFAULT_PROP_FRAGMENT_DURATION 2000
#define DEFAULT_PROP_KEY_FRAME_FRAGMENTATION TRUE
#define DEFAULT_PROP_ENCRYPTION_KEY_FILE NULL

enum
{
  PROP_0,
  PROP_STREAM_NAME,
  PROP_STORAGE_DIR,
  PROP_RETENTION_PERIOD,
  PROP_STORAGE_SIZE,
  PROP_FRAGMENT_DURATION,
  PROP_KEY_FRAME_FRAGMENTATION,
  PROP_ENCRYPTION_KEY_FILE,
};

struct _FaKvsSink
{
  GstBaseSink parent;

  /* properties (object lock) */
  gchar *stream_name;
  gchar *storage_dir;
  guint retention_period;
  guint storage_size;
  guint fragment_duration;
  gboolean key_frame_fragmentation;
  gchar *encryption_key_file;

  /* streaming state */
  FaStreamStore *store;
  FaStreamWriter *writer;
  FaCodec codec;
  GBytes *codec_data;
  guint width, height;
  gboolean have_epoch;
  gint64 epoch_base_us;         /* wall clock minus running time, at start */
  FaMkvWriter *fragment;        /* the open fragment, NULL between fragments */
  GstClockTime fragment_start;  /* running time of its first frame */
  GstClockTime fragment_end;    /* running time of the end of its last frame */
  GstClockTime last_frame;      /* running time of the previous frame */
  gboolean storage_failing;
  guint64 dropped_frames;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-h264, stream-format = (string) avc, "
        "alignment = (string) au; "
        "video/x-h265, stream-format = (string) { hvc1, hev1 }, "
        "alignment = (string) au"));

#define fa_kvs_sink_parent_class parent_class
G_DEFINE_TYPE (FaKvsSink, fa_kvs_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (kvssink, "kvssink", GST_RANK_NONE, FA_TYPE_KVS_SINK);

static void fa_kvs_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_kvs_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void fa_kvs_sink_finalize (GObject * object);

static gboolean
fa_kvs_sink_start (GstBaseSink * bsink)
{
  FaKvsSink *self = FA_KVS_SINK (bsink);
  GError *error = NULL;

  GST_OBJECT_LOCK (self);
  gchar *dir = g_strdup (self->storage_dir);
  gchar *key_file = g_strdup (self->encryption_key_file);
  gchar *stream = g_strdup (self->stream_name);
  guint retention = self->retention_period;
  guint64 quota = (guint64) self->storage_size * 1024 * 1024;
  GST_OBJECT_UNLOCK (self);

  self->store = fa_stream_store_new (dir, key_file, &error);
  if (self->store == NULL) {
    if (key_file != NULL && g_error_matches (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", error->message),
          ("check encryption-key-file"));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ_WRITE, ("%s", error->message),
          ("check storage-dir or encryption-key-file"));
    goto fail;
  }
  self->writer = fa_stream_writer_open (self->store, stream, &error);
  if (self->writer == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", error->message),
        ("stream-name=%s in %s", stream, fa_stream_store_get_root (self->store)));
    goto fail;
  }
  fa_stream_writer_set_limits (self->writer, retention, quota);
  self->have_epoch = FALSE;
  self->storage_failing = FALSE;
  self->dropped_frames = 0;
  GST_INFO_OBJECT (self, "recording stream %s into %s", stream,
      fa_stream_store_get_root (self->store));
  g_free (dir);
  g_free (key_file);
  g_free (stream);
  return TRUE;

fail:
  g_clear_error (&error);
  g_clear_pointer (&self->store, fa_stream_store_free);
  g_free (dir);
  g_free (key_file);
  g_free (stream);
  return FALSE;
}

static void
post_fragment (FaKvsSink * self, const FaFragmentInfo * info, guint frames,
    GstClockTime running_time)
{
  GstStructure *s = gst_structure_new ("kvssink-fragment",
      "stream-name", G_TYPE_STRING, self->stream_name,
      "fragment-number", G_TYPE_STRING, info->number,
      "producer-timestamp", G_TYPE_UINT64, (guint64) info->producer_us * GST_USECOND,
      "server-timestamp", G_TYPE_UINT64, (guint64) info->server_us * GST_USECOND,
      "duration", G_TYPE_UINT64, (guint64) info->duration_us * GST_USECOND,
      "size", G_TYPE_UINT64, info->size,
      "frames", G_TYPE_UINT, frames,
      "running-time", G_TYPE_UINT64, running_time, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* Closes the open fragment at running time @end (the next fragment's first
 * frame) and stores it. Without @end (EOS, caps change) it ends where its last
 * frame does. The next frame's time wins over that estimate: without buffer
 * durations the last frame's is guessed from the previous interval, which is
 * too long after a lost frame, and fragments must never overlap. */
static GstFlowReturn
fa_kvs_sink_finish_fragment (FaKvsSink * self, GstClockTime end)
{
  if (self->fragment == NULL)
    return GST_FLOW_OK;
  if (!GST_CLOCK_TIME_IS_VALID (end) || end <= self->last_frame)
    end = self->fragment_end;
  gint64 duration_us = (gint64) ((end - self->fragment_start) / GST_USECOND);
  gint64 producer_us = self->epoch_base_us
      + (gint64) (self->fragment_start / GST_USECOND);
  guint frames = fa_mkv_writer_frame_count (self->fragment);
  g_autoptr (GBytes) media = fa_mkv_writer_finish (self->fragment, duration_us);
  self->fragment = NULL;

  GError *error = NULL;
  FaFragmentInfo *info = fa_stream_writer_append (self->writer, media, self->codec,
      producer_us, duration_us, 0, &error);
  if (info == NULL) {
    if (!g_error_matches (error, FA_ERROR, FA_ERROR_IO)) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("%s", error->message), (NULL));
      g_error_free (error);
      return GST_FLOW_ERROR;
    }
    /* Full disk or I/O error: keep recording, drop this fragment. */
    if (!self->storage_failing)
      GST_ELEMENT_WARNING (self, RESOURCE, NO_SPACE_LEFT,
          ("Cannot store stream \"%s\": %s. Dropping fragments until writing works again.",
              self->stream_name, error->message), (NULL));
    self->storage_failing = TRUE;
    GST_DEBUG_OBJECT (self, "dropped a fragment: %s", error->message);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self),
            gst_structure_new ("kvssink-fragment-dropped",
                "stream-name", G_TYPE_STRING, self->stream_name,
                "producer-timestamp", G_TYPE_UINT64, (guint64) producer_us * GST_USECOND,
                "duration", G_TYPE_UINT64, (guint64) duration_us * GST_USECOND,
                "reason", G_TYPE_STRING, error->message, NULL)));
    g_error_free (error);
    return GST_FLOW_OK;
  }
  if (self->storage_failing) {
    GST_ELEMENT_INFO (self, RESOURCE, WRITE,
        ("Storing stream \"%s\" works again (fragment %s).", self->stream_name,
            info->number), (NULL));
    self->storage_failing = FALSE;
  }
  GST_LOG_OBJECT (self, "stored fragment %s: %u frames, %" G_GINT64_FORMAT " us, %"
      G_GUINT64_FORMAT " bytes", info->number, frames, info->duration_us, info->size);
  post_fragment (self, info, frames, self->fragment_start);
  fa_fragment_info_free (info);
  return GST_FLOW_OK;
}

static gboolean
fa_kvs_sink_stop (GstBaseSink * bsink)
{
  FaKvsSink *self = FA_KVS_SINK (bsink);

  /* The fragment in progress starts on a keyframe: keep it. */
  if (self->writer != NULL)
    fa_kvs_sink_finish_fragment (self, GST_CLOCK_TIME_NONE);
  g_clear_pointer (&self->fragment, fa_mkv_writer_free);
  g_clear_pointer (&self->writer, fa_stream_writer_close);
  g_clear_pointer (&self->store, fa_stream_store_free);
  g_clear_pointer (&self->codec_data, g_bytes_unref);
  return TRUE;
}

static gboolean
fa_kvs_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  FaKvsSink *self = FA_KVS_SINK (bsink);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  FaCodec codec = gst_structure_has_name (s, "video/x-h265")
      ? FA_CODEC_H265 : FA_CODEC_H264;
  const GValue *value = gst_structure_get_value (s, "codec_data");
  gint width = 0, height = 0;

  if (value == NULL || !GST_VALUE_HOLDS_BUFFER (value)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Caps have no codec_data: %"
            GST_PTR_FORMAT, caps), ("put h264parse or h265parse before kvssink"));
    return FALSE;
  }
  gst_structure_get_int (s, "width", &width);
  gst_structure_get_int (s, "height", &height);
  GstBuffer *buf = gst_value_get_buffer (value);
  GstMapInfo map;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return FALSE;
  GBytes *codec_data = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buf, &map);

  /* New codec data: the next fragment (from the next keyframe) uses it. */
  if (self->codec_data != NULL && (codec != self->codec
          || !g_bytes_equal (codec_data, self->codec_data)))
    fa_kvs_sink_finish_fragment (self, GST_CLOCK_TIME_NONE);
  g_clear_pointer (&self->codec_data, g_bytes_unref);
  self->codec_data = codec_data;
  self->codec = codec;
  self->width = width;
  self->height = height;
  GST_DEBUG_OBJECT (self, "recording %s %dx%d", fa_codec_name (codec), width, height);
  return TRUE;
}

static GstFlowReturn
fa_kvs_sink_render (GstBaseSink * bsink, GstBuffer * buffer)
{
  FaKvsSink *self = FA_KVS_SINK (bsink);
  GstClockTime ts = GST_BUFFER_PTS_IS_VALID (buffer) ? GST_BUFFER_PTS (buffer)
      : GST_BUFFER_DTS (buffer);
  GstClockTime rt = gst_segment_to_running_time (&bsink->segment, GST_FORMAT_TIME, ts);
  gboolean keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  GstFlowReturn ret = GST_FLOW_OK;

  if (!GST_CLOCK_TIME_IS_VALID (rt)) {
    GST_WARNING_OBJECT (self, "dropping a buffer without a usable timestamp");
    return GST_FLOW_OK;
  }
  if (!self->have_epoch) {
    self->epoch_base_us = g_get_real_time () - (gint64) (rt / GST_USECOND);
    self->have_epoch = TRUE;
  }

  if (self->fragment != NULL && keyframe) {
    GST_OBJECT_LOCK (self);
    gboolean by_keyframe = self->key_frame_fragmentation;
    GstClockTime max = self->fragment_duration * GST_MSECOND;
    GST_OBJECT_UNLOCK (self);
    if (by_keyframe || rt >= self->fragment_start + max)
      ret = fa_kvs_sink_finish_fragment (self, rt);
    if (ret != GST_FLOW_OK)
      return ret;
  }
  if (self->fragment == NULL) {
    if (!keyframe) {
      if (self->dropped_frames++ == 0)
        GST_INFO_OBJECT (self, "waiting for a keyframe to start a fragment");
      return GST_FLOW_OK;
    }
    self->fragment = fa_mkv_writer_new (self->codec, self->codec_data,
        self->width, self->height,
        self->epoch_base_us + (gint64) (rt / GST_USECOND));
    self->fragment_start = self->fragment_end = self->last_frame = rt;
  }

  GstMapInfo map;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Cannot map a buffer"), (NULL));
    return GST_FLOW_ERROR;
  }
  gint64 rel_us = ((gint64) rt - (gint64) self->fragment_start) / 1000;
  fa_mkv_writer_add_frame (self->fragment, rel_us, keyframe, map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  /* Where this frame ends: its duration, else the last frame interval. */
  GstClockTime end;
  if (GST_BUFFER_DURATION_IS_VALID (buffer))
    end = rt + GST_BUFFER_DURATION (buffer);
  else
    end = rt + (rt > self->last_frame ? rt - self->last_frame : 0);
  self->fragment_end = MAX (self->fragment_end, end);
  self->last_frame = rt;
  return GST_FLOW_OK;
}

static gboolean
fa_kvs_sink_event (GstBaseSink * bsink, GstEvent * event)
{
  FaKvsSink *self = FA_KVS_SINK (bsink);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
    case GST_EVENT_FLUSH_STOP:
      if (fa_kvs_sink_finish_fragment (self, GST_CLOCK_TIME_NONE) != GST_FLOW_OK) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    default:
      break;
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (bsink, event);
}

static void
fa_kvs_sink_class_init (FaKvsSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_sink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->set_property = fa_kvs_sink_set_property;
  gobject_class->get_property = fa_kvs_sink_get_property;
  gobject_class->finalize = fa_kvs_sink_finalize;

  g_object_class_install_property (gobject_class, PROP_STREAM_NAME,
      g_param_spec_string ("stream-name", "Stream name",
          "Name of the stream in the store (letters, digits, '_', '.', '-')",
          DEFAULT_PROP_STREAM_NAME, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_STORAGE_DIR,
      g_param_spec_string ("storage-dir", "Storage directory",
          "Root of the stream store (NULL: $FACEALERT_STREAMS_DIR, else "
          "$XDG_DATA_HOME/facealert/streams, i.e. ~/.local/share/facealert/streams)",
          DEFAULT_PROP_STORAGE_DIR, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_RETENTION_PERIOD,
      g_param_spec_uint ("retention-period", "Retention period",
          "Hours fragments are kept (0: no age limit)", 0, G_MAXUINT / 3600,
          DEFAULT_PROP_RETENTION_PERIOD, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_STORAGE_SIZE,
      g_param_spec_uint ("storage-size", "Storage size",
          "Quota of the stream's fragments in MB; oldest removed first (0: no quota)",
          0, G_MAXUINT, DEFAULT_PROP_STORAGE_SIZE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_FRAGMENT_DURATION,
      g_param_spec_uint ("fragment-duration", "Fragment duration",
          "Minimum fragment duration in ms when key-frame-fragmentation is off: "
          "a fragment ends at the first keyframe after it", 1, G_MAXUINT,
          DEFAULT_PROP_FRAGMENT_DURATION, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_KEY_FRAME_FRAGMENTATION,
      g_param_spec_boolean ("key-frame-fragmentation", "Key frame fragmentation",
          "Start a new fragment at every keyframe (as AWS kvssink); when FALSE, "
          "at the first keyframe after fragment-duration",
          DEFAULT_PROP_KEY_FRAME_FRAGMENTATION, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ENCRYPTION_KEY_FILE,
      g_param_spec_string ("encryption-key-file", "Encryption key file",
          "File with a 256-bit key (32 raw bytes or 64 hex digits); when set, "
          "fragments are stored encrypted with AES-256-GCM (NULL: not encrypted)",
          DEFAULT_PROP_ENCRYPTION_KEY_FILE, G_PARAM_READWRITE |
          G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Local Kinesis Video Streams sink", "Sink/Video",
      "Records H.264/H.265 as indexed, optionally encrypted Matroska fragments "
      "in a local stream store", "facealert developers");

  base_sink_class->start = GST_DEBUG_FUNCPTR (fa_kvs_sink_start);
  base_sink_class->stop = GST_DEBUG_FUNCPTR (fa_kvs_sink_stop);
  base_sink_class->set_caps = GST_DEBUG_FUNCPTR (fa_kvs_sink_set_caps);
  base_sink_class->render = GST_DEBUG_FUNCPTR (fa_kvs_sink_render);
  base_sink_class->event = GST_DEBUG_FUNCPTR (fa_kvs_sink_event);

  GST_DEBUG_CATEGORY_INIT (fa_kvs_sink_debug, "kvssink", 0,
      "facealert local stream store sink");
}

static void
fa_kvs_sink_init (FaKvsSink * self)
{
  self->stream_name = g_strdup (DEFAULT_PROP_STREAM_NAME);
  self->storage_dir = g_strdup (DEFAULT_PROP_STORAGE_DIR);
  self->retention_period = DEFAULT_PROP_RETENTION_PERIOD;
  self->storage_size = DEFAULT_PROP_STORAGE_SIZE;
  self->fragment_duration = DEFAULT_PROP_FRAGMENT_DURATION;
  self->key_frame_fragmentation = DEFAULT_PROP_KEY_FRAME_FRAGMENTATION;
  self->encryption_key_file = g_strdup (DEFAULT_PROP_ENCRYPTION_KEY_FILE);

  /* A recorder stores what arrives; it has no reason to wait on the clock. */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
  gst_base_sink_set_last_sample_enabled (GST_BASE_SINK (self), FALSE);
}

static void
fa_kvs_sink_finalize (GObject * object)
{
  FaKvsSink *self = FA_KVS_SINK (object);

  g_free (self->stream_name);
  g_free (self->storage_dir);
  g_free (self->encryption_key_file);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
fa_kvs_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FaKvsSink *self = FA_KVS_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STREAM_NAME:
      g_free (self->stream_name);
      self->stream_name = g_value_dup_string (value);
      break;
    case PROP_STORAGE_DIR:
      g_free (self->storage_dir);
      self->storage_dir = g_value_dup_string (value);
      break;
    case PROP_RETENTION_PERIOD:
      self->retention_period = g_value_get_uint (value);
      break;
    case PROP_STORAGE_SIZE:
      self->storage_size = g_value_get_uint (value);
      break;
    case PROP_FRAGMENT_DURATION:
      self->fragment_duration = g_value_get_uint (value);
      break;
    case PROP_KEY_FRAME_FRAGMENTATION:
      self->key_frame_fragmentation = g_value_get_boolean (value);
      break;
    case PROP_ENCRYPTION_KEY_FILE:
      g_free (self->encryption_key_file);
      self->encryption_key_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_kvs_sink_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FaKvsSink *self = FA_KVS_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_STREAM_NAME:
      g_value_set_string (value, self->stream_name);
      break;
    case PROP_STORAGE_DIR:
      g_value_set_string (value, self->storage_dir);
      break;
    case PROP_RETENTION_PERIOD:
      g_value_set_uint (value, self->retention_period);
      break;
    case PROP_STORAGE_SIZE:
      g_value_set_uint (value, self->storage_size);
      break;
    case PROP_FRAGMENT_DURATION:
      g_value_set_uint (value, self->fragment_duration);
      break;
    case PROP_KEY_FRAME_FRAGMENTATION:
      g_value_set_boolean (value, self->key_frame_fragmentation);
      break;
    case PROP_ENCRYPTION_KEY_FILE:
      g_value_set_string (value, self->encryption_key_file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
