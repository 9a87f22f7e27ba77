/* Benchmark of `facealert serve` (docs/serve.md):
 *
 *   - API requests per second, SigV4-signed by our signer, over keep-alive
 *     connections with 1 and 2 clients at once: ListFaces (10 faces) and
 *     SearchFacesByImage (a 250x250 photo), against the baseline of the same
 *     server answering its static login page (no signature, no store), so the
 *     machine's load from others cancels out as far as possible;
 *   - GetClip of 60 s of 640x360 H.264 (recorded by kvssink first), against
 *     the baseline `facealert clip` of the same range (the same export code,
 *     without HTTP);
 *   - page load in Chromium (bench-serve-page.mjs): login page and the app
 *     page up to its first data.
 *
 * Run: meson test -C build --benchmark --print-errorlogs serve
 * Prints one "bench-serve: ..." line per figure. */
#include "serve-fixture.h"
#include "fa-sigv4.h"
#include "fa-test.h"

#include <gst/gst.h>
#include <libsoup/soup.h>
#include <string.h>

#define DURATION_S 4.0

static FaServeFixture *fixture;
static gchar *host;

typedef struct {
  const gchar *target;       /* NULL: GET / */
  const gchar *body;
  guint requests;
  gint64 until_us;
  guint failures;
} Load;

static SoupMessage *
make_message (Load *load)
{
  if (load->target == NULL) {
    g_autofree gchar *url = g_strconcat (fixture->url, "/", NULL);
    return soup_message_new ("GET", url);
  }
  g_autofree gchar *url = g_strconcat (fixture->url, "/", NULL);
  SoupMessage *msg = soup_message_new ("POST", url);
  g_autoptr (FaSigv4Request) request = fa_sigv4_request_new ("POST", "/", NULL);
  fa_sigv4_request_add_header (request, "Host", host);
  fa_sigv4_request_add_header (request, "X-Amz-Target", load->target);
  fa_sigv4_request_set_body (request, load->body, strlen (load->body));
  g_autoptr (FaAwsCredentials) key = fa_aws_credentials_new (fixture->access_key,
      fixture->secret_key, NULL);
  g_autofree gchar *authz = fa_sigv4_sign (request, key, "us-east-1", "rekognition", NULL);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  soup_message_headers_replace (h, "X-Amz-Target", load->target);
  soup_message_headers_replace (h, "X-Amz-Date",
      fa_sigv4_request_get_header (request, "X-Amz-Date"));
  soup_message_headers_replace (h, "Authorization", authz);
  g_autoptr (GBytes) body = g_bytes_new (load->body, strlen (load->body));
  soup_message_set_request_body_from_bytes (msg, "application/x-amz-json-1.1", body);
  return msg;
}

static gpointer
client_thread (gpointer data)
{
  Load *load = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  while (g_get_monotonic_time () < load->until_us) {
    g_autoptr (SoupMessage) msg = make_message (load);
    g_autoptr (GBytes) reply = soup_session_send_and_read (session, msg, NULL, NULL);
    if (reply == NULL || soup_message_get_status (msg) != 200)
      load->failures++;
    load->requests++;
  }
  return NULL;
}

/* Requests per second of @target with @clients clients for DURATION_S. */
static gdouble
measure (const gchar *target, const gchar *body, guint clients)
{
  Load loads[4] = { 0 };
  GThread *threads[4];
  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < clients; i++) {
    loads[i] = (Load) { target, body, 0, start + (gint64) (DURATION_S * G_USEC_PER_SEC), 0 };
    threads[i] = g_thread_new ("client", client_thread, &loads[i]);
  }
  guint total = 0, failures = 0;
  for (guint i = 0; i < clients; i++) {
    g_thread_join (threads[i]);
    total += loads[i].requests;
    failures += loads[i].failures;
  }
  gdouble seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (failures, ==, 0);
  return total / seconds;
}

static void
report_rps (const gchar *name, const gchar *target, const gchar *body, gdouble baseline1,
    gdouble baseline2)
{
  gdouble one = measure (target, body, 1), two = measure (target, body, 2);
  g_print ("bench-serve: %s: %.1f req/s with 1 client, %.1f with 2 (baseline login page "
      "%.0f / %.0f req/s: ratio %.3f / %.3f)\n", name, one, two, baseline1, baseline2,
      one / baseline1, two / baseline2);
}

