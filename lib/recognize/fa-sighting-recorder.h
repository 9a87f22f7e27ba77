/* facealert: what facematch tells the sightings store (fa-sightings.h).
 *
 * facematch reports each face of each frame (fa_sighting_recorder_observe)
 * and the tracks still alive (fa_sighting_recorder_frame_done). A track is
 * written once it is decided (known or unknown), rewritten when its identity
 * changes, and finished when it ends: its best face crop (the most
 * confident, largest face that passed facematch's gate), its mean embedding,
 * camera, first and last time and decision. The streaming thread only
 * copies the crop's pixels; JPEG encoding and every SQLite write happen on
 * the recorder's own thread, so a busy or full disk never stalls video.
 *
 * Not thread-safe: one caller thread (the streaming thread).
 */
#pragma once

#include <glib.h>

#include "fa-image.h"
#include "fa-tracker.h"

G_BEGIN_DECLS

typedef struct {
  const gchar *dir;             /* the sightings directory (NULL: the default) */
  const gchar *camera;          /* the stream name facematch reports */
  const gchar *collection;      /* the collection searched */
  const gchar *model_name;      /* the embedder's */
  const gchar *model_version;
  guint retention_hours;        /* 0: kept until the quota */
  guint64 quota_bytes;          /* 0: no quota */
  int busy_timeout_ms;          /* how long a write waits for a lock (<= 0: 5 s) */
} FaSightingRecorderConfig;

typedef struct _FaSightingRecorder FaSightingRecorder;

/* Opens (creates) the store now, so a directory that cannot be written fails
 * here with its name, then starts the writer thread. */
FaSightingRecorder *fa_sighting_recorder_new (const FaSightingRecorderConfig *config,
    GError **error);
/* Finishes every live track, writes everything pending and stops. */
void fa_sighting_recorder_free (FaSightingRecorder *recorder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaSightingRecorder, fa_sighting_recorder_free)

/* @face of @track in @frame, after facematch updated the track's decision;
 * @judged when this very face passed the gate and was embedded (only those
 * make the crop). @now_ms: wall-clock time of the frame. */
void fa_sighting_recorder_observe (FaSightingRecorder *recorder, const FaTrack *track,
    const FaImage *frame, const FaFace *face, gboolean judged, gint64 now_ms);

/* After the tracker's update: every track not in @live_tracks (FaTrack*) has
 * ended and is written one last time. */
void fa_sighting_recorder_frame_done (FaSightingRecorder *recorder, GPtrArray *live_tracks);

/* Blocks until everything handed over so far is written (tests, EOS). */
void fa_sighting_recorder_flush (FaSightingRecorder *recorder);

/* The newest write error since the last call (NULL: none), for one warning
 * per outage; the writer goes on trying with the next sightings. */
gchar *fa_sighting_recorder_take_error (FaSightingRecorder *recorder);

G_END_DECLS
