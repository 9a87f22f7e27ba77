/* facealert: MQTT broker settings and credentials. See fa-mqtt-config.h. */
#include "fa-mqtt-config.h"
#include "fa-secret.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
is_set (const gchar *value)
{
  return value != NULL && *value != '\0';
}

FaMqttConfig *
fa_mqtt_config_new (void)
{
  FaMqttConfig *config = g_new0 (FaMqttConfig, 1);
  config->prefix = g_strdup ("facealert");
  config->discovery_prefix = g_strdup ("homeassistant");
  config->credentials_source = g_strdup ("none");
  config->reconnect_initial_us = 500 * G_TIME_SPAN_MILLISECOND;
  config->reconnect_max_us = 30 * G_TIME_SPAN_SECOND;
  config->keepalive_s = 30;
  return config;
}

FaMqttConfig *
fa_mqtt_config_copy (const FaMqttConfig *config)
{
  FaMqttConfig *copy = g_memdup2 (config, sizeof *config);
  copy->url = g_strdup (config->url);
  copy->host = g_strdup (config->host);
  copy->ca_file = g_strdup (config->ca_file);
  copy->client_id = g_strdup (config->client_id);
  copy->user = g_strdup (config->user);
  copy->password = g_strdup (config->password);
  copy->credentials_source = g_strdup (config->credentials_source);
  copy->prefix = g_strdup (config->prefix);
  copy->discovery_prefix = g_strdup (config->discovery_prefix);
  return copy;
}

void
fa_mqtt_config_free (FaMqttConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->url);
  g_free (config->host);
  g_free (config->ca_file);
  g_free (config->client_id);
  g_free (config->user);
  fa_secret_free (config->password);
  g_free (config->credentials_source);
  g_free (config->prefix);
  g_free (config->discovery_prefix);
  g_free (config);
}

/* Whether @url may hold user information (user:password@host). A broker
 * URL has no path, so any '@' counts, even after a '/' typed in a password. */
static gboolean
has_userinfo (const gchar *url)
{
  return strchr (url, '@') != NULL;
}

gboolean
fa_mqtt_config_set_url (FaMqttConfig *config, const gchar *url, GError **error)
{
  g_autofree gchar *scheme = NULL, *userinfo = NULL, *host = NULL, *path = NULL;
  g_autofree gchar *query = NULL;
  gint port = -1;
  if (url != NULL && has_userinfo (url)) {
    /* Never echo a URL that may carry a password. */
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "bad MQTT broker "
        "URL (hidden: it holds a user): put the user and password in "
        "mqtt-user / mqtt-password, FACEALERT_MQTT_USER / FACEALERT_MQTT_PASSWORD "
        "or a credentials file, not in the URL");
    return FALSE;
  }
  if (url == NULL || !g_uri_split (url, G_URI_FLAGS_NONE, &scheme, &userinfo,
          &host, &port, &path, &query, NULL, NULL)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "bad MQTT broker "
        "URL \"%s\": use mqtt://HOST[:PORT] or mqtts://HOST[:PORT]",
        url != NULL ? url : "");
    return FALSE;
  }
  gboolean tls = g_ascii_strcasecmp (scheme != NULL ? scheme : "", "mqtts") == 0;
  const gchar *problem = NULL;
  if (!tls && g_ascii_strcasecmp (scheme != NULL ? scheme : "", "mqtt") != 0)
    problem = "the scheme must be mqtt:// or mqtts://";
  else if (!is_set (host))
    problem = "no host";
  else if ((path != NULL && *path != '\0' && strcmp (path, "/") != 0) || query != NULL)
    problem = "a broker URL has no path or query";
  else if (port == 0 || port > 65535)
    problem = "bad port";
  if (problem != NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "bad MQTT broker URL \"%s\": %s", url, problem);
    return FALSE;
  }
  g_free (config->url);
  g_free (config->host);
  config->url = g_strdup (url);
  /* g_uri_split keeps the brackets of an IPv6 literal. */
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    config->host = g_strndup (host + 1, strlen (host) - 2);
  else
    config->host = g_strdup (host);
  config->tls = tls;
  config->port = port > 0 ? (guint) port : tls ? 8883 : 1883;
  return TRUE;
}

/* A file that anyone but its owner can read (or that is not the user's own)
 * is refused, so a password never sits in a readable file unnoticed. */
