/* lib/kinesis: `facealert consume`'s pieces on real SQLite files and a real
 * Kinesis server (kinesalite): checkpoints, every shard read, resuming after
 * the checkpoint (and only after it), a reshard read parents first, the
 * Lambda event, errors. */
#include "fa-error.h"
#include "fa-kds-checkpoint.h"
#include "fa-kds-consumer.h"
#include "fa-kinesalite.h"
#include "fa-kinesis.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static FaKinesalite *kinesalite;
static gchar *tmp_dir;

static FaKinesisClient *
client (void)
{
  g_autoptr (FaAwsCredentials) c = fa_aws_credentials_new ("AKIDFACEALERTTEST",
      "SeCrEt/Consumer", NULL);
  GError *error = NULL;
  FaKinesisClient *k = fa_kinesis_client_new (kinesalite->endpoint, "us-east-1", c,
      &error);
  g_assert_no_error (error);
  fa_kinesis_client_set_timeout (k, 5000);
  return k;
}

static void
put (const gchar *stream, const gchar *key, guint n)
{
  g_autoptr (FaKinesisClient) k = client ();
  g_autofree gchar *data = g_strdup_printf ("%s/%u", key, n);
  FaKinesisRecord record = { key, (const guint8 *) data, strlen (data) };
  FaKinesisPutResult result;
  GError *error = NULL;
  gboolean ok = fa_kinesis_put_records (k, stream, &record, 1, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_null (result.error_code);
  fa_kinesis_put_result_clear (&result);
}

static FaKdsCheckpoints *
open_checkpoints (const gchar *name)
{
  g_autofree gchar *path = g_build_filename (tmp_dir, "checkpoints", name, NULL);
  GError *error = NULL;
  FaKdsCheckpoints *c = fa_kds_checkpoints_open (path, &error);
  g_assert_no_error (error);
  return c;
}

/* Reads and commits until nothing is new; returns "key/n" per record in the
 * order given, and checks each batch is one shard, at most @batch_size. */
static GPtrArray *
drain (FaKdsConsumer *consumer, guint batch_size, guint *batches)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  FaKdsBatch *batch;
  while ((batch = fa_kds_consumer_next (consumer, &error)) != NULL) {
    g_assert_cmpuint (batch->records->len, >=, 1);
    g_assert_cmpuint (batch->records->len, <=, batch_size);
    for (guint i = 0; i < batch->records->len; i++) {
      FaKdsReceived *r = g_ptr_array_index (batch->records, i);
      gsize n = 0;
      const gchar *data = g_bytes_get_data (r->data, &n);
      g_ptr_array_add (seen, g_strndup (data, n));
    }
    g_assert_true (fa_kds_consumer_commit (consumer, batch, &error));
    fa_kds_batch_free (batch);
    if (batches != NULL)
      (*batches)++;
  }
  g_assert_no_error (error);
  return seen;
}

/* "key/0", "key/1", ... appear in @seen in this order, each once. */
static void
assert_key_in_order (GPtrArray *seen, const gchar *key, guint n)
{
  guint next = 0;
  g_autofree gchar *prefix = g_strconcat (key, "/", NULL);
  for (guint i = 0; i < seen->len; i++) {
    const gchar *s = g_ptr_array_index (seen, i);
    if (!g_str_has_prefix (s, prefix))
      continue;
    g_autofree gchar *want = g_strdup_printf ("%s%u", prefix, next);
    g_assert_cmpstr (s, ==, want);
    next++;
  }
  g_assert_cmpuint (next, ==, n);
}

