/* facealert: facematch's tracks into the sightings store, on a writer thread. */
#include "fa-sighting-recorder.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-sightings.h"

#include <math.h>
#include <string.h>

/* The crop: the face box grown by CROP_MARGIN of its size on every side
 * (hair, chin, a little background help a person tell who it is), at most
 * CROP_MAX_SIDE pixels. */
#define CROP_MARGIN 0.4f
#define CROP_MAX_SIDE 256
#define CROP_JPEG_QUALITY 85
/* A face's worth as the crop: confident and big, up to this side. */
#define CROP_FULL_SIDE 160.f

typedef struct {
  guint64 track_id;
  gint64 first_seen_ms, last_seen_ms, decided_ms;
  gboolean decided, known;
  gchar *name, *face_id;
  double similarity;
  guint n_embeddings;
  float mean[FA_EMBED_MAX_DIM];
  int dim;
  FaPicture *crop;           /* owned BGR copy; NULL until a judged face */
  float crop_worth;
  FaRect box;
  int frame_width, frame_height;
  float face_score;
  gboolean queued;           /* its first write is queued */
  gboolean crop_changed;     /* a better crop since the last queued write */
} TrackState;

typedef enum { JOB_ADD, JOB_UPDATE, JOB_FLUSH, JOB_QUIT } JobKind;

typedef struct {
  JobKind kind;
  guint64 track_id;
  FaSighting *sighting;
  FaPicture *crop;           /* NULL: keep the stored one */
} Job;

struct _FaSightingRecorder {
  gchar *camera, *collection, *model_name, *model_version;
  FaSightingStore *store;    /* used by the writer thread only */
  GHashTable *tracks;        /* track id -> TrackState* (caller's thread) */
  GAsyncQueue *jobs;
  GThread *writer;
  GHashTable *ids;           /* track id -> sighting id (writer thread) */
  GMutex lock;               /* the fields below */
  GCond flushed;
  guint64 flushes_asked, flushes_done;
  gchar *error;
};

static void
track_state_free (TrackState *t)
{
  g_free (t->name);
  g_free (t->face_id);
  fa_picture_free (t->crop);
  g_free (t);
}

static void
job_free (Job *job)
{
  fa_sighting_free (job->sighting);
  fa_picture_free (job->crop);
  g_free (job);
}

static void
set_error (FaSightingRecorder *r, const GError *error)
{
  g_mutex_lock (&r->lock);
  g_free (r->error);
  r->error = g_strdup (error->message);
  g_mutex_unlock (&r->lock);
}

static GBytes *
encode_crop (FaSightingRecorder *r, FaPicture *crop)
{
  if (crop == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  GBytes *jpeg = fa_image_encode_jpeg (fa_picture_image (crop), CROP_JPEG_QUALITY, &error);
  if (jpeg == NULL)
    set_error (r, error);
  return jpeg;
}

static void
write_job (FaSightingRecorder *r, Job *job)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) jpeg = encode_crop (r, job->crop);
  gpointer key = GSIZE_TO_POINTER ((gsize) job->track_id);
  gint64 id = GPOINTER_TO_SIZE (g_hash_table_lookup (r->ids, key));
  if (id > 0) {
    job->sighting->id = id;
    if (!fa_sighting_store_update (r->store, job->sighting, jpeg, &error)
        && !g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND))   /* deleted meanwhile */
      set_error (r, error);
    return;
  }
  /* A first write (or a later one whose first failed: then without a crop
   * when the crop did not change, rather than not at all). */
  id = fa_sighting_store_add (r->store, job->sighting, jpeg, &error);
  if (id > 0)
    g_hash_table_insert (r->ids, key, GSIZE_TO_POINTER ((gsize) id));
  else
    set_error (r, error);
}

static gpointer
writer_main (gpointer data)
{
  FaSightingRecorder *r = data;
  for (;;) {
    Job *job = g_async_queue_pop (r->jobs);
    JobKind kind = job->kind;
    if (kind == JOB_ADD || kind == JOB_UPDATE)
      write_job (r, job);
    job_free (job);
    if (kind == JOB_FLUSH || kind == JOB_QUIT) {
      g_mutex_lock (&r->lock);
      r->flushes_done++;
      g_cond_broadcast (&r->flushed);
      g_mutex_unlock (&r->lock);
    }
    if (kind == JOB_QUIT)
      return NULL;
  }
}

