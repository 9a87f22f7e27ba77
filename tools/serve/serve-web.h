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

/* serve-web-sightings.c: answers /ui/sightings/... (@parts: the path after
 * /ui/, split at '/'); FALSE when @parts is not about sightings. */
gboolean fa_serve_web_sightings (FaServe *serve, const FaServeRequest *request,
    const gchar *const *parts, FaServeResponse *response);

G_END_DECLS
