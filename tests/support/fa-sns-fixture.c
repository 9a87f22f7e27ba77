#include "fa-sns-fixture.h"

#include <curl/curl.h>
#include <stdlib.h>

static size_t
on_body (char *data, size_t size, size_t nmemb, void *user_data)
{
  g_string_append_len (user_data, data, size * nmemb);
  return size * nmemb;
}

static gchar *
http (const gchar *method, const gchar *url)
{
  CURL *curl = curl_easy_init ();
  GString *body = g_string_new (NULL);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform (curl);
  long status = 0;
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  if (rc != CURLE_OK || status != 200)
    g_error ("fixture control %s %s failed: %s (HTTP %ld) %s", method, url,
        curl_easy_strerror (rc), status, body->str);
  return g_string_free (body, FALSE);
}

FaSnsFixture *
fa_sns_fixture_start (void)
{
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_getenv ("FACEALERT_TEST_SERVERS")
      ? g_strdup (g_getenv ("FACEALERT_TEST_SERVERS"))
      : g_build_filename (source != NULL ? source : ".", ".test-servers", NULL);
  g_autofree gchar *sns = g_build_filename (servers, "node_modules",
      "serverless-offline-sns", "package.json", NULL);
  g_autofree gchar *node = g_find_program_in_path ("node");
  if (node == NULL || !g_file_test (sns, G_FILE_TEST_EXISTS)) {
    g_print ("1..0 # SKIP serverless-offline-sns not installed in %s: run "
        "scripts/install-test-servers.sh\n", servers);
    exit (77);
  }
  g_autofree gchar *script = g_build_filename (source, "tests", "support",
      "sns-fixture.mjs", NULL);
  GError *error = NULL;
  FaSnsFixture *fixture = g_new0 (FaSnsFixture, 1);
  fixture->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
      | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, servers, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (
      g_subprocess_get_stdout_pipe (fixture->process));
  g_autofree gchar *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    g_error ("the SNS fixture exited before it was ready (see stderr)");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  fixture->endpoint = g_strdup (json_object_get_string_member (o, "endpoint"));
  fixture->topic = g_strdup (json_object_get_string_member (o, "topic"));
  fixture->fifo_topic = g_strdup (json_object_get_string_member (o, "fifo_topic"));
  fixture->control = g_strdup (json_object_get_string_member (o, "control"));
  return fixture;
}

void
fa_sns_fixture_stop (FaSnsFixture *fixture)
{
  if (fixture == NULL)
    return;
  /* Closing stdin ends it; SIGTERM if it lingers. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (fixture->process), NULL, NULL);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  g_subprocess_wait (fixture->process, NULL, NULL);
  g_object_unref (fixture->process);
  g_free (fixture->endpoint);
  g_free (fixture->topic);
  g_free (fixture->fifo_topic);
  g_free (fixture->control);
  g_free (fixture);
}

JsonNode *
fa_sns_fixture_deliveries (FaSnsFixture *fixture)
{
  g_autofree gchar *url = g_strconcat (fixture->control, "/deliveries", NULL);
  g_autofree gchar *body = http ("GET", url);
  GError *error = NULL;
  JsonNode *node = json_from_string (body, &error);
  g_assert_no_error (error);
  return node;
}

guint
fa_sns_fixture_count (FaSnsFixture *fixture)
{
  JsonNode *node = fa_sns_fixture_deliveries (fixture);
  guint n = json_array_get_length (json_node_get_array (node));
  json_node_unref (node);
  return n;
}

guint
fa_sns_fixture_wait_count (FaSnsFixture *fixture, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint count;
  while ((count = fa_sns_fixture_count (fixture)) < n
      && g_get_monotonic_time () < deadline)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  return count;
}

void
fa_sns_fixture_sns_stop (FaSnsFixture *fixture)
{
  g_autofree gchar *url = g_strconcat (fixture->control, "/sns/stop", NULL);
  g_free (http ("POST", url));
}

void
fa_sns_fixture_sns_start (FaSnsFixture *fixture)
{
  g_autofree gchar *url = g_strconcat (fixture->control, "/sns/start", NULL);
  g_free (http ("POST", url));
}

static JsonObject *
message_of (JsonNode *deliveries, guint i, JsonNode **owner)
{
  JsonObject *d = json_array_get_object_element (json_node_get_array (deliveries), i);
  JsonObject *body = json_object_get_object_member (d, "body");
  *owner = json_from_string (json_object_get_string_member (body, "Message"), NULL);
  g_assert_nonnull (*owner);
  return json_node_get_object (*owner);
}

JsonObject *
fa_sns_fixture_payload (JsonNode *deliveries, guint i)
{
  JsonNode *owner = NULL;
  JsonObject *message = message_of (deliveries, i, &owner);
  JsonNode *payload = json_from_string (json_object_get_string_member (message,
          "http"), NULL);
  g_assert_nonnull (payload);
  JsonObject *o = json_object_ref (json_node_get_object (payload));
  json_node_unref (payload);
  json_node_unref (owner);
  return o;
}

gchar *
fa_sns_fixture_default_line (JsonNode *deliveries, guint i)
{
  JsonNode *owner = NULL;
  JsonObject *message = message_of (deliveries, i, &owner);
  gchar *line = g_strdup (json_object_get_string_member (message, "default"));
  json_node_unref (owner);
  return line;
}
