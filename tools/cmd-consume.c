/* facealert CLI: `consume --stream S [OPTION...] -- HANDLER [ARGS...]`, a
 * Lambda-style consumer of a Kinesis data stream (docs/cli-consume.md).
 *
 * Reads every shard through lib/kinesis/fa-kds-consumer, runs HANDLER once
 * per batch with the AWS Lambda Kinesis event JSON on its stdin, and commits
 * the checkpoint only after HANDLER exits 0. A failed (or timed out) run is
 * retried with backoff, the same batch, until it succeeds: a batch is never
 * skipped. SIGINT/SIGTERM let a running HANDLER finish (and checkpoint)
 * before exiting 0. */
#include "fa-cli.h"
#include "fa-error.h"
#include "fa-kds-checkpoint.h"
#include "fa-kds-consumer.h"
#include "fa-kinesis.h"
#include "fa-paths.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define MAX_BACKOFF_MS 60000

typedef struct {
  gchar *stream;
  gchar *endpoint;
  gchar *region;
  gchar *profile;
  gchar *name;
  gchar *checkpoint;
  gchar **shards;
  gchar *identity_arn;
  gint batch_size;
  gint poll_ms;
  gint retry_ms;
  gint timeout_s;
  gboolean latest;
  gboolean idle_exit;
  gboolean verbose;
} Options;

static gboolean quit;

static gboolean
on_signal (gpointer data)
{
  if (quit)
    _exit (130);      /* a second signal: now */
  quit = TRUE;
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timer (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context for @ms, or until a signal asks to quit. */
static void
sleep_unless_quit (guint ms)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, on_timer, &done);
  while (!done && !quit)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    g_source_remove (id);
}

/* ---- the handler ------------------------------------------------------- */

typedef struct {
  gboolean finished;
  gboolean timed_out;
  GSubprocess *process;
} Run;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;
  GError *error = NULL;
  /* A handler that does not read all of stdin is its own business: its exit
   * status decides. */
  if (!g_subprocess_communicate_finish (G_SUBPROCESS (source), result, NULL, NULL,
          &error))
    g_clear_error (&error);
  run->finished = TRUE;
}

static void
on_waited (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->finished = TRUE;
}

static gboolean
on_timeout (gpointer data)
{
  Run *run = data;
  run->timed_out = TRUE;
  g_subprocess_force_exit (run->process);
  return G_SOURCE_REMOVE;
}

/* Runs @argv with @event on stdin. Returns TRUE when it exited 0; else
 * *@why says how it failed. Waits for it even when asked to quit. */
static gboolean
run_handler (gchar **argv, const gchar *event, const Options *o, gchar **why)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* As Lambda does: the region, for SDK clients created without one. */
  if (g_getenv ("AWS_REGION") == NULL)
    g_subprocess_launcher_setenv (launcher, "AWS_REGION", o->region, TRUE);
  if (g_getenv ("AWS_DEFAULT_REGION") == NULL)
    g_subprocess_launcher_setenv (launcher, "AWS_DEFAULT_REGION", o->region, TRUE);
  GError *error = NULL;
  Run run = { FALSE, FALSE, NULL };
  run.process = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv,
      &error);
  if (run.process == NULL) {
    *why = g_strdup_printf ("cannot start %s: %s", argv[0], error->message);
    g_error_free (error);
    return FALSE;
  }
  g_autoptr (GBytes) input = g_bytes_new_static (event, strlen (event));
  g_subprocess_communicate_async (run.process, input, NULL, on_communicated, &run);
  guint timer = g_timeout_add_seconds (o->timeout_s, on_timeout, &run);
  while (!run.finished)
    g_main_context_iteration (NULL, TRUE);
  /* communicate can end early (the handler closed its stdin): its exit. */
  run.finished = FALSE;
  g_subprocess_wait_async (run.process, NULL, on_waited, &run);
  while (!run.finished)
    g_main_context_iteration (NULL, TRUE);
  if (!run.timed_out)
    g_source_remove (timer);
  gboolean ok = FALSE;
  if (run.timed_out)
    *why = g_strdup_printf ("timed out after %d s (--timeout) and was killed",
        o->timeout_s);
  else if (g_subprocess_get_if_signaled (run.process))
    *why = g_strdup_printf ("was killed by signal %d",
        g_subprocess_get_term_sig (run.process));
  else if (g_subprocess_get_exit_status (run.process) != 0)
    *why = g_strdup_printf ("exited with status %d",
        g_subprocess_get_exit_status (run.process));
  else
    ok = TRUE;
  g_object_unref (run.process);
  return ok;
}

