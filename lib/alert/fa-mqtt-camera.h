/* facealert: one camera on MQTT (what alertsink publishes besides its
 * alerts, which go through the outbox):
 *
 *   PREFIX/tracked_object_update  Frigate-shaped face/person identities
 *                                 (fa-frigate-json.h), when a track is decided
 *                                 or its identity changes
 *   PREFIX/events                 new/update/end per track (Frigate's shape)
 *   PREFIX/CAMERA/person          people in view (retained; 0 when empty)
 *   PREFIX/CAMERA/last_face       the last recognised (known) person (retained)
 *   PREFIX/CAMERA/snapshot        JPEG of the last alert (retained)
 *   PREFIX/CAMERA/available       online while the camera runs (retained)
 * plus its Home Assistant discovery configs (fa-ha-discovery.h) and its
 * alerts switch (fa-mqtt-home.h).
 */
#pragma once

#include "fa-mqtt.h"
#include "fa-track-events.h"

G_BEGIN_DECLS

typedef struct _FaMqttCamera FaMqttCamera;

/* @camera must be a valid topic level (fa_mqtt_check_topic_part()).
 * @household_path: NULL for the default. @min_frames: frames before a track
 * is an object; @end_timeout_ns: unseen this long (stream time) and it ends. */
FaMqttCamera *fa_mqtt_camera_new (FaMqtt *mqtt, const gchar *camera,
    const gchar *household_path, const gchar *version, guint min_frames,
    gint64 end_timeout_ns);
/* Ends the camera's tracks, says it is offline, and frees. */
void fa_mqtt_camera_free (FaMqttCamera *camera);

/* The tracks of one frame at @ts_ns (stream time). */
void fa_mqtt_camera_observe (FaMqttCamera *camera, gint64 ts_ns,
    const FaTrackObservation *tracks, guint n_tracks);
/* Track @track_id raised an alert whose frame snapshot is @frame_jpeg (may
 * be NULL): published as the camera's snapshot. */
void fa_mqtt_camera_alerted (FaMqttCamera *camera, FaTrackKind kind,
    guint64 track_id, const gchar *frame_jpeg);
/* End of stream, a flush: every track ends, nobody is in view. */
void fa_mqtt_camera_flush (FaMqttCamera *camera);

G_END_DECLS
