/* Unit tests: the object detector's plain C parts (COCO labels, YOLOX and
 * FastestDet decoders, NMS), the motion gate, and the detector on real photos
 * with both real models, sharing one network per model. */
#include "fa-dnn-shared.h"
#include "fa-detector.h"
#include "fa-error.h"
#include "fa-face-regions.h"
#include "fa-motion-gate.h"
#include "fa-object-detector.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define YOLOX_ROWS (52 * 52 + 26 * 26 + 13 * 13)
#define CH (5 + FA_COCO_N_CLASSES)

static void
test_labels (void)
{
  gboolean wanted[FA_COCO_N_CLASSES];
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (fa_coco_label (FA_COCO_PERSON), ==, "person");
  g_assert_cmpstr (fa_coco_label (FA_COCO_CAT), ==, "cat");
  g_assert_cmpstr (fa_coco_label (FA_COCO_DOG), ==, "dog");
  g_assert_cmpstr (fa_coco_label (79), ==, "toothbrush");
  g_assert_null (fa_coco_label (80));
  g_assert_cmpint (fa_coco_class_id ("traffic light"), ==, 9);

  g_assert_true (fa_coco_parse_labels (" person, cat,dog ", wanted, &error));
  g_assert_no_error (error);
  for (int i = 0; i < FA_COCO_N_CLASSES; i++)
    g_assert_cmpint (wanted[i], ==, i == 0 || i == 15 || i == 16);

  /* A bad list is refused naming the bad name, and @wanted is untouched. */
  g_assert_false (fa_coco_parse_labels ("person,unicorn", wanted, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "\"unicorn\""));
  g_assert_true (wanted[FA_COCO_CAT]);
  g_clear_error (&error);
  g_assert_false (fa_coco_parse_labels ("", wanted, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (fa_coco_parse_labels ("person,,cat", wanted, &error));
  g_clear_error (&error);
}

/* One YOLOX row: offsets, log sizes, objectness, one class score. */
static void
set_yolox_row (float *out, int row, float x, float y, float w, float h, float obj,
    int cls, float score)
{
  float *r = out + (gsize) row * CH;
  r[0] = x; r[1] = y; r[2] = w; r[3] = h; r[4] = obj;
  r[5 + cls] = score;
}

static void
test_yolox_decode (void)
{
  g_autofree float *out = g_new0 (float, YOLOX_ROWS * CH);
  /* stride 8, cell (10, 5): centre (84, 44), 32x64 in the 416 input */
  set_yolox_row (out, 5 * 52 + 10, 0.5f, 0.5f, logf (4), logf (8), 0.9f, FA_COCO_CAT, 0.8f);
  /* stride 32 (third level), cell (3, 2): centre (112, 80), 64x64 */
  set_yolox_row (out, 52 * 52 + 26 * 26 + 2 * 13 + 3, 0.5f, 0.5f, logf (2), logf (2), 0.95f,
      FA_COCO_PERSON, 0.9f);
  /* below the threshold (0.5 * 0.5) */
  set_yolox_row (out, 100, 0, 0, 0, 0, 0.5f, FA_COCO_DOG, 0.5f);
  /* a teddy bear scoring high with a lower cat score: stays a teddy bear */
  set_yolox_row (out, 200, 0, 0, 0, 0, 0.9f, 77, 0.9f);
  out[200 * CH + 5 + FA_COCO_CAT] = 0.6f;

  g_autoptr (GArray) objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  gboolean wanted[FA_COCO_N_CLASSES];
  fa_coco_parse_labels ("person,cat,dog", wanted, NULL);
  /* letterbox ratio 0.5: boxes are scaled back by 2 */
  fa_yolox_decode (out, 416, 416, 0.5f, 0.3f, wanted, objects);
  g_assert_cmpuint (objects->len, ==, 2);
  FaObject *cat = &g_array_index (objects, FaObject, 0);
  g_assert_cmpint (cat->class_id, ==, FA_COCO_CAT);
  g_assert_cmpfloat_with_epsilon (cat->score, 0.72f, 1e-5);
  g_assert_cmpfloat_with_epsilon (cat->box.x, (84 - 16) * 2.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (cat->box.y, (44 - 32) * 2.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (cat->box.width, 64.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (cat->box.height, 128.f, 1e-3);
  FaObject *person = &g_array_index (objects, FaObject, 1);
  g_assert_cmpint (person->class_id, ==, FA_COCO_PERSON);
  g_assert_cmpfloat_with_epsilon (person->box.x, (112 - 32) * 2.f, 1e-3);
  g_assert_cmpfloat_with_epsilon (person->box.y, (80 - 32) * 2.f, 1e-3);

  /* All classes: the teddy bear appears; persons only: just the person. */
  g_array_set_size (objects, 0);
  fa_yolox_decode (out, 416, 416, 0.5f, 0.3f, NULL, objects);
  g_assert_cmpuint (objects->len, ==, 3);
  g_assert_cmpint (g_array_index (objects, FaObject, 0).class_id, ==, 77);   /* row 200 */
  g_array_set_size (objects, 0);
  fa_coco_parse_labels ("person", wanted, NULL);
  fa_yolox_decode (out, 416, 416, 0.5f, 0.3f, wanted, objects);
  g_assert_cmpuint (objects->len, ==, 1);
  g_assert_cmpint (g_array_index (objects, FaObject, 0).class_id, ==, FA_COCO_PERSON);
  /* a higher threshold drops the cat (0.72) and keeps the person (0.855) */
  g_array_set_size (objects, 0);
  fa_yolox_decode (out, 416, 416, 0.5f, 0.8f, NULL, objects);
  g_assert_cmpuint (objects->len, ==, 2);
}

/* A non-square input (640x480 letterboxed to 416x320): grids 52x40, 26x20,
 * 13x10. */
static void
test_yolox_decode_rect (void)
{
  const int rows = 52 * 40 + 26 * 20 + 13 * 10;
  g_autofree float *out = g_new0 (float, rows * CH);
  /* stride 16, cell (20, 15): after the 52x40 level */
  set_yolox_row (out, 52 * 40 + 15 * 26 + 20, 0.5f, 0.5f, 0, 0, 0.9f, FA_COCO_PERSON, 0.9f);
  /* the last row: stride 32, cell (12, 9) */
  set_yolox_row (out, rows - 1, 0, 0, 0, 0, 0.9f, FA_COCO_DOG, 0.9f);
  g_autoptr (GArray) objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  fa_yolox_decode (out, 416, 320, 0.65f, 0.3f, NULL, objects);
  g_assert_cmpuint (objects->len, ==, 2);
  FaObject *p = &g_array_index (objects, FaObject, 0);
  g_assert_cmpfloat_with_epsilon (p->box.x + p->box.width / 2, 20.5f * 16 / 0.65f, 1e-2);
  g_assert_cmpfloat_with_epsilon (p->box.y + p->box.height / 2, 15.5f * 16 / 0.65f, 1e-2);
  FaObject *d = &g_array_index (objects, FaObject, 1);
  g_assert_cmpfloat_with_epsilon (d->box.x + d->box.width / 2, 12.f * 32 / 0.65f, 1e-2);
  g_assert_cmpfloat_with_epsilon (d->box.y + d->box.height / 2, 9.f * 32 / 0.65f, 1e-2);
}

static void
test_fastestdet_decode (void)
{
  const int grid = 22, plane = grid * grid;
  g_autofree float *out = g_new0 (float, CH * plane);
  /* cell (11, 7): no offset (tanh 0), w = h = sigmoid (0) = 0.5 of the frame */
  int at = 7 * grid + 11;
  out[at] = 0.8f;
  out[(5 + FA_COCO_DOG) * plane + at] = 0.9f;
  /* cell (2, 3): objectness too low */
  out[3 * grid + 2] = 0.3f;
  out[(5 + FA_COCO_PERSON) * plane + 3 * grid + 2] = 0.9f;
  /* cell (20, 20): offset tanh (atanh 0.5) = 0.5, width sigmoid (log 3) = 0.75 */
  int at2 = 20 * grid + 20;
  out[at2] = 0.95f;
  out[1 * plane + at2] = atanhf (0.5f);
  out[3 * plane + at2] = logf (3);
  out[(5 + FA_COCO_PERSON) * plane + at2] = 0.99f;

  g_autoptr (GArray) objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  fa_fastestdet_decode (out, grid, 640, 480, 0.65f, NULL, objects);
  g_assert_cmpuint (objects->len, ==, 2);
  FaObject *dog = &g_array_index (objects, FaObject, 0);
  g_assert_cmpint (dog->class_id, ==, FA_COCO_DOG);
  g_assert_cmpfloat_with_epsilon (dog->score, powf (0.8f, 0.6f) * powf (0.9f, 0.4f), 1e-5);
  g_assert_cmpfloat_with_epsilon (dog->box.width, 320.f, 1e-2);
  g_assert_cmpfloat_with_epsilon (dog->box.height, 240.f, 1e-2);
  g_assert_cmpfloat_with_epsilon (dog->box.x + dog->box.width / 2, 11.f / 22 * 640, 1e-2);
  g_assert_cmpfloat_with_epsilon (dog->box.y + dog->box.height / 2, 7.f / 22 * 480, 1e-2);
  FaObject *p = &g_array_index (objects, FaObject, 1);
  g_assert_cmpfloat_with_epsilon (p->box.x + p->box.width / 2, 20.5f / 22 * 640, 1e-2);
  g_assert_cmpfloat_with_epsilon (p->box.width, 0.75f * 640, 1e-2);

  gboolean wanted[FA_COCO_N_CLASSES];
  fa_coco_parse_labels ("cat", wanted, NULL);
  g_array_set_size (objects, 0);
  fa_fastestdet_decode (out, grid, 640, 480, 0.65f, wanted, objects);
  g_assert_cmpuint (objects->len, ==, 0);
}

static void
test_nms (void)
{
  g_autoptr (GArray) objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  FaObject in[] = {
    {{10, 10, 100, 100}, 0.7f, FA_COCO_CAT},     /* on the person, other class */
    {{0, 0, 100, 100}, 0.9f, FA_COCO_PERSON},
    {{20, 0, 100, 100}, 0.8f, FA_COCO_PERSON},   /* IoU 0.67 with the best */
    {{300, 300, 50, 50}, 0.4f, FA_COCO_PERSON},  /* far away */
  };
  g_array_append_vals (objects, in, G_N_ELEMENTS (in));
  fa_object_nms (objects, 0.45f, TRUE);
  g_assert_cmpuint (objects->len, ==, 3);
  g_assert_cmpfloat (g_array_index (objects, FaObject, 0).score, ==, 0.9f);
  g_assert_cmpint (g_array_index (objects, FaObject, 1).class_id, ==, FA_COCO_CAT);
  g_assert_cmpfloat (g_array_index (objects, FaObject, 2).score, ==, 0.4f);

  g_array_set_size (objects, 0);
  g_array_append_vals (objects, in, G_N_ELEMENTS (in));
  fa_object_nms (objects, 0.45f, FALSE);   /* class-agnostic: the cat goes too */
  g_assert_cmpuint (objects->len, ==, 2);

  g_array_set_size (objects, 0);
  g_array_append_vals (objects, in, G_N_ELEMENTS (in));
  fa_object_nms (objects, 0.7f, FALSE);    /* looser: IoUs 0.67 and 0.68 stay */
  g_assert_cmpuint (objects->len, ==, 4);
  g_assert_cmpfloat (g_array_index (objects, FaObject, 3).score, ==, 0.4f);
}

/* ---- motion gate ---- */

typedef struct {
  guint8 *pixels;
  FaImage image;
} Frame;

static void
frame_init (Frame *f, guint8 grey)
{
  f->pixels = g_malloc (640 * 480);
  memset (f->pixels, grey, 640 * 480);
  f->image = (FaImage) {.format = FA_PIXEL_GRAY8, .width = 640, .height = 480,
    .planes = {f->pixels}, .strides = {640}};
}

static void
frame_square (Frame *f, int x, int y, int side, guint8 grey)
{
  for (int r = y; r < y + side && r < 480; r++)
    memset (f->pixels + r * 640 + x, grey, MIN (side, 640 - x));
}

static void
test_motion_gate (void)
{
  FaMotionGateConfig config;
  fa_motion_gate_config_init (&config);
  config.period = 10;
  g_autoptr (FaMotionGate) gate = fa_motion_gate_new (&config);
  Frame f;
  frame_init (&f, 100);

  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_FIRST);
  /* static: still, then periodic on the 10th frame */
  for (int i = 1; i < 10; i++)
    g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_STILL);
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_PERIODIC);

  /* A 4x4 speck (sensor noise, an insect) is not motion; a 40x40 square is. */
  frame_square (&f, 300, 200, 4, 255);
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_STILL);
  frame_square (&f, 100, 100, 40, 255);
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_MOVED);
  g_assert_cmpfloat (fa_motion_gate_last_changed (gate), >, 0.002f);
  /* the moved frame became the reference */
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_STILL);

  /* Slow motion: a faint square (30 grey levels over the background) moving
   * 1 pixel per frame changes no thumbnail pixel by the threshold from one
   * frame to the next, but the gate compares with the last detected frame
   * and fires after a few frames. */
  frame_square (&f, 100, 100, 40, 100);
  frame_square (&f, 100, 100, 40, 130);
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_MOVED);
  config.period = 0;
  fa_motion_gate_set_config (gate, &config);
  int fired_at = -1;
  for (int i = 1; i <= 40 && fired_at < 0; i++) {
    frame_square (&f, 100, 100, 40 + i, 100);
    frame_square (&f, 100 + i, 100, 40, 130);
    if (fa_motion_gate_check (gate, &f.image) == FA_MOTION_MOVED)
      fired_at = i;
  }
  g_assert_cmpint (fired_at, >, 1);
  g_assert_cmpint (fired_at, <=, 20);

  /* period 0: never forced */
  for (int i = 0; i < 100; i++)
    g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_STILL);
  /* a new frame size starts over */
  f.image.width = 320;
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_FIRST);
  g_free (f.pixels);
}

