/* facealert serve: what the server's files share.
 *
 * One SoupServer (main thread) takes every request, routes it
 * (serve-server.c) and hands the work to a small pool of worker threads, so
 * a slow IndexFaces or GetClip never stalls the page. A worker sees only a
 * FaServeRequest (copied out of libsoup) and fills a FaServeResponse; the
 * main thread sends it. Handlers:
 *   serve-aws.c          SigV4 check, AWS JSON 1.1 / REST-JSON framing, errors
 *   serve-rekognition.c  RekognitionService.* over lib/recognize
 *   serve-kvs.c          Kinesis Video Streams + archived media over the
 *                        stream store and fa-media-export.h
 *   serve-web.c          the page: login, logout, static files (GResource)
 *   serve-web-api.c      the page's JSON and media (/ui/...): routing, faces
 *   serve-web-alerts.c   alerts, their snapshots and clips
 *   serve-web-cameras.c  camera status and latest frames
 *   serve-web-sightings.c  the page's sightings (/ui/sightings/...)
 * serve-sessions.c keeps page sessions and the login rate limit,
 * serve-credentials.c the API key pair, serve-json.c small JSON helpers.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "fa-aws-credentials.h"
#include "fa-collection.h"
#include "fa-face-analyzer.h"
#include "fa-sightings.h"
#include "fa-stream-store.h"
#include "serve-sessions.h"

G_BEGIN_DECLS

/* Largest request body: an IndexFaces image (5 MiB, base64 in JSON). */
#define FA_SERVE_MAX_BODY (8 * 1024 * 1024)
/* Largest login form. */
#define FA_SERVE_MAX_LOGIN_BODY 4096

typedef struct {
  gchar *collections_dir;    /* NULL: the defaults of fa-paths.h */
  gchar *streams_dir;
  gchar *key_file;
  gchar *outbox_dir;
  gchar *snapshots_dir;
  gchar *cameras_dir;
  gchar *sightings_dir;
  gchar *photos_dir;         /* face photos the page shows (private) */
  gchar *cache_dir;          /* clips made for the page, removed at exit */
  gboolean tls;
  gchar *base_url;           /* "http://127.0.0.1:8080", for GetDataEndpoint */
  FaAwsCredentials *api_key;
  gchar *password_hash;
  FaStreamStore *streams;    /* stateless: shared by the workers */
  FaServeSessions *sessions;
  guint workers;
} FaServe;

typedef struct {
  gchar *method;
  gchar *path;               /* as received (percent-encoded) */
  gchar *query;              /* raw, or NULL */
  GHashTable *params;        /* decoded query parameters */
  GPtrArray *headers;        /* name, value, ... as received */
  GBytes *body;
  gchar *remote;             /* peer address */
  gchar *session_id;         /* the page's session cookie, or NULL */
} FaServeRequest;

typedef struct {
  guint status;
  gchar *content_type;
  GBytes *body;
  GPtrArray *headers;        /* name, value, ... to add */
} FaServeResponse;

const gchar *fa_serve_request_header (const FaServeRequest *request,
    const gchar *name);
const gchar *fa_serve_request_param (const FaServeRequest *request,
    const gchar *name);

void fa_serve_response_set (FaServeResponse *response, guint status,
    const gchar *content_type, GBytes *body);
void fa_serve_response_set_text (FaServeResponse *response, guint status,
    const gchar *content_type, const gchar *text);
void fa_serve_response_set_json (FaServeResponse *response, guint status,
    JsonNode *node);
void fa_serve_response_add_header (FaServeResponse *response, const gchar *name,
    const gchar *value);

/* Per worker thread: a collection store handle and face analyzers (neither
 * is thread-safe), opened on first use. */
FaCollectionStore *fa_serve_worker_store (FaServe *serve, GError **error);
FaFaceAnalyzer *fa_serve_worker_analyzer (FaServe *serve, const gchar *model_name,
    GError **error);
/* The sightings store; FA_ERROR_NOT_FOUND while no pipeline has made one. */
FaSightingStore *fa_serve_worker_sightings (FaServe *serve, GError **error);

/* serve-aws.c: every AWS API request (POST / with X-Amz-Target, or one of
 * the KVS paths). */
gboolean fa_serve_aws_is_kvs_path (const gchar *path);
void fa_serve_aws_handle (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);

/* serve-web.c / serve-web-api.c: page routes. */
void fa_serve_web_page (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);
void fa_serve_web_login (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);
void fa_serve_web_logout (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);
void fa_serve_web_api (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);

/* serve-server.c: runs the server until SIGINT/SIGTERM. @listen is
 * "HOST:PORT" (an IP literal; port 0 picks a free one). Prints one line,
 * "facealert serve: listening on URL", once ready. */
int fa_serve_run (FaServe *serve, const gchar *listen, const gchar *tls_cert,
    const gchar *tls_key);

G_END_DECLS
