/* SigV4: the official AWS test suite (botocore's aws4_testsuite, read at test
 * time from $FACEALERT_SIGV4_TESTSUITE, default ../shared/sigv4-testsuite
 * beside the checkout) and agreement with npm aws4 on random SNS Publish
 * requests. */
#include "fa-sigv4.h"
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
  }
  g_test_add_func ("/sigv4/aws4-random-publish", test_aws4);
  return g_test_run ();
}
