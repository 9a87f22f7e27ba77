/* SigV4: the official AWS test suite (botocore's aws4_testsuite, read at test
 * time from $FACEALERT_SIGV4_TESTSUITE, default ../shared/sigv4-testsuite
 * beside the checkout), signing and, in reverse, verifying its signed
 * requests (and refusing them altered); agreement with npm aws4 on random
 * SNS Publish requests. */
#include "fa-sigv4.h"
#include "fa-sigv4-verify.h"
#include "fa-error.h"
#include "fa-sns.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

static gchar *suite_dir;

static gchar *
read_text (const gchar *path)
{
  gchar *text = NULL;
  GError *error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Parses a raw HTTP request as the suite writes it. */
static FaSigv4Request *
parse_request (const gchar *raw)
{
  const gchar *eol = strchr (raw, '\n');
  g_autofree gchar *line = eol ? g_strndup (raw, eol - raw) : g_strdup (raw);
  const gchar *sp = strchr (line, ' ');
  const gchar *proto = g_strrstr (line, " HTTP/");
  g_assert_nonnull (sp);
  g_assert_nonnull (proto);
  g_autofree gchar *method = g_strndup (line, sp - line);
  g_autofree gchar *target = g_strndup (sp + 1, proto - sp - 1);
  gchar *q = strchr (target, '?');
  if (q != NULL)
    *q++ = '\0';
  FaSigv4Request *request = fa_sigv4_request_new (method, target, q);

  const gchar *p = eol ? eol + 1 : raw + strlen (raw);
  GString *name = NULL, *value = NULL;
  while (*p != '\0') {
    const gchar *end = strchr (p, '\n');
    gsize n = end ? (gsize) (end - p) : strlen (p);
    if (n == 0) {
      p = end + 1;
      fa_sigv4_request_set_body (request, p, strlen (p));
      break;
    }
    g_autofree gchar *l = g_strndup (p, n);
    if (g_ascii_isspace (l[0]) && value != NULL) {
      g_string_append_printf (value, "\n%s", l);
    } else {
      if (name != NULL) {
        fa_sigv4_request_add_header (request, name->str, value->str);
        g_string_free (name, TRUE);
        g_string_free (value, TRUE);
      }
      gchar *colon = strchr (l, ':');
      g_assert_nonnull (colon);
      name = g_string_new_len (l, colon - l);
      value = g_string_new (colon + 1);
    }
    p = end ? end + 1 : p + n;
  }
  if (name != NULL) {
    fa_sigv4_request_add_header (request, name->str, value->str);
    g_string_free (name, TRUE);
    g_string_free (value, TRUE);
  }
  return request;
}

static void
find_cases (const gchar *dir, GPtrArray *cases)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  g_autofree gchar *base = g_path_get_basename (dir);
  g_autofree gchar *req_name = g_strconcat (base, ".req", NULL);
  g_autofree gchar *req = g_build_filename (dir, req_name, NULL);
  if (g_file_test (req, G_FILE_TEST_EXISTS))
    g_ptr_array_add (cases, g_build_filename (dir, base, NULL));
  const gchar *entry;
  while ((entry = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *child = g_build_filename (dir, entry, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      find_cases (child, cases);
  }
}

static void
run_case (gconstpointer data)
{
  const gchar *stem = data;
  g_autofree gchar *req_path = g_strconcat (stem, ".req", NULL);
  g_autofree gchar *creq_path = g_strconcat (stem, ".creq", NULL);
  g_autofree gchar *sts_path = g_strconcat (stem, ".sts", NULL);
  g_autofree gchar *authz_path = g_strconcat (stem, ".authz", NULL);
  g_autofree gchar *raw = read_text (req_path);
  g_autofree gchar *creq_expected = read_text (creq_path);
  g_autofree gchar *sts_expected = read_text (sts_path);
  g_autofree gchar *authz_expected = read_text (authz_path);
  g_strchomp (authz_expected);

  g_autoptr (FaSigv4Request) request = parse_request (raw);
  /* As botocore's runner: a session token the expected canonical request
   * carries but the raw request lacks is the signer's to add. */
  g_autofree gchar *token = NULL;
  const gchar *t = strstr (creq_expected, "\nx-amz-security-token:");
  if (t != NULL && fa_sigv4_request_get_header (request, "X-Amz-Security-Token") == NULL) {
    t += strlen ("\nx-amz-security-token:");
    token = g_strndup (t, strcspn (t, "\n"));
  }
  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new ("AKIDEXAMPLE",
      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token);
  if (token != NULL)
    fa_sigv4_request_add_header (request, "X-Amz-Security-Token", token);

  g_autofree gchar *creq = fa_sigv4_canonical_request (request, TRUE, NULL);
  g_assert_cmpstr (creq, ==, creq_expected);
  const gchar *amz_date = fa_sigv4_request_get_header (request, "X-Amz-Date");
  g_autofree gchar *date = g_strndup (amz_date, 8);
  g_autofree gchar *scope = g_strdup_printf ("%s/us-east-1/service/aws4_request", date);
  g_autofree gchar *sts = fa_sigv4_string_to_sign (amz_date, scope, creq);
  g_assert_cmpstr (sts, ==, sts_expected);
  g_autofree gchar *authz = fa_sigv4_sign (request, credentials, "us-east-1",
      "service", NULL);
  g_assert_cmpstr (authz, ==, authz_expected);
}

/* ---- the suite in reverse: verifying its signed requests ---- */

#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static FaSigv4Verdict
verify_at (const FaSigv4Request *request, const gchar *secret, const gchar *access,
    const gchar *service, gint64 offset_s, GError **error)
{
  g_autoptr (FaAwsCredentials) key = fa_aws_credentials_new (access, secret, NULL);
  const gchar *amz_date = fa_sigv4_request_get_header (request, "X-Amz-Date");
  g_autofree gchar *iso = g_strdup_printf ("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", amz_date,
      amz_date + 4, amz_date + 6, amz_date + 9, amz_date + 11, amz_date + 13);
  g_autoptr (GDateTime) signed_at = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (signed_at);
  g_autoptr (GDateTime) now = g_date_time_add_seconds (signed_at, offset_s);
  return fa_sigv4_verify (request, key, service, now, FA_SIGV4_MAX_SKEW_S, NULL, error);
}

/* A copy of @request with header @name's value replaced (or removed: NULL). */
static FaSigv4Request *
with_header (const FaSigv4Request *request, const gchar *name, const gchar *value)
{
  FaSigv4Request *copy = fa_sigv4_request_new (request->method, request->path,
      request->query);
  for (guint i = 0; i + 1 < request->headers->len; i += 2) {
    const gchar *n = g_ptr_array_index (request->headers, i);
    if (g_ascii_strcasecmp (n, name) != 0)
      fa_sigv4_request_add_header (copy, n, g_ptr_array_index (request->headers, i + 1));
    else if (value != NULL)
      fa_sigv4_request_add_header (copy, n, value);
  }
  if (request->body != NULL)
    copy->body = g_bytes_ref (request->body);
  return copy;
}

static void
expect (FaSigv4Verdict got, FaSigv4Verdict want, GError **error)
{
  if (got != want)
    g_error ("verdict %d, expected %d (%s)", got, want, *error ? (*error)->message : "");
  if (want == FA_SIGV4_OK)
    g_assert_no_error (*error);
  else
    g_assert_error (*error, FA_ERROR, FA_ERROR_AUTH);
  if (*error != NULL)
    g_assert_null (strstr ((*error)->message, SUITE_SECRET));
  g_clear_error (error);
}

static void
run_reverse_case (gconstpointer data)
{
  /* The raw request with the suite's expected Authorization (and the session
   * token the signer adds). Not the .sreq files: get-vanilla-with-session-token's
   * carries another case's signature. */
  const gchar *stem = data;
  g_autofree gchar *req_path = g_strconcat (stem, ".req", NULL);
  g_autofree gchar *creq_path = g_strconcat (stem, ".creq", NULL);
  g_autofree gchar *authz_path = g_strconcat (stem, ".authz", NULL);
  g_autofree gchar *raw = read_text (req_path);
  g_autofree gchar *creq = read_text (creq_path);
  g_autofree gchar *authz_expected = read_text (authz_path);
  g_autoptr (FaSigv4Request) request = parse_request (raw);
  const gchar *t = strstr (creq, "\nx-amz-security-token:");
  if (t != NULL && fa_sigv4_request_get_header (request, "X-Amz-Security-Token") == NULL) {
    t += strlen ("\nx-amz-security-token:");
    g_autofree gchar *token = g_strndup (t, strcspn (t, "\n"));
    fa_sigv4_request_add_header (request, "X-Amz-Security-Token", token);
  }
  fa_sigv4_request_add_header (request, "Authorization", g_strchomp (authz_expected));
  GError *error = NULL;

  /* As signed, at the signing time and within the 15 minute window. */
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", "service", 0, &error),
      FA_SIGV4_OK, &error);
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", NULL, 14 * 60, &error),
      FA_SIGV4_OK, &error);
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", NULL, -14 * 60, &error),
      FA_SIGV4_OK, &error);

  /* Refused: stale either way, wrong secret, unknown key, other service. */
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", NULL, 16 * 60, &error),
      FA_SIGV4_STALE, &error);
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", NULL, -16 * 60, &error),
      FA_SIGV4_STALE, &error);
  expect (verify_at (request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", "AKIDEXAMPLE",
          NULL, 0, &error), FA_SIGV4_BAD_SIGNATURE, &error);
  expect (verify_at (request, SUITE_SECRET, "AKIDOTHER", NULL, 0, &error),
      FA_SIGV4_UNKNOWN_KEY, &error);
  expect (verify_at (request, SUITE_SECRET, "AKIDEXAMPLE", "rekognition", 0, &error),
      FA_SIGV4_WRONG_SERVICE, &error);

  /* Altered after signing: a signed header, the body, the path, the query. */
  g_autoptr (FaSigv4Request) host = with_header (request, "Host", "evil.example.com");
  expect (verify_at (host, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_BAD_SIGNATURE, &error);
  g_autoptr (FaSigv4Request) body = with_header (request, "X-Unsigned", "x");
  fa_sigv4_request_set_body (body, "tampered", 8);
  expect (verify_at (body, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_BAD_SIGNATURE, &error);
  g_autoptr (FaSigv4Request) path = with_header (request, "X-Unsigned", "x");
  g_free (path->path);
  path->path = g_strdup ("/other");
  expect (verify_at (path, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_BAD_SIGNATURE, &error);
  g_autoptr (FaSigv4Request) query = with_header (request, "X-Unsigned", "x");
  g_free (query->query);
  query->query = g_strdup ("Action=DeleteCollection");
  expect (verify_at (query, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_BAD_SIGNATURE, &error);
  /* An unsigned header added is fine: only signed headers count. */
  g_autoptr (FaSigv4Request) extra = with_header (request, "X-Unsigned", "anything");
  fa_sigv4_request_add_header (extra, "User-Agent", "added-by-a-proxy");
  expect (verify_at (extra, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_OK, &error);

  /* Unsigned, a signed header dropped, a signature cut short. */
  g_autoptr (FaSigv4Request) unsigned_request = with_header (request, "Authorization", NULL);
  expect (verify_at (unsigned_request, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_MISSING, &error);
  g_autoptr (FaSigv4Request) dateless = with_header (request, "X-Amz-Date", NULL);
  g_autoptr (FaAwsCredentials) suite_key = fa_aws_credentials_new ("AKIDEXAMPLE",
      SUITE_SECRET, NULL);
  expect (fa_sigv4_verify (dateless, suite_key, NULL, NULL, FA_SIGV4_MAX_SKEW_S, NULL,
          &error), FA_SIGV4_MALFORMED, &error);
  g_autoptr (FaSigv4Request) no_host = with_header (request, "Host", NULL);
  fa_sigv4_request_add_header (no_host, "X-Amz-Date", "20150830T123600Z");
  expect (verify_at (no_host, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_MALFORMED, &error);
  const gchar *authz = fa_sigv4_request_get_header (request, "Authorization");
  g_autofree gchar *short_sig = g_strndup (authz, strlen (authz) - 1);
  g_autoptr (FaSigv4Request) cut = with_header (request, "Authorization", short_sig);
  expect (verify_at (cut, SUITE_SECRET, "AKIDEXAMPLE", NULL, 0, &error),
      FA_SIGV4_MALFORMED, &error);
}

/* What fa_sigv4_sign() makes, fa_sigv4_verify() accepts: JSON 1.1 requests
 * as the AWS CLI sends them, with a Date header instead of X-Amz-Date too. */
static void
test_sign_then_verify (void)
{
  g_autoptr (FaAwsCredentials) key = fa_aws_credentials_new ("AKIDSERVE",
      "s3cr3t/+Key", NULL);
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 3, 14, 15, 9, 26);
  const gchar *body = "{\"CollectionId\":\"home\"}";
  g_autoptr (FaSigv4Request) request = fa_sigv4_request_new ("POST", "/", NULL);
  fa_sigv4_request_add_header (request, "Host", "127.0.0.1:8080");
  fa_sigv4_request_add_header (request, "X-Amz-Target", "RekognitionService.ListFaces");
  fa_sigv4_request_add_header (request, "Content-Type", "application/x-amz-json-1.1");
  fa_sigv4_request_set_body (request, body, strlen (body));
  g_free (fa_sigv4_sign (request, key, "us-east-1", "rekognition", now));
  GError *error = NULL;
  FaSigv4Authorization auth;
  g_assert_cmpint (fa_sigv4_verify (request, key, "rekognition", now,
          FA_SIGV4_MAX_SKEW_S, &auth, &error), ==, FA_SIGV4_OK);
  g_assert_no_error (error);
  g_assert_cmpstr (auth.access_key, ==, "AKIDSERVE");
  g_assert_cmpstr (auth.region, ==, "us-east-1");
  g_assert_cmpstr (auth.service, ==, "rekognition");
  fa_sigv4_authorization_clear (&auth);

  /* The target is signed: another operation under the same signature fails. */
  g_autoptr (FaSigv4Request) other = with_header (request, "X-Amz-Target",
      "RekognitionService.DeleteCollection");
  g_assert_cmpint (fa_sigv4_verify (other, key, "rekognition", now,
          FA_SIGV4_MAX_SKEW_S, NULL, &error), ==, FA_SIGV4_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Date instead of X-Amz-Date (RFC 7231 form), signed by hand from the
   * public pieces: canonical request, string to sign, signing key. */
  g_autoptr (FaSigv4Request) dated = fa_sigv4_request_new ("POST", "/listStreams", NULL);
  fa_sigv4_request_add_header (dated, "Host", "127.0.0.1:8080");
  fa_sigv4_request_add_header (dated, "Date", "Sat, 14 Mar 2026 15:09:26 GMT");
  g_autofree gchar *names = NULL;
  g_autofree gchar *creq = fa_sigv4_canonical_request (dated, TRUE, &names);
  const gchar *scope = "20260314/us-east-1/kinesisvideo/aws4_request";
  g_autofree gchar *sts = fa_sigv4_string_to_sign ("20260314T150926Z", scope, creq);
  guint8 signing_key[32];
  fa_sigv4_signing_key ("s3cr3t/+Key", "20260314", "us-east-1", "kinesisvideo",
      signing_key);
  g_autofree gchar *signature = g_compute_hmac_for_string (G_CHECKSUM_SHA256,
      signing_key, 32, sts, -1);
  g_autofree gchar *authz = g_strdup_printf ("AWS4-HMAC-SHA256 Credential=AKIDSERVE/%s, "
      "SignedHeaders=%s, Signature=%s", scope, names, signature);
  fa_sigv4_request_add_header (dated, "Authorization", authz);
  g_assert_cmpint (fa_sigv4_verify (dated, key, "kinesisvideo", now,
          FA_SIGV4_MAX_SKEW_S, NULL, &error), ==, FA_SIGV4_OK);
  g_assert_no_error (error);
  g_autoptr (GDateTime) late = g_date_time_add_minutes (now, 20);
  g_assert_cmpint (fa_sigv4_verify (dated, key, "kinesisvideo", late,
          FA_SIGV4_MAX_SKEW_S, NULL, &error), ==, FA_SIGV4_STALE);
  g_assert_nonnull (strstr (error->message, "Signature expired"));
  g_clear_error (&error);
}

/* ---- agreement with npm aws4 ---- */

static gchar *
random_text (GRand *rand, guint max_len)
{
  static const gchar *pieces[] = { "a", "Z", "9", " ", "-", "_", ".", "~", "+",
    "&", "=", "%", "/", "?", "#", "!", "*", "'", "(", ")", ",", ";", ":", "@",
    "\"", "{", "}", "é", "ü", "☃", "😀", "\n", "\t", "Unknown face", "front-door" };
  GString *out = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 1, max_len + 1);
  for (guint i = 0; i < n; i++)
    g_string_append (out, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  return g_string_free (out, FALSE);
}

static gchar *
random_token (GRand *rand, const gchar *alphabet, guint len)
{
  gchar *out = g_malloc (len + 1);
  gsize n = strlen (alphabet);
  for (guint i = 0; i < len; i++)
    out[i] = alphabet[g_rand_int_range (rand, 0, n)];
  out[len] = '\0';
  return out;
}

static void
test_aws4 (void)
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
  static const gchar *regions[] = { "us-east-1", "eu-west-3", "ap-southeast-2" };
  static const gchar *hosts[] = { "sns.us-east-1.amazonaws.com",
    "127.0.0.1:4002", "localhost:8080", "sns.eu-west-3.amazonaws.com" };
  guint32 seed = g_test_rand_int ();
  g_test_message ("random seed %u", seed);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  const guint n = 60;
  GString *input = g_string_new (NULL);
  g_autoptr (GPtrArray) ours = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++) {
    g_autofree gchar *access = random_token (rand, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 20);
    g_autofree gchar *secret = random_token (rand,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    g_autofree gchar *token = g_rand_boolean (rand) ? random_token (rand,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", 120) : NULL;
    const gchar *region = regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))];
    const gchar *host = hosts[g_rand_int_range (rand, 0, G_N_ELEMENTS (hosts))];
    g_autofree gchar *message = random_text (rand, 200);
    g_autofree gchar *subject = random_token (rand, "abcdefghij ,.!-ABC0123", 30);
    g_autofree gchar *attr_value = random_text (rand, 10);
    const gchar *attributes[] = { "camera", attr_value, "event", "unknown-face", NULL };
    gboolean fifo = g_rand_boolean (rand);
    FaSnsMessage m = {
      .topic_arn = fifo ? "arn:aws:sns:us-east-1:123456789012:alerts.fifo"
          : "arn:aws:sns:us-east-1:123456789012:alerts",
      .subject = subject, .message = message, .json_structure = g_rand_boolean (rand),
      .attributes = attributes, .deduplication_id = "b3f1c2d4-0000-4000-8000-00000000abcd",
      .group_id = "front-door",
    };
    g_autoptr (GDateTime) when = g_date_time_new_utc (2020 + g_rand_int_range (rand, 0, 6),
        g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
        g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60),
        g_rand_int_range (rand, 0, 60));
    g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new (access, secret, token);
    g_autofree gchar *endpoint = g_strdup_printf ("https://%s/", host);
    GError *error = NULL;
    g_autoptr (FaSnsClient) client = fa_sns_client_new (endpoint, region, credentials, &error);
    g_assert_no_error (error);
    g_autoptr (FaSigv4Request) request = fa_sns_client_signed_request (client, &m, when);
    g_ptr_array_add (ours, g_strdup (fa_sigv4_request_get_header (request, "Authorization")));

    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "host");
    json_builder_add_string_value (b, host);
    json_builder_set_member_name (b, "path");
    json_builder_add_string_value (b, "/");
    json_builder_set_member_name (b, "region");
    json_builder_add_string_value (b, region);
    json_builder_set_member_name (b, "body");
    gsize body_size = 0;
    const gchar *body = g_bytes_get_data (request->body, &body_size);
    g_autofree gchar *body_text = g_strndup (body, body_size);
    json_builder_add_string_value (b, body_text);
    json_builder_set_member_name (b, "amzDate");
    json_builder_add_string_value (b, fa_sigv4_request_get_header (request, "X-Amz-Date"));
    json_builder_set_member_name (b, "accessKeyId");
    json_builder_add_string_value (b, access);
    json_builder_set_member_name (b, "secretAccessKey");
    json_builder_add_string_value (b, secret);
    if (token != NULL) {
      json_builder_set_member_name (b, "sessionToken");
      json_builder_add_string_value (b, token);
    }
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree gchar *line = json_to_string (root, FALSE);
    g_string_append_printf (input, "%s\n", line);
  }
  g_autofree gchar *script = g_build_filename (source, "tests", "support",
      "aws4-sign.mjs", NULL);
  GError *error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
      | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, script, servers, NULL);
  g_assert_no_error (error);
  g_autofree gchar *out = NULL;
  g_subprocess_communicate_utf8 (proc, input->str, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_string_free (input, TRUE);
  g_assert_true (g_subprocess_get_successful (proc));
  g_auto (GStrv) theirs = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (theirs), ==, n + 1);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (ours, i), ==, theirs[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const gchar *env = g_getenv ("FACEALERT_SIGV4_TESTSUITE");
  suite_dir = env != NULL ? g_strdup (env) : g_build_filename (
      g_getenv ("FACEALERT_SOURCE_DIR") ? g_getenv ("FACEALERT_SOURCE_DIR") : ".",
      "..", "shared", "sigv4-testsuite", NULL);
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  find_cases (suite_dir, cases);
  if (cases->len == 0) {
    g_print ("1..0 # SKIP SigV4 test suite not found in %s (set "
        "FACEALERT_SIGV4_TESTSUITE)\n", suite_dir);
    return 77;
  }
  for (guint i = 0; i < cases->len; i++) {
    const gchar *stem = g_ptr_array_index (cases, i);
    g_autofree gchar *rel = g_strdup (stem + strlen (suite_dir));
    g_autofree gchar *name = g_strconcat ("/sigv4/suite", rel, NULL);
    g_test_add_data_func (name, stem, run_case);
    g_autofree gchar *reverse = g_strconcat ("/sigv4/verify", rel, NULL);
    g_test_add_data_func (reverse, stem, run_reverse_case);
  }
  g_test_add_func ("/sigv4/sign-then-verify", test_sign_then_verify);
  g_test_add_func ("/sigv4/aws4-random-publish", test_aws4);
  return g_test_run ();
}
