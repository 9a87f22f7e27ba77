/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-facedetect
 * @title: facedetect
 *
 * Finds faces in raw video, in place. Each face becomes one
 * #GstVideoRegionOfInterestMeta (roi_type "face") with a
 * "facealert/detection" parameter structure (score, landmarks, method; see
 * plugins/fa-meta.h), and, unless #FaFaceDetect:post-messages is off, the
 * element posts one element message per frame in the shape of
 * gst-plugins-bad's facedetect so tools written for it keep working.
 *
 * Methods: "yunet" (OpenCV FaceDetectorYN with the YuNet 2022mar model, the
 * default: fast, accurate, 5 landmarks), "hog" (dlib frontal face detector,
 * no model file), "mmod" (dlib CNN, mmod_human_face_detector.dat, slow),
 * "haar" (OpenCV Haar cascade from Debian's opencv-data). hog, mmod and haar
 * get their 5 landmarks from dlib's 68-point shape predictor
 * (#FaFaceDetect:landmarks).
 *
 * With an objectdetect upstream, faces are searched only inside person boxes
 * (#FaFaceDetect:search, as Frigate does): the top of a standing person's box,
 * a sitting person's whole box, with a margin. That costs about the boxes'
 * share of the frame, nothing on a frame without a person, and never finds a
 * "face" on a cat or a dog. Every #FaFaceDetect:frame-search-interval
 * detections the whole frame is searched anyway, for the faces of persons
 * the object detector missed (a child half hidden behind a parent).
 *
 * ## The "facedetect" element message
 *
 * - timestamp (guint64): the buffer's PTS
 * - stream-time (guint64), running-time (guint64): of that PTS
 * - duration (guint64): the buffer's duration
 * - faces (GstValueList of GstStructure "face"), one per face, best first:
 *   - x, y, width, height (guint): box in frame pixels (as upstream)
 *   - score (gdouble): detector confidence 0..1 (ours)
 *   - landmarks (GstValueArray of 10 gdouble): x,y of right eye, left eye,
 *     nose tip, right and left mouth corners, when the method gives them (ours)
 * - method (gchararray): the detection method (ours)
 * - detected (gboolean): FALSE when the faces are the previous detection's,
 *   re-attached on a frame skipped by #FaFaceDetect:interval (ours)
 * - search (gchararray): "frame" or "person-boxes": where this frame's faces
 *   were searched (see #FaFaceDetect:search) (ours)
 * - regions (guint): how many regions were searched (1 for the frame; 0 in
 *   person-boxes mode on a frame without a person) (ours)
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m filesrc location=tests/data/videos/moviepy_chaplin.mp4 ! decodebin ! videoconvert ! \
 *     facedetect ! fakesink
 * ]| Prints a facedetect message per frame.
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! facedetect draw=true interval=3 ! \
 *     videoconvert ! autovideosink
 * ]| Shows the faces, detecting on every third frame.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfacedetect.h"

#include "fa-detector.h"
#include "fa-draw.h"
#include "fa-elements.h"
#include "fa-face-regions.h"
#include "fa-meta.h"

GST_DEBUG_CATEGORY_STATIC (fa_face_detect_debug);
#define GST_CAT_DEFAULT fa_face_detect_debug

#define DEFAULT_PROP_METHOD FA_DETECT_YUNET
#define DEFAULT_PROP_MODEL NULL
#define DEFAULT_PROP_SCORE_THRESHOLD -1.0f
#define DEFAULT_PROP_NMS_THRESHOLD 0.3f
#define DEFAULT_PROP_MIN_SIZE 0
#define DEFAULT_PROP_DETECT_WIDTH -1
/* What detect-width=-1 means: yunet finds faces down to ~10 pixels, so 320
 * keeps faces from ~32 pixels in a 640-wide frame at ~1/4 of the CPU; the
 * dlib methods need faces of 80 pixels (40 with their 2x upsampling). */
#define YUNET_DETECT_WIDTH 320
#define OTHER_DETECT_WIDTH 640
#define DEFAULT_PROP_INTERVAL 1
#define DEFAULT_PROP_MAX_FACES 0
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_DRAW FALSE
#define DEFAULT_PROP_LANDMARKS TRUE
#define DEFAULT_PROP_THREADS 1
#define DEFAULT_PROP_SEARCH FA_FACE_DETECT_SEARCH_AUTO
#define DEFAULT_PROP_FRAME_SEARCH_INTERVAL 15
/* Person boxes are a fraction of the frame: searched at the scale of a
 * 640-wide frame they find faces from ~20 pixels (a whole 640x480 frame at
 * 320 misses them under ~32) for less CPU than the whole frame at 320. */
#define DEFAULT_PROP_BOX_DETECT_WIDTH 640

#define MIN_DETECT_WIDTH 32

/* Refused property values are reported with g_log (not the structured
 * g_warning) in this domain, so applications and tests can filter them. */

enum
{
  PROP_0,
  PROP_METHOD,
  PROP_MODEL,
  PROP_SCORE_THRESHOLD,
  PROP_NMS_THRESHOLD,
  PROP_MIN_SIZE,
  PROP_DETECT_WIDTH,
  PROP_INTERVAL,
  PROP_MAX_FACES,
  PROP_POST_MESSAGES,
  PROP_DRAW,
  PROP_LANDMARKS,
  PROP_THREADS,
  PROP_SEARCH,
  PROP_FRAME_SEARCH_INTERVAL,
  PROP_BOX_DETECT_WIDTH,
};

#define FA_FACE_DETECT_CAPS GST_VIDEO_CAPS_MAKE ("{ I420, YV12, NV12, NV21, " \
    "RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, GRAY8 }")

static GstStaticPadTemplate fa_face_detect_src_template =
GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_FACE_DETECT_CAPS));

