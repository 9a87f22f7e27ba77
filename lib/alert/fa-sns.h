/* facealert: a small Amazon SNS client (query API, Action=Publish) over
 * libcurl, signed with fa-sigv4. Works with AWS SNS and SNS-compatible
 * servers. TLS certificates are always verified.
 *
 * Limits enforced before sending (FA_ERROR_INVALID_ARGUMENT, never retried):
 *   Subject: 1..99 printable ASCII characters, no line breaks;
 *   Message plus attributes: at most 262144 bytes (256 KiB);
 *   MessageDeduplicationId / MessageGroupId: 1..128 characters of
 *   [A-Za-z0-9] and punctuation; required on FIFO topics (ARN ending .fifo).
 *
 * Errors (fa_sns_error_is_retryable() tells them apart):
 *   retryable   FA_ERROR_NETWORK (DNS, connect, TLS, timeouts, HTTP 5xx),
 *               FA_ERROR_THROTTLED (HTTP 429, Throttling codes)
 *   permanent   FA_ERROR_AUTH (403, SignatureDoesNotMatch, InvalidClientTokenId,
 *               AuthorizationError...), FA_ERROR_NOT_FOUND (404, NotFound),
 *               FA_ERROR_INVALID_ARGUMENT (InvalidParameter, bad URL, limits),
 *               FA_ERROR_REMOTE (any other refusal)
 * Messages carry the HTTP status and the SNS error Code, never a secret.
 */
#pragma once

#include <glib.h>

#include "fa-aws-credentials.h"
#include "fa-sigv4.h"

G_BEGIN_DECLS

#define FA_SNS_MAX_MESSAGE_BYTES 262144
#define FA_SNS_MAX_SUBJECT_CHARS 99

typedef struct {
  const gchar *topic_arn;          /* either this... */
  const gchar *phone_number;       /* ...or this (E.164, direct SMS) */
  const gchar *subject;            /* optional */
  const gchar *message;
  gboolean json_structure;         /* MessageStructure=json */
  const gchar * const *attributes; /* NULL or name, value, ..., NULL (String) */
  const gchar *deduplication_id;   /* FIFO topics */
  const gchar *group_id;           /* FIFO topics */
} FaSnsMessage;

typedef struct _FaSnsClient FaSnsClient;

/* @endpoint: NULL or "" for https://sns.REGION.amazonaws.com/. Fails with
 * FA_ERROR_INVALID_ARGUMENT for a URL that is not http(s)://host[:port]/... */
FaSnsClient *fa_sns_client_new (const gchar *endpoint, const gchar *region,
    const FaAwsCredentials *credentials, GError **error);
void fa_sns_client_free (FaSnsClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaSnsClient, fa_sns_client_free)

const gchar *fa_sns_client_get_endpoint (FaSnsClient *client);
void fa_sns_client_set_timeout (FaSnsClient *client, guint timeout_ms);
/* Makes an in-flight request stop as soon as possible (any thread). */
void fa_sns_client_cancel (FaSnsClient *client);

/* The signed Publish request this client would send (@now: NULL = now). */
FaSigv4Request *fa_sns_client_signed_request (FaSnsClient *client,
    const FaSnsMessage *message, GDateTime *now);

/* Publishes; returns the MessageId. Never retries by itself. */
gchar *fa_sns_client_publish (FaSnsClient *client, const FaSnsMessage *message,
    GError **error);

gchar *fa_sns_default_endpoint (const gchar *region);
gboolean fa_sns_topic_is_fifo (const gchar *topic_arn);
gboolean fa_sns_message_validate (const FaSnsMessage *message, GError **error);
/* The form-encoded body of a Publish request. */
gchar *fa_sns_publish_body (const FaSnsMessage *message);

/* Response parsing. Both return FALSE on a document that is not SNS XML. */
gboolean fa_sns_parse_publish_response (const gchar *xml, gssize length,
    gchar **message_id);
gboolean fa_sns_parse_error_response (const gchar *xml, gssize length,
    gchar **code, gchar **message);
/* The error for an HTTP status and SNS error code/message (code may be NULL). */
GError *fa_sns_error_new (long http_status, const gchar *code, const gchar *message);
gboolean fa_sns_error_is_retryable (const GError *error);
/* A short code for an error message made by this client (as an outbox
 * stores it): the SNS error Code ("NotFound", "SignatureDoesNotMatch"...),
 * "HTTP 503" when SNS gave none; for transport failures "DNSFailure",
 * "ConnectFailure", "Timeout", "TLSFailure", "BadEndpoint", "Cancelled",
 * "NetworkError"; "NoMessageId" for a 2xx without MessageId; "InvalidMessage"
 * for a message refused before sending (SNS limits); else "Error".
 * NULL for NULL. */
gchar *fa_sns_error_code (const gchar *message);

G_END_DECLS
