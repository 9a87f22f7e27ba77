/* facealert: average-linkage clustering with the nearest-neighbour chain
 * algorithm (O(n^2) time and memory; average linkage is reducible, so the
 * merges it finds are those of the greedy algorithm). */
#include "fa-cluster.h"
#include "fa-embedder.h"

#include <string.h>

typedef struct {
  guint label;
  guint size;
  guint first;
} Group;

static gint
compare_groups (gconstpointer a, gconstpointer b)
{
  const Group *ga = a, *gb = b;
  if (ga->size != gb->size)
    return ga->size > gb->size ? -1 : 1;
  return ga->first < gb->first ? -1 : ga->first > gb->first;
}

guint
fa_cluster_average_linkage (const float *vectors, guint n, int dim, float min_cosine,
    guint *labels)
{
  if (n == 0)
    return 0;
  /* sim[i * n + j]: mean cosine between the groups led by i and j. */
  float *sim = g_new (float, (gsize) n * n);
  guint *size = g_new (guint, n);
  guint *parent = g_new (guint, n);
  gboolean *active = g_new (gboolean, n);   /* leads a group that may still merge */
  for (guint i = 0; i < n; i++) {
    size[i] = 1;
    parent[i] = i;
    active[i] = TRUE;
    for (guint j = i; j < n; j++) {
      float c = i == j ? 1.f : fa_embedding_cosine (vectors + (gsize) i * dim,
          vectors + (gsize) j * dim, dim);
      sim[(gsize) i * n + j] = sim[(gsize) j * n + i] = c;
    }
  }

  guint *chain = g_new (guint, n);
  guint chain_len = 0, n_active = n;
  while (n_active > 1) {
    if (chain_len == 0) {
      for (guint i = 0; i < n; i++)
        if (active[i]) {
          chain[chain_len++] = i;
          break;
        }
    }
    guint a = chain[chain_len - 1];
    /* a's nearest active neighbour; prefer the previous chain element on ties
     * so the chain always ends in a reciprocal pair. */
    guint prev = chain_len > 1 ? chain[chain_len - 2] : G_MAXUINT;
    guint best = G_MAXUINT;
    float best_sim = -2.f;
    for (guint j = 0; j < n; j++) {
      if (j == a || !active[j])
        continue;
      float s = sim[(gsize) a * n + j];
      if (s > best_sim || (s == best_sim && j == prev)) {
        best_sim = s;
        best = j;
      }
    }
    if (best == G_MAXUINT)
      break;
    if (best != prev) {
      chain[chain_len++] = best;
      continue;
    }
    /* a and prev are each other's nearest: merge them, or, below the
     * threshold, neither can ever merge with anything (reducibility). */
    chain_len -= 2;
    if (best_sim < min_cosine) {
      active[a] = active[prev] = FALSE;
      n_active -= 2;
      chain_len = 0;   /* the rest of the chain may have pointed at them */
      continue;
    }
    guint keep = MIN (a, prev), gone = MAX (a, prev);
    for (guint k = 0; k < n; k++) {
      if (!active[k] || k == keep || k == gone)
        continue;
      float s = (size[keep] * sim[(gsize) keep * n + k] + size[gone] * sim[(gsize) gone * n + k])
          / (size[keep] + size[gone]);
      sim[(gsize) keep * n + k] = sim[(gsize) k * n + keep] = s;
    }
    size[keep] += size[gone];
    parent[gone] = keep;
    active[gone] = FALSE;
    n_active--;
  }

  /* Each vector's group leader, then labels by group size. */
  guint *root = g_new (guint, n);
  for (guint i = 0; i < n; i++) {
    guint r = i;
    while (parent[r] != r)
      r = parent[r];
    root[i] = r;
  }
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (Group));
  guint *group_of_root = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    group_of_root[i] = G_MAXUINT;
  for (guint i = 0; i < n; i++) {
    if (group_of_root[root[i]] == G_MAXUINT) {
      group_of_root[root[i]] = groups->len;
      Group g = {groups->len, 0, i};
      g_array_append_val (groups, g);
    }
    g_array_index (groups, Group, group_of_root[root[i]]).size++;
  }
  g_autoptr (GArray) sorted = g_array_copy (groups);
  g_array_sort (sorted, compare_groups);
  guint *label_of_group = g_new (guint, groups->len);
  for (guint k = 0; k < sorted->len; k++)
    label_of_group[g_array_index (sorted, Group, k).label] = k;
  for (guint i = 0; i < n; i++)
    labels[i] = label_of_group[group_of_root[root[i]]];
  guint n_groups = groups->len;

  g_free (label_of_group);
  g_free (group_of_root);
  g_free (root);
  g_free (chain);
  g_free (active);
  g_free (parent);
  g_free (size);
  g_free (sim);
  return n_groups;
}
