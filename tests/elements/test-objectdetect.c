/* Element tests: objectdetect, through GstHarness (as gst-plugins-bad's
 * tests/check/elements/onnxinference.c), on real photos and both real
 * models. */
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#include "fa-image.h"
#include "fa-meta.h"
#include "fa-test.h"

/* A BGR buffer holding the decoded picture at @relative. */
static GstBuffer *
picture_buffer (const gchar *relative, GstVideoInfo *info)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  const FaImage *img = fa_picture_image (picture);

  gst_video_info_set_format (info, GST_VIDEO_FORMAT_BGR, img->width, img->height);
  GST_VIDEO_INFO_FPS_N (info) = 15;
  GST_VIDEO_INFO_FPS_D (info) = 1;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  GstVideoFrame frame;
  g_assert_true (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  for (int y = 0; y < img->height; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        img->planes[0] + (gsize) y * img->strides[0], (gsize) img->width * 3);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 15;
  return buf;
}

typedef struct {
  GstHarness *h;
  GstBus *bus;
} Fixture;

static void
fixture_init (Fixture *f, const gchar *launch, const GstVideoInfo *info)
{
  f->h = gst_harness_new_parse (launch);
  f->bus = gst_bus_new ();
  gst_element_set_bus (f->h->element, f->bus);
  gst_harness_set_src_caps (f->h, gst_video_info_to_caps (info));
}

static void
fixture_clear (Fixture *f)
{
  gst_element_set_bus (f->h->element, NULL);
  gst_object_unref (f->bus);
  gst_harness_teardown (f->h);
}

/* The last objectdetect message on the bus (NULL if none). */
static GstMessage *
pop_message (GstBus *bus)
{
  GstMessage *last = NULL, *msg;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    if (gst_message_has_name (msg, "objectdetect")) {
      if (last)
        gst_message_unref (last);
      last = msg;
    } else {
      gst_message_unref (msg);
    }
  }
  return last;
}

typedef struct {
  FaObject object;
  gboolean fresh;
  gchar label[32];
  gchar method[16];
} Found;

static GArray *
objects_of (GstBuffer *buf)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Found));
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buf, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    Found f = {0};
    g_assert_true (fa_meta_read_object (roi, &f.object, &f.fresh));
    GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, FA_META_OBJECT);
    g_strlcpy (f.label, gst_structure_get_string (s, "label"), sizeof f.label);
    g_strlcpy (f.method, gst_structure_get_string (s, "method"), sizeof f.method);
    /* roi_type is the label, class-id its COCO index */
    g_assert_cmpstr (g_quark_to_string (roi->roi_type), ==, f.label);
    g_assert_cmpstr (fa_coco_label (f.object.class_id), ==, f.label);
    g_assert_cmpfloat (f.object.score, >, 0);
    g_assert_cmpfloat (f.object.score, <=, 1);
    g_array_append_val (out, f);
  }
  return out;
}

static guint
count_label (GArray *found, const gchar *label)
{
  guint n = 0;
  for (guint i = 0; i < found->len; i++)
    n += g_str_equal (g_array_index (found, Found, i).label, label);
  return n;
}

/* Runs "objectdetect @props" on one picture. */
static GArray *
detect_picture (const gchar *props, const gchar *relative)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer (relative, &info);
  g_autofree gchar *launch = g_strdup_printf ("objectdetect %s", props ? props : "");
  Fixture f;
  fixture_init (&f, launch, &info);
  GstBuffer *out = gst_harness_push_and_pull (f.h, in);
  g_assert_nonnull (out);
  GArray *found = objects_of (out);
  gst_buffer_unref (out);
  fixture_clear (&f);
  return found;
}

static const gchar *const person_photos[] = {
  "people/Anthony_Hopkins/1.jpg", "people/Anthony_Hopkins/2.jpg",
  "people/Eric_Clapton/1.jpg", "people/Eric_Clapton/2.jpg",
  "people/John_Lennon/1.jpg", "people/John_Lennon/2.jpg",
  "people/John_Simm/1.jpg", "people/John_Simm/2.jpg", "people/John_Simm/3.jpg",
  "detection/dlib_faces/2007_007763.jpg", "detection/dlib_faces/2008_001009.jpg",
  "detection/dlib_faces/2008_001322.jpg", "detection/dlib_faces/2008_002079.jpg",
};

/* Every person photo has a person; the cat photo a cat and the dog photo a
 * dog, and neither a person. */