static GstStaticPadTemplate fa_face_detect_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (FA_FACE_DETECT_CAPS));

struct _FaFaceDetect
{
  GstVideoFilter videofilter;

  /* properties, under the object lock */
  FaDetectMethod method;
  gchar *model;
  gfloat score_threshold;
  gfloat nms_threshold;
  gint min_size;
  gint detect_width;
  guint interval;
  gint max_faces;
  gboolean post_messages;
  gboolean draw;
  gboolean landmarks;
  gint threads;
  FaFaceDetectSearch search;
  guint frame_search_interval;
  gint box_detect_width;
  gboolean config_changed;

  /* streaming state, from start() to stop() */
  FaDetector *detector;
  GArray *faces;                /* FaFace, the last detection's */
  GArray *persons;              /* FaRect, this frame's person boxes */
  GArray *regions;              /* FaRect, where faces are searched */
  guint64 frame_count;
  guint64 box_searches;         /* detections since start in search=auto */
};

GType
fa_face_detect_search_get_type (void)
{
  static GType search_type = 0;
  static const GEnumValue searches[] = {
    {FA_FACE_DETECT_SEARCH_AUTO, "Inside person boxes when an objectdetect "
          "upstream searched the frame for persons, else the whole frame",
        "auto"},
    {FA_FACE_DETECT_SEARCH_FRAME, "Always the whole frame", "frame"},
    {FA_FACE_DETECT_SEARCH_PERSON_BOXES, "Only inside person boxes (none: no "
          "search)", "person-boxes"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&search_type)) {
    GType type = g_enum_register_static ("FaFaceDetectSearch", searches);
    g_once_init_leave (&search_type, type);
  }
  return search_type;
}

GType
fa_face_detect_method_get_type (void)
{
  static GType method_type = 0;
  static const GEnumValue methods[] = {
    {FA_DETECT_YUNET, "YuNet CNN (OpenCV FaceDetectorYN, 2022mar model): fast, "
          "5 landmarks", "yunet"},
    {FA_DETECT_HOG, "dlib HOG frontal face detector (no model file)", "hog"},
    {FA_DETECT_MMOD, "dlib MMOD CNN (mmod_human_face_detector.dat): slow",
        "mmod"},
    {FA_DETECT_HAAR, "OpenCV Haar cascade (opencv-data frontalface_default)",
        "haar"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&method_type)) {
    GType type = g_enum_register_static ("FaFaceDetectMethod", methods);
    g_once_init_leave (&method_type, type);
  }
  return method_type;
}

