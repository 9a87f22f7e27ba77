/* facealert: IoU face tracker with per-track evidence. */
#include "fa-tracker.h"
#include "fa-embedder.h"

#include <string.h>

struct _FaTracker {
  float iou_threshold;
  guint max_misses;
  guint64 next_id;
  GPtrArray *tracks;   /* FaTrack* */
};

typedef struct {
  float iou;
  guint face, track;
} Pair;

static void
track_free (FaTrack *track)
{
  if (track->user_data_free != NULL)
    track->user_data_free (track->user_data);
  g_free (track->embedding_sum);
  g_free (track->name);
  g_free (track->face_id);
  g_free (track);
}

FaTracker *
fa_tracker_new (float iou_threshold, guint max_misses)
{
  FaTracker *tracker = g_new0 (FaTracker, 1);
  tracker->iou_threshold = iou_threshold;
  tracker->max_misses = max_misses;
  tracker->next_id = 1;
  tracker->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) track_free);
  return tracker;
}

void
fa_tracker_free (FaTracker *tracker)
{
  if (tracker == NULL)
    return;
  g_ptr_array_unref (tracker->tracks);
  g_free (tracker);
}

void
fa_tracker_reset (FaTracker *tracker)
{
  g_ptr_array_set_size (tracker->tracks, 0);
}

GPtrArray *
fa_tracker_tracks (FaTracker *tracker)
{
  return tracker->tracks;
}

static gint
compare_pairs (gconstpointer a, gconstpointer b)
{
  float ia = ((const Pair *) a)->iou, ib = ((const Pair *) b)->iou;
  return ia < ib ? 1 : ia > ib ? -1 : 0;
}

void
fa_tracker_update (FaTracker *tracker, const FaFace *faces, guint n_faces,
    FaTrack **tracks_out)
{
  guint n_tracks = tracker->tracks->len;
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  for (guint f = 0; f < n_faces; f++)
    for (guint t = 0; t < n_tracks; t++) {
      FaTrack *track = g_ptr_array_index (tracker->tracks, t);
      float iou = fa_rect_iou (&faces[f].box, &track->face.box);
      if (iou >= tracker->iou_threshold) {
        Pair p = {iou, f, t};
        g_array_append_val (pairs, p);
      }
    }
  g_array_sort (pairs, compare_pairs);

  g_autofree gboolean *track_used = g_new0 (gboolean, n_tracks + 1);
  for (guint f = 0; f < n_faces; f++)
    tracks_out[f] = NULL;
  for (guint i = 0; i < pairs->len; i++) {
    Pair *p = &g_array_index (pairs, Pair, i);
    if (tracks_out[p->face] != NULL || track_used[p->track])
      continue;
    track_used[p->track] = TRUE;
    tracks_out[p->face] = g_ptr_array_index (tracker->tracks, p->track);
  }

  /* Age the unmatched tracks; drop the ones gone too long (from the end, so
   * the indices in track_used stay valid). */
  for (guint t = n_tracks; t-- > 0;) {
    FaTrack *track = g_ptr_array_index (tracker->tracks, t);
    if (track_used[t])
      continue;
    track->frames_alive++;
    if (++track->misses > tracker->max_misses)
      g_ptr_array_remove_index (tracker->tracks, t);
  }

  for (guint f = 0; f < n_faces; f++) {
    FaTrack *track = tracks_out[f];
    if (track == NULL) {
      track = g_new0 (FaTrack, 1);
      track->id = tracker->next_id++;
      track->frames_since_embed = G_MAXUINT;
      g_ptr_array_add (tracker->tracks, track);
      tracks_out[f] = track;
    } else if (track->frames_since_embed != G_MAXUINT) {
      track->frames_since_embed++;
    }
    track->face = faces[f];
    track->misses = 0;
    track->frames_seen++;
    track->frames_alive++;
  }
}

void
fa_track_add_embedding (FaTrack *track, const float *embedding, int dim)
{
  if (track->embedding_sum == NULL || track->dim != dim) {
    g_free (track->embedding_sum);
    track->embedding_sum = g_new0 (float, dim);
    track->dim = dim;
    track->n_embeddings = 0;
  }
  for (int i = 0; i < dim; i++)
    track->embedding_sum[i] += embedding[i];
  track->n_embeddings++;
  track->frames_since_embed = 0;
}

void
fa_track_forget_evidence (FaTrack *track)
{
  g_clear_pointer (&track->embedding_sum, g_free);
  track->n_embeddings = 0;
  track->frames_since_embed = G_MAXUINT;
  track->decided = FALSE;
  fa_track_set_identity (track, FALSE, NULL, NULL, 0.0);
}

gboolean
fa_track_mean_embedding (const FaTrack *track, float *out)
{
  if (track->embedding_sum == NULL || track->n_embeddings == 0)
    return FALSE;
  memcpy (out, track->embedding_sum, track->dim * sizeof (float));
  fa_embedding_normalize (out, track->dim);
  return TRUE;
}

double
fa_track_consistency (const FaTrack *track)
{
  guint n = track->n_embeddings;
  if (track->embedding_sum == NULL || n < 2)
    return 1.0;
  double sum2 = 0;
  for (int i = 0; i < track->dim; i++)
    sum2 += (double) track->embedding_sum[i] * track->embedding_sum[i];
  return (sum2 - n) / ((double) n * (n - 1));
}

void
fa_track_set_identity (FaTrack *track, gboolean known, const gchar *name,
    const gchar *face_id, double similarity)
{
  track->known = known;
  g_free (track->name);
  track->name = g_strdup (name != NULL ? name : "");
  g_free (track->face_id);
  track->face_id = g_strdup (face_id != NULL ? face_id : "");
  track->similarity = similarity;
}
