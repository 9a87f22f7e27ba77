/* facealert serve: the SoupServer, routing, request limits and the worker
 * pool (see serve.h).
 *
 * Routes (everything else is 404):
 *   POST /  with X-Amz-Target        AWS JSON 1.1 (Rekognition)    SigV4
 *   POST /listStreams, /getClip, ...  AWS REST-JSON (KVS)           SigV4
 *   GET  /                           the page, or the login form
 *   POST /login, POST /logout        session cookie (+ CSRF for logout)
 *   GET  /static/...                 the page's files               session
 *   GET|POST|DELETE /ui/...          the page's data and media      session
 *                                                                   (+ CSRF)
 * Bodies larger than FA_SERVE_MAX_BODY (FA_SERVE_MAX_LOGIN_BODY for the
 * login) or without a Content-Length are refused before they are read.
 */
#include "serve.h"
#include "fa-error.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

/* ---- requests and responses ------------------------------------------- */

const gchar *
fa_serve_request_header (const FaServeRequest *request, const gchar *name)
{
  for (guint i = 0; i + 1 < request->headers->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (request->headers, i), name) == 0)
      return g_ptr_array_index (request->headers, i + 1);
  return NULL;
}

const gchar *
fa_serve_request_param (const FaServeRequest *request, const gchar *name)
{
  return request->params != NULL ? g_hash_table_lookup (request->params, name) : NULL;
}

void
fa_serve_response_set (FaServeResponse *response, guint status,
    const gchar *content_type, GBytes *body)
{
  response->status = status;
  g_free (response->content_type);
  response->content_type = g_strdup (content_type);
  if (response->body != NULL)
    g_bytes_unref (response->body);
  response->body = body != NULL ? g_bytes_ref (body) : NULL;
}

void
fa_serve_response_set_text (FaServeResponse *response, guint status,
    const gchar *content_type, const gchar *text)
{
  g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));
  fa_serve_response_set (response, status, content_type, body);
}

void
fa_serve_response_set_json (FaServeResponse *response, guint status, JsonNode *node)
{
  g_autofree gchar *text = json_to_string (node, FALSE);
  fa_serve_response_set_text (response, status, "application/json", text);
}

void
fa_serve_response_add_header (FaServeResponse *response, const gchar *name,
    const gchar *value)
{
  g_ptr_array_add (response->headers, g_strdup (name));
  g_ptr_array_add (response->headers, g_strdup (value));
}

/* ---- worker threads ---------------------------------------------------- */

typedef struct {
  FaCollectionStore *store;
  FaSightingStore *sightings;
  GHashTable *analyzers;       /* model name -> FaFaceAnalyzer */
} Worker;

static void
worker_free (gpointer data)
{
  Worker *worker = data;
  fa_collection_store_close (worker->store);
  fa_sighting_store_close (worker->sightings);
  g_clear_pointer (&worker->analyzers, g_hash_table_unref);
  g_free (worker);
}

static GPrivate worker_key = G_PRIVATE_INIT (worker_free);

static Worker *
this_worker (void)
{
  Worker *worker = g_private_get (&worker_key);
  if (worker == NULL) {
    worker = g_new0 (Worker, 1);
    worker->analyzers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        (GDestroyNotify) fa_face_analyzer_free);
    g_private_set (&worker_key, worker);
  }
  return worker;
}

FaCollectionStore *
fa_serve_worker_store (FaServe *serve, GError **error)
{
  Worker *worker = this_worker ();
  if (worker->store == NULL)
    worker->store = fa_collection_store_open (serve->collections_dir, TRUE, 0, error);
  return worker->store;
}

FaSightingStore *
fa_serve_worker_sightings (FaServe *serve, GError **error)
{
  Worker *worker = this_worker ();
  /* Not created here: facematch makes it; until then there is none. */
  if (worker->sightings == NULL)
    worker->sightings = fa_sighting_store_open (serve->sightings_dir, FALSE, 0, error);
  return worker->sightings;
}

