/* facealert: person templates and negative examples over a collection. */
#include "fa-gallery.h"
#include "fa-embedder.h"

#include <string.h>

typedef struct {
  const gchar *name;          /* borrowed from its faces */
  GPtrArray *faces;           /* FaStoredFace*, borrowed: every face of the person */
  GPtrArray *negatives;       /* FaStoredFace*, borrowed */
  float template_[FA_EMBED_MAX_DIM];
} Person;

struct _FaGallery {
  GPtrArray *faces;           /* the arrays given (references) */
  GPtrArray *negatives;
  gchar *model_name;
  gchar *model_version;
  int dim;
  GPtrArray *people;          /* Person*, by name */
  guint n_faces, n_other_model, n_outliers, n_negatives;
};

static void
person_free (Person *p)
{
  g_ptr_array_unref (p->faces);
  g_ptr_array_unref (p->negatives);
  g_free (p);
}

static gboolean
comparable (const FaGallery *g, const FaStoredFace *f)
{
  return f->embedding != NULL && f->dim > 0 && f->dim <= FA_EMBED_MAX_DIM
      && g_strcmp0 (f->model_name, g->model_name) == 0
      && g_strcmp0 (f->model_version, g->model_version) == 0 && (g->dim == 0 || f->dim == g->dim);
}

static double
similarity (const float *a, const float *b, int dim)
{
  return fa_similarity_from_cosine (fa_embedding_cosine (a, b, dim));
}

/* The mean of @p's faces, leaving out those that disagree with the rest. */
static guint
build_template (Person *p, int dim)
{
  guint n = p->faces->len, outliers = 0;
  g_autofree float *sum = g_new0 (float, dim);
  for (guint i = 0; i < n; i++) {
    const float *e = ((FaStoredFace *) g_ptr_array_index (p->faces, i))->embedding;
    for (int k = 0; k < dim; k++)
      sum[k] += e[k];
  }
  memcpy (p->template_, sum, dim * sizeof (float));
  if (n >= 3) {
    /* Fewer than half go, so a template always stands on a majority. */
    const guint max_outliers = (n - 1) / 2;
    float others[FA_EMBED_MAX_DIM];
    for (guint i = 0; i < n; i++) {
      const float *e = ((FaStoredFace *) g_ptr_array_index (p->faces, i))->embedding;
      for (int k = 0; k < dim; k++)
        others[k] = sum[k] - e[k];
      fa_embedding_normalize (others, dim);
      if (outliers < max_outliers && similarity (e, others, dim) < FA_GALLERY_OUTLIER_SIMILARITY) {
        for (int k = 0; k < dim; k++)
          p->template_[k] -= e[k];
        outliers++;
      }
    }
  }
  fa_embedding_normalize (p->template_, dim);
  return outliers;
}

static Person *
person_for (FaGallery *g, GHashTable *by_name, const gchar *name)
{
  Person *p = g_hash_table_lookup (by_name, name);
  if (p == NULL) {
    p = g_new0 (Person, 1);
    p->name = name;
    p->faces = g_ptr_array_new ();
    p->negatives = g_ptr_array_new ();
    g_hash_table_insert (by_name, (gpointer) name, p);
    g_ptr_array_add (g->people, p);
  }
  return p;
}

static gint
compare_people (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(Person *const *) a)->name, (*(Person *const *) b)->name);
}

FaGallery *
fa_gallery_new (GPtrArray *faces, GPtrArray *negatives, const gchar *model_name,
    const gchar *model_version)
{
  FaGallery *g = g_new0 (FaGallery, 1);
  g->faces = faces != NULL ? g_ptr_array_ref (faces) : g_ptr_array_new ();
  g->negatives = negatives != NULL ? g_ptr_array_ref (negatives) : g_ptr_array_new ();
  g->model_name = g_strdup (model_name);
  g->model_version = g_strdup (model_version);
  g->people = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < g->faces->len; i++) {
    FaStoredFace *f = g_ptr_array_index (g->faces, i);
    if (!comparable (g, f)) {
      g->n_other_model++;
      continue;
    }
    g->dim = f->dim;
    g_ptr_array_add (person_for (g, by_name, f->external_image_id)->faces, f);
    g->n_faces++;
  }
  /* A negative example only matters for a name that has faces. */
  for (guint i = 0; i < g->negatives->len; i++) {
    FaStoredFace *f = g_ptr_array_index (g->negatives, i);
    Person *p = g_hash_table_lookup (by_name, f->external_image_id);
    if (p != NULL && comparable (g, f)) {
      g_ptr_array_add (p->negatives, f);
      g->n_negatives++;
    }
  }
  for (guint i = 0; i < g->people->len; i++)
    g->n_outliers += build_template (g_ptr_array_index (g->people, i), g->dim);
  g_ptr_array_sort (g->people, compare_people);
  return g;
}

