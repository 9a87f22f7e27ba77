/* lib/kinesis: the Kinesis client (limits, errors, signing checked against
 * npm aws4) and kdssink's durable record outbox, against a real Kinesis
 * server (kinesalite, tests/support/kinesalite-fixture.mjs) on 127.0.0.1:
 * delivery, order per partition key under per-record throttling, an outage
 * and a restart, a missing stream, ownership, limits. */
#include "fa-error.h"
#include "fa-kds-outbox.h"
#include "fa-kinesalite.h"
#include "fa-kinesis.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define SECRET "SeCrEt/KinesisMustNotStoreThis"

static FaAwsCredentials *
credentials (void)
{
  return fa_aws_credentials_new ("AKIDFACEALERTTEST", SECRET, "ToKeN/NorThis");
}

static FaKinesisClient *
client_for (const gchar *endpoint)
{
  g_autoptr (FaAwsCredentials) c = credentials ();
  GError *error = NULL;
  FaKinesisClient *client = fa_kinesis_client_new (endpoint, "us-east-1", c, &error);
  g_assert_no_error (error);
  fa_kinesis_client_set_timeout (client, 3000);
  return client;
}

/* ---- the client ---- */

static void
test_limits (void)
{
  GError *error = NULL;
  g_assert_true (fa_kinesis_validate_stream_name ("face-records_1.v2", NULL));
  g_autofree gchar *long_name = g_strnfill (129, 'a');
  const gchar *bad_names[] = { "", "two words", "a/b", long_name };
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    g_assert_false (fa_kinesis_validate_stream_name (bad_names[i], &error));
    g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  /* 256 characters are fine even when they are 512 bytes; 257 are not. */
  GString *key = g_string_new (NULL);
  for (guint i = 0; i < 256; i++)
    g_string_append (key, "é");
  g_assert_true (fa_kinesis_validate_partition_key (key->str, NULL));
  g_string_append (key, "x");
  g_assert_false (fa_kinesis_validate_partition_key (key->str, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "257 characters"));
  g_clear_error (&error);
  g_string_free (key, TRUE);
  g_assert_false (fa_kinesis_validate_partition_key ("", NULL));

  /* 1 MiB counts the data and the key. */
  g_assert_true (fa_kinesis_validate_record ("cam1", 1024 * 1024 - 4, NULL));
  g_assert_false (fa_kinesis_validate_record ("cam1", 1024 * 1024 - 3, &error));
  g_assert_nonnull (strstr (error->message, "1 MiB"));
  g_clear_error (&error);
  g_assert_false (fa_kinesis_validate_record ("cam1", 0, NULL));

  /* Request limits fail before any connection (nothing listens on port 9). */
  g_autoptr (FaKinesisClient) client = client_for ("http://127.0.0.1:9/");
  FaKinesisRecord records[501];
  FaKinesisPutResult results[501];
  for (guint i = 0; i < 501; i++)
    records[i] = (FaKinesisRecord) { "cam1", (const guint8 *) "x", 1 };
  g_assert_false (fa_kinesis_put_records (client, "s", records, 501, results, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_autofree guint8 *big = g_malloc0 (1024 * 1024 - 10);
  for (guint i = 0; i < 6; i++)
    records[i] = (FaKinesisRecord) { "cam1", big, 1024 * 1024 - 10 };
  g_assert_false (fa_kinesis_put_records (client, "s", records, 6, results, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "5 MiB"));
  g_clear_error (&error);
}

static void
test_errors (void)
{
  static const struct {
    long status;
    const gchar *type;
    FaErrorCode code;
    gboolean retry;
  } cases[] = {
    { 400, "ProvisionedThroughputExceededException", FA_ERROR_THROTTLED, TRUE },
    { 400, "LimitExceededException", FA_ERROR_THROTTLED, TRUE },
    { 500, "InternalFailure", FA_ERROR_NETWORK, TRUE },
    { 503, NULL, FA_ERROR_NETWORK, TRUE },
    { 400, "ResourceInUseException", FA_ERROR_NETWORK, TRUE },
    { 400, "ResourceNotFoundException", FA_ERROR_NOT_FOUND, FALSE },
    { 400, "UnrecognizedClientException", FA_ERROR_AUTH, FALSE },
    { 400, "InvalidSignatureException", FA_ERROR_AUTH, FALSE },
    { 403, NULL, FA_ERROR_AUTH, FALSE },
    { 400, "ValidationException", FA_ERROR_INVALID_ARGUMENT, FALSE },
    { 400, "ExpiredIteratorException", FA_ERROR_INVALID_ARGUMENT, FALSE },
    { 400, "KMSDisabledException", FA_ERROR_REMOTE, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = fa_kinesis_error_new ("GetRecords", cases[i].status,
        cases[i].type, "details");
    g_assert_error (error, FA_ERROR, (gint) cases[i].code);
    g_assert_cmpint (fa_kinesis_error_is_retryable (error), ==, cases[i].retry);
    g_autofree gchar *type = fa_kinesis_error_type (error);
    g_assert_cmpstr (type, ==, cases[i].type);
    g_assert_true (g_str_has_prefix (error->message, "Kinesis GetRecords failed: HTTP "));
  }
  g_assert_true (fa_kinesis_record_error_is_retryable ("ProvisionedThroughputExceededException"));
  g_assert_true (fa_kinesis_record_error_is_retryable ("InternalFailure"));
  g_assert_false (fa_kinesis_record_error_is_retryable ("KMSAccessDeniedException"));
}

/* Our signature of a PutRecords request equals npm aws4's (kinesalite does
 * not check signatures, so this is what stands for AWS here). */
static void
test_signing (void)
{
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_getenv ("FACEALERT_TEST_SERVERS")
      ? g_strdup (g_getenv ("FACEALERT_TEST_SERVERS"))
      : g_build_filename (source, ".test-servers", NULL);
  g_autofree gchar *aws4 = g_build_filename (servers, "node_modules", "aws4",
      "aws4.js", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");
  if (node == NULL || !g_file_test (aws4, G_FILE_TEST_EXISTS)) {
    g_test_skip ("npm aws4 not installed: run scripts/install-test-servers.sh");
    return;
  }
  g_autoptr (FaKinesisClient) client = client_for (
      "https://kinesis.eu-west-3.amazonaws.com/");
  g_autoptr (FaAwsCredentials) c = credentials ();
  GError *error = NULL;
  g_autoptr (FaKinesisClient) regional = fa_kinesis_client_new (NULL, "eu-west-3",
      c, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fa_kinesis_client_get_endpoint (regional), ==,
      "https://kinesis.eu-west-3.amazonaws.com/");
  g_autoptr (GDateTime) when = g_date_time_new_utc (2026, 3, 14, 15, 9, 26);
  const gchar *body = "{\"StreamName\":\"faces\",\"Records\":[{\"Data\":\"e30=\","
      "\"PartitionKey\":\"front-door\"}]}";
  g_autoptr (FaSigv4Request) request = fa_kinesis_client_signed_request (regional,
      "PutRecords", body, when);
  const gchar *authorization = fa_sigv4_request_get_header (request, "Authorization");
  g_assert_cmpstr (fa_sigv4_request_get_header (request, "X-Amz-Target"), ==,
      "Kinesis_20131202.PutRecords");
  g_assert_nonnull (strstr (authorization, "/20260314/eu-west-3/kinesis/aws4_request"));
  g_assert_null (strstr (authorization, SECRET));

  g_autofree gchar *input = g_strdup_printf ("{\"host\":\"kinesis.eu-west-3.amazonaws.com\","
      "\"path\":\"/\",\"region\":\"eu-west-3\",\"service\":\"kinesis\",\"body\":%s,"
      "\"amzDate\":\"%s\",\"accessKeyId\":\"AKIDFACEALERTTEST\",\"secretAccessKey\":\"%s\","
      "\"sessionToken\":\"ToKeN/NorThis\",\"headers\":{\"Content-Type\":"
      "\"application/x-amz-json-1.1\",\"X-Amz-Target\":\"Kinesis_20131202.PutRecords\"}}\n",
      "\"{\\\"StreamName\\\":\\\"faces\\\",\\\"Records\\\":[{\\\"Data\\\":\\\"e30=\\\","
      "\\\"PartitionKey\\\":\\\"front-door\\\"}]}\"",
      fa_sigv4_request_get_header (request, "X-Amz-Date"), SECRET);
  g_autofree gchar *script = g_build_filename (source, "tests", "support",
      "aws4-sign.mjs", NULL);
  g_autoptr (GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
      | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, servers, NULL);
  g_assert_no_error (error);
  g_autofree gchar *out = NULL;
  g_subprocess_communicate_utf8 (proc, input, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));
  g_strchomp (out);
  g_assert_cmpstr (authorization, ==, out);
}

static void
test_put_and_errors (void)
{
  FaKinesalite *k = fa_kinesalite_start (NULL, 0);
  fa_kinesalite_create_stream (k, "faces", 1);
  g_autoptr (FaKinesisClient) client = client_for (k->endpoint);
  FaKinesisRecord records[] = {
    { "cam1", (const guint8 *) "{\"a\":1}", 7 },
    { "cam2", (const guint8 *) "{\"b\":2}", 7 },
  };
  FaKinesisPutResult results[2];
  GError *error = NULL;
  g_assert_true (fa_kinesis_put_records (client, "faces", records, 2, results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++) {
    g_assert_null (results[i].error_code);
    g_assert_nonnull (results[i].sequence_number);
    g_assert_cmpstr (results[i].shard_id, ==, "shardId-000000000000");
    fa_kinesis_put_result_clear (&results[i]);
  }
  g_autoptr (JsonArray) all = fa_kinesalite_read_all (k, "faces");
  g_assert_cmpuint (json_array_get_length (all), ==, 2);
  JsonObject *first = json_array_get_object_element (all, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "PartitionKey"), ==, "cam1");
  gsize n = 0;
  g_autofree guchar *data = g_base64_decode (json_object_get_string_member (first,
          "Data"), &n);
  g_assert_cmpmem (data, n, "{\"a\":1}", 7);

  /* No such stream: permanent, named, with what to do. */
  g_assert_false (fa_kinesis_put_records (client, "nope", records, 1, results, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ResourceNotFoundException"));
  g_assert_nonnull (strstr (error->message, "check the stream name"));
  g_assert_null (strstr (error->message, SECRET));
  g_clear_error (&error);

  /* Nobody listening: retryable. */
  fa_kinesalite_stop (k, FALSE);
  g_assert_false (fa_kinesis_put_records (client, "faces", records, 1, results, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NETWORK);
  g_assert_true (fa_kinesis_error_is_retryable (error));
  g_clear_error (&error);
  fa_kinesalite_free (k);

  g_autoptr (FaAwsCredentials) c = credentials ();
  g_assert_null (fa_kinesis_client_new ("ftp://example.com/", "us-east-1", c, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bad Kinesis endpoint"));
  g_clear_error (&error);
}

/* ---- the outbox ---- */

typedef struct {
  GMutex lock;
  GCond cond;
  guint queued, delivered, retrying, failed;
  GPtrArray *errors;
} Events;

static void
on_event (const FaKdsOutboxEvent *event, gpointer data)
{
  Events *events = data;
  g_mutex_lock (&events->lock);
  switch (event->state) {
    case FA_KDS_RECORD_QUEUED: events->queued++; break;
    case FA_KDS_RECORD_DELIVERED:
      g_assert_nonnull (event->sequence_number);
      g_assert_nonnull (event->shard_id);
      events->delivered++;
      break;
    case FA_KDS_RECORD_RETRYING: events->retrying++; break;
    case FA_KDS_RECORD_FAILED: events->failed++; break;
  }
  if (event->error != NULL)
    g_ptr_array_add (events->errors, g_strdup (event->error->message));
  g_cond_broadcast (&events->cond);
  g_mutex_unlock (&events->lock);
}

static void
events_init (Events *events)
{
  memset (events, 0, sizeof *events);
  g_mutex_init (&events->lock);
  g_cond_init (&events->cond);
  events->errors = g_ptr_array_new_with_free_func (g_free);
}

static void
events_clear (Events *events)
{
  g_ptr_array_unref (events->errors);
  g_mutex_clear (&events->lock);
  g_cond_clear (&events->cond);
}

static guint
wait_count (Events *events, guint *counter, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&events->lock);
  while (*counter < n && g_cond_wait_until (&events->cond, &events->lock, deadline))
    ;
  guint value = *counter;
  g_mutex_unlock (&events->lock);
  return value;
}

static void
attach (FaKdsOutbox *outbox, FaKinesalite *k)
{
  FaKdsSender *sender = fa_kds_sender_get (client_for (k->endpoint));
  fa_kds_outbox_attach (outbox, sender);
  fa_kds_sender_unref (sender);
}

static FaKdsOutbox *
open_outbox (const gchar *path, FaKinesalite *k, Events *events)
{
  GError *error = NULL;
  FaKdsOutbox *outbox = fa_kds_outbox_open (path, &error);
  g_assert_no_error (error);
  fa_kds_outbox_set_backoff (outbox, 5000, 100000);
  fa_kds_outbox_set_notify (outbox, on_event, events);
  if (k != NULL)
    attach (outbox, k);
  return outbox;
}

static void
add (FaKdsOutbox *outbox, const gchar *stream, const gchar *key, guint i)
{
  g_autofree gchar *data = g_strdup_printf ("{\"key\":\"%s\",\"n\":%u}", key, i);
  GError *error = NULL;
  g_assert_true (fa_kds_outbox_add (outbox, stream, key, data, strlen (data), NULL,
          &error));
  g_assert_no_error (error);
}

/* Per partition key, the "n" of its records as the stream holds them. */
static GHashTable *
numbers_by_key (FaKinesalite *k, const gchar *stream)
{
  GHashTable *by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_array_unref);
  g_autoptr (JsonArray) all = fa_kinesalite_read_all (k, stream);
  for (guint i = 0; i < json_array_get_length (all); i++) {
    JsonObject *r = json_array_get_object_element (all, i);
    const gchar *key = json_object_get_string_member (r, "PartitionKey");
    gsize n = 0;
    g_autofree gchar *data = (gchar *) g_base64_decode (json_object_get_string_member
        (r, "Data"), &n);
    g_autofree gchar *text = g_strndup (data, n);
    g_autoptr (JsonNode) node = json_from_string (text, NULL);
    g_assert_nonnull (node);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "key"),
        ==, key);
    guint number = json_object_get_int_member (json_node_get_object (node), "n");
    GArray *numbers = g_hash_table_lookup (by_key, key);
    if (numbers == NULL) {
      numbers = g_array_new (FALSE, FALSE, sizeof (guint));
      g_hash_table_insert (by_key, g_strdup (key), numbers);
    }
    g_array_append_val (numbers, number);
  }
  return by_key;
}

/* Each key's records 0..@n-1 are in the stream once each, in order. */
static void
assert_in_order (GHashTable *by_key, const gchar *key, guint n)
{
  GArray *numbers = g_hash_table_lookup (by_key, key);
  g_assert_nonnull (numbers);
  g_assert_cmpuint (numbers->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (numbers, guint, i), ==, i);
}

static void
test_outbox_delivers (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  g_autofree gchar *path = g_build_filename (dir, "state", "kinesis", "cam.sqlite", NULL);
  FaKinesalite *k = fa_kinesalite_start (NULL, 0);
  fa_kinesalite_create_stream (k, "faces", 2);
  Events events;
  events_init (&events);
  FaKdsOutbox *outbox = open_outbox (path, k, &events);
  const gchar *keys[] = { "cam1", "cam2", "cam3" };
  for (guint i = 0; i < 10; i++)
    for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
      add (outbox, "faces", keys[j], i);
  g_assert_cmpuint (events.queued, ==, 30);
  g_assert_true (fa_kds_outbox_wait_idle (outbox, 20 * G_TIME_SPAN_SECOND));
  g_assert_cmpuint (wait_count (&events, &events.delivered, 30, 5000), ==, 30);
  g_assert_cmpuint (fa_kds_outbox_count_pending (outbox), ==, 0);
  g_autoptr (GHashTable) by_key = numbers_by_key (k, "faces");
  for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
    assert_in_order (by_key, keys[j], 10);

  /* Private, and no credential in the file. */
  struct stat st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_stat (parent, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  fa_kds_outbox_close (outbox);
  g_autofree gchar *bytes = NULL;
  gsize size = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
  g_assert_null (g_strstr_len (bytes, size, "SeCrEt"));
  g_assert_null (g_strstr_len (bytes, size, "ToKeN"));

  fa_kinesalite_free (k);
  events_clear (&events);
  fa_test_rm_rf (dir);
}

/* kinesalite refusing every 3rd record (ProvisionedThroughputExceeded): each
 * refused record is retried alone, and no key's records overtake each
 * other. Sending a key's records together in one request would land some
 * before the refused ones. */
static void
test_outbox_throttled_order (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  g_autofree gchar *path = g_build_filename (dir, "cam.sqlite", NULL);
  FaKinesalite *k = fa_kinesalite_start (NULL, 3);
  fa_kinesalite_create_stream (k, "faces", 2);
  Events events;
  events_init (&events);
  /* Records first, worker second: the backlog goes out in full batches. */
  FaKdsOutbox *outbox = open_outbox (path, NULL, &events);
  const gchar *keys[] = { "cam1", "cam2", "cam3", "cam4" };
  for (guint i = 0; i < 25; i++)
    for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
      add (outbox, "faces", keys[j], i);
  attach (outbox, k);
  g_assert_true (fa_kds_outbox_wait_idle (outbox, 30 * G_TIME_SPAN_SECOND));
  g_assert_cmpuint (wait_count (&events, &events.delivered, 100, 5000), ==, 100);
  g_assert_cmpuint (events.retrying, >, 10);
  g_assert_cmpuint (events.failed, ==, 0);
  g_assert_nonnull (strstr (g_ptr_array_index (events.errors, 0),
          "ProvisionedThroughputExceededException"));
  g_autoptr (GHashTable) by_key = numbers_by_key (k, "faces");
  for (guint j = 0; j < G_N_ELEMENTS (keys); j++)
    assert_in_order (by_key, keys[j], 25);
  fa_kds_outbox_close (outbox);
  fa_kinesalite_free (k);
  events_clear (&events);
  fa_test_rm_rf (dir);
}

/* Kinesis down: records stay; the process stops with them pending; after a
 * restart of both they all arrive, in order, once. */
static void
test_outbox_outage_and_restart (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  g_autofree gchar *path = g_build_filename (dir, "cam.sqlite", NULL);
  g_autofree gchar *db = g_build_filename (dir, "kinesalite", NULL);
  FaKinesalite *k = fa_kinesalite_start (db, 0);
  fa_kinesalite_create_stream (k, "faces", 1);
  Events events;
  events_init (&events);
  FaKdsOutbox *outbox = open_outbox (path, k, &events);
  for (guint i = 0; i < 5; i++)
    add (outbox, "faces", "cam1", i);
  g_assert_true (fa_kds_outbox_wait_idle (outbox, 10 * G_TIME_SPAN_SECOND));

  fa_kinesalite_stop (k, TRUE);
  for (guint i = 5; i < 12; i++)
    add (outbox, "faces", "cam1", i);
  g_assert_cmpuint (wait_count (&events, &events.retrying, 3, 10000), >=, 3);
  g_assert_cmpuint (fa_kds_outbox_count_pending (outbox), ==, 7);
  g_mutex_lock (&events.lock);
  const gchar *last = g_ptr_array_index (events.errors, events.errors->len - 1);
  g_assert_nonnull (strstr (last, "cannot connect"));
  g_mutex_unlock (&events.lock);
  fa_kds_outbox_close (outbox);

  fa_kinesalite_restart (k);
  Events again;
  events_init (&again);
  outbox = open_outbox (path, k, &again);
  g_assert_true (fa_kds_outbox_wait_idle (outbox, 10 * G_TIME_SPAN_SECOND));
  g_assert_cmpuint (wait_count (&again, &again.delivered, 7, 5000), ==, 7);
  g_autoptr (GHashTable) by_key = numbers_by_key (k, "faces");
  assert_in_order (by_key, "cam1", 12);
  fa_kds_outbox_close (outbox);
  fa_kinesalite_free (k);
  events_clear (&events);
  events_clear (&again);
  fa_test_rm_rf (dir);
}

/* A stream that does not exist (yet) is a configuration error: the records
 * stay pending, retried slowly, and go out once the stream is there. */
static void
test_outbox_missing_stream (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  g_autofree gchar *path = g_build_filename (dir, "cam.sqlite", NULL);
  FaKinesalite *k = fa_kinesalite_start (NULL, 0);
  Events events;
  events_init (&events);
  FaKdsOutbox *outbox = open_outbox (path, k, &events);
  for (guint i = 0; i < 3; i++)
    add (outbox, "later", "cam1", i);
  g_assert_cmpuint (wait_count (&events, &events.retrying, 3, 10000), >=, 3);
  g_assert_cmpuint (events.failed, ==, 0);
  g_assert_cmpuint (fa_kds_outbox_count_pending (outbox), ==, 3);
  g_mutex_lock (&events.lock);
  g_assert_nonnull (strstr (g_ptr_array_index (events.errors, 0),
          "ResourceNotFoundException"));
  g_mutex_unlock (&events.lock);
  fa_kinesalite_create_stream (k, "later", 1);
  g_assert_true (fa_kds_outbox_wait_idle (outbox, 10 * G_TIME_SPAN_SECOND));
  g_autoptr (GHashTable) by_key = numbers_by_key (k, "later");
  assert_in_order (by_key, "cam1", 3);
  fa_kds_outbox_close (outbox);
  fa_kinesalite_free (k);
  events_clear (&events);
  fa_test_rm_rf (dir);
}

/* The outboxes of a node's cameras share one sender: one request carries a
 * record of each camera; closing one camera's outbox leaves the others
 * going. */
static void
test_sender_batches_outboxes (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  FaKinesalite *k = fa_kinesalite_start (NULL, 0);
  fa_kinesalite_create_stream (k, "faces", 2);
  Events events[3];
  FaKdsOutbox *outboxes[3];
  const gchar *keys[] = { "cam1", "cam2", "cam3" };
  for (guint j = 0; j < 3; j++) {
    events_init (&events[j]);
    g_autofree gchar *path = g_strdup_printf ("%s/%s.sqlite", dir, keys[j]);
    outboxes[j] = open_outbox (path, NULL, &events[j]);
    for (guint i = 0; i < 20; i++)
      add (outboxes[j], "faces", keys[j], i);
  }
  FaKdsSender *sender = fa_kds_sender_get (client_for (k->endpoint));
  for (guint j = 0; j < 3; j++)
    fa_kds_outbox_attach (outboxes[j], sender);
  for (guint j = 0; j < 3; j++)
    g_assert_true (fa_kds_outbox_wait_idle (outboxes[j], 20 * G_TIME_SPAN_SECOND));
  FaKdsSenderStats stats;
  fa_kds_sender_get_stats (sender, &stats);
  g_test_message ("%" G_GUINT64_FORMAT " records in %" G_GUINT64_FORMAT " requests",
      stats.records, stats.requests);
  g_assert_cmpuint (stats.records, ==, 60);
  g_assert_cmpuint (stats.requests, <=, 25);
  g_autoptr (GHashTable) by_key = numbers_by_key (k, "faces");
  for (guint j = 0; j < 3; j++)
    assert_in_order (by_key, keys[j], 20);

  /* cam2 stops; the others' new records still go out. */
  fa_kds_outbox_close (outboxes[1]);
  add (outboxes[0], "faces", "cam1", 20);
  add (outboxes[2], "faces", "cam3", 20);
  g_assert_true (fa_kds_outbox_wait_idle (outboxes[0], 10 * G_TIME_SPAN_SECOND));
  g_assert_true (fa_kds_outbox_wait_idle (outboxes[2], 10 * G_TIME_SPAN_SECOND));
  g_autoptr (GHashTable) after = numbers_by_key (k, "faces");
  assert_in_order (after, "cam1", 21);
  assert_in_order (after, "cam3", 21);
  fa_kds_outbox_close (outboxes[0]);
  fa_kds_outbox_close (outboxes[2]);
  fa_kds_sender_unref (sender);
  for (guint j = 0; j < 3; j++)
    events_clear (&events[j]);
  fa_kinesalite_free (k);
  fa_test_rm_rf (dir);
}

static void
test_outbox_owner_and_limits (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-kds-outbox");
  g_autofree gchar *path = g_build_filename (dir, "cam.sqlite", NULL);
  GError *error = NULL;
  FaKdsOutbox *outbox = fa_kds_outbox_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (fa_kds_outbox_open (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "outbox-location"));
  g_clear_error (&error);

  g_autofree gchar *big = g_malloc0 (1024 * 1024);
  g_assert_false (fa_kds_outbox_add (outbox, "faces", "cam1", big, 1024 * 1024,
          NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (fa_kds_outbox_add (outbox, "bad stream", "cam1", "{}", 2, NULL,
          &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (fa_kds_outbox_count_pending (outbox), ==, 0);
  gint64 seq = 0;
  g_assert_true (fa_kds_outbox_add (outbox, "faces", "cam1", "{}", 2, &seq, &error));
  g_assert_cmpint (seq, ==, 1);
  /* Without a worker, draining gives up at the timeout. */
  g_assert_false (fa_kds_outbox_wait_idle (outbox, 1000));
  fa_kds_outbox_close (outbox);

  /* Not a database. */
  g_autofree gchar *junk = g_build_filename (dir, "junk.sqlite", NULL);
  g_assert_true (g_file_set_contents (junk, "this is no SQLite file, not at all."
          " It is long enough to have a header.", -1, NULL));
  g_assert_null (fa_kds_outbox_open (junk, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);
  fa_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kinesis/limits", test_limits);
  g_test_add_func ("/kinesis/errors", test_errors);
  g_test_add_func ("/kinesis/signing", test_signing);
  g_test_add_func ("/kinesis/put-and-errors", test_put_and_errors);
  g_test_add_func ("/kds-outbox/delivers", test_outbox_delivers);
  g_test_add_func ("/kds-outbox/throttled-order", test_outbox_throttled_order);
  g_test_add_func ("/kds-outbox/outage-and-restart", test_outbox_outage_and_restart);
  g_test_add_func ("/kds-outbox/missing-stream", test_outbox_missing_stream);
  g_test_add_func ("/kds-outbox/owner-and-limits", test_outbox_owner_and_limits);
  g_test_add_func ("/kds-sender/batches-outboxes", test_sender_batches_outboxes);
  return g_test_run ();
}
