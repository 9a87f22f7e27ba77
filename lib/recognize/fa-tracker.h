/* facealert: an IoU face tracker that also gathers each track's evidence.
 *
 * Each frame's faces are matched greedily to live tracks by box overlap
 * (highest IoU first, at least @iou_threshold); unmatched faces start new
 * tracks with fresh ids, and a track unseen for more than @max_misses frames
 * ends. The caller embeds a track's face only now and then and adds the
 * embedding with fa_track_add_embedding(); the track's evidence is the mean of
 * its embeddings (re-normalised), which is steadier than any single frame.
 */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

typedef struct {
  guint64 id;                 /* 1, 2, ... per tracker */
  FaFace face;                /* latest detection */
  guint64 frames_seen;
  guint64 frames_alive;       /* frames since the track began, seen or missed */
  guint misses;               /* consecutive frames without a match */
  guint frames_since_embed;   /* frames since the last embedding (G_MAXUINT: never) */
  guint n_embeddings;
  int dim;
  float *embedding_sum;       /* sum of unit embeddings, NULL before the first */

  /* The caller's decision about this track. */
  gboolean decided;
  gboolean known;
  gchar *name;
  gchar *face_id;
  double similarity;
  /* Faces and persons (fa-person-tracker.h). A face track: */
  guint64 held_by;            /* the person track holding it this frame (0: none) */
  gboolean vetoed;            /* held by a pet box and no person: never judged */
  gboolean scanned;           /* seen on a frame an object detector searched */
  /* A person track (its identity is in decided, known, name, similarity): */
  guint64 holds;              /* the face track it last held (0: none yet) */

  gpointer user_data;         /* freed with user_data_free */
  GDestroyNotify user_data_free;
} FaTrack;

typedef struct _FaTracker FaTracker;

FaTracker *fa_tracker_new (float iou_threshold, guint max_misses);
void fa_tracker_free (FaTracker *tracker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaTracker, fa_tracker_free)

/* Advances one frame with @n_faces faces; @tracks_out[i] receives face i's
 * track (borrowed: valid until the next update). */
void fa_tracker_update (FaTracker *tracker, const FaFace *faces, guint n_faces,
    FaTrack **tracks_out);

/* The live tracks (FaTrack*, borrowed). */
GPtrArray *fa_tracker_tracks (FaTracker *tracker);

void fa_tracker_reset (FaTracker *tracker);

void fa_track_add_embedding (FaTrack *track, const float *embedding, int dim);
/* Drops the track's embeddings and decision (it starts gathering again). */
void fa_track_forget_evidence (FaTrack *track);
/* How well the track's embeddings agree: their mean pairwise cosine (from the
 * length of their sum: |sum|^2 = n + 2 * sum of pairwise cosines), 1 for fewer
 * than two. */
double fa_track_consistency (const FaTrack *track);
/* Writes the track's mean embedding (unit length); FALSE before the first. */
gboolean fa_track_mean_embedding (const FaTrack *track, float *out);
void fa_track_set_identity (FaTrack *track, gboolean known, const gchar *name,
    const gchar *face_id, double similarity);

G_END_DECLS