/* Motion outside the known objects' boxes: a person shifting inside (or just
 * beside) their box is not someone new; a square far from it is. */
static void
test_motion_outside_boxes (void)
{
  FaMotionGateConfig config;
  fa_motion_gate_config_init (&config);
  g_autoptr (FaMotionGate) gate = fa_motion_gate_new (&config);
  Frame f;
  frame_init (&f, 100);
  FaRect person = { 100, 100, 120, 240 };
  /* No reference yet: anything may be new. */
  g_assert_true (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.25f));
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_FIRST);
  g_assert_false (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.25f));

  /* Inside the box, then in its margin (x 220..250): not new. */
  frame_square (&f, 120, 150, 60, 255);
  g_assert_false (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.25f));
  frame_square (&f, 222, 150, 24, 255);
  g_assert_false (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.25f));
  /* ... but with no margin the margin's motion is outside. */
  g_assert_true (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.0f));
  /* Far from it: new, and with no boxes at all too. */
  frame_square (&f, 450, 200, 40, 255);
  g_assert_true (fa_motion_gate_moved_outside (gate, &f.image, &person, 1, 0.25f));
  g_assert_true (fa_motion_gate_moved_outside (gate, &f.image, NULL, 0, 0.25f));
  /* The reference is untouched: the check still sees all of it moved. */
  g_assert_cmpint (fa_motion_gate_check (gate, &f.image), ==, FA_MOTION_MOVED);
  g_assert_false (fa_motion_gate_moved_outside (gate, &f.image, NULL, 0, 0.25f));
  g_free (f.pixels);
}

