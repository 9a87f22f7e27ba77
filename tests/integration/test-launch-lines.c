/* facealert integration test: every launch line we document runs, and no
 * element hangs.
 *
 * The lines come from where users copy them:
 *   - every `gst-launch-1.0` line in a fenced code block of docs/ (*.md);
 *   - every `gst-launch-1.0` line in the |[ ... ]| examples of the plugins'
 *     SECTION comments (plugins/gst*.c);
 *   - each element's "Minimal launch line" section in docs/ELEMENT.md: only its
 *     required properties. Every element the plugin registers must have one,
 *     so a new element cannot ship without it.
 * Each line runs as written, with only what points outside this machine made
 * local: rtsp:// URLs become a fa-camsim camera, v4l2src a live test source,
 * video sinks fakesink, alertsink's topic and endpoint the local
 * SNS-compatible server, kdssink's endpoint a local Kinesis (kinesalite, its
 * stream created), key files a test key; stores, snapshots and outboxes
 * go to a private directory through the FACEALERT_*_DIR variables, and the
 * face collection "home" holds the test people.
 *
 * Each line runs in a child process (this program with --run-line) that goes
 * NULL -> PLAYING, lets every sink receive buffers (or the source end), sends
 * EOS, waits for it and goes back to NULL, printing each step. A watchdog in
 * the parent fails the line when the child has not finished in time, prints
 * the last step reached and every thread's backtrace (gdb), and kills it: a
 * hang fails one subtest, not the whole suite by timeout.
 */
#include "fa-test.h"
#include "fa-kinesalite.h"
#include "fa-sns-fixture.h"
#include "fa-proc.h"
#include "fa-paths.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define LINE_TIMEOUT_S 60.0       /* a whole line, child start to exit */
#define MIN_SINK_BUFFERS 5        /* per sink before a live line gets EOS */

/* ---------------- child: run one description ---------------- */

typedef struct {
  GMainLoop *loop;
  GstElement *pipeline;
  GPtrArray *counters;          /* gint* per sink */
  gboolean playing, eos_sent;
  int status;
} Run;

static void
step (const gchar *what)
{
  g_print ("STEP %s\n", what);
}

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