#define fa_face_detect_parent_class parent_class
G_DEFINE_TYPE (FaFaceDetect, fa_face_detect, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (facedetect, "facedetect", GST_RANK_NONE,
    FA_TYPE_FACE_DETECT);

/* Builds the library configuration from the properties (object lock held). */
static void
fa_face_detect_fill_config (FaFaceDetect * self, FaDetectorConfig * config)
{
  fa_detector_config_init (config, self->method);
  config->model_path = self->model;
  if (self->score_threshold >= 0)
    config->score_threshold = self->score_threshold;
  config->nms_threshold = self->nms_threshold;
  if (self->min_size > 0)
    config->min_size = self->min_size;
  if (self->detect_width >= 0)
    config->detect_width = self->detect_width;
  else
    config->detect_width = self->method == FA_DETECT_YUNET ? YUNET_DETECT_WIDTH
        : OTHER_DETECT_WIDTH;
  config->max_faces = self->max_faces;
  config->landmarks = self->landmarks;
  config->region_detect_width = self->box_detect_width;
}

static gboolean
fa_face_detect_start (GstBaseTransform * trans)
{
  FaFaceDetect *self = FA_FACE_DETECT (trans);
  FaDetectorConfig config;
  GError *error = NULL;

  /* The model loads outside the object lock: loading can take seconds
   * (mmod), and nothing that needs the lock (property reads, messages) may
   * wait for it meanwhile. */
  GST_OBJECT_LOCK (self);
  fa_face_detect_fill_config (self, &config);
  gchar *model_path = g_strdup (config.model_path);
  config.model_path = model_path;
  gint threads = self->threads;
  self->config_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  fa_detect_set_threads (threads);
  self->detector = fa_detector_new (&config, &error);
  g_free (model_path);

  if (self->detector == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
        ("Could not load the %s face detection model: %s",
            fa_detect_method_name (config.method), error->message),
        ("fa_detector_new failed (error code %d)", error->code));
    g_error_free (error);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "method %s, model %s",
      fa_detect_method_name (config.method),
      GST_STR_NULL (fa_detector_get_config (self->detector)->model_path));

  self->faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  self->persons = g_array_new (FALSE, FALSE, sizeof (FaRect));
  self->regions = g_array_new (FALSE, FALSE, sizeof (FaRect));
  self->frame_count = 0;
  self->box_searches = 0;
  return TRUE;
}

static gboolean
fa_face_detect_stop (GstBaseTransform * trans)
{
  FaFaceDetect *self = FA_FACE_DETECT (trans);

  g_clear_pointer (&self->detector, fa_detector_free);
  g_clear_pointer (&self->faces, g_array_unref);
  g_clear_pointer (&self->persons, g_array_unref);
  g_clear_pointer (&self->regions, g_array_unref);
  return TRUE;
}

/* Clips every face box to the frame; drops faces left empty. */
static void
fa_face_detect_clip_faces (GArray * faces, int width, int height)
{
  guint kept = 0;

  for (guint i = 0; i < faces->len; i++) {
    FaFace face = g_array_index (faces, FaFace, i);
    float x0 = CLAMP (face.box.x, 0.f, (float) width);
    float y0 = CLAMP (face.box.y, 0.f, (float) height);
    float x1 = CLAMP (face.box.x + face.box.width, 0.f, (float) width);
    float y1 = CLAMP (face.box.y + face.box.height, 0.f, (float) height);
    if (x1 - x0 < 1.f || y1 - y0 < 1.f)
      continue;
    face.box = (FaRect) {
    x0, y0, x1 - x0, y1 - y0};
    g_array_index (faces, FaFace, kept++) = face;
  }
  g_array_set_size (faces, kept);
}

/* Collects the person boxes on @buf into self->persons. Returns TRUE when
 * faces should be searched only inside them: always for person-boxes; for
 * auto when an objectdetect upstream looked for persons on this frame (even
 * if it found none: then there is no face to search for) or left person
 * boxes. */
