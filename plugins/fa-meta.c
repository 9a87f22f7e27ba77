#include "fa-meta.h"

GstVideoRegionOfInterestMeta *
fa_meta_add_face (GstBuffer *buffer, const FaFace *face, const gchar *method)
{
  GstVideoRegionOfInterestMeta *roi = gst_buffer_add_video_region_of_interest_meta (
      buffer, FA_ROI_TYPE_FACE, (guint) MAX (face->box.x, 0.f), (guint) MAX (face->box.y, 0.f),
      (guint) (face->box.width + .5f), (guint) (face->box.height + .5f));

  GstStructure *s = gst_structure_new (FA_META_DETECTION,
      "score", G_TYPE_DOUBLE, (gdouble) face->score,
      "method", G_TYPE_STRING, method, NULL);
  if (face->has_landmarks) {
    GValue array = G_VALUE_INIT, v = G_VALUE_INIT;
    gst_value_array_init (&array, 2 * FA_FACE_N_LANDMARKS);
    g_value_init (&v, G_TYPE_DOUBLE);
    for (int i = 0; i < FA_FACE_N_LANDMARKS; i++)
      for (int c = 0; c < 2; c++) {
        g_value_set_double (&v, face->landmarks[i][c]);
        gst_value_array_append_value (&array, &v);
      }
    gst_structure_take_value (s, "landmarks", &array);
    g_value_unset (&v);
  }
  gst_video_region_of_interest_meta_add_param (roi, s);
  return roi;
}

gboolean
fa_meta_read_face (GstVideoRegionOfInterestMeta *roi, FaFace *face)
{
  if (roi->roi_type != g_quark_from_static_string (FA_ROI_TYPE_FACE))
    return FALSE;
  memset (face, 0, sizeof *face);
  face->box = (FaRect) {roi->x, roi->y, roi->w, roi->h};
  GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, FA_META_DETECTION);
  if (s == NULL)
    return TRUE;
  gdouble score = 0;
  if (gst_structure_get_double (s, "score", &score))
    face->score = (float) score;
  const GValue *lm = gst_structure_get_value (s, "landmarks");
  if (lm != NULL && GST_VALUE_HOLDS_ARRAY (lm)
      && gst_value_array_get_size (lm) == 2 * FA_FACE_N_LANDMARKS) {
    for (guint i = 0; i < 2 * FA_FACE_N_LANDMARKS; i++)
      face->landmarks[i / 2][i % 2] = (float) g_value_get_double (gst_value_array_get_value (lm, i));
    face->has_landmarks = TRUE;
  }
  return TRUE;
}

GstVideoRegionOfInterestMeta *
fa_meta_add_object (GstBuffer *buffer, const FaObject *object, const gchar *method,
    gboolean fresh)
{
  const gchar *label = fa_coco_label (object->class_id);
  g_return_val_if_fail (label != NULL, NULL);
  GstVideoRegionOfInterestMeta *roi = gst_buffer_add_video_region_of_interest_meta (
      buffer, label, (guint) MAX (object->box.x, 0.f), (guint) MAX (object->box.y, 0.f),
      (guint) (object->box.width + .5f), (guint) (object->box.height + .5f));
  gst_video_region_of_interest_meta_add_param (roi, gst_structure_new (FA_META_OBJECT,
          "label", G_TYPE_STRING, label,
          "score", G_TYPE_DOUBLE, (gdouble) object->score,
          "class-id", G_TYPE_INT, object->class_id,
          "method", G_TYPE_STRING, method,
          "fresh", G_TYPE_BOOLEAN, fresh, NULL));
  return roi;
}

gboolean
fa_meta_identity_is_face (const GstStructure *identity)
{
  gboolean vetoed = FALSE, waiting = FALSE;
  gst_structure_get_boolean (identity, "vetoed", &vetoed);
  gst_structure_get_boolean (identity, "waiting", &waiting);
  return !vetoed && !waiting;
}

gboolean
fa_meta_read_object (GstVideoRegionOfInterestMeta *roi, FaObject *object, gboolean *fresh)
{
  GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, FA_META_OBJECT);
  if (s == NULL)
    return FALSE;
  memset (object, 0, sizeof *object);
  object->box = (FaRect) {roi->x, roi->y, roi->w, roi->h};
  gdouble score = 0;
  if (gst_structure_get_double (s, "score", &score))
    object->score = (float) score;
  if (!gst_structure_get_int (s, "class-id", &object->class_id))
    object->class_id = fa_coco_class_id (g_quark_to_string (roi->roi_type));
  if (fresh != NULL && !gst_structure_get_boolean (s, "fresh", fresh))
    *fresh = TRUE;
  return TRUE;
}

static const GstMetaInfo *
object_scan_meta_info (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter (&info)) {
    /* No tags: a transform that keeps untagged metas (videoconvert, queues,
     * tees) keeps it; one that drops it only costs facedetect a full-frame
     * search. */
    const gchar *tags[] = {NULL};
    /* The plugin and an application linking fa-meta each have a copy of
     * this code: whichever comes second finds the first's registration. */
    const GstMetaInfo *i = gst_meta_get_info (FA_META_OBJECT_SCAN_API);
    if (i == NULL)
      i = gst_meta_register_custom (FA_META_OBJECT_SCAN_API, tags, NULL, NULL, NULL);
    g_once_init_leave (&info, i);
  }
  return info;
}

