/* Integration: what `facealert serve` refuses. Every page and API route
 * without a session or signature; changes without the session's CSRF token
 * or from another origin; path traversal in every media route; bodies too
 * large or of unknown length (refused before they are read, and the server
 * keeps serving); wrong passwords rate-limited per address and for the
 * account (from many addresses); the key pair and password
 * files 0600 in a 0700 directory; neither the secret nor the password ever
 * in the server's output or answers. */
#include "serve-fixture.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

static FaServeFixture *fixture;
static gchar *cookie, *csrf;

static FaServeReply *
get (const gchar *path, const gchar *with_cookie)
{
  const gchar *headers[] = { "Cookie", with_cookie, NULL };
  return fa_serve_http (fixture, "GET", path, with_cookie ? headers : NULL, NULL, NULL);
}

static FaServeReply *
send (const gchar *method, const gchar *path, const gchar *with_cookie,
    const gchar *token, const gchar *origin)
{
  const gchar *headers[7] = { NULL };
  guint n = 0;
  if (with_cookie != NULL) {
    headers[n++] = "Cookie";
    headers[n++] = with_cookie;
  }
  if (token != NULL) {
    headers[n++] = "X-CSRF-Token";
    headers[n++] = token;
  }
  if (origin != NULL) {
    headers[n++] = "Origin";
    headers[n++] = origin;
  }
  g_autoptr (GBytes) body = g_bytes_new_static ("", 0);
  return fa_serve_http (fixture, method, path, headers, "application/octet-stream", body);
}

static const gchar *const page_routes[] = {
  "/static/app.js", "/static/app.css", "/ui/session", "/ui/alerts", "/ui/cameras",
  "/ui/faces", "/ui/alerts/00000000-0000-4000-8000-000000000000/frame.jpg",
  "/ui/alerts/00000000-0000-4000-8000-000000000000/clip.mp4",
  "/ui/cameras/cam1/latest.jpg", "/ui/faces/home/00000000-0000-4000-8000-000000000000.jpg",
  NULL
};

static void
test_no_session (void)
{
  /* The page itself is the login form and nothing else. */
  g_autoptr (FaServeReply) home = get ("/", NULL);
  g_assert_cmpuint (home->status, ==, 200);
  g_assert_nonnull (strstr (home->text, "action=\"/login\""));
  g_assert_null (strstr (home->text, "app.js"));
  g_assert_null (strstr (home->text, "<nav"));

  for (guint i = 0; page_routes[i] != NULL; i++) {
    g_autoptr (FaServeReply) r = get (page_routes[i], NULL);
    g_test_message ("GET %s without a session: %u", page_routes[i], r->status);
    g_assert_cmpuint (r->status, ==, 401);
    /* A forged or expired cookie is no better. */
    g_autoptr (FaServeReply) forged = get (page_routes[i], "fa_session=forged");
    g_assert_cmpuint (forged->status, ==, 401);
  }
  const struct { const gchar *method, *path; } changes[] = {
    {"POST", "/ui/faces?collection=home&name=x"}, {"POST", "/ui/collections?id=x"},
    {"DELETE", "/ui/faces/home/00000000-0000-4000-8000-000000000000"},
  };
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++) {
    g_autoptr (FaServeReply) r = send (changes[i].method, changes[i].path, NULL, NULL, NULL);
    g_assert_cmpuint (r->status, ==, 401);
  }
  /* Logging out without a session changes nothing. */
  g_autoptr (FaServeReply) logout = send ("POST", "/logout", NULL, NULL, NULL);
  g_assert_cmpuint (logout->status, ==, 303);
}

