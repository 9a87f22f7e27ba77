/* facealert: a signed POST to an AWS endpoint. See fa-aws-http.h. */
#include "fa-aws-http.h"
#include "fa-secret.h"

#include <curl/curl.h>
#include <string.h>

struct _FaAwsHttp {
  CURL *curl;
  gchar *user_agent;
  gint cancelled;
};

gboolean
fa_aws_endpoint_parse (const gchar *url, FaAwsEndpoint *endpoint, gchar **why)
{
  memset (endpoint, 0, sizeof *endpoint);
  if (why != NULL)
    *why = NULL;
  GError *local = NULL;
  g_autoptr (GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, &local) : NULL;
  const gchar *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_ascii_strcasecmp (scheme, "http") != 0
          && g_ascii_strcasecmp (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    if (why != NULL && local != NULL)
      *why = g_strdup (local->message);
    g_clear_error (&local);
    return FALSE;
  }
  endpoint->url = g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    endpoint->host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    endpoint->host = g_strdup (g_uri_get_host (uri));
  endpoint->path = g_strdup (*g_uri_get_path (uri) != '\0' ? g_uri_get_path (uri) : "/");
  return TRUE;
}

void
fa_aws_endpoint_clear (FaAwsEndpoint *endpoint)
{
  g_clear_pointer (&endpoint->url, g_free);
  g_clear_pointer (&endpoint->host, g_free);
  g_clear_pointer (&endpoint->path, g_free);
}

FaAwsHttp *
fa_aws_http_new (const gchar *user_agent)
{
  static gsize initialized = 0;
  if (g_once_init_enter (&initialized)) {
    curl_global_init (CURL_GLOBAL_DEFAULT);
    g_once_init_leave (&initialized, 1);
  }
  FaAwsHttp *http = g_new0 (FaAwsHttp, 1);
  http->curl = curl_easy_init ();
  http->user_agent = g_strdup (user_agent);
  return http;
}

void
fa_aws_http_free (FaAwsHttp *http)
{
  if (http == NULL)
    return;
  if (http->curl != NULL)
    curl_easy_cleanup (http->curl);
  g_free (http->user_agent);
  g_free (http);
}

void
fa_aws_http_cancel (FaAwsHttp *http)
{
  g_atomic_int_set (&http->cancelled, 1);
}

gboolean
fa_aws_http_cancelled (FaAwsHttp *http)
{
  return g_atomic_int_get (&http->cancelled) != 0;
}

void
fa_aws_http_response_clear (FaAwsHttpResponse *response)
{
  if (response->body != NULL)
    g_string_free (response->body, TRUE);
  response->body = NULL;
  g_clear_pointer (&response->error_type, g_free);
}

void
fa_aws_http_failure_clear (FaAwsHttpFailure *failure)
{
  g_clear_pointer (&failure->detail, g_free);
}

typedef struct {
  FaAwsHttpResponse *response;
  gsize max_body;
} Sink;

static size_t
on_body (char *data, size_t size, size_t nmemb, void *user_data)
{
  Sink *sink = user_data;
  gsize n = size * nmemb, room = sink->max_body - MIN (sink->max_body,
      sink->response->body->len);
  g_string_append_len (sink->response->body, data, MIN (n, room));
  sink->response->truncated |= n > room;
  return n;
}

static size_t
on_header (char *data, size_t size, size_t nmemb, void *user_data)
{
  FaAwsHttpResponse *response = user_data;
  gsize n = size * nmemb;
  static const gchar name[] = "x-amzn-ErrorType:";
  if (n > strlen (name) && g_ascii_strncasecmp (data, name, strlen (name)) == 0) {
    g_free (response->error_type);
    response->error_type = g_strstrip (g_strndup (data + strlen (name),
            n - strlen (name)));
  }
  return n;
}

static int
on_progress (void *user_data, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
  return fa_aws_http_cancelled (user_data) ? 1 : 0;
}

static void
classify (CURLcode code, FaAwsHttpFailure *failure)
{
  failure->kind = FA_ERROR_NETWORK;
  failure->what = "network error";
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      failure->kind = FA_ERROR_INVALID_ARGUMENT;
      failure->what = "bad endpoint URL";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      failure->what = "DNS lookup failed";
      break;
    case CURLE_COULDNT_CONNECT:
      failure->what = "cannot connect";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      failure->what = "timed out";
      break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      failure->what = "TLS failure";
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      failure->what = "cancelled";
      break;
    default:
      break;
  }
}

gboolean
fa_aws_http_post (FaAwsHttp *http, const gchar *url, const FaSigv4Request *request,
    guint timeout_ms, gsize max_body, FaAwsHttpResponse *response,
    FaAwsHttpFailure *failure)
{
  memset (response, 0, sizeof *response);
  memset (failure, 0, sizeof *failure);
  response->body = g_string_new (NULL);
  gsize body_size = 0;
  const gchar *body = request->body != NULL
      ? g_bytes_get_data (request->body, &body_size) : "";

  struct curl_slist *headers = NULL;
  for (guint i = 0; i + 1 < request->headers->len; i += 2) {
    g_autofree gchar *line = g_strdup_printf ("%s: %s",
        (gchar *) g_ptr_array_index (request->headers, i),
        (gchar *) g_ptr_array_index (request->headers, i + 1));
    headers = curl_slist_append (headers, line);
    fa_secret_wipe (line);
  }
  headers = curl_slist_append (headers, "Expect:");

  CURL *curl = http->curl;
  Sink sink = { response, max_body };
  gchar errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_reset (curl);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POST, 1L);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) body_size);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, response);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, (long) MIN (timeout_ms, 5000));
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, http);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, http->user_agent);

  CURLcode rc = curl_easy_perform (curl);
  curl_slist_free_all (headers);   /* contains the signature and token */
  if (rc != CURLE_OK) {
    classify (rc, failure);
    failure->detail = g_strdup (*errbuf != '\0' ? errbuf : curl_easy_strerror (rc));
    fa_aws_http_response_clear (response);
    return FALSE;
  }
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response->status);
  return TRUE;
}
