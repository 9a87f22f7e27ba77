/* facealert serve: the AWS API front: SigV4 verification of every request,
 * the JSON 1.1 (Rekognition, X-Amz-Target) and REST-JSON (Kinesis Video,
 * one path per operation) framing, and AWS's error shapes. See serve-aws.h. */
#include "serve-aws.h"
#include "serve-json.h"
#include "fa-error.h"
#include "fa-sigv4-verify.h"

#include <string.h>

#define REKOGNITION_TARGET_PREFIX "RekognitionService."
#define JSON_11 "application/x-amz-json-1.1"

gboolean
fa_serve_aws_is_kvs_path (const gchar *path)
{
  for (guint i = 0; fa_serve_kvs_ops[i].name != NULL; i++)
    if (g_str_equal (path, fa_serve_kvs_ops[i].name))
      return TRUE;
  return FALSE;
}

gboolean
fa_serve_call_fail (FaServeCall *call, guint status, const gchar *code,
    const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_free (call->error_message);
  call->error_message = g_strdup_vprintf (format, args);
  va_end (args);
  g_free (call->error_code);
  call->error_code = g_strdup (code);
  call->error_status = status;
  return FALSE;
}

gboolean
fa_serve_call_fail_error (FaServeCall *call, GError *error)
{
  const gchar *code = call->kvs ? "InternalFailure" : "InternalServerError";
  guint status = 500;
  if (error->domain == FA_ERROR) {
    switch (error->code) {
      case FA_ERROR_NOT_FOUND:
        code = "ResourceNotFoundException";
        status = call->kvs ? 404 : 400;
        break;
      case FA_ERROR_INVALID_ARGUMENT:
      case FA_ERROR_NO_FACE:
        code = call->kvs ? "InvalidArgumentException" : "InvalidParameterException";
        status = 400;
        break;
      case FA_ERROR_BAD_IMAGE:
        code = call->kvs ? "InvalidArgumentException" : "InvalidImageFormatException";
        status = 400;
        break;
      case FA_ERROR_EXISTS:
        code = call->kvs ? "ResourceInUseException" : "ResourceAlreadyExistsException";
        status = 400;
        break;
      case FA_ERROR_BUSY:
      case FA_ERROR_THROTTLED:
        code = call->kvs ? "ClientLimitExceededException" : "ThrottlingException";
        status = 400;
        break;
      case FA_ERROR_AUTH:
        code = call->kvs ? "NotAuthorizedException" : "AccessDeniedException";
        status = call->kvs ? 401 : 400;
        break;
      default:
        break;
    }
  }
  fa_serve_call_fail (call, status, code, "%s", error->message);
  g_error_free (error);
  return FALSE;
}

/* AWS's error answer: the code in the body (__type, as JSON 1.1 clients read
 * it) and in x-amzn-ErrorType (as REST-JSON clients read it). */
static void
set_error (FaServeResponse *response, gboolean kvs, guint status, const gchar *code,
    const gchar *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  fa_serve_json_add_string (b, "__type", code);
  fa_serve_json_add_string (b, kvs ? "message" : "Message", message);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree gchar *text = json_to_string (root, FALSE);
  fa_serve_response_set_text (response, status, kvs ? "application/json" : JSON_11, text);
  fa_serve_response_add_header (response, "x-amzn-ErrorType", code);
}

static const gchar *
verdict_code (FaSigv4Verdict verdict)
{
  switch (verdict) {
    case FA_SIGV4_MISSING: return "MissingAuthenticationTokenException";
    case FA_SIGV4_MALFORMED: return "IncompleteSignatureException";
    case FA_SIGV4_UNKNOWN_KEY: return "UnrecognizedClientException";
    default: return "InvalidSignatureException";
  }
}

/* FALSE (and the 403 answer set) unless @request is signed with our key. */
static gboolean
check_signature (FaServe *serve, const FaServeRequest *request, const gchar *service,
    gboolean kvs, FaServeResponse *response)
{
  g_autoptr (FaSigv4Request) signed_request = fa_sigv4_request_new (request->method,
      request->path, request->query);
  for (guint i = 0; i + 1 < request->headers->len; i += 2)
    fa_sigv4_request_add_header (signed_request, g_ptr_array_index (request->headers, i),
        g_ptr_array_index (request->headers, i + 1));
  if (request->body != NULL)
    signed_request->body = g_bytes_ref (request->body);
  GError *error = NULL;
  FaSigv4Verdict verdict = fa_sigv4_verify (signed_request, serve->api_key, service,
      NULL, FA_SIGV4_MAX_SKEW_S, NULL, &error);
  if (verdict == FA_SIGV4_OK)
    return TRUE;
  const gchar *code = verdict_code (verdict);
  g_message ("refused an API request from %s: %s", request->remote, code);
  set_error (response, kvs, 403, code, error->message);
  g_error_free (error);
  return FALSE;
}