static void
watch_sinks (Run *run)
{
  GstIterator *it = gst_bin_iterate_sinks (GST_BIN (run->pipeline));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *sink = g_value_get_object (&item);
    GstPad *pad = gst_element_get_static_pad (sink, "sink");
    if (pad != NULL) {
      gint *counter = g_new0 (gint, 1);
      g_ptr_array_add (run->counters, counter);
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, counter, NULL);
      gst_object_unref (pad);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

static gboolean
sinks_fed (Run *run)
{
  for (guint i = 0; i < run->counters->len; i++)
    if (g_atomic_int_get ((gint *) g_ptr_array_index (run->counters, i)) < MIN_SINK_BUFFERS)
      return FALSE;
  return TRUE;
}

/* Live lines never end by themselves: EOS once every sink was fed. */
static gboolean
maybe_send_eos (gpointer data)
{
  Run *run = data;
  if (run->playing && !run->eos_sent && sinks_fed (run)) {
    run->eos_sent = TRUE;
    step ("EOS-SENT");
    gst_element_send_event (run->pipeline, gst_event_new_eos ());
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  Run *run = data;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;
      gst_message_parse_error (msg, &error, &debug);
      g_print ("ERROR from %s: %s (%s)\n", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          error->message, debug != NULL ? debug : "");
      run->status = 4;
      g_main_loop_quit (run->loop);
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) error = NULL;
      gst_message_parse_warning (msg, &error, NULL);
      g_print ("WARNING from %s: %s\n", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
          error->message);
      break;
    }
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (run->pipeline)) {
        GstState old, new_state;
        gst_message_parse_state_changed (msg, &old, &new_state, NULL);
        step (gst_element_state_get_name (new_state));
        if (new_state == GST_STATE_PLAYING)
          run->playing = TRUE;
      }
      break;
    case GST_MESSAGE_EOS:
      step ("EOS");
      run->status = 0;
      g_main_loop_quit (run->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static int
run_line (const gchar *description)
{
  /* Let the parent's gdb attach to print where we hang (Yama ptrace_scope). */
  prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  g_autoptr (GError) error = NULL;
  Run run = { 0 };
  run.status = 5;
  run.counters = g_ptr_array_new_with_free_func (g_free);
  step ("PARSE");
  run.pipeline = gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      &error);
  if (run.pipeline == NULL) {
    g_print ("PARSE-ERROR %s\n", error->message);
    return 3;
  }
  watch_sinks (&run);
  run.loop = g_main_loop_new (NULL, FALSE);
  GstBus *bus = gst_element_get_bus (run.pipeline);
  gst_bus_add_watch (bus, on_bus, &run);
  g_timeout_add (50, maybe_send_eos, &run);
  step ("SET-PLAYING");
  if (gst_element_set_state (run.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    step ("STATE-CHANGE-FAILURE");      /* the bus has the error */
  g_main_loop_run (run.loop);
  step ("SET-NULL");
  gst_element_set_state (run.pipeline, GST_STATE_NULL);
  step ("NULL");
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (run.pipeline);
  g_main_loop_unref (run.loop);
  g_ptr_array_unref (run.counters);
  return run.status;
}

/* ---------------- parent: collect, make local, run under a watchdog ---------------- */

typedef struct {
  gchar *where;                 /* "docs/kvssink.md:10" */
  gchar *line;                  /* as documented, continuations joined */
  gchar *minimal_for;           /* element name when it is a minimal line */
} DocLine;

static GPtrArray *doc_lines;    /* DocLine* */
static gchar *tmp_dir, *camera_url, *key_file, *source_dir;
static FaSnsFixture *sns;
static FaKinesalite *kinesalite;
static GHashTable *streams;     /* Kinesis streams created for kdssink lines */

static void
doc_line_free (DocLine *l)
{
  g_free (l->where);
  g_free (l->line);
  g_free (l->minimal_for);
  g_free (l);
}

static const gchar *
skip_spaces (const gchar *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* The text of @line without a C comment's leading " * ". */
static const gchar *
comment_text (const gchar *line, gboolean c_comment)
{
  const gchar *p = skip_spaces (line);
  if (!c_comment || *p != '*')
    return line;
  return p[1] == ' ' ? p + 2 : p + 1;
}

/* Appends the gst-launch lines of @text that sit inside @open ... @close
 * blocks; in Markdown, lines under "## Minimal launch line" are the minimal
 * line of the element the file is named after. */
static void
collect_lines (const gchar *file, const gchar *text, gboolean c_comments)
{
  const gchar *open = c_comments ? "|[" : "```", *close = c_comments ? "]|" : "```";
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean in_block = FALSE;
  g_autofree gchar *base = g_path_get_basename (file);
  g_autofree gchar *element = g_strndup (base, strlen (base) - strlen (".md"));
  gboolean minimal = FALSE;
  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *l = comment_text (lines[i], c_comments);
    if (!c_comments && !in_block && l[0] == '#') {     /* a Markdown heading */
      const gchar *title = l;
      while (*title == '#')
        title++;
      minimal = g_str_has_prefix (skip_spaces (title), "Minimal launch line");
    }
    const gchar *word = skip_spaces (l);
    if (g_str_has_prefix (word, in_block ? close : open)) {
      in_block = !in_block;
      continue;
    }
    if (!in_block || !g_str_has_prefix (word, "gst-launch-1.0 "))
      continue;
    guint first = i;
    GString *joined = g_string_new (NULL);
    for (;;) {
      g_autofree gchar *part = g_strstrip (g_strdup (l));
      gboolean more = g_str_has_suffix (part, "\\");
      if (more)
        part[strlen (part) - 1] = '\0';
      g_string_append_printf (joined, "%s%s", joined->len ? " " : "", g_strstrip (part));
      if (!more || lines[i + 1] == NULL)
        break;
      l = comment_text (lines[++i], c_comments);
    }
    DocLine *d = g_new0 (DocLine, 1);
    d->where = g_strdup_printf ("%s:%u", file, first + 1);
    d->line = g_string_free (joined, FALSE);
    d->minimal_for = minimal ? g_strdup (element) : NULL;
    g_ptr_array_add (doc_lines, d);
  }
}

static void
collect_dir (const gchar *subdir, const gchar *prefix, const gchar *suffix,
    gboolean c_comments)
{
  g_autofree gchar *dir = g_build_filename (source_dir, subdir, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, suffix))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    g_autofree gchar *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
    g_autofree gchar *rel = g_build_filename (subdir, g_ptr_array_index (names, i), NULL);
    g_autofree gchar *text = NULL;
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    collect_lines (rel, text, c_comments);
  }
}