FaFaceAnalyzer *
fa_serve_worker_analyzer (FaServe *serve, const gchar *model_name, GError **error)
{
  Worker *worker = this_worker ();
  const gchar *key = model_name != NULL ? model_name : "";
  FaFaceAnalyzer *analyzer = g_hash_table_lookup (worker->analyzers, key);
  if (analyzer == NULL) {
    analyzer = fa_face_analyzer_new (model_name, error);
    if (analyzer != NULL)
      g_hash_table_insert (worker->analyzers, g_strdup (key), analyzer);
  }
  return analyzer;
}

typedef void (*Handler) (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);

typedef struct {
  FaServe *serve;
  SoupServerMessage *msg;
  gboolean gone;               /* the client went away (main thread only) */
  gulong finished_id;
  Handler handler;
  FaServeRequest request;
  FaServeResponse response;
} Job;

static GMainContext *main_context;
static gboolean stopping;      /* main thread only: the server is going away */

static void
job_free (Job *job)
{
  FaServeRequest *rq = &job->request;
  g_free (rq->method);
  g_free (rq->path);
  g_free (rq->query);
  g_clear_pointer (&rq->params, g_hash_table_unref);
  g_ptr_array_unref (rq->headers);
  g_clear_pointer (&rq->body, g_bytes_unref);
  g_free (rq->remote);
  g_free (rq->session_id);
  FaServeResponse *rs = &job->response;
  g_free (rs->content_type);
  g_clear_pointer (&rs->body, g_bytes_unref);
  g_ptr_array_unref (rs->headers);
  if (job->finished_id != 0)
    g_signal_handler_disconnect (job->msg, job->finished_id);
  g_object_unref (job->msg);
  g_free (job);
}

/* Headers every answer carries: no caching of private data, no sniffing, no
 * framing, no referrer leaking a stream or alert id. */
static void
add_common_headers (SoupMessageHeaders *headers, gboolean tls)
{
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  /* same-origin, not no-referrer: with no-referrer browsers send "Origin:
   * null" on the page's own form posts, which the origin check refuses. */
  soup_message_headers_replace (headers, "Referrer-Policy", "same-origin");
  if (tls)
    soup_message_headers_replace (headers, "Strict-Transport-Security", "max-age=31536000");
}

static void
send_response (FaServe *serve, SoupServerMessage *msg, FaServeResponse *response)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  add_common_headers (headers, serve->tls);
  for (guint i = 0; i + 1 < response->headers->len; i += 2)
    soup_message_headers_append (headers, g_ptr_array_index (response->headers, i),
        g_ptr_array_index (response->headers, i + 1));
  gsize size = 0;
  const gchar *data = response->body != NULL
      ? g_bytes_get_data (response->body, &size) : NULL;
  soup_server_message_set_status (msg, response->status != 0 ? response->status : 500,
      NULL);
  if (data != NULL || response->content_type != NULL) {
    SoupMessageBody *body = soup_server_message_get_response_body (msg);
    soup_message_headers_set_content_type (headers,
        response->content_type != NULL ? response->content_type : "text/plain", NULL);
    if (response->body != NULL)
      soup_message_body_append_bytes (body, response->body);
  }
}

