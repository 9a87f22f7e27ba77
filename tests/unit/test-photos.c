/* Unit tests: faces in photos that are not camera frames (tight crops with
 * the chin cut off, aligned 112x112 crops, tiny crops), as `faces index` and
 * `faces search` see them. Real photos from tests/data. */
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-analyzer.h"
#include "fa-recognize-defaults.h"
#include "fa-test.h"

#include <string.h>

static FaFaceAnalyzer *analyzer;

/* An owned packed BGR image. */
typedef struct {
  FaImage image;
  guint8 *pixels;
} OwnedImage;

static void
owned_clear (OwnedImage *o)
{
  g_free (o->pixels);
}

/* The rectangle (x, y, w, h) of @src (packed BGR), shrunk to @out_w x @out_h
 * by averaging (a box filter: what a phone's thumbnail does). */
static OwnedImage
crop_and_shrink (const FaImage *src, int x, int y, int w, int h, int out_w, int out_h)
{
  g_assert_cmpint (src->format, ==, FA_PIXEL_BGR);
  OwnedImage o = {{FA_PIXEL_BGR, out_w, out_h, {NULL}, {3 * out_w}}, g_malloc (3 * out_w * out_h)};
  for (int oy = 0; oy < out_h; oy++)
    for (int ox = 0; ox < out_w; ox++) {
      int x0 = x + ox * w / out_w, x1 = MAX (x + (ox + 1) * w / out_w, x0 + 1);
      int y0 = y + oy * h / out_h, y1 = MAX (y + (oy + 1) * h / out_h, y0 + 1);
      for (int c = 0; c < 3; c++) {
        guint sum = 0, n = 0;
        for (int sy = y0; sy < y1; sy++)
          for (int sx = x0; sx < x1; sx++, n++)
            sum += src->planes[0][sy * src->strides[0] + 3 * sx + c];
        o.pixels[3 * (oy * out_w + ox) + c] = (guint8) (sum / n);
      }
    }
  o.image.planes[0] = o.pixels;
  return o;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OwnedImage, owned_clear)

static FaPicture *
load (const gchar *relative)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (GError) error = NULL;
  FaPicture *picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  return picture;
}

static double
similarity (const float *a, const float *b)
{
  return fa_similarity_from_cosine (fa_embedding_cosine (a, b, fa_face_analyzer_dim (analyzer)));
}

/* No message may carry the library's own text. */
static void
assert_clean_message (const GError *error)
{
  g_assert_null (strstr (error->message, "OpenCV"));
  g_assert_null (strstr (error->message, "cv::"));
  g_assert_null (strstr (error->message, "total("));
  g_assert_null (strchr (error->message, '\n'));
}

/* The face of Anthony_Hopkins/1.jpg (250x250; face box about 75,54 101x148)
 * cut tight: the chin cut off, the face filling the picture. The old code
 * found no face in either crop. */
static void
test_tight_crops (void)
{
  g_autoptr (FaPicture) whole = load ("people/Anthony_Hopkins/1.jpg");
  g_autoptr (GError) error = NULL;
  FaFace face;
  float reference[FA_EMBED_MAX_DIM], tight[FA_EMBED_MAX_DIM];
  g_assert_true (fa_face_analyzer_largest_face (analyzer, fa_picture_image (whole), &face,
          reference, &error));

  const int rects[][4] = {{90, 80, 72, 85}, {80, 60, 92, 110}};
  for (guint i = 0; i < G_N_ELEMENTS (rects); i++) {
    const int *r = rects[i];
    g_auto (OwnedImage) crop = crop_and_shrink (fa_picture_image (whole), r[0], r[1], r[2], r[3],
        r[2], r[3]);
    if (!fa_face_analyzer_largest_face (analyzer, &crop.image, &face, tight, &error))
      g_error ("crop %d,%d %dx%d: %s", r[0], r[1], r[2], r[3], error->message);
    /* The face fills the crop and is cut by its edges... */
    g_assert_cmpfloat (face.box.width, >, 0.8 * crop.image.width);
    g_assert_cmpfloat (face.box.y + face.box.height, >, crop.image.height);
    /* ... and is the same person. */
    g_assert_cmpfloat (similarity (reference, tight), >=, FA_DEFAULT_FACE_MATCH_THRESHOLD);

    /* IndexFaces takes it too (MEDIUM quality). */
    g_autoptr (FaIndexResult) result = fa_face_analyzer_index (analyzer, &crop.image,
        "Anthony_Hopkins", 1, FA_QUALITY_FILTER_AUTO, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->indexed->len, ==, 1);
  }
}

/* 112x112 crops aligned the insightface way (Glint360K): the face fills
 * the picture; none of these four was found before. */