static void
test_checkpoints (void)
{
  g_autofree gchar *path = g_build_filename (tmp_dir, "checkpoints", "cp.sqlite", NULL);
  GError *error = NULL;
  FaKdsCheckpoints *c = fa_kds_checkpoints_open (path, &error);
  g_assert_no_error (error);
  gchar *seq = NULL;
  gboolean ended = TRUE;
  g_assert_true (fa_kds_checkpoints_get (c, "s", "shard-0", &seq, &ended, &error));
  g_assert_null (seq);
  g_assert_false (ended);
  g_assert_true (fa_kds_checkpoints_set (c, "s", "shard-0", "495", FALSE, &error));
  g_assert_true (fa_kds_checkpoints_set (c, "s", "shard-0", NULL, TRUE, &error));
  g_assert_true (fa_kds_checkpoints_set (c, "other", "shard-0", "7", FALSE, &error));
  g_assert_true (fa_kds_checkpoints_get (c, "s", "shard-0", &seq, &ended, &error));
  g_assert_cmpstr (seq, ==, "495");     /* kept when only "ended" changes */
  g_assert_true (ended);
  g_free (seq);

  /* One consumer per file. */
  g_assert_null (fa_kds_checkpoints_open (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "--name"));
  g_clear_error (&error);
  fa_kds_checkpoints_close (c);

  /* It survives: reopened, the same. */
  c = fa_kds_checkpoints_open (path, &error);
  g_assert_true (fa_kds_checkpoints_get (c, "other", "shard-0", &seq, &ended, &error));
  g_assert_cmpstr (seq, ==, "7");
  g_free (seq);
  fa_kds_checkpoints_close (c);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_autofree gchar *junk = g_build_filename (tmp_dir, "junk.sqlite", NULL);
  g_assert_true (g_file_set_contents (junk, "not a database, but long enough to "
          "have a header: 0123456789012345678901234567890123456789", -1, NULL));
  g_assert_null (fa_kds_checkpoints_open (junk, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);
}

/* Three shards, six keys: every record once, each key in order, batches of
 * one shard; a second consumer with the same checkpoints finds nothing. */
static void
test_every_shard_once (void)
{
  fa_kinesalite_create_stream (kinesalite, "all-shards", 3);
  const gchar *keys[] = { "cam1", "cam2", "cam3", "cam4", "cam5", "cam6" };
  for (guint i = 0; i < 8; i++)
    for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
      put ("all-shards", keys[j], i);

  g_autoptr (FaKdsCheckpoints) checkpoints = open_checkpoints ("all-shards.sqlite");
  FaKdsConsumerConfig config = { .stream = "all-shards", .batch_size = 5 };
  FaKdsConsumer *consumer = fa_kds_consumer_new (client (), checkpoints, &config);
  guint batches = 0;
  g_autoptr (GPtrArray) seen = drain (consumer, 5, &batches);
  g_assert_cmpuint (fa_kds_consumer_count_shards (consumer), ==, 3);
  g_assert_cmpstr (fa_kds_consumer_get_stream_arn (consumer), ==,
      "arn:aws:kinesis:us-east-1:000000000000:stream/all-shards");
  g_assert_cmpuint (seen->len, ==, 48);
  g_assert_cmpuint (batches, >=, 10);
  for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
    assert_key_in_order (seen, keys[j], 8);
  fa_kds_consumer_free (consumer);

  consumer = fa_kds_consumer_new (client (), checkpoints, &config);
  g_autoptr (GPtrArray) again = drain (consumer, 5, NULL);
  g_assert_cmpuint (again->len, ==, 0);
  /* New records: only those. */
  put ("all-shards", "cam1", 8);
  g_autoptr (GPtrArray) more = drain (consumer, 5, NULL);
  g_assert_cmpuint (more->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (more, 0), ==, "cam1/8");
  fa_kds_consumer_free (consumer);
}

/* A batch not committed (its handler failed, or the consumer died) is
 * given again; one committed never is. */
static void
test_uncommitted_batch_again (void)
{
  fa_kinesalite_create_stream (kinesalite, "again", 1);
  for (guint i = 0; i < 6; i++)
    put ("again", "cam1", i);
  g_autoptr (FaKdsCheckpoints) checkpoints = open_checkpoints ("again.sqlite");
  FaKdsConsumerConfig config = { .stream = "again", .batch_size = 4 };
  FaKdsConsumer *consumer = fa_kds_consumer_new (client (), checkpoints, &config);
  GError *error = NULL;
  g_autoptr (FaKdsBatch) first = fa_kds_consumer_next (consumer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->records->len, ==, 4);
  g_assert_true (fa_kds_consumer_commit (consumer, first, &error));
  g_autoptr (FaKdsBatch) second = fa_kds_consumer_next (consumer, &error);
  g_assert_cmpuint (second->records->len, ==, 2);
  /* Not committed: the consumer "dies". */
  fa_kds_consumer_free (consumer);

  consumer = fa_kds_consumer_new (client (), checkpoints, &config);
  g_autoptr (GPtrArray) seen = drain (consumer, 4, NULL);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "cam1/4");
  g_assert_cmpstr (g_ptr_array_index (seen, 1), ==, "cam1/5");
  fa_kds_consumer_free (consumer);
}