/* ---- the loop ---------------------------------------------------------- */

static guint
backoff_ms (const Options *o, guint failures)
{
  guint64 delay = (guint64) o->retry_ms << MIN (failures, 16);
  return (guint) MIN (delay, MAX_BACKOFF_MS);
}

static gchar *
batch_range (const FaKdsBatch *batch)
{
  const FaKdsReceived *first = g_ptr_array_index (batch->records, 0);
  const FaKdsReceived *last = g_ptr_array_index (batch->records,
      batch->records->len - 1);
  return g_strdup_printf ("%s: %u record(s), %s..%s", batch->shard_id,
      batch->records->len, first->sequence_number, last->sequence_number);
}

/* Handles @batch until its handler succeeds (or a quit is asked while
 * waiting to retry). Returns TRUE when it was handled. */
static gboolean
handle_batch (FaKdsConsumer *consumer, FaKdsBatch *batch, gchar **handler,
    const Options *o)
{
  g_autofree gchar *event = fa_kds_lambda_event (
      fa_kds_consumer_get_stream_arn (consumer), o->region, o->identity_arn, batch);
  g_autofree gchar *range = batch_range (batch);
  for (guint failures = 0;; failures++) {
    gint64 started = g_get_monotonic_time ();
    gchar *why = NULL;
    if (run_handler (handler, event, o, &why)) {
      if (o->verbose)
        g_printerr ("facealert consume: %s handled in %.0f ms\n", range,
            (g_get_monotonic_time () - started) / 1000.0);
      return TRUE;
    }
    guint delay = backoff_ms (o, failures);
    g_printerr ("facealert consume: handler %s for %s; the same batch again in "
        "%.1f s (attempt %u)\n", why, range, delay / 1000.0, failures + 2);
    g_free (why);
    if (quit)
      return FALSE;
    sleep_unless_quit (delay);
    if (quit)
      return FALSE;
  }
}

static gchar *
default_checkpoint (const Options *o)
{
  g_autofree gchar *dir = fa_paths_dir (FA_DIR_CHECKPOINTS);
  g_autofree gchar *file = g_strdup_printf ("%s.%s.sqlite", o->stream, o->name);
  return g_build_filename (dir, file, NULL);
}

static gboolean
valid_name (const gchar *name)
{
  gsize n = strlen (name);
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '-' && name[i] != '_' && name[i] != '.')
      return FALSE;
  return n > 0 && n <= 64;
}

