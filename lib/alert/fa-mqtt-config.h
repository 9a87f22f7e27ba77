/* facealert: where and as whom to connect to an MQTT broker.
 *
 * Broker URLs: mqtt://HOST[:PORT] (plain, port 1883) or mqtts://HOST[:PORT]
 * (TLS, port 8883, certificate and host name always verified, against
 * ca_file or the system's CAs). A user or password in the URL is refused:
 * URLs end up in logs and pipeline files.
 *
 * Credentials, first found wins:
 *   1. explicit values (alertsink's mqtt-user / mqtt-password);
 *   2. FACEALERT_MQTT_USER / FACEALERT_MQTT_PASSWORD;
 *   3. a credentials file: the one given (mqtt-credentials-file), else
 *      $FACEALERT_MQTT_CREDENTIALS, else mqtt-credentials in FA_DIR_CONFIG
 *      ($FACEALERT_CONFIG_DIR, else ~/.config/facealert) when it exists. "username = NAME" and
 *      "password = SECRET" lines, '#' comments. It must be private to its
 *      owner (mode 0600 or stricter), as ssh demands of its keys.
 *   4. none (anonymous).
 * Passwords are wiped on free and never printed: fa_mqtt_config_describe()
 * says where they came from, not what they are.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gchar *url;               /* as given */
  gchar *host;
  guint port;
  gboolean tls;
  gchar *ca_file;           /* TLS: NULL for the system's CAs */
  gchar *client_id;         /* NULL: facealert-HOSTNAME-PID */
  gchar *user;              /* NULL: anonymous */
  gchar *password;          /* NULL: none */
  gchar *credentials_source; /* "properties", "environment", "file PATH", "none" */
  gchar *prefix;            /* topic prefix, default "facealert" */
  gchar *discovery_prefix;  /* Home Assistant's, default "homeassistant"; "" none */
  gint64 reconnect_initial_us;  /* first reconnect delay, doubling... */
  gint64 reconnect_max_us;      /* ...up to this */
  guint keepalive_s;
} FaMqttConfig;

/* Parses @url into @config (host, port, tls). FA_ERROR_INVALID_ARGUMENT with
 * a message naming the URL and saying what is wrong. */
gboolean fa_mqtt_config_set_url (FaMqttConfig *config, const gchar *url,
    GError **error);

/* Resolves the credentials as above from the explicit @user / @password and
 * @credentials_file (each may be NULL). FA_ERROR_AUTH for a file that is
 * missing (when named), unreadable, not private, or half-filled. */
gboolean fa_mqtt_config_set_credentials (FaMqttConfig *config,
    const gchar *user, const gchar *password, const gchar *credentials_file,
    GError **error);

/* A topic prefix or camera name usable as MQTT topic levels: non-empty, at
 * most 128 bytes of UTF-8, no '+', '#', NUL or control characters; a prefix
 * may hold '/', a @level may not. FA_ERROR_INVALID_ARGUMENT naming @what. */
gboolean fa_mqtt_check_topic_part (const gchar *text, gboolean level,
    const gchar *what, GError **error);

FaMqttConfig *fa_mqtt_config_new (void);
FaMqttConfig *fa_mqtt_config_copy (const FaMqttConfig *config);
void fa_mqtt_config_free (FaMqttConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaMqttConfig, fa_mqtt_config_free)

/* "mqtts://broker:8883 as user ha (password from environment)": safe for
 * logs. */
gchar *fa_mqtt_config_describe (const FaMqttConfig *config);

/* The client id used when none is set: facealert-HOSTNAME-PID. */
gchar *fa_mqtt_default_client_id (void);

G_END_DECLS