/* --from-latest: a shard without a checkpoint starts at new records. */
static void
test_from_latest (void)
{
  fa_kinesalite_create_stream (kinesalite, "latest", 1);
  put ("latest", "cam1", 0);
  g_autoptr (FaKdsCheckpoints) checkpoints = open_checkpoints ("latest.sqlite");
  FaKdsConsumerConfig config = { .stream = "latest", .batch_size = 10,
    .start_at_latest = TRUE };
  g_autoptr (FaKdsConsumer) consumer = fa_kds_consumer_new (client (), checkpoints,
      &config);
  g_autoptr (GPtrArray) none = drain (consumer, 10, NULL);
  g_assert_cmpuint (none->len, ==, 0);
  put ("latest", "cam1", 1);
  g_autoptr (GPtrArray) seen = drain (consumer, 10, NULL);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "cam1/1");
}

/* After a split, a key's older records are in the closed parent and its
 * newer ones in a child: the parent is read to its end first. */
static void
test_reshard_parents_first (void)
{
  fa_kinesalite_create_stream (kinesalite, "split", 1);
  for (guint i = 0; i < 5; i++)
    put ("split", "cam1", i);
  g_autoptr (FaKinesisClient) k = client ();
  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", "split");
  json_object_set_string_member (request, "ShardToSplit", "shardId-000000000000");
  json_object_set_string_member (request, "NewStartingHashKey",
      "170141183460469231731687303715884105728");
  GError *error = NULL;
  g_autoptr (JsonObject) answer = fa_kinesis_client_call (k, "SplitShard", request,
      &error);
  g_assert_no_error (error);
  /* Wait until ACTIVE again, then write more. */
  for (guint i = 0; i < 200; i++) {
    g_autoptr (JsonObject) d = json_object_new ();
    json_object_set_string_member (d, "StreamName", "split");
    g_autoptr (JsonObject) s = fa_kinesis_client_call (k, "DescribeStreamSummary", d,
        &error);
    g_assert_no_error (error);
    if (g_strcmp0 (json_object_get_string_member (json_object_get_object_member (s,
                    "StreamDescriptionSummary"), "StreamStatus"), "ACTIVE") == 0)
      break;
    g_usleep (10000);
  }
  for (guint i = 5; i < 10; i++)
    put ("split", "cam1", i);

  g_autoptr (FaKdsCheckpoints) checkpoints = open_checkpoints ("split.sqlite");
  FaKdsConsumerConfig config = { .stream = "split", .batch_size = 3 };
  FaKdsConsumer *consumer = fa_kds_consumer_new (client (), checkpoints, &config);
  /* Polls as `facealert consume` does: the parent's end shows after a few
   * empty reads, then its children are listed and read. */
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  for (guint round = 0; round < 50 && seen->len < 10; round++) {
    g_autoptr (GPtrArray) some = drain (consumer, 3, NULL);
    for (guint i = 0; i < some->len; i++)
      g_ptr_array_add (seen, g_strdup (g_ptr_array_index (some, i)));
  }
  g_assert_cmpuint (fa_kds_consumer_count_shards (consumer), ==, 3);
  assert_key_in_order (seen, "cam1", 10);
  fa_kds_consumer_free (consumer);
}