static void
test_people_and_pets (gconstpointer data)
{
  const gchar *method = data;
  g_autofree gchar *props = g_strdup_printf ("method=%s", method);
  for (guint i = 0; i < G_N_ELEMENTS (person_photos); i++) {
    g_autoptr (GArray) found = detect_picture (props, person_photos[i]);
    g_test_message ("%s %s: %u persons", method, person_photos[i], count_label (found, "person"));
    g_assert_cmpuint (count_label (found, "person"), >=, 1);
    for (guint k = 0; k < found->len; k++) {
      g_assert_cmpstr (g_array_index (found, Found, k).method, ==, method);
      g_assert_true (g_array_index (found, Found, k).fresh);
    }
  }
  g_autoptr (GArray) cat = detect_picture (props, "negatives/skimage_chelsea.png");
  g_assert_cmpuint (count_label (cat, "cat"), >=, 1);
  g_assert_cmpuint (count_label (cat, "person"), ==, 0);
  g_autoptr (GArray) dog = detect_picture (props, "negatives/darknet_dog.jpg");
  g_assert_cmpuint (count_label (dog, "dog"), >=, 1);
  g_assert_cmpuint (count_label (dog, "person"), ==, 0);
}

/* labels picks what is reported: labels=dog on the cat photo finds nothing,
 * labels=cat does; any COCO name is accepted (the dog photo has a bicycle
 * and a truck). */
static void
test_labels_filter (void)
{
  g_autoptr (GArray) none = detect_picture ("labels=dog", "negatives/skimage_chelsea.png");
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (GArray) cat = detect_picture ("labels=cat", "negatives/skimage_chelsea.png");
  g_assert_cmpuint (cat->len, >=, 1);
  g_assert_cmpuint (count_label (cat, "cat"), ==, cat->len);
  g_autoptr (GArray) person = detect_picture ("labels=cat,dog", "people/John_Lennon/1.jpg");
  g_assert_cmpuint (count_label (person, "person"), ==, 0);
  g_autoptr (GArray) small = detect_picture ("input-size=320", "people/John_Lennon/1.jpg");
  g_assert_cmpuint (count_label (small, "person"), >=, 1);
  g_autoptr (GArray) bike = detect_picture ("labels=bicycle,truck,dog",
      "negatives/darknet_dog.jpg");
  g_assert_cmpuint (count_label (bike, "bicycle"), >=, 1);
  g_assert_cmpuint (count_label (bike, "dog"), >=, 1);
}

/* Message fields and the scan meta, also on a frame without objects. */
static void
test_message_and_scan_meta (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("negatives/skimage_chelsea.png", &info);
  Fixture f;
  fixture_init (&f, "objectdetect", &info);
  GST_BUFFER_PTS (in) = 5 * GST_SECOND;
  GstBuffer *out = gst_harness_push_and_pull (f.h, in);
  g_autoptr (GArray) found = objects_of (out);
  g_autoptr (GstMessage) msg = pop_message (f.bus);
  g_assert_nonnull (msg);
  const GstStructure *s = gst_message_get_structure (msg);
  guint64 ts, st, rt, dur;
  g_assert_true (gst_structure_get (s, "timestamp", G_TYPE_UINT64, &ts, "stream-time",
          G_TYPE_UINT64, &st, "running-time", G_TYPE_UINT64, &rt, "duration", G_TYPE_UINT64,
          &dur, NULL));
  g_assert_cmpuint (ts, ==, 5 * GST_SECOND);
  g_assert_cmpuint (dur, ==, GST_SECOND / 15);
  g_assert_cmpstr (gst_structure_get_string (s, "method"), ==, "yolox");
  g_assert_cmpstr (gst_structure_get_string (s, "motion"), ==, "first");
  gboolean detected;
  g_assert_true (gst_structure_get_boolean (s, "detected", &detected) && detected);
  const GValue *list = gst_structure_get_value (s, "objects");
  g_assert_true (GST_VALUE_HOLDS_LIST (list));
  g_assert_cmpuint (gst_value_list_get_size (list), ==, found->len);
  for (guint i = 0; i < found->len; i++) {
    const GstStructure *o = gst_value_get_structure (gst_value_list_get_value (list, i));
    Found *m = &g_array_index (found, Found, i);
    guint x, y, w, h;
    gdouble score;
    g_assert_true (gst_structure_has_name (o, "object"));
    g_assert_true (gst_structure_get (o, "x", G_TYPE_UINT, &x, "y", G_TYPE_UINT, &y,
            "width", G_TYPE_UINT, &w, "height", G_TYPE_UINT, &h, "score", G_TYPE_DOUBLE,
            &score, NULL));
    g_assert_cmpstr (gst_structure_get_string (o, "label"), ==, m->label);
    g_assert_cmpuint (ABS ((int) x - (int) m->object.box.x), <=, 1);
    g_assert_cmpuint (ABS ((int) w - (int) m->object.box.width), <=, 1);
    g_assert_cmpfloat_with_epsilon (score, m->object.score, 1e-6);
  }
  const GstStructure *scan = fa_meta_get_object_scan (out);
  g_assert_nonnull (scan);
  guint n;
  g_assert_true (gst_structure_get_uint (scan, "n-objects", &n));
  g_assert_cmpuint (n, ==, found->len);
  g_assert_cmpstr (gst_structure_get_string (scan, "labels"), ==, "person,cat,dog");
  gst_buffer_unref (out);

  /* A black frame: no object, but still marked as searched. */
  GstBuffer *black = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_memset (black, 0, 0, GST_VIDEO_INFO_SIZE (&info));
  out = gst_harness_push_and_pull (f.h, black);
  g_autoptr (GArray) nothing = objects_of (out);
  g_assert_cmpuint (nothing->len, ==, 0);
  scan = fa_meta_get_object_scan (out);
  g_assert_nonnull (scan);
  g_assert_true (gst_structure_get_boolean (scan, "fresh", &detected) && detected);
  gst_buffer_unref (out);
  fixture_clear (&f);
}