static gboolean
check_private (const gchar *path, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "cannot read MQTT credentials "
        "file %s: %s", path, g_strerror (errno));
    return FALSE;
  }
  if ((st.st_mode & 077) != 0 || st.st_uid != getuid ()) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "MQTT credentials file %s is "
        "readable by others (mode %03o): make it yours and private (chmod 600 %s)",
        path, (guint) (st.st_mode & 0777), path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_credentials_file (const gchar *path, gchar **user, gchar **password,
    GError **error)
{
  if (!check_private (path, error))
    return FALSE;
  g_autofree gchar *contents = NULL;
  GError *local = NULL;
  if (!g_file_get_contents (path, &contents, NULL, &local)) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "cannot read MQTT credentials "
        "file %s: %s", path, local->message);
    g_error_free (local);
    return FALSE;
  }
  gchar **lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *line = g_strstrip (lines[i]);
    gchar *eq = strchr (line, '=');
    if (*line == '#' || *line == '\0' || eq == NULL)
      continue;
    *eq = '\0';
    gchar *key = g_strstrip (line), *value = g_strstrip (eq + 1);
    if (g_str_equal (key, "username") || g_str_equal (key, "user")) {
      g_free (*user);
      *user = g_strdup (value);
    } else if (g_str_equal (key, "password")) {
      fa_secret_free (*password);
      *password = g_strdup (value);
    }
  }
  for (guint i = 0; lines[i] != NULL; i++)
    fa_secret_wipe (lines[i]);
  g_strfreev (lines);
  fa_secret_wipe (contents);
  if (!is_set (*user)) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "MQTT credentials file %s has "
        "no \"username = NAME\" line", path);
    return FALSE;
  }
  return TRUE;
}

static gchar *
default_credentials_file (void)
{
  const gchar *env = g_getenv ("FACEALERT_MQTT_CREDENTIALS");
  if (is_set (env))
    return g_strdup (env);
  g_autofree gchar *dir = fa_paths_dir (FA_DIR_CONFIG);
  return g_build_filename (dir, "mqtt-credentials", NULL);
}

gboolean
fa_mqtt_config_set_credentials (FaMqttConfig *config, const gchar *user,
    const gchar *password, const gchar *credentials_file, GError **error)
{
  gchar *found_user = NULL, *found_password = NULL, *source = NULL;
  if (is_set (user) || is_set (password)) {
    found_user = g_strdup (user);
    found_password = g_strdup (password);
    source = g_strdup ("properties");
  } else if (is_set (g_getenv ("FACEALERT_MQTT_USER"))) {
    found_user = g_strdup (g_getenv ("FACEALERT_MQTT_USER"));
    found_password = g_strdup (g_getenv ("FACEALERT_MQTT_PASSWORD"));
    source = g_strdup ("environment");
  } else {
    g_autofree gchar *path = is_set (credentials_file)
        ? g_strdup (credentials_file) : default_credentials_file ();
    if (is_set (credentials_file) || g_file_test (path, G_FILE_TEST_EXISTS)) {
      if (!read_credentials_file (path, &found_user, &found_password, error)) {
        g_free (found_user);
        fa_secret_free (found_password);
        return FALSE;
      }
      source = g_strdup_printf ("file %s", path);
    } else {
      source = g_strdup ("none");
    }
  }
  if (!is_set (found_user) && is_set (found_password)) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "an MQTT password without a "
        "user (from %s): set mqtt-user (or FACEALERT_MQTT_USER) too", source);
    g_free (found_user);
    fa_secret_free (found_password);
    g_free (source);
    return FALSE;
  }
  g_free (config->user);
  fa_secret_free (config->password);
  g_free (config->credentials_source);
  config->user = is_set (found_user) ? found_user : (g_free (found_user), NULL);
  config->password = is_set (found_password) ? found_password
      : (fa_secret_free (found_password), NULL);
  config->credentials_source = source;
  return TRUE;
}

gboolean
fa_mqtt_check_topic_part (const gchar *text, gboolean level, const gchar *what,
    GError **error)
{
  const gchar *problem = NULL;
  if (!is_set (text))
    problem = "it is empty";
  else if (strlen (text) > 128)
    problem = "it is longer than 128 bytes";
  else if (!g_utf8_validate (text, -1, NULL))
    problem = "it is not UTF-8";
  else if (strpbrk (text, "+#") != NULL)
    problem = "'+' and '#' are MQTT wildcards";
  else if (level && strchr (text, '/') != NULL)
    problem = "'/' separates MQTT topic levels";
  else if (text[0] == '/' || text[strlen (text) - 1] == '/')
    problem = "it starts or ends with '/'";
  for (const gchar *p = text; problem == NULL && *p != '\0'; p++)
    if ((guchar) * p < 0x20 || *p == 0x7f)
      problem = "it holds control characters";
  if (problem != NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "%s \"%s\" cannot be used in MQTT topics: %s", what,
        text != NULL ? text : "", problem);
    return FALSE;
  }
  return TRUE;
}

gchar *
fa_mqtt_config_describe (const FaMqttConfig *config)
{
  if (config->user == NULL)
    return g_strdup_printf ("%s://%s:%u (anonymous)", config->tls ? "mqtts" : "mqtt",
        config->host, config->port);
  return g_strdup_printf ("%s://%s:%u as user %s (%s from %s)",
      config->tls ? "mqtts" : "mqtt", config->host, config->port, config->user,
      config->password != NULL ? "password" : "no password",
      config->credentials_source);
}

gchar *
fa_mqtt_default_client_id (void)
{
  return g_strdup_printf ("facealert-%s-%d", g_get_host_name (), (int) getpid ());
}