void
fa_serve_aws_handle (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
{
  gboolean kvs = fa_serve_aws_is_kvs_path (request->path);
  g_autofree gchar *request_id = g_uuid_string_random ();
  fa_serve_response_add_header (response, "x-amzn-RequestId", request_id);
  if (!check_signature (serve, request, kvs ? "kinesisvideo" : "rekognition", kvs,
          response))
    return;

  FaServeOp op = NULL;
  if (kvs) {
    for (guint i = 0; fa_serve_kvs_ops[i].name != NULL; i++)
      if (g_str_equal (request->path, fa_serve_kvs_ops[i].name))
        op = fa_serve_kvs_ops[i].op;
  } else {
    const gchar *target = fa_serve_request_header (request, "X-Amz-Target");
    if (target == NULL || !g_str_has_prefix (target, REKOGNITION_TARGET_PREFIX)) {
      set_error (response, FALSE, 400, "UnknownOperationException", target == NULL
          ? "X-Amz-Target is missing" : "this server speaks RekognitionService and "
          "Kinesis Video Streams only");
      return;
    }
    const gchar *name = target + strlen (REKOGNITION_TARGET_PREFIX);
    for (guint i = 0; fa_serve_rekognition_ops[i].name != NULL; i++)
      if (g_str_equal (name, fa_serve_rekognition_ops[i].name))
        op = fa_serve_rekognition_ops[i].op;
    if (op == NULL) {
      g_autofree gchar *message = g_strdup_printf ("%s is not supported by facealert "
          "serve", name);
      set_error (response, FALSE, 400, "UnknownOperationException", message);
      return;
    }
  }

  GError *error = NULL;
  g_autoptr (JsonNode) input = fa_serve_json_parse_object (request->body, &error);
  if (input == NULL) {
    set_error (response, kvs, 400, kvs ? "InvalidArgumentException"
        : "SerializationException", error->message);
    g_error_free (error);
    return;
  }
  FaServeCall call = {
    .serve = serve, .kvs = kvs, .input = json_node_get_object (input),
    .output = json_builder_new (),
  };
  json_builder_begin_object (call.output);
  if (!op (&call)) {
    set_error (response, kvs, call.error_status ? call.error_status : 500,
        call.error_code ? call.error_code : "InternalServerError",
        call.error_message ? call.error_message : "internal error");
  } else if (call.raw_body != NULL) {
    fa_serve_response_set (response, 200, call.raw_type, call.raw_body);
  } else {
    json_builder_end_object (call.output);
    g_autoptr (JsonNode) root = json_builder_get_root (call.output);
    g_autofree gchar *text = json_to_string (root, FALSE);
    fa_serve_response_set_text (response, 200, kvs ? "application/json" : JSON_11, text);
  }
  g_object_unref (call.output);
  g_free (call.raw_type);
  g_clear_pointer (&call.raw_body, g_bytes_unref);
  g_free (call.error_code);
  g_free (call.error_message);
}

JsonNode *
fa_serve_aws_call (FaServe *serve, const gchar *name, JsonObject *input,
    guint *status, gchar **code, gchar **message)
{
  FaServeOp op = NULL;
  for (guint i = 0; fa_serve_rekognition_ops[i].name != NULL; i++)
    if (g_str_equal (name, fa_serve_rekognition_ops[i].name))
      op = fa_serve_rekognition_ops[i].op;
  g_return_val_if_fail (op != NULL, NULL);
  FaServeCall call = {
    .serve = serve, .input = input, .output = json_builder_new (),
  };
  json_builder_begin_object (call.output);
  JsonNode *result = NULL;
  if (op (&call)) {
    json_builder_end_object (call.output);
    result = json_builder_get_root (call.output);
  } else {
    *status = call.error_status;
    *code = g_steal_pointer (&call.error_code);
    *message = g_steal_pointer (&call.error_message);
  }
  g_object_unref (call.output);
  g_free (call.error_code);
  g_free (call.error_message);
  return result;
}
