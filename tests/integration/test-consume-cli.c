/* `facealert consume` as a user runs it, against a real Kinesis server
 * (kinesalite): a failing handler gets the same batch again (backoff), never
 * the next one first; a handler past --timeout is killed and retried;
 * SIGTERM lets a running handler finish and checkpoints it; --idle-exit;
 * one-line errors for what retrying cannot fix. */
#include "fa-kinesalite.h"
#include "fa-kinesis.h"
#include "fa-proc.h"
#include "fa-test.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static FaKinesalite *kinesalite;
static gchar *tmp;

static void
put (const gchar *stream, guint from, guint to)
{
  g_autoptr (FaAwsCredentials) c = fa_aws_credentials_new ("AKIDLOCALTEST", "x", NULL);
  g_autoptr (FaKinesisClient) k = fa_kinesis_client_new (kinesalite->endpoint,
      "us-east-1", c, NULL);
  for (guint i = from; i < to; i++) {
    g_autofree gchar *data = g_strdup_printf ("record-%u", i);
    FaKinesisRecord r = { "cam1", (const guint8 *) data, strlen (data) };
    FaKinesisPutResult result;
    GError *error = NULL;
    gboolean ok = fa_kinesis_put_records (k, stream, &r, 1, &result, &error);
    g_assert_no_error (error);
    g_assert_true (ok);
    fa_kinesis_put_result_clear (&result);
  }
}

/* The records' data of each handler run, one string per run ("record-0
 * record-1 ..."), from the lines the handler script writes. */
static GPtrArray *
runs_of (const gchar *log)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_free);
  g_autofree gchar *text = NULL;
  if (!g_file_get_contents (log, &text, NULL, NULL))
    return runs;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
    if (node == NULL)
      continue;
    JsonArray *records = json_object_get_array_member (json_node_get_object (node),
        "Records");
    GString *run = g_string_new (NULL);
    for (guint r = 0; r < json_array_get_length (records); r++) {
      JsonObject *k = json_object_get_object_member (json_array_get_object_element (
              records, r), "kinesis");
      gsize n = 0;
      g_autofree guchar *data = g_base64_decode (json_object_get_string_member (k,
              "data"), &n);
      g_string_append_printf (run, "%s%.*s", run->len ? " " : "", (int) n, data);
    }
    g_ptr_array_add (runs, g_string_free (run, FALSE));
  }
  return runs;
}

typedef struct {
  const gchar *log;
  guint n;
} Runs;

static gboolean
has_runs (gpointer data)
{
  Runs *r = data;
  g_autoptr (GPtrArray) runs = runs_of (r->log);
  return runs->len >= r->n;
}

static FaProc *
consume (const gchar *stream, const gchar *handler, const gchar *extra)
{
  g_autofree gchar *checkpoint = g_strdup_printf ("%s/%s.sqlite", tmp, stream);
  const gchar *argv[] = { "facealert", "consume", "--stream", stream, "--endpoint",
    kinesalite->endpoint, "--checkpoint", checkpoint, "--batch-size", "3",
    "--poll-interval", "100", "--retry-delay", "100", extra != NULL ? extra : "--verbose",
    "--", "sh", "-c", handler, NULL };
  return fa_proc_spawn ("consume", FALSE, argv);
}

/* The handler fails its first two runs: the first batch three times, then
 * the next batches, never one skipped. */
