/* SNS client pieces: response/error XML parsing, error classification,
 * limits, request body; AWS credentials resolution (alert rules:
 * test-alert-rules.c). */
#include "fa-aws-credentials.h"
#include "fa-error.h"
#include "fa-sns.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_parse_publish (void)
{
  const gchar *xml = "<?xml version=\"1.0\"?>\n"
      "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
      "<PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>"
      "</PublishResult><ResponseMetadata><RequestId>f187a3c1</RequestId>"
      "</ResponseMetadata></PublishResponse>";
  g_autofree gchar *id = NULL;
  g_assert_true (fa_sns_parse_publish_response (xml, -1, &id));
  g_assert_cmpstr (id, ==, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
  g_autofree gchar *none = NULL;
  g_assert_false (fa_sns_parse_publish_response ("<html><body>oops</body></html>", -1, &none));
  g_assert_null (none);
  g_assert_false (fa_sns_parse_publish_response ("not xml <", -1, &none));
}

static void
check_error (const gchar *xml, long status, const gchar *code, FaErrorCode kind,
    gboolean retryable)
{
  g_autofree gchar *c = NULL, *m = NULL;
  if (code != NULL) {
    g_assert_true (fa_sns_parse_error_response (xml, -1, &c, &m));
    g_assert_cmpstr (c, ==, code);
  } else {
    g_assert_false (fa_sns_parse_error_response (xml, -1, &c, &m));
  }
  g_autoptr (GError) error = fa_sns_error_new (status, c, m);
  g_assert_error (error, FA_ERROR, (gint) kind);
  g_assert_cmpint (fa_sns_error_is_retryable (error), ==, retryable);
  if (code != NULL)
    g_assert_nonnull (strstr (error->message, code));
  g_autofree gchar *status_text = g_strdup_printf ("HTTP %ld", status);
  g_assert_nonnull (strstr (error->message, status_text));
}

#define ERR(code, msg) "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">" \
  "<Error><Type>Sender</Type><Code>" code "</Code><Message>" msg "</Message></Error>" \
  "<RequestId>9dd01905-5012-5f99-8663-4b3ecd0dfaef</RequestId></ErrorResponse>"

static void
test_classify (void)
{
  check_error (ERR ("SignatureDoesNotMatch", "The request signature we calculated "
          "does not match the signature you provided."), 403,
      "SignatureDoesNotMatch", FA_ERROR_AUTH, FALSE);
  check_error (ERR ("InvalidClientTokenId", "The security token included in the "
          "request is invalid."), 403, "InvalidClientTokenId", FA_ERROR_AUTH, FALSE);
  check_error (ERR ("AuthorizationError", "User is not authorized"), 403,
      "AuthorizationError", FA_ERROR_AUTH, FALSE);
  check_error (ERR ("NotFound", "Topic does not exist"), 404, "NotFound",
      FA_ERROR_NOT_FOUND, FALSE);
  check_error (ERR ("InvalidParameter", "Invalid parameter: Subject"), 400,
      "InvalidParameter", FA_ERROR_INVALID_ARGUMENT, FALSE);
  check_error (ERR ("Throttling", "Rate exceeded"), 400, "Throttling",
      FA_ERROR_THROTTLED, TRUE);
  check_error (ERR ("InternalError", "Internal failure"), 500, "InternalError",
      FA_ERROR_NETWORK, TRUE);
  check_error (ERR ("KMSDisabled", "disabled"), 400, "KMSDisabled",
      FA_ERROR_REMOTE, FALSE);
  /* No SNS error document: the status alone decides. */
  check_error ("<!DOCTYPE html><html><body><pre>Error</pre></body></html>", 503,
      NULL, FA_ERROR_NETWORK, TRUE);
  check_error ("", 429, NULL, FA_ERROR_THROTTLED, TRUE);
  check_error ("", 404, NULL, FA_ERROR_NOT_FOUND, FALSE);
}

static void
test_limits (void)
{
  GError *error = NULL;
  FaSnsMessage ok = { .topic_arn = "arn:aws:sns:us-east-1:1:t", .subject = "Hi",
    .message = "hello" };
  g_assert_true (fa_sns_message_validate (&ok, &error));
  g_assert_no_error (error);

  gchar subject[101];
  memset (subject, 'a', 100);
  subject[100] = '\0';
  FaSnsMessage m = ok;
  m.subject = subject;
  g_assert_false (fa_sns_message_validate (&m, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  subject[99] = '\0';
  g_assert_true (fa_sns_message_validate (&m, NULL));
  m.subject = "line\nbreak";
  g_assert_false (fa_sns_message_validate (&m, NULL));

  g_autofree gchar *big = g_malloc (FA_SNS_MAX_MESSAGE_BYTES + 2);
  memset (big, 'x', FA_SNS_MAX_MESSAGE_BYTES + 1);
  big[FA_SNS_MAX_MESSAGE_BYTES + 1] = '\0';
  m = ok;
  m.message = big;
  g_assert_false (fa_sns_message_validate (&m, &error));
  g_assert_nonnull (strstr (error->message, "262144"));
  g_clear_error (&error);
  big[FA_SNS_MAX_MESSAGE_BYTES] = '\0';
  g_assert_true (fa_sns_message_validate (&m, NULL));

  m = ok;
  m.topic_arn = "arn:aws:sns:us-east-1:1:t.fifo";
  g_assert_false (fa_sns_message_validate (&m, NULL));
  m.deduplication_id = "abc-123";
  m.group_id = "front-door";
  g_assert_true (fa_sns_message_validate (&m, NULL));
  m.phone_number = "+15555550100";
  g_assert_false (fa_sns_message_validate (&m, NULL));   /* both targets */
}

static void
test_body (void)
{
  const gchar *attributes[] = { "camera", "front door", NULL };
  FaSnsMessage m = { .topic_arn = "arn:aws:sns:us-east-1:1:t.fifo", .subject = "S",
    .message = "{\"default\":\"a&b=c\"}", .json_structure = TRUE,
    .attributes = attributes, .deduplication_id = "id1", .group_id = "g" };
  g_autofree gchar *body = fa_sns_publish_body (&m);
  g_assert_cmpstr (body, ==, "Action=Publish&Version=2010-03-31"
      "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At.fifo&Subject=S"
      "&Message=%7B%22default%22%3A%22a%26b%3Dc%22%7D&MessageStructure=json"
      "&MessageAttributes.entry.1.Name=camera"
      "&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=front%20door"
      "&MessageDeduplicationId=id1&MessageGroupId=g");
}

static void
test_endpoint (void)
{
  g_autoptr (FaAwsCredentials) c = fa_aws_credentials_new ("AKID", "SECRET", NULL);
  GError *error = NULL;
  FaSnsClient *client = fa_sns_client_new ("ftp://x/", "us-east-1", c, &error);
  g_assert_null (client);
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "ftp://x/"));
  g_clear_error (&error);
  g_assert_null (fa_sns_client_new ("not a url", NULL, c, &error));
  g_clear_error (&error);
  client = fa_sns_client_new (NULL, "eu-west-3", c, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fa_sns_client_get_endpoint (client), ==,
      "https://sns.eu-west-3.amazonaws.com/");
  fa_sns_client_free (client);
}

/* A real request that cannot resolve: a retryable DNS error, no secret. */
static void
test_dns_failure (void)
{
  g_autoptr (FaAwsCredentials) c = fa_aws_credentials_new ("AKIDEXAMPLE",
      "sEcReTkEy/ShouldNeverShow", "ToKeNnEvErShOwN");
  GError *error = NULL;
  g_autoptr (FaSnsClient) client = fa_sns_client_new ("https://sns.example.invalid/",
      "us-east-1", c, &error);
  g_assert_no_error (error);
  FaSnsMessage m = { .topic_arn = "arn:aws:sns:us-east-1:1:t", .message = "x" };
  g_autofree gchar *id = fa_sns_client_publish (client, &m, &error);
  g_assert_null (id);
  g_assert_error (error, FA_ERROR, FA_ERROR_NETWORK);
  g_assert_true (fa_sns_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "DNS"));
  g_assert_null (strstr (error->message, "sEcReT"));
  g_assert_null (strstr (error->message, "ToKeN"));
  g_clear_error (&error);
}

