/* facealert: what the SNS and Kinesis clients share: the endpoint (default
 * https://SERVICE.REGION.amazonaws.com/, checked with a one-line error), the
 * region and credentials requests are signed with, the request timeout and
 * the connection; and how an AWS error answer or a transport failure becomes
 * a FA_ERROR (the same classification order for both, their own codes). */
#pragma once

#include <glib.h>

#include "fa-aws-credentials.h"
#include "fa-aws-http.h"
#include "fa-error.h"

G_BEGIN_DECLS

typedef struct {
  FaAwsEndpoint endpoint;
  gchar *region;
  FaAwsCredentials *credentials;
  guint timeout_ms;
  FaAwsHttp *http;
} FaAwsClient;

/* "https://@host_prefix.REGION.amazonaws.com/" (REGION: us-east-1 when NULL
 * or empty). */
gchar *fa_aws_default_endpoint (const gchar *host_prefix, const gchar *region);

/* Fills @client for @endpoint (NULL or empty: the default endpoint of
 * @host_prefix) and @region (NULL or empty: us-east-1), a 15 s timeout.
 * FALSE with FA_ERROR_INVALID_ARGUMENT "bad @service endpoint ..." when the
 * URL is not http(s)://host[:port]/. */
gboolean fa_aws_client_init (FaAwsClient *client, const gchar *service,
    const gchar *host_prefix, const gchar *user_agent, const gchar *endpoint,
    const gchar *region, const FaAwsCredentials *credentials, GError **error);
void fa_aws_client_clear (FaAwsClient *client);

/* The error codes (NULL-terminated lists) a service answers with. */
typedef struct {
  const gchar *const *throttled;  /* FA_ERROR_THROTTLED, as HTTP 429 */
  const gchar *const *server;     /* FA_ERROR_NETWORK, as HTTP 5xx */
  const gchar *const *auth;       /* FA_ERROR_AUTH, as HTTP 401/403 */
  const gchar *const *not_found;  /* FA_ERROR_NOT_FOUND, as HTTP 404 */
  const gchar *const *invalid;    /* FA_ERROR_INVALID_ARGUMENT */
} FaAwsErrorCodes;

/* The FA_ERROR code of an error answer: throttled, then server, auth, not
 * found, invalid; else FA_ERROR_REMOTE. */
FaErrorCode fa_aws_error_kind (long status, const gchar *code,
    const FaAwsErrorCodes *codes);
/* What a message of that @kind ends with: what to check, or " (will retry)";
 * @not_found_hint for FA_ERROR_NOT_FOUND. */
const gchar *fa_aws_error_hint (FaErrorCode kind, const gchar *not_found_hint);
/* FA_ERROR_NETWORK or FA_ERROR_THROTTLED. */
gboolean fa_aws_error_is_retryable (const GError *error);

/* "@what to URL failed: WHY: DETAIL" (+ " (will retry)"), for a request
 * that got no HTTP answer; @what: "SNS Publish", "Kinesis PutRecords". */
GError *fa_aws_transport_error (const FaAwsClient *client, const gchar *what,
    const FaAwsHttpFailure *failure);

G_END_DECLS