static gboolean
is_option (const gchar *word)
{
  return word[0] == '-';
}

/* The local version of one "!"-separated element of a line. */
static gchar *
localize_element (const gchar *element)
{
  g_auto (GStrv) words = g_strsplit (element, " ", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const gchar *factory = NULL;
  gboolean has_endpoint = FALSE;
  for (guint i = 0; words[i] != NULL; i++) {
    const gchar *w = words[i];
    if (*w == '\0')
      continue;
    if (factory == NULL)
      factory = w;
    if (g_str_equal (w, "v4l2src"))
      g_ptr_array_add (out, g_strdup ("videotestsrc is-live=true"));
    else if (g_str_equal (w, "autovideosink") || g_str_equal (w, "xvimagesink")
        || g_str_equal (w, "ximagesink") || g_str_equal (w, "glimagesink"))
      g_ptr_array_add (out, g_strdup ("fakesink"));
    else if (g_str_has_prefix (w, "location=rtsp://"))
      g_ptr_array_add (out, g_strdup_printf ("location=%s", camera_url));
    else if (g_str_has_prefix (w, "encryption-key-file="))
      g_ptr_array_add (out, g_strdup_printf ("encryption-key-file=%s", key_file));
    else if (g_strcmp0 (factory, "alertsink") == 0 && g_str_has_prefix (w, "topic-arn="))
      g_ptr_array_add (out, g_strdup_printf ("topic-arn=%s", sns->topic));
    else if (g_strcmp0 (factory, "alertsink") == 0 && g_str_has_prefix (w, "endpoint=")) {
      g_ptr_array_add (out, g_strdup_printf ("endpoint=%s", sns->endpoint));
      has_endpoint = TRUE;
    } else if (g_strcmp0 (factory, "kdssink") == 0 && g_str_has_prefix (w, "endpoint=")) {
      g_ptr_array_add (out, g_strdup_printf ("endpoint=%s", kinesalite->endpoint));
      has_endpoint = TRUE;
    } else {
      if (g_strcmp0 (factory, "kdssink") == 0 && g_str_has_prefix (w, "stream-name=")
          && g_hash_table_add (streams, g_strdup (w + strlen ("stream-name="))))
        fa_kinesalite_create_stream (kinesalite, w + strlen ("stream-name="), 1);
      g_ptr_array_add (out, g_strdup (w));
    }
  }
  if (g_strcmp0 (factory, "alertsink") == 0 && !has_endpoint)
    g_ptr_array_add (out, g_strdup_printf ("endpoint=%s", sns->endpoint));
  if (g_strcmp0 (factory, "kdssink") == 0 && !has_endpoint)
    g_ptr_array_add (out, g_strdup_printf ("endpoint=%s", kinesalite->endpoint));
  g_ptr_array_add (out, NULL);
  return g_strjoinv (" ", (gchar **) out->pdata);
}

/* The description to run, or NULL with *@why when the line cannot run. */
static gchar *
localize (const gchar *line, gchar **why)
{
  if (strstr (line, "...") != NULL || strstr (line, "$(") != NULL) {
    *why = g_strdup ("the documented line is not complete (\"...\" or $(...)): write it out");
    return NULL;
  }
  const gchar *p = line + strlen ("gst-launch-1.0");
  while (*p == ' ')
    p++;
  while (is_option (p)) {             /* -e, -m, -v, --eos-on-shutdown ... */
    while (*p != ' ' && *p != '\0')
      p++;
    while (*p == ' ')
      p++;
  }
  g_auto (GStrv) elements = g_strsplit (p, "!", -1);
  for (guint i = 0; elements[i] != NULL; i++) {
    gchar *local = localize_element (g_strstrip (elements[i]));
    g_free (elements[i]);
    elements[i] = local;
  }
  return g_strjoinv (" ! ", elements);
}

/* Where a hung child is: every thread's backtrace, function names only. */
static void
print_backtraces (GPid pid)
{
  g_autofree gchar *pid_text = g_strdup_printf ("%d", (int) pid);
  const gchar *argv[] = { "timeout", "60", "gdb", "-p", pid_text, "-batch", "-nx",
    "-ex", "set pagination off", "-ex", "thread apply all bt", NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  if (g_find_program_in_path ("gdb") == NULL) {
    g_test_message ("(gdb not installed: no backtrace)");
    return;
  }
  fa_test_run_argv (argv, &out, &err);
  g_auto (GStrv) lines = g_strsplit (out != NULL ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "Thread ") || g_str_has_prefix (lines[i], "#"))
      g_test_message ("  %s", lines[i]);
}

static gboolean
child_done (gpointer data)
{
  return ((FaProc *) data)->eof;
}

/* Runs @description in a child under the watchdog; returns its output
 * lines (owned by the caller) and sets *@ok when it went PLAYING, EOS, NULL. */
static GPtrArray *
run_child (const gchar *label, const gchar *description, gboolean *ok)
{
  g_autofree gchar *self = g_file_read_link ("/proc/self/exe", NULL);
  const gchar *argv[] = { self, "--run-line", description, NULL };
  FaProc *proc = fa_proc_spawn (label, FALSE, argv);
  gboolean finished = fa_wait_until (child_done, proc, LINE_TIMEOUT_S);
  const gchar *last = "(no output)";
  for (guint i = 0; i < proc->lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (proc->lines, i), "STEP "))
      last = g_ptr_array_index (proc->lines, i);
  if (!finished) {
    const gchar *id = g_subprocess_get_identifier (proc->proc);
    g_test_message ("%s: HUNG after %.0f s; last step: %s; threads:", label,
        LINE_TIMEOUT_S, last);
    if (id != NULL)
      print_backtraces ((GPid) atoi (id));
  }
  gint status = fa_proc_wait_exit (proc, finished ? 10 : 0);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < proc->lines->len; i++)
    g_ptr_array_add (lines, g_strdup (g_ptr_array_index (proc->lines, i)));
  if (finished && status != 0) {
    g_test_message ("%s: exit status %d, last step %s; output:", label, status, last);
    for (guint i = 0; i < lines->len; i++)
      g_test_message ("  %s", (gchar *) g_ptr_array_index (lines, i));
    if (proc->err->len > 0)
      g_test_message ("  stderr: %.2000s", proc->err->str);
  }
  *ok = finished && status == 0;
  fa_proc_free (proc);
  return lines;
}

