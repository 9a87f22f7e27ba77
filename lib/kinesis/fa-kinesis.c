/* facealert: Kinesis Data Streams JSON 1.1 over libcurl. See fa-kinesis.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-kinesis"
#include "fa-kinesis.h"
#include "fa-aws-client.h"
#include "fa-error.h"

#include <string.h>

#define TARGET_PREFIX "Kinesis_20131202."
#define CONTENT_TYPE "application/x-amz-json-1.1"
/* Largest response kept (GetRecords answers up to 10 MiB). */
#define MAX_RESPONSE_BYTES (16 * 1024 * 1024)

struct _FaKinesisClient {
  FaAwsClient aws;
};

gchar *
fa_kinesis_default_endpoint (const gchar *region)
{
  return fa_aws_default_endpoint ("kinesis", region);
}

FaKinesisClient *
fa_kinesis_client_new (const gchar *endpoint, const gchar *region,
    const FaAwsCredentials *credentials, GError **error)
{
  FaKinesisClient *client = g_new0 (FaKinesisClient, 1);
  if (!fa_aws_client_init (&client->aws, "Kinesis", "kinesis",
          "facealert-kinesis/0.1", endpoint, region, credentials, error))
    g_clear_pointer (&client, g_free);
  return client;
}

void
fa_kinesis_client_free (FaKinesisClient *client)
{
  if (client == NULL)
    return;
  fa_aws_client_clear (&client->aws);
  g_free (client);
}

const gchar *
fa_kinesis_client_get_endpoint (FaKinesisClient *client)
{
  return client->aws.endpoint.url;
}

const gchar *
fa_kinesis_client_get_region (FaKinesisClient *client)
{
  return client->aws.region;
}

const FaAwsCredentials *
fa_kinesis_client_get_credentials (FaKinesisClient *client)
{
  return client->aws.credentials;
}

void
fa_kinesis_client_set_timeout (FaKinesisClient *client, guint timeout_ms)
{
  client->aws.timeout_ms = timeout_ms;
}

void
fa_kinesis_client_cancel (FaKinesisClient *client)
{
  fa_aws_http_cancel (client->aws.http);
}

/* ---- limits ---- */

gboolean
fa_kinesis_validate_stream_name (const gchar *name, GError **error)
{
  gsize n = name != NULL ? strlen (name) : 0;
  gboolean ok = n >= 1 && n <= FA_KINESIS_MAX_STREAM_NAME_CHARS;
  for (gsize i = 0; ok && i < n; i++)
    ok = g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '-'
        || name[i] == '.';
  if (!ok)
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "bad Kinesis stream name \"%s\": 1 to %d letters, digits, '_', '-' "
        "or '.'", name != NULL ? name : "", FA_KINESIS_MAX_STREAM_NAME_CHARS);
  return ok;
}

gboolean
fa_kinesis_validate_partition_key (const gchar *key, GError **error)
{
  if (key == NULL || !g_utf8_validate (key, -1, NULL)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "bad Kinesis partition key: not UTF-8 text");
    return FALSE;
  }
  glong n = g_utf8_strlen (key, -1);
  if (n < 1 || n > FA_KINESIS_MAX_PARTITION_KEY_CHARS) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "Kinesis partition key \"%.40s%s\" is %ld characters; it must be 1 to %d",
        key, n > 40 ? "..." : "", n, FA_KINESIS_MAX_PARTITION_KEY_CHARS);
    return FALSE;
  }
  return TRUE;
}

gsize
fa_kinesis_record_cost (const gchar *partition_key, gsize data_size)
{
  return data_size + (partition_key != NULL ? strlen (partition_key) : 0);
}

gboolean
fa_kinesis_validate_record (const gchar *partition_key, gsize data_size,
    GError **error)
{
  if (!fa_kinesis_validate_partition_key (partition_key, error))
    return FALSE;
  if (data_size == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "empty Kinesis record (a record needs at least one byte of data)");
    return FALSE;
  }
  gsize cost = fa_kinesis_record_cost (partition_key, data_size);
  if (cost > FA_KINESIS_MAX_RECORD_BYTES) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "Kinesis record is %" G_GSIZE_FORMAT " bytes with its partition key; "
        "the limit is %d (1 MiB)", cost, FA_KINESIS_MAX_RECORD_BYTES);
    return FALSE;
  }
  return TRUE;
}

/* ---- errors ---- */

static gboolean
type_in (const gchar *type, const gchar *const *list)
{
  return type != NULL && g_strv_contains (list, type);
}