/* Pushes @n copies of @frames[i % n_frames] and counts the frames the
 * detector ran on (message field "detected"); every frame carries the cat. */
static guint
count_detections (const gchar *launch, GstBuffer **frames, guint n_frames, guint n,
    const GstVideoInfo *info)
{
  Fixture f;
  fixture_init (&f, launch, info);
  guint detected_frames = 0;
  for (guint i = 0; i < n; i++) {
    GstBuffer *b = gst_buffer_copy (frames[i % n_frames]);
    GST_BUFFER_PTS (b) = i * GST_SECOND / 15;
    GstBuffer *out = gst_harness_push_and_pull (f.h, b);
    g_autoptr (GArray) found = objects_of (out);
    g_autoptr (GstMessage) msg = pop_message (f.bus);
    gboolean detected;
    g_assert_true (gst_structure_get_boolean (gst_message_get_structure (msg), "detected",
            &detected));
    /* carried objects are re-attached, flagged not fresh */
    g_assert_cmpuint (count_label (found, "cat"), >=, 1);
    for (guint k = 0; k < found->len; k++)
      g_assert_cmpint (g_array_index (found, Found, k).fresh, ==, detected);
    detected_frames += detected;
    gst_buffer_unref (out);
  }
  fixture_clear (&f);
  return detected_frames;
}

/* The motion gate: a static scene runs the network once (and every
 * motion-period frames); a moving one on every frame; gate off, every
 * frame; interval=3 every third. Counts of forward passes, not times. */
static void
test_motion_gating (void)
{
  GstVideoInfo info;
  GstBuffer *still = picture_buffer ("negatives/skimage_chelsea.png", &info);
  /* "moving": the same photo with a bright 60x60 square at another place
   * in each of 3 frames */
  GstBuffer *moving[3];
  for (int i = 0; i < 3; i++) {
    moving[i] = gst_buffer_copy_deep (still);
    GstVideoFrame vf;
    g_assert_true (gst_video_frame_map (&vf, &info, moving[i], GST_MAP_WRITE));
    for (int y = 20; y < 80; y++)
      memset ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vf, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0)
          + (20 + 150 * i) * 3, 255, 60 * 3);
    gst_video_frame_unmap (&vf);
  }
  g_assert_cmpuint (count_detections ("objectdetect motion-period=0", &still, 1, 12, &info), ==, 1);
  g_assert_cmpuint (count_detections ("objectdetect motion-period=5", &still, 1, 12, &info), ==, 3);
  g_assert_cmpuint (count_detections ("objectdetect", moving, 3, 12, &info), ==, 12);
  g_assert_cmpuint (count_detections ("objectdetect motion-gate=false", &still, 1, 12, &info),
      ==, 12);
  g_assert_cmpuint (count_detections ("objectdetect motion-gate=false interval=3", &still, 1,
          12, &info), ==, 4);
  for (int i = 0; i < 3; i++)
    gst_buffer_unref (moving[i]);
  gst_buffer_unref (still);
}

