/* Scale-out through Kinesis (issue 13): two producer nodes (facealert-run,
 * two cameras each: facedetect ! facematch ! kdssink) into one stream of a
 * real Kinesis server (kinesalite, --path so its data survive a restart),
 * one `facealert consume` with a handler that appends each Lambda event to a
 * file. Real parts only: fa-camsim RTSP cameras, real models, a collection
 * enrolled with the CLI, SQLite outboxes and checkpoints, the real AWS CLI.
 *
 * Mid-run: kinesalite is stopped and restarted; while it is down, producer B
 * (records pending in its outboxes) is SIGKILLed and started again; the
 * consumer is SIGKILLed and started again.
 *
 * Checks: every record the producers committed (their outboxes count them)
 * reaches the handler, in order per partition key; no sequence number is
 * given twice, but for the one batch the killed consumer had not
 * checkpointed, and nothing at or before a checkpoint is given again; the
 * records read back with `aws kinesis get-records` decode to
 * stream-processor records. Waits are on conditions, with bounds. */

#include "fa-kds-world.h"
#include "fa-kinesalite.h"
#include "fa-proc.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define STREAM "faces-scale"
#define N_CAMS 4

static gchar *tmp;
static gchar *events_path;

/* ---- outboxes ---- */

typedef struct {
  gint64 committed;   /* records ever committed (AUTOINCREMENT counter) */
  gint64 pending;
} OutboxCount;

static OutboxCount
outbox_count (int cam)
{
  OutboxCount c = { 0, 0 };
  g_autofree gchar *file = g_strdup_printf ("cam%d.sqlite", cam);
  g_autofree gchar *path = g_build_filename (tmp, "outbox", "kinesis", file, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return c;
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (db, "SELECT (SELECT seq FROM sqlite_sequence WHERE"
          " name = 'records'), (SELECT COUNT(*) FROM records WHERE state ="
          " 'pending')", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW) {
    c.committed = sqlite3_column_int64 (stmt, 0);
    c.pending = sqlite3_column_int64 (stmt, 1);
  }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return c;
}

/* ---- what the handler was given ---- */

typedef struct {
  gchar *shard;
  gchar *seq;
  gchar *key;
  gchar *data;
  guint event;        /* index of the handler run */
} Given;

static void
given_free (gpointer p)
{
  Given *g = p;
  g_free (g->shard);
  g_free (g->seq);
  g_free (g->key);
  g_free (g->data);
  g_free (g);
}

/* Every record of every handler run so far, in the order given. */
static GPtrArray *
read_given (guint *runs)
{
  GPtrArray *all = g_ptr_array_new_with_free_func (given_free);
  g_autofree gchar *text = NULL;
  if (runs != NULL)
    *runs = 0;
  if (!g_file_get_contents (events_path, &text, NULL, NULL))
    return all;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i] != NULL; i++) {
    if (*lines[i] == '\0')
      continue;
    g_autoptr (JsonNode) node = json_from_string (lines[i], NULL);
    if (node == NULL)
      continue;     /* a run still writing */
    JsonArray *records = json_object_get_array_member (json_node_get_object (node),
        "Records");
    for (guint r = 0; r < json_array_get_length (records); r++) {
      JsonObject *e = json_array_get_object_element (records, r);
      JsonObject *k = json_object_get_object_member (e, "kinesis");
      Given *g = g_new0 (Given, 1);
      const gchar *id = json_object_get_string_member (e, "eventID");
      g->shard = g_strndup (id, strcspn (id, ":"));
      g->seq = g_strdup (json_object_get_string_member (k, "sequenceNumber"));
      g->key = g_strdup (json_object_get_string_member (k, "partitionKey"));
      gsize size = 0;
      g_autofree guchar *data = g_base64_decode (json_object_get_string_member (k,
              "data"), &size);
      g->data = g_strndup ((gchar *) data, size);
      g->event = n;
      g_ptr_array_add (all, g);
    }
    n++;
  }
  if (runs != NULL)
    *runs = n;
  return all;
}