GError *
fa_kinesis_error_new (const gchar *operation, long status, const gchar *type,
    const gchar *message)
{
  static const gchar *const throttled[] = {
    "ProvisionedThroughputExceededException", "LimitExceededException",
    "KMSThrottlingException", "ThrottlingException", "Throttling",
    "TooManyRequestsException", "RequestLimitExceeded", NULL };
  static const gchar *const retry[] = { "InternalFailure",
    "InternalFailureException", "InternalServerError", "ServiceUnavailable",
    "ServiceUnavailableException", "ResourceInUseException", NULL };
  static const gchar *const auth[] = { "UnrecognizedClientException",
    "InvalidSignatureException", "IncompleteSignatureException",
    "IncompleteSignature", "SignatureDoesNotMatch", "InvalidClientTokenId",
    "AccessDeniedException", "AccessDenied", "ExpiredTokenException",
    "ExpiredToken", "MissingAuthenticationTokenException",
    "MissingAuthenticationToken", "RequestExpired", "InvalidAccessKeyId",
    "KMSAccessDeniedException", NULL };
  static const gchar *const not_found[] = { "ResourceNotFoundException",
    "ResourceNotFound", NULL };
  static const gchar *const invalid[] = { "ValidationException",
    "InvalidArgumentException", "SerializationException",
    "UnknownOperationException", "ExpiredIteratorException",
    "ExpiredNextTokenException", "InvalidParameterException", NULL };

  static const FaAwsErrorCodes codes = { throttled, retry, auth, not_found,
    invalid };

  FaErrorCode kind = fa_aws_error_kind (status, type, &codes);
  const gchar *hint = fa_aws_error_hint (kind, " (check the stream name and "
      "region; create the stream with `aws kinesis create-stream`)");
  return g_error_new (FA_ERROR, kind, "Kinesis %s failed: HTTP %ld %s%s%s%s",
      operation, status, type != NULL ? type : "(no Kinesis error type)",
      message != NULL && *message != '\0' ? ": " : "",
      message != NULL ? message : "", hint);
}

gboolean
fa_kinesis_error_is_retryable (const GError *error)
{
  return fa_aws_error_is_retryable (error);
}

gchar *
fa_kinesis_error_type (const GError *error)
{
  if (error == NULL || error->domain != FA_ERROR
      || !g_str_has_prefix (error->message, "Kinesis "))
    return NULL;
  const gchar *p = strstr (error->message, " failed: HTTP ");
  if (p == NULL)
    return NULL;
  p += strlen (" failed: HTTP ");
  while (g_ascii_isdigit (*p))
    p++;
  if (*p++ != ' ' || *p == '(')
    return NULL;
  gsize n = strcspn (p, ": ");
  return n > 0 ? g_strndup (p, n) : NULL;
}

void
fa_kinesis_put_result_clear (FaKinesisPutResult *result)
{
  g_clear_pointer (&result->sequence_number, g_free);
  g_clear_pointer (&result->shard_id, g_free);
  g_clear_pointer (&result->error_code, g_free);
  g_clear_pointer (&result->error_message, g_free);
}

gboolean
fa_kinesis_record_error_is_retryable (const gchar *error_code)
{
  static const gchar *const permanent[] = { "AccessDeniedException",
    "KMSAccessDeniedException", "KMSDisabledException",
    "KMSInvalidStateException", "KMSNotFoundException", "KMSOptInRequired",
    "ValidationException", "InvalidArgumentException", NULL };
  return !type_in (error_code, permanent);
}

/* ---- transport ---- */

FaSigv4Request *
fa_kinesis_client_signed_request (FaKinesisClient *client, const gchar *operation,
    const gchar *body, GDateTime *now)
{
  g_autofree gchar *target = g_strconcat (TARGET_PREFIX, operation, NULL);
  FaSigv4Request *request = fa_sigv4_request_new ("POST",
      client->aws.endpoint.path, NULL);
  fa_sigv4_request_add_header (request, "Content-Type", CONTENT_TYPE);
  fa_sigv4_request_add_header (request, "Host", client->aws.endpoint.host);
  fa_sigv4_request_add_header (request, "X-Amz-Target", target);
  fa_sigv4_request_set_body (request, body, strlen (body));
  g_free (fa_sigv4_sign (request, client->aws.credentials, client->aws.region,
          "kinesis", now));
  return request;
}

/* The error in a JSON 1.1 error body: {"__type": "...#Type", "message": ...}
 * (also "Message"); the x-amzn-ErrorType header as a fallback. */
