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
  g_test_add_func ("/picture/bad-image", test_bad_image_is_refused);
  return g_test_run ();
}
