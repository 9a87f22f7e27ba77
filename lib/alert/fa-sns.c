/* facealert: SNS Publish over libcurl. See fa-sns.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-sns"
#include "fa-sns.h"
#include "fa-aws-client.h"
#include "fa-error.h"
#include "fa-sigv4.h"

#include <string.h>

/* Largest response read (SNS answers are a few hundred bytes). */
#define MAX_RESPONSE_BYTES (1024 * 1024)

struct _FaSnsClient {
  FaAwsClient aws;
};

gchar *
fa_sns_default_endpoint (const gchar *region)
{
  return fa_aws_default_endpoint ("sns", region);
}

gboolean
fa_sns_topic_is_fifo (const gchar *topic_arn)
{
  return topic_arn != NULL && g_str_has_suffix (topic_arn, ".fifo");
}

FaSnsClient *
fa_sns_client_new (const gchar *endpoint, const gchar *region,
    const FaAwsCredentials *credentials, GError **error)
{
  FaSnsClient *client = g_new0 (FaSnsClient, 1);
  if (!fa_aws_client_init (&client->aws, "SNS", "sns",
          "facealert-alertsink/0.1", endpoint, region, credentials, error))
    g_clear_pointer (&client, g_free);
  return client;
}

void
fa_sns_client_free (FaSnsClient *client)
{
  if (client == NULL)
    return;
  fa_aws_client_clear (&client->aws);
  g_free (client);
}

const gchar *
fa_sns_client_get_endpoint (FaSnsClient *client)
{
  return client->aws.endpoint.url;
}

void
fa_sns_client_set_timeout (FaSnsClient *client, guint timeout_ms)
{
  client->aws.timeout_ms = timeout_ms;
}

void
fa_sns_client_cancel (FaSnsClient *client)
{
  fa_aws_http_cancel (client->aws.http);
}

/* ---- limits and request body ---- */

static gboolean
valid_fifo_id (const gchar *id)
{
  gsize n = id != NULL ? strlen (id) : 0;
  if (n == 0 || n > 128)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (id[i]) && !g_ascii_ispunct (id[i]))
      return FALSE;
  return TRUE;
}

gboolean
fa_sns_message_validate (const FaSnsMessage *message, GError **error)
{
  gboolean has_topic = message->topic_arn != NULL && *message->topic_arn != '\0';
  gboolean has_phone = message->phone_number != NULL && *message->phone_number != '\0';
  if (has_topic == has_phone) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "set exactly one of topic-arn and phone-number");
    return FALSE;
  }
  if (message->message == NULL || *message->message == '\0') {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "empty SNS message");
    return FALSE;
  }
  if (message->subject != NULL) {
    gsize n = strlen (message->subject);
    if (n == 0 || n > FA_SNS_MAX_SUBJECT_CHARS) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "SNS subject is %" G_GSIZE_FORMAT " characters; it must be 1 to %d",
          n, FA_SNS_MAX_SUBJECT_CHARS);
      return FALSE;
    }
    for (gsize i = 0; i < n; i++) {
      guchar c = (guchar) message->subject[i];
      if (c < 0x20 || c > 0x7e) {
        g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
            "SNS subject must be printable ASCII without line breaks "
            "(byte 0x%02x at %" G_GSIZE_FORMAT ")", c, i);
        return FALSE;
      }
    }
  }
  gsize total = strlen (message->message);
  for (guint i = 0; message->attributes != NULL && message->attributes[i] != NULL
      && message->attributes[i + 1] != NULL; i += 2)
    total += strlen (message->attributes[i]) + strlen (message->attributes[i + 1])
        + strlen ("String");
  if (total > FA_SNS_MAX_MESSAGE_BYTES) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "SNS message is %" G_GSIZE_FORMAT " bytes with its attributes; the "
        "limit is %d (256 KiB)", total, FA_SNS_MAX_MESSAGE_BYTES);
    return FALSE;
  }
  if (has_topic && fa_sns_topic_is_fifo (message->topic_arn)) {
    if (!valid_fifo_id (message->deduplication_id) || !valid_fifo_id (message->group_id)) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "FIFO topic %s needs a MessageDeduplicationId and a MessageGroupId "
          "of 1 to 128 letters, digits or punctuation", message->topic_arn);
      return FALSE;
    }
  }
  return TRUE;
}

