/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-objectdetect
 * @title: objectdetect
 *
 * Finds persons, cats and dogs (or any of COCO's 80 classes, see
 * #FaObjectDetect:labels) in raw video, in place. Each object becomes one
 * #GstVideoRegionOfInterestMeta whose roi_type is its label ("person",
 * "cat", "dog", ...) with a "facealert/object" parameter structure (label,
 * score, class-id, method, fresh; see plugins/fa-meta.h); every buffer also
 * gets a "facealert/object-scan" custom meta saying it was searched. Unless
 * #FaObjectDetect:post-messages is off, the element posts one element
 * message per frame.
 *
 * Methods: "yolox" (YOLOX-nano 416x416, the default: the better recall,
 * persons seen from behind included) and "fastestdet" (FastestDet 352x352:
 * about a third of the CPU, coarser boxes).
 *
 * Detection is the expensive part; three knobs keep it rare. A motion gate
 * (#FaObjectDetect:motion-gate, on by default) compares a 64-pixel-wide grey
 * thumbnail of each frame with the one detection last ran on and skips the
 * network when nothing moved, running anyway every
 * #FaObjectDetect:motion-period frames. #FaObjectDetect:interval detects on
 * every Nth frame only. On frames without detection the last objects are
 * attached again (fresh=FALSE), so downstream always sees them.
 *
 * With #FaObjectDetect:background (the pipelines' cameras) the detection runs
 * on threads shared by every objectdetect of the process, at a lower CPU
 * priority, and the frame goes on without waiting: the objects are attached
 * (fresh=TRUE) to the first frame after the detection finished, one or two
 * frames after the one it looked at. A camera whose detection is still queued
 * or running starts no other, so when the cores are short every camera
 * detects a little less often while each frame is still decoded, searched for
 * faces and recognised (lib/detect/fa-object-background.h).
 *
 * ## The "objectdetect" element message
 *
 * - timestamp (guint64): the buffer's PTS
 * - stream-time (guint64), running-time (guint64): of that PTS
 * - duration (guint64): the buffer's duration
 * - objects (GstValueList of GstStructure "object"), best first:
 *   - label (gchararray): COCO name
 *   - x, y, width, height (guint): box in frame pixels
 *   - score (gdouble): 0..1
 *   - class-id (gint): COCO index
 * - method (gchararray): the detection method
 * - detected (gboolean): FALSE when the objects are the last detection's,
 *   carried over a frame the interval or the motion gate skipped (or, with
 *   background, a frame whose detection had not finished)
 * - motion (gchararray): the motion gate's verdict on this frame: "moved",
 *   "still", "periodic", "first", or "off" (gate off or frame skipped by the
 *   interval)
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m filesrc location=tests/data/videos/moviepy_chaplin.mp4 ! decodebin ! \
 *     videoconvert ! objectdetect interval=3 ! fakesink
 * ]| Prints an objectdetect message per frame, detecting on every third.
 * |[
 * gst-launch-1.0 filesrc location=tests/data/videos/moviepy_chaplin.mp4 ! decodebin ! \
 *     videoconvert ! objectdetect interval=3 draw=true ! facedetect draw=true ! \
 *     videoconvert ! autovideosink
 * ]| Shows persons (blue), cats and dogs (orange) and the faces facedetect
 * finds inside the person boxes (green).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstobjectdetect.h"

#include "fa-detector.h"
#include "fa-draw.h"
#include "fa-elements.h"
#include "fa-meta.h"
#include "fa-motion-gate.h"
#include "fa-object-detector.h"
#include "fa-object-background.h"

GST_DEBUG_CATEGORY_STATIC (fa_object_detect_debug);
#define GST_CAT_DEFAULT fa_object_detect_debug

