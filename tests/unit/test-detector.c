/* Unit tests: the detector front end with the default (YuNet) backend. */
#include "fa-detector.h"
#include "fa-error.h"
#include "fa-test.h"

static void
test_yunet_finds_one_face (void)
{
  g_autofree gchar *photo = fa_test_data_path ("people/John_Lennon/1.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (photo, &error);
  g_assert_no_error (error);

  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_no_error (error);

  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  g_assert_cmpint (fa_detector_detect (detector, fa_picture_image (picture), faces, &error), ==, 1);
  FaFace *face = &g_array_index (faces, FaFace, 0);
  g_assert_true (face->has_landmarks);
  g_assert_cmpfloat (face->score, >, 0.7f);
  /* Eyes inside the box, right eye (image left) left of the left eye. */
  g_assert_cmpfloat (face->landmarks[0][0], <, face->landmarks[1][0]);
  g_assert_cmpfloat (face->landmarks[0][0], >, face->box.x);
  g_assert_cmpfloat (face->landmarks[1][0], <, face->box.x + face->box.width);
}

/* Every method finds the single face, with 5 plausible landmarks (derived
 * from dlib's 68-point model for hog/mmod/haar) and a 0..1 score. */
static void
test_method_finds_one_face (gconstpointer data)
{
  FaDetectMethod method = GPOINTER_TO_INT (data);
  g_autofree gchar *photo = fa_test_data_path ("people/John_Lennon/1.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (photo, &error);
  g_assert_no_error (error);

  FaDetectorConfig config;
  fa_detector_config_init (&config, method);
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_no_error (error);

  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  g_assert_cmpint (fa_detector_detect (detector, fa_picture_image (picture), faces, &error), ==, 1);
  g_assert_no_error (error);
  FaFace *face = &g_array_index (faces, FaFace, 0);
  g_assert_cmpfloat (face->score, >=, config.score_threshold);
  g_assert_cmpfloat (face->score, <=, 1.0f);
  g_assert_true (face->has_landmarks);
  /* Eyes above the mouth corners, image-left eye left of image-right eye,
   * all inside the (slightly grown) box. */
  g_assert_cmpfloat (face->landmarks[0][0], <, face->landmarks[1][0]);
  g_assert_cmpfloat (face->landmarks[0][1], <, face->landmarks[3][1]);
  g_assert_cmpfloat (face->landmarks[1][1], <, face->landmarks[4][1]);
  for (int k = 0; k < FA_FACE_N_LANDMARKS; k++) {
    g_assert_cmpfloat (face->landmarks[k][0], >, face->box.x - 0.2f * face->box.width);
    g_assert_cmpfloat (face->landmarks[k][0], <, face->box.x + 1.2f * face->box.width);
    g_assert_cmpfloat (face->landmarks[k][1], >, face->box.y - 0.2f * face->box.height);
    g_assert_cmpfloat (face->landmarks[k][1], <, face->box.y + 1.2f * face->box.height);
  }
}

/* A file that is not a model fails with FA_ERROR_CORRUPT naming the file. */
static void
test_corrupt_model_names_file (gconstpointer data)
{
  FaDetectMethod method = GPOINTER_TO_INT (data);
  g_autofree gchar *dir = fa_test_make_tmpdir ("detector");
  g_autofree gchar *path = g_build_filename (dir, "garbage.model", NULL);
  g_assert_true (g_file_set_contents (path, "this is not a model\n", -1, NULL));

  FaDetectorConfig config;
  fa_detector_config_init (&config, method);
  if (method == FA_DETECT_HOG)
    config.landmark_model_path = path;   /* hog's only file */
  else
    config.model_path = path;
  g_autoptr (GError) error = NULL;
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_null (detector);
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  fa_test_rm_rf (dir);
}

/* Fewer faces with a stricter threshold, and max_faces caps the count. */
static void
test_thresholds_and_max_faces (void)
{
  g_autofree gchar *photo = fa_test_data_path ("detection/dlib_faces/2008_002079.jpg");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (photo, &error);
  g_assert_no_error (error);

  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  int all = fa_detector_detect (detector, fa_picture_image (picture), faces, &error);
  g_assert_cmpint (all, >=, 4);
  for (guint i = 1; i < faces->len; i++)
    g_assert_cmpfloat (g_array_index (faces, FaFace, i - 1).score, >=,
        g_array_index (faces, FaFace, i).score);

  config.max_faces = 2;
  fa_detector_update (detector, &config);
  g_array_set_size (faces, 0);
  g_assert_cmpint (fa_detector_detect (detector, fa_picture_image (picture), faces, &error), ==, 2);

  config.max_faces = 0;
  config.min_size = 200;   /* larger than any face in the picture */
  fa_detector_update (detector, &config);
  g_array_set_size (faces, 0);
  g_assert_cmpint (fa_detector_detect (detector, fa_picture_image (picture), faces, &error), ==, 0);
}

static void
test_missing_model_names_file (void)
{
  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  config.model_path = "/nonexistent/yunet.onnx";
  g_autoptr (GError) error = NULL;
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_null (detector);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/yunet.onnx"));
}

static void
test_bad_image_is_refused (void)
{
  g_autofree gchar *not_image = fa_test_data_path ("detection/dlib_faces/training.xml");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (not_image, &error);
  g_assert_null (picture);
  g_assert_error (error, FA_ERROR, FA_ERROR_BAD_IMAGE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/detector/yunet-one-face", test_yunet_finds_one_face);
  g_test_add_func ("/detector/missing-model", test_missing_model_names_file);
  g_test_add_func ("/detector/thresholds-and-max-faces", test_thresholds_and_max_faces);
  static const FaDetectMethod methods[] = {FA_DETECT_YUNET, FA_DETECT_HOG, FA_DETECT_MMOD, FA_DETECT_HAAR};
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_autofree gchar *one = g_strdup_printf ("/detector/%s/one-face", fa_detect_method_name (methods[i]));
    g_autofree gchar *corrupt = g_strdup_printf ("/detector/%s/corrupt-model", fa_detect_method_name (methods[i]));
    g_test_add_data_func (one, GINT_TO_POINTER (methods[i]), test_method_finds_one_face);
    g_test_add_data_func (corrupt, GINT_TO_POINTER (methods[i]), test_corrupt_model_names_file);
  }
  g_test_add_func ("/picture/bad-image", test_bad_image_is_refused);
  return g_test_run ();
}