static void
append_param (GString *body, const gchar *name, const gchar *value)
{
  g_autofree gchar *encoded = fa_sigv4_uri_encode (value, -1, FALSE);
  if (body->len > 0)
    g_string_append_c (body, '&');
  g_string_append_printf (body, "%s=%s", name, encoded);
}

gchar *
fa_sns_publish_body (const FaSnsMessage *message)
{
  GString *body = g_string_new (NULL);
  append_param (body, "Action", "Publish");
  append_param (body, "Version", "2010-03-31");
  if (message->topic_arn != NULL && *message->topic_arn != '\0')
    append_param (body, "TopicArn", message->topic_arn);
  else if (message->phone_number != NULL)
    append_param (body, "PhoneNumber", message->phone_number);
  if (message->subject != NULL)
    append_param (body, "Subject", message->subject);
  append_param (body, "Message", message->message);
  if (message->json_structure)
    append_param (body, "MessageStructure", "json");
  guint entry = 1;
  for (guint i = 0; message->attributes != NULL && message->attributes[i] != NULL
      && message->attributes[i + 1] != NULL; i += 2, entry++) {
    g_autofree gchar *name = g_strdup_printf ("MessageAttributes.entry.%u.Name", entry);
    g_autofree gchar *type = g_strdup_printf ("MessageAttributes.entry.%u.Value.DataType", entry);
    g_autofree gchar *value = g_strdup_printf ("MessageAttributes.entry.%u.Value.StringValue", entry);
    append_param (body, name, message->attributes[i]);
    append_param (body, type, "String");
    append_param (body, value, message->attributes[i + 1]);
  }
  if (fa_sns_topic_is_fifo (message->topic_arn)) {
    if (message->deduplication_id != NULL)
      append_param (body, "MessageDeduplicationId", message->deduplication_id);
    if (message->group_id != NULL)
      append_param (body, "MessageGroupId", message->group_id);
  }
  return g_string_free (body, FALSE);
}

/* ---- response parsing (GMarkup: enough for SNS's flat XML) ---- */

typedef struct {
  GPtrArray *stack;
  GString *text;
  gchar *message_id;
  gchar *code;
  gchar *message;
  gboolean is_error;
} ParseState;

static void
on_start (GMarkupParseContext *context, const gchar *name, const gchar **attr_names,
    const gchar **attr_values, gpointer user_data, GError **error)
{
  ParseState *state = user_data;
  g_ptr_array_add (state->stack, g_strdup (name));
  g_string_truncate (state->text, 0);
  if (g_str_equal (name, "ErrorResponse") || g_str_equal (name, "Error"))
    state->is_error = TRUE;
}

static void
on_end (GMarkupParseContext *context, const gchar *name, gpointer user_data,
    GError **error)
{
  ParseState *state = user_data;
  const gchar *parent = state->stack->len >= 2
      ? g_ptr_array_index (state->stack, state->stack->len - 2) : "";
  gchar **slot = NULL;
  if (g_str_equal (name, "MessageId"))
    slot = &state->message_id;
  else if (g_str_equal (name, "Code") && g_str_equal (parent, "Error"))
    slot = &state->code;
  else if (g_str_equal (name, "Message") && g_str_equal (parent, "Error"))
    slot = &state->message;
  if (slot != NULL && *slot == NULL)
    *slot = g_strstrip (g_strdup (state->text->str));
  g_string_truncate (state->text, 0);
  g_ptr_array_remove_index (state->stack, state->stack->len - 1);
}

static void
on_text (GMarkupParseContext *context, const gchar *text, gsize len,
    gpointer user_data, GError **error)
{
  ParseState *state = user_data;
  g_string_append_len (state->text, text, len);
}