FaSightingRecorder *
fa_sighting_recorder_new (const FaSightingRecorderConfig *config, GError **error)
{
  FaSightingStore *store = fa_sighting_store_open (config->dir, TRUE, config->busy_timeout_ms,
      error);
  if (store == NULL)
    return NULL;
  fa_sighting_store_set_limits (store, config->retention_hours, config->quota_bytes);
  FaSightingRecorder *r = g_new0 (FaSightingRecorder, 1);
  r->camera = g_strdup (config->camera);
  r->collection = g_strdup (config->collection);
  r->model_name = g_strdup (config->model_name);
  r->model_version = g_strdup (config->model_version);
  r->store = store;
  r->tracks = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) track_state_free);
  r->ids = g_hash_table_new (NULL, NULL);
  r->jobs = g_async_queue_new ();
  g_mutex_init (&r->lock);
  g_cond_init (&r->flushed);
  r->writer = g_thread_new ("fa-sightings", writer_main, r);
  return r;
}

static FaSighting *
sighting_of (FaSightingRecorder *r, const TrackState *t)
{
  FaSighting *s = fa_sighting_new ();
  s->camera = g_strdup (r->camera);
  s->track_id = t->track_id;
  s->first_seen_ms = t->first_seen_ms;
  s->decided_ms = t->decided_ms;
  s->last_seen_ms = t->last_seen_ms;
  s->decision = t->known ? FA_SIGHTING_KNOWN : FA_SIGHTING_UNKNOWN;
  s->name = t->known ? g_strdup (t->name) : NULL;
  s->face_id = t->known ? g_strdup (t->face_id) : NULL;
  s->similarity = t->similarity;
  s->collection = g_strdup (r->collection);
  s->box = t->box;
  s->frame_width = t->frame_width;
  s->frame_height = t->frame_height;
  s->face_score = t->face_score;
  if (t->crop != NULL) {
    s->crop_width = fa_picture_image (t->crop)->width;
    s->crop_height = fa_picture_image (t->crop)->height;
  }
  s->n_embeddings = t->n_embeddings;
  s->model_name = g_strdup (r->model_name);
  s->model_version = g_strdup (r->model_version);
  s->dim = t->dim;
  s->embedding = g_memdup2 (t->mean, t->dim * sizeof (float));
  return s;
}

static FaPicture *
copy_picture (const FaPicture *p)
{
  if (p == NULL)
    return NULL;
  FaRect all = {0, 0, (float) fa_picture_image (p)->width, (float) fa_picture_image (p)->height};
  return fa_picture_new_from_region (fa_picture_image (p), &all, 0, NULL);
}

static void
queue_write (FaSightingRecorder *r, TrackState *t)
{
  Job *job = g_new0 (Job, 1);
  job->kind = t->queued ? JOB_UPDATE : JOB_ADD;
  job->track_id = t->track_id;
  job->sighting = sighting_of (r, t);
  if (!t->queued || t->crop_changed)
    job->crop = copy_picture (t->crop);
  t->queued = TRUE;
  t->crop_changed = FALSE;
  g_async_queue_push (r->jobs, job);
}

static void
keep_crop (TrackState *t, const FaImage *frame, const FaFace *face)
{
  float side = MIN (face->box.width, face->box.height);
  float worth = face->score * MIN (side, CROP_FULL_SIDE);
  if (t->crop != NULL && worth <= t->crop_worth)
    return;
  FaRect region = {
    face->box.x - CROP_MARGIN * face->box.width, face->box.y - CROP_MARGIN * face->box.height,
    (1 + 2 * CROP_MARGIN) * face->box.width, (1 + 2 * CROP_MARGIN) * face->box.height,
  };
  FaPicture *crop = fa_picture_new_from_region (frame, &region, CROP_MAX_SIDE, NULL);
  if (crop == NULL)
    return;
  fa_picture_free (t->crop);
  t->crop = crop;
  t->crop_worth = worth;
  t->box = face->box;
  t->frame_width = frame->width;
  t->frame_height = frame->height;
  t->face_score = face->score;
  t->crop_changed = TRUE;
}