/* 60 s of 640x360 15 fps H.264 recorded by kvssink, as fast as it encodes. */
static void
record_minute (void)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch ("videotestsrc num-buffers=900 pattern=ball ! "
      "video/x-raw,width=640,height=360,framerate=15/1 ! x264enc key-int-max=30 "
      "speed-preset=ultrafast tune=zerolatency bitrate=800 ! h264parse ! "
      "kvssink stream-name=minute", &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  g_assert_cmpint (GST_MESSAGE_TYPE (msg), ==, GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

static gdouble
parse_first_fragment (void)
{
  g_autofree gchar *out = NULL;
  g_assert_cmpint (fa_serve_cli (&out, NULL, "fragments", "list", "--stream", "minute",
          "--output", "json", NULL), ==, 0);
  const gchar *p = strstr (out, "\"ProducerTimestamp\" : ");
  g_assert_nonnull (p);
  return g_ascii_strtod (p + strlen ("\"ProducerTimestamp\" : "), NULL);
}

static void
bench_clip (void)
{
  record_minute ();
  gdouble start = parse_first_fragment ();
  g_autofree gchar *s = g_strdup_printf ("%.3f", start);
  g_autofree gchar *e = g_strdup_printf ("%.3f", start + 60);
  g_autofree gchar *out = g_build_filename (fixture->root, "cli.mp4", NULL);
  /* The baseline: the CLI's export of the same range. */
  gint64 t0 = g_get_monotonic_time ();
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "clip", "--stream", "minute", "--start", s,
          "--end", e, "-o", out, NULL), ==, 0);
  gdouble cli_s = (g_get_monotonic_time () - t0) / 1e6;

  g_autofree gchar *body = g_strdup_printf ("{\"StreamName\":\"minute\","
      "\"ClipFragmentSelector\":{\"FragmentSelectorType\":\"PRODUCER_TIMESTAMP\","
      "\"TimestampRange\":{\"StartTimestamp\":%s,\"EndTimestamp\":%s}}}", s, e);
  g_autoptr (FaSigv4Request) request = fa_sigv4_request_new ("POST", "/getClip", NULL);
  fa_sigv4_request_add_header (request, "Host", host);
  fa_sigv4_request_set_body (request, body, strlen (body));
  g_autoptr (FaAwsCredentials) key = fa_aws_credentials_new (fixture->access_key,
      fixture->secret_key, NULL);
  g_autofree gchar *authz = fa_sigv4_sign (request, key, "us-east-1", "kinesisvideo", NULL);
  const gchar *headers[] = { "X-Amz-Date",
    fa_sigv4_request_get_header (request, "X-Amz-Date"), "Authorization", authz, NULL };
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  gint64 t1 = g_get_monotonic_time ();
  g_autoptr (FaServeReply) reply = fa_serve_http (fixture, "POST", "/getClip", headers,
      "application/json", bytes);
  gdouble api_s = (g_get_monotonic_time () - t1) / 1e6;
  g_assert_cmpuint (reply->status, ==, 200);
  g_print ("bench-serve: GetClip of 60 s (640x360, 15 fps, %" G_GSIZE_FORMAT " bytes of MP4): "
      "%.2f s through the API, baseline `facealert clip` %.2f s (ratio %.2f)\n",
      g_bytes_get_size (reply->body), api_s, cli_s, api_s / cli_s);
}

static void
bench_page (void)
{
  const gchar *source = g_getenv ("FACEALERT_SOURCE_DIR");
  g_autofree gchar *servers = g_build_filename (source, ".test-servers", NULL);
  g_autofree gchar *script = g_build_filename (source, "tests", "bench",
      "bench-serve-page.mjs", NULL);
  g_autofree gchar *playwright = g_build_filename (servers, "node_modules",
      "playwright-core", NULL);
  if (!g_file_test (playwright, G_FILE_TEST_IS_DIR)) {
    g_print ("bench-serve: page load not measured: playwright-core missing "
        "(scripts/install-test-servers.sh)\n");
    return;
  }
  const gchar *argv[] = { "node", script, servers, fixture->url, FA_SERVE_TEST_PASSWORD,
    NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  g_assert_cmpint (fa_test_run_argv (argv, &out, &err), ==, 0);
  g_print ("%s", out);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  fixture = fa_serve_fixture_new (FALSE);
  fa_serve_fixture_start (fixture);
  g_autoptr (GUri) uri = g_uri_parse (fixture->url, G_URI_FLAGS_NONE, NULL);
  host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  /* Ten faces to list and search among. */
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "collection", "create", "--collection-id",
          "home", NULL), ==, 0);
  const gchar *people[] = { "Anthony_Hopkins/1.jpg", "Anthony_Hopkins/2.jpg",
    "Eric_Clapton/1.jpg", "Eric_Clapton/2.jpg", "John_Lennon/1.jpg", "John_Lennon/2.jpg",
    "John_Simm/1.jpg", "John_Simm/2.jpg", "John_Simm/3.jpg", NULL };
  for (guint i = 0; people[i] != NULL; i++) {
    g_autofree gchar *rel = g_strconcat ("people/", people[i], NULL);
    g_autofree gchar *photo = fa_test_data_path (rel);
    g_autofree gchar *name = g_strndup (people[i], strchr (people[i], '/') - people[i]);
    g_assert_cmpint (fa_serve_cli (NULL, NULL, "faces", "index", "--collection", "home",
            "--name", name, photo, NULL), ==, 0);
  }
  g_autofree gchar *amy = fa_test_data_path ("unknown_faces/Amy_Adams.jpg");
  g_assert_cmpint (fa_serve_cli (NULL, NULL, "faces", "index", "--collection", "home",
          "--name", "Amy_Adams", amy, NULL), ==, 0);
  g_autofree gchar *probe_path = fa_test_data_path ("people/Eric_Clapton/2.jpg");
  gchar *probe = NULL;
  gsize probe_size = 0;
  g_assert_true (g_file_get_contents (probe_path, &probe, &probe_size, NULL));
  g_autofree gchar *probe64 = g_base64_encode ((guchar *) probe, probe_size);
  g_free (probe);
  g_autofree gchar *search = g_strdup_printf ("{\"CollectionId\":\"home\",\"Image\":"
      "{\"Bytes\":\"%s\"}}", probe64);

  g_print ("bench-serve: machine: %u cores, load average now: ", g_get_num_processors ());
  g_autofree gchar *loadavg = NULL;
  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);
  g_print ("%s", loadavg != NULL ? loadavg : "?\n");
  /* Warm the workers' models first. */
  measure ("RekognitionService.SearchFacesByImage", search, 2);
  gdouble base1 = measure (NULL, NULL, 1), base2 = measure (NULL, NULL, 2);
  report_rps ("ListFaces (10 faces)", "RekognitionService.ListFaces",
      "{\"CollectionId\":\"home\"}", base1, base2);
  report_rps ("SearchFacesByImage (250x250 photo, 10 faces)",
      "RekognitionService.SearchFacesByImage", search, base1, base2);
  bench_clip ();
  bench_page ();
  fa_serve_fixture_free (fixture);
  return 0;
}