static gboolean
parse_xml (const gchar *xml, gssize length, ParseState *state)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  memset (state, 0, sizeof *state);
  state->stack = g_ptr_array_new_with_free_func (g_free);
  state->text = g_string_new (NULL);
  if (xml == NULL)
    xml = "";
  if (length < 0)
    length = strlen (xml);
  GMarkupParseContext *context = g_markup_parse_context_new (&parser, 0, state, NULL);
  gboolean ok = g_markup_parse_context_parse (context, xml, length, NULL)
      && g_markup_parse_context_end_parse (context, NULL);
  g_markup_parse_context_free (context);
  g_ptr_array_unref (state->stack);
  g_string_free (state->text, TRUE);
  return ok;
}

gboolean
fa_sns_parse_publish_response (const gchar *xml, gssize length, gchar **message_id)
{
  ParseState state;
  gboolean ok = parse_xml (xml, length, &state) && !state.is_error
      && state.message_id != NULL && *state.message_id != '\0';
  *message_id = ok ? g_steal_pointer (&state.message_id) : NULL;
  g_free (state.message_id);
  g_free (state.code);
  g_free (state.message);
  return ok;
}

gboolean
fa_sns_parse_error_response (const gchar *xml, gssize length, gchar **code,
    gchar **message)
{
  ParseState state;
  gboolean ok = parse_xml (xml, length, &state) && state.is_error
      && state.code != NULL && *state.code != '\0';
  *code = ok ? g_steal_pointer (&state.code) : NULL;
  *message = ok ? g_steal_pointer (&state.message) : NULL;
  g_free (state.message_id);
  g_free (state.code);
  g_free (state.message);
  return ok;
}

GError *
fa_sns_error_new (long status, const gchar *code, const gchar *message)
{
  static const gchar *const throttled[] = { "Throttling", "ThrottlingException",
    "ThrottledException", "RequestThrottled", "TooManyRequestsException",
    "RequestLimitExceeded", "SlowDown", NULL };
  static const gchar *const auth[] = { "SignatureDoesNotMatch",
    "InvalidClientTokenId", "IncompleteSignature", "AccessDenied",
    "AccessDeniedException", "AuthorizationError", "ExpiredToken",
    "ExpiredTokenException", "MissingAuthenticationToken",
    "InvalidSignatureException", "UnrecognizedClientException",
    "RequestExpired", "RequestTimeTooSkewed", "InvalidSecurity",
    "KMSAccessDenied", NULL };
  static const gchar *const not_found[] = { "NotFound", "NotFoundException",
    "ResourceNotFound", "ResourceNotFoundException", "EndpointDisabled", NULL };
  static const gchar *const invalid[] = { "InvalidParameter",
    "InvalidParameterValue", "InvalidParameterCombination",
    "MissingParameter", "ParameterValueInvalid", "ValidationError",
    "InvalidAction", "MalformedQueryString", NULL };
  static const gchar *const server[] = { "InternalError", "InternalFailure",
    "ServiceUnavailable", "KMSThrottling", NULL };

  static const FaAwsErrorCodes codes = { throttled, server, auth, not_found,
    invalid };

  FaErrorCode kind = fa_aws_error_kind (status, code, &codes);
  const gchar *hint = fa_aws_error_hint (kind, " (check topic-arn and region)");
  return g_error_new (FA_ERROR, kind, "SNS Publish failed: HTTP %ld %s%s%s%s",
      status, code != NULL ? code : "(no SNS error code)",
      message != NULL && *message != '\0' ? ": " : "",
      message != NULL ? message : "", hint);
}

gboolean
fa_sns_error_is_retryable (const GError *error)
{
  return fa_aws_error_is_retryable (error);
}

/* Reads back the messages made by fa_sns_error_new(), fa_aws_transport_error(),
 * fa_sns_client_publish() and fa_sns_message_validate(): keep in step. */