/* draw=true paints the boxes' edges (and nothing when off). */
static void
test_draw (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("negatives/skimage_chelsea.png", &info);
  for (int draw = 0; draw <= 1; draw++) {
    Fixture f;
    fixture_init (&f, draw ? "objectdetect draw=true" : "objectdetect", &info);
    GstBuffer *out = gst_harness_push_and_pull (f.h, gst_buffer_copy_deep (in));
    g_autoptr (GArray) found = objects_of (out);
    g_assert_cmpuint (found->len, >=, 1);
    const FaRect *box = &g_array_index (found, Found, 0).object.box;
    GstMapInfo a, b;
    gst_buffer_map (in, &a, GST_MAP_READ);
    gst_buffer_map (out, &b, GST_MAP_READ);
    gsize stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
    /* the middle of the top edge: orange (B 0, G 128, R 255) for the cat */
    const guint8 *p = b.data + (gsize) (box->y + 0.5f) * stride + (gsize) (box->x + box->width / 2) * 3;
    if (draw) {
      g_assert_cmpint (p[0], ==, 0);
      g_assert_cmpint (p[1], ==, 128);
      g_assert_cmpint (p[2], ==, 255);
      g_assert_true (memcmp (a.data, b.data, a.size) != 0);
    } else {
      g_assert_true (memcmp (a.data, b.data, a.size) == 0);
    }
    gst_buffer_unmap (in, &a);
    gst_buffer_unmap (out, &b);
    gst_buffer_unref (out);
    fixture_clear (&f);
  }
  gst_buffer_unref (in);
}

/* A missing or corrupt model fails READY->PAUSED with RESOURCE/OPEN_READ
 * naming the file, and no OpenCV text. */
static void
check_bad_model (const gchar *method, const gchar *path)
{
  GstElement *e = gst_element_factory_make ("objectdetect", NULL);
  g_autoptr (GstBus) bus = gst_bus_new ();
  gst_element_set_bus (e, bus);
  gst_util_set_object_arg (G_OBJECT (e), "method", method);
  g_object_set (e, "model", path, NULL);
  g_assert_cmpint (gst_element_set_state (e, GST_STATE_PAUSED), ==, GST_STATE_CHANGE_FAILURE);
  g_autoptr (GstMessage) msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  gst_message_parse_error (msg, &error, &debug);
  g_assert_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (strstr (error->message, "OpenCV"));
  gst_element_set_state (e, GST_STATE_NULL);
  gst_element_set_bus (e, NULL);
  gst_object_unref (e);
}

static void
test_bad_model (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("objectdetect");
  g_autofree gchar *garbage = g_build_filename (dir, "garbage.onnx", NULL);
  g_autofree gchar *missing = g_build_filename (dir, "missing.onnx", NULL);
  g_autofree gchar *truncated = g_build_filename (dir, "truncated.onnx", NULL);
  g_assert_true (g_file_set_contents (garbage, "not a model at all", -1, NULL));
  /* the first 100 kB of the real model */
  g_autofree gchar *real = fa_test_model_path ("object_detection_yolox_nano_coco.onnx", FALSE);
  g_autofree gchar *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (real, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (truncated, bytes, 100000, NULL));
  check_bad_model ("yolox", garbage);
  check_bad_model ("yolox", missing);
  check_bad_model ("yolox", truncated);
  check_bad_model ("fastestdet", garbage);
  /* the other method's model */
  check_bad_model ("fastestdet", real);
  fa_test_rm_rf (dir);
}

/* NULL -> PLAYING -> NULL a few times, processing a frame each time. */
static void
test_state_cycling (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("negatives/skimage_chelsea.png", &info);
  Fixture f;
  fixture_init (&f, "objectdetect method=fastestdet", &info);
  for (int i = 0; i < 3; i++) {
    GstBuffer *out = gst_harness_push_and_pull (f.h, gst_buffer_ref (in));
    g_autoptr (GArray) found = objects_of (out);
    g_assert_cmpuint (count_label (found, "cat"), >=, 1);
    gst_buffer_unref (out);
    g_assert_cmpint (gst_element_set_state (f.h->element, GST_STATE_NULL), ==,
        GST_STATE_CHANGE_SUCCESS);
    g_assert_cmpint (gst_element_set_state (f.h->element, GST_STATE_PLAYING), !=,
        GST_STATE_CHANGE_FAILURE);
  }
  gst_buffer_unref (in);
  fixture_clear (&f);
}

/* PTS, DTS, duration and offsets pass through untouched. */
static void
test_timestamps (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("people/John_Lennon/1.jpg", &info);
  Fixture f;
  fixture_init (&f, "objectdetect method=fastestdet", &info);
  for (guint i = 0; i < 3; i++) {
    GstBuffer *b = gst_buffer_copy (in);
    GST_BUFFER_PTS (b) = 1234567 + i * 40 * GST_MSECOND;
    GST_BUFFER_DTS (b) = 1000000 + i * 40 * GST_MSECOND;
    GST_BUFFER_DURATION (b) = 40 * GST_MSECOND;
    GST_BUFFER_OFFSET (b) = i;
    GstBuffer *out = gst_harness_push_and_pull (f.h, b);
    g_assert_cmpuint (GST_BUFFER_PTS (out), ==, 1234567 + i * 40 * GST_MSECOND);
    g_assert_cmpuint (GST_BUFFER_DTS (out), ==, 1000000 + i * 40 * GST_MSECOND);
    g_assert_cmpuint (GST_BUFFER_DURATION (out), ==, 40 * GST_MSECOND);
    g_assert_cmpuint (GST_BUFFER_OFFSET (out), ==, i);
    gst_buffer_unref (out);
  }
  gst_buffer_unref (in);
  fixture_clear (&f);
}

