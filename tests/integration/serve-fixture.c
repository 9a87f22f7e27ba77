/* Integration tests of `facealert serve`: the fixture (serve-fixture.h). */
#include "serve-fixture.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

static int
run_va (gchar **out, gchar **err, const gchar *program, const gchar *first, va_list ap)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, (gpointer) program);
  for (const gchar *a = first; a != NULL; a = va_arg (ap, const gchar *))
    g_ptr_array_add (args, (gpointer) a);
  g_ptr_array_add (args, NULL);
  return fa_test_run_argv ((const gchar *const *) args->pdata, out, err);
}

int
fa_serve_cli (gchar **out, gchar **err, const gchar *first, ...)
{
  va_list ap;
  va_start (ap, first);
  int status = run_va (out, err, "facealert", first, ap);
  va_end (ap);
  return status;
}

static JsonObject *parse_object (const gchar *text);

gint64
fa_serve_see (const gchar *collection, const gchar *camera, const gchar *photo)
{
  g_autofree gchar *path = fa_test_data_path (photo);
  g_autofree gchar *location = g_strdup_printf ("location=%s", path);
  g_autofree gchar *match = g_strdup_printf ("collection=%s", collection);
  g_autofree gchar *stream = g_strdup_printf ("stream-name=%s", camera);
  /* As test-sightings-cli.sh: the photo as a camera's frames. */
  const gchar *argv[] = { "timeout", "60", "gst-launch-1.0", "-q", "filesrc", location, "!",
    "decodebin", "!", "imagefreeze", "num-buffers=20", "!", "videoconvert", "!",
    "videoscale", "!", "video/x-raw,format=I420,width=320,height=320", "!", "facedetect",
    "!", "facematch", match, stream, "!", "fakesink", NULL };
  g_autofree gchar *err = NULL;
  int status = fa_test_run_argv (argv, NULL, &err);
  if (status != 0)
    g_error ("the pipeline on %s: exit %d: %s", photo, status, err);
  g_autofree gchar *out = NULL;
  g_assert_cmpint (fa_serve_cli (&out, NULL, "sightings", "list", "--camera", camera,
          "--limit", "1", "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) list = parse_object (out);
  JsonArray *sightings = json_object_get_array_member (list, "Sightings");
  if (json_array_get_length (sightings) != 1)
    g_error ("no sighting of %s on %s: %s", photo, camera, out);
  return json_object_get_int_member (json_array_get_object_element (sightings, 0),
      "SightingId");
}

static void
set_dir (const gchar *root, const gchar *env, const gchar *leaf)
{
  g_autofree gchar *dir = g_build_filename (root, leaf, NULL);
  g_setenv (env, dir, TRUE);
}

/* cam1 through pipelines/video-file.pipeline, once, as the docs run it. */
static void
record_camera (FaServeFixture *f)
{
  FaSnsFixture *sns = fa_sns_fixture_start ();
  g_autofree gchar *video = fa_test_data_path ("videos/moviepy_chaplin.mp4");
  g_autofree gchar *pipeline = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"),
      "pipelines", "video-file.pipeline", NULL);
  g_setenv ("VIDEO", video, TRUE);
  g_setenv ("CAMERA_NAME", FA_SERVE_CAMERA, TRUE);
  g_setenv ("COLLECTION", "home", TRUE);
  g_setenv ("TOPIC_ARN", sns->topic, TRUE);
  g_setenv ("SNS_ENDPOINT", sns->endpoint, TRUE);
  g_setenv ("AWS_REGION", "us-east-1", TRUE);
  /* The local SNS server takes any signature: placeholders, not secrets. */
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDSERVEFIXTURE", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "placeholder", TRUE);
  const gchar *argv[] = { "facealert-run", "--once", "--stall-timeout", "30", pipeline,
    NULL };
  FaProc *run = fa_proc_spawn ("run", FALSE, argv);
  g_assert_cmpint (fa_proc_wait_exit (run, 90), ==, 0);
  fa_proc_free (run);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, 1, 10000), >=, 1);
  fa_sns_fixture_stop (sns);
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
}

static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

