/* Unit tests: default locations and their environment overrides. */
#include "fa-paths.h"
#include "fa-error.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void
test_env_override (void)
{
  g_setenv ("FACEALERT_MODELS_DIR", "/tmp/fa-models-here", TRUE);
  g_autofree gchar *model = fa_paths_model ("x.onnx");
  g_assert_cmpstr (model, ==, "/tmp/fa-models-here/x.onnx");
  g_unsetenv ("FACEALERT_MODELS_DIR");
}

static void
test_xdg_defaults (void)
{
  g_setenv ("XDG_DATA_HOME", "/srv/data", TRUE);
  g_setenv ("XDG_STATE_HOME", "/srv/state", TRUE);
  g_unsetenv ("FACEALERT_COLLECTIONS_DIR");
  g_unsetenv ("FACEALERT_OUTBOX_DIR");
  g_autofree gchar *collections = fa_paths_dir (FA_DIR_COLLECTIONS);
  g_autofree gchar *outbox = fa_paths_dir (FA_DIR_OUTBOX);
  g_assert_cmpstr (collections, ==, "/srv/data/facealert/collections");
  g_assert_cmpstr (outbox, ==, "/srv/state/facealert/outbox");
  /* The server's key pair and password under XDG_CONFIG_HOME (GLib reads it
   * once, at its first use, which is here); camera status under state. */
  g_setenv ("XDG_CONFIG_HOME", "/srv/config", TRUE);
  g_unsetenv ("FACEALERT_CONFIG_DIR");
  g_unsetenv ("FACEALERT_CAMERAS_DIR");
  g_autofree gchar *config = fa_paths_dir (FA_DIR_CONFIG);
  g_autofree gchar *cameras = fa_paths_dir (FA_DIR_CAMERAS);
  g_assert_cmpstr (config, ==, "/srv/config/facealert");
  g_assert_cmpstr (cameras, ==, "/srv/state/facealert/cameras");
  g_setenv ("FACEALERT_CONFIG_DIR", "/etc/fa-here", TRUE);
  g_autofree gchar *override = fa_paths_dir (FA_DIR_CONFIG);
  g_assert_cmpstr (override, ==, "/etc/fa-here");
  g_unsetenv ("FACEALERT_CONFIG_DIR");
}

static void
test_private_dir (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-paths");
  g_autofree gchar *dir = g_build_filename (tmp, "a", "b", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (fa_paths_ensure_private_dir (dir, &error));
  g_assert_no_error (error);
  GStatBuf st;
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  fa_test_rm_rf (tmp);
}

/* One owner at a time: the directory 0700, the file 0600, a second owner
 * refused with the caller's message, the file free again once closed. */
static void
test_take_private_file (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-paths");
  g_autofree gchar *path = g_build_filename (tmp, "box", "one.sqlite", NULL);
  g_autoptr (GError) error = NULL;
  int fd = fa_paths_take_private_file (path, &error, "%s: taken", "one");
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autofree gchar *dir = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_cmpint (fa_paths_take_private_file (path, &error, "%s: taken",
          "one"), ==, -1);
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, "one: taken");
  g_clear_error (&error);

  close (fd);
  fd = fa_paths_take_private_file (path, &error, "%s: taken", "one");
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  fa_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/paths/env-override", test_env_override);
  g_test_add_func ("/paths/xdg-defaults", test_xdg_defaults);
  g_test_add_func ("/paths/private-dir", test_private_dir);
  g_test_add_func ("/paths/take-private-file", test_take_private_file);
  return g_test_run ();
}