/* The thumbnail is the luma whatever the format: grey 100 as BGR, RGBx and
 * I420 gives 100 (+-1). */
static void
test_motion_thumbnail_formats (void)
{
  g_autoptr (GByteArray) thumb = g_byte_array_new ();
  guint8 *bgr = g_malloc (64 * 48 * 4 * 4);
  memset (bgr, 100, 64 * 48 * 4 * 4);
  FaImage images[] = {
    {.format = FA_PIXEL_BGR, .width = 128, .height = 96, .planes = {bgr}, .strides = {384}},
    {.format = FA_PIXEL_RGBX, .width = 128, .height = 96, .planes = {bgr}, .strides = {512}},
    {.format = FA_PIXEL_I420, .width = 128, .height = 96, .planes = {bgr, bgr, bgr},
      .strides = {128, 64, 64}},
  };
  for (guint i = 0; i < G_N_ELEMENTS (images); i++) {
    g_assert_cmpint (fa_motion_thumbnail (&images[i], thumb), ==, 48);
    g_assert_cmpuint (thumb->len, ==, 64 * 48);
    for (guint k = 0; k < thumb->len; k++)
      g_assert_cmpint (ABS ((int) thumb->data[k] - 100), <=, 1);
  }
  g_free (bgr);
}

/* ---- the detector on real photos ---- */