FaServeFixture *
fa_serve_fixture_new (gboolean record)
{
  FaServeFixture *f = g_new0 (FaServeFixture, 1);
  f->root = fa_test_make_tmpdir ("serve");
  f->config = g_build_filename (f->root, "config", NULL);
  g_setenv ("FACEALERT_CONFIG_DIR", f->config, TRUE);
  set_dir (f->root, "FACEALERT_COLLECTIONS_DIR", "collections");
  set_dir (f->root, "FACEALERT_STREAMS_DIR", "streams");
  set_dir (f->root, "FACEALERT_SNAPSHOTS_DIR", "snapshots");
  set_dir (f->root, "FACEALERT_OUTBOX_DIR", "outbox");
  set_dir (f->root, "FACEALERT_CAMERAS_DIR", "cameras");
  set_dir (f->root, "FACEALERT_SIGHTINGS_DIR", "sightings");
  /* Never the user's AWS settings. */
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  g_unsetenv ("AWS_SESSION_TOKEN");
  g_unsetenv ("AWS_PROFILE");
  g_unsetenv ("FACEALERT_API_ACCESS_KEY_ID");
  g_unsetenv ("FACEALERT_API_SECRET_ACCESS_KEY");

  /* The key pair and the password, as a user makes them. */
  g_autofree gchar *out = NULL, *err = NULL;
  g_assert_cmpint (fa_serve_cli (&out, &err, "serve", "--create-credentials", NULL), ==, 0);
  f->credentials = g_build_filename (f->config, "api-credentials", NULL);
  g_autofree gchar *text = NULL;
  g_assert_true (g_file_get_contents (f->credentials, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix (lines[i], "aws_access_key_id = "))
      f->access_key = g_strdup (lines[i] + strlen ("aws_access_key_id = "));
    if (g_str_has_prefix (lines[i], "aws_secret_access_key = "))
      f->secret_key = g_strdup (lines[i] + strlen ("aws_secret_access_key = "));
  }
  g_assert_nonnull (f->access_key);
  g_assert_nonnull (f->secret_key);
  g_assert_null (strstr (out, f->secret_key));
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", f->credentials, TRUE);
  g_setenv ("AWS_CONFIG_FILE", "/dev/null", TRUE);
  g_setenv ("AWS_PAGER", "", TRUE);
  g_setenv ("AWS_DEFAULT_REGION", "us-east-1", TRUE);

  g_autofree gchar *script = g_strdup_printf ("echo '%s' | facealert serve --set-password",
      FA_SERVE_TEST_PASSWORD);
  const gchar *sh[] = { "sh", "-c", script, NULL };
  g_assert_cmpint (fa_test_run_argv (sh, NULL, NULL), ==, 0);

  if (!record)
    return f;

  /* The household: enrolled from a photo with the CLI. */
  g_autofree gchar *photo = fa_test_data_path ("people/John_Lennon/1.jpg");
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "collection", "create", "--collection-id",
          "home", NULL), ==, 0);
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "faces", "index", "--collection", "home",
          "--name", "John_Lennon", photo, NULL), ==, 0);
  record_camera (f);

  g_autofree gchar *alerts = NULL;
  g_assert_cmpint (fa_serve_cli (&alerts, NULL, "alerts", "list", "--output", "json",
          NULL), ==, 0);
  g_autoptr (JsonObject) list = parse_object (alerts);
  JsonArray *array = json_object_get_array_member (list, "Alerts");
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  JsonObject *alert = json_array_get_object_element (array, 0);
  f->alert_id = g_strdup (json_object_get_string_member (alert, "Id"));
  f->alert_time = json_object_get_double_member (alert, "CreatedTime");

  g_autofree gchar *fragments = NULL;
  g_assert_cmpint (fa_serve_cli (&fragments, NULL, "fragments", "list", "--stream",
          FA_SERVE_CAMERA, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) frags = parse_object (fragments);
  JsonArray *fa = json_object_get_array_member (frags, "Fragments");
  g_assert_cmpuint (json_array_get_length (fa), >=, 1);
  JsonObject *first = json_array_get_object_element (fa, 0);
  JsonObject *last = json_array_get_object_element (fa, json_array_get_length (fa) - 1);
  f->recorded_from = json_object_get_double_member (first, "ProducerTimestamp");
  f->recorded_to = json_object_get_double_member (last, "ProducerTimestamp")
      + json_object_get_int_member (last, "FragmentLengthInMilliseconds") / 1000.0;

  /* facematch recorded what it decided (the page's Sightings). */
  g_autofree gchar *sightings = NULL;
  g_assert_cmpint (fa_serve_cli (&sightings, NULL, "sightings", "list", "--camera",
          FA_SERVE_CAMERA, "--output", "json", NULL), ==, 0);
  g_autoptr (JsonObject) seen = parse_object (sightings);
  if (json_array_get_length (json_object_get_array_member (seen, "Sightings")) == 0)
    g_error ("the pipeline run recorded no sighting: %s", sightings);
  return f;
}

void
fa_serve_fixture_start (FaServeFixture *f)
{
  const gchar *argv[] = { "facealert", "serve", "--listen", "127.0.0.1:0", NULL };
  f->server = fa_proc_spawn ("serve", FALSE, argv);
  guint from = 0;
  const gchar *line = fa_proc_wait_line (f->server, "facealert serve: listening on ",
      &from, 30);
  g_assert_nonnull (line);
  f->url = g_strdup (line + strlen ("facealert serve: listening on "));
}