void
fa_sighting_recorder_observe (FaSightingRecorder *r, const FaTrack *track, const FaImage *frame,
    const FaFace *face, gboolean judged, gint64 now_ms)
{
  gpointer key = GSIZE_TO_POINTER ((gsize) track->id);
  TrackState *t = g_hash_table_lookup (r->tracks, key);
  if (t == NULL) {
    t = g_new0 (TrackState, 1);
    t->track_id = track->id;
    t->first_seen_ms = now_ms;
    g_hash_table_insert (r->tracks, key, t);
  }
  t->last_seen_ms = now_ms;
  if (judged && frame != NULL)
    keep_crop (t, frame, face);
  if (!track->decided || track->n_embeddings == 0)
    return;

  gboolean identity_changed = !t->decided || t->known != track->known
      || g_strcmp0 (t->name, track->name) != 0;
  if (!t->decided)
    t->decided_ms = now_ms;
  t->decided = TRUE;
  t->known = track->known;
  if (identity_changed) {
    g_free (t->name);
    t->name = g_strdup (track->name);
  }
  if (g_strcmp0 (t->face_id, track->face_id) != 0) {
    g_free (t->face_id);
    t->face_id = g_strdup (track->face_id);
  }
  t->similarity = track->similarity;
  if (track->n_embeddings != t->n_embeddings && fa_track_mean_embedding (track, t->mean)) {
    t->dim = track->dim;
    t->n_embeddings = track->n_embeddings;
  }
  if (!t->queued || identity_changed)
    queue_write (r, t);
}

/* Writes @t one last time (its last-seen time at least has changed); a
 * track never decided leaves nothing. */
static void
finish (FaSightingRecorder *r, TrackState *t)
{
  if (t->queued)
    queue_write (r, t);
}

void
fa_sighting_recorder_frame_done (FaSightingRecorder *r, GPtrArray *live_tracks)
{
  g_autoptr (GHashTable) live = g_hash_table_new (NULL, NULL);
  for (guint i = 0; live_tracks != NULL && i < live_tracks->len; i++)
    g_hash_table_add (live, GSIZE_TO_POINTER ((gsize) ((FaTrack *) live_tracks->pdata[i])->id));
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, r->tracks);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    if (g_hash_table_contains (live, key))
      continue;
    finish (r, value);
    g_hash_table_iter_remove (&iter);
  }
}

void
fa_sighting_recorder_flush (FaSightingRecorder *r)
{
  Job *job = g_new0 (Job, 1);
  job->kind = JOB_FLUSH;
  g_mutex_lock (&r->lock);
  guint64 ticket = ++r->flushes_asked;
  g_async_queue_push (r->jobs, job);
  while (r->flushes_done < ticket)
    g_cond_wait (&r->flushed, &r->lock);
  g_mutex_unlock (&r->lock);
}

gchar *
fa_sighting_recorder_take_error (FaSightingRecorder *r)
{
  g_mutex_lock (&r->lock);
  gchar *error = g_steal_pointer (&r->error);
  g_mutex_unlock (&r->lock);
  return error;
}

void
fa_sighting_recorder_free (FaSightingRecorder *r)
{
  if (r == NULL)
    return;
  fa_sighting_recorder_frame_done (r, NULL);   /* every track ends */
  Job *quit = g_new0 (Job, 1);
  quit->kind = JOB_QUIT;
  g_mutex_lock (&r->lock);
  r->flushes_asked++;
  g_mutex_unlock (&r->lock);
  g_async_queue_push (r->jobs, quit);
  g_thread_join (r->writer);
  g_async_queue_unref (r->jobs);
  g_hash_table_unref (r->ids);
  g_hash_table_unref (r->tracks);
  fa_sighting_store_close (r->store);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->flushed);
  g_free (r->error);
  g_free (r->camera);
  g_free (r->collection);
  g_free (r->model_name);
  g_free (r->model_version);
  g_free (r);
}
