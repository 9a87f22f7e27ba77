/* facealert-run's description files (tools/fa-run-desc.h): camera templates
 * ([cam1,cam2], [${CAMERAS:-...}]), per-camera variables (CAM1_URL for
 * ${URL}), and one-line errors naming the file, line and camera. */
#include "fa-run-desc.h"
#include "fa-test.h"

#include <string.h>

static gchar *tmp_dir;

static GPtrArray *
load (const gchar *text, GError **error)
{
  g_autofree gchar *path = g_build_filename (tmp_dir, "cams.pipeline", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return fa_run_desc_load (path, error);
}

static const gchar *
description (GPtrArray *sections, guint i, const gchar *name)
{
  FaRunSection *s = g_ptr_array_index (sections, i);
  g_assert_cmpstr (s->name, ==, name);
  return s->description;
}

static void
test_template (void)
{
  g_setenv ("CAM1_URL", "rtsp://h/1", TRUE);
  g_setenv ("CAM2_URL", "rtsp://h/2", TRUE);
  g_setenv ("CAM3_URL", "rtsp://h/3", TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) s = load ("# three cameras, written once\n"
      "[cam1,cam2 cam3]\n"
      "rtspsrc location=${URL} ! tee name=${CAMERA}-tee\n"
      "  ${CAMERA}-tee. ! fakesink\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->len, ==, 3);
  g_assert_cmpstr (description (s, 0, "cam1"), ==,
      "rtspsrc location=rtsp://h/1 ! tee name=cam1-tee cam1-tee. ! fakesink");
  g_assert_cmpstr (description (s, 2, "cam3"), ==,
      "rtspsrc location=rtsp://h/3 ! tee name=cam3-tee cam3-tee. ! fakesink");
  g_assert_cmpuint (((FaRunSection *) g_ptr_array_index (s, 1))->line, ==, 2);
}

static void
test_cameras_from_variable (void)
{
  g_autoptr (GError) error = NULL;
  const gchar *text = "[${FA_TEST_CAMERAS:-cam1,cam2}]\nvideotestsrc ! fakesink name=${CAMERA}\n"
      "[garage]\nvideotestsrc ! fakesink\n";
  g_unsetenv ("FA_TEST_CAMERAS");
  g_autoptr (GPtrArray) dflt = load (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dflt->len, ==, 3);
  description (dflt, 1, "cam2");
  description (dflt, 2, "garage");

  g_setenv ("FA_TEST_CAMERAS", "front-door back", TRUE);
  g_autoptr (GPtrArray) two = load (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->len, ==, 3);
  g_assert_cmpstr (description (two, 0, "front-door"), ==,
      "videotestsrc ! fakesink name=front-door");
  description (two, 1, "back");
  g_unsetenv ("FA_TEST_CAMERAS");
}

static void
test_per_camera_variables (void)
{
  g_autoptr (GError) error = NULL;
  g_setenv ("FA_TEST_RULES", "unknown", TRUE);
  g_setenv ("CAM2_FA_TEST_RULES", "unknown,person", TRUE);
  g_setenv ("FRONT_DOOR_FA_TEST_RULES", "known", TRUE);
  g_autoptr (GPtrArray) s = load ("[cam1,cam2,front-door]\n"
      "fakesink name=${CAMERA} x=${FA_TEST_RULES} y=${FA_TEST_UNSET:-d}\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (description (s, 0, "cam1"), ==, "fakesink name=cam1 x=unknown y=d");
  g_assert_cmpstr (description (s, 1, "cam2"), ==,
      "fakesink name=cam2 x=unknown,person y=d");
  g_assert_cmpstr (description (s, 2, "front-door"), ==,
      "fakesink name=front-door x=known y=d");
  /* A camera's own empty value takes the default, as an empty VAR does. */
  g_setenv ("CAM1_FA_TEST_UNSET", "", TRUE);
  g_autoptr (GPtrArray) d = load ("[cam1]\nfakesink y=${FA_TEST_UNSET:-d}\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (description (d, 0, "cam1"), ==, "fakesink y=d");
  g_unsetenv ("CAM1_FA_TEST_UNSET");
  g_unsetenv ("FA_TEST_RULES");
  g_unsetenv ("CAM2_FA_TEST_RULES");
  g_unsetenv ("FRONT_DOOR_FA_TEST_RULES");
}

static void
expect_error (const gchar *text, const gchar *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) s = load (text, &error);
  g_assert_null (s);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, "cams.pipeline:"));
}

static void
test_errors (void)
{
  g_setenv ("CAM1_URL", "rtsp://h/1", TRUE);
  g_unsetenv ("CAM2_URL");
  g_unsetenv ("URL");
  expect_error ("[cam1,cam2]\nrtspsrc location=${URL} ! fakesink\n",
      "cams.pipeline:1: camera [cam2]: ${URL} is not set (export CAM2_URL=... for this "
      "camera or URL=..., or write ${URL:-DEFAULT})");
  expect_error ("[${CAMERA}]\nfakesink\n", "${CAMERA} has no value in a section header");
  expect_error ("[cam1,bad/name]\nfakesink\n", "bad camera name [bad/name]");
  expect_error ("[${FA_TEST_NO_CAMERAS:-}]\nfakesink\n", "no camera name");
  expect_error ("[cam1,cam2]\nfakesink\n[cam2]\nfakesink\n", "camera [cam2] is defined twice");
  expect_error ("[cam1,cam2]\n# only a comment\n[cam3]\nfakesink\n",
      "camera [cam1,cam2] has no pipeline description");
  expect_error ("[cam1]\nfakesink x=$y\n", "a lone $");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = fa_test_make_tmpdir ("fa-run-desc");
  g_test_add_func ("/run-desc/template", test_template);
  g_test_add_func ("/run-desc/cameras-from-variable", test_cameras_from_variable);
  g_test_add_func ("/run-desc/per-camera-variables", test_per_camera_variables);
  g_test_add_func ("/run-desc/errors", test_errors);
  int ret = g_test_run ();
  fa_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
