/* facealert: MQTT payloads in Frigate's shapes, so automations and
 * blueprints written for Frigate work on facealert's topics unchanged.
 *
 * tracked_object_update (Frigate 0.16 face recognition):
 *   {"type": "face"|"person", "id": OBJECT_ID, "name": NAME|null,
 *    "score": 0..1 (the match similarity), "camera": CAMERA,
 *    "timestamp": epoch seconds}
 * events (Frigate's frigate/events):
 *   {"type": "new"|"update"|"end", "before": OBJECT, "after": OBJECT}
 *   OBJECT: id, camera, label ("face"|"person"), sub_label ([NAME, score] or
 *   null), score, top_score, box [x1, y1, x2, y2] and area (frame pixels),
 *   start_time, end_time (null while in view), has_snapshot, has_clip,
 *   false_positive, stationary, current_zones, entered_zones (Frigate's
 *   keys), and facealert's own: track (the track id), name, known, decided,
 *   similarity (percent), snapshot (the alert's frame JPEG path or null).
 */
#pragma once

#include "fa-track-events.h"

G_BEGIN_DECLS

gchar *fa_frigate_tracked_object_update (const FaTrackObject *object,
    const gchar *camera, gdouble timestamp);
gchar *fa_frigate_event (const FaTrackEvent *event, const gchar *camera);

G_END_DECLS