FaGallery *
fa_gallery_load (FaCollectionStore *store, const gchar *collection_id, const gchar *model_name,
    const gchar *model_version, GError **error)
{
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, collection_id, NULL, TRUE, error);
  if (faces == NULL)
    return NULL;
  g_autoptr (GPtrArray) negatives = fa_collection_list_negatives (store, collection_id, NULL,
      TRUE, error);
  if (negatives == NULL)
    return NULL;
  return fa_gallery_new (faces, negatives, model_name, model_version);
}

void
fa_gallery_free (FaGallery *g)
{
  if (g == NULL)
    return;
  g_ptr_array_unref (g->people);
  g_ptr_array_unref (g->faces);
  g_ptr_array_unref (g->negatives);
  g_free (g->model_name);
  g_free (g->model_version);
  g_free (g);
}

guint
fa_gallery_n_people (const FaGallery *g)
{
  return g->people->len;
}

void
fa_gallery_get_counts (const FaGallery *g, guint *faces, guint *other_model, guint *outliers,
    guint *negatives)
{
  if (faces != NULL)
    *faces = g->n_faces;
  if (other_model != NULL)
    *other_model = g->n_other_model;
  if (outliers != NULL)
    *outliers = g->n_outliers;
  if (negatives != NULL)
    *negatives = g->n_negatives;
}

static gint
compare_matches (gconstpointer a, gconstpointer b)
{
  const FaPersonMatch *ma = a, *mb = b;
  if (ma->similarity != mb->similarity)
    return ma->similarity > mb->similarity ? -1 : 1;
  return g_strcmp0 (ma->name, mb->name);
}

GArray *
fa_gallery_search (const FaGallery *g, const float *embedding, int dim, double threshold,
    guint max_people)
{
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (FaPersonMatch));
  if (dim != g->dim)
    return matches;
  for (guint i = 0; i < g->people->len; i++) {
    const Person *p = g_ptr_array_index (g->people, i);
    double score = similarity (embedding, p->template_, dim);
    if (score < threshold)
      continue;
    FaPersonMatch m = {p->name, score, NULL, -1.0};
    for (guint k = 0; k < p->faces->len; k++) {
      const FaStoredFace *f = g_ptr_array_index (p->faces, k);
      double s = similarity (embedding, f->embedding, dim);
      if (s > m.face_similarity) {
        m.face_similarity = s;
        m.face = f;
      }
    }
    /* Nearer to a "not this person" than to any of their own photos. */
    gboolean vetoed = FALSE;
    for (guint k = 0; k < p->negatives->len && !vetoed; k++)
      vetoed = similarity (embedding, ((FaStoredFace *) g_ptr_array_index (p->negatives, k))
          ->embedding, dim) >= m.face_similarity;
    if (!vetoed)
      g_array_append_val (matches, m);
  }
  g_array_sort (matches, compare_matches);
  if (max_people > 0 && matches->len > max_people)
    g_array_set_size (matches, max_people);
  return matches;
}

static gint
compare_face_matches (gconstpointer a, gconstpointer b)
{
  double sa = ((const FaSearchMatch *) a)->similarity, sb = ((const FaSearchMatch *) b)->similarity;
  return sa < sb ? 1 : sa > sb ? -1 : 0;
}

GArray *
fa_gallery_search_faces (const FaGallery *g, const float *embedding, int dim, double threshold,
    guint max_faces)
{
  GArray *matches = g_array_new (FALSE, FALSE, sizeof (FaSearchMatch));
  if (dim != g->dim)
    return matches;
  for (guint i = 0; i < g->people->len; i++) {
    const Person *p = g_ptr_array_index (g->people, i);
    double nearest = -1.0;
    guint first = matches->len;
    for (guint k = 0; k < p->faces->len; k++) {
      const FaStoredFace *f = g_ptr_array_index (p->faces, k);
      double s = similarity (embedding, f->embedding, dim);
      nearest = MAX (nearest, s);
      if (s >= threshold) {
        FaSearchMatch m = {f, s};
        g_array_append_val (matches, m);
      }
    }
    /* The same veto as fa_gallery_search: nearer to a "not this person". */
    for (guint k = 0; k < p->negatives->len && matches->len > first; k++)
      if (similarity (embedding, ((FaStoredFace *) g_ptr_array_index (p->negatives, k))
              ->embedding, dim) >= nearest)
        g_array_set_size (matches, first);
  }
  g_array_sort (matches, compare_face_matches);
  if (max_faces > 0 && matches->len > max_faces)
    g_array_set_size (matches, max_faces);
  return matches;
}

GArray *
fa_gallery_face_matches (GArray *person_matches)
{
  GArray *faces = g_array_new (FALSE, FALSE, sizeof (FaSearchMatch));
  for (guint i = 0; person_matches != NULL && i < person_matches->len; i++) {
    const FaPersonMatch *m = &g_array_index (person_matches, FaPersonMatch, i);
    FaSearchMatch f = {m->face, m->similarity};
    g_array_append_val (faces, f);
  }
  return faces;
}