static gboolean
job_done (gpointer data)
{
  Job *job = data;
  if (!job->gone && !stopping) {
    send_response (job->serve, job->msg, &job->response);
    soup_server_message_unpause (job->msg);
  }
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_run (gpointer data, gpointer user_data)
{
  Job *job = data;
  job->handler (job->serve, &job->request, &job->response);
  g_main_context_invoke (main_context, job_done, job);
}

static void
on_finished (SoupServerMessage *msg, Job *job)
{
  job->gone = TRUE;
}

static GThreadPool *pool;

/* Copies what a handler needs out of @msg and runs @handler in a worker. */
static void
dispatch (FaServe *serve, SoupServerMessage *msg, GHashTable *query, Handler handler)
{
  Job *job = g_new0 (Job, 1);
  job->serve = serve;
  job->msg = g_object_ref (msg);
  job->handler = handler;
  FaServeRequest *rq = &job->request;
  GUri *uri = soup_server_message_get_uri (msg);
  rq->method = g_strdup (soup_server_message_get_method (msg));
  rq->path = g_strdup (g_uri_get_path (uri));
  rq->query = g_strdup (g_uri_get_query (uri));
  if (query != NULL)
    rq->params = g_hash_table_ref (query);
  rq->headers = g_ptr_array_new_with_free_func (g_free);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value)) {
    g_ptr_array_add (rq->headers, g_strdup (name));
    g_ptr_array_add (rq->headers, g_strdup (value));
  }
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  rq->body = soup_message_body_flatten (body);
  rq->remote = g_strdup (soup_server_message_get_remote_host (msg));
  const char *cookie_header = soup_message_headers_get_list (headers, "Cookie");
  if (cookie_header != NULL) {
    g_autoptr (GHashTable) cookies = soup_header_parse_semi_param_list (cookie_header);
    const gchar *id = g_hash_table_lookup (cookies, FA_SERVE_SESSION_COOKIE);
    rq->session_id = g_strdup (id);
  }
  job->response.headers = g_ptr_array_new_with_free_func (g_free);
  job->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), job);
  soup_server_message_pause (msg);
  g_thread_pool_push (pool, job, NULL);
}

/* ---- routing ----------------------------------------------------------- */

static void
refuse (FaServe *serve, SoupServerMessage *msg, guint status, const gchar *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  add_common_headers (headers, serve->tls);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
      SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_set_status (msg, status, NULL);
}

static gboolean
is_login_path (const gchar *path)
{
  return g_str_equal (path, "/login");
}

/* Answers @status on the raw connection and closes it: libsoup would read
 * the whole body first even with a status set here. */
static void
refuse_unread (FaServe *serve, SoupServerMessage *msg, guint status, const gchar *text)
{
  GIOStream *stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  g_autofree gchar *answer = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
      "Connection: close\r\n\r\n%s", status, soup_status_get_phrase (status),
      strlen (text), text);
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), answer,
      strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
  g_object_unref (stream);
}

/* Before the body is read: refuse what is too large or of unknown length. */
static void
on_headers (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer data)
{
  FaServe *serve = data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  goffset limit = is_login_path (path) ? FA_SERVE_MAX_LOGIN_BODY : FA_SERVE_MAX_BODY;
  if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF) {
    refuse_unread (serve, msg, SOUP_STATUS_LENGTH_REQUIRED,
        "a request body needs a Content-Length\n");
  } else if (encoding == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > limit) {
    g_autofree gchar *text = g_strdup_printf ("request body too large (at most %"
        G_GOFFSET_FORMAT " bytes)\n", limit);
    refuse_unread (serve, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, text);
  }
}

static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer data)
{
  FaServe *serve = data;
  const gchar *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  gboolean post = g_str_equal (method, "POST");

  /* The AWS API: signed requests only, answered in AWS's shapes. */
  if ((post && g_str_equal (path, "/")
          && soup_message_headers_get_one (headers, "X-Amz-Target") != NULL)
      || (post && fa_serve_aws_is_kvs_path (path))) {
    dispatch (serve, msg, query, fa_serve_aws_handle);
    return;
  }
  if (g_str_equal (path, "/") && post) {
    /* Looks like AWS without a target: answer as AWS would. */
    dispatch (serve, msg, query, fa_serve_aws_handle);
    return;
  }

  /* The page. */
  gboolean get = g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  if (get && (g_str_equal (path, "/") || g_str_has_prefix (path, "/static/"))) {
    dispatch (serve, msg, query, fa_serve_web_page);
  } else if (post && is_login_path (path)) {
    dispatch (serve, msg, query, fa_serve_web_login);
  } else if (post && g_str_equal (path, "/logout")) {
    dispatch (serve, msg, query, fa_serve_web_logout);
  } else if (g_str_has_prefix (path, "/ui/")) {
    dispatch (serve, msg, query, fa_serve_web_api);
  } else {
    refuse (serve, msg, SOUP_STATUS_NOT_FOUND, "not found\n");
  }
}

