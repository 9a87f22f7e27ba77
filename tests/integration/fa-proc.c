/* Integration tests: child processes with collected output (fa-proc.h). */

#include "fa-proc.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

static void read_next_line (FaProc *p, GDataInputStream *stream);

static void
really_free (FaProc *p)
{
  g_object_unref (p->proc);
  g_ptr_array_unref (p->lines);
  g_string_free (p->err, TRUE);
  g_free (p);
}

// A reader reached EOF: the last one frees a freed FaProc.
static void
reader_done (FaProc *p)
{
  if (--p->readers == 0 && p->freed)
    really_free (p);
}

static void
on_line (GObject *source, GAsyncResult *res, gpointer data)
{
  FaProc *p = data;
  GDataInputStream *stream = G_DATA_INPUT_STREAM (source);
  g_autoptr (GError) error = NULL;
  gchar *line = g_data_input_stream_read_line_finish (stream, res, NULL, &error);
  if (line == NULL || p->freed) {
    g_free (line);
    p->eof = TRUE;
    reader_done (p);
    return;
  }
  g_test_message ("[%s] %s", p->tag, line);
  g_ptr_array_add (p->lines, line);
  read_next_line (p, stream);
}

static void
read_next_line (FaProc *p, GDataInputStream *stream)
{
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL,
      on_line, p);
}

static void
on_err (GObject *source, GAsyncResult *res, gpointer data)
{
  FaProc *p = data;
  GDataInputStream *stream = G_DATA_INPUT_STREAM (source);
  gchar *line = g_data_input_stream_read_line_finish (stream, res, NULL, NULL);
  if (line == NULL || p->freed) {
    g_free (line);
    reader_done (p);
    return;
  }
  g_test_message ("[%s stderr] %s", p->tag, line);
  g_string_append_printf (p->err, "%s\n", line);
  g_free (line);
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL,
      on_err, p);
}

/* In the child: die with the test, so an aborted test leaves no camera
 * simulator or runner behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

FaProc *
fa_proc_spawn (const gchar *tag, gboolean with_stdin, const gchar *const *argv)
{
  g_autoptr (GError) error = NULL;
  FaProc *p = g_new0 (FaProc, 1);
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE |
      G_SUBPROCESS_FLAGS_STDERR_PIPE;
  if (with_stdin)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;

  p->tag = tag;
  p->lines = g_ptr_array_new_with_free_func (g_free);
  p->err = g_string_new (NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  p->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  if (with_stdin)
    p->in = g_subprocess_get_stdin_pipe (p->proc);
  GDataInputStream *out =
      g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->proc));
  GDataInputStream *err =
      g_data_input_stream_new (g_subprocess_get_stderr_pipe (p->proc));
  g_object_set_data_full (G_OBJECT (p->proc), "out", out, g_object_unref);
  g_object_set_data_full (G_OBJECT (p->proc), "err", err, g_object_unref);
  p->readers = 2;
  read_next_line (p, out);
  g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, NULL, on_err, p);
  return p;
}

void
fa_proc_send (FaProc *p, const gchar *line)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = g_strdup_printf ("%s\n", line);
  g_output_stream_write_all (p->in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (p->in, NULL, NULL);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
fa_wait_until (gboolean (*cond) (gpointer data), gpointer data,
    gdouble timeout_s)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add ((guint) (timeout_s * 1000), on_timeout, &expired);
  gboolean ok;
  while (!(ok = cond (data)) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return ok;
}

typedef struct {
  FaProc *p;
  const gchar *prefix;
  guint *from;
  const gchar *found;
} LineWait;

static gboolean
line_found (gpointer data)
{
  LineWait *w = data;
  for (guint i = *w->from; i < w->p->lines->len; i++) {
    const gchar *line = g_ptr_array_index (w->p->lines, i);
    if (g_str_has_prefix (line, w->prefix)) {
      w->found = line;
      *w->from = i + 1;
      return TRUE;
    }
  }
  return w->p->eof;
}

const gchar *
fa_proc_wait_line (FaProc *p, const gchar *prefix, guint *from,
    gdouble timeout_s)
{
  guint start = 0;
  LineWait w = { p, prefix, from ? from : &start, NULL };
  fa_wait_until (line_found, &w, timeout_s);
  return w.found;
}

static void
on_child_exit (GObject *source, GAsyncResult *res, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), res, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

gint
fa_proc_wait_exit (FaProc *p, gdouble timeout_s)
{
  gboolean done = FALSE;
  g_subprocess_wait_async (p->proc, NULL, on_child_exit, &done);
  if (!fa_wait_until (flag_set, &done, timeout_s)) {
    g_subprocess_force_exit (p->proc);
    fa_wait_until (flag_set, &done, 5);
    return -1;
  }
  // Let the last output lines arrive.
  fa_wait_until ((gboolean (*)(gpointer)) flag_set, &p->eof, 2);
  if (!g_subprocess_get_if_exited (p->proc))
    return -1;
  return g_subprocess_get_exit_status (p->proc);
}

void
fa_proc_free (FaProc *p)
{
  if (p == NULL)
    return;
  if (g_subprocess_get_identifier (p->proc) != NULL)
    g_subprocess_force_exit (p->proc);
  if (p->in)
    g_output_stream_close (p->in, NULL, NULL);
  p->freed = TRUE;
  if (p->readers == 0)
    really_free (p);
}

gboolean
fa_proc_has_line (FaProc *p, const gchar *prefix, guint from)
{
  for (guint i = from; i < p->lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (p->lines, i), prefix))
      return TRUE;
  return FALSE;
}