#define DEFAULT_PROP_METHOD FA_OBJECT_YOLOX
#define DEFAULT_PROP_MODEL NULL
#define DEFAULT_PROP_LABELS FA_OBJECT_DEFAULT_LABELS
#define DEFAULT_PROP_SCORE_THRESHOLD -1.0f
#define DEFAULT_PROP_NMS_THRESHOLD 0.45f
#define DEFAULT_PROP_INTERVAL 1
#define DEFAULT_PROP_INPUT_SIZE FA_OBJECT_YOLOX_INPUT
#define DEFAULT_PROP_THREADS 1
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_DRAW FALSE
#define DEFAULT_PROP_MOTION_GATE TRUE
#define DEFAULT_PROP_MOTION_THRESHOLD 0.002f
#define DEFAULT_PROP_MOTION_PIXEL_THRESHOLD 12
#define DEFAULT_PROP_MOTION_PERIOD 30
#define DEFAULT_PROP_BACKGROUND FALSE
#define DEFAULT_PROP_SETTLED_INTERVAL 0

/* Refused property values are reported with g_log in this domain (not the
 * structured g_warning), so applications and tests can filter them. */
#define LOG_DOMAIN "objectdetect"

enum
{
  PROP_0,
  PROP_METHOD,
  PROP_MODEL,
  PROP_LABELS,
  PROP_SCORE_THRESHOLD,
  PROP_NMS_THRESHOLD,
  PROP_INTERVAL,
  PROP_INPUT_SIZE,
  PROP_THREADS,
  PROP_POST_MESSAGES,
  PROP_DRAW,
  PROP_MOTION_GATE,
  PROP_MOTION_THRESHOLD,
  PROP_MOTION_PIXEL_THRESHOLD,
  PROP_MOTION_PERIOD,
  PROP_BACKGROUND,
  PROP_DETECTIONS,
  PROP_SETTLED_INTERVAL,
};

#define FA_OBJECT_DETECT_CAPS GST_VIDEO_CAPS_MAKE ("{ I420, YV12, NV12, NV21, " \
    "RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, GRAY8 }")

static GstStaticPadTemplate fa_object_detect_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_OBJECT_DETECT_CAPS));

static GstStaticPadTemplate fa_object_detect_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_OBJECT_DETECT_CAPS));

struct _FaObjectDetect
{
  GstVideoFilter videofilter;

  /* properties, under the object lock */
  FaObjectMethod method;
  gchar *model;
  gchar *labels;
  gboolean wanted[FA_COCO_N_CLASSES];
  gfloat score_threshold;
  gfloat nms_threshold;
  guint interval;
  gint input_size;
  gint threads;
  gboolean post_messages;
  gboolean draw;
  gboolean motion_gate;
  FaMotionGateConfig motion;
  gboolean background;
  guint settled_interval;
  gboolean config_changed;
  guint64 detections;           /* detections attached since start() */

  /* streaming state, from start() to stop() */
  FaObjectDetector *detector;   /* owned by @bg when there is one */
  FaObjectBackground *bg;
  FaMotionGate *gate;
  GArray *objects;              /* FaObject, the last detection's */
  guint64 objects_frame;        /* the frame they were found on */
  guint64 frame_count;
  guint64 next_look;            /* first frame the interval allows a look at */
  guint64 next_outside_check;   /* settled: next check for motion outside the boxes */
  gint settled;                 /* atomic: facematch's last FA_EVENT_SETTLED */
  gboolean was_settled;
};

GType
fa_object_detect_method_get_type (void)
{
  static GType method_type = 0;
  static const GEnumValue methods[] = {
    {FA_OBJECT_YOLOX, "YOLOX-nano 416x416 (COCO): the better recall", "yolox"},
    {FA_OBJECT_FASTESTDET, "FastestDet 352x352 (COCO): ~3x cheaper, coarser "
          "boxes", "fastestdet"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&method_type)) {
    GType type = g_enum_register_static ("FaObjectDetectMethod", methods);
    g_once_init_leave (&method_type, type);
  }
  return method_type;
}