static gboolean
fa_face_detect_collect_persons (FaFaceDetect * self, GstBuffer * buf,
    FaFaceDetectSearch search)
{
  gpointer state = NULL;
  GstMeta *meta;

  g_array_set_size (self->persons, 0);
  if (search == FA_FACE_DETECT_SEARCH_FRAME)
    return FALSE;
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    FaObject object;
    if (fa_meta_read_object ((GstVideoRegionOfInterestMeta *) meta, &object,
            NULL) && object.class_id == FA_COCO_PERSON)
      g_array_append_val (self->persons, object.box);
  }
  if (search == FA_FACE_DETECT_SEARCH_PERSON_BOXES || self->persons->len > 0)
    return TRUE;

  const GstStructure *scan = fa_meta_get_object_scan (buf);
  const gchar *labels = scan ? gst_structure_get_string (scan, "labels") : NULL;
  if (labels == NULL)
    return FALSE;
  g_auto (GStrv) names = g_strsplit (labels, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (g_strstrip (names[i]), "person") == 0)
      return TRUE;
  return FALSE;
}

static GstMessage *
fa_face_detect_message_new (FaFaceDetect * self, GstBuffer * buf,
    const gchar * method, gboolean detected, gboolean in_boxes)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM_CAST (self);
  GstClockTime ts = GST_BUFFER_PTS (buf);
  GValue list = G_VALUE_INIT;
  GstStructure *s;

  s = gst_structure_new ("facedetect",
      "timestamp", G_TYPE_UINT64, ts,
      "stream-time", G_TYPE_UINT64,
      gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, ts),
      "running-time", G_TYPE_UINT64,
      gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, ts),
      "duration", G_TYPE_UINT64, GST_BUFFER_DURATION (buf), NULL);

  g_value_init (&list, GST_TYPE_LIST);
  for (guint i = 0; i < self->faces->len; i++) {
    const FaFace *face = &g_array_index (self->faces, FaFace, i);
    GValue v = G_VALUE_INIT;
    GstStructure *f = gst_structure_new ("face",
        "x", G_TYPE_UINT, (guint) (face->box.x + .5f),
        "y", G_TYPE_UINT, (guint) (face->box.y + .5f),
        "width", G_TYPE_UINT, (guint) (face->box.width + .5f),
        "height", G_TYPE_UINT, (guint) (face->box.height + .5f),
        "score", G_TYPE_DOUBLE, (gdouble) face->score, NULL);

    if (face->has_landmarks) {
      GValue array = G_VALUE_INIT, d = G_VALUE_INIT;
      gst_value_array_init (&array, 2 * FA_FACE_N_LANDMARKS);
      g_value_init (&d, G_TYPE_DOUBLE);
      for (int k = 0; k < FA_FACE_N_LANDMARKS; k++)
        for (int c = 0; c < 2; c++) {
          g_value_set_double (&d, face->landmarks[k][c]);
          gst_value_array_append_value (&array, &d);
        }
      gst_structure_take_value (f, "landmarks", &array);
      g_value_unset (&d);
    }
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, f);
    gst_value_list_append_and_take_value (&list, &v);
  }
  gst_structure_take_value (s, "faces", &list);
  gst_structure_set (s, "method", G_TYPE_STRING, method,
      "detected", G_TYPE_BOOLEAN, detected,
      "search", G_TYPE_STRING, in_boxes ? "person-boxes" : "frame",
      "regions", G_TYPE_UINT, in_boxes ? self->regions->len : 1, NULL);

  return gst_message_new_element (GST_OBJECT (self), s);
}