static int
consume (Options *o, gchar **handler)
{
  GError *error = NULL;
  if (!fa_kinesis_validate_stream_name (o->stream, &error))
    return fa_cli_fail_error (error);
  if (!valid_name (o->name))
    return fa_cli_fail ("--name must be 1 to 64 letters, digits, '-', '_' or '.', "
        "not \"%s\"", o->name);
  if (o->batch_size < 1 || o->batch_size > 10000)
    return fa_cli_fail ("--batch-size must be 1 to 10000, not %d", o->batch_size);
  if (o->poll_ms < 1 || o->retry_ms < 1 || o->timeout_s < 1)
    return fa_cli_fail ("--poll-interval, --retry-delay and --timeout must be "
        "positive");
  g_autofree gchar *handler_path = g_find_program_in_path (handler[0]);
  if (handler_path == NULL)
    return fa_cli_fail ("handler \"%s\" not found (give a path or a program on "
        "PATH after --)", handler[0]);

  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_resolve (NULL,
      NULL, NULL, o->profile, &error);
  if (credentials == NULL)
    return fa_cli_fail_error (error);
  FaKinesisClient *client = fa_kinesis_client_new (o->endpoint, o->region,
      credentials, &error);
  if (client == NULL)
    return fa_cli_fail_error (error);
  fa_kinesis_client_set_timeout (client, 10000);
  g_autofree gchar *path = o->checkpoint != NULL ? g_strdup (o->checkpoint)
      : default_checkpoint (o);
  g_autoptr (FaKdsCheckpoints) checkpoints = fa_kds_checkpoints_open (path, &error);
  if (checkpoints == NULL) {
    fa_kinesis_client_free (client);
    return fa_cli_fail_error (error);
  }
  FaKdsConsumerConfig config = { .stream = o->stream, .batch_size = o->batch_size,
    .start_at_latest = o->latest, .shards = (const gchar * const *) o->shards };
  g_autoptr (FaKdsConsumer) consumer = fa_kds_consumer_new (client, checkpoints,
      &config);
  if (o->verbose)
    g_printerr ("facealert consume: stream %s at %s, checkpoints %s\n", o->stream,
        fa_kinesis_client_get_endpoint (client), path);

  guint failures = 0;
  while (!quit) {
    g_autoptr (FaKdsBatch) batch = fa_kds_consumer_next (consumer, &error);
    if (error != NULL) {
      if (!fa_kinesis_error_is_retryable (error))
        return fa_cli_fail_error (error);
      guint delay = backoff_ms (o, failures);
      if (failures == 0 || o->verbose)
        g_printerr ("facealert consume: %s; retrying (backoff up to %d s)\n",
            error->message, MAX_BACKOFF_MS / 1000);
      g_clear_error (&error);
      failures++;
      sleep_unless_quit (delay);
      continue;
    }
    if (failures > 0)
      g_printerr ("facealert consume: reading stream %s again\n", o->stream);
    failures = 0;
    if (batch == NULL) {
      if (o->idle_exit)
        break;
      sleep_unless_quit (o->poll_ms);
      continue;
    }
    if (!handle_batch (consumer, batch, handler, o))
      break;    /* asked to quit while retrying: not handled, not committed */
    if (!fa_kds_consumer_commit (consumer, batch, &error))
      return fa_cli_fail_error (error);
  }
  return 0;
}

