/* Integration: the page of `facealert serve` in real Chromium
 * (tests/integration/serve-browser.mjs, playwright-core driving Debian's
 * /usr/bin/chromium) over data from a real pipeline run (serve-fixture.h).
 * Screenshots are kept in BUILD/serve-browser/ (not committed). The sighting
 * the page enrols is then read back with `facealert sightings show`. */
#include "serve-fixture.h"
#include "fa-test.h"

#include <string.h>

static void
test_page (gconstpointer data)
{
  FaServeFixture *fixture = (FaServeFixture *) data;
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_getenv ("FACEALERT_TEST_SERVERS")
      ? g_strdup (g_getenv ("FACEALERT_TEST_SERVERS"))
      : g_build_filename (source, ".test-servers", NULL);
  g_autofree gchar *script = g_build_filename (source, "tests", "integration",
      "serve-browser.mjs", NULL);
  g_autofree gchar *artifacts = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "serve-browser", NULL);
  g_autofree gchar *photo = fa_test_data_path ("unknown_faces/Amy_Adams.jpg");
  const gchar *argv[] = { "node", script, servers, fixture->url, FA_SERVE_TEST_PASSWORD,
    artifacts, fixture->alert_id, photo, NULL };
  FaProc *browser = fa_proc_spawn ("browser", FALSE, argv);
  /* The watchdog: a hung browser fails the test, it does not stall it. */
  gint status = fa_proc_wait_exit (browser, 150);
  if (status != 0)
    g_test_message ("browser stderr: %s", browser->err->str);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (fa_proc_has_line (browser, "browser: all steps passed", 0));
  /* The correction made on the page is in the store the CLI reads. */
  const gchar *prefix = "browser: enrolled sighting ";
  gint64 id = 0;
  for (guint i = 0; i < browser->lines->len && id == 0; i++) {
    const gchar *line = g_ptr_array_index (browser->lines, i);
    if (g_str_has_prefix (line, prefix))
      id = g_ascii_strtoll (line + strlen (prefix), NULL, 10);
  }
  fa_proc_free (browser);
  g_assert_cmpint (id, >, 0);
  g_autofree gchar *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree gchar *shown = NULL;
  g_assert_cmpint (fa_serve_cli (&shown, NULL, "sightings", "show", id_text, NULL), ==, 0);
  g_assert_nonnull (strstr (shown, "\"Name\" : \"Charlie_Chaplin\""));
  g_assert_nonnull (strstr (shown, "\"Confirmed\" : true"));
  g_autofree gchar *known = NULL;
  g_assert_cmpint (fa_serve_cli (&known, NULL, "sightings", "list", "--name", "Charlie_Chaplin",
          NULL), ==, 0);
  g_assert_nonnull (strstr (known, id_text));
  g_autofree gchar *shot = g_build_filename (artifacts, "03-clip.png", NULL);
  g_assert_true (g_file_test (shot, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_getenv ("FACEALERT_TEST_SERVERS")
      ? g_strdup (g_getenv ("FACEALERT_TEST_SERVERS"))
      : g_build_filename (source, ".test-servers", NULL);
  g_autofree gchar *playwright = g_build_filename (servers, "node_modules",
      "playwright-core", "package.json", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");
  if (node == NULL || !g_file_test (playwright, G_FILE_TEST_EXISTS)
      || !g_file_test ("/usr/bin/chromium", G_FILE_TEST_IS_EXECUTABLE)) {
    g_print ("1..0 # SKIP needs node, playwright-core (scripts/install-test-servers.sh) "
        "and /usr/bin/chromium (apt-get install chromium)\n");
    return 77;
  }
  FaServeFixture *fixture = fa_serve_fixture_new (TRUE);
  fa_serve_fixture_start (fixture);
  g_test_add_data_func ("/serve-browser/page", fixture, test_page);
  int status = g_test_run ();
  fa_serve_fixture_free (fixture);
  return status;
}
