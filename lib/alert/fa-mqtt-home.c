/* facealert: the household over MQTT. See fa-mqtt-home.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-mqtt"
#include "fa-mqtt-home.h"
#include "fa-ha-discovery.h"
#include "fa-household.h"

#include <string.h>

struct _FaMqttHome {
  FaMqtt *mqtt;
  gint refs;                /* registry lock */
  FaHousehold *household;
  GMutex lock;
  GHashTable *cameras;      /* camera -> count of users */
  guint sub_mode, sub_switch, tick;
  gchar *mode_set, *mode_state;
};

static GMutex registry_lock;
static GHashTable *registry;   /* FaMqtt* -> FaMqttHome* */

static void
publish_text (FaMqtt *mqtt, const gchar *topic, const gchar *text)
{
  fa_mqtt_set_retained (mqtt, topic, text, strlen (text));
}

/* Publishes the mode and every local camera's switch (retained; unchanged
 * values are not sent again). */
static void
publish_states (FaMqttHome *home)
{
  publish_text (home->mqtt, home->mode_state,
      fa_household_mode_name (fa_household_get_mode (home->household)));
  g_mutex_lock (&home->lock);
  g_autofree gpointer *cameras = g_hash_table_get_keys_as_array (home->cameras, NULL);
  for (guint i = 0; cameras[i] != NULL; i++) {
    g_autofree gchar *suffix = g_strdup_printf ("%s/alerts/state",
        (gchar *) cameras[i]);
    g_autofree gchar *topic = fa_mqtt_topic (home->mqtt, suffix);
    publish_text (home->mqtt, topic,
        fa_household_get_alerts (home->household, cameras[i]) ? "ON" : "OFF");
  }
  g_mutex_unlock (&home->lock);
}

/* Connection thread: the file may have been changed by another process. */
static void
on_tick (FaMqtt *mqtt, gpointer data)
{
  FaMqttHome *home = data;
  gboolean changed = FALSE;
  GError *error = NULL;
  if (!fa_household_refresh (home->household, &changed, &error)) {
    g_warning ("%s", error->message);
    g_clear_error (&error);
  }
  if (changed)
    publish_states (home);
}

static void
on_mode_set (FaMqtt *mqtt, const gchar *topic, const gchar *payload, gsize size,
    gpointer data)
{
  FaMqttHome *home = data;
  FaHouseholdMode mode;
  g_autofree gchar *text = g_strstrip (g_strdup (payload));
  GError *error = NULL;
  if (!fa_household_mode_from_name (text, &mode)) {
    g_warning ("ignored \"%s\" on %s: the household mode is home or away", text,
        topic);
  } else if (!fa_household_set_mode (home->household, mode, &error)) {
    g_warning ("%s", error->message);
    g_clear_error (&error);
  } else {
    g_info ("household mode set to %s over MQTT", fa_household_mode_name (mode));
  }
  publish_states (home);
}

static void
on_switch_set (FaMqtt *mqtt, const gchar *topic, const gchar *payload, gsize size,
    gpointer data)
{
  FaMqttHome *home = data;
  /* PREFIX/CAMERA/alerts/set */
  const gchar *prefix = fa_mqtt_get_config (mqtt)->prefix;
  gsize prefix_len = strlen (prefix);
  if (strncmp (topic, prefix, prefix_len) != 0 || topic[prefix_len] != '/')
    return;
  g_autofree gchar *camera = g_strndup (topic + prefix_len + 1,
      strlen (topic) - prefix_len - 1 - strlen ("/alerts/set"));
  g_mutex_lock (&home->lock);
  gboolean ours = g_hash_table_contains (home->cameras, camera);
  g_mutex_unlock (&home->lock);
  if (!ours)
    return;
  g_autofree gchar *text = g_strstrip (g_strdup (payload));
  gboolean on = g_ascii_strcasecmp (text, "ON") == 0;
  GError *error = NULL;
  if (!on && g_ascii_strcasecmp (text, "OFF") != 0) {
    g_warning ("ignored \"%s\" on %s: a switch takes ON or OFF", text, topic);
  } else if (!fa_household_set_alerts (home->household, camera, on, &error)) {
    g_warning ("%s", error->message);
    g_clear_error (&error);
  } else {
    g_info ("alerts of camera %s switched %s over MQTT", camera, on ? "on" : "off");
  }
  publish_states (home);
}