static void
test_api_unsigned (void)
{
  static const gchar *const targets[] = { "CreateCollection", "DeleteCollection",
    "ListCollections", "DescribeCollection", "IndexFaces", "ListFaces", "DeleteFaces",
    "SearchFacesByImage", "SearchFaces", "NoSuchOperation", NULL };
  static const gchar *const kvs[] = { "/listStreams", "/describeStream",
    "/getDataEndpoint", "/listFragments", "/getClip", "/getImages",
    "/getMediaForFragmentList", NULL };
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);
  for (guint i = 0; targets[i] != NULL; i++) {
    g_autofree gchar *target = g_strconcat ("RekognitionService.", targets[i], NULL);
    const gchar *headers[] = { "X-Amz-Target", target, NULL };
    g_autoptr (FaServeReply) r = fa_serve_http (fixture, "POST", "/", headers,
        "application/x-amz-json-1.1", body);
    g_assert_cmpuint (r->status, ==, 403);
    g_assert_nonnull (strstr (r->text, "MissingAuthenticationTokenException"));
    /* A session cookie is no signature. */
    const gchar *with_cookie[] = { "X-Amz-Target", target, "Cookie", cookie, NULL };
    g_autoptr (FaServeReply) c = fa_serve_http (fixture, "POST", "/", with_cookie,
        "application/x-amz-json-1.1", body);
    g_assert_cmpuint (c->status, ==, 403);
  }
  for (guint i = 0; kvs[i] != NULL; i++) {
    g_autoptr (FaServeReply) r = fa_serve_http (fixture, "POST", kvs[i], NULL,
        "application/json", body);
    g_assert_cmpuint (r->status, ==, 403);
    g_assert_nonnull (strstr (r->text, "MissingAuthenticationTokenException"));
  }
  /* A made-up Authorization header is refused as malformed, not parsed into
   * anything. */
  const gchar *bogus[] = { "X-Amz-Target", "RekognitionService.ListCollections",
    "Authorization", "AWS4-HMAC-SHA256 Credential=../../etc/passwd", NULL };
  g_autoptr (FaServeReply) b = fa_serve_http (fixture, "POST", "/", bogus,
      "application/x-amz-json-1.1", body);
  g_assert_cmpuint (b->status, ==, 403);
  g_assert_nonnull (strstr (b->text, "IncompleteSignatureException"));
}

static void
test_csrf (void)
{
  /* With a session: a change without the token, with another session's or a
   * wrong one, or from another origin, is refused. */
  g_autoptr (FaServeReply) none = send ("POST", "/ui/collections?id=csrf1", cookie, NULL,
      NULL);
  g_assert_cmpuint (none->status, ==, 403);
  g_autoptr (FaServeReply) wrong = send ("POST", "/ui/collections?id=csrf1", cookie,
      "not-the-token", NULL);
  g_assert_cmpuint (wrong->status, ==, 403);
  g_autoptr (FaServeReply) cross = send ("POST", "/ui/collections?id=csrf1", cookie, csrf,
      "http://evil.example");
  g_assert_cmpuint (cross->status, ==, 403);
  g_autoptr (FaServeReply) listed = get ("/ui/faces", cookie);
  g_assert_null (strstr (listed->text, "csrf1"));
  /* The right token from the page's own origin works. */
  g_autofree gchar *origin = g_strdup (fixture->url);
  g_autoptr (FaServeReply) ok = send ("POST", "/ui/collections?id=csrf1", cookie, csrf,
      origin);
  g_assert_cmpuint (ok->status, ==, 200);
  g_autoptr (FaServeReply) after = get ("/ui/faces", cookie);
  g_assert_nonnull (strstr (after->text, "\"csrf1\""));
  /* A login from another site is refused too. */
  const gchar *headers[] = { "Origin", "http://evil.example", NULL };
  g_autofree gchar *form = g_strdup ("password=" FA_SERVE_TEST_PASSWORD);
  g_autoptr (GBytes) body = g_bytes_new (form, strlen (form));
  g_autoptr (FaServeReply) login = fa_serve_http (fixture, "POST", "/login", headers,
      "application/x-www-form-urlencoded", body);
  g_assert_cmpuint (login->status, ==, 403);
  g_assert_null (login->set_cookie);
}

static void
test_traversal (void)
{
  static const gchar *const paths[] = {
    "/ui/alerts/..%2F..%2F..%2Fetc%2Fpasswd/frame.jpg",
    "/ui/alerts/../../../etc/passwd/frame.jpg",
    "/ui/alerts/%2e%2e/frame.jpg",
    "/ui/alerts/00000000-0000-4000-8000-000000000000/..%2F..%2Fetc%2Fpasswd",
    "/ui/cameras/..%2F..%2Fetc/latest.jpg",
    "/ui/cameras/.hidden/latest.jpg",
    "/ui/faces/..%2F..%2Fconfig/api-credentials.jpg",
    "/ui/faces/home/..%2F..%2F..%2Fconfig%2Fserve-password.jpg",
    "/ui/faces/%2Fetc/passwd.jpg",
    "/static/../config/api-credentials",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    NULL
  };
  for (guint i = 0; paths[i] != NULL; i++) {
    g_autoptr (FaServeReply) r = get (paths[i], cookie);
    g_test_message ("GET %s: %u %s", paths[i], r->status, r->text);
    g_assert_cmpuint (r->status, >=, 400);
    g_assert_cmpuint (r->status, <, 500);
    g_assert_null (strstr (r->text, "aws_secret_access_key"));
    g_assert_null (strstr (r->text, "pbkdf2"));
    g_assert_null (strstr (r->text, "root:"));
  }
}

