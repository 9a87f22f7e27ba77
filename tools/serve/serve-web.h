/* facealert serve: what the page's two files share. */
#pragma once

#include "serve.h"

G_BEGIN_DECLS

/* TRUE when the request carries a live session cookie; its CSRF token in
 * *@csrf (optional). */
gboolean fa_serve_web_session (FaServe *serve, const FaServeRequest *request,
    gchar **csrf);
/* FALSE when the request's Origin names another site than its Host. */
gboolean fa_serve_web_same_origin (const FaServeRequest *request);

/* The page's JSON answers: {"error": @message} with @status, and a built
 * object with 200. */
void fa_serve_web_error (FaServeResponse *response, guint status, const gchar *message);
void fa_serve_web_send (FaServeResponse *response, JsonBuilder *builder);

/* serve-web-alerts.c: GET /ui/alerts, and /ui/alerts/ID/@what (frame.jpg,
 * face.jpg, clip.mp4). */
void fa_serve_web_alerts (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response);
void fa_serve_web_alert_media (FaServe *serve, const gchar *id, const gchar *what,
    FaServeResponse *response);

typedef struct {
  gchar *id;
  gint64 time_us;
} FaServeLastAlert;

void fa_serve_last_alert_free (gpointer data);
/* Camera name -> its newest alert (FaServeLastAlert*). */
GHashTable *fa_serve_web_last_alerts (FaServe *serve);

/* serve-web-cameras.c: GET /ui/cameras and /ui/cameras/NAME/latest.jpg. */
void fa_serve_web_cameras (FaServe *serve, FaServeResponse *response);
void fa_serve_web_latest_frame (FaServe *serve, const gchar *name,
    FaServeResponse *response);

/* serve-web-sightings.c: answers /ui/sightings/... (@parts: the path after
 * /ui/, split at '/'); FALSE when @parts is not about sightings. */
gboolean fa_serve_web_sightings (FaServe *serve, const FaServeRequest *request,
    const gchar *const *parts, FaServeResponse *response);

G_END_DECLS