#define fa_object_detect_parent_class parent_class
G_DEFINE_TYPE (FaObjectDetect, fa_object_detect, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (objectdetect, "objectdetect", GST_RANK_NONE,
    FA_TYPE_OBJECT_DETECT);

/* Builds the library configuration from the properties (object lock held). */
static void
fa_object_detect_fill_config (FaObjectDetect * self,
    FaObjectDetectorConfig * config)
{
  fa_object_detector_config_init (config, self->method);
  config->model_path = self->model;
  if (self->score_threshold >= 0)
    config->score_threshold = self->score_threshold;
  config->nms_threshold = self->nms_threshold;
  config->input_size = self->input_size;
  memcpy (config->wanted, self->wanted, sizeof config->wanted);
}

static gboolean
fa_object_detect_start (GstBaseTransform * trans)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (trans);
  FaObjectDetectorConfig config;
  GError *error = NULL;

  /* The model loads outside the object lock: nothing that needs the lock
   * (property reads, messages) waits for it meanwhile. */
  GST_OBJECT_LOCK (self);
  fa_object_detect_fill_config (self, &config);
  gchar *model_path = g_strdup (config.model_path);
  config.model_path = model_path;
  gint threads = self->threads;
  gboolean background = self->background;
  self->gate = fa_motion_gate_new (&self->motion);
  self->detections = 0;
  self->config_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  fa_detect_set_threads (threads);
  self->detector = fa_object_detector_new (&config, &error);
  g_free (model_path);

  if (self->detector == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not load the %s object detection model: %s",
            fa_object_method_name (config.method), error->message),
        ("fa_object_detector_new failed (error code %d)", error->code));
    g_error_free (error);
    g_clear_pointer (&self->gate, fa_motion_gate_free);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "method %s, model %s",
      fa_object_method_name (config.method),
      fa_object_detector_get_config (self->detector)->model_path);

  if (background)
    self->bg = fa_object_background_new (self->detector);
  self->objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  self->frame_count = 0;
  self->objects_frame = 0;
  self->next_look = 0;
  self->next_outside_check = 0;
  g_atomic_int_set (&self->settled, FALSE);
  self->was_settled = FALSE;
  return TRUE;
}

static gboolean
fa_object_detect_stop (GstBaseTransform * trans)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (trans);

  if (self->bg != NULL) {
    g_clear_pointer (&self->bg, fa_object_background_free);
    self->detector = NULL;
  }
  g_clear_pointer (&self->detector, fa_object_detector_free);
  g_clear_pointer (&self->gate, fa_motion_gate_free);
  g_clear_pointer (&self->objects, g_array_unref);
  return TRUE;
}

static GstMessage *
fa_object_detect_message_new (FaObjectDetect * self, GstBuffer * buf,
    const gchar * method, gboolean detected, const gchar * motion)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM_CAST (self);
  GstClockTime ts = GST_BUFFER_PTS (buf);
  GValue list = G_VALUE_INIT;
  GstStructure *s;

  s = gst_structure_new ("objectdetect",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf), NULL);

  g_value_init (&list, GST_TYPE_LIST);
  for (guint i = 0; i < self->objects->len; i++) {
    const FaObject *o = &g_array_index (self->objects, FaObject, i);
    GValue v = G_VALUE_INIT;
    GstStructure *f = gst_structure_new ("object",
        "label", G_TYPE_STRING, fa_coco_label (o->class_id),
        "x", G_TYPE_UINT, (guint) (o->box.x + .5f),
        "y", G_TYPE_UINT, (guint) (o->box.y + .5f),
        "width", G_TYPE_UINT, (guint) (o->box.width + .5f),
        "height", G_TYPE_UINT, (guint) (o->box.height + .5f),
        "score", G_TYPE_DOUBLE, (gdouble) o->score,
        "class-id", G_TYPE_INT, o->class_id, NULL);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, f);
    gst_value_list_append_and_take_value (&list, &v);
  }
  gst_structure_take_value (s, "objects", &list);
  gst_structure_set (s, "method", G_TYPE_STRING, method,
      "detected", G_TYPE_BOOLEAN, detected,
      "motion", G_TYPE_STRING, motion, NULL);

  return gst_message_new_element (GST_OBJECT (self), s);
}

