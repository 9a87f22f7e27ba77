/* facealert: what an alert says.
 *
 * One FaAlert describes an alert the rules raised (fa-alert-rules.h): which
 * rule fired, the face and the person box involved, the snapshots. From it
 * come the subject ("Unknown face at cam2", "Bob at cam2", "Person at cam2
 * (face not seen)"), the line a phone shows (the subject and the local time),
 * the JSON payload for machines, and the SNS message that carries both
 * (MessageStructure=json). Every notifier sends the same payload.
 *
 * The payload (version 1; fields are only ever added):
 *   version, id, event ("unknown-face", "known-face", "person"), rule
 *   ("unknown", "known", "person"), camera, time (ISO 8601, local),
 *   track_id (the face track for the face rules, the person track for the
 *   person rule), known, name, face_id, similarity,
 *   face_track_id (a face was seen), face_box {x,y,width,height} and
 *   detection_score (the face is in the alert's frame),
 *   person_track_id, person_box {x,y,width,height}, person_score  (a person),
 *   pts_ns, snapshot {frame, face, person}, record (facematch's
 *   FaceSearchResponse entry) or record_omitted (why it is not there).
 */
#pragma once

#include <glib.h>

#include "fa-alert-rules.h"
#include "fa-image.h"

G_BEGIN_DECLS

typedef struct {
  FaAlertOn rule;               /* UNKNOWN, KNOWN or PERSON */
  const gchar *id;              /* the alert's id (a UUID) */
  const gchar *camera;
  GDateTime *time;              /* when it was raised (local time) */
  gint64 pts_ns;                /* the frame's timestamp, -1 if none */

  guint64 face_track_id;        /* the face (0: none seen) */
  gboolean face_decided;
  gboolean has_face;            /* the face is in this frame: face_box is set */
  gboolean known;
  const gchar *name;            /* ExternalImageId of the match, or NULL */
  const gchar *face_id;
  gdouble similarity;
  FaRect face_box;
  gdouble detection_score;
  const gchar *record;          /* JSON text, or NULL */

  gboolean has_person;          /* the person rule, or a face in a person box */
  guint64 person_track_id;
  FaRect person_box;
  gdouble person_score;

  const gchar *snapshot_frame;  /* file paths, or NULL */
  const gchar *snapshot_face;
  const gchar *snapshot_person;
} FaAlert;

/* The event name: "unknown-face", "known-face" or "person". */
const gchar *fa_alert_event (const FaAlert *alert);

/* The subject, printable ASCII cut to FA_SNS_MAX_SUBJECT_CHARS. */
gchar *fa_alert_subject (const FaAlert *alert);

/* What a person reads: the subject and the local time, "Unknown face at
 * front-door 14:02:11". */
gchar *fa_alert_line (const FaAlert *alert);

/* The JSON payload, with facematch's record when @with_record. */
gchar *fa_alert_payload (const FaAlert *alert, gboolean with_record);

/* The SNS Message for MessageStructure=json: the line for people (default,
 * sms), the payload for machines (http, https, sqs, lambda). The record is
 * dropped (record_omitted) if the message would not fit in @max_bytes; NULL
 * with FA_ERROR_INVALID_ARGUMENT if it still does not fit. */
gchar *fa_alert_sns_message (const FaAlert *alert, gsize max_bytes,
    GError **error);

/* @text as printable ASCII (others become '?'), at most @max characters;
 * with @id_chars, only letters, digits, '-', '_' and '.' (others become
 * '-'), as SNS ids and file names need. Never empty ("camera"). */
gchar *fa_alert_ascii_clean (const gchar *text, gsize max, gboolean id_chars);

G_END_DECLS