/* Formats: planar, semi-planar, packed and grey frames all give the cat. */
static void
test_formats (void)
{
  const gchar *formats[] = {"I420", "NV12", "RGBx", "GRAY8"};
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++) {
    g_autofree gchar *path = fa_test_data_path ("negatives/skimage_chelsea.png");
    g_autofree gchar *launch = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
        "videoconvert ! video/x-raw,format=%s ! objectdetect labels=cat ! "
        "fakesink name=sink", path, formats[i]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
    g_assert_no_error (error);
    g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    guint cats = 0;
    gboolean done = FALSE;
    while (!done) {
      g_autoptr (GstMessage) msg = gst_bus_timed_pop (bus, 30 * GST_SECOND);
      g_assert_nonnull (msg);   /* watchdog: 30 s without a message fails */
      switch (GST_MESSAGE_TYPE (msg)) {
        case GST_MESSAGE_ERROR: g_error ("%s: pipeline error", formats[i]); break;
        case GST_MESSAGE_EOS: done = TRUE; break;
        case GST_MESSAGE_ELEMENT:
          if (gst_message_has_name (msg, "objectdetect"))
            cats += gst_value_list_get_size (gst_structure_get_value (
                    gst_message_get_structure (msg), "objects"));
          break;
        default: break;
      }
    }
    gst_element_set_state (pipeline, GST_STATE_NULL);
    g_test_message ("%s: %u cats", formats[i], cats);
    g_assert_cmpuint (cats, >=, 1);
  }
}

/* Pushes copies of @in (PTS one frame apart from *@pts on) until a frame
 * comes out with fresh objects (a background detection collected), at most
 * 30 s (watchdog: failing the test), and returns that frame's objects and,
 * in @age if not NULL, its scan's age. Each push returns at once: the frames
 * do not wait for the detection. */
static GArray *
pull_until_fresh (Fixture *f, GstBuffer *in, guint64 *pts, guint *age)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  for (;;) {
    GstBuffer *b = gst_buffer_copy (in);
    GST_BUFFER_PTS (b) = (*pts)++ * GST_SECOND / 15;
    GstBuffer *out = gst_harness_push_and_pull (f->h, b);
    g_assert_nonnull (out);
    const GstStructure *scan = fa_meta_get_object_scan (out);
    gboolean fresh = FALSE;
    g_assert_nonnull (scan);
    g_assert_true (gst_structure_get_boolean (scan, "fresh", &fresh));
    GArray *found = objects_of (out);
    if (age != NULL)
      g_assert_true (gst_structure_get_uint (scan, "age", age));
    gst_buffer_unref (out);
    if (fresh)
      return found;
    g_array_unref (found);
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  }
}

/* The objectdetect named "od" in the harness's bin. */
static GstElement *
detector_of (Fixture *f)
{
  GstElement *od = gst_bin_get_by_name (GST_BIN (f->h->element), "od");
  g_assert_nonnull (od);
  gst_object_unref (od);   /* the bin keeps it */
  return od;
}

static guint64
detections_of (Fixture *f)
{
  guint64 n = 0;
  g_object_get (detector_of (f), "detections", &n, NULL);
  return n;
}

/* background=true: the frame a detection starts on goes out without waiting
 * (no fresh objects on it), and the same persons as inline come on a later
 * frame, once. */