/* Distinct records (each frame's record is unique: its ProducerTimestamp)
 * given for partition key @key. */
static guint
distinct_for (GPtrArray *given, const gchar *key)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < given->len; i++) {
    Given *g = g_ptr_array_index (given, i);
    if (g_str_equal (g->key, key))
      g_hash_table_add (seen, g->data);
  }
  return g_hash_table_size (seen);
}

typedef struct {
  guint min[N_CAMS + 1];
} Progress;

static gboolean
each_cam_has (gpointer data)
{
  Progress *p = data;
  g_autoptr (GPtrArray) given = read_given (NULL);
  for (int c = 1; c <= N_CAMS; c++) {
    g_autofree gchar *key = g_strdup_printf ("cam%d", c);
    if (distinct_for (given, key) < p->min[c])
      return FALSE;
  }
  return TRUE;
}

static gboolean
b_has_pending (gpointer data)
{
  return outbox_count (3).pending + outbox_count (4).pending >= 2;
}

static gboolean
all_handled (gpointer data)
{
  g_autoptr (GPtrArray) given = read_given (NULL);
  for (int c = 1; c <= N_CAMS; c++) {
    g_autofree gchar *key = g_strdup_printf ("cam%d", c);
    OutboxCount oc = outbox_count (c);
    if (oc.pending > 0 || distinct_for (given, key) < oc.committed)
      return FALSE;
  }
  return TRUE;
}

