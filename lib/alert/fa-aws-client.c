/* facealert: what the SNS and Kinesis clients share. See fa-aws-client.h. */
#include "fa-aws-client.h"

#include <string.h>

gchar *
fa_aws_default_endpoint (const gchar *host_prefix, const gchar *region)
{
  return g_strdup_printf ("https://%s.%s.amazonaws.com/", host_prefix,
      region != NULL && *region != '\0' ? region : "us-east-1");
}

gboolean
fa_aws_client_init (FaAwsClient *client, const gchar *service,
    const gchar *host_prefix, const gchar *user_agent, const gchar *endpoint,
    const gchar *region, const FaAwsCredentials *credentials, GError **error)
{
  g_return_val_if_fail (credentials != NULL, FALSE);
  if (region == NULL || *region == '\0')
    region = "us-east-1";
  g_autofree gchar *url = endpoint != NULL && *endpoint != '\0'
      ? g_strdup (endpoint) : fa_aws_default_endpoint (host_prefix, region);

  FaAwsEndpoint parsed;
  g_autofree gchar *why = NULL;
  if (!fa_aws_endpoint_parse (url, &parsed, &why)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "bad %s endpoint \"%s\": expected http(s)://host[:port]/ "
        "(e.g. https://%s.us-east-1.amazonaws.com/)%s%s", service, url,
        host_prefix, why != NULL ? ": " : "", why != NULL ? why : "");
    return FALSE;
  }
  client->endpoint = parsed;
  client->region = g_strdup (region);
  client->credentials = fa_aws_credentials_copy (credentials);
  client->timeout_ms = 15000;
  client->http = fa_aws_http_new (user_agent);
  return TRUE;
}

void
fa_aws_client_clear (FaAwsClient *client)
{
  fa_aws_http_free (client->http);
  fa_aws_endpoint_clear (&client->endpoint);
  g_free (client->region);
  fa_aws_credentials_free (client->credentials);
  memset (client, 0, sizeof *client);
}

static gboolean
code_in (const gchar *code, const gchar *const *list)
{
  return code != NULL && list != NULL && g_strv_contains (list, code);
}

FaErrorCode
fa_aws_error_kind (long status, const gchar *code, const FaAwsErrorCodes *codes)
{
  if (status == 429 || code_in (code, codes->throttled))
    return FA_ERROR_THROTTLED;
  if (status >= 500 || code_in (code, codes->server))
    return FA_ERROR_NETWORK;
  if (code_in (code, codes->auth) || status == 401 || status == 403)
    return FA_ERROR_AUTH;
  if (code_in (code, codes->not_found) || status == 404)
    return FA_ERROR_NOT_FOUND;
  if (code_in (code, codes->invalid))
    return FA_ERROR_INVALID_ARGUMENT;
  return FA_ERROR_REMOTE;
}

const gchar *
fa_aws_error_hint (FaErrorCode kind, const gchar *not_found_hint)
{
  switch (kind) {
    case FA_ERROR_AUTH:
      return " (check the access key, secret key, session token, region and clock)";
    case FA_ERROR_NOT_FOUND:
      return not_found_hint;
    case FA_ERROR_THROTTLED:
    case FA_ERROR_NETWORK:
      return " (will retry)";
    default:
      return "";
  }
}

gboolean
fa_aws_error_is_retryable (const GError *error)
{
  return error != NULL && error->domain == FA_ERROR
      && (error->code == FA_ERROR_NETWORK || error->code == FA_ERROR_THROTTLED);
}

GError *
fa_aws_transport_error (const FaAwsClient *client, const gchar *what,
    const FaAwsHttpFailure *failure)
{
  return g_error_new (FA_ERROR, failure->kind, "%s to %s failed: %s: %s%s",
      what, client->endpoint.url, failure->what, failure->detail,
      failure->kind == FA_ERROR_NETWORK ? " (will retry)" : "");
}