static GError *
parse_error (const gchar *operation, long status, const gchar *body, gsize length,
    const gchar *header_type)
{
  g_autofree gchar *type = NULL, *message = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (length > 0 && json_parser_load_from_data (parser, body, length, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    const gchar *t = json_object_get_string_member_with_default (o, "__type", NULL);
    const gchar *m = json_object_get_string_member_with_default (o, "message",
        json_object_get_string_member_with_default (o, "Message", NULL));
    if (t != NULL)
      type = g_strdup (t);
    if (m != NULL)
      message = g_strdup (m);
  }
  if (type == NULL && header_type != NULL && *header_type != '\0')
    type = g_strndup (header_type, strcspn (header_type, ":"));
  if (type != NULL && strchr (type, '#') != NULL) {
    gchar *short_type = g_strdup (strchr (type, '#') + 1);
    g_free (type);
    type = short_type;
  }
  return fa_kinesis_error_new (operation, status, type, message);
}

JsonObject *
fa_kinesis_client_call (FaKinesisClient *client, const gchar *operation,
    JsonObject *request_object, GError **error)
{
  if (fa_aws_http_cancelled (client->aws.http)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NETWORK,
        "Kinesis client is shutting down");
    return NULL;
  }
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (),
      request_object);
  g_autofree gchar *body = json_to_string (node, FALSE);
  g_autoptr (FaSigv4Request) request = fa_kinesis_client_signed_request (client,
      operation, body, NULL);

  FaAwsHttpResponse response;
  FaAwsHttpFailure failure;
  if (!fa_aws_http_post (client->aws.http, client->aws.endpoint.url, request,
          client->aws.timeout_ms, MAX_RESPONSE_BYTES, &response, &failure)) {
    g_autofree gchar *what = g_strconcat ("Kinesis ", operation, NULL);
    g_propagate_error (error, fa_aws_transport_error (&client->aws, what,
            &failure));
    fa_aws_http_failure_clear (&failure);
    return NULL;
  }
  JsonObject *result = NULL;
  if (response.truncated) {
    g_set_error (error, FA_ERROR, FA_ERROR_REMOTE, "Kinesis %s to %s: the "
        "response is over %d MiB", operation, client->aws.endpoint.url,
        MAX_RESPONSE_BYTES / (1024 * 1024));
  } else if (response.status < 200 || response.status >= 300) {
    g_propagate_error (error, parse_error (operation, response.status,
            response.body->str, response.body->len, response.error_type));
  } else if (response.body->len == 0) {
    result = json_object_new ();    /* CreateStream, DeleteStream... answer nothing */
  } else {
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (json_parser_load_from_data (parser, response.body->str,
            response.body->len, NULL) && json_parser_get_root (parser) != NULL
        && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
      result = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    else
      g_set_error (error, FA_ERROR, FA_ERROR_REMOTE, "Kinesis %s to %s: HTTP "
          "%ld but the response is not a JSON object (is this a Kinesis "
          "endpoint?)", operation, client->aws.endpoint.url, response.status);
  }
  fa_aws_http_response_clear (&response);
  return result;
}

gboolean
fa_kinesis_put_records (FaKinesisClient *client, const gchar *stream,
    const FaKinesisRecord *records, guint n, FaKinesisPutResult *results,
    GError **error)
{
  if (!fa_kinesis_validate_stream_name (stream, error))
    return FALSE;
  if (n == 0 || n > FA_KINESIS_MAX_RECORDS_PER_REQUEST) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "PutRecords takes "
        "1 to %d records, not %u", FA_KINESIS_MAX_RECORDS_PER_REQUEST, n);
    return FALSE;
  }
  gsize total = 0;
  for (guint i = 0; i < n; i++) {
    if (!fa_kinesis_validate_record (records[i].partition_key, records[i].size, error))
      return FALSE;
    total += fa_kinesis_record_cost (records[i].partition_key, records[i].size);
  }
  if (total > FA_KINESIS_MAX_REQUEST_BYTES) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "PutRecords "
        "request is %" G_GSIZE_FORMAT " bytes; the limit is %d (5 MiB)", total,
        FA_KINESIS_MAX_REQUEST_BYTES);
    return FALSE;
  }

  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", stream);
  JsonArray *array = json_array_sized_new (n);
  for (guint i = 0; i < n; i++) {
    JsonObject *entry = json_object_new ();
    g_autofree gchar *data = g_base64_encode (records[i].data, records[i].size);
    json_object_set_string_member (entry, "Data", data);
    json_object_set_string_member (entry, "PartitionKey", records[i].partition_key);
    json_array_add_object_element (array, entry);
  }
  json_object_set_array_member (request, "Records", array);

  g_autoptr (JsonObject) response = fa_kinesis_client_call (client, "PutRecords",
      request, error);
  if (response == NULL)
    return FALSE;
  JsonNode *answers_node = json_object_get_member (response, "Records");
  JsonArray *answers = answers_node != NULL && JSON_NODE_HOLDS_ARRAY (answers_node)
      ? json_node_get_array (answers_node) : NULL;
  if (answers == NULL || json_array_get_length (answers) != n) {
    g_set_error (error, FA_ERROR, FA_ERROR_REMOTE, "Kinesis PutRecords to %s: "
        "the response does not list one result per record", client->aws.endpoint.url);
    return FALSE;
  }
  for (guint i = 0; i < n; i++) {
    JsonNode *node = json_array_get_element (answers, i);
    JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    FaKinesisPutResult *r = &results[i];
    memset (r, 0, sizeof *r);
    const gchar *code = o != NULL
        ? json_object_get_string_member_with_default (o, "ErrorCode", NULL) : NULL;
    const gchar *sequence = o != NULL
        ? json_object_get_string_member_with_default (o, "SequenceNumber", NULL) : NULL;
    if (code != NULL || sequence == NULL) {
      r->error_code = g_strdup (code != NULL ? code : "InternalFailure");
      r->error_message = g_strdup (o != NULL
          ? json_object_get_string_member_with_default (o, "ErrorMessage", "")
          : "no result for this record");
    } else {
      r->sequence_number = g_strdup (sequence);
      r->shard_id = g_strdup (json_object_get_string_member_with_default (o,
              "ShardId", ""));
    }
  }
  return TRUE;
}
