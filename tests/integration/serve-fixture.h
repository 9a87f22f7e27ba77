/* Integration tests of `facealert serve`: a private home with real data and
 * a running server.
 *
 * The data comes from real runs: the household (John Lennon) enrolled with
 * `facealert faces index`; pipelines/video-file.pipeline run once by
 * facealert-run on the Chaplin clip as camera "cam1" (kvssink records it,
 * facedetect ! facematch ! alertsink alert on the unknown face, with
 * snapshots, delivered to the real SNS-compatible fixture; facematch records
 * the face it decided as a sighting). Every FACEALERT_*
 * directory points inside the fixture, in this process's environment, so
 * every child (facealert, aws, python3) sees the same home. */
#pragma once

#include "fa-proc.h"

G_BEGIN_DECLS

#define FA_SERVE_TEST_PASSWORD "household test password"
#define FA_SERVE_CAMERA "cam1"

typedef struct {
  gchar *root;
  gchar *config;           /* api-credentials, serve-password */
  gchar *credentials;      /* config/api-credentials */
  gchar *access_key;
  gchar *secret_key;
  gchar *alert_id;         /* the alert the pipeline raised */
  gdouble alert_time;      /* its time, epoch seconds */
  gdouble recorded_from, recorded_to;   /* cam1's recording, epoch seconds */
  FaProc *server;
  gchar *url;              /* http://127.0.0.1:PORT */
} FaServeFixture;

/* Makes the home; with @record, enrols the household and records cam1. */
FaServeFixture *fa_serve_fixture_new (gboolean record);
/* Starts `facealert serve --listen 127.0.0.1:0` and waits until it listens. */
void fa_serve_fixture_start (FaServeFixture *fixture);
/* Stops the server (SIGTERM, bounded wait) and removes the home. */
void fa_serve_fixture_free (FaServeFixture *fixture);

/* One HTTP exchange with the server, redirects not followed. */
typedef struct {
  guint status;
  GBytes *body;
  gchar *text;             /* the body as a string */
  gchar *content_type;
  gchar *set_cookie;       /* Set-Cookie, or NULL */
  gchar *location;
  gchar *retry_after;
} FaServeReply;

void fa_serve_reply_free (FaServeReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaServeReply, fa_serve_reply_free)

/* @headers: NULL-terminated name, value pairs (or NULL). @body may be NULL. */
FaServeReply *fa_serve_http (FaServeFixture *fixture, const gchar *method,
    const gchar *path, const gchar *const *headers, const gchar *content_type,
    GBytes *body);
/* The same from the loopback source address @from (e.g. "127.0.0.9"): a
 * real other peer for the server's per-address limits. */
FaServeReply *fa_serve_http_from (FaServeFixture *fixture, const gchar *from,
    const gchar *method, const gchar *path, const gchar *const *headers,
    const gchar *content_type, GBytes *body);
/* Logs in with @password; returns the session cookie ("fa_session=...") or
 * NULL when refused (the reply's status in *@status). */
gchar *fa_serve_login (FaServeFixture *fixture, const gchar *password, guint *status);
gchar *fa_serve_login_from (FaServeFixture *fixture, const gchar *from,
    const gchar *password, guint *status);

/* Sends raw @request text on a new connection and returns what came back
 * before the server closed it or @timeout_s passed. */
gchar *fa_serve_raw (FaServeFixture *fixture, const gchar *request, gdouble timeout_s);

/* @photo (under tests/data) seen by camera @camera: 20 frames through the real
 * facedetect ! facematch collection=@collection, which records the sighting
 * in the fixture's sightings store. Returns that sighting's id (the newest of
 * @camera). */
gint64 fa_serve_see (const gchar *collection, const gchar *camera, const gchar *photo);

/* Runs `facealert ARGS...` (NULL-terminated); exit status, output. */
int fa_serve_cli (gchar **out, gchar **err, const gchar *first, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