/* Persons blue, pets orange, anything else yellow. */
static void
fa_object_detect_draw (const FaImage * image, GArray * objects)
{
  for (guint i = 0; i < objects->len; i++) {
    const FaObject *o = &g_array_index (objects, FaObject, i);
    if (o->class_id == FA_COCO_PERSON)
      fa_draw_boxes (image, &o->box, 1, 0, 128, 255);
    else if (o->class_id == FA_COCO_CAT || o->class_id == FA_COCO_DOG)
      fa_draw_boxes (image, &o->box, 1, 255, 128, 0);
    else
      fa_draw_boxes (image, &o->box, 1, 255, 255, 0);
  }
}

/* How far around a known object motion is still that object's (a share of
 * its box on each side): a person shifting, a cat stretching. */
#define OUTSIDE_MARGIN 0.25f

/* Whether something moved outside the last detection's objects. */
static gboolean
fa_object_detect_moved_outside (FaObjectDetect * self, const FaImage * image)
{
  guint n = self->objects->len;
  g_autofree FaRect *boxes = g_new (FaRect, n + 1);
  for (guint i = 0; i < n; i++)
    boxes[i] = g_array_index (self->objects, FaObject, i).box;
  return fa_motion_gate_moved_outside (self->gate, image, boxes, n, OUTSIDE_MARGIN);
}

