/* Element tests: facedetect searching only inside objectdetect's person
 * boxes (search=auto with an objectdetect upstream, or person-boxes), on
 * real photos and real models. */
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>

#include "fa-image.h"
#include "fa-meta.h"
#include "fa-test.h"

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
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  GstVideoFrame frame;
  g_assert_true (gst_video_frame_map (&frame, info, buf, GST_MAP_WRITE));
  for (int y = 0; y < img->height; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
        img->planes[0] + (gsize) y * img->strides[0], (gsize) img->width * 3);
  gst_video_frame_unmap (&frame);
  GST_BUFFER_PTS (buf) = 0;
  return buf;
}

typedef struct {
  guint faces, persons, regions;
  gchar search[16];
  GArray *boxes;    /* FaRect of the faces */
} Result;

/* Runs @launch on one picture; reads facedetect's message and the metas. */
static Result
run (const gchar *launch, const gchar *relative)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer (relative, &info);
  GstHarness *h = gst_harness_new_parse (launch);
  g_autoptr (GstBus) bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  GstBuffer *out = gst_harness_push_and_pull (h, in);
  Result r = {0};
  r.boxes = g_array_new (FALSE, FALSE, sizeof (FaRect));
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    FaFace face;
    FaObject object;
    if (fa_meta_read_face (roi, &face)) {
      r.faces++;
      g_array_append_val (r.boxes, face.box);
    } else if (fa_meta_read_object (roi, &object, NULL) && object.class_id == FA_COCO_PERSON) {
      r.persons++;
    }
  }
  GstMessage *msg;
  gboolean seen = FALSE;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    if (gst_message_has_name (msg, "facedetect")) {
      const GstStructure *s = gst_message_get_structure (msg);
      g_strlcpy (r.search, gst_structure_get_string (s, "search"), sizeof r.search);
      g_assert_true (gst_structure_get_uint (s, "regions", &r.regions));
      seen = TRUE;
    }
    gst_message_unref (msg);
  }
  g_assert_true (seen);
  gst_buffer_unref (out);
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
  return r;
}

static const gchar *const photos[] = {
  "detection/dlib_faces/2007_007763.jpg", "detection/dlib_faces/2008_001009.jpg",
  "detection/dlib_faces/2008_001322.jpg", "detection/dlib_faces/2008_002079.jpg",
  "people/John_Lennon/1.jpg", "people/Eric_Clapton/2.jpg",
};

/* With objectdetect upstream, facedetect searches the person boxes and finds
 * the faces a whole-frame search finds, but for persons the object detector
 * misses: on the annotated photos all but the girl half hidden behind her
 * mother in 2008_001009 (YOLOX scores her 0.10); the periodic whole-frame
 * search (frame-search-interval, first detection included) finds her. */
static void
test_same_faces_in_person_boxes (void)
{
  guint total_frame = 0, total_boxes = 0;
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    Result frame = run ("objectdetect ! facedetect search=frame", photos[i]);
    Result boxes = run ("objectdetect ! facedetect frame-search-interval=0", photos[i]);
    Result first = run ("objectdetect ! facedetect", photos[i]);
    g_test_message ("%s: frame %u faces, person boxes %u faces in %u regions (%u persons)",
        photos[i], frame.faces, boxes.faces, boxes.regions, boxes.persons);
    g_assert_cmpstr (frame.search, ==, "frame");
    g_assert_cmpstr (boxes.search, ==, "person-boxes");
    g_assert_cmpstr (first.search, ==, "frame");
    g_assert_cmpuint (first.faces, ==, frame.faces);
    g_assert_cmpuint (boxes.persons, >=, 1);
    g_assert_cmpuint (boxes.regions, >=, 1);
    g_assert_cmpuint (boxes.faces, <=, frame.faces);
    /* every face found in a box is one of the whole frame's */
    for (guint k = 0; k < boxes.boxes->len; k++) {
      float best = 0;
      for (guint m = 0; m < frame.boxes->len; m++)
        best = MAX (best, fa_rect_iou (&g_array_index (boxes.boxes, FaRect, k),
                &g_array_index (frame.boxes, FaRect, m)));
      g_assert_cmpfloat (best, >, 0.7f);
    }
    total_frame += frame.faces;
    total_boxes += boxes.faces;
    g_array_unref (frame.boxes);
    g_array_unref (boxes.boxes);
    g_array_unref (first.boxes);
  }
  g_assert_cmpuint (total_boxes + 1, >=, total_frame);
}

/* frame-search-interval=3: detections 0, 3, 6 search the whole frame, the
 * others the person boxes. */
static void
test_frame_search_interval (void)
{
  GstVideoInfo info;
  GstBuffer *in = picture_buffer ("people/John_Lennon/1.jpg", &info);
  GstHarness *h = gst_harness_new_parse ("objectdetect ! facedetect frame-search-interval=3");
  g_autoptr (GstBus) bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  for (guint i = 0; i < 7; i++) {
    gst_buffer_unref (gst_harness_push_and_pull (h, gst_buffer_copy (in)));
    GstMessage *msg;
    while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
      if (gst_message_has_name (msg, "facedetect"))
        g_assert_cmpstr (gst_structure_get_string (gst_message_get_structure (msg), "search"),
            ==, i % 3 == 0 ? "frame" : "person-boxes");
      gst_message_unref (msg);
    }
  }
  gst_buffer_unref (in);
  gst_element_set_bus (h->element, NULL);
  gst_harness_teardown (h);
}

/* No person on the cat or dog photo: no region searched, no face, at any
 * detect-width (at 640 YuNet alone has found "faces" on the kitten). */
static void
test_pets_get_no_search (void)
{
  const gchar *pets[] = {"negatives/skimage_chelsea.png", "negatives/darknet_dog.jpg"};
  for (guint i = 0; i < G_N_ELEMENTS (pets); i++) {
    Result r = run ("objectdetect ! facedetect detect-width=640 frame-search-interval=0", pets[i]);
    g_assert_cmpstr (r.search, ==, "person-boxes");
    g_assert_cmpuint (r.regions, ==, 0);
    g_assert_cmpuint (r.faces, ==, 0);
    g_array_unref (r.boxes);
  }
}

/* auto without objectdetect, or with one that does not look for persons,
 * searches the whole frame; person-boxes without any box searches nothing. */
static void
test_fallbacks (void)
{
  Result alone = run ("facedetect", "people/John_Lennon/1.jpg");
  g_assert_cmpstr (alone.search, ==, "frame");
  g_assert_cmpuint (alone.faces, ==, 1);
  Result cats = run ("objectdetect labels=cat ! facedetect frame-search-interval=0", "people/John_Lennon/1.jpg");
  g_assert_cmpstr (cats.search, ==, "frame");
  g_assert_cmpuint (cats.faces, ==, 1);
  Result strict = run ("facedetect search=person-boxes", "people/John_Lennon/1.jpg");
  g_assert_cmpstr (strict.search, ==, "person-boxes");
  g_assert_cmpuint (strict.regions, ==, 0);
  g_assert_cmpuint (strict.faces, ==, 0);
  g_array_unref (alone.boxes);
  g_array_unref (cats.boxes);
  g_array_unref (strict.boxes);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/facedetect-search/same-faces-in-person-boxes", test_same_faces_in_person_boxes);
  g_test_add_func ("/facedetect-search/frame-search-interval", test_frame_search_interval);
  g_test_add_func ("/facedetect-search/pets-get-no-search", test_pets_get_no_search);
  g_test_add_func ("/facedetect-search/fallbacks", test_fallbacks);
  return g_test_run ();
}
