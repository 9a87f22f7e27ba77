/* facealert: a small Amazon Kinesis Data Streams client (JSON 1.1 protocol,
 * X-Amz-Target Kinesis_20131202.*) over libcurl, signed with fa-sigv4 as
 * service "kinesis". Works with AWS and Kinesis-compatible servers
 * (kinesalite). TLS certificates are always verified.
 *
 * API limits, checked before sending (FA_ERROR_INVALID_ARGUMENT, never
 * retried): stream names 1..128 of [a-zA-Z0-9_.-]; partition keys 1..256
 * characters; a record's data plus partition key at most 1 MiB; a
 * PutRecords request at most 500 records and 5 MiB (data plus keys).
 *
 * Errors (fa_kinesis_error_is_retryable() tells them apart):
 *   retryable   FA_ERROR_NETWORK (DNS, connect, TLS, timeouts, HTTP 5xx,
 *               InternalFailure, ResourceInUseException: the stream is
 *               being created or resharded), FA_ERROR_THROTTLED
 *               (ProvisionedThroughputExceededException, LimitExceeded,
 *               KMSThrottling, HTTP 429)
 *   permanent   FA_ERROR_AUTH (bad signature, unknown key, expired token,
 *               access denied), FA_ERROR_NOT_FOUND (ResourceNotFound: no
 *               such stream), FA_ERROR_INVALID_ARGUMENT (validation, bad
 *               URL, limits), FA_ERROR_REMOTE (anything else)
 * Messages name the operation, the HTTP status and the Kinesis error type
 * ("Kinesis PutRecords failed: HTTP 400 ResourceNotFoundException: ...");
 * fa_kinesis_error_type() reads the type back. Never a secret.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "fa-aws-credentials.h"
#include "fa-sigv4.h"

G_BEGIN_DECLS

#define FA_KINESIS_MAX_RECORDS_PER_REQUEST 500
#define FA_KINESIS_MAX_REQUEST_BYTES (5 * 1024 * 1024)
#define FA_KINESIS_MAX_RECORD_BYTES (1024 * 1024)
#define FA_KINESIS_MAX_PARTITION_KEY_CHARS 256
#define FA_KINESIS_MAX_STREAM_NAME_CHARS 128

typedef struct _FaKinesisClient FaKinesisClient;

/* A record to put: @data is sent base64-encoded. */
typedef struct {
  const gchar *partition_key;
  const guint8 *data;
  gsize size;
} FaKinesisRecord;

/* What PutRecords said about one record: either sequence_number and shard_id,
 * or error_code (e.g. "ProvisionedThroughputExceededException",
 * "InternalFailure") and error_message. Free with fa_kinesis_put_result_clear(). */
typedef struct {
  gchar *sequence_number;
  gchar *shard_id;
  gchar *error_code;
  gchar *error_message;
} FaKinesisPutResult;

void fa_kinesis_put_result_clear (FaKinesisPutResult *result);
/* Whether a per-record ErrorCode is worth retrying (throughput exceeded,
 * internal failure, KMS throttling: yes; access denied, KMS disabled...: no). */
gboolean fa_kinesis_record_error_is_retryable (const gchar *error_code);

/* @endpoint: NULL or "" for https://kinesis.REGION.amazonaws.com/. Fails with
 * FA_ERROR_INVALID_ARGUMENT for a URL that is not http(s)://host[:port]/... */
FaKinesisClient *fa_kinesis_client_new (const gchar *endpoint, const gchar *region,
    const FaAwsCredentials *credentials, GError **error);
void fa_kinesis_client_free (FaKinesisClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaKinesisClient, fa_kinesis_client_free)

const gchar *fa_kinesis_client_get_endpoint (FaKinesisClient *client);
const gchar *fa_kinesis_client_get_region (FaKinesisClient *client);
const FaAwsCredentials *fa_kinesis_client_get_credentials (FaKinesisClient *client);
void fa_kinesis_client_set_timeout (FaKinesisClient *client, guint timeout_ms);
/* Makes an in-flight request stop as soon as possible and every later one
 * fail at once (any thread). */
void fa_kinesis_client_cancel (FaKinesisClient *client);

gchar *fa_kinesis_default_endpoint (const gchar *region);

/* The signed request this client would send for @operation with @body
 * (@now: NULL = now). */
FaSigv4Request *fa_kinesis_client_signed_request (FaKinesisClient *client,
    const gchar *operation, const gchar *body, GDateTime *now);

/* One call: @operation is "PutRecords", "ListShards", ...; @request a JSON
 * object (not taken). Returns the response object, or NULL with @error.
 * Never retries by itself. */
JsonObject *fa_kinesis_client_call (FaKinesisClient *client,
    const gchar *operation, JsonObject *request, GError **error);

/* PutRecords of @n records (1..500) into @stream. Returns FALSE when the
 * request as a whole failed; else fills @results[0..n-1] (each record's
 * outcome, in order) and returns TRUE, even when some records failed. */
gboolean fa_kinesis_put_records (FaKinesisClient *client, const gchar *stream,
    const FaKinesisRecord *records, guint n, FaKinesisPutResult *results,
    GError **error);

/* ---- limits ---- */
gboolean fa_kinesis_validate_stream_name (const gchar *name, GError **error);
gboolean fa_kinesis_validate_partition_key (const gchar *key, GError **error);
/* A record's size as PutRecords counts it (data plus partition key bytes). */
gsize fa_kinesis_record_cost (const gchar *partition_key, gsize data_size);
gboolean fa_kinesis_validate_record (const gchar *partition_key, gsize data_size,
    GError **error);

/* ---- errors ---- */
/* The error for a failed @operation: HTTP @status and the Kinesis error type
 * (__type, "com.amazonaws...#" prefix removed; may be NULL) and message. */
GError *fa_kinesis_error_new (const gchar *operation, long status,
    const gchar *type, const gchar *message);
gboolean fa_kinesis_error_is_retryable (const GError *error);
/* The Kinesis error type of an error made by this client
 * ("ExpiredIteratorException", ...), or NULL. */
gchar *fa_kinesis_error_type (const GError *error);

G_END_DECLS