static void
test_aligned_crops (void)
{
  static const gchar *const crops[] = {
    "people_more/Tina_Fey/2.png", "people_more/Tina_Fey/4.png",
    "people_more/Hugh_Jackman/9.png", "people_more/Hugh_Jackman/10.png",
  };
  float e[G_N_ELEMENTS (crops)][FA_EMBED_MAX_DIM];
  for (guint i = 0; i < G_N_ELEMENTS (crops); i++) {
    g_autoptr (FaPicture) p = load (crops[i]);
    g_autoptr (GError) error = NULL;
    FaFace face;
    g_assert_cmpint (fa_picture_image (p)->width, ==, 112);
    if (!fa_face_analyzer_largest_face (analyzer, fa_picture_image (p), &face, e[i], &error))
      g_error ("%s: %s", crops[i], error->message);
  }
  /* Same person above the threshold, the other person below it. */
  g_assert_cmpfloat (similarity (e[0], e[1]), >=, FA_DEFAULT_FACE_MATCH_THRESHOLD);
  g_assert_cmpfloat (similarity (e[2], e[3]), >=, FA_DEFAULT_FACE_MATCH_THRESHOLD);
  g_assert_cmpfloat (similarity (e[0], e[2]), <, FA_DEFAULT_FACE_MATCH_THRESHOLD);
  g_assert_cmpfloat (similarity (e[1], e[3]), <, FA_DEFAULT_FACE_MATCH_THRESHOLD);
}

/* A 40x48 thumbnail of the face: found (the face is about 40 pixels, above
 * FA_FACE_ANALYZER_MIN_FACE) or refused with one clean line; never OpenCV's
 * "getLayerShapesRecursively ... total(os[i]) > 0", which the old code
 * gave for a 41x48 crop. */
static void
test_small_crop (void)
{
  g_autoptr (FaPicture) whole = load ("people/Anthony_Hopkins/1.jpg");
  g_autoptr (GError) error = NULL;
  FaFace face;
  float reference[FA_EMBED_MAX_DIM], small[FA_EMBED_MAX_DIM];
  g_assert_true (fa_face_analyzer_largest_face (analyzer, fa_picture_image (whole), &face,
          reference, &error));
  const int sizes[][2] = {{40, 48}, {41, 48}};
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_auto (OwnedImage) crop = crop_and_shrink (fa_picture_image (whole), 75, 54, 101, 121,
        sizes[i][0], sizes[i][1]);
    if (fa_face_analyzer_largest_face (analyzer, &crop.image, &face, small, &error)) {
      g_test_message ("%dx%d: face %.0fx%.0f, similarity %.1f", sizes[i][0], sizes[i][1],
          face.box.width, face.box.height, similarity (reference, small));
      g_assert_cmpfloat (similarity (reference, small), >=, FA_DEFAULT_FACE_MATCH_THRESHOLD);
    } else {
      g_test_message ("%dx%d: %s", sizes[i][0], sizes[i][1], error->message);
      g_assert_error (error, FA_ERROR, FA_ERROR_NO_FACE);
      g_assert_nonnull (strstr (error->message, "too small"));
      assert_clean_message (error);
      g_clear_error (&error);
    }
  }
}

/* Below 32 pixels: refused, saying the image is too small (search and
 * index alike), with no library text; and a blank picture has no face. */
static void
test_too_small_and_blank (void)
{
  g_autoptr (FaPicture) whole = load ("people/Anthony_Hopkins/1.jpg");
  g_autoptr (GError) error = NULL;
  FaFace face;
  float e[FA_EMBED_MAX_DIM];
  g_auto (OwnedImage) tiny = crop_and_shrink (fa_picture_image (whole), 75, 54, 101, 121, 20, 24);
  g_assert_false (fa_face_analyzer_largest_face (analyzer, &tiny.image, &face, e, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NO_FACE);
  g_assert_nonnull (strstr (error->message, "20x24 pixels: too small"));
  assert_clean_message (error);
  g_clear_error (&error);
  g_assert_null (fa_face_analyzer_index (analyzer, &tiny.image, "Anthony_Hopkins", 1,
          FA_QUALITY_FILTER_AUTO, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NO_FACE);
  g_clear_error (&error);

  g_autofree guint8 *grey = g_malloc (3 * 48 * 48);
  memset (grey, 128, 3 * 48 * 48);
  FaImage blank = {FA_PIXEL_BGR, 48, 48, {grey}, {3 * 48}};
  g_assert_false (fa_face_analyzer_largest_face (analyzer, &blank, &face, e, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NO_FACE);
  g_assert_cmpstr (error->message, ==, "there are no faces in the image");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  analyzer = fa_face_analyzer_new (NULL, &error);
  g_assert_no_error (error);
  g_test_add_func ("/photos/tight-crops", test_tight_crops);
  g_test_add_func ("/photos/aligned-crops", test_aligned_crops);
  g_test_add_func ("/photos/small-crop", test_small_crop);
  g_test_add_func ("/photos/too-small-and-blank", test_too_small_and_blank);
  int status = g_test_run ();
  fa_face_analyzer_free (analyzer);
  return status;
}
