/* Unit tests of the server's pieces without a server: password hashes
 * (lib/core/fa-password.h), sessions and the login limit on a driven clock
 * (tools/serve/serve-sessions.h), request JSON validation and pagination
 * tokens (tools/serve/serve-json.h). */
#include "fa-error.h"
#include "fa-password.h"
#include "fa-test.h"
#include "serve-json.h"
#include "serve-sessions.h"

#include <string.h>
#include <sys/stat.h>

#define STATIC_BYTES(text) g_bytes_new_static (text, strlen (text))

static void
test_password_hash (void)
{
  GError *error = NULL;
  /* Few iterations here: the format and the check, not the cost. */
  g_autofree gchar *a = fa_password_hash ("correct horse", 1000, &error);
  g_assert_no_error (error);
  g_autofree gchar *b = fa_password_hash ("correct horse", 1000, &error);
  g_assert_true (g_str_has_prefix (a, "pbkdf2-sha256$1000$"));
  g_assert_cmpstr (a, !=, b);     /* a fresh salt each time */
  g_assert_null (strstr (a, "correct"));
  g_assert_cmpint (fa_password_verify (a, "correct horse"), ==, FA_PASSWORD_MATCH);
  g_assert_cmpint (fa_password_verify (b, "correct horse"), ==, FA_PASSWORD_MATCH);
  g_assert_cmpint (fa_password_verify (a, "correct horsf"), ==, FA_PASSWORD_MISMATCH);
  g_assert_cmpint (fa_password_verify (a, ""), ==, FA_PASSWORD_MISMATCH);
  g_assert_cmpint (fa_password_verify (a, NULL), ==, FA_PASSWORD_MISMATCH);
  /* A hash altered anywhere no longer matches or is refused as corrupt. */
  g_autofree gchar *altered = g_strdup (a);
  altered[strlen (altered) - 3] = altered[strlen (altered) - 3] == 'A' ? 'B' : 'A';
  g_assert_cmpint (fa_password_verify (altered, "correct horse"), !=, FA_PASSWORD_MATCH);
  g_assert_cmpint (fa_password_verify ("plain text", "plain text"), ==,
      FA_PASSWORD_CORRUPT);
  g_assert_cmpint (fa_password_verify ("pbkdf2-sha256$0$AAAA$BBBB", "x"), ==,
      FA_PASSWORD_CORRUPT);
  /* Too short or too long. */
  g_assert_null (fa_password_hash ("short", 1000, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_autofree gchar *huge = g_strnfill (FA_PASSWORD_MAX_LENGTH + 1, 'x');
  g_assert_null (fa_password_hash (huge, 1000, &error));
  g_clear_error (&error);
}

static void
test_password_file (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("password");
  g_autofree gchar *sub = g_build_filename (dir, "config", NULL);
  g_autofree gchar *path = g_build_filename (sub, FA_PASSWORD_FILE, NULL);
  GError *error = NULL;
  g_assert_null (fa_password_load (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "--set-password"));
  g_clear_error (&error);
  g_assert_true (fa_password_save (path, "household secret", 1000, &error));
  struct stat st;
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (stat (sub, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0700);
  g_autofree gchar *stored = fa_password_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fa_password_verify (stored, "household secret"), ==, FA_PASSWORD_MATCH);
  /* Readable by others: refused; not a hash: refused. */
  g_assert_cmpint (chmod (path, 0640), ==, 0);
  g_assert_null (fa_password_load (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "hunter2\n", -1, NULL));
  g_assert_cmpint (chmod (path, 0600), ==, 0);
  g_assert_null (fa_password_load (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_clear_error (&error);
  fa_test_rm_rf (dir);
}

static void
test_sessions (void)
{
  FaServeSessions *s = fa_serve_sessions_new ();
  gint64 t = (gint64) 1000 * G_USEC_PER_SEC;
  g_autofree gchar *csrf = NULL, *seen = NULL;
  g_autofree gchar *id = fa_serve_sessions_create (s, t, &csrf);
  g_assert_cmpuint (strlen (id), ==, 43);     /* 256 bits, base64url */
  g_assert_cmpuint (strlen (csrf), ==, 43);
  g_assert_cmpstr (id, !=, csrf);
  g_assert_true (fa_serve_sessions_check (s, id, t + 1, &seen));
  g_assert_cmpstr (seen, ==, csrf);
  g_assert_false (fa_serve_sessions_check (s, "forged", t, NULL));
  g_assert_false (fa_serve_sessions_check (s, NULL, t, NULL));
  g_assert_false (fa_serve_sessions_check (s, "", t, NULL));
  /* Idle expiry: used within the window it lives on ... */
  gint64 u = t + FA_SERVE_SESSION_IDLE_US - 1;
  g_assert_true (fa_serve_sessions_check (s, id, u, NULL));
  g_assert_true (fa_serve_sessions_check (s, id, u + FA_SERVE_SESSION_IDLE_US - 1, NULL));
  /* ... but never past its absolute lifetime, used or not. */
  gint64 v = t;
  g_autofree gchar *busy = fa_serve_sessions_create (s, v, NULL);
  for (v = t; v < t + FA_SERVE_SESSION_MAX_US; v += FA_SERVE_SESSION_IDLE_US / 2)
    g_assert_true (fa_serve_sessions_check (s, busy, v, NULL));
  g_assert_false (fa_serve_sessions_check (s, busy, t + FA_SERVE_SESSION_MAX_US + 1, NULL));
  /* Unused past the idle time: gone. */
  g_autofree gchar *idle = fa_serve_sessions_create (s, t, NULL);
  g_assert_false (fa_serve_sessions_check (s, idle, t + FA_SERVE_SESSION_IDLE_US + 1, NULL));
  /* Logout. */
  g_autofree gchar *other = fa_serve_sessions_create (s, t, NULL);
  fa_serve_sessions_remove (s, other);
  g_assert_false (fa_serve_sessions_check (s, other, t, NULL));
  fa_serve_sessions_free (s);
}

static void
test_token_equal (void)
{
  g_assert_true (fa_serve_token_equal ("abc", "abc"));
  g_assert_false (fa_serve_token_equal ("abc", "abd"));
  g_assert_false (fa_serve_token_equal ("abc", "abcd"));
  g_assert_false (fa_serve_token_equal (NULL, "abc"));
  g_assert_false (fa_serve_token_equal ("abc", NULL));
  g_autofree gchar *a = fa_serve_random_token (32), *b = fa_serve_random_token (32);
  g_assert_cmpstr (a, !=, b);
  for (const gchar *p = a; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_login_limit (void)
{
  FaServeSessions *s = fa_serve_sessions_new ();
  gint64 t = (gint64) 5000 * G_USEC_PER_SEC;
  /* Free failures. */
  for (guint i = 0; i < FA_SERVE_LOGIN_FREE_FAILURES; i++) {
    g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
    /* One attempt at a time per address. */
    g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, -1);
    fa_serve_login_finish (s, "10.0.0.7", FALSE, t);
  }
  /* Then a wait that doubles after each failure. */
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==,
      FA_SERVE_LOGIN_FIRST_WAIT_US);
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t + FA_SERVE_LOGIN_FIRST_WAIT_US - 1),
      ==, 1);
  t += FA_SERVE_LOGIN_FIRST_WAIT_US;
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
  fa_serve_login_finish (s, "10.0.0.7", FALSE, t);
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==,
      2 * FA_SERVE_LOGIN_FIRST_WAIT_US);
  /* Other addresses are not held back. */
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.8", t), ==, 0);
  fa_serve_login_finish (s, "10.0.0.8", TRUE, t);
  /* Capped. */
  for (guint i = 0; i < 40; i++) {
    t += FA_SERVE_LOGIN_MAX_WAIT_US;
    g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
    fa_serve_login_finish (s, "10.0.0.7", FALSE, t);
  }
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, FA_SERVE_LOGIN_MAX_WAIT_US);
  /* A success (after the wait) clears the count. */
  t += FA_SERVE_LOGIN_MAX_WAIT_US;
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
  fa_serve_login_finish (s, "10.0.0.7", TRUE, t);
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
  fa_serve_login_finish (s, "10.0.0.7", FALSE, t);
  g_assert_cmpint (fa_serve_login_begin (s, "10.0.0.7", t), ==, 0);
  fa_serve_sessions_free (s);
}