static void
test_failed_batch_again (void)
{
  fa_kinesalite_create_stream (kinesalite, "retry", 1);
  put ("retry", 0, 7);
  g_autofree gchar *log = g_build_filename (tmp, "retry.log", NULL);
  g_autofree gchar *count = g_build_filename (tmp, "retry.count", NULL);
  /* Logs every event it is given, then fails while the counter is below 2. */
  g_autofree gchar *handler = g_strdup_printf ("cat >> '%s'; echo >> '%s'; "
      "n=$(cat '%s' 2>/dev/null || echo 0); echo $((n + 1)) > '%s'; [ $n -ge 2 ]",
      log, log, count, count);
  FaProc *p = consume ("retry", handler, NULL);
  Runs want = { log, 5 };
  g_assert_true (fa_wait_until (has_runs, &want, 20));
  kill (atoi (g_subprocess_get_identifier (p->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (p, 10), ==, 0);
  g_autoptr (GPtrArray) runs = runs_of (log);
  const gchar *expected[] = { "record-0 record-1 record-2", "record-0 record-1 record-2",
    "record-0 record-1 record-2", "record-3 record-4 record-5", "record-6" };
  g_assert_cmpuint (runs->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (g_ptr_array_index (runs, i), ==, expected[i]);
  g_assert_nonnull (strstr (p->err->str, "handler exited with status 1 for shardId-"));
  g_assert_nonnull (strstr (p->err->str, "the same batch again"));
  fa_proc_free (p);

  /* Started again, nothing is given twice. */
  FaProc *again = consume ("retry", handler, "--idle-exit");
  g_assert_cmpint (fa_proc_wait_exit (again, 15), ==, 0);
  g_autoptr (GPtrArray) after = runs_of (log);
  g_assert_cmpuint (after->len, ==, 5);
  fa_proc_free (again);
}

/* A handler past --timeout is killed; its batch is given again. */
static void
test_timeout (void)
{
  fa_kinesalite_create_stream (kinesalite, "slow", 1);
  put ("slow", 0, 2);
  g_autofree gchar *log = g_build_filename (tmp, "slow.log", NULL);
  g_autofree gchar *flag = g_build_filename (tmp, "slow.once", NULL);
  /* The first run hangs; later ones are quick. */
  g_autofree gchar *handler = g_strdup_printf ("cat >> '%s'; echo >> '%s'; "
      "if [ ! -e '%s' ]; then touch '%s'; exec sleep 30; fi", log, log, flag, flag);
  g_autofree gchar *checkpoint = g_build_filename (tmp, "slow.sqlite", NULL);
  const gchar *argv[] = { "facealert", "consume", "--stream", "slow", "--endpoint",
    kinesalite->endpoint, "--checkpoint", checkpoint, "--timeout", "1",
    "--retry-delay", "100", "--idle-exit", "--", "sh", "-c", handler, NULL };
  FaProc *p = fa_proc_spawn ("consume", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (p, 20), ==, 0);
  g_autoptr (GPtrArray) runs = runs_of (log);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (runs, 0), ==, "record-0 record-1");
  g_assert_cmpstr (g_ptr_array_index (runs, 1), ==, "record-0 record-1");
  g_assert_nonnull (strstr (p->err->str, "timed out after 1 s"));
  fa_proc_free (p);
}

/* SIGTERM while the handler runs: it finishes, the checkpoint moves, exit 0. */
static void
test_sigterm_finishes_batch (void)
{
  fa_kinesalite_create_stream (kinesalite, "stop", 1);
  put ("stop", 0, 2);
  g_autofree gchar *log = g_build_filename (tmp, "stop.log", NULL);
  g_autofree gchar *started = g_build_filename (tmp, "stop.started", NULL);
  g_autofree gchar *handler = g_strdup_printf ("touch '%s'; sleep 1; cat >> '%s'; "
      "echo >> '%s'", started, log, log);
  FaProc *p = consume ("stop", handler, NULL);
  for (guint i = 0; i < 200 && !g_file_test (started, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  g_assert_true (g_file_test (started, G_FILE_TEST_EXISTS));
  kill (atoi (g_subprocess_get_identifier (p->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (p, 10), ==, 0);
  g_autoptr (GPtrArray) runs = runs_of (log);
  g_assert_cmpuint (runs->len, ==, 1);
  fa_proc_free (p);
  /* Checkpointed: the next run gives only what came since. */
  put ("stop", 2, 3);
  g_autofree gchar *log2 = g_build_filename (tmp, "stop2.log", NULL);
  g_autofree gchar *handler2 = g_strdup_printf ("cat >> '%s'; echo >> '%s'", log2, log2);
  FaProc *again = consume ("stop", handler2, "--idle-exit");
  g_assert_cmpint (fa_proc_wait_exit (again, 15), ==, 0);
  g_autoptr (GPtrArray) next = runs_of (log2);
  g_assert_cmpuint (next->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (next, 0), ==, "record-2");
  fa_proc_free (again);
}

static void
test_errors (void)
{
  const struct {
    const gchar *argv[16];
    const gchar *says;
  } cases[] = {
    { { "facealert", "consume", "--stream", "nope", "--endpoint", kinesalite->endpoint,
        "--idle-exit", "--", "true", NULL }, "ResourceNotFoundException" },
    { { "facealert", "consume", "--stream", "retry", "--endpoint", kinesalite->endpoint,
        "--", "/no/such/handler", NULL }, "handler \"/no/such/handler\" not found" },
    { { "facealert", "consume", "--stream", "retry", "--batch-size", "0", "--", "true",
        NULL }, "--batch-size must be 1 to 10000" },
    { { "facealert", "consume", "--stream", "two words", "--", "true", NULL },
      "bad Kinesis stream name" },
    { { "facealert", "consume", "--stream", "retry", NULL }, "give the handler after --" },
    { { "facealert", "consume", "--", "true", NULL }, "give --stream NAME" },
    { { "facealert", "consume", "--stream", "retry", "--endpoint", "ftp://x/", "--",
        "true", NULL }, "bad Kinesis endpoint" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *err = NULL;
    int status = fa_test_run_argv (cases[i].argv, NULL, &err);
    g_test_message ("%s", err);
    g_assert_cmpint (status, !=, 0);
    g_assert_nonnull (strstr (err, cases[i].says));
    g_assert_true (g_str_has_prefix (err, "facealert: "));
    g_auto (GStrv) lines = g_strsplit (g_strchomp (err), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
  }
  /* No credentials at all. */
  g_autofree gchar *none = g_build_filename (tmp, "no-credentials", NULL);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", none, TRUE);
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  const gchar *argv[] = { "facealert", "consume", "--stream", "retry", "--endpoint",
    kinesalite->endpoint, "--", "true", NULL };
  g_autofree gchar *err = NULL;
  g_assert_cmpint (fa_test_run_argv (argv, NULL, &err), !=, 0);
  g_assert_nonnull (strstr (err, "no AWS credentials"));
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "local-test-placeholder", TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp = fa_test_make_tmpdir ("fa-consume-cli");
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "local-test-placeholder", TRUE);
  g_unsetenv ("AWS_PROFILE");
  kinesalite = fa_kinesalite_start (NULL, 0);
  g_test_add_func ("/consume/failed-batch-again", test_failed_batch_again);
  g_test_add_func ("/consume/timeout", test_timeout);
  g_test_add_func ("/consume/sigterm-finishes-batch", test_sigterm_finishes_batch);
  g_test_add_func ("/consume/errors", test_errors);
  int ret = g_test_run ();
  fa_kinesalite_free (kinesalite);
  fa_test_rm_rf (tmp);
  return ret;
}
