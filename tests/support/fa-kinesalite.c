#include "fa-kinesalite.h"
#include "fa-kinesis.h"

#include <signal.h>
#include <stdlib.h>

static FaKinesisClient *
client_for (FaKinesalite *k)
{
  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new (
      "AKIDFACEALERTTEST", "SeCrEt/KinesaliteFixture", NULL);
  GError *error = NULL;
  FaKinesisClient *client = fa_kinesis_client_new (k->endpoint, "us-east-1",
      credentials, &error);
  g_assert_no_error (error);
  fa_kinesis_client_set_timeout (client, 10000);
  return client;
}

static void
spawn (FaKinesalite *k)
{
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *script = g_build_filename (source != NULL ? source : ".",
      "tests", "support", "kinesalite-fixture.mjs", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");
  g_autofree gchar *port = g_strdup_printf ("%u", k->port);
  g_autofree gchar *every = g_strdup_printf ("%u", k->throttle_every);
  const gchar *argv[12] = { node, script, k->servers, "--port", port,
    "--throttle-every", every, NULL };
  if (k->db_path != NULL) {
    argv[7] = "--path";
    argv[8] = k->db_path;
  }
  GError *error = NULL;
  k->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE
      | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (k->process));
  g_autofree gchar *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("kinesalite exited before it was ready (see stderr)");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  k->port = json_object_get_int_member (o, "port");
  g_free (k->endpoint);
  k->endpoint = g_strdup (json_object_get_string_member (o, "endpoint"));
}

FaKinesalite *
fa_kinesalite_start (const gchar *db_path, guint throttle_every)
{
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_getenv ("FACEALERT_TEST_SERVERS")
      ? g_strdup (g_getenv ("FACEALERT_TEST_SERVERS"))
      : g_build_filename (source != NULL ? source : ".", ".test-servers", NULL);
  g_autofree gchar *package = g_build_filename (servers, "node_modules",
      "kinesalite", "package.json", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");
  if (node == NULL || !g_file_test (package, G_FILE_TEST_EXISTS)) {
    g_print ("1..0 # SKIP kinesalite not installed in %s: run "
        "scripts/install-test-servers.sh\n", servers);
    exit (77);
  }
  FaKinesalite *k = g_new0 (FaKinesalite, 1);
  k->servers = g_steal_pointer (&servers);
  k->db_path = g_strdup (db_path);
  k->throttle_every = throttle_every;
  spawn (k);
  return k;
}

void
fa_kinesalite_stop (FaKinesalite *k, gboolean kill)
{
  if (k->process == NULL)
    return;
  g_subprocess_send_signal (k->process, kill ? SIGKILL : SIGTERM);
  g_subprocess_wait (k->process, NULL, NULL);
  g_clear_object (&k->process);
}

void
fa_kinesalite_restart (FaKinesalite *k)
{
  g_assert_null (k->process);
  spawn (k);
}

void
fa_kinesalite_free (FaKinesalite *k)
{
  if (k == NULL)
    return;
  fa_kinesalite_stop (k, FALSE);
  g_free (k->servers);
  g_free (k->db_path);
  g_free (k->endpoint);
  g_free (k);
}

void
fa_kinesalite_create_stream (FaKinesalite *k, const gchar *stream, guint shards)
{
  g_autoptr (FaKinesisClient) client = client_for (k);
  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", stream);
  json_object_set_int_member (request, "ShardCount", shards);
  GError *error = NULL;
  g_autoptr (JsonObject) created = fa_kinesis_client_call (client, "CreateStream",
      request, &error);
  g_assert_no_error (error);
  json_object_remove_member (request, "ShardCount");
  for (guint i = 0; i < 200; i++) {
    g_autoptr (JsonObject) summary = fa_kinesis_client_call (client,
        "DescribeStreamSummary", request, &error);
    g_assert_no_error (error);
    JsonObject *s = json_object_get_object_member (summary, "StreamDescriptionSummary");
    if (g_strcmp0 (json_object_get_string_member (s, "StreamStatus"), "ACTIVE") == 0)
      return;
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  }
  g_error ("stream %s did not become ACTIVE", stream);
}

JsonArray *
fa_kinesalite_read_all (FaKinesalite *k, const gchar *stream)
{
  g_autoptr (FaKinesisClient) client = client_for (k);
  GError *error = NULL;
  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", stream);
  g_autoptr (JsonObject) listed = fa_kinesis_client_call (client, "ListShards",
      request, &error);
  g_assert_no_error (error);
  JsonArray *shards = json_object_get_array_member (listed, "Shards");
  JsonArray *all = json_array_new ();
  for (guint i = 0; i < json_array_get_length (shards); i++) {
    const gchar *shard = json_object_get_string_member (
        json_array_get_object_element (shards, i), "ShardId");
    g_autoptr (JsonObject) it_request = json_object_new ();
    json_object_set_string_member (it_request, "StreamName", stream);
    json_object_set_string_member (it_request, "ShardId", shard);
    json_object_set_string_member (it_request, "ShardIteratorType", "TRIM_HORIZON");
    g_autoptr (JsonObject) it = fa_kinesis_client_call (client, "GetShardIterator",
        it_request, &error);
    g_assert_no_error (error);
    g_autofree gchar *iterator = g_strdup (json_object_get_string_member (it,
            "ShardIterator"));
    while (iterator != NULL) {
      g_autoptr (JsonObject) get = json_object_new ();
      json_object_set_string_member (get, "ShardIterator", iterator);
      g_autoptr (JsonObject) got = fa_kinesis_client_call (client, "GetRecords",
          get, &error);
      g_assert_no_error (error);
      JsonArray *records = json_object_get_array_member (got, "Records");
      for (guint r = 0; r < json_array_get_length (records); r++) {
        JsonObject *record = json_object_ref (json_array_get_object_element (records, r));
        json_object_set_string_member (record, "ShardId", shard);
        json_array_add_object_element (all, record);
      }
      g_free (iterator);
      iterator = NULL;
      /* Up to date (MillisBehindLatest 0 and nothing returned): done. */
      if (json_array_get_length (records) > 0
          && json_object_has_member (got, "NextShardIterator")
          && !json_object_get_null_member (got, "NextShardIterator"))
        iterator = g_strdup (json_object_get_string_member (got, "NextShardIterator"));
    }
  }
  return all;
}
