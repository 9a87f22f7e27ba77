/* facealert serve: the page's front door: the login form, login and logout,
 * and the page's files (compiled in with GResource from web/). Without a
 * live session nothing but the login form (and its stylesheet) is served. */
#include "serve.h"
#include "fa-secret.h"
#include "serve-web.h"
#include "fa-password.h"
#include "fa-web-resources.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#define RESOURCE_ROOT "/org/facealert/web/"

/* The page loads nothing from elsewhere and runs no inline script. */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
  "img-src 'self' blob:; media-src 'self'; connect-src 'self'; form-action 'self'; " \
  "frame-ancestors 'none'; base-uri 'none'"

static GBytes *
resource (const gchar *name)
{
  g_autofree gchar *path = g_strconcat (RESOURCE_ROOT, name, NULL);
  return g_resource_lookup_data (fa_web_get_resource (), path,
      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

gboolean
fa_serve_web_session (FaServe *serve, const FaServeRequest *request, gchar **csrf)
{
  return fa_serve_sessions_check (serve->sessions, request->session_id, 0, csrf);
}

gboolean
fa_serve_web_same_origin (const FaServeRequest *request)
{
  /* Browsers send Origin on every POST and DELETE from a page; a cross-site
   * one names another origin. (SameSite=Strict already keeps the cookie
   * away from cross-site requests: this is the second lock.) */
  const gchar *origin = fa_serve_request_header (request, "Origin");
  const gchar *host = fa_serve_request_header (request, "Host");
  if (origin == NULL)
    return TRUE;
  if (host == NULL)
    return FALSE;
  const gchar *sep = strstr (origin, "://");
  return sep != NULL && g_str_equal (sep + 3, host);
}

void
fa_serve_web_error (FaServeResponse *response, guint status, const gchar *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  fa_serve_response_set_json (response, status, root);
}

void
fa_serve_web_send (FaServeResponse *response, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  fa_serve_response_set_json (response, 200, root);
}

static void
send_resource (FaServeResponse *response, const gchar *name, const gchar *type)
{
  g_autoptr (GBytes) data = resource (name);
  if (data == NULL) {
    fa_serve_response_set_text (response, 404, "text/plain", "not found\n");
    return;
  }
  fa_serve_response_set (response, 200, type, data);
  fa_serve_response_add_header (response, "Content-Security-Policy", CSP);
}

/* The login form, with @message (escaped) above it. */
static void
send_login_form (FaServeResponse *response, guint status, const gchar *message)
{
  g_autoptr (GBytes) page = resource ("login.html");
  g_autofree gchar *text = g_strndup (g_bytes_get_data (page, NULL),
      g_bytes_get_size (page));
  g_autofree gchar *escaped = g_markup_escape_text (message != NULL ? message : "", -1);
  g_autofree gchar *paragraph = message != NULL
      ? g_strdup_printf ("<p class=\"message\" role=\"alert\">%s</p>", escaped)
      : g_strdup ("");
  g_auto (GStrv) parts = g_strsplit (text, "<!--MESSAGE-->", 2);
  g_autofree gchar *html = g_strjoinv (paragraph, parts);
  fa_serve_response_set_text (response, status, "text/html; charset=utf-8", html);
  fa_serve_response_add_header (response, "Content-Security-Policy", CSP);
}

void
fa_serve_web_page (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
{
  static const struct {
    const gchar *path, *name, *type;
    gboolean public;
  } files[] = {
    {"/static/login.css", "login.css", "text/css; charset=utf-8", TRUE},
    {"/static/app.css", "app.css", "text/css; charset=utf-8", FALSE},
    {"/static/app.js", "app.js", "text/javascript; charset=utf-8", FALSE},
  };
  gboolean session = fa_serve_web_session (serve, request, NULL);
  if (g_str_equal (request->path, "/")) {
    if (session)
      send_resource (response, "index.html", "text/html; charset=utf-8");
    else
      send_login_form (response, 200, NULL);
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    if (!g_str_equal (request->path, files[i].path))
      continue;
    if (!files[i].public && !session) {
      fa_serve_response_set_text (response, 401, "text/plain", "log in first\n");
      return;
    }
    send_resource (response, files[i].name, files[i].type);
    return;
  }
  fa_serve_response_set_text (response, 404, "text/plain", "not found\n");
}

static void
redirect_home (FaServeResponse *response)
{
  fa_serve_response_set_text (response, 303, "text/plain", "see /\n");
  fa_serve_response_add_header (response, "Location", "/");
}

static gchar *
session_cookie (FaServe *serve, const gchar *value, gboolean clear)
{
  return g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
      FA_SERVE_SESSION_COOKIE, value, clear ? "; Max-Age=0" : "",
      serve->tls ? "; Secure" : "");
}

void
fa_serve_web_login (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
{
  if (!fa_serve_web_same_origin (request)) {
    send_login_form (response, 403, "This login came from another site: refused.");
    return;
  }
  gsize size = 0;
  const gchar *data = request->body != NULL ? g_bytes_get_data (request->body, &size)
      : NULL;
  g_autofree gchar *text = g_strndup (data != NULL ? data : "", size);
  g_autoptr (GHashTable) form = soup_form_decode (text);
  const gchar *password = g_hash_table_lookup (form, "password");

  gint64 wait = fa_serve_login_begin (serve->sessions, request->remote, 0);
  if (wait != 0) {
    g_autofree gchar *message = wait < 0
        ? g_strdup ("Another login is being checked: try again.")
        : g_strdup_printf ("Too many wrong passwords: wait %" G_GINT64_FORMAT
        " s before trying again.", (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    g_autofree gchar *retry = g_strdup_printf ("%" G_GINT64_FORMAT,
        MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
    send_login_form (response, 429, message);
    fa_serve_response_add_header (response, "Retry-After", retry);
    return;
  }
  gboolean ok = password != NULL
      && fa_password_verify (serve->password_hash, password) == FA_PASSWORD_MATCH;
  if (password != NULL)
    fa_secret_wipe ((gchar *) password);
  fa_secret_wipe (text);
  fa_serve_login_finish (serve->sessions, request->remote, ok, 0);
  if (!ok) {
    g_message ("failed login from %s", request->remote);
    send_login_form (response, 401, "Wrong password.");
    return;
  }
  g_autofree gchar *id = fa_serve_sessions_create (serve->sessions, 0, NULL);
  g_autofree gchar *cookie = session_cookie (serve, id, FALSE);
  redirect_home (response);
  fa_serve_response_add_header (response, "Set-Cookie", cookie);
}

void
fa_serve_web_logout (FaServe *serve, const FaServeRequest *request,
    FaServeResponse *response)
{
  g_autofree gchar *csrf = NULL;
  if (!fa_serve_web_session (serve, request, &csrf)) {
    redirect_home (response);
    return;
  }
  gsize size = 0;
  const gchar *data = request->body != NULL ? g_bytes_get_data (request->body, &size)
      : NULL;
  g_autofree gchar *text = g_strndup (data != NULL ? data : "", size);
  g_autoptr (GHashTable) form = soup_form_decode (text);
  const gchar *token = g_hash_table_lookup (form, "csrf");
  if (token == NULL)
    token = fa_serve_request_header (request, "X-CSRF-Token");
  if (!fa_serve_web_same_origin (request) || !fa_serve_token_equal (token, csrf)) {
    fa_serve_response_set_text (response, 403, "text/plain", "missing or wrong CSRF "
        "token\n");
    return;
  }
  fa_serve_sessions_remove (serve->sessions, request->session_id);
  g_autofree gchar *cookie = session_cookie (serve, "", TRUE);
  redirect_home (response);
  fa_serve_response_add_header (response, "Set-Cookie", cookie);
}
