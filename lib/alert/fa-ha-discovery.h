/* facealert: Home Assistant MQTT discovery configs (retained, under
 * DISCOVERY_PREFIX/COMPONENT/NODE/OBJECT/config), one device per camera
 * plus one for the household, each entity with a unique_id, a device block
 * and availability (PREFIX/available, and for a camera's entities also
 * PREFIX/CAMERA/available; both must say online).
 *
 * Per camera:
 *   binary_sensor  CAMERA_person     occupancy: PREFIX/CAMERA/person > 0
 *   sensor         CAMERA_last_face  PREFIX/CAMERA/last_face (a name)
 *   image          CAMERA_snapshot   PREFIX/CAMERA/snapshot (JPEG of the last alert)
 *   switch         CAMERA_alerts     command PREFIX/CAMERA/alerts/set ON|OFF,
 *                                    state PREFIX/CAMERA/alerts/state
 * Household:
 *   select         mode              command PREFIX/mode/set home|away,
 *                                    state PREFIX/mode/state
 * NODE is the prefix made of [A-Za-z0-9_-] (others become '_'), OBJECT the
 * camera likewise, so two installations with different prefixes never share
 * entities.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gchar *topic;
  gchar *payload;    /* JSON */
} FaHaConfig;

void fa_ha_config_free (FaHaConfig *config);

/* FaHaConfig* (owning) for @camera's four entities. */
GPtrArray *fa_ha_discovery_camera (const gchar *discovery_prefix,
    const gchar *prefix, const gchar *camera, const gchar *version);
/* The household's mode select. */
GPtrArray *fa_ha_discovery_household (const gchar *discovery_prefix,
    const gchar *prefix, const gchar *version);

/* @text with every character outside [A-Za-z0-9_-] replaced by '_'. */
gchar *fa_ha_object_id (const gchar *text);

G_END_DECLS
