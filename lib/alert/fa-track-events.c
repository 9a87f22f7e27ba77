/* facealert: track events of one camera. See fa-track-events.h. */
#include "fa-track-events.h"

#include <string.h>

typedef struct {
  FaTrackObject now;        /* as of the last frame */
  FaTrackObject published;  /* as of the last event */
  guint frames;
  gint64 last_ts;
  gboolean is_new;          /* its "new" event went out */
  guint64 person_track_id;
} Track;

struct _FaTrackEvents {
  gchar *camera;
  guint min_frames;
  gint64 end_timeout_ns;
  GHashTable *tracks;       /* "KIND:ID" -> Track* */
  GArray *events;           /* FaTrackEvent */
};

const gchar *
fa_track_kind_label (FaTrackKind kind)
{
  return kind == FA_TRACK_PERSON ? "person" : "face";
}

static void
object_clear (FaTrackObject *o)
{
  g_free (o->id);
  g_free (o->name);
  g_free (o->snapshot);
  memset (o, 0, sizeof *o);
}

static void
object_copy (FaTrackObject *dst, const FaTrackObject *src)
{
  *dst = *src;
  dst->id = g_strdup (src->id);
  dst->name = g_strdup (src->name);
  dst->snapshot = g_strdup (src->snapshot);
}

static void
event_clear (gpointer data)
{
  FaTrackEvent *e = data;
  object_clear (&e->before);
  object_clear (&e->after);
}

static void
track_free (Track *t)
{
  object_clear (&t->now);
  object_clear (&t->published);
  g_free (t);
}

FaTrackEvents *
fa_track_events_new (const gchar *camera, guint min_frames, gint64 end_timeout_ns)
{
  FaTrackEvents *e = g_new0 (FaTrackEvents, 1);
  e->camera = g_strdup (camera);
  e->min_frames = MAX (min_frames, 1);
  e->end_timeout_ns = end_timeout_ns;
  e->tracks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) track_free);
  e->events = g_array_new (FALSE, TRUE, sizeof (FaTrackEvent));
  g_array_set_clear_func (e->events, event_clear);
  return e;
}

void
fa_track_events_free (FaTrackEvents *e)
{
  if (e == NULL)
    return;
  g_hash_table_unref (e->tracks);
  g_array_unref (e->events);
  g_free (e->camera);
  g_free (e);
}

static gchar *
track_key (FaTrackKind kind, guint64 id)
{
  return g_strdup_printf ("%d:%" G_GUINT64_FORMAT, kind, id);
}

/* Publishes @t's current state as an event of @type. */
static void
emit (FaTrackEvents *e, Track *t, FaTrackEventType type, gboolean identity)
{
  FaTrackEvent ev = { .type = type, .identity = identity };
  object_copy (&ev.after, &t->now);
  object_copy (&ev.before, type == FA_TRACK_EVENT_NEW ? &t->now : &t->published);
  g_array_append_val (e->events, ev);
  object_clear (&t->published);
  object_copy (&t->published, &t->now);
}

static gboolean
identity_changed (const FaTrackObject *a, const FaTrackObject *b)
{
  return a->decided != b->decided || a->known != b->known
      || g_strcmp0 (a->name, b->name) != 0;
}

GArray *
fa_track_events_update (FaTrackEvents *e, gint64 ts, gdouble now_s,
    const FaTrackObservation *tracks, guint n)
{
  g_array_set_size (e->events, 0);
  for (guint i = 0; i < n; i++) {
    const FaTrackObservation *o = &tracks[i];
    gchar *key = track_key (o->kind, o->track_id);
    Track *t = g_hash_table_lookup (e->tracks, key);
    if (t == NULL) {
      t = g_new0 (Track, 1);
      t->now.kind = o->kind;
      t->now.track_id = o->track_id;
      t->now.start_time = now_s;
      t->now.id = g_strdup_printf ("%.6f-%s-%s-%" G_GUINT64_FORMAT, now_s,
          e->camera, fa_track_kind_label (o->kind), o->track_id);
      g_hash_table_insert (e->tracks, key, t);
    } else {
      g_free (key);
      if (t->frames > 0 && t->last_ts == ts)
        continue;                  /* the same track twice in a frame */
    }
    t->frames++;
    t->last_ts = ts;
    /* A face once held by a person box stays that person's (facematch does
     * not attribute it in every frame): counted once, as the person. */
    if (o->person_track_id != 0)
      t->person_track_id = o->person_track_id;
    FaTrackObject *now = &t->now;
    now->last_time = now_s;
    now->x = o->x;
    now->y = o->y;
    now->width = o->width;
    now->height = o->height;
    now->score = o->score;
    now->top_score = MAX (now->top_score, o->score);
    /* An identity, once decided, changes only with another decision. */
    if (o->decided) {
      now->decided = TRUE;
      now->known = o->known;
      now->similarity = o->similarity;
      g_free (now->name);
      now->name = o->known && o->name != NULL && *o->name != '\0'
          ? g_strdup (o->name) : NULL;
    }
    if (!t->is_new) {
      if (t->frames >= e->min_frames) {
        t->is_new = TRUE;
        emit (e, t, FA_TRACK_EVENT_NEW, now->decided);
      }
    } else if (identity_changed (now, &t->published)) {
      emit (e, t, FA_TRACK_EVENT_UPDATE, TRUE);
    }
  }

  /* Tracks gone for end_timeout. */
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, e->tracks);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Track *t = value;
    if (ts - t->last_ts < e->end_timeout_ns)
      continue;
    if (t->is_new) {
      t->now.end_time = t->now.last_time;
      emit (e, t, FA_TRACK_EVENT_END, FALSE);
    }
    g_hash_table_iter_remove (&it);
  }
  return e->events;
}

GArray *
fa_track_events_set_snapshot (FaTrackEvents *e, FaTrackKind kind,
    guint64 track_id, const gchar *path)
{
  g_array_set_size (e->events, 0);
  g_autofree gchar *key = track_key (kind, track_id);
  Track *t = g_hash_table_lookup (e->tracks, key);
  if (t == NULL)
    return e->events;
  g_free (t->now.snapshot);
  t->now.snapshot = g_strdup (path);
  if (t->is_new)
    emit (e, t, FA_TRACK_EVENT_UPDATE, FALSE);
  return e->events;
}

GArray *
fa_track_events_flush (FaTrackEvents *e)
{
  g_array_set_size (e->events, 0);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, e->tracks);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Track *t = value;
    if (t->is_new) {
      t->now.end_time = t->now.last_time;
      emit (e, t, FA_TRACK_EVENT_END, FALSE);
    }
    g_hash_table_iter_remove (&it);
  }
  return e->events;
}

guint
fa_track_events_count_people (FaTrackEvents *e)
{
  guint n = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, e->tracks);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    Track *t = value;
    if (t->is_new && (t->now.kind == FA_TRACK_PERSON || t->person_track_id == 0))
      n++;
  }
  return n;
}
