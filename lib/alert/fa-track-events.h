/* facealert: track events of one camera, derived from what alertsink sees
 * in each frame (the face and person tracks facematch marks), in Frigate's
 * terms: an object is "new" once its track persisted min_frames frames,
 * "update"d when its identity is decided or changes (or its alert snapshot
 * is written), and "end"s when unseen for end_timeout_ns of stream time (or
 * at fa_track_events_flush()). An identity event is what Frigate publishes
 * on tracked_object_update: a face (or person) decided known as NAME, or
 * unknown.
 *
 * People in view: person tracks, plus face tracks that no person track
 * holds (without objectdetect every face is a person; a face once held by a
 * person stays that person's), counting only tracks that are "new" and not
 * ended.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_TRACK_FACE,
  FA_TRACK_PERSON,
} FaTrackKind;

/* One track in one frame (strings are borrowed). */
typedef struct {
  FaTrackKind kind;
  guint64 track_id;
  gboolean decided;         /* its identity is decided (known or unknown) */
  gboolean known;
  const gchar *name;        /* known: who ("" or NULL otherwise) */
  gdouble similarity;       /* best match, percent */
  gdouble score;            /* detection score, 0..1 */
  gint x, y, width, height; /* box, frame pixels */
  guint64 person_track_id;  /* face: the person track holding it (0: none) */
} FaTrackObservation;

/* A tracked object as events describe it. */
typedef struct {
  FaTrackKind kind;
  guint64 track_id;
  gchar *id;                /* stable: "START-CAMERA-KIND-TRACK" */
  gboolean decided;
  gboolean known;
  gchar *name;              /* known: who; else NULL */
  gdouble similarity;
  gdouble score;
  gdouble top_score;
  gint x, y, width, height;
  gdouble start_time;       /* real time, epoch seconds */
  gdouble end_time;         /* 0 while in view */
  gdouble last_time;        /* when last seen */
  gchar *snapshot;          /* its alert's frame JPEG, or NULL */
} FaTrackObject;

typedef enum {
  FA_TRACK_EVENT_NEW,
  FA_TRACK_EVENT_UPDATE,
  FA_TRACK_EVENT_END,
} FaTrackEventType;

typedef struct {
  FaTrackEventType type;
  gboolean identity;        /* decided now, or known/name changed */
  FaTrackObject before;     /* as last published (new: the same as after) */
  FaTrackObject after;
} FaTrackEvent;

typedef struct _FaTrackEvents FaTrackEvents;

FaTrackEvents *fa_track_events_new (const gchar *camera, guint min_frames,
    gint64 end_timeout_ns);
void fa_track_events_free (FaTrackEvents *events);

/* Feeds the tracks of one frame at @ts_ns (stream time, monotonic) seen at
 * @now_s (real time). Returns the events (FaTrackEvent, owned by @events,
 * valid until the next call). */
GArray *fa_track_events_update (FaTrackEvents *events, gint64 ts_ns,
    gdouble now_s, const FaTrackObservation *tracks, guint n_tracks);
/* Track @track_id alerted with snapshot @path: an update event when it is
 * published (new) already. */
GArray *fa_track_events_set_snapshot (FaTrackEvents *events, FaTrackKind kind,
    guint64 track_id, const gchar *path);
/* Ends every track (end of stream, stop). */
GArray *fa_track_events_flush (FaTrackEvents *events);

/* People in view now (see above). */
guint fa_track_events_count_people (FaTrackEvents *events);

const gchar *fa_track_kind_label (FaTrackKind kind);   /* "face", "person" */

G_END_DECLS