/* Wrong passwords from many addresses, none past its own limit: the
 * account's limit holds them all back. */
static void
test_login_limit_account (void)
{
  FaServeSessions *s = fa_serve_sessions_new ();
  gint64 t = (gint64) 5000 * G_USEC_PER_SEC;
  guint n = 0;
  gchar peer[32];
#define NEXT_PEER() (g_snprintf (peer, sizeof peer, "10.1.%u.%u", n / 250, n % 250), n++, peer)
  /* Concurrent attempts count against the free failures while checked. */
  gchar begun[FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES][32];
  for (guint i = 0; i < FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES; i++) {
    g_strlcpy (begun[i], NEXT_PEER (), sizeof begun[i]);
    g_assert_cmpint (fa_serve_login_begin (s, begun[i], t), ==, 0);
  }
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==, -1);
  for (guint i = 0; i < FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES; i++)
    fa_serve_login_finish (s, begun[i], FALSE, t);
  /* Then the same doubling wait as per address, for every address. */
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==,
      FA_SERVE_LOGIN_FIRST_WAIT_US);
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t + 1), ==,
      FA_SERVE_LOGIN_FIRST_WAIT_US - 1);
  /* Refused attempts do not extend it; once it is over, one attempt at a
   * time for the account. */
  t += FA_SERVE_LOGIN_FIRST_WAIT_US;
  g_strlcpy (begun[0], NEXT_PEER (), sizeof begun[0]);
  g_assert_cmpint (fa_serve_login_begin (s, begun[0], t), ==, 0);
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==, -1);
  fa_serve_login_finish (s, begun[0], FALSE, t);
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==,
      2 * FA_SERVE_LOGIN_FIRST_WAIT_US);
  /* Capped: never longer than FA_SERVE_LOGIN_MAX_WAIT_US. */
  for (guint i = 0; i < 40; i++) {
    t += FA_SERVE_LOGIN_MAX_WAIT_US;
    const gchar *p = NEXT_PEER ();
    g_assert_cmpint (fa_serve_login_begin (s, p, t), ==, 0);
    fa_serve_login_finish (s, p, FALSE, t);
  }
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==, FA_SERVE_LOGIN_MAX_WAIT_US);
  /* The right password after the lock logs in and clears the count. */
  t += FA_SERVE_LOGIN_MAX_WAIT_US;
  g_strlcpy (begun[0], NEXT_PEER (), sizeof begun[0]);
  g_assert_cmpint (fa_serve_login_begin (s, begun[0], t), ==, 0);
  fa_serve_login_finish (s, begun[0], TRUE, t);
  for (guint i = 0; i < FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES; i++) {
    const gchar *p = NEXT_PEER ();
    g_assert_cmpint (fa_serve_login_begin (s, p, t), ==, 0);
    fa_serve_login_finish (s, p, FALSE, t);
  }
  /* Counted afresh: ten more lock it again, from the first wait. */
  g_assert_cmpint (fa_serve_login_begin (s, NEXT_PEER (), t), ==,
      FA_SERVE_LOGIN_FIRST_WAIT_US);