static void
test_credentials (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-creds");
  g_autofree gchar *file = g_build_filename (dir, "credentials", NULL);
  g_assert_true (g_file_set_contents (file,
          "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\n"
          "aws_secret_access_key = secretdefault\n\n"
          "; other comment\n[home]\naws_access_key_id=AKIDHOME\n"
          "aws_secret_access_key=secrethome\naws_session_token = tokenhome\n"
          "[broken]\naws_access_key_id=AKIDBROKEN\n", -1, NULL));
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", file, TRUE);
  g_unsetenv ("AWS_PROFILE");
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  g_unsetenv ("AWS_SESSION_TOKEN");
  GError *error = NULL;

  /* File, default profile; then AWS_PROFILE; then an explicit profile. */
  FaAwsCredentials *c = fa_aws_credentials_resolve (NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->access_key, ==, "AKIDDEFAULT");
  g_assert_cmpstr (c->secret_key, ==, "secretdefault");
  g_assert_null (c->session_token);
  g_autofree gchar *described = fa_aws_credentials_describe (c);
  g_assert_null (strstr (described, "secretdefault"));
  g_assert_nonnull (strstr (described, "AULT"));
  fa_aws_credentials_free (c);
  g_setenv ("AWS_PROFILE", "home", TRUE);
  c = fa_aws_credentials_resolve (NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->access_key, ==, "AKIDHOME");
  g_assert_cmpstr (c->session_token, ==, "tokenhome");
  fa_aws_credentials_free (c);
  c = fa_aws_credentials_resolve (NULL, NULL, NULL, "default", &error);
  g_assert_cmpstr (c->access_key, ==, "AKIDDEFAULT");
  fa_aws_credentials_free (c);
  g_assert_null (fa_aws_credentials_resolve (NULL, NULL, NULL, "broken", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_null (fa_aws_credentials_resolve (NULL, NULL, NULL, "nope", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "[nope]"));
  g_clear_error (&error);

  /* The environment beats the file. */
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDENV", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "secretenv", TRUE);
  g_setenv ("AWS_SESSION_TOKEN", "tokenenv", TRUE);
  c = fa_aws_credentials_resolve (NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->access_key, ==, "AKIDENV");
  g_assert_cmpstr (c->session_token, ==, "tokenenv");
  g_assert_cmpstr (c->source, ==, "environment");
  fa_aws_credentials_free (c);
  g_unsetenv ("AWS_SECRET_ACCESS_KEY");
  g_assert_null (fa_aws_credentials_resolve (NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  /* Explicit values beat everything; half a pair is an error. */
  c = fa_aws_credentials_resolve ("AKIDPROP", "secretprop", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->access_key, ==, "AKIDPROP");
  g_assert_null (c->session_token);
  fa_aws_credentials_free (c);
  g_assert_null (fa_aws_credentials_resolve ("AKIDPROP", NULL, NULL, NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  /* Nothing anywhere. */
  g_unsetenv ("AWS_ACCESS_KEY_ID");
  g_unsetenv ("AWS_PROFILE");
  g_autofree gchar *missing = g_build_filename (dir, "missing", NULL);
  g_setenv ("AWS_SHARED_CREDENTIALS_FILE", missing, TRUE);
  g_assert_null (fa_aws_credentials_resolve (NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "AWS_ACCESS_KEY_ID"));
  g_clear_error (&error);
  fa_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sns/parse-publish", test_parse_publish);
  g_test_add_func ("/sns/classify-errors", test_classify);
  g_test_add_func ("/sns/limits", test_limits);
  g_test_add_func ("/sns/publish-body", test_body);
  g_test_add_func ("/sns/endpoint", test_endpoint);
  g_test_add_func ("/sns/dns-failure", test_dns_failure);
  g_test_add_func ("/credentials/resolve", test_credentials);
  return g_test_run ();
}