static gboolean
has_line (GPtrArray *lines, const gchar *text)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (g_ptr_array_index (lines, i), text))
      return TRUE;
  return FALSE;
}

static void
test_line (gconstpointer data)
{
  const DocLine *d = data;
  g_autofree gchar *why = NULL;
  g_autofree gchar *description = localize (d->line, &why);
  g_test_message ("%s: %s", d->where, d->line);
  if (description == NULL) {
    g_test_fail_printf ("%s: %s", d->where, why);
    return;
  }
  g_test_message ("runs as: %s", description);
  gboolean ok = FALSE;
  g_autoptr (GPtrArray) lines = run_child (d->where, description, &ok);
  if (!ok) {
    g_test_fail_printf ("%s did not go NULL -> PLAYING -> EOS -> NULL", d->where);
    return;
  }
  if (!has_line (lines, "STEP PLAYING") || !has_line (lines, "STEP EOS")
      || !has_line (lines, "STEP NULL"))
    g_test_fail_printf ("%s exited without PLAYING, EOS and NULL", d->where);
}

/* Every element the plugin registers has a minimal line in its docs page. */
static void
test_every_element_documented (void)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), "facealert");
  g_assert_nonnull (plugin);
  GList *features = gst_registry_get_feature_list_by_plugin (gst_registry_get (),
      "facealert");
  guint elements = 0;
  for (GList *l = features; l != NULL; l = l->next) {
    if (!GST_IS_ELEMENT_FACTORY (l->data))
      continue;
    const gchar *name = GST_OBJECT_NAME (l->data);
    elements++;
    guint found = 0;
    for (guint i = 0; i < doc_lines->len; i++) {
      DocLine *d = g_ptr_array_index (doc_lines, i);
      if (g_strcmp0 (d->minimal_for, name) == 0) {
        found++;
        g_autofree gchar *needle = g_strdup_printf ("! %s", name);
        if (strstr (d->line, needle) == NULL)
          g_test_fail_printf ("%s: the minimal line of %s does not use %s", d->where,
              name, name);
      }
    }
    if (found == 0)
      g_test_fail_printf ("element %s has no \"Minimal launch line\" section in docs/%s.md",
          name, name);
  }
  g_assert_cmpuint (elements, >=, 4);
  gst_plugin_feature_list_free (features);
  gst_object_unref (plugin);
}

