/* facealert: which frames kdssink sends. See fa-kds-gate.h. */
#include "fa-kds-gate.h"

#include <string.h>

typedef struct {
  guint64 track_id;
  gboolean decided;
  gboolean known;
  gchar *name;
} Seen;

typedef struct {
  GArray *faces;          /* Seen, sorted by track id */
  gint64 sent_ns;
  gboolean valid;         /* something was sent */
} Snapshot;

struct _FaKdsGate {
  gint64 interval_ns;
  Snapshot last;          /* the last frame sent */
  Snapshot before;        /* what last was before it (for forget) */
};

static void
seen_clear (gpointer data)
{
  g_free (((Seen *) data)->name);
}

static void
snapshot_init (Snapshot *s)
{
  s->faces = g_array_new (FALSE, FALSE, sizeof (Seen));
  g_array_set_clear_func (s->faces, seen_clear);
  s->sent_ns = 0;
  s->valid = FALSE;
}

FaKdsGate *
fa_kds_gate_new (gint64 interval_ns)
{
  FaKdsGate *gate = g_new0 (FaKdsGate, 1);
  gate->interval_ns = MAX (interval_ns, 0);
  snapshot_init (&gate->last);
  snapshot_init (&gate->before);
  return gate;
}

void
fa_kds_gate_free (FaKdsGate *gate)
{
  if (gate == NULL)
    return;
  g_array_unref (gate->last.faces);
  g_array_unref (gate->before.faces);
  g_free (gate);
}

static gint
compare_seen (gconstpointer a, gconstpointer b)
{
  guint64 x = ((const Seen *) a)->track_id, y = ((const Seen *) b)->track_id;
  return x < y ? -1 : x > y;
}

static gboolean
same_faces (GArray *a, GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++) {
    const Seen *x = &g_array_index (a, Seen, i), *y = &g_array_index (b, Seen, i);
    if (x->track_id != y->track_id || !x->decided != !y->decided
        || !x->known != !y->known || g_strcmp0 (x->name, y->name) != 0)
      return FALSE;
  }
  return TRUE;
}

FaKdsGateVerdict
fa_kds_gate_check (FaKdsGate *gate, gint64 now_ns, const FaKdsFace *faces, guint n)
{
  if (n == 0)
    return FA_KDS_GATE_SKIP;

  g_autoptr (GArray) current = g_array_sized_new (FALSE, FALSE, sizeof (Seen), n);
  g_array_set_clear_func (current, seen_clear);
  for (guint i = 0; i < n; i++) {
    /* An empty name is no name: facematch writes "" for unknown faces. */
    Seen s = { faces[i].track_id, faces[i].decided, faces[i].known,
      faces[i].name != NULL && *faces[i].name != '\0' ? g_strdup (faces[i].name) : NULL };
    g_array_append_val (current, s);
  }
  g_array_sort (current, compare_seen);

  FaKdsGateVerdict verdict;
  if (!gate->last.valid || !same_faces (current, gate->last.faces))
    verdict = FA_KDS_GATE_CHANGED;
  else if (now_ns - gate->last.sent_ns >= gate->interval_ns
      || now_ns < gate->last.sent_ns)   /* the clock went back: a new segment */
    verdict = FA_KDS_GATE_HEARTBEAT;
  else
    return FA_KDS_GATE_SKIP;

  /* Sent: it becomes the last frame sent; keep the one before for forget(). */
  Snapshot old = gate->before;
  gate->before = gate->last;
  gate->last = old;
  g_array_set_size (gate->last.faces, 0);
  g_array_append_vals (gate->last.faces, current->data, current->len);
  g_array_set_clear_func (current, NULL);      /* names moved to last */
  gate->last.sent_ns = now_ns;
  gate->last.valid = TRUE;
  return verdict;
}

void
fa_kds_gate_forget (FaKdsGate *gate)
{
  Snapshot sent = gate->last;
  gate->last = gate->before;
  gate->before = sent;
  g_array_set_size (gate->before.faces, 0);
  gate->before.valid = FALSE;
}

void
fa_kds_gate_reset (FaKdsGate *gate)
{
  g_array_set_size (gate->last.faces, 0);
  g_array_set_size (gate->before.faces, 0);
  gate->last.valid = gate->before.valid = FALSE;
}