static GstFlowReturn
fa_face_detect_transform_frame_ip (GstVideoFilter * filter,
    GstVideoFrame * frame)
{
  FaFaceDetect *self = FA_FACE_DETECT (filter);
  const gchar *method;
  gboolean detect, post_messages, draw, in_boxes = FALSE;
  FaFaceDetectSearch search;
  guint frame_search_interval;
  FaImage image;

  if (!fa_meta_image_of_frame (frame, &image)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("unsupported video format %s",
            gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame))));
    return GST_FLOW_ERROR;
  }

  GST_OBJECT_LOCK (self);
  if (self->config_changed) {
    FaDetectorConfig config;
    fa_face_detect_fill_config (self, &config);
    fa_detector_update (self->detector, &config);
    self->config_changed = FALSE;
  }
  detect = self->frame_count % self->interval == 0;
  post_messages = self->post_messages;
  draw = self->draw;
  search = self->search;
  frame_search_interval = self->frame_search_interval;
  GST_OBJECT_UNLOCK (self);
  self->frame_count++;
  method = fa_detect_method_name (fa_detector_get_config (self->detector)->method);

  if (detect) {
    GError *error = NULL;

    int n;

    g_array_set_size (self->faces, 0);
    in_boxes = fa_face_detect_collect_persons (self, frame->buffer, search);
    /* auto: now and then the whole frame, for the faces of persons the
     * object detector missed (occluded, cut by the frame edge). */
    if (in_boxes && search == FA_FACE_DETECT_SEARCH_AUTO
        && frame_search_interval > 0
        && self->box_searches++ % frame_search_interval == 0)
      in_boxes = FALSE;
    if (in_boxes) {
      g_array_set_size (self->regions, 0);
      fa_face_search_regions ((const FaRect *) self->persons->data,
          self->persons->len, image.width, image.height, self->regions);
      n = fa_detector_detect_in (self->detector, &image,
          (const FaRect *) self->regions->data, self->regions->len,
          self->faces, &error);
    } else {
      n = fa_detector_detect (self->detector, &image, self->faces, &error);
    }
    if (n < 0) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED,
          ("Face detection failed: %s", error->message), (NULL));
      g_error_free (error);
      return GST_FLOW_ERROR;
    }
    fa_face_detect_clip_faces (self->faces, image.width, image.height);
    GST_LOG_OBJECT (self, "%u faces in frame %" G_GUINT64_FORMAT,
        self->faces->len, self->frame_count - 1);
  }

  for (guint i = 0; i < self->faces->len; i++)
    fa_meta_add_face (frame->buffer, &g_array_index (self->faces, FaFace, i),
        method);

  if (draw && self->faces->len > 0)
    fa_draw_faces (&image, (const FaFace *) self->faces->data,
        self->faces->len);

  if (post_messages)
    gst_element_post_message (GST_ELEMENT (self),
        fa_face_detect_message_new (self, frame->buffer, method, detect,
            in_boxes));

  return GST_FLOW_OK;
}

static void
fa_face_detect_finalize (GObject * object)
{
  FaFaceDetect *self = FA_FACE_DETECT (object);

  g_free (self->model);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void fa_face_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_face_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);