static void
test_background (void)
{
  g_autoptr (GArray) inline_found = detect_picture ("method=fastestdet", "people/John_Lennon/1.jpg");
  g_assert_cmpuint (count_label (inline_found, "person"), >=, 1);

  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("people/John_Lennon/1.jpg", &info);
  Fixture f;
  fixture_init (&f, "objectdetect name=od method=fastestdet background=true", &info);
  gboolean background = FALSE;
  g_object_get (detector_of (&f), "background", &background, NULL);
  g_assert_true (background);

  GstBuffer *out = gst_harness_push_and_pull (f.h, gst_buffer_copy (in));
  g_autoptr (GArray) first = objects_of (out);
  g_assert_cmpuint (first->len, ==, 0);
  gboolean fresh = TRUE;
  g_assert_true (gst_structure_get_boolean (fa_meta_get_object_scan (out), "fresh", &fresh));
  g_assert_false (fresh);
  gst_buffer_unref (out);
  g_autoptr (GstMessage) carried = pop_message (f.bus);
  gboolean detected = TRUE;
  g_assert_true (gst_structure_get_boolean (gst_message_get_structure (carried), "detected",
          &detected));
  g_assert_false (detected);

  guint64 pts = 1;
  guint age = 0;
  g_autoptr (GArray) found = pull_until_fresh (&f, in, &pts, &age);
  /* Found on frame 0, arriving on frame pts - 1: the scan says how late. */
  g_assert_cmpuint (pts, >=, 2);
  g_assert_cmpuint (age, ==, pts - 1);
  g_assert_cmpuint (found->len, ==, inline_found->len);
  for (guint i = 0; i < found->len; i++) {
    Found *a = &g_array_index (found, Found, i), *b = &g_array_index (inline_found, Found, i);
    g_assert_cmpstr (a->label, ==, b->label);
    g_assert_true (a->fresh);
    g_assert_cmpfloat (fabsf (a->object.box.x - b->object.box.x), <=, 1);
    g_assert_cmpfloat (fabsf (a->object.box.width - b->object.box.width), <=, 1);
  }
  g_autoptr (GstMessage) msg = pop_message (f.bus);
  g_assert_true (gst_structure_get_boolean (gst_message_get_structure (msg), "detected",
          &detected));
  g_assert_true (detected);
  g_assert_cmpuint (detections_of (&f), ==, 1);

  /* Still frames: the gate starts no other detection; the persons are
   * carried (fresh=FALSE) on every frame. */
  for (guint i = 0; i < 5; i++) {
    GstBuffer *b = gst_buffer_copy (in);
    GST_BUFFER_PTS (b) = pts++ * GST_SECOND / 15;
    out = gst_harness_push_and_pull (f.h, b);
    g_autoptr (GArray) again = objects_of (out);
    g_assert_cmpuint (again->len, ==, found->len);
    g_assert_false (g_array_index (again, Found, 0).fresh);
    g_assert_true (gst_structure_get_uint (fa_meta_get_object_scan (out), "age", &age));
    g_assert_cmpuint (age, ==, pts - 1);      /* still frame 0's objects */
    gst_buffer_unref (out);
  }
  g_assert_cmpuint (detections_of (&f), ==, 1);
  gst_buffer_unref (in);
  fixture_clear (&f);
}

/* Four cameras' elements share the detection threads; each gets its own
 * objects (a cat, a dog, persons). */
static void
test_background_shared (void)
{
  const gchar *photos[] = { "negatives/skimage_chelsea.png", "negatives/darknet_dog.jpg",
    "people/John_Simm/1.jpg", "people/Eric_Clapton/1.jpg" };
  const gchar *labels[] = { "cat", "dog", "person", "person" };
  Fixture f[G_N_ELEMENTS (photos)];
  GstBuffer *in[G_N_ELEMENTS (photos)];
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    GstVideoInfo info;
    in[i] = picture_buffer (photos[i], &info);
    fixture_init (&f[i], "objectdetect name=od method=fastestdet background=true", &info);
    /* All four detections are queued before any is collected. */
    gst_buffer_unref (gst_harness_push_and_pull (f[i].h, gst_buffer_copy (in[i])));
  }
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    guint64 pts = 1;
    g_autoptr (GArray) found = pull_until_fresh (&f[i], in[i], &pts, NULL);
    g_test_message ("%s: %u %s", photos[i], count_label (found, labels[i]), labels[i]);
    g_assert_cmpuint (count_label (found, labels[i]), >=, 1);
    if (!g_str_equal (labels[i], "person"))
      g_assert_cmpuint (count_label (found, "person"), ==, 0);
    gst_buffer_unref (in[i]);
    fixture_clear (&f[i]);
  }
}

/* Stopping with a detection queued or running neither waits for it nor
 * crashes, and the element detects again after a restart. */
static void
test_background_stop (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("negatives/skimage_chelsea.png", &info);
  Fixture f;
  fixture_init (&f, "objectdetect name=od method=fastestdet background=true", &info);
  for (int i = 0; i < 3; i++) {
    gst_buffer_unref (gst_harness_push_and_pull (f.h, gst_buffer_copy (in)));
    g_assert_cmpint (gst_element_set_state (f.h->element, GST_STATE_NULL), ==,
        GST_STATE_CHANGE_SUCCESS);
    g_assert_cmpint (gst_element_set_state (f.h->element, GST_STATE_PLAYING), !=,
        GST_STATE_CHANGE_FAILURE);
  }
  guint64 pts = 0;
  g_autoptr (GArray) found = pull_until_fresh (&f, in, &pts, NULL);
  g_assert_cmpuint (count_label (found, "cat"), >=, 1);
  g_assert_cmpuint (detections_of (&f), ==, 1);
  gst_buffer_unref (in);
  /* Torn down with a detection in flight: the harness frees the element. */
  GstBuffer *b = picture_buffer ("negatives/darknet_dog.jpg", &info);
  gst_harness_set_src_caps (f.h, gst_video_info_to_caps (&info));
  gst_buffer_unref (gst_harness_push_and_pull (f.h, b));
  fixture_clear (&f);
}