static void
test_lambda_event (void)
{
  FaKdsBatch batch = { .shard_id = "shardId-000000000002" };
  batch.records = g_ptr_array_new ();
  FaKdsReceived r = { "49590338271490256608559692538361571095921575989136588898",
    "front-door", g_bytes_new_static ("{\"a\":1}", 7), 1545084650.987 };
  g_ptr_array_add (batch.records, &r);
  g_autofree gchar *text = fa_kds_lambda_event (
      "arn:aws:kinesis:eu-west-3:123456789012:stream/faces", "eu-west-3", NULL, &batch);
  g_autoptr (JsonNode) node = json_from_string (text, NULL);
  g_assert_nonnull (node);
  JsonArray *records = json_object_get_array_member (json_node_get_object (node),
      "Records");
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  JsonObject *e = json_array_get_object_element (records, 0);
  JsonObject *k = json_object_get_object_member (e, "kinesis");
  g_assert_cmpstr (json_object_get_string_member (k, "kinesisSchemaVersion"), ==, "1.0");
  g_assert_cmpstr (json_object_get_string_member (k, "partitionKey"), ==, "front-door");
  g_assert_cmpstr (json_object_get_string_member (k, "sequenceNumber"), ==, r.sequence_number);
  g_assert_cmpstr (json_object_get_string_member (k, "data"), ==, "eyJhIjoxfQ==");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (k,
          "approximateArrivalTimestamp"), 1545084650.987, 1e-3);
  g_assert_cmpstr (json_object_get_string_member (e, "eventSource"), ==, "aws:kinesis");
  g_assert_cmpstr (json_object_get_string_member (e, "eventVersion"), ==, "1.0");
  g_assert_cmpstr (json_object_get_string_member (e, "eventName"), ==, "aws:kinesis:record");
  g_autofree gchar *id = g_strconcat ("shardId-000000000002:", r.sequence_number, NULL);
  g_assert_cmpstr (json_object_get_string_member (e, "eventID"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (e, "awsRegion"), ==, "eu-west-3");
  g_assert_cmpstr (json_object_get_string_member (e, "eventSourceARN"), ==,
      "arn:aws:kinesis:eu-west-3:123456789012:stream/faces");
  g_assert_cmpstr (json_object_get_string_member (e, "invokeIdentityArn"), ==,
      "arn:aws:iam::123456789012:role/facealert-consume");
  g_bytes_unref (r.data);
  g_ptr_array_unref (batch.records);
}

static void
test_errors (void)
{
  g_autoptr (FaKdsCheckpoints) checkpoints = open_checkpoints ("errors.sqlite");
  FaKdsConsumerConfig config = { .stream = "no-such-stream", .batch_size = 10 };
  g_autoptr (FaKdsConsumer) missing = fa_kds_consumer_new (client (), checkpoints,
      &config);
  GError *error = NULL;
  g_assert_null (fa_kds_consumer_next (missing, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_false (fa_kinesis_error_is_retryable (error));
  g_clear_error (&error);

  /* --shard naming a shard the stream does not have. */
  fa_kinesalite_create_stream (kinesalite, "one-shard", 1);
  const gchar *only[] = { "shardId-000000000007", NULL };
  FaKdsConsumerConfig one = { .stream = "one-shard", .batch_size = 10, .shards = only };
  g_autoptr (FaKdsConsumer) wrong = fa_kds_consumer_new (client (), checkpoints, &one);
  g_assert_null (fa_kds_consumer_next (wrong, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "has no shard shardId-000000000007"));
  g_clear_error (&error);

  /* Server down: retryable; back: reading goes on from the checkpoint. */
  fa_kinesalite_create_stream (kinesalite, "down", 1);
  put ("down", "cam1", 0);
  config.stream = "down";
  g_autoptr (FaKdsCheckpoints) cp2 = open_checkpoints ("down.sqlite");
  g_autoptr (FaKdsConsumer) consumer = fa_kds_consumer_new (client (), cp2, &config);
  g_autoptr (GPtrArray) first = drain (consumer, 10, NULL);
  g_assert_cmpuint (first->len, ==, 1);
  fa_kinesalite_stop (kinesalite, TRUE);
  g_assert_null (fa_kds_consumer_next (consumer, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NETWORK);
  g_assert_true (fa_kinesis_error_is_retryable (error));
  g_clear_error (&error);
  fa_kinesalite_restart (kinesalite);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = fa_test_make_tmpdir ("fa-kds-consumer");
  g_autofree gchar *db = g_build_filename (tmp_dir, "kinesalite", NULL);
  kinesalite = fa_kinesalite_start (db, 0);
  g_test_add_func ("/kds-checkpoint/basics", test_checkpoints);
  g_test_add_func ("/kds-consumer/every-shard-once", test_every_shard_once);
  g_test_add_func ("/kds-consumer/uncommitted-batch-again", test_uncommitted_batch_again);
  g_test_add_func ("/kds-consumer/from-latest", test_from_latest);
  g_test_add_func ("/kds-consumer/reshard-parents-first", test_reshard_parents_first);
  g_test_add_func ("/kds-consumer/lambda-event", test_lambda_event);
  g_test_add_func ("/kds-consumer/errors", test_errors);
  int ret = g_test_run ();
  fa_kinesalite_free (kinesalite);
  fa_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