void
fa_serve_fixture_free (FaServeFixture *f)
{
  if (f->server != NULL) {
    GPid pid = atoi (g_subprocess_get_identifier (f->server->proc));
    kill (pid, SIGTERM);
    g_assert_cmpint (fa_proc_wait_exit (f->server, 15), ==, 0);
    fa_proc_free (f->server);
  }
  fa_test_rm_rf (f->root);
  g_free (f->root);
  g_free (f->config);
  g_free (f->credentials);
  g_free (f->access_key);
  g_free (f->secret_key);
  g_free (f->alert_id);
  g_free (f->url);
  g_free (f);
}

void
fa_serve_reply_free (FaServeReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->text);
  g_free (reply->content_type);
  g_free (reply->set_cookie);
  g_free (reply->location);
  g_free (reply->retry_after);
  g_free (reply);
}

FaServeReply *
fa_serve_http (FaServeFixture *f, const gchar *method, const gchar *path,
    const gchar *const *headers, const gchar *content_type, GBytes *body)
{
  return fa_serve_http_from (f, NULL, method, path, headers, content_type, body);
}

/* One session per source address, kept for the test's life. */
static SoupSession *
session_from (const gchar *from)
{
  static GHashTable *sessions;
  if (sessions == NULL)
    sessions = g_hash_table_new (g_str_hash, g_str_equal);
  SoupSession *session = g_hash_table_lookup (sessions, from != NULL ? from : "");
  if (session != NULL)
    return session;
  if (from == NULL) {
    session = soup_session_new_with_options ("timeout", 60, NULL);
  } else {
    g_autoptr (GInetSocketAddress) local = G_INET_SOCKET_ADDRESS (
        g_inet_socket_address_new_from_string (from, 0));
    g_assert_nonnull (local);
    session = soup_session_new_with_options ("timeout", 60, "local-address", local, NULL);
  }
  g_hash_table_insert (sessions, g_strdup (from != NULL ? from : ""), session);
  return session;
}

FaServeReply *
fa_serve_http_from (FaServeFixture *f, const gchar *from, const gchar *method,
    const gchar *path, const gchar *const *headers, const gchar *content_type,
    GBytes *body)
{
  SoupSession *session = session_from (from);
  g_autofree gchar *url = g_strconcat (f->url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  SoupMessageHeaders *request_headers = soup_message_get_request_headers (msg);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  GError *error = NULL;
  GBytes *data = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  FaServeReply *reply = g_new0 (FaServeReply, 1);
  reply->status = soup_message_get_status (msg);
  reply->body = data;
  gsize size = 0;
  const gchar *bytes = g_bytes_get_data (data, &size);
  reply->text = size > 0 ? g_strndup (bytes, size) : g_strdup ("");
  SoupMessageHeaders *response = soup_message_get_response_headers (msg);
  reply->content_type = g_strdup (soup_message_headers_get_content_type (response, NULL));
  reply->set_cookie = g_strdup (soup_message_headers_get_one (response, "Set-Cookie"));
  reply->location = g_strdup (soup_message_headers_get_one (response, "Location"));
  reply->retry_after = g_strdup (soup_message_headers_get_one (response, "Retry-After"));
  return reply;
}

gchar *
fa_serve_login (FaServeFixture *f, const gchar *password, guint *status)
{
  return fa_serve_login_from (f, NULL, password, status);
}

gchar *
fa_serve_login_from (FaServeFixture *f, const gchar *from, const gchar *password,
    guint *status)
{
  g_autofree gchar *form = soup_form_encode ("password", password, NULL);
  g_autoptr (GBytes) body = g_bytes_new (form, strlen (form));
  g_autoptr (FaServeReply) reply = fa_serve_http_from (f, from, "POST", "/login", NULL,
      "application/x-www-form-urlencoded", body);
  if (status != NULL)
    *status = reply->status;
  if (reply->status != 303 || reply->set_cookie == NULL)
    return NULL;
  return g_strndup (reply->set_cookie, strcspn (reply->set_cookie, ";"));
}

gchar *
fa_serve_raw (FaServeFixture *f, const gchar *request, gdouble timeout_s)
{
  g_autoptr (GUri) uri = g_uri_parse (f->url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_timeout (client, (guint) (timeout_s + 1));
  GError *error = NULL;
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host (client,
      g_uri_get_host (uri), (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_assert_true (g_output_stream_write_all (out, request, strlen (request), NULL, NULL,
          &error));
  g_assert_no_error (error);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GString *answer = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  gchar buffer[4096];
  while (g_get_monotonic_time () < deadline) {
    gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
    if (n <= 0)
      break;
    g_string_append_len (answer, buffer, n);
    /* A complete answer without a body, or one whose length we can see. */
    if (strstr (answer->str, "\r\n\r\n") != NULL && strstr (answer->str,
            "Connection: close") == NULL && strstr (answer->str, "Content-Length: 0"))
      break;
  }
  return g_string_free (answer, FALSE);
}