static GArray *
detect_photo (FaObjectDetector *detector, const gchar *relative)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  GArray *objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  g_assert_cmpint (fa_object_detector_detect (detector, fa_picture_image (picture), objects,
          &error), >=, 0);
  g_assert_no_error (error);
  return objects;
}

static guint
count_class (GArray *objects, int class_id)
{
  guint n = 0;
  for (guint i = 0; i < objects->len; i++)
    n += g_array_index (objects, FaObject, i).class_id == class_id;
  return n;
}

static void
test_detector_photos (gconstpointer data)
{
  FaObjectMethod method = GPOINTER_TO_INT (data);
  FaObjectDetectorConfig config;
  fa_object_detector_config_init (&config, method);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaObjectDetector) detector = fa_object_detector_new (&config, &error);
  g_assert_no_error (error);

  g_autoptr (GArray) person = detect_photo (detector, "people/John_Lennon/1.jpg");
  g_assert_cmpuint (count_class (person, FA_COCO_PERSON), >=, 1);
  g_autoptr (GArray) cat = detect_photo (detector, "negatives/skimage_chelsea.png");
  g_assert_cmpuint (count_class (cat, FA_COCO_CAT), >=, 1);
  g_assert_cmpuint (count_class (cat, FA_COCO_PERSON), ==, 0);
  g_autoptr (GArray) dog = detect_photo (detector, "negatives/darknet_dog.jpg");
  g_assert_cmpuint (count_class (dog, FA_COCO_DOG), >=, 1);
  g_assert_cmpuint (count_class (dog, FA_COCO_PERSON), ==, 0);
  g_assert_cmpuint (fa_object_detector_get_forward_count (detector), ==, 3);

  /* A second detector of the same model shares the network. */
  guint before = fa_dnn_shared_count ();
  g_autoptr (FaObjectDetector) second = fa_object_detector_new (&config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fa_dnn_shared_count (), ==, before);
  g_autoptr (GArray) again = detect_photo (second, "negatives/skimage_chelsea.png");
  g_assert_cmpuint (again->len, ==, cat->len);
  g_clear_pointer (&second, fa_object_detector_free);
  g_clear_pointer (&detector, fa_object_detector_free);
  g_assert_cmpuint (fa_dnn_shared_count (), ==, before - 1);
}

