/* facealert: one SigV4-signed POST to an AWS endpoint over libcurl, shared
 * by the SNS and Kinesis clients: the endpoint URL checked and split, TLS
 * certificates always verified, the signed headers wiped after use, a
 * request cancellable from any thread, transport failures classified. */
#pragma once

#include <glib.h>

#include "fa-error.h"
#include "fa-sigv4.h"

G_BEGIN_DECLS

typedef struct {
  gchar *url;       /* as given */
  gchar *host;      /* host[:port]: the Host header */
  gchar *path;      /* "/" when the URL has none */
} FaAwsEndpoint;

/* Splits @url, an http(s)://host[:port]/path URL. FALSE when it is not one;
 * *@why (optional, owned) then says what GUri found wrong, or NULL. */
gboolean fa_aws_endpoint_parse (const gchar *url, FaAwsEndpoint *endpoint,
    gchar **why);
void fa_aws_endpoint_clear (FaAwsEndpoint *endpoint);

typedef struct _FaAwsHttp FaAwsHttp;

/* One connection (kept alive between requests), used by one thread at a time. */
FaAwsHttp *fa_aws_http_new (const gchar *user_agent);
void fa_aws_http_free (FaAwsHttp *http);
/* Makes a request in flight stop as soon as possible (any thread), and every
 * later one fail at once. */
void fa_aws_http_cancel (FaAwsHttp *http);
gboolean fa_aws_http_cancelled (FaAwsHttp *http);

typedef struct {
  long status;
  GString *body;          /* at most the @max_body bytes asked for */
  gboolean truncated;     /* the body was longer */
  gchar *error_type;      /* the x-amzn-ErrorType header, or NULL */
} FaAwsHttpResponse;

void fa_aws_http_response_clear (FaAwsHttpResponse *response);

/* A transport failure: no HTTP answer. */
typedef struct {
  FaErrorCode kind;       /* FA_ERROR_NETWORK (retry) or FA_ERROR_INVALID_ARGUMENT */
  const gchar *what;      /* "DNS lookup failed", "cannot connect", "timed out",
                           * "TLS failure", "cancelled", "bad endpoint URL",
                           * "network error" */
  gchar *detail;          /* libcurl's text (owned) */
} FaAwsHttpFailure;

void fa_aws_http_failure_clear (FaAwsHttpFailure *failure);

/* POSTs @request (signed; its headers and body) to @url, within @timeout_ms
 * (connecting within min(5 s, @timeout_ms)). TRUE when an HTTP answer came,
 * whatever its status (@response filled); else FALSE with @failure filled. */
gboolean fa_aws_http_post (FaAwsHttp *http, const gchar *url,
    const FaSigv4Request *request, guint timeout_ms, gsize max_body,
    FaAwsHttpResponse *response, FaAwsHttpFailure *failure);

G_END_DECLS