FaMqttHome *
fa_mqtt_home_acquire (FaMqtt *mqtt, const gchar *household_path,
    const gchar *version)
{
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_direct_hash, g_direct_equal);
  FaMqttHome *home = g_hash_table_lookup (registry, mqtt);
  if (home != NULL) {
    home->refs++;
    g_mutex_unlock (&registry_lock);
    return home;
  }
  home = g_new0 (FaMqttHome, 1);
  home->refs = 1;
  home->mqtt = fa_mqtt_ref (mqtt);
  home->household = fa_household_open (household_path);
  g_mutex_init (&home->lock);
  home->cameras = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  home->mode_set = fa_mqtt_topic (mqtt, "mode/set");
  home->mode_state = fa_mqtt_topic (mqtt, "mode/state");
  g_hash_table_insert (registry, mqtt, home);
  g_mutex_unlock (&registry_lock);

  const FaMqttConfig *config = fa_mqtt_get_config (mqtt);
  if (config->discovery_prefix != NULL && *config->discovery_prefix != '\0') {
    g_autoptr (GPtrArray) configs = fa_ha_discovery_household
        (config->discovery_prefix, config->prefix, version);
    for (guint i = 0; i < configs->len; i++) {
      FaHaConfig *c = g_ptr_array_index (configs, i);
      publish_text (mqtt, c->topic, c->payload);
    }
  }
  publish_states (home);
  g_autofree gchar *switches = fa_mqtt_topic (mqtt, "+/alerts/set");
  home->sub_mode = fa_mqtt_subscribe (mqtt, home->mode_set, on_mode_set, home);
  home->sub_switch = fa_mqtt_subscribe (mqtt, switches, on_switch_set, home);
  home->tick = fa_mqtt_add_tick (mqtt, on_tick, home);
  return home;
}

void
fa_mqtt_home_release (FaMqttHome *home)
{
  if (home == NULL)
    return;
  g_mutex_lock (&registry_lock);
  gboolean last = --home->refs == 0;
  if (last)
    g_hash_table_remove (registry, home->mqtt);
  g_mutex_unlock (&registry_lock);
  if (!last)
    return;
  fa_mqtt_remove (home->mqtt, home->sub_mode);
  fa_mqtt_remove (home->mqtt, home->sub_switch);
  fa_mqtt_remove (home->mqtt, home->tick);
  fa_mqtt_release (home->mqtt);
  fa_household_free (home->household);
  g_hash_table_unref (home->cameras);
  g_mutex_clear (&home->lock);
  g_free (home->mode_set);
  g_free (home->mode_state);
  g_free (home);
}

void
fa_mqtt_home_add_camera (FaMqttHome *home, const gchar *camera)
{
  g_mutex_lock (&home->lock);
  guint users = GPOINTER_TO_UINT (g_hash_table_lookup (home->cameras, camera));
  g_hash_table_insert (home->cameras, g_strdup (camera), GUINT_TO_POINTER (users + 1));
  g_mutex_unlock (&home->lock);
  fa_household_refresh (home->household, NULL, NULL);
  publish_states (home);
}

void
fa_mqtt_home_remove_camera (FaMqttHome *home, const gchar *camera)
{
  g_mutex_lock (&home->lock);
  guint users = GPOINTER_TO_UINT (g_hash_table_lookup (home->cameras, camera));
  if (users <= 1)
    g_hash_table_remove (home->cameras, camera);
  else
    g_hash_table_insert (home->cameras, g_strdup (camera), GUINT_TO_POINTER (users - 1));
  g_mutex_unlock (&home->lock);
}
