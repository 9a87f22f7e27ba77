/* facealert tests: shared helpers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Path of @relative inside the fetched test data ($FACEALERT_TESTDATA).
 * Aborts the test with a clear message when the data was not fetched. */
gchar *fa_test_data_path (const gchar *relative);

/* Path of a model in the default models directory; skips the test (exit 77)
 * when @optional is TRUE and the file is missing, fails it otherwise. */
gchar *fa_test_model_path (const gchar *file_name, gboolean optional);

/* A fresh private temporary directory, removed by fa_test_rm_rf(). */
gchar *fa_test_make_tmpdir (const gchar *prefix);
void fa_test_rm_rf (const gchar *path);

/* Number of entries in @dir (0 when it does not exist). */
guint fa_test_count_files (const gchar *dir);

/* Runs @argv (looked up in PATH) to completion. Returns its exit status;
 * its stdout and stderr go to @out and @err when not NULL. */
int fa_test_run_argv (const gchar *const *argv, gchar **out, gchar **err);

/* Records every GLib log message from now on (every level: set
 * G_MESSAGES_DEBUG=all before to have libraries produce their debug lines),
 * errors and criticals still going to the default writer; then
 * fa_test_logged_contains() looks for @needle in all of them, and
 * fa_test_record_log_line() adds a line from elsewhere (GStreamer's log). */
void fa_test_record_logs (void);
gboolean fa_test_logged_contains (const gchar *needle);
void fa_test_record_log_line (const gchar *line);

G_END_DECLS
