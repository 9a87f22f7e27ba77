/* facealert: Home Assistant MQTT discovery. See fa-ha-discovery.h. */
#include "fa-ha-discovery.h"

#include <json-glib/json-glib.h>

void
fa_ha_config_free (FaHaConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->topic);
  g_free (config->payload);
  g_free (config);
}

gchar *
fa_ha_object_id (const gchar *text)
{
  gchar *id = g_strdup (text);
  for (gchar *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      *p = '_';
  return id;
}

static void
add_string (JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_topic (JsonBuilder *b, const gchar *name, const gchar *prefix,
    const gchar *camera, const gchar *leaf)
{
  g_autofree gchar *topic = camera != NULL
      ? g_strdup_printf ("%s/%s/%s", prefix, camera, leaf)
      : g_strdup_printf ("%s/%s", prefix, leaf);
  add_string (b, name, topic);
}

typedef struct {
  const gchar *discovery_prefix;
  const gchar *prefix;
  const gchar *camera;      /* NULL: the household */
  const gchar *version;
  gchar *node;              /* prefix as an id */
  gchar *object;            /* camera as an id */
} Ctx;

/* The members every entity has: name, unique_id, device, origin,
 * availability. */
static void
begin_entity (JsonBuilder *b, const Ctx *c, const gchar *key, const gchar *name)
{
  g_autofree gchar *uid = c->camera != NULL
      ? g_strdup_printf ("%s_%s_%s", c->node, c->object, key)
      : g_strdup_printf ("%s_%s", c->node, key);
  json_builder_begin_object (b);
  add_string (b, "name", name);
  add_string (b, "unique_id", uid);

  json_builder_set_member_name (b, "device");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "identifiers");
  json_builder_begin_array (b);
  g_autofree gchar *device = c->camera != NULL
      ? g_strdup_printf ("%s_%s", c->node, c->object) : g_strdup (c->node);
  json_builder_add_string_value (b, device);
  json_builder_end_array (b);
  g_autofree gchar *device_name = c->camera != NULL
      ? g_strdup_printf ("facealert %s", c->camera) : g_strdup ("facealert");
  add_string (b, "name", device_name);
  add_string (b, "manufacturer", "facealert");
  add_string (b, "model", c->camera != NULL ? "camera (alertsink)" : "household");
  add_string (b, "sw_version", c->version);
  if (c->camera != NULL)
    add_string (b, "via_device", c->node);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "origin");
  json_builder_begin_object (b);
  add_string (b, "name", "facealert");
  add_string (b, "sw_version", c->version);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "availability");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_topic (b, "topic", c->prefix, NULL, "available");
  json_builder_end_object (b);
  if (c->camera != NULL) {
    json_builder_begin_object (b);
    add_topic (b, "topic", c->prefix, c->camera, "available");
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  add_string (b, "availability_mode", "all");
  add_string (b, "payload_available", "online");
  add_string (b, "payload_not_available", "offline");
}

static void
end_entity (JsonBuilder *b, const Ctx *c, const gchar *component,
    const gchar *key, GPtrArray *out)
{
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  FaHaConfig *config = g_new0 (FaHaConfig, 1);
  config->topic = c->camera != NULL
      ? g_strdup_printf ("%s/%s/%s/%s_%s/config", c->discovery_prefix, component,
      c->node, c->object, key)
      : g_strdup_printf ("%s/%s/%s/%s/config", c->discovery_prefix, component,
      c->node, key);
  config->payload = json_to_string (root, FALSE);
  g_ptr_array_add (out, config);
  json_builder_reset (b);
}

GPtrArray *
fa_ha_discovery_camera (const gchar *discovery_prefix, const gchar *prefix,
    const gchar *camera, const gchar *version)
{
  Ctx c = { discovery_prefix, prefix, camera, version, fa_ha_object_id (prefix),
    fa_ha_object_id (camera) };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_ha_config_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  begin_entity (b, &c, "person", "Person");
  add_string (b, "device_class", "occupancy");
  add_topic (b, "state_topic", prefix, camera, "person");
  add_string (b, "value_template", "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}");
  add_string (b, "payload_on", "ON");
  add_string (b, "payload_off", "OFF");
  end_entity (b, &c, "binary_sensor", "person", out);

  begin_entity (b, &c, "last_face", "Last recognised face");
  add_topic (b, "state_topic", prefix, camera, "last_face");
  add_string (b, "icon", "mdi:face-recognition");
  end_entity (b, &c, "sensor", "last_face", out);

  begin_entity (b, &c, "snapshot", "Last alert");
  add_topic (b, "image_topic", prefix, camera, "snapshot");
  add_string (b, "content_type", "image/jpeg");
  end_entity (b, &c, "image", "snapshot", out);

  begin_entity (b, &c, "alerts", "Alerts");
  add_topic (b, "command_topic", prefix, camera, "alerts/set");
  add_topic (b, "state_topic", prefix, camera, "alerts/state");
  add_string (b, "payload_on", "ON");
  add_string (b, "payload_off", "OFF");
  add_string (b, "state_on", "ON");
  add_string (b, "state_off", "OFF");
  add_string (b, "icon", "mdi:bell-ring");
  end_entity (b, &c, "switch", "alerts", out);

  g_free (c.node);
  g_free (c.object);
  return out;
}

GPtrArray *
fa_ha_discovery_household (const gchar *discovery_prefix, const gchar *prefix,
    const gchar *version)
{
  Ctx c = { discovery_prefix, prefix, NULL, version, fa_ha_object_id (prefix), NULL };
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_ha_config_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  begin_entity (b, &c, "mode", "Household mode");
  add_topic (b, "command_topic", prefix, NULL, "mode/set");
  add_topic (b, "state_topic", prefix, NULL, "mode/state");
  json_builder_set_member_name (b, "options");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "home");
  json_builder_add_string_value (b, "away");
  json_builder_end_array (b);
  add_string (b, "icon", "mdi:home-account");
  end_entity (b, &c, "select", "mode", out);
  g_free (c.node);
  return out;
}
