#include "fa-test.h"
#include "fa-paths.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

gchar *
fa_test_data_path (const gchar *relative)
{
  const gchar *root = g_getenv ("FACEALERT_TESTDATA");
  if (root == NULL)
    g_error ("FACEALERT_TESTDATA is not set: run the tests with `meson test`");
  gchar *path = g_build_filename (root, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("test data %s is missing: run scripts/fetch-testdata.sh", path);
  return path;
}

gchar *
fa_test_model_path (const gchar *file_name, gboolean optional)
{
  gchar *path = fa_paths_model (file_name);
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    if (optional) {
      g_print ("SKIP: optional model %s is not installed\n", path);
      exit (77);
    }
    g_error ("model %s is missing: run scripts/fetch-models.sh", path);
  }
  return path;
}

gchar *
fa_test_make_tmpdir (const gchar *prefix)
{
  g_autofree gchar *template = g_strdup_printf ("%s-XXXXXX", prefix);
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  return dir;
}

void
fa_test_rm_rf (const gchar *path)
{
  if (path == NULL || !g_path_is_absolute (path))
    return;
  g_autofree gchar *command = g_strdup_printf ("rm -rf '%s'", path);
  (void) !system (command);
}

int
fa_test_run_argv (const gchar *const *argv, gchar **out, gchar **err)
{
  gchar *o = NULL, *e = NULL;
  int status = -1;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH,
          NULL, NULL, &o, &e, &status, &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = o;
  else
    g_free (o);
  if (err != NULL)
    *err = e;
  else
    g_free (e);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

guint
fa_test_count_files (const gchar *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static GString *logged;
static GMutex logged_lock;

void
fa_test_record_log_line (const gchar *line)
{
  g_mutex_lock (&logged_lock);
  if (logged == NULL)
    logged = g_string_new (NULL);
  g_string_append (logged, line);
  g_string_append_c (logged, '\n');
  g_mutex_unlock (&logged_lock);
}

static GLogWriterOutput
record_log (GLogLevelFlags level, const GLogField *fields, gsize n, gpointer data)
{
  for (gsize i = 0; i < n; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      fa_test_record_log_line (fields[i].value);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return g_log_writer_default (level, fields, n, data);
  return G_LOG_WRITER_HANDLED;
}

void
fa_test_record_logs (void)
{
  g_log_set_writer_func (record_log, NULL, NULL);
}

gboolean
fa_test_logged_contains (const gchar *needle)
{
  g_mutex_lock (&logged_lock);
  gboolean found = logged != NULL && strstr (logged->str, needle) != NULL;
  g_mutex_unlock (&logged_lock);
  return found;
}