void
fa_meta_add_object_scan (GstBuffer *buffer, const gchar *method, gboolean fresh,
    guint age, const gchar *labels, guint n_objects)
{
  object_scan_meta_info ();
  GstCustomMeta *meta = gst_buffer_add_custom_meta (buffer, FA_META_OBJECT_SCAN_API);
  GstStructure *s = gst_custom_meta_get_structure (meta);
  gst_structure_set_name (s, FA_META_OBJECT_SCAN);
  gst_structure_set (s, "method", G_TYPE_STRING, method, "fresh", G_TYPE_BOOLEAN, fresh,
      "age", G_TYPE_UINT, age,
      "labels", G_TYPE_STRING, labels, "n-objects", G_TYPE_UINT, n_objects, NULL);
}

const GstStructure *
fa_meta_get_object_scan (GstBuffer *buffer)
{
  object_scan_meta_info ();
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, FA_META_OBJECT_SCAN_API);
  return meta != NULL ? gst_custom_meta_get_structure (meta) : NULL;
}

gboolean
fa_meta_pixel_format (GstVideoFormat format, FaPixelFormat *out)
{
  switch (format) {
    case GST_VIDEO_FORMAT_GRAY8: *out = FA_PIXEL_GRAY8; return TRUE;
    case GST_VIDEO_FORMAT_RGB: *out = FA_PIXEL_RGB; return TRUE;
    case GST_VIDEO_FORMAT_BGR: *out = FA_PIXEL_BGR; return TRUE;
    case GST_VIDEO_FORMAT_RGBx: case GST_VIDEO_FORMAT_RGBA: *out = FA_PIXEL_RGBX; return TRUE;
    case GST_VIDEO_FORMAT_BGRx: case GST_VIDEO_FORMAT_BGRA: *out = FA_PIXEL_BGRX; return TRUE;
    case GST_VIDEO_FORMAT_xRGB: case GST_VIDEO_FORMAT_ARGB: *out = FA_PIXEL_XRGB; return TRUE;
    case GST_VIDEO_FORMAT_xBGR: case GST_VIDEO_FORMAT_ABGR: *out = FA_PIXEL_XBGR; return TRUE;
    case GST_VIDEO_FORMAT_I420: *out = FA_PIXEL_I420; return TRUE;
    case GST_VIDEO_FORMAT_YV12: *out = FA_PIXEL_YV12; return TRUE;
    case GST_VIDEO_FORMAT_NV12: *out = FA_PIXEL_NV12; return TRUE;
    case GST_VIDEO_FORMAT_NV21: *out = FA_PIXEL_NV21; return TRUE;
    default: return FALSE;
  }
}

gboolean
fa_meta_image_of_frame (GstVideoFrame *frame, FaImage *image)
{
  if (!fa_meta_pixel_format (GST_VIDEO_FRAME_FORMAT (frame), &image->format))
    return FALSE;
  image->width = GST_VIDEO_FRAME_WIDTH (frame);
  image->height = GST_VIDEO_FRAME_HEIGHT (frame);
  for (guint i = 0; i < 3; i++) {
    gboolean has = i < GST_VIDEO_FRAME_N_PLANES (frame);
    image->planes[i] = has ? GST_VIDEO_FRAME_PLANE_DATA (frame, i) : NULL;
    image->strides[i] = has ? GST_VIDEO_FRAME_PLANE_STRIDE (frame, i) : 0;
  }
  return TRUE;
}

/* GstCustomMeta (1.20+): copied along with the buffer, no tags. The plugin
 * and a test program each link a copy of this file: whichever comes first
 * registers it. */
static void
register_frame_record_meta (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    static const gchar *tags[] = { NULL };
    if (gst_meta_get_info (FA_META_FRAME_RECORD) == NULL)
      gst_meta_register_custom (FA_META_FRAME_RECORD, tags, NULL, NULL, NULL);
    g_once_init_leave (&done, 1);
  }
}

void
fa_meta_set_frame_record (GstBuffer *buffer, const gchar *record)
{
  register_frame_record_meta ();
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, FA_META_FRAME_RECORD);
  if (meta == NULL)
    meta = gst_buffer_add_custom_meta (buffer, FA_META_FRAME_RECORD);
  GstStructure *s = gst_custom_meta_get_structure (meta);
  gst_structure_set_name (s, "facealert/frame-record");
  gst_structure_set (s, "record", G_TYPE_STRING, record, NULL);
}

const gchar *
fa_meta_get_frame_record (GstBuffer *buffer)
{
  register_frame_record_meta ();
  GstCustomMeta *meta = gst_buffer_get_custom_meta (buffer, FA_META_FRAME_RECORD);
  return meta != NULL
      ? gst_structure_get_string (gst_custom_meta_get_structure (meta), "record") : NULL;
}
