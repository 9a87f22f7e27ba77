/* facealert: verifying AWS Signature Version 4 (header form), the server side
 * of fa-sigv4.h: the same canonical request, string to sign and signing key,
 * computed over the headers the client says it signed.
 *
 * What a server needs besides the HMAC: the Authorization header parsed
 * (access key, credential scope, signed headers, signature), the request time
 * (X-Amz-Date, else Date) within a skew window, the scope's date equal to the
 * request's, the Host header signed, and a constant-time comparison. Each
 * refusal has its own verdict so the caller can answer with AWS's error
 * (MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException, InvalidSignatureException); the message never
 * contains the secret, nor the signature we expected.
 */
#pragma once

#include <glib.h>

#include "fa-aws-credentials.h"
#include "fa-sigv4.h"

G_BEGIN_DECLS

/* AWS's window: a request dated more than 15 minutes away is refused. */
#define FA_SIGV4_MAX_SKEW_S (15 * 60)

typedef enum {
  FA_SIGV4_OK,
  FA_SIGV4_MISSING,          /* no Authorization header */
  FA_SIGV4_MALFORMED,        /* not AWS4-HMAC-SHA256, missing parts, no date,
                              * scope date differs, Host not signed */
  FA_SIGV4_UNKNOWN_KEY,      /* signed with another access key */
  FA_SIGV4_WRONG_SERVICE,    /* scope names another service */
  FA_SIGV4_STALE,            /* dated outside the skew window */
  FA_SIGV4_BAD_SIGNATURE,    /* the signature does not match */
} FaSigv4Verdict;

typedef struct {
  gchar *access_key;
  gchar *date;               /* YYYYMMDD of the credential scope */
  gchar *region;
  gchar *service;
  gchar **signed_headers;    /* lowercase names, as listed */
  gchar *signature;          /* 64 lowercase hex digits */
} FaSigv4Authorization;

void fa_sigv4_authorization_clear (FaSigv4Authorization *auth);

/* Parses "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
 * SignedHeaders=a;b, Signature=HEX". FALSE with a reason in @error. */
gboolean fa_sigv4_parse_authorization (const gchar *value,
    FaSigv4Authorization *auth, GError **error);

/* Verifies @request (decoded path, raw query, every received header, the
 * body) against @key (its access_key and secret_key) for @service (NULL:
 * any) at @now (NULL: the current time), allowing @max_skew_s seconds of
 * clock difference. On anything but FA_SIGV4_OK, @error says why in one line
 * safe to send back. @auth (optional) receives the parsed header on
 * success and on every verdict after parsing. */
FaSigv4Verdict fa_sigv4_verify (const FaSigv4Request *request,
    const FaAwsCredentials *key, const gchar *service, GDateTime *now,
    gint64 max_skew_s, FaSigv4Authorization *auth, GError **error);

G_END_DECLS
