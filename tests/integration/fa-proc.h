/* Integration tests: a child process whose stdout lines are collected while
 * the test waits, with bounded timeouts, for conditions on them. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GSubprocess *proc;
  GOutputStream *in;           // stdin, when asked for
  GPtrArray *lines;            // stdout lines so far (gchar*)
  GString *err;                // stderr so far
  gboolean eof;
  const gchar *tag;            // for the test log
  gint readers;                // pending stdout/stderr readers
  gboolean freed;              // fa_proc_free() called; freed at reader EOF
} FaProc;

/* Spawns @argv (NULL-terminated) with stdout (and stderr) collected; stdin is
 * a pipe when @with_stdin. Fails the test when it cannot start. */
FaProc *fa_proc_spawn (const gchar *tag, gboolean with_stdin,
    const gchar *const *argv);

/* Writes @line and a newline to the child's stdin. */
void fa_proc_send (FaProc *p, const gchar *line);

/* Runs the default main context until @cond(@data) is TRUE (checked after
 * each event) or @timeout_s passes; returns the last @cond result. */
gboolean fa_wait_until (gboolean (*cond) (gpointer data), gpointer data,
    gdouble timeout_s);

/* Waits for a line starting with @prefix at index >= *@from; returns it
 * (owned by @p) and sets *@from past it, or NULL on timeout/EOF. */
const gchar *fa_proc_wait_line (FaProc *p, const gchar *prefix, guint *from,
    gdouble timeout_s);

/* Waits for the child to exit (bounded); returns its exit status, or -1 when
 * it was killed by a signal or did not exit in time (then it is killed). */
gint fa_proc_wait_exit (FaProc *p, gdouble timeout_s);

/* Whether a line from @from on (already read) starts with @prefix. */
gboolean fa_proc_has_line (FaProc *p, const gchar *prefix, guint from);

/* Kills the child if still running (SIGKILL by pid) and frees. */
void fa_proc_free (FaProc *p);

G_END_DECLS