gchar *
fa_sns_error_code (const gchar *message)
{
  static const struct {
    const gchar *what, *code;
  } transport[] = {
    { "bad endpoint URL", "BadEndpoint" }, { "DNS lookup failed", "DNSFailure" },
    { "cannot connect", "ConnectFailure" }, { "timed out", "Timeout" },
    { "TLS failure", "TLSFailure" }, { "cancelled", "Cancelled" },
    { "network error", "NetworkError" },
  };
  if (message == NULL)
    return NULL;
  const gchar *p;
  if (g_str_has_prefix (message, "SNS Publish failed: HTTP ")) {
    p = message + strlen ("SNS Publish failed: HTTP ");
    gchar *end = NULL;
    guint64 status = g_ascii_strtoull (p, &end, 10);
    if (end == p)
      return g_strdup ("Error");
    p = end + (*end == ' ');
    gsize n = strcspn (p, ": ");
    if (n == 0 || *p == '(')
      return g_strdup_printf ("HTTP %" G_GUINT64_FORMAT, status);
    return g_strndup (p, n);
  }
  if (g_str_has_prefix (message, "SNS Publish to ")) {
    if (strstr (message, " but no MessageId ") != NULL)
      return g_strdup ("NoMessageId");
    if ((p = strstr (message, " failed: ")) != NULL) {
      p += strlen (" failed: ");
      for (guint i = 0; i < G_N_ELEMENTS (transport); i++)
        if (g_str_has_prefix (p, transport[i].what))
          return g_strdup (transport[i].code);
    }
    return g_strdup ("NetworkError");
  }
  if (g_str_has_prefix (message, "SNS client is shutting down"))
    return g_strdup ("Cancelled");
  if (g_str_has_prefix (message, "SNS ") || g_str_has_prefix (message, "FIFO topic ")
      || g_str_has_prefix (message, "empty SNS message")
      || g_str_has_prefix (message, "set exactly one of "))
    return g_strdup ("InvalidMessage");
  return g_strdup ("Error");
}

/* ---- transport ---- */

FaSigv4Request *
fa_sns_client_signed_request (FaSnsClient *client, const FaSnsMessage *message,
    GDateTime *now)
{
  g_autofree gchar *body = fa_sns_publish_body (message);
  FaSigv4Request *request = fa_sigv4_request_new ("POST",
      client->aws.endpoint.path, NULL);
  fa_sigv4_request_add_header (request, "Content-Type",
      "application/x-www-form-urlencoded; charset=utf-8");
  fa_sigv4_request_add_header (request, "Host", client->aws.endpoint.host);
  fa_sigv4_request_set_body (request, body, strlen (body));
  g_free (fa_sigv4_sign (request, client->aws.credentials, client->aws.region,
          "sns", now));
  return request;
}

gchar *
fa_sns_client_publish (FaSnsClient *client, const FaSnsMessage *message,
    GError **error)
{
  if (!fa_sns_message_validate (message, error))
    return NULL;
  if (fa_aws_http_cancelled (client->aws.http)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NETWORK, "SNS client is shutting down");
    return NULL;
  }
  g_autoptr (FaSigv4Request) request = fa_sns_client_signed_request (client,
      message, NULL);
  FaAwsHttpResponse response;
  FaAwsHttpFailure failure;
  if (!fa_aws_http_post (client->aws.http, client->aws.endpoint.url, request,
          client->aws.timeout_ms, MAX_RESPONSE_BYTES, &response, &failure)) {
    g_propagate_error (error, fa_aws_transport_error (&client->aws,
            "SNS Publish", &failure));
    fa_aws_http_failure_clear (&failure);
    return NULL;
  }
  gchar *message_id = NULL;
  if (response.status >= 200 && response.status < 300) {
    if (!fa_sns_parse_publish_response (response.body->str, response.body->len,
            &message_id))
      g_set_error (error, FA_ERROR, FA_ERROR_REMOTE,
          "SNS Publish to %s: HTTP %ld but no MessageId in the response "
          "(is this an SNS endpoint?)", client->aws.endpoint.url, response.status);
  } else {
    g_autofree gchar *code = NULL, *text = NULL;
    fa_sns_parse_error_response (response.body->str, response.body->len, &code, &text);
    g_propagate_error (error, fa_sns_error_new (response.status, code, text));
  }
  fa_aws_http_response_clear (&response);
  return message_id;
}