#undef NEXT_PEER
  fa_serve_sessions_free (s);
}

static void
test_json_validation (void)
{
  GError *error = NULL;
  g_autoptr (GBytes) body = STATIC_BYTES ("{\"CollectionId\":\"home\",\"MaxFaces\":5,"
      "\"FaceMatchThreshold\":90.5,\"FaceIds\":[\"a\",\"b\"],\"Bad\":[1],\"N\":null}");
  g_autoptr (JsonNode) node = fa_serve_json_parse_object (body, &error);
  g_assert_no_error (error);
  JsonObject *o = json_node_get_object (node);
  const gchar *s = NULL;
  g_assert_true (fa_serve_json_get_string (o, "CollectionId", TRUE, &s, &error));
  g_assert_cmpstr (s, ==, "home");
  g_assert_false (fa_serve_json_get_string (o, "Missing", TRUE, &s, &error));
  g_assert_nonnull (strstr (error->message, "Member must not be null"));
  g_clear_error (&error);
  g_assert_false (fa_serve_json_get_string (o, "N", TRUE, &s, &error));   /* null = absent */
  g_clear_error (&error);
  gint64 n = 80;
  g_assert_true (fa_serve_json_get_int (o, "Absent", 1, 10, &n, &error));
  g_assert_cmpint (n, ==, 80);
  g_assert_true (fa_serve_json_get_int (o, "MaxFaces", 1, 10, &n, &error));
  g_assert_cmpint (n, ==, 5);
  g_assert_false (fa_serve_json_get_int (o, "MaxFaces", 6, 10, &n, &error));
  g_assert_nonnull (strstr (error->message, "between 6 and 10"));
  g_clear_error (&error);
  g_assert_false (fa_serve_json_get_int (o, "CollectionId", 0, 10, &n, &error));
  g_clear_error (&error);
  gdouble d = 0;
  g_assert_true (fa_serve_json_get_double (o, "FaceMatchThreshold", TRUE, 0, 100, &d, &error));
  g_assert_cmpfloat (d, ==, 90.5);
  g_assert_false (fa_serve_json_get_double (o, "FaceMatchThreshold", TRUE, 0, 50, &d, &error));
  g_clear_error (&error);
  g_autoptr (GPtrArray) ids = NULL;
  g_assert_true (fa_serve_json_get_strings (o, "FaceIds", TRUE, 10, &ids, &error));
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "b");
  g_autoptr (GPtrArray) bad = NULL;
  g_assert_false (fa_serve_json_get_strings (o, "Bad", TRUE, 10, &bad, &error));
  g_clear_error (&error);
  /* Not JSON, not an object, an empty body. */
  g_autoptr (GBytes) text = STATIC_BYTES ("nope");
  g_assert_null (fa_serve_json_parse_object (text, &error));
  g_clear_error (&error);
  g_autoptr (GBytes) array = STATIC_BYTES ("[1]");
  g_assert_null (fa_serve_json_parse_object (array, &error));
  g_clear_error (&error);
  g_autoptr (JsonNode) empty = fa_serve_json_parse_object (NULL, &error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (empty));
  /* Blobs: base64 only, bounded. */
  g_autoptr (GBytes) blobs = STATIC_BYTES ("{\"B\":\"aGVsbG8=\",\"X\":\"a!b\"}");
  g_autoptr (JsonNode) bn = fa_serve_json_parse_object (blobs, &error);
  g_autoptr (GBytes) blob = NULL;
  g_assert_true (fa_serve_json_get_blob (json_node_get_object (bn), "B", 10, &blob, &error));
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), "hello", 5);
  g_autoptr (GBytes) small = NULL;
  g_assert_false (fa_serve_json_get_blob (json_node_get_object (bn), "B", 4, &small, &error));
  g_clear_error (&error);
  g_assert_false (fa_serve_json_get_blob (json_node_get_object (bn), "X", 10, &small, &error));
  g_clear_error (&error);
}

static void
test_next_token (void)
{
  g_autofree gchar *token = fa_serve_next_token (1234, "faces/home");
  guint64 offset = 0;
  GError *error = NULL;
  g_assert_true (fa_serve_parse_next_token (token, "faces/home", &offset, &error));
  g_assert_cmpuint (offset, ==, 1234);
  /* A token of another listing, or made up, is refused. */
  g_assert_false (fa_serve_parse_next_token (token, "faces/other", &offset, &error));
  g_clear_error (&error);
  g_assert_false (fa_serve_parse_next_token ("bm9wZQ==", "faces/home", &offset, &error));
  g_clear_error (&error);
  g_assert_false (fa_serve_parse_next_token ("", "faces/home", &offset, &error));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/serve/password-hash", test_password_hash);
  g_test_add_func ("/serve/password-file", test_password_file);
  g_test_add_func ("/serve/sessions", test_sessions);
  g_test_add_func ("/serve/token-equal", test_token_equal);
  g_test_add_func ("/serve/login-limit", test_login_limit);
  g_test_add_func ("/serve/login-limit-account", test_login_limit_account);
  g_test_add_func ("/serve/json-validation", test_json_validation);
  g_test_add_func ("/serve/next-token", test_next_token);
  return g_test_run ();
}