/* The issue's line: alertsink with only a topic (no camera) must start. */
static void
test_alertsink_without_camera (void)
{
  g_autofree gchar *description = g_strdup_printf ("videotestsrc num-buffers=10 ! "
      "alertsink topic-arn=%s endpoint=%s region=us-east-1", sns->topic, sns->endpoint);
  gboolean ok = FALSE;
  g_autoptr (GPtrArray) lines = run_child ("alertsink-no-camera", description, &ok);
  if (!ok || !has_line (lines, "STEP PLAYING"))
    g_test_fail_printf ("alertsink without camera did not go NULL -> PLAYING -> EOS -> NULL");
}

/* alertsink's documented minimal line publishes an unknown face to the local
 * server, with the camera named after the element. */
static void
test_alertsink_minimal_publishes (void)
{
  const DocLine *minimal = NULL;
  for (guint i = 0; i < doc_lines->len; i++) {
    DocLine *d = g_ptr_array_index (doc_lines, i);
    if (g_strcmp0 (d->minimal_for, "alertsink") == 0)
      minimal = d;
  }
  g_assert_nonnull (minimal);
  g_autofree gchar *why = NULL;
  g_autofree gchar *description = localize (minimal->line, &why);
  g_assert_nonnull (description);
  g_assert_null (strstr (minimal->line, "camera="));
  guint before = fa_sns_fixture_count (sns);
  gboolean ok = FALSE;
  g_autoptr (GPtrArray) lines = run_child ("alertsink-minimal", description, &ok);
  if (!ok) {
    g_test_fail_printf ("%s did not go NULL -> PLAYING -> EOS -> NULL", minimal->where);
    return;
  }
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, before + 1, 10000), >, before);
  g_autoptr (JsonNode) deliveries = fa_sns_fixture_deliveries (sns);
  JsonObject *payload = fa_sns_fixture_payload (deliveries, before);
  g_assert_nonnull (payload);
  /* GStreamer names the child's only alertsink after its type: PREFIX0. */
  GstElement *probe = gst_element_factory_make ("alertsink", NULL);
  g_autofree gchar *first_name = g_strdup (GST_OBJECT_NAME (probe));
  gst_object_unref (probe);
  first_name[strcspn (first_name, "0123456789")] = '\0';
  g_autofree gchar *expected = g_strconcat (first_name, "0", NULL);
  g_assert_cmpstr (json_object_get_string_member (payload, "camera"), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (payload, "event"), ==, "unknown-face");
}

/* kdssink's documented minimal line puts the face records into the stream,
 * under the element's name as the partition key. */
static void
test_kdssink_minimal_sends (void)
{
  const DocLine *minimal = NULL;
  for (guint i = 0; i < doc_lines->len; i++) {
    DocLine *d = g_ptr_array_index (doc_lines, i);
    if (g_strcmp0 (d->minimal_for, "kdssink") == 0)
      minimal = d;
  }
  g_assert_nonnull (minimal);
  g_autofree gchar *why = NULL;
  g_autofree gchar *description = localize (minimal->line, &why);
  g_assert_nonnull (description);
  const gchar *name = strstr (minimal->line, "stream-name=") + strlen ("stream-name=");
  g_autofree gchar *stream = g_strndup (name, strcspn (name, " "));
  g_autoptr (JsonArray) before = fa_kinesalite_read_all (kinesalite, stream);
  gboolean ok = FALSE;
  g_autoptr (GPtrArray) lines = run_child ("kdssink-minimal", description, &ok);
  if (!ok) {
    g_test_fail_printf ("%s did not go NULL -> PLAYING -> EOS -> NULL", minimal->where);
    return;
  }
  /* EOS drained the outbox: the records are in the stream. */
  g_autoptr (JsonArray) after = fa_kinesalite_read_all (kinesalite, stream);
  g_assert_cmpuint (json_array_get_length (after), >, json_array_get_length (before));
  JsonObject *last = json_array_get_object_element (after, json_array_get_length (after) - 1);
  GstElement *probe = gst_element_factory_make ("kdssink", NULL);
  g_autofree gchar *first_name = g_strdup (GST_OBJECT_NAME (probe));
  gst_object_unref (probe);
  first_name[strcspn (first_name, "0123456789")] = '\0';
  g_autofree gchar *expected = g_strconcat (first_name, "0", NULL);
  g_assert_cmpstr (json_object_get_string_member (last, "PartitionKey"), ==, expected);
}