/* Pushes @n copies of @in and returns how many detections that made. */
static guint64
push_frames (Fixture *f, GstBuffer *in, guint n)
{
  guint64 before = detections_of (f);
  for (guint i = 0; i < n; i++)
    gst_buffer_unref (gst_harness_push_and_pull (f->h, gst_buffer_copy (in)));
  return detections_of (f) - before;
}

static gboolean
push_settled (Fixture *f, gboolean settled)
{
  return gst_harness_push_upstream_event (f->h, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
          gst_structure_new (FA_EVENT_SETTLED, "settled", G_TYPE_BOOLEAN, settled, NULL)));
}

/* facematch's "settled" event: settled-interval while it holds, interval
 * again at once when it ends; the event goes no further upstream. */
static void
test_settled_interval (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("negatives/skimage_chelsea.png", &info);
  Fixture f;
  fixture_init (&f, "objectdetect name=od method=fastestdet motion-gate=false interval=2 "
      "settled-interval=10", &info);
  g_assert_cmpuint (push_frames (&f, in, 10), ==, 5);
  g_assert_true (push_settled (&f, TRUE));
  GstEvent *up;
  while ((up = gst_harness_try_pull_upstream_event (f.h)) != NULL) {
    const GstStructure *us = gst_event_get_structure (up);
    g_assert_false (us != NULL && gst_structure_has_name (us, FA_EVENT_SETTLED));
    gst_event_unref (up);
  }
  g_assert_cmpuint (push_frames (&f, in, 20), ==, 2);
  g_assert_true (push_settled (&f, FALSE));
  /* The first frame after looks at once, then every 2nd again. */
  g_assert_cmpuint (push_frames (&f, in, 1), ==, 1);
  g_assert_cmpuint (push_frames (&f, in, 10), ==, 5);
  /* settled-interval=0 (the default) ignores the event. */
  g_object_set (detector_of (&f), "settled-interval", 0, NULL);
  g_assert_true (push_settled (&f, TRUE));
  g_assert_cmpuint (push_frames (&f, in, 10), ==, 5);
  gst_buffer_unref (in);
  fixture_clear (&f);
}

/* A 640x480 BGR frame (grey 90) with the picture at @relative in its top left
 * corner and, when @side > 0, a white @side square at (@x, @y). */
static GstBuffer *
canvas_buffer (const gchar *relative, int x, int y, int side, GstVideoInfo *info)
{
  GstVideoInfo photo_info;
  GstBuffer *photo = picture_buffer (relative, &photo_info);
  gst_video_info_set_format (info, GST_VIDEO_FORMAT_BGR, 640, 480);
  GST_VIDEO_INFO_FPS_N (info) = 15;
  GST_VIDEO_INFO_FPS_D (info) = 1;
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  GstVideoFrame in, out;
  g_assert_true (gst_video_frame_map (&in, &photo_info, photo, GST_MAP_READ));
  g_assert_true (gst_video_frame_map (&out, info, buf, GST_MAP_WRITE));
  guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA (&out, 0);
  int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&out, 0);
  for (int r = 0; r < 480; r++) {
    memset (dst + r * stride, 90, 640 * 3);
    if (r < GST_VIDEO_INFO_HEIGHT (&photo_info))
      memcpy (dst + r * stride, (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&in, 0)
          + r * GST_VIDEO_FRAME_PLANE_STRIDE (&in, 0),
          MIN (GST_VIDEO_INFO_WIDTH (&photo_info), 640) * 3);
    if (side > 0 && r >= y && r < y + side)
      memset (dst + r * stride + x * 3, 255, (gsize) side * 3);
  }
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  gst_buffer_unref (photo);
  GST_BUFFER_DURATION (buf) = GST_SECOND / 15;
  return buf;
}

/* Settled, the motion gate still watches between the sparse looks: motion
 * inside the cat's box (it stretches) waits for the next look, motion far
 * from it (someone new) looks within interval frames. */