static void
test_detector_bad_models (void)
{
  FaObjectDetectorConfig config;
  fa_object_detector_config_init (&config, FA_OBJECT_YOLOX);
  g_autoptr (GError) error = NULL;

  config.model_path = "/nonexistent/yolox.onnx";
  g_assert_null (fa_object_detector_new (&config, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/yolox.onnx"));
  g_clear_error (&error);

  g_autofree gchar *dir = fa_test_make_tmpdir ("objdet");
  g_autofree gchar *corrupt = g_build_filename (dir, "corrupt.onnx", NULL);
  g_assert_true (g_file_set_contents (corrupt, "not an onnx file", -1, NULL));
  config.model_path = corrupt;
  g_assert_null (fa_object_detector_new (&config, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, corrupt));
  g_assert_null (strstr (error->message, "OpenCV"));
  g_clear_error (&error);

  /* A real ONNX file of another network (YuNet) is refused as well. */
  g_autofree gchar *yunet = fa_test_model_path ("face_detection_yunet_2022mar.onnx", FALSE);
  config.model_path = yunet;
  g_assert_null (fa_object_detector_new (&config, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, yunet));
  g_assert_null (strstr (error->message, "OpenCV"));
  fa_test_rm_rf (dir);
}

/* ---- face search regions from person boxes ---- */

static void
test_face_regions (void)
{
  g_autoptr (GArray) regions = g_array_new (FALSE, FALSE, sizeof (FaRect));
  /* standing (3:1): the top 40 % (1.2 widths), 10 % margins */
  FaRect standing = {200, 100, 100, 300};
  g_assert_cmpuint (fa_face_search_regions (&standing, 1, 640, 480, regions), ==, 1);
  FaRect *r = &g_array_index (regions, FaRect, 0);
  g_assert_cmpfloat_with_epsilon (r->x, 190, 1e-3);
  g_assert_cmpfloat_with_epsilon (r->y, 70, 1e-3);
  g_assert_cmpfloat_with_epsilon (r->width, 120, 1e-3);
  g_assert_cmpfloat_with_epsilon (r->height, 150, 1e-3);

  /* head and shoulders (square): the whole box; clipped at the frame edge */
  g_array_set_size (regions, 0);
  FaRect close_up = {0, 0, 200, 220};
  g_assert_cmpuint (fa_face_search_regions (&close_up, 1, 640, 480, regions), ==, 1);
  r = &g_array_index (regions, FaRect, 0);
  g_assert_cmpfloat (r->x, ==, 0);
  g_assert_cmpfloat (r->y, ==, 0);
  g_assert_cmpfloat_with_epsilon (r->width, 220, 1e-3);
  g_assert_cmpfloat_with_epsilon (r->height, 220, 1e-3);

  /* two persons side by side, overlapping: one region; a third far away */
  g_array_set_size (regions, 0);
  FaRect group[] = {{100, 100, 100, 100}, {180, 100, 100, 100}, {500, 300, 50, 150}};
  g_assert_cmpuint (fa_face_search_regions (group, 3, 640, 480, regions), ==, 2);
  r = &g_array_index (regions, FaRect, 0);
  g_assert_cmpfloat_with_epsilon (r->x, 90, 1e-3);
  g_assert_cmpfloat_with_epsilon (r->x + r->width, 290, 1e-3);

  /* no person, no region */
  g_array_set_size (regions, 0);
  g_assert_cmpuint (fa_face_search_regions (NULL, 0, 640, 480, regions), ==, 0);
}

/* Searching only inside regions finds the faces inside them and none
 * elsewhere: on the 7-face photo, the regions around 3 annotated faces give
 * exactly those 3; the full frame gives all 7. */
static void
test_detect_in_regions (void)
{
  g_autofree gchar *photo = fa_test_data_path ("detection/dlib_faces/2008_002079.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (photo, &error);
  g_assert_no_error (error);
  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (FaFace));
  int n = fa_detector_detect (detector, fa_picture_image (picture), all, &error);
  g_assert_cmpint (n, >=, 5);

  FaRect regions[3];
  for (int i = 0; i < 3; i++) {
    const FaRect *b = &g_array_index (all, FaFace, i).box;
    regions[i] = (FaRect) {b->x - b->width / 2, b->y - b->height / 2, 2 * b->width, 2 * b->height};
  }
  g_autoptr (GArray) some = g_array_new (FALSE, FALSE, sizeof (FaFace));
  g_assert_cmpint (fa_detector_detect_in (detector, fa_picture_image (picture), regions, 3, some,
          &error), ==, 3);
  for (int i = 0; i < 3; i++) {
    float best = 0;
    for (int k = 0; k < 3; k++)
      best = MAX (best, fa_rect_iou (&g_array_index (some, FaFace, i).box,
              &g_array_index (all, FaFace, k).box));
    g_assert_cmpfloat (best, >, 0.8f);
  }
  g_array_set_size (some, 0);
  g_assert_cmpint (fa_detector_detect_in (detector, fa_picture_image (picture), NULL, 0, some,
          &error), ==, 0);
  /* a tiny region is grown to the detector's minimum and still works */
  const FaFace *f = &g_array_index (all, FaFace, 0);
  FaRect dot = {f->box.x + f->box.width / 2, f->box.y + f->box.height / 2, 2, 2};
  g_assert_cmpint (fa_detector_detect_in (detector, fa_picture_image (picture), &dot, 1, some,
          &error), >=, 0);
  g_assert_no_error (error);

  /* Small regions are searched finer than the frame, up to
   * region_detect_width: at detect-width 100 the whole frame shows fewer
   * faces than the regions around them, searched at full size. */
  g_autoptr (GArray) grown = g_array_new (FALSE, FALSE, sizeof (FaRect));
  for (guint i = 0; i < all->len; i++) {
    const FaRect *b = &g_array_index (all, FaFace, i).box;
    FaRect around = {b->x - b->width / 2, b->y - b->height / 2, 2 * b->width, 2 * b->height};
    g_array_append_val (grown, around);
  }
  config.detect_width = 100;
  config.region_detect_width = 0;
  fa_detector_update (detector, &config);
  g_array_set_size (some, 0);
  int coarse = fa_detector_detect (detector, fa_picture_image (picture), some, &error);
  g_array_set_size (some, 0);
  int fine = fa_detector_detect_in (detector, fa_picture_image (picture),
      (const FaRect *) grown->data, grown->len, some, &error);
  g_test_message ("detect-width 100: %d faces in the frame, %d in the regions (of %u)", coarse,
      fine, all->len);
  g_assert_cmpint (fine, ==, (int) all->len);
  g_assert_cmpint (coarse, >=, 0);
  g_assert_cmpint (coarse + 2, <=, fine);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/objdetect/labels", test_labels);
  g_test_add_func ("/objdetect/yolox-decode", test_yolox_decode);
  g_test_add_func ("/objdetect/yolox-decode-rect", test_yolox_decode_rect);
  g_test_add_func ("/objdetect/fastestdet-decode", test_fastestdet_decode);
  g_test_add_func ("/objdetect/nms", test_nms);
  g_test_add_func ("/motion/gate", test_motion_gate);
  g_test_add_func ("/motion/outside-boxes", test_motion_outside_boxes);
  g_test_add_func ("/motion/thumbnail-formats", test_motion_thumbnail_formats);
  g_test_add_data_func ("/objdetect/yolox-photos", GINT_TO_POINTER (FA_OBJECT_YOLOX),
      test_detector_photos);
  g_test_add_data_func ("/objdetect/fastestdet-photos", GINT_TO_POINTER (FA_OBJECT_FASTESTDET),
      test_detector_photos);
  g_test_add_func ("/objdetect/bad-models", test_detector_bad_models);
  g_test_add_func ("/regions/from-person-boxes", test_face_regions);
  g_test_add_func ("/regions/detect-in", test_detect_in_regions);
  return g_test_run ();
}
