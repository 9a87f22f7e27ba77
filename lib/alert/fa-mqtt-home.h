/* facealert: the household over MQTT, kept in step with the household file
 * (fa-household.h) both ways:
 *   - Home Assistant (or anyone) publishes PREFIX/mode/set home|away or
 *     PREFIX/CAMERA/alerts/set ON|OFF: the file is changed, so every
 *     alertsink of the household and the CLI see it;
 *   - the file changed (the CLI, another process): PREFIX/mode/state and
 *     PREFIX/CAMERA/alerts/state (retained) follow within a second.
 * Commands for cameras this process does not run are left to the process
 * that does. One per connection (shared by its cameras); publishes the
 * household's discovery config (the mode select).
 */
#pragma once

#include "fa-mqtt.h"

G_BEGIN_DECLS

typedef struct _FaMqttHome FaMqttHome;

/* @household_path: NULL for the default file. */
FaMqttHome *fa_mqtt_home_acquire (FaMqtt *mqtt, const gchar *household_path,
    const gchar *version);
void fa_mqtt_home_release (FaMqttHome *home);

/* Accept @camera's switch commands and publish its state. */
void fa_mqtt_home_add_camera (FaMqttHome *home, const gchar *camera);
void fa_mqtt_home_remove_camera (FaMqttHome *home, const gchar *camera);

G_END_DECLS