static void
test_settled_motion_outside (void)
{
  GstVideoInfo info;
  GstBuffer *still = canvas_buffer ("negatives/skimage_chelsea.png", 0, 0, 0, &info);
  GstBuffer *inside = canvas_buffer ("negatives/skimage_chelsea.png", 200, 130, 40, &info);
  GstBuffer *outside = canvas_buffer ("negatives/skimage_chelsea.png", 585, 425, 40, &info);
  Fixture f;
  fixture_init (&f, "objectdetect name=od method=fastestdet interval=2 "
      "settled-interval=30 motion-period=1000", &info);
  GstBuffer *out = gst_harness_push_and_pull (f.h, gst_buffer_copy (still));
  g_autoptr (GArray) found = objects_of (out);
  gst_buffer_unref (out);
  g_assert_cmpuint (count_label (found, "cat"), ==, 1);
  for (guint i = 0; i < found->len; i++) {     /* the patches' places, as planned */
    const FaRect *b = &g_array_index (found, Found, i).object.box;
    g_assert_true (b->x <= 200 && b->x + b->width >= 240 && b->y <= 130
        && b->y + b->height >= 170);
    g_assert_cmpfloat (b->x + 1.25f * b->width, <, 585);
    g_assert_cmpfloat (b->y + 1.25f * b->height, <, 425);
  }
  g_assert_cmpuint (push_frames (&f, still, 3), ==, 0);
  g_assert_true (push_settled (&f, TRUE));
  g_assert_cmpuint (push_frames (&f, still, 10), ==, 0);
  g_assert_cmpuint (push_frames (&f, inside, 6), ==, 0);
  g_assert_cmpuint (push_frames (&f, outside, 2), ==, 1);
  g_assert_cmpuint (detections_of (&f), ==, 2);
  gst_buffer_unref (still);
  gst_buffer_unref (inside);
  gst_buffer_unref (outside);
  fixture_clear (&f);
}

static void
test_invalid_properties (void)
{
  GstElement *e = gst_element_factory_make ("objectdetect", NULL);
  gchar *labels;
  g_test_expect_message ("objectdetect", G_LOG_LEVEL_WARNING, "*labels \"person,unicorn\" refused*unicorn*");
  g_object_set (e, "labels", "person,unicorn", NULL);
  g_test_assert_expected_messages ();
  g_object_get (e, "labels", &labels, NULL);
  g_assert_cmpstr (labels, ==, "person,cat,dog");
  g_free (labels);
  g_object_set (e, "labels", "car", NULL);
  g_object_get (e, "labels", &labels, NULL);
  g_assert_cmpstr (labels, ==, "car");
  g_free (labels);

  g_test_expect_message ("objectdetect", G_LOG_LEVEL_WARNING, "*score-threshold -0.5 refused*");
  g_object_set (e, "score-threshold", -0.5f, NULL);
  g_test_assert_expected_messages ();
  gfloat t;
  g_object_get (e, "score-threshold", &t, NULL);
  g_assert_cmpfloat (t, ==, -1.f);

  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*interval*");
  g_object_set (e, "interval", 0, NULL);
  g_test_assert_expected_messages ();
  guint interval;
  g_object_get (e, "interval", &interval, NULL);
  g_assert_cmpuint (interval, ==, 1);

  g_test_expect_message ("objectdetect", G_LOG_LEVEL_WARNING, "*input-size 400 refused*");
  g_object_set (e, "input-size", 400, NULL);
  g_test_assert_expected_messages ();
  gint size;
  g_object_get (e, "input-size", &size, NULL);
  g_assert_cmpint (size, ==, 416);

  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*motion-threshold*");
  g_object_set (e, "motion-threshold", 1.5f, NULL);
  g_test_assert_expected_messages ();
  gst_object_unref (e);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/objectdetect/yolox/people-and-pets", "yolox", test_people_and_pets);
  g_test_add_data_func ("/objectdetect/fastestdet/people-and-pets", "fastestdet",
      test_people_and_pets);
  g_test_add_func ("/objectdetect/labels", test_labels_filter);
  g_test_add_func ("/objectdetect/message-and-scan-meta", test_message_and_scan_meta);
  g_test_add_func ("/objectdetect/motion-gating", test_motion_gating);
  g_test_add_func ("/objectdetect/draw", test_draw);
  g_test_add_func ("/objectdetect/bad-model", test_bad_model);
  g_test_add_func ("/objectdetect/state-cycling", test_state_cycling);
  g_test_add_func ("/objectdetect/timestamps", test_timestamps);
  g_test_add_func ("/objectdetect/formats", test_formats);
  g_test_add_func ("/objectdetect/invalid-properties", test_invalid_properties);
  g_test_add_func ("/objectdetect/background", test_background);
  g_test_add_func ("/objectdetect/background/shared", test_background_shared);
  g_test_add_func ("/objectdetect/background/stop", test_background_stop);
  g_test_add_func ("/objectdetect/settled-interval", test_settled_interval);
  g_test_add_func ("/objectdetect/settled-motion-outside", test_settled_motion_outside);
  return g_test_run ();
}