/* ---- running ----------------------------------------------------------- */

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_listen (const gchar *listen, GSocketAddress **address, GError **error)
{
  const gchar *colon = strrchr (listen, ':');
  gchar *end = NULL;
  guint64 port = colon != NULL ? g_ascii_strtoull (colon + 1, &end, 10) : 0;
  if (colon == NULL || colon == listen || end == colon + 1 || *end != '\0'
      || port > 65535) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "--listen must be HOST:PORT "
        "with an IP address, e.g. 127.0.0.1:8080 or 0.0.0.0:8443, not \"%s\"", listen);
    return FALSE;
  }
  g_autofree gchar *host = g_strndup (listen, colon - listen);
  if (host[0] == '[' && host[strlen (host) - 1] == ']') {
    gchar *inner = g_strndup (host + 1, strlen (host) - 2);
    g_free (host);
    host = inner;
  }
  if (g_str_equal (host, "localhost"))
    g_free (g_steal_pointer (&host)), host = g_strdup ("127.0.0.1");
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (host);
  if (inet == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "--listen: \"%s\" is not an "
        "IP address (use 127.0.0.1, 0.0.0.0, ::1 or the machine's LAN address)", host);
    return FALSE;
  }
  *address = g_inet_socket_address_new (inet, (guint16) port);
  return TRUE;
}

int
fa_serve_run (FaServe *serve, const gchar *listen, const gchar *tls_cert,
    const gchar *tls_key)
{
  GError *error = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  if (!parse_listen (listen, &address, &error)) {
    fprintf (stderr, "facealert: %s\n", error->message);
    g_error_free (error);
    return 1;
  }
  g_autoptr (SoupServer) server = soup_server_new ("server-header", "facealert", NULL);
  if (tls_cert != NULL) {
    g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (tls_cert,
        tls_key, &error);
    if (cert == NULL) {
      fprintf (stderr, "facealert: cannot load --tls-cert %s / --tls-key %s: %s\n",
          tls_cert, tls_key, error->message);
      g_error_free (error);
      return 1;
    }
    soup_server_set_tls_certificate (server, cert);
    serve->tls = TRUE;
  }
  main_context = g_main_context_default ();
  pool = g_thread_pool_new (job_run, serve, (gint) MAX (serve->workers, 1), FALSE, NULL);
  soup_server_add_early_handler (server, NULL, on_headers, serve, NULL);
  soup_server_add_handler (server, NULL, on_request, serve, NULL);
  if (!soup_server_listen (server, address, serve->tls ? SOUP_SERVER_LISTEN_HTTPS : 0,
          &error)) {
    fprintf (stderr, "facealert: cannot listen on %s: %s\n", listen, error->message);
    g_error_free (error);
    return 1;
  }
  /* The real port (for --listen HOST:0) and the URL GetDataEndpoint answers. */
  GSList *uris = soup_server_get_uris (server);
  g_autofree gchar *url = uris != NULL ? g_uri_to_string (uris->data) : g_strdup ("?");
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  g_free (serve->base_url);
  serve->base_url = g_strdup (url);
  GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (!g_inet_address_get_is_loopback (inet) && !serve->tls)
    fprintf (stderr, "facealert: warning: serving beyond this machine without TLS: the "
        "password and session cookie cross the network in clear (give --tls-cert and "
        "--tls-key)\n");
  printf ("facealert serve: listening on %s\n", url);
  fflush (stdout);

  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint = g_unix_signal_add (SIGINT, on_signal, loop);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  stopping = TRUE;
  soup_server_disconnect (server);
  /* Queued work is dropped; work under way finishes (it uses @serve). */
  g_thread_pool_free (pool, TRUE, TRUE);
  /* Jobs finished during the wait queued their answers: drop them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  printf ("facealert serve: stopped\n");
  return 0;
}