static GstFlowReturn
fa_object_detect_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (filter);
  gboolean detect, busy, fresh = FALSE, gate_on, post_messages, draw;
  const gchar *method, *motion = "off";
  g_autofree gchar *labels = NULL;
  FaImage image;

  if (!fa_meta_image_of_frame (frame, &image)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("unsupported video format %s",
            gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame))));
    return GST_FLOW_ERROR;
  }

  /* A background detection reads the detector's settings: they change only
   * while none runs, and no second one is queued meanwhile. */
  busy = self->bg != NULL && fa_object_background_busy (self->bg);
  GST_OBJECT_LOCK (self);
  if (self->config_changed && !busy) {
    FaObjectDetectorConfig config;
    fa_object_detect_fill_config (self, &config);
    fa_object_detector_update (self->detector, &config);
    fa_motion_gate_set_config (self->gate, &self->motion);
    self->config_changed = FALSE;
  }
  /* Every interval-th frame (settled-interval-th while facematch says all in
   * view is decided; at once when it stops being); a frame whose background
   * detection is still running postpones the look to the first frame after. */
  gboolean settled = g_atomic_int_get (&self->settled) && self->settled_interval > 0;
  if (self->was_settled && !settled)
    self->next_look = MIN (self->next_look, self->frame_count);
  self->was_settled = settled;
  detect = !busy && self->frame_count >= self->next_look;
  /* Settled, between its sparse looks: every interval-th frame the motion
   * gate checks for motion outside the last detection's boxes (someone new
   * walking in), and finding some looks at once. */
  gboolean check_outside = !detect && !busy && settled && self->motion_gate
      && self->frame_count >= self->next_outside_check;
  if (detect || check_outside)
    self->next_outside_check = self->frame_count + self->interval;
  if (detect)
    self->next_look = self->frame_count + (settled ? MAX (self->settled_interval,
            self->interval) : self->interval);
  gate_on = self->motion_gate;
  post_messages = self->post_messages;
  draw = self->draw;
  labels = g_strdup (self->labels);
  GST_OBJECT_UNLOCK (self);
  self->frame_count++;
  method = fa_object_method_name (fa_object_detector_get_config (self->detector)->method);

  if (check_outside && fa_object_detect_moved_outside (self, &image)) {
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": settled, motion outside the "
        "known objects: looking now", self->frame_count - 1);
    detect = TRUE;
  }
  if (detect && gate_on) {
    FaMotionVerdict verdict = fa_motion_gate_check (self->gate, &image);
    motion = fa_motion_verdict_name (verdict);
    detect = verdict != FA_MOTION_STILL;
    GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": motion %s (%.2f%% changed)",
        self->frame_count - 1, motion, 100 * fa_motion_gate_last_changed (self->gate));
  }

  if (self->bg != NULL || detect) {
    GError *error = NULL;
    guint64 looked_at = self->frame_count - 1;
    int got;

    if (self->bg != NULL) {
      /* The last detection's objects, if it finished, then this frame's
       * detection queued: the frame does not wait for it. */
      got = fa_object_background_collect (self->bg, self->objects, &looked_at, &error);
      if (detect)
        fa_object_background_submit (self->bg, &image, self->frame_count - 1);
    } else {
      g_array_set_size (self->objects, 0);
      got = fa_object_detector_detect (self->detector, &image, self->objects, &error) < 0 ? -1 : 1;
    }
    if (got < 0) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED,
          ("Object detection failed: %s", error->message), (NULL));
      g_error_free (error);
      return GST_FLOW_ERROR;
    }
    fresh = got > 0;
    if (fresh) {
      self->objects_frame = looked_at;
      GST_LOG_OBJECT (self, "%u objects in frame %" G_GUINT64_FORMAT " (attached to frame %"
          G_GUINT64_FORMAT ")", self->objects->len, looked_at, self->frame_count - 1);
      GST_OBJECT_LOCK (self);
      self->detections++;
      GST_OBJECT_UNLOCK (self);
    }
  }

  for (guint i = 0; i < self->objects->len; i++)
    fa_meta_add_object (frame->buffer, &g_array_index (self->objects, FaObject,
            i), method, fresh);
  fa_meta_add_object_scan (frame->buffer, method, fresh,
      (guint) (self->frame_count - 1 - self->objects_frame), labels, self->objects->len);

  if (draw)
    fa_object_detect_draw (&image, self->objects);

  if (post_messages)
    gst_element_post_message (GST_ELEMENT (self),
        fa_object_detect_message_new (self, frame->buffer, method, fresh,
            motion));

  return GST_FLOW_OK;
}

/* facematch's FA_EVENT_SETTLED stops here; other events go on upstream. */
static gboolean
fa_object_detect_src_event (GstBaseTransform * trans, GstEvent * event)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (trans);
  const GstStructure *s = gst_event_get_structure (event);
  gboolean settled;

  if (GST_EVENT_TYPE (event) == GST_EVENT_CUSTOM_UPSTREAM && s != NULL
      && gst_structure_has_name (s, FA_EVENT_SETTLED)
      && gst_structure_get_boolean (s, "settled", &settled)) {
    GST_DEBUG_OBJECT (self, "downstream %s", settled ? "settled" : "not settled");
    g_atomic_int_set (&self->settled, settled);
    gst_event_unref (event);
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);
}

static void
fa_object_detect_finalize (GObject * object)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (object);

  g_free (self->model);
  g_free (self->labels);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void fa_object_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_object_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static void