/* Kinesis sequence numbers are decimal strings: compare as numbers. */
static gint
seq_cmp (const gchar *a, const gchar *b)
{
  gsize la = strlen (a), lb = strlen (b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp (a, b);
}

static FaProc *
start_consumer (FaKinesalite *k)
{
  g_autofree gchar *checkpoint = g_build_filename (tmp, "consumer.sqlite", NULL);
  const gchar *argv[] = { "facealert", "consume", "--stream", STREAM,
    "--endpoint", k->endpoint, "--checkpoint", checkpoint, "--batch-size", "20",
    "--poll-interval", "100", "--retry-delay", "100", "--",
    "sh", "-c", "cat >> \"$0\" && echo >> \"$0\"", events_path, NULL };
  return fa_proc_spawn ("consume", FALSE, argv);
}

static FaProc *
start_producer (const gchar *tag, const gchar *pipeline)
{
  const gchar *argv[] = { "facealert-run", "--min-backoff", "300", "--max-backoff",
    "1000", pipeline, NULL };
  return fa_proc_spawn (tag, FALSE, argv);
}

static void
wait_flowing (FaProc *p, int first_cam)
{
  for (int c = first_cam; c < first_cam + 2; c++) {
    g_autofree gchar *flowing = g_strdup_printf ("facealert-run: cam%d: flowing", c);
    g_assert_nonnull (fa_proc_wait_line (p, flowing, NULL, 40));
  }
}

/* Checkpoints per shard (shard -> sequence number) in the consumer's file. */
static GHashTable *
read_checkpoints (void)
{
  g_autofree gchar *path = g_build_filename (tmp, "consumer.sqlite", NULL);
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_stmt *stmt = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT shard, sequence_number FROM"
          " checkpoints WHERE sequence_number IS NOT NULL", -1, &stmt, NULL), ==,
      SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_insert (t, g_strdup ((const gchar *) sqlite3_column_text (stmt, 0)),
        g_strdup ((const gchar *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return t;
}

/* The records of one shard, read back with the real AWS CLI. */
static void
check_with_aws_cli (FaKinesalite *k, const gchar *shard, guint expected)
{
  g_setenv ("AWS_PAGER", "", TRUE);
  const gchar *it_argv[] = { "/usr/bin/aws", "--endpoint-url", k->endpoint,
    "--region", "us-east-1", "kinesis", "get-shard-iterator", "--stream-name", STREAM,
    "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON", "--output", "json",
    NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  g_assert_cmpint (fa_test_run_argv (it_argv, &out, &err), ==, 0);
  g_autoptr (JsonNode) it = json_from_string (out, NULL);
  g_assert_nonnull (it);
  const gchar *iterator = json_object_get_string_member (json_node_get_object (it),
      "ShardIterator");
  const gchar *get_argv[] = { "/usr/bin/aws", "--endpoint-url", k->endpoint,
    "--region", "us-east-1", "kinesis", "get-records", "--shard-iterator", iterator,
    "--limit", "10000", "--output", "json", NULL };
  g_autofree gchar *records_out = NULL;
  g_assert_cmpint (fa_test_run_argv (get_argv, &records_out, &err), ==, 0);
  g_autoptr (JsonNode) got = json_from_string (records_out, NULL);
  g_assert_nonnull (got);
  JsonArray *records = json_object_get_array_member (json_node_get_object (got),
      "Records");
  g_test_message ("aws kinesis get-records %s: %u records", shard,
      json_array_get_length (records));
  g_assert_cmpuint (json_array_get_length (records), ==, expected);
  for (guint i = 0; i < json_array_get_length (records); i++) {
    JsonObject *r = json_array_get_object_element (records, i);
    gsize size = 0;
    g_autofree guchar *data = g_base64_decode (json_object_get_string_member (r, "Data"),
        &size);
    g_autofree gchar *text = g_strndup ((gchar *) data, size);
    g_autoptr (JsonNode) record = json_from_string (text, NULL);
    g_assert_nonnull (record);
    JsonObject *o = json_node_get_object (record);
    JsonObject *video = json_object_get_object_member (json_object_get_object_member (o,
            "InputInformation"), "KinesisVideo");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (video, "StreamArn"),
            "arn:facealert:kinesisvideo:"));
    g_assert_cmpfloat (json_object_get_double_member (video, "ProducerTimestamp"), >, 1e9);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o,
                "StreamProcessorInformation"), "Status"), ==, "RUNNING");
    JsonArray *faces = json_object_get_array_member (o, "FaceSearchResponse");
    g_assert_cmpuint (json_array_get_length (faces), >=, 1);
    JsonObject *face = json_array_get_object_element (faces, 0);
    JsonObject *box = json_object_get_object_member (json_object_get_object_member (face,
            "DetectedFace"), "BoundingBox");
    gdouble width = json_object_get_double_member (box, "Width");
    g_assert_cmpfloat (width, >, 0.0);
    g_assert_cmpfloat (width, <, 1.0);
    g_assert_true (json_object_has_member (face, "MatchedFaces"));
    g_assert_true (json_object_has_member (face, "TrackId"));
    g_assert_true (json_object_has_member (face, "Decided"));
  }
}

