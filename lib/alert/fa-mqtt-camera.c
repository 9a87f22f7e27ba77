/* facealert: one camera on MQTT. See fa-mqtt-camera.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-mqtt"
#include "fa-mqtt-camera.h"
#include "fa-frigate-json.h"
#include "fa-ha-discovery.h"
#include "fa-mqtt-home.h"

#include <string.h>

struct _FaMqttCamera {
  FaMqtt *mqtt;
  FaMqttHome *home;
  gchar *name;
  FaTrackEvents *events;
  guint people;             /* as last published */
  gchar *t_tracked, *t_events, *t_person, *t_last_face, *t_snapshot, *t_available;
};

static gchar *
camera_topic (FaMqtt *mqtt, const gchar *camera, const gchar *leaf)
{
  g_autofree gchar *suffix = g_strdup_printf ("%s/%s", camera, leaf);
  return fa_mqtt_topic (mqtt, suffix);
}

static void
set_text (FaMqtt *mqtt, const gchar *topic, const gchar *text)
{
  fa_mqtt_set_retained (mqtt, topic, text, strlen (text));
}

FaMqttCamera *
fa_mqtt_camera_new (FaMqtt *mqtt, const gchar *camera, const gchar *household_path,
    const gchar *version, guint min_frames, gint64 end_timeout_ns)
{
  FaMqttCamera *c = g_new0 (FaMqttCamera, 1);
  c->mqtt = fa_mqtt_ref (mqtt);
  c->name = g_strdup (camera);
  c->events = fa_track_events_new (camera, min_frames, end_timeout_ns);
  c->t_tracked = fa_mqtt_topic (mqtt, "tracked_object_update");
  c->t_events = fa_mqtt_topic (mqtt, "events");
  c->t_person = camera_topic (mqtt, camera, "person");
  c->t_last_face = camera_topic (mqtt, camera, "last_face");
  c->t_snapshot = camera_topic (mqtt, camera, "snapshot");
  c->t_available = camera_topic (mqtt, camera, "available");

  const FaMqttConfig *config = fa_mqtt_get_config (mqtt);
  if (config->discovery_prefix != NULL && *config->discovery_prefix != '\0') {
    g_autoptr (GPtrArray) configs = fa_ha_discovery_camera (config->discovery_prefix,
        config->prefix, camera, version);
    for (guint i = 0; i < configs->len; i++) {
      FaHaConfig *d = g_ptr_array_index (configs, i);
      set_text (mqtt, d->topic, d->payload);
    }
  }
  set_text (mqtt, c->t_person, "0");
  set_text (mqtt, c->t_available, "online");
  c->home = fa_mqtt_home_acquire (mqtt, household_path, version);
  fa_mqtt_home_add_camera (c->home, camera);
  return c;
}

static void
publish_events (FaMqttCamera *c, GArray *events)
{
  for (guint i = 0; i < events->len; i++) {
    const FaTrackEvent *e = &g_array_index (events, FaTrackEvent, i);
    g_autofree gchar *event = fa_frigate_event (e, c->name);
    fa_mqtt_publish (c->mqtt, c->t_events, event);
    if (!e->identity)
      continue;
    g_autofree gchar *update = fa_frigate_tracked_object_update (&e->after,
        c->name, e->after.last_time);
    fa_mqtt_publish (c->mqtt, c->t_tracked, update);
    if (e->after.known && e->after.name != NULL)
      set_text (c->mqtt, c->t_last_face, e->after.name);
  }
  guint people = fa_track_events_count_people (c->events);
  if (people != c->people) {
    c->people = people;
    g_autofree gchar *count = g_strdup_printf ("%u", people);
    set_text (c->mqtt, c->t_person, count);
  }
}

void
fa_mqtt_camera_observe (FaMqttCamera *c, gint64 ts_ns,
    const FaTrackObservation *tracks, guint n_tracks)
{
  publish_events (c, fa_track_events_update (c->events, ts_ns,
          g_get_real_time () / 1e6, tracks, n_tracks));
}

void
fa_mqtt_camera_alerted (FaMqttCamera *c, FaTrackKind kind, guint64 track_id,
    const gchar *frame_jpeg)
{
  if (frame_jpeg != NULL) {
    g_autofree gchar *jpeg = NULL;
    gsize size = 0;
    GError *error = NULL;
    if (g_file_get_contents (frame_jpeg, &jpeg, &size, &error)) {
      fa_mqtt_set_retained (c->mqtt, c->t_snapshot, jpeg, size);
    } else {
      g_warning ("cannot publish the snapshot of camera %s: %s", c->name,
          error->message);
      g_clear_error (&error);
    }
  }
  publish_events (c, fa_track_events_set_snapshot (c->events, kind, track_id,
          frame_jpeg));
}

void
fa_mqtt_camera_flush (FaMqttCamera *c)
{
  publish_events (c, fa_track_events_flush (c->events));
}

void
fa_mqtt_camera_free (FaMqttCamera *c)
{
  if (c == NULL)
    return;
  fa_mqtt_camera_flush (c);
  /* Kept as "offline": a reconnect for the other cameras says so again. */
  set_text (c->mqtt, c->t_available, "offline");
  fa_mqtt_home_remove_camera (c->home, c->name);
  fa_mqtt_home_release (c->home);
  fa_mqtt_release (c->mqtt);
  fa_track_events_free (c->events);
  g_free (c->name);
  g_free (c->t_tracked);
  g_free (c->t_events);
  g_free (c->t_person);
  g_free (c->t_last_face);
  g_free (c->t_snapshot);
  g_free (c->t_available);
  g_free (c);
}