fa_object_detect_class_init (FaObjectDetectClass * klass)
{
  GObjectClass *gobject_class = (GObjectClass *) klass;
  GstElementClass *element_class = (GstElementClass *) klass;
  GstBaseTransformClass *trans_class = (GstBaseTransformClass *) klass;
  GstVideoFilterClass *vfilter_class = (GstVideoFilterClass *) klass;

  GST_DEBUG_CATEGORY_INIT (fa_object_detect_debug, "objectdetect", 0,
      "facealert object detection");

  gobject_class->finalize = fa_object_detect_finalize;
  gobject_class->set_property = fa_object_detect_set_property;
  gobject_class->get_property = fa_object_detect_get_property;

  g_object_class_install_property (gobject_class, PROP_METHOD,
      g_param_spec_enum ("method", "Method",
          "Detection method: yolox (default; ~85 ms per detection at 640x480 "
          "on one core) or fastestdet (~35 ms, coarser boxes)",
          FA_TYPE_OBJECT_DETECT_METHOD, DEFAULT_PROP_METHOD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "ONNX model file for the method; NULL: "
          FA_OBJECT_DEFAULT_YOLOX_MODEL " or "
          FA_OBJECT_DEFAULT_FASTESTDET_MODEL " in the models directory "
          "($FACEALERT_MODELS_DIR or ~/.local/share/facealert/models, filled "
          "by scripts/fetch-models.sh)", DEFAULT_PROP_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_string ("labels", "Labels",
          "Comma list of the COCO class names reported (person, cat, dog, "
          "car, bicycle, ... any of coco.names' 80); costs nothing extra",
          DEFAULT_PROP_LABELS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_SCORE_THRESHOLD,
      g_param_spec_float ("score-threshold", "Score threshold",
          "Smallest score (0..1) an object needs; -1: the method's default "
          "(yolox 0.3, fastestdet 0.65, as their authors' demos)",
          -1.0f, 1.0f, DEFAULT_PROP_SCORE_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_NMS_THRESHOLD,
      g_param_spec_float ("nms-threshold", "NMS threshold",
          "Overlap (IoU, 0..1) above which the weaker of two boxes is dropped "
          "(yolox: per class; fastestdet: across classes)",
          0.0f, 1.0f, DEFAULT_PROP_NMS_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Detect on every Nth frame at most; the frames in between carry the "
          "last detection's objects (CPU divided by N, boxes up to N-1 frames "
          "old)", 1, G_MAXINT, DEFAULT_PROP_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INPUT_SIZE,
      g_param_spec_int ("input-size", "Input size",
          "yolox: the long side of the network's input, a multiple of 32 (the "
          "short side follows the frame's shape: 640x480 runs at 416x320). "
          "416, the model's own, ~85 ms per detection; 320: ~60 ms, persons must "
          "be ~1.3x bigger; fastestdet always runs at 352x352",
          FA_OBJECT_MIN_INPUT, FA_OBJECT_MAX_INPUT, DEFAULT_PROP_INPUT_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "OpenCV worker threads, set when the element starts (process-wide: "
          "cv::setNumThreads). 1 uses the least CPU per frame, best when "
          "several cameras share the cores; -1: OpenCV's default (one per core)",
          -1, 64, DEFAULT_PROP_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an \"objectdetect\" element message per frame",
          DEFAULT_PROP_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_DRAW,
      g_param_spec_boolean ("draw", "Draw",
          "Draw the boxes into the frame (persons blue, cats and dogs orange, "
          "others yellow), for debugging", DEFAULT_PROP_DRAW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MOTION_GATE,
      g_param_spec_boolean ("motion-gate", "Motion gate",
          "Run the detector only when something moved (a frame difference on "
          "a 64-pixel-wide grey thumbnail, ~0.1 ms) or every motion-period "
          "frames; off: on every interval-th frame", DEFAULT_PROP_MOTION_GATE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MOTION_THRESHOLD,
      g_param_spec_float ("motion-threshold", "Motion threshold",
          "Fraction (0..1) of the thumbnail's pixels that must change for "
          "motion; 0.002 is about a 30x30 patch of a 640x480 frame",
          0.0f, 1.0f, DEFAULT_PROP_MOTION_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MOTION_PIXEL_THRESHOLD,
      g_param_spec_int ("motion-pixel-threshold", "Motion pixel threshold",
          "Grey levels (1..255) a thumbnail pixel must change by to count "
          "(raise it for noisy night video)", 1, 255,
          DEFAULT_PROP_MOTION_PIXEL_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MOTION_PERIOD,
      g_param_spec_uint ("motion-period", "Motion period",
          "With the motion gate, detect anyway after this many checked "
          "frames without motion (someone standing still); 0: never",
          0, G_MAXINT, DEFAULT_PROP_MOTION_PERIOD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_BACKGROUND,
      g_param_spec_boolean ("background", "Background",
          "Detect on the process's shared detection threads (one per core, "
          "lower CPU priority) instead of in the streaming thread: frames never "
          "wait for a detection, its objects go on the first frame after it "
          "finished (1-2 frames later at 15 fps), each element has at most one "
          "detection queued. For live cameras, many per process (pipelines/ "
          "set it); off: every detected frame carries its own objects",
          DEFAULT_PROP_BACKGROUND,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SETTLED_INTERVAL,
      g_param_spec_uint ("settled-interval", "Settled interval",
          "While a facematch downstream says everything in view is decided "
          "(every face known, unknown or a pet's, every person's face decided), "
          "detect on every Nth frame instead of every interval-th: the "
          "detections go to cameras where someone new may be arriving. Back to "
          "interval at once when something undecided appears; with the motion "
          "gate, motion outside the known objects' boxes looks at once. 0: off",
          0, G_MAXINT, DEFAULT_PROP_SETTLED_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_DETECTIONS,
      g_param_spec_uint64 ("detections", "Detections",
          "Detections whose objects were attached since the element started "
          "(the network's runs; frames the interval or the motion gate skipped "
          "are not counted)", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "Object detection", "Filter/Analyzer/Video",
      "Finds persons, cats and dogs (any COCO class): attaches one "
      "region-of-interest meta per object and posts objectdetect messages",
      "facealert developers");

  gst_element_class_add_static_pad_template (element_class,
      &fa_object_detect_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &fa_object_detect_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (fa_object_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (fa_object_detect_stop);
  trans_class->src_event = GST_DEBUG_FUNCPTR (fa_object_detect_src_event);
  vfilter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (fa_object_detect_transform_frame_ip);

  gst_type_mark_as_plugin_api (FA_TYPE_OBJECT_DETECT_METHOD, 0);
}

static void
fa_object_detect_init (FaObjectDetect * self)
{
  self->method = DEFAULT_PROP_METHOD;
  self->model = g_strdup (DEFAULT_PROP_MODEL);
  self->labels = g_strdup (DEFAULT_PROP_LABELS);
  fa_coco_parse_labels (self->labels, self->wanted, NULL);
  self->score_threshold = DEFAULT_PROP_SCORE_THRESHOLD;
  self->nms_threshold = DEFAULT_PROP_NMS_THRESHOLD;
  self->interval = DEFAULT_PROP_INTERVAL;
  self->input_size = DEFAULT_PROP_INPUT_SIZE;
  self->threads = DEFAULT_PROP_THREADS;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->draw = DEFAULT_PROP_DRAW;
  self->motion_gate = DEFAULT_PROP_MOTION_GATE;
  fa_motion_gate_config_init (&self->motion);
  self->motion.min_changed = DEFAULT_PROP_MOTION_THRESHOLD;
  self->motion.pixel_threshold = DEFAULT_PROP_MOTION_PIXEL_THRESHOLD;
  self->motion.period = DEFAULT_PROP_MOTION_PERIOD;
  self->background = DEFAULT_PROP_BACKGROUND;
  self->settled_interval = DEFAULT_PROP_SETTLED_INTERVAL;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

static void
fa_object_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (object);

  GST_OBJECT_LOCK (self);
  if (self->detector != NULL && (prop_id == PROP_METHOD || prop_id == PROP_MODEL
          || prop_id == PROP_THREADS || prop_id == PROP_BACKGROUND))
    g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "%s: changing %s while running "
        "takes effect only after the element is set back to READY",
        GST_OBJECT_NAME (self), pspec->name);
  switch (prop_id) {
    case PROP_METHOD:
      self->method = g_value_get_enum (value);
      break;
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      /* An empty string means the default, as NULL does. */
      if (self->model != NULL && self->model[0] == '\0')
        g_clear_pointer (&self->model, g_free);
      break;
    case PROP_LABELS:{
      const gchar *labels = g_value_get_string (value);
      gboolean wanted[FA_COCO_N_CLASSES];
      GError *error = NULL;
      if (labels == NULL)
        labels = DEFAULT_PROP_LABELS;
      if (!fa_coco_parse_labels (labels, wanted, &error)) {
        g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "labels \"%s\" refused: %s",
            labels, error->message);
        g_error_free (error);
        break;
      }
      memcpy (self->wanted, wanted, sizeof wanted);
      g_free (self->labels);
      self->labels = g_strdup (labels);
      self->config_changed = TRUE;
      break;
    }
    case PROP_SCORE_THRESHOLD:{
      gfloat t = g_value_get_float (value);
      if (t < 0 && t != -1.0f) {
        g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "score-threshold %g refused: "
            "use 0..1, or -1 for the method's default", t);
        break;
      }
      self->score_threshold = t;
      self->config_changed = TRUE;
      break;
    }
    case PROP_NMS_THRESHOLD:
      self->nms_threshold = g_value_get_float (value);
      self->config_changed = TRUE;
      break;
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_INPUT_SIZE:{
      gint size = g_value_get_int (value);
      if (size % 32 != 0) {
        g_log (LOG_DOMAIN, G_LOG_LEVEL_WARNING, "input-size %d refused: use a "
            "multiple of 32 (the network's largest stride)", size);
        break;
      }
      self->input_size = size;
      self->config_changed = TRUE;
      break;
    }
    case PROP_THREADS:
      self->threads = g_value_get_int (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_DRAW:
      self->draw = g_value_get_boolean (value);
      break;
    case PROP_MOTION_GATE:
      self->motion_gate = g_value_get_boolean (value);
      break;
    case PROP_MOTION_THRESHOLD:
      self->motion.min_changed = g_value_get_float (value);
      self->config_changed = TRUE;
      break;
    case PROP_MOTION_PIXEL_THRESHOLD:
      self->motion.pixel_threshold = g_value_get_int (value);
      self->config_changed = TRUE;
      break;
    case PROP_MOTION_PERIOD:
      self->motion.period = g_value_get_uint (value);
      self->config_changed = TRUE;
      break;
    case PROP_BACKGROUND:
      self->background = g_value_get_boolean (value);
      break;
    case PROP_SETTLED_INTERVAL:
      self->settled_interval = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_object_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  FaObjectDetect *self = FA_OBJECT_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METHOD:
      g_value_set_enum (value, self->method);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_LABELS:
      g_value_set_string (value, self->labels);
      break;
    case PROP_SCORE_THRESHOLD:
      g_value_set_float (value, self->score_threshold);
      break;
    case PROP_NMS_THRESHOLD:
      g_value_set_float (value, self->nms_threshold);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_INPUT_SIZE:
      g_value_set_int (value, self->input_size);
      break;
    case PROP_THREADS:
      g_value_set_int (value, self->threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_DRAW:
      g_value_set_boolean (value, self->draw);
      break;
    case PROP_MOTION_GATE:
      g_value_set_boolean (value, self->motion_gate);
      break;
    case PROP_MOTION_THRESHOLD:
      g_value_set_float (value, self->motion.min_changed);
      break;
    case PROP_MOTION_PIXEL_THRESHOLD:
      g_value_set_int (value, self->motion.pixel_threshold);
      break;
    case PROP_MOTION_PERIOD:
      g_value_set_uint (value, self->motion.period);
      break;
    case PROP_BACKGROUND:
      g_value_set_boolean (value, self->background);
      break;
    case PROP_SETTLED_INTERVAL:
      g_value_set_uint (value, self->settled_interval);
      break;
    case PROP_DETECTIONS:
      g_value_set_uint64 (value, self->detections);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