static void
test_scale_out (void)
{
  tmp = fa_test_make_tmpdir ("fa-kds-scale");
  events_path = g_build_filename (tmp, "events.jsonl", NULL);
  fa_kds_world_init (tmp);

  g_autofree gchar *db = g_build_filename (tmp, "kinesalite", NULL);
  FaKinesalite *k = fa_kinesalite_start (db, 0);
  fa_kinesalite_create_stream (k, STREAM, 2);

  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", "cam3=scene:household",
    "cam4=scene:stranger", NULL };
  FaProc *sim = fa_proc_spawn ("camsim", TRUE, sim_argv);
  const gchar *ready = fa_proc_wait_line (sim, "READY rtsp://127.0.0.1:", NULL, 90);
  g_assert_nonnull (ready);
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  g_assert_cmpuint (g_strv_length (urls), ==, N_CAMS);
  for (int c = 1; c <= N_CAMS; c++) {
    g_autofree gchar *var = g_strdup_printf ("CAM%d_URL", c);
    g_setenv (var, urls[c - 1], TRUE);
  }
  g_setenv ("KDS_STREAM", STREAM, TRUE);
  g_setenv ("KDS_ENDPOINT", k->endpoint, TRUE);

  const gchar *fast = "interval=200 retry-initial=50000000 retry-max=300000000";
  const guint cams_a[] = { 1, 2, 0 }, cams_b[] = { 3, 4, 0 };
  g_autofree gchar *pipeline_a = fa_kds_world_node_pipeline (tmp, "node-a.pipeline",
      cams_a, 0, fast);
  g_autofree gchar *pipeline_b = fa_kds_world_node_pipeline (tmp, "node-b.pipeline",
      cams_b, 0, fast);
  FaProc *consumer = start_consumer (k);
  FaProc *a = start_producer ("node-a", pipeline_a);
  FaProc *b = start_producer ("node-b", pipeline_b);
  wait_flowing (a, 1);
  wait_flowing (b, 3);

  /* Both nodes' cameras reach the handler. */
  Progress p = { { 0, 3, 3, 3, 3 } };
  g_assert_true (fa_wait_until (each_cam_has, &p, 40));

  /* Kinesis goes away; records pile up in the outboxes; node B is killed
   * with records pending; Kinesis comes back; node B starts again. */
  fa_kinesalite_stop (k, FALSE);
  g_assert_true (fa_wait_until (b_has_pending, NULL, 30));
  gint64 pending_b = outbox_count (3).pending + outbox_count (4).pending;
  kill (atoi (g_subprocess_get_identifier (b->proc)), SIGKILL);
  g_assert_cmpint (fa_proc_wait_exit (b, 10), ==, -1);
  fa_proc_free (b);
  g_test_message ("node B killed with %" G_GINT64_FORMAT " record(s) pending",
      pending_b);
  fa_kinesalite_restart (k);
  b = start_producer ("node-b", pipeline_b);
  wait_flowing (b, 3);
  /* Every camera goes on: two records more each, past those pending. */
  g_autoptr (GPtrArray) before_kill = read_given (NULL);
  Progress more = { { 0 } };
  for (int c = 1; c <= N_CAMS; c++) {
    g_autofree gchar *key = g_strdup_printf ("cam%d", c);
    more.min[c] = distinct_for (before_kill, key) + 2;
  }
  more.min[3] += outbox_count (3).pending;
  more.min[4] += outbox_count (4).pending;
  g_assert_true (fa_wait_until (each_cam_has, &more, 40));

  /* The consumer is killed; where its checkpoints were, it starts again. */
  kill (atoi (g_subprocess_get_identifier (consumer->proc)), SIGKILL);
  g_assert_cmpint (fa_proc_wait_exit (consumer, 10), ==, -1);
  fa_proc_free (consumer);
  g_autoptr (GHashTable) at_kill = read_checkpoints ();
  guint runs_before = 0;
  g_autoptr (GPtrArray) given_before = read_given (&runs_before);
  consumer = start_consumer (k);

  /* The nodes stop (EOS: their outboxes drain); the consumer catches up. */
  kill (atoi (g_subprocess_get_identifier (a->proc)), SIGTERM);
  kill (atoi (g_subprocess_get_identifier (b->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (a, 30), ==, 0);
  g_assert_cmpint (fa_proc_wait_exit (b, 30), ==, 0);
  g_assert_true (fa_wait_until (all_handled, NULL, 30));
  kill (atoi (g_subprocess_get_identifier (consumer->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (consumer, 15), ==, 0);

  /* ---- what the handler was given ---- */
  guint runs = 0;
  g_autoptr (GPtrArray) given = read_given (&runs);
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) last_of_shard = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) last_data = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) last_time = g_hash_table_new_full (g_str_hash, g_str_equal,
      NULL, g_free);
  guint twice = 0, producer_duplicates = 0, total = 0;
  for (guint i = 0; i < given->len; i++) {
    Given *g = g_ptr_array_index (given, i);
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (count, g->seq));
    g_hash_table_insert (count, g->seq, GUINT_TO_POINTER (n + 1));
    if (n > 0) {
      /* Given twice: only the restarted consumer re-giving the batch the
       * killed one had not checkpointed; nothing at or before a checkpoint. */
      const gchar *checkpoint = g_hash_table_lookup (at_kill, g->shard);
      g_assert_cmpuint (g->event, >=, runs_before);
      g_assert_true (checkpoint == NULL || seq_cmp (g->seq, checkpoint) > 0);
      twice++;
      continue;
    }
    total++;
    /* Each shard in sequence order. */
    const gchar *previous = g_hash_table_lookup (last_of_shard, g->shard);
    g_assert_true (previous == NULL || seq_cmp (g->seq, previous) > 0);
    g_hash_table_insert (last_of_shard, g->shard, g->seq);
    /* Each key in the order its camera made them (facematch's
     * ProducerTimestamp); a record Kinesis holds twice (a request cut off
     * while Kinesis went down, then resent) can only repeat in place. */
    g_autoptr (JsonNode) node = json_from_string (g->data, NULL);
    g_assert_nonnull (node);
    gdouble t = json_object_get_double_member (json_object_get_object_member (
            json_object_get_object_member (json_node_get_object (node),
                "InputInformation"), "KinesisVideo"), "ProducerTimestamp");
    const gchar *same = g_hash_table_lookup (last_data, g->key);
    gdouble *before = g_hash_table_lookup (last_time, g->key);
    if (same != NULL && g_str_equal (same, g->data)) {
      producer_duplicates++;
      continue;
    }
    g_assert_true (before == NULL || t > *before);
    g_hash_table_insert (last_data, g->key, g->data);
    g_hash_table_insert (last_time, g->key, g_memdup2 (&t, sizeof t));
  }
  g_test_message ("%u handler runs, %u records, %u given again after the consumer "
      "was killed, %u held twice by Kinesis", runs, total, twice, producer_duplicates);
  for (guint i = 0; i < given_before->len; i++) {
    Given *g = g_ptr_array_index (given_before, i);
    const gchar *checkpoint = g_hash_table_lookup (at_kill, g->shard);
    if (checkpoint != NULL && seq_cmp (g->seq, checkpoint) <= 0)
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (count, g->seq)), ==, 1);
  }

  /* Nothing lost: each camera's committed records, all given. */
  gint64 committed_total = 0;
  for (int c = 1; c <= N_CAMS; c++) {
    g_autofree gchar *key = g_strdup_printf ("cam%d", c);
    OutboxCount oc = outbox_count (c);
    g_test_message ("%s: %" G_GINT64_FORMAT " records committed, %u given", key,
        oc.committed, distinct_for (given, key));
    g_assert_cmpint (oc.pending, ==, 0);
    g_assert_cmpint (oc.committed, >=, 5);
    g_assert_cmpuint (distinct_for (given, key), ==, oc.committed);
    committed_total += oc.committed;
  }
  g_assert_cmpint (pending_b, >=, 2);

  /* The real AWS CLI reads the same records. */
  g_autoptr (GHashTable) per_shard = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < given->len; i++) {
    Given *g = g_ptr_array_index (given, i);
    if (!g_hash_table_add (seen, g->seq))
      continue;
    g_hash_table_insert (per_shard, g->shard, GUINT_TO_POINTER (1 +
            GPOINTER_TO_UINT (g_hash_table_lookup (per_shard, g->shard))));
  }
  const gchar *shard0 = "shardId-000000000000";
  check_with_aws_cli (k, shard0, GPOINTER_TO_UINT (g_hash_table_lookup (per_shard,
              shard0)));

  fa_proc_send (sim, "quit");
  fa_proc_wait_exit (sim, 10);
  fa_proc_free (sim);
  fa_proc_free (a);
  fa_proc_free (b);
  fa_proc_free (consumer);
  fa_kinesalite_free (k);
  fa_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kds/scale-out", test_scale_out);
  return g_test_run ();
}