static void
test_oversized (void)
{
  /* Refused from the headers alone: the server answers at once, without
   * waiting for (or reading) the 100 MB. */
  g_autofree gchar *api = fa_serve_raw (fixture, "POST / HTTP/1.1\r\nHost: x\r\n"
      "X-Amz-Target: RekognitionService.IndexFaces\r\nContent-Length: 100000000\r\n\r\n", 10);
  g_assert_true (g_str_has_prefix (api, "HTTP/1.1 413"));
  g_autofree gchar *page = fa_serve_raw (fixture, "POST /ui/faces?collection=home&name=x "
      "HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n", 10);
  g_assert_true (g_str_has_prefix (page, "HTTP/1.1 413"));
  g_autofree gchar *login = fa_serve_raw (fixture, "POST /login HTTP/1.1\r\nHost: x\r\n"
      "Content-Length: 5000\r\n\r\n", 10);
  g_assert_true (g_str_has_prefix (login, "HTTP/1.1 413"));
  g_autofree gchar *chunked = fa_serve_raw (fixture, "POST / HTTP/1.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\n\r\n", 10);
  g_assert_true (g_str_has_prefix (chunked, "HTTP/1.1 411"));
  /* Still serving. */
  g_autoptr (FaServeReply) home = get ("/", NULL);
  g_assert_cmpuint (home->status, ==, 200);
}