static void
setup_world (void)
{
  source_dir = g_strdup (g_getenv ("FACEALERT_SOURCE_DIR"));
  g_assert_nonnull (source_dir);
  tmp_dir = fa_test_make_tmpdir ("fa-launch-lines");

  /* Models stay where fetch-models put them; everything written goes to tmp. */
  g_autofree gchar *models = fa_paths_dir (FA_DIR_MODELS);
  g_setenv ("FACEALERT_MODELS_DIR", models, TRUE);
  const gchar *dirs[][2] = {
    {"FACEALERT_COLLECTIONS_DIR", "collections"}, {"FACEALERT_STREAMS_DIR", "streams"},
    {"FACEALERT_SNAPSHOTS_DIR", "snapshots"}, {"FACEALERT_OUTBOX_DIR", "outbox"},
    {"XDG_DATA_HOME", "data"}, {"XDG_STATE_HOME", "state"}, {"XDG_CONFIG_HOME", "config"},
  };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    g_autofree gchar *dir = g_build_filename (tmp_dir, dirs[i][1], NULL);
    g_setenv (dirs[i][0], dir, TRUE);
  }
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDLAUNCHLINES", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "launch-lines-secret", TRUE);
  g_unsetenv ("AWS_PROFILE");

  /* The household collection "home" the documented lines name. */
  g_autofree gchar *lennon = fa_test_data_path ("people/John_Lennon/2.jpg");
  g_autofree gchar *clapton = fa_test_data_path ("people/Eric_Clapton/1.jpg");
  const gchar *create[] = { "facealert", "collection", "create", "--collection-id",
    "home", NULL };
  g_assert_cmpint (fa_test_run_argv (create, NULL, NULL), ==, 0);
  const gchar *index1[] = { "facealert", "faces", "index", "--collection", "home",
    "--name", "John_Lennon", lennon, NULL };
  g_assert_cmpint (fa_test_run_argv (index1, NULL, NULL), ==, 0);
  const gchar *index2[] = { "facealert", "faces", "index", "--collection", "home",
    "--name", "Eric_Clapton", clapton, NULL };
  g_assert_cmpint (fa_test_run_argv (index2, NULL, NULL), ==, 0);

  key_file = g_build_filename (tmp_dir, "streams.key", NULL);
  g_assert_true (g_file_set_contents_full (key_file,
          "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", -1,
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));

  sns = fa_sns_fixture_start ();
  kinesalite = fa_kinesalite_start (NULL, 0);
  streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:stranger", NULL };
  FaProc *sim = fa_proc_spawn ("camsim", TRUE, sim_argv);
  const gchar *ready = fa_proc_wait_line (sim, "READY rtsp://127.0.0.1:", NULL, 120);
  g_assert_nonnull (ready);
  camera_url = g_strdup (ready + strlen ("READY "));
  /* camsim lives until the test ends (it dies with us: fa_proc). */
}

int
main (int argc, char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--run-line")) {
    gst_init (NULL, NULL);
    return run_line (argv[2]);
  }
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  setup_world ();
  if (g_chdir (source_dir) != 0)     /* documented paths are relative to the checkout */
    g_error ("cannot enter %s", source_dir);

  doc_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) doc_line_free);
  collect_dir ("docs", "", ".md", FALSE);
  collect_dir ("plugins", "gst", ".c", TRUE);

  g_test_add_func ("/launch/every-element-has-a-minimal-line", test_every_element_documented);
  g_test_add_func ("/launch/alertsink-without-camera", test_alertsink_without_camera);
  g_test_add_func ("/launch/alertsink-minimal-publishes", test_alertsink_minimal_publishes);
  g_test_add_func ("/launch/kdssink-minimal-sends", test_kdssink_minimal_sends);
  for (guint i = 0; i < doc_lines->len; i++) {
    DocLine *d = g_ptr_array_index (doc_lines, i);
    g_autofree gchar *where = g_strdelimit (g_strdup (d->where), "/", '-');
    g_autofree gchar *path = d->minimal_for != NULL
        ? g_strdup_printf ("/launch/minimal/%s", d->minimal_for)
        : g_strdup_printf ("/launch/documented/%s", where);
    g_test_add_data_func (path, d, test_line);
  }
  int status = g_test_run ();
  fa_sns_fixture_stop (sns);
  fa_kinesalite_free (kinesalite);
  fa_test_rm_rf (tmp_dir);
  return status;
}