static void
fa_face_detect_class_init (FaFaceDetectClass * klass)
{
  GObjectClass *gobject_class = (GObjectClass *) klass;
  GstElementClass *element_class = (GstElementClass *) klass;
  GstBaseTransformClass *trans_class = (GstBaseTransformClass *) klass;
  GstVideoFilterClass *vfilter_class = (GstVideoFilterClass *) klass;

  GST_DEBUG_CATEGORY_INIT (fa_face_detect_debug, "facedetect", 0,
      "facealert face detection");

  gobject_class->finalize = fa_face_detect_finalize;
  gobject_class->set_property = fa_face_detect_set_property;
  gobject_class->get_property = fa_face_detect_get_property;

  g_object_class_install_property (gobject_class, PROP_METHOD,
      g_param_spec_enum ("method", "Method",
          "Detection method: yunet (default), hog, mmod or haar",
          FA_TYPE_FACE_DETECT_METHOD, DEFAULT_PROP_METHOD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file for the method; NULL: yunet and mmod use the default "
          "models directory ($FACEALERT_MODELS_DIR or "
          "~/.local/share/facealert/models, filled by scripts/fetch-models.sh), "
          "haar uses " FA_DETECT_DEFAULT_HAAR_MODEL ", hog needs none",
          DEFAULT_PROP_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SCORE_THRESHOLD,
      g_param_spec_float ("score-threshold", "Score threshold",
          "Smallest score (0..1) a face needs; -1: the method's default "
          "(yunet 0.7; hog, mmod and haar 0.5, their library's own threshold)",
          -1.0f, 1.0f, DEFAULT_PROP_SCORE_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_NMS_THRESHOLD,
      g_param_spec_float ("nms-threshold", "NMS threshold",
          "Overlap (IoU, 0..1) above which the weaker of two faces is dropped",
          0.0f, 1.0f, DEFAULT_PROP_NMS_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_SIZE,
      g_param_spec_int ("min-size", "Minimum face size",
          "Smallest face side kept, in frame pixels; 0: the method's default "
          "(20; hog and mmod 40: below their window they upsample 2x, "
          "about 4x the CPU)", 0, 4096, DEFAULT_PROP_MIN_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_DETECT_WIDTH,
      g_param_spec_int ("detect-width", "Detection width",
          "Detect on a copy downscaled to this width (boxes are mapped back to "
          "the frame); 0: full size; -1: the method's default (yunet 320: "
          "faces from ~32 pixels in a 640-wide frame at ~6 ms CPU; 640 finds "
          "them from ~16 pixels at ~4x the CPU; hog, mmod, haar 640)",
          -1, 8192, DEFAULT_PROP_DETECT_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INTERVAL,
      g_param_spec_uint ("interval", "Interval",
          "Detect on every Nth frame; the frames in between carry the last "
          "detection's faces", 1, G_MAXINT, DEFAULT_PROP_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_int ("max-faces", "Maximum faces",
          "Keep at most this many faces, the highest-scoring; 0: all",
          0, 1000, DEFAULT_PROP_MAX_FACES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a \"facedetect\" element message per frame (same shape as "
          "gst-plugins-bad facedetect's, plus score and landmarks)",
          DEFAULT_PROP_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_DRAW,
      g_param_spec_boolean ("draw", "Draw",
          "Draw face boxes (green) and landmarks (red) into the frame, "
          "for debugging", DEFAULT_PROP_DRAW,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LANDMARKS,
      g_param_spec_boolean ("landmarks", "Landmarks",
          "hog, mmod, haar: derive the 5 landmarks (needed by facematch) with "
          "dlib's 68-point model " FA_DETECT_DEFAULT_LANDMARK_MODEL
          " (libdlib-data); yunet always gives them", DEFAULT_PROP_LANDMARKS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "OpenCV worker threads, set when the element starts (process-wide: "
          "cv::setNumThreads). 1 uses the least CPU per frame, best when "
          "several cameras share the cores; -1: OpenCV's default (one per core, "
          "lower latency, ~15% more CPU)", -1, 64, DEFAULT_PROP_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SEARCH,
      g_param_spec_enum ("search", "Search",
          "Where faces are searched: auto (default: only inside person boxes "
          "when an objectdetect upstream looked for persons, costing about the "
          "boxes' share of the frame and nothing on frames without a person; "
          "the whole frame otherwise), frame, or person-boxes",
          FA_TYPE_FACE_DETECT_SEARCH, DEFAULT_PROP_SEARCH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BOX_DETECT_WIDTH,
      g_param_spec_int ("box-detect-width", "Box detection width",
          "Search person boxes at the scale of a frame this wide (0: full size; "
          "-1: detect-width). 640 finds faces from ~20 pixels in a 640-wide "
          "frame, for about the boxes' share of a 640-wide search (on the test "
          "film less CPU than the whole frame at 320, 3x the faces)",
          -1, 8192, DEFAULT_PROP_BOX_DETECT_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_FRAME_SEARCH_INTERVAL,
      g_param_spec_uint ("frame-search-interval", "Frame search interval",
          "With search=auto and person boxes, search the whole frame instead "
          "on every Nth detection (the first included), for faces of persons "
          "the object detector missed (occluded, half out of the frame); costs "
          "1/N of a whole-frame search. 0: never",
          0, G_MAXINT, DEFAULT_PROP_FRAME_SEARCH_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "Face detection", "Filter/Analyzer/Video",
      "Finds faces: attaches one region-of-interest meta per face and posts "
      "facedetect messages", "facealert developers");

  gst_element_class_add_static_pad_template (element_class,
      &fa_face_detect_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &fa_face_detect_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (fa_face_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (fa_face_detect_stop);
  vfilter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (fa_face_detect_transform_frame_ip);

  gst_type_mark_as_plugin_api (FA_TYPE_FACE_DETECT_METHOD, 0);
  gst_type_mark_as_plugin_api (FA_TYPE_FACE_DETECT_SEARCH, 0);
}

static void
fa_face_detect_init (FaFaceDetect * self)
{
  self->method = DEFAULT_PROP_METHOD;
  self->model = g_strdup (DEFAULT_PROP_MODEL);
  self->score_threshold = DEFAULT_PROP_SCORE_THRESHOLD;
  self->nms_threshold = DEFAULT_PROP_NMS_THRESHOLD;
  self->min_size = DEFAULT_PROP_MIN_SIZE;
  self->detect_width = DEFAULT_PROP_DETECT_WIDTH;
  self->interval = DEFAULT_PROP_INTERVAL;
  self->max_faces = DEFAULT_PROP_MAX_FACES;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->draw = DEFAULT_PROP_DRAW;
  self->landmarks = DEFAULT_PROP_LANDMARKS;
  self->threads = DEFAULT_PROP_THREADS;
  self->search = DEFAULT_PROP_SEARCH;
  self->frame_search_interval = DEFAULT_PROP_FRAME_SEARCH_INTERVAL;
  self->box_detect_width = DEFAULT_PROP_BOX_DETECT_WIDTH;

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
}

static void
fa_face_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FaFaceDetect *self = FA_FACE_DETECT (object);

  GST_OBJECT_LOCK (self);
  if (self->detector != NULL && (prop_id == PROP_METHOD || prop_id == PROP_MODEL
          || prop_id == PROP_LANDMARKS || prop_id == PROP_THREADS))
    g_log ("facedetect", G_LOG_LEVEL_WARNING, "%s: changing %s while running "
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
    case PROP_SCORE_THRESHOLD:{
      gfloat t = g_value_get_float (value);
      if (t < 0 && t != -1.0f) {
        g_log ("facedetect", G_LOG_LEVEL_WARNING, "score-threshold %g refused: use 0..1, or -1 "
            "for the method's default", t);
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
    case PROP_MIN_SIZE:
      self->min_size = g_value_get_int (value);
      self->config_changed = TRUE;
      break;
    case PROP_DETECT_WIDTH:{
      gint w = g_value_get_int (value);
      if (w > 0 && w < MIN_DETECT_WIDTH) {
        g_log ("facedetect", G_LOG_LEVEL_WARNING, "detect-width %d refused: use "
            "-1 (method default), 0 (full size) or at least %d", w,
            MIN_DETECT_WIDTH);
        break;
      }
      self->detect_width = w;
      self->config_changed = TRUE;
      break;
    }
    case PROP_INTERVAL:
      self->interval = g_value_get_uint (value);
      break;
    case PROP_MAX_FACES:
      self->max_faces = g_value_get_int (value);
      self->config_changed = TRUE;
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_DRAW:
      self->draw = g_value_get_boolean (value);
      break;
    case PROP_LANDMARKS:
      self->landmarks = g_value_get_boolean (value);
      break;
    case PROP_THREADS:
      self->threads = g_value_get_int (value);
      break;
    case PROP_SEARCH:
      self->search = g_value_get_enum (value);
      break;
    case PROP_FRAME_SEARCH_INTERVAL:
      self->frame_search_interval = g_value_get_uint (value);
      break;
    case PROP_BOX_DETECT_WIDTH:{
      gint w = g_value_get_int (value);
      if (w > 0 && w < MIN_DETECT_WIDTH) {
        g_log ("facedetect", G_LOG_LEVEL_WARNING, "box-detect-width %d refused: "
            "use -1 (detect-width), 0 (full size) or at least %d", w,
            MIN_DETECT_WIDTH);
        break;
      }
      self->box_detect_width = w;
      self->config_changed = TRUE;
      break;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_face_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  FaFaceDetect *self = FA_FACE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METHOD:
      g_value_set_enum (value, self->method);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_SCORE_THRESHOLD:
      g_value_set_float (value, self->score_threshold);
      break;
    case PROP_NMS_THRESHOLD:
      g_value_set_float (value, self->nms_threshold);
      break;
    case PROP_MIN_SIZE:
      g_value_set_int (value, self->min_size);
      break;
    case PROP_DETECT_WIDTH:
      g_value_set_int (value, self->detect_width);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_MAX_FACES:
      g_value_set_int (value, self->max_faces);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_DRAW:
      g_value_set_boolean (value, self->draw);
      break;
    case PROP_LANDMARKS:
      g_value_set_boolean (value, self->landmarks);
      break;
    case PROP_THREADS:
      g_value_set_int (value, self->threads);
      break;
    case PROP_SEARCH:
      g_value_set_enum (value, self->search);
      break;
    case PROP_FRAME_SEARCH_INTERVAL:
      g_value_set_uint (value, self->frame_search_interval);
      break;
    case PROP_BOX_DETECT_WIDTH:
      g_value_set_int (value, self->box_detect_width);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