static void
assert_private (const gchar *path, guint mode)
{
  struct stat st;
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
test_files_private (void)
{
  assert_private (fixture->config, 0700);
  assert_private (fixture->credentials, 0600);
  g_autofree gchar *password = g_build_filename (fixture->config, "serve-password", NULL);
  assert_private (password, 0600);
  g_autofree gchar *stored = NULL;
  g_assert_true (g_file_get_contents (password, &stored, NULL, NULL));
  g_assert_null (strstr (stored, FA_SERVE_TEST_PASSWORD));
  g_assert_true (g_str_has_prefix (stored, "pbkdf2-sha256$600000$"));

  /* A key pair others can read is refused at start. */
  g_assert_cmpint (chmod (fixture->credentials, 0644), ==, 0);
  g_autofree gchar *err = NULL;
  const gchar *start[] = { "timeout", "20", "facealert", "serve", "--listen",
    "127.0.0.1:0", NULL };
  g_assert_cmpint (fa_test_run_argv (start, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "can be read by others"));
  g_assert_cmpint (chmod (fixture->credentials, 0600), ==, 0);
  /* --create-credentials never overwrites by accident. */
  g_autofree gchar *again = NULL;
  g_assert_cmpint (fa_serve_cli (NULL, &again, "serve", "--create-credentials", NULL), ==,
      1);
  g_assert_nonnull (strstr (again, "exists already"));
  /* A weak password is refused with one line. */
  const gchar *weak[] = { "sh", "-c", "echo short | facealert serve --set-password", NULL };
  g_autofree gchar *weak_err = NULL;
  g_assert_cmpint (fa_test_run_argv (weak, NULL, &weak_err), ==, 1);
  g_assert_nonnull (strstr (weak_err, "8 to 1024 characters"));
}

static void
test_login_rate_limit (void)
{
  /* Five wrong passwords are answered (401), the sixth attempt at once is
   * held back (429 with Retry-After), even with the right password. */
  g_autoptr (GBytes) nope = g_bytes_new_static ("password=nope", 13);
  for (guint i = 0; i < 5; i++) {
    g_autoptr (FaServeReply) wrong = fa_serve_http (fixture, "POST", "/login", NULL,
        "application/x-www-form-urlencoded", nope);
    g_assert_cmpuint (wrong->status, ==, 401);
    g_assert_null (wrong->set_cookie);
    g_assert_nonnull (strstr (wrong->text, "Wrong password"));
  }
  guint status = 0;
  g_autofree gchar *held = fa_serve_login (fixture, FA_SERVE_TEST_PASSWORD, &status);
  g_assert_null (held);
  g_assert_cmpuint (status, ==, 429);
  g_autoptr (FaServeReply) again = fa_serve_http (fixture, "POST", "/login", NULL,
      "application/x-www-form-urlencoded", nope);
  g_assert_cmpuint (again->status, ==, 429);
  g_assert_nonnull (again->retry_after);
  g_assert_nonnull (strstr (again->text, "Too many wrong passwords"));
  /* A session made before still works; logging out ends it. */
  g_autoptr (FaServeReply) still = get ("/ui/session", cookie);
  g_assert_cmpuint (still->status, ==, 200);
  g_autoptr (FaServeReply) out = send ("POST", "/logout", cookie, csrf, NULL);
  g_assert_cmpuint (out->status, ==, 303);
  g_assert_nonnull (strstr (out->set_cookie, "Max-Age=0"));
  g_autoptr (FaServeReply) after = get ("/ui/session", cookie);
  g_assert_cmpuint (after->status, ==, 401);
}

/* An attacker with many real addresses: each one stays under the
 * per-address limit, but the household account's own limit holds all of them
 * back after 10 wrong passwords (the peers are real loopback source
 * addresses, 127.0.0.x; X-Forwarded-For is never trusted). */
static void
test_login_rate_limit_account (void)
{
  g_autoptr (GBytes) nope = g_bytes_new_static ("password=nope", 13);
  guint peer = 10;
  for (guint i = 0; i < 10; i++) {
    g_autofree gchar *from = g_strdup_printf ("127.0.0.%u", peer++);
    g_autoptr (FaServeReply) wrong = fa_serve_http_from (fixture, from, "POST", "/login",
        NULL, "application/x-www-form-urlencoded", nope);
    g_assert_cmpuint (wrong->status, ==, 401);
  }
  /* Held back from a fresh address, even with the right password, for at most
   * the documented first wait. */
  g_autofree gchar *fresh = g_strdup_printf ("127.0.0.%u", peer++);
  g_autoptr (FaServeReply) held = fa_serve_http_from (fixture, fresh, "POST", "/login",
      NULL, "application/x-www-form-urlencoded", nope);
  g_assert_cmpuint (held->status, ==, 429);
  g_assert_nonnull (strstr (held->text, "Too many wrong passwords"));
  g_assert_nonnull (held->retry_after);
  gint retry = atoi (held->retry_after);
  g_assert_cmpint (retry, >=, 1);
  g_assert_cmpint (retry, <=, 5);
  guint status = 0;
  g_autofree gchar *refused = fa_serve_login_from (fixture, fresh, FA_SERVE_TEST_PASSWORD,
      &status);
  g_assert_null (refused);
  g_assert_cmpuint (status, ==, 429);
  /* A session made before still works. */
  g_autoptr (FaServeReply) still = get ("/ui/session", cookie);
  g_assert_cmpuint (still->status, ==, 200);

  /* The right password once the lock ends logs in (refused attempts during
   * the lock do not extend it). Watchdog: far past the 5 s lock. */
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_autofree gchar *in = NULL;
  do {
    g_usleep (G_USEC_PER_SEC / 4);
    g_autofree gchar *from = g_strdup_printf ("127.0.0.%u", peer++ % 200 + 20);
    in = fa_serve_login_from (fixture, from, FA_SERVE_TEST_PASSWORD, &status);
  } while (status == 429 && g_get_monotonic_time () < deadline);
  g_assert_cmpuint (status, ==, 303);
  g_assert_nonnull (in);
  /* The success cleared the account's count. */
  g_autoptr (FaServeReply) after = fa_serve_http_from (fixture, "127.0.0.250", "POST",
      "/login", NULL, "application/x-www-form-urlencoded", nope);
  g_assert_cmpuint (after->status, ==, 401);
}

static void
test_cookie_flags (void)
{
  /* Asserted on the session the fixture logged in with. */
  g_autofree gchar *form = g_strdup ("password=" FA_SERVE_TEST_PASSWORD);
  g_autoptr (GBytes) body = g_bytes_new (form, strlen (form));
  g_autoptr (FaServeReply) r = fa_serve_http (fixture, "POST", "/login", NULL,
      "application/x-www-form-urlencoded", body);
  g_assert_cmpuint (r->status, ==, 303);
  g_assert_nonnull (strstr (r->set_cookie, "HttpOnly"));
  g_assert_nonnull (strstr (r->set_cookie, "SameSite=Strict"));
  g_assert_nonnull (strstr (r->set_cookie, "Path=/"));
}

/* With --tls-cert/--tls-key: HTTPS, the cookie Secure, HSTS. */
static void
test_tls (void)
{
  g_autofree gchar *openssl = g_find_program_in_path ("openssl");
  if (openssl == NULL) {
    g_test_skip ("no openssl to make a test certificate");
    return;
  }
  g_autofree gchar *cert = g_build_filename (fixture->root, "cert.pem", NULL);
  g_autofree gchar *key = g_build_filename (fixture->root, "key.pem", NULL);
  const gchar *make[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1", NULL };
  g_assert_cmpint (fa_test_run_argv (make, NULL, NULL), ==, 0);
  const gchar *argv[] = { "facealert", "serve", "--listen", "127.0.0.1:0", "--tls-cert",
    cert, "--tls-key", key, NULL };
  FaProc *server = fa_proc_spawn ("serve-tls", FALSE, argv);
  guint from = 0;
  const gchar *line = fa_proc_wait_line (server, "facealert serve: listening on ", &from,
      30);
  g_assert_nonnull (line);
  const gchar *url = line + strlen ("facealert serve: listening on ");
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  GError *error = NULL;
  g_autoptr (GTlsDatabase) trust = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("tls-database", trust,
      "timeout", 30, NULL);
  g_autofree gchar *login = g_strconcat (url, "/login", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", login);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  g_autofree gchar *form = g_strdup ("password=" FA_SERVE_TEST_PASSWORD);
  g_autoptr (GBytes) body = g_bytes_new (form, strlen (form));
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
  g_autoptr (GBytes) reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 303);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const gchar *cookie_line = soup_message_headers_get_one (headers, "Set-Cookie");
  g_assert_nonnull (strstr (cookie_line, "; Secure"));
  g_assert_nonnull (strstr (cookie_line, "HttpOnly"));
  g_assert_nonnull (soup_message_headers_get_one (headers, "Strict-Transport-Security"));

  /* Plain HTTP on the TLS port gets no page. */
  g_autofree gchar *plain = g_strdup_printf ("http://%s/", url + strlen ("https://"));
  g_autoptr (SoupSession) clear = soup_session_new_with_options ("timeout", 10, NULL);
  g_autoptr (SoupMessage) get = soup_message_new ("GET", plain);
  g_autoptr (GBytes) page = soup_session_send_and_read (clear, get, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (get), !=, 200);

  GPid pid = atoi (g_subprocess_get_identifier (server->proc));
  kill (pid, SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (server, 15), ==, 0);
  fa_proc_free (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fixture = fa_serve_fixture_new (FALSE);
  fa_serve_fixture_start (fixture);
  cookie = fa_serve_login (fixture, FA_SERVE_TEST_PASSWORD, NULL);
  g_assert_nonnull (cookie);
  g_autoptr (FaServeReply) session = get ("/ui/session", cookie);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, session->text, -1, NULL));
  csrf = g_strdup (json_object_get_string_member (json_node_get_object (
              json_parser_get_root (parser)), "csrf"));

  g_test_add_func ("/serve-security/no-session", test_no_session);
  g_test_add_func ("/serve-security/api-unsigned", test_api_unsigned);
  g_test_add_func ("/serve-security/csrf", test_csrf);
  g_test_add_func ("/serve-security/traversal", test_traversal);
  g_test_add_func ("/serve-security/oversized", test_oversized);
  g_test_add_func ("/serve-security/files-private", test_files_private);
  g_test_add_func ("/serve-security/cookie-flags", test_cookie_flags);
  g_test_add_func ("/serve-security/tls", test_tls);
  g_test_add_func ("/serve-security/login-rate-limit-account",
      test_login_rate_limit_account);
  /* Last: it leaves this address rate-limited. */
  g_test_add_func ("/serve-security/login-rate-limit", test_login_rate_limit);
  int status = g_test_run ();
  for (guint i = 0; i < fixture->server->lines->len; i++) {
    const gchar *line = g_ptr_array_index (fixture->server->lines, i);
    g_assert_null (strstr (line, fixture->secret_key));
    g_assert_null (strstr (line, FA_SERVE_TEST_PASSWORD));
  }
  g_assert_null (strstr (fixture->server->err->str, fixture->secret_key));
  g_assert_null (strstr (fixture->server->err->str, FA_SERVE_TEST_PASSWORD));
  fa_serve_fixture_free (fixture);
  g_free (cookie);
  g_free (csrf);
  return status;
}
