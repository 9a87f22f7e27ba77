/* facealert: object detections on shared low-priority threads (see
 * fa-object-background.h). */
#define G_LOG_DOMAIN "facealert-detect"

#include "fa-object-background.h"
#include "fa-dnn-shared.h"
#include "fa-error.h"

#include <errno.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* CPU priority of the detection threads, relative to the streaming threads. */
#define BACKGROUND_NICE 10

/* What the owner and its queued job share; the last of the two frees it (the
 * detector itself goes with the owner, fa_object_background_free). */
typedef struct {
  GMutex lock;
  GCond idle;           /* signalled when a job ends */
  FaObjectDetector *detector;
  gboolean busy;        /* a job is queued or running */
  gboolean running;     /* a job is in the network (fa_object_background_free waits) */
  gboolean cancelled;   /* the owner is gone: skip or drop the job */
  gboolean done;        /* a result waits for collect() */
  GArray *objects;      /* FaObject, the finished detection's */
  guint64 frame_no;
  GError *error;
} State;

struct _FaObjectBackground {
  State *state;
};

typedef struct {
  State *state;         /* a reference */
  FaPicture *picture;
  guint64 frame_no;
} Job;

static void
state_clear (gpointer data)
{
  State *s = data;
  g_clear_pointer (&s->detector, fa_object_detector_free);
  g_array_unref (s->objects);
  g_clear_error (&s->error);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->idle);
}

static void
lower_thread_priority (void)
{
  static __thread gboolean lowered;
  if (lowered)
    return;
  lowered = TRUE;
  /* On Linux, PRIO_PROCESS with a thread id sets that thread's nice value
   * only. Failing leaves the thread at normal priority: slower cameras, not
   * wrong ones. */
  if (setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), BACKGROUND_NICE) != 0)
    g_debug ("detection thread keeps its priority: %s", g_strerror (errno));
}

static void
job_run (gpointer data, gpointer user_data)
{
  Job *job = data;
  State *s = job->state;
  (void) user_data;

  lower_thread_priority ();
  g_mutex_lock (&s->lock);
  gboolean skip = s->cancelled;
  s->running = !skip;
  g_mutex_unlock (&s->lock);

  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (FaObject));
  GError *error = NULL;
  if (!skip && job->picture == NULL)
    g_set_error_literal (&error, FA_ERROR, FA_ERROR_FAILED, "could not copy the frame");
  else if (!skip)
    fa_object_detector_detect (s->detector, fa_picture_image (job->picture), found, &error);

  g_mutex_lock (&s->lock);
  if (!skip && !s->cancelled) {
    g_array_set_size (s->objects, 0);
    g_array_append_vals (s->objects, found->data, found->len);
    s->frame_no = job->frame_no;
    g_clear_error (&s->error);
    s->error = g_steal_pointer (&error);
    s->done = TRUE;
  }
  s->busy = FALSE;
  s->running = FALSE;
  g_cond_broadcast (&s->idle);
  g_mutex_unlock (&s->lock);

  g_clear_error (&error);
  g_clear_pointer (&job->picture, fa_picture_free);
  g_atomic_rc_box_release_full (s, state_clear);
  g_free (job);
}

/* One pool for the process: as many threads as the networks have copies, so
 * a detection never waits for a copy. */
static GThreadPool *
shared_pool (void)
{
  static GThreadPool *pool;
  if (g_once_init_enter (&pool)) {
    g_autoptr (GError) error = NULL;
    GThreadPool *made = g_thread_pool_new (job_run, NULL, (gint) fa_dnn_max_copies (), TRUE,
        &error);
    if (made == NULL)
      g_error ("cannot start the object detection threads: %s", error->message);
    g_once_init_leave (&pool, made);
  }
  return pool;
}

FaObjectBackground *
fa_object_background_new (FaObjectDetector *detector)
{
  State *s = g_atomic_rc_box_new0 (State);
  g_mutex_init (&s->lock);
  g_cond_init (&s->idle);
  s->detector = detector;
  s->objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  FaObjectBackground *bg = g_new0 (FaObjectBackground, 1);
  bg->state = s;
  return bg;
}

gboolean
fa_object_background_submit (FaObjectBackground *bg, const FaImage *image, guint64 frame_no)
{
  State *s = bg->state;
  g_mutex_lock (&s->lock);
  gboolean queue = !s->busy;
  s->busy = TRUE;
  g_mutex_unlock (&s->lock);
  if (!queue)
    return FALSE;

  Job *job = g_new0 (Job, 1);
  job->state = g_atomic_rc_box_acquire (s);
  FaRect whole = {0, 0, (float) image->width, (float) image->height};
  /* A failed copy reaches collect() as the job's error. */
  job->picture = fa_picture_new_from_region (image, &whole, 0, NULL);
  job->frame_no = frame_no;
  g_thread_pool_push (shared_pool (), job, NULL);
  return TRUE;
}

gboolean
fa_object_background_busy (FaObjectBackground *bg)
{
  State *s = bg->state;
  g_mutex_lock (&s->lock);
  gboolean busy = s->busy;
  g_mutex_unlock (&s->lock);
  return busy;
}

int
fa_object_background_collect (FaObjectBackground *bg, GArray *objects, guint64 *frame_no,
    GError **error)
{
  State *s = bg->state;
  int ret = 0;
  g_mutex_lock (&s->lock);
  if (s->done) {
    s->done = FALSE;
    if (s->error != NULL) {
      g_propagate_error (error, g_steal_pointer (&s->error));
      ret = -1;
    } else {
      g_array_set_size (objects, 0);
      g_array_append_vals (objects, s->objects->data, s->objects->len);
      *frame_no = s->frame_no;
      ret = 1;
    }
  }
  g_mutex_unlock (&s->lock);
  return ret;
}

void
fa_object_background_free (FaObjectBackground *bg)
{
  if (bg == NULL)
    return;
  /* The detector is freed here, not by a job that runs later: a process that
   * exits right after must not have a thread still in the network. */
  State *s = bg->state;
  g_mutex_lock (&s->lock);
  s->cancelled = TRUE;
  while (s->running)
    g_cond_wait (&s->idle, &s->lock);
  FaObjectDetector *detector = g_steal_pointer (&s->detector);
  g_mutex_unlock (&s->lock);
  fa_object_detector_free (detector);
  g_atomic_rc_box_release_full (s, state_clear);
  g_free (bg);
}