static int
run_consume (int argc, gchar **argv)
{
  /* Everything after "--" is the handler's command line. */
  gint split = -1;
  for (gint i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0) {
      split = i;
      break;
    }
  gint option_argc = split >= 0 ? split : argc;
  g_autofree gchar **options = g_new0 (gchar *, option_argc + 1);
  memcpy (options, argv, option_argc * sizeof (gchar *));

  Options o = { .name = g_strdup ("default"), .batch_size = 100, .poll_ms = 1000,
    .retry_ms = 1000, .timeout_s = 60 };
  const GOptionEntry entries[] = {
    {"stream", 0, 0, G_OPTION_ARG_STRING, &o.stream,
        "Kinesis data stream to read (required)", "NAME"},
    {"endpoint", 0, 0, G_OPTION_ARG_STRING, &o.endpoint,
        "Kinesis endpoint URL (default: https://kinesis.REGION.amazonaws.com/)", "URL"},
    {"region", 0, 0, G_OPTION_ARG_STRING, &o.region,
        "AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)", "R"},
    {"profile", 0, 0, G_OPTION_ARG_STRING, &o.profile,
        "Profile in ~/.aws/credentials (default: $AWS_PROFILE, else default)", "P"},
    {"name", 0, 0, G_OPTION_ARG_STRING, &o.name,
        "Consumer name: consumers with different names each read the whole "
        "stream (default: default)", "NAME"},
    {"checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &o.checkpoint,
        "Checkpoint file (default: $FACEALERT_CHECKPOINTS_DIR or "
        "~/.local/state/facealert/checkpoints, then /STREAM.NAME.sqlite)", "FILE"},
    {"shard", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.shards,
        "Read only this shard (repeatable): split a stream between consumers", "ID"},
    {"batch-size", 0, 0, G_OPTION_ARG_INT, &o.batch_size,
        "Records per handler run, at most (1-10000, default 100)", "N"},
    {"from-latest", 0, 0, G_OPTION_ARG_NONE, &o.latest,
        "Shards without a checkpoint: new records only (default: the oldest)", NULL},
    {"poll-interval", 0, 0, G_OPTION_ARG_INT, &o.poll_ms,
        "Milliseconds between polls once up to date (default 1000)", "MS"},
    {"retry-delay", 0, 0, G_OPTION_ARG_INT, &o.retry_ms,
        "First delay (ms) before a failed batch is run again; doubles up to 60 s "
        "(default 1000)", "MS"},
    {"timeout", 0, 0, G_OPTION_ARG_INT, &o.timeout_s,
        "Seconds a handler run may take before it is killed and counted as "
        "failed (default 60)", "S"},
    {"invoke-identity-arn", 0, 0, G_OPTION_ARG_STRING, &o.identity_arn,
        "invokeIdentityArn in events (default: arn:aws:iam::ACCOUNT:role/"
        "facealert-consume)", "ARN"},
    {"idle-exit", 0, 0, G_OPTION_ARG_NONE, &o.idle_exit,
        "Exit 0 once every shard is read up to date", NULL},
    {"verbose", 0, 0, G_OPTION_ARG_NONE, &o.verbose,
        "A line on stderr per batch handled", NULL},
    {NULL}
  };
  GError *error = NULL;
  int code;
  if (!fa_cli_parse (&option_argc, &options, "--stream NAME [OPTION...] -- HANDLER "
          "[ARG...] - run HANDLER for every batch of records",
          "Reads every shard of a Kinesis data stream, as AWS Lambda does, and runs "
          "HANDLER once per batch with the Lambda Kinesis event JSON on its stdin. "
          "The checkpoint moves only after HANDLER exits 0; a failed run is retried "
          "with the same batch, never skipped.", entries, NULL, &error)) {
    code = fa_cli_fail_error (error);
  } else if (option_argc > 1) {
    code = fa_cli_fail ("unexpected argument \"%s\" (the handler goes after --; "
        "see `facealert consume --help`)", options[1]);
  } else if (o.stream == NULL) {
    code = fa_cli_fail ("give --stream NAME (see `facealert consume --help`)");
  } else if (split < 0 || split + 1 >= argc) {
    code = fa_cli_fail ("give the handler after --, e.g. `facealert consume "
        "--stream %s -- python3 handler.py`", o.stream);
  } else {
    if (o.region == NULL)
      o.region = g_strdup (g_getenv ("AWS_REGION") != NULL ? g_getenv ("AWS_REGION")
          : g_getenv ("AWS_DEFAULT_REGION") != NULL ? g_getenv ("AWS_DEFAULT_REGION")
          : "us-east-1");
    signal (SIGPIPE, SIG_IGN);
    g_unix_signal_add (SIGINT, on_signal, NULL);
    g_unix_signal_add (SIGTERM, on_signal, NULL);
    code = consume (&o, argv + split + 1);
  }
  g_free (o.stream);
  g_free (o.endpoint);
  g_free (o.region);
  g_free (o.profile);
  g_free (o.name);
  g_free (o.checkpoint);
  g_strfreev (o.shards);
  g_free (o.identity_arn);
  return code;
}

const FaCliGroup fa_cli_group_consume = {
  "consume", "run a handler for every record of a Kinesis data stream (Lambda-style)",
  run_consume
};
