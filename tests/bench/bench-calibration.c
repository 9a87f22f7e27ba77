/* Benchmark: threshold calibration on the developer sets.
 *
 *   meson test -C build --benchmark --suite bench calibration -v
 *
 * Every photo of tests/data/people_more (62 people, 708 real photos: LFW news
 * photos, 112x112 aligned Glint360K crops, 150x150 web crops, film stills)
 * is embedded the way `faces index` / `faces search` see photos. The people
 * are split in two halves, alternately by name within each source, so both
 * halves hold every kind of photo: half A was used to choose the default
 * threshold and the template, half B never was; figures are printed for
 * both. Then, per half:
 *
 *  1. same-person and different-person pair similarities: histogram, and
 *     TAR at FAR 1e-2 and 1e-3 (one photo against one photo);
 *  2. identification as a household would see it: 2/3 of the half's people
 *     enrolled with their first 1, 2 or 5 photos as `faces index` takes
 *     them (QualityFilter AUTO: a refused photo is not replaced; a household of ~20), the
 *     other 1/3 strangers (three folds, so everyone is a stranger once);
 *     probes are the enrolled people's photos from the 6th on (the same
 *     probes whatever the number enrolled) and every stranger photo.
 *     true-match = the right person at or above the threshold, false-match
 *     = a stranger at or above it; with the person template (fa-gallery.h,
 *     what facematch and `faces search` use) and, for comparison, the best
 *     single photo;
 *  3. each stranger photo against each enrolled person's template: the
 *     highest score, and the false-match rate this predicts for a household
 *     of 36 people (the size of the held-out measurement in issue 14).
 * The same for both halves together (a harder test than any home: ~41
 * people enrolled, and the Williams sisters on both sides), then
 * tests/data's own people and unknown faces at the default.
 */
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-face-analyzer.h"
#include "fa-gallery.h"
#include "fa-recognize-defaults.h"
#include "fa-test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_VERSION_OF(a) fa_face_analyzer_model_version (a)
#define FIRST_PROBE 6     /* probes: photo 6 and later */
#define FOLDS 3

typedef struct {
  gchar *person;
  gchar *source;        /* the repository the person's photos come from */
  gchar *path;
  int number;           /* the photo's number: 1.jpg -> 1 */
  char half;            /* 'A', 'B' (people_more) or 0 */
  float embedding[FA_EMBED_MAX_DIM];          /* as SearchFacesByImage sees it */
  gboolean indexed;     /* IndexFaces (QualityFilter AUTO) takes it */
  float indexed_embedding[FA_EMBED_MAX_DIM];  /* what IndexFaces stores */
} Sample;

static int dim;
static const gchar *model, *version;

static void
sample_free (Sample *s)
{
  g_free (s->person);
  g_free (s->source);
  g_free (s->path);
  g_free (s);
}

static double
sim (const float *a, const float *b)
{
  return fa_similarity_from_cosine (fa_embedding_cosine (a, b, dim));
}

/* people_more person -> source repository, from tests/testdata.csv. */
static GHashTable *
read_sources (void)
{
  GHashTable *sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree gchar *csv = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"), "tests",
      "testdata.csv", NULL);
  g_autofree gchar *text = NULL;
  if (!g_file_get_contents (csv, &text, NULL, NULL))
    g_error ("cannot read %s", csv);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (!g_str_has_prefix (lines[i], "people_more/"))
      continue;
    g_auto (GStrv) f = g_strsplit (lines[i], ",", 3);
    g_auto (GStrv) parts = g_strsplit (f[0], "/", 3);
    if (f[1] != NULL && parts[1] != NULL && !g_hash_table_contains (sources, parts[1]))
      g_hash_table_insert (sources, g_strdup (parts[1]), g_strdup (f[1]));
  }
  return sources;
}

static gint
compare_samples (gconstpointer a, gconstpointer b)
{
  const Sample *sa = *(Sample *const *) a, *sb = *(Sample *const *) b;
  int c = g_strcmp0 (sa->person, sb->person);
  return c != 0 ? c : sa->number - sb->number;
}

/* Embeds every photo under @dir_rel (one folder per person). */
static GPtrArray *
load_people (FaFaceAnalyzer *analyzer, const gchar *dir_rel, guint *n_photos,
    GPtrArray *failures)
{
  GPtrArray *samples = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_free);
  g_autofree gchar *root = fa_test_data_path (dir_rel);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  const gchar *person;
  while (dir != NULL && (person = g_dir_read_name (dir)) != NULL) {
    g_autofree gchar *pdir = g_build_filename (root, person, NULL);
    g_autoptr (GDir) d = g_dir_open (pdir, 0, NULL);
    const gchar *file;
    while (d != NULL && (file = g_dir_read_name (d)) != NULL) {
      (*n_photos)++;
      Sample *s = g_new0 (Sample, 1);
      s->person = g_strdup (person);
      s->path = g_build_filename (pdir, file, NULL);
      s->number = atoi (file);
      g_autoptr (GError) error = NULL;
      g_autoptr (FaPicture) picture = fa_picture_load (s->path, &error);
      FaFace face;
      if (picture == NULL || !fa_face_analyzer_largest_face (analyzer,
              fa_picture_image (picture), &face, s->embedding, &error)) {
        g_ptr_array_add (failures, g_strdup_printf ("%s/%s: %s", person, file, error->message));
        sample_free (s);
        continue;
      }
      g_autoptr (FaIndexResult) r = fa_face_analyzer_index (analyzer, fa_picture_image (picture),
          "x", 1, FA_QUALITY_FILTER_AUTO, NULL);
      s->indexed = r != NULL && r->indexed->len > 0;
      if (s->indexed)
        memcpy (s->indexed_embedding,
            ((FaAnalyzedFace *) g_ptr_array_index (r->indexed, 0))->stored->embedding,
            dim * sizeof (float));
      g_ptr_array_add (samples, s);
    }
  }
  g_ptr_array_sort (samples, compare_samples);
  return samples;
}

/* Alternately by name within each source: both halves get every kind. */
static void
split_halves (GPtrArray *samples, GHashTable *sources)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) count = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < samples->len; i++) {   /* sorted by person */
    Sample *s = g_ptr_array_index (samples, i);
    s->source = g_strdup (g_hash_table_lookup (sources, s->person));
    if (!g_hash_table_contains (seen, s->person)) {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (count, s->source));
      g_hash_table_insert (seen, s->person, GINT_TO_POINTER (n % 2 == 0 ? 'A' : 'B'));
      g_hash_table_insert (count, s->source, GUINT_TO_POINTER (n + 1));
    }
    s->half = (char) GPOINTER_TO_INT (g_hash_table_lookup (seen, s->person));
  }
}

static gint
compare_double_desc (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? 1 : x > y ? -1 : 0;
}

static void
pair_report (GPtrArray *h, char half)
{
  g_autoptr (GArray) same = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) diff = g_array_new (FALSE, FALSE, sizeof (double));
  guint hist_same[20] = {0}, hist_diff[20] = {0};
  for (guint i = 0; i < h->len; i++)
    for (guint j = i + 1; j < h->len; j++) {
      Sample *a = g_ptr_array_index (h, i), *b = g_ptr_array_index (h, j);
      double s = sim (a->embedding, b->embedding);
      gboolean genuine = g_strcmp0 (a->person, b->person) == 0;
      g_array_append_val (genuine ? same : diff, s);
      (genuine ? hist_same : hist_diff)[MIN ((int) (s / 5), 19)]++;
    }
  g_array_sort (diff, compare_double_desc);
  printf ("half %c pairs: %u same-person, %u different-person\n", half, same->len, diff->len);
  printf ("  similarity  same-person  different-person\n");
  for (int b = 0; b < 20; b++)
    if (hist_same[b] || hist_diff[b])
      printf ("  %3d-%-3d     %8.4f     %8.4f\n", 5 * b, 5 * b + 5,
          (double) hist_same[b] / same->len, (double) hist_diff[b] / diff->len);
  const double fars[] = {1e-2, 1e-3};
  for (guint f = 0; f < G_N_ELEMENTS (fars); f++) {
    guint k = (guint) (fars[f] * diff->len);
    double th = g_array_index (diff, double, MIN (k, diff->len - 1));
    guint accepted = 0;
    for (guint i = 0; i < same->len; i++)
      accepted += g_array_index (same, double, i) > th;
    printf ("  TAR at FAR %.0e: %.3f (threshold %.1f)\n", fars[f],
        (double) accepted / same->len, th);
  }
}

/* Enrolled as `faces index` would: what IndexFaces stored. */
static FaStoredFace *
stored_face (const Sample *s)
{
  FaStoredFace *f = fa_stored_face_new ();
  f->face_id = g_strdup (s->path);
  f->external_image_id = g_strdup (s->person);
  f->model_name = g_strdup (model);
  f->model_version = g_strdup (version);
  f->dim = dim;
  f->embedding = g_memdup2 (s->indexed_embedding, dim * sizeof (float));
  return f;
}

typedef struct {
  guint probes, true_match, wrong_person;
  guint strangers, false_match;
} Rates;

typedef enum { TEMPLATE, BEST_PHOTO } Mode;

/* Best person and score for @probe. */
static const gchar *
identify (Mode mode, FaGallery *gallery, GPtrArray *faces, const float *probe, double *score)
{
  if (mode == TEMPLATE) {
    g_autoptr (GArray) m = fa_gallery_search (gallery, probe, dim, 0.0, 1);
    *score = m->len > 0 ? g_array_index (m, FaPersonMatch, 0).similarity : 0.0;
    return m->len > 0 ? g_array_index (m, FaPersonMatch, 0).name : NULL;
  }
  g_autoptr (GArray) m = fa_faces_search (faces, model, version, probe, dim, 0.0, 1);
  *score = m->len > 0 ? g_array_index (m, FaSearchMatch, 0).similarity : 0.0;
  return m->len > 0 ? g_array_index (m, FaSearchMatch, 0).face->external_image_id : NULL;
}

/* Identification at each of @n_th thresholds with @k photos enrolled. */
static void
identification (GPtrArray *h, int k, Mode mode, const double *th, guint n_th, Rates *rates,
    GArray *impostor_scores)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; i < h->len; i++) {
    Sample *s = g_ptr_array_index (h, i);
    if (names->len == 0 || g_strcmp0 (g_ptr_array_index (names, names->len - 1), s->person))
      g_ptr_array_add (names, s->person);
  }
  memset (rates, 0, n_th * sizeof (Rates));
  for (int fold = 0; fold < FOLDS; fold++) {
    g_autoptr (GHashTable) stranger = g_hash_table_new (g_str_hash, g_str_equal);
    for (guint i = 0; i < names->len; i++)
      if ((int) (i % FOLDS) == fold)
        g_hash_table_add (stranger, g_ptr_array_index (names, i));
    g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func (
        (GDestroyNotify) fa_stored_face_free);
    for (guint i = 0; i < h->len; i++) {
      Sample *s = g_ptr_array_index (h, i);
      if (!g_hash_table_contains (stranger, s->person) && s->number <= k && s->indexed)
        g_ptr_array_add (faces, stored_face (s));
    }
    g_autoptr (FaGallery) gallery = fa_gallery_new (faces, NULL, model, version);
    for (guint i = 0; i < h->len; i++) {
      Sample *s = g_ptr_array_index (h, i);
      gboolean is_stranger = g_hash_table_contains (stranger, s->person);
      if (!is_stranger && s->number < FIRST_PROBE)
        continue;
      double score;
      const gchar *who = identify (mode, gallery, faces, s->embedding, &score);
      if (is_stranger && impostor_scores != NULL) {
        /* Against every enrolled person's template, one by one. */
        g_autoptr (GArray) all = fa_gallery_search (gallery, s->embedding, dim, 0.0, 0);
        for (guint m = 0; m < all->len; m++)
          g_array_append_val (impostor_scores, g_array_index (all, FaPersonMatch, m).similarity);
      }
      for (guint t = 0; t < n_th; t++) {
        Rates *r = &rates[t];
        gboolean match = score >= th[t];
        if (is_stranger) {
          r->strangers++;
          r->false_match += match;
        } else {
          r->probes++;
          r->true_match += match && g_strcmp0 (who, s->person) == 0;
          r->wrong_person += match && g_strcmp0 (who, s->person) != 0;
        }
      }
    }
  }
}

static void
print_rates (const char *what, double th, const Rates *r)
{
  printf ("  %-28s threshold %4.1f: true-match %.3f (%u/%u), false-match %.4f (%u/%u), "
      "wrong person %u\n", what, th, (double) r->true_match / MAX (r->probes, 1), r->true_match,
      r->probes, (double) r->false_match / MAX (r->strangers, 1), r->false_match, r->strangers,
      r->wrong_person);
}

static void
half_report (GPtrArray *all, char half)
{
  g_autoptr (GPtrArray) h = g_ptr_array_new ();
  g_autoptr (GHashTable) people = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < all->len; i++) {
    Sample *s = g_ptr_array_index (all, i);
    if (s->half == half || half == '*') {
      g_ptr_array_add (h, s);
      g_hash_table_add (people, s->person);
    }
  }
  printf ("\n== half %c (%s): %u people, %u photos\n", half,
      half == 'A' ? "tuned on" : half == 'B' ? "never tuned on"
      : "both halves: households of ~41, sisters Serena and Venus Williams on both sides",
      g_hash_table_size (people), h->len);
  pair_report (h, half);

  const double def = FA_DEFAULT_FACE_MATCH_THRESHOLD;
  const int ks[] = {1, 2, 5};
  printf ("half %c identification at the default threshold (household of 2/3, strangers "
      "1/3, %d folds):\n", half, FOLDS);
  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    for (int mode = TEMPLATE; mode <= BEST_PHOTO; mode++) {
      Rates r;
      identification (h, ks[i], (Mode) mode, &def, 1, &r, NULL);
      g_autofree gchar *what = g_strdup_printf ("%d photo%s, %s", ks[i], ks[i] > 1 ? "s" : "",
          mode == TEMPLATE ? "person template" : "best single photo");
      print_rates (what, def, &r);
    }

  double sweep[26];
  for (guint t = 0; t < G_N_ELEMENTS (sweep); t++)
    sweep[t] = 30 + t;
  Rates rates[G_N_ELEMENTS (sweep)];
  g_autoptr (GArray) impostors = g_array_new (FALSE, FALSE, sizeof (double));
  identification (h, 2, TEMPLATE, sweep, G_N_ELEMENTS (sweep), rates, impostors);
  g_array_sort (impostors, compare_double_desc);
  printf ("half %c, 2 photos, person template, threshold sweep:\n", half);
  for (guint t = 0; t < G_N_ELEMENTS (sweep); t++) {
    guint above = 0;
    for (guint i = 0; i < impostors->len && g_array_index (impostors, double, i) >= sweep[t]; i++)
      above++;
    double p = (double) above / MAX (impostors->len, 1);
    printf ("  threshold %4.1f: true-match %.3f, false-match %.4f; stranger vs one person "
        "%.1e -> false-match for 36 people %.4f%s\n", sweep[t],
        (double) rates[t].true_match / MAX (rates[t].probes, 1),
        (double) rates[t].false_match / MAX (rates[t].strangers, 1), p, 1 - pow (1 - p, 36),
        sweep[t] == def ? "  <- default" : "");
  }
  printf ("  strangers against one person's template: %u scores, highest %.1f\n", impostors->len,
      impostors->len > 0 ? g_array_index (impostors, double, 0) : 0.0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  if (analyzer == NULL)
    g_error ("%s", error->message);
  dim = fa_face_analyzer_dim (analyzer);
  model = fa_face_analyzer_model_name (analyzer);
  version = MODEL_VERSION_OF (analyzer);
  printf ("model %s %s, default threshold %.1f\n", model, version,
      FA_DEFAULT_FACE_MATCH_THRESHOLD);

  g_autoptr (GHashTable) sources = read_sources ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  guint n_photos = 0;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GPtrArray) more = load_people (analyzer, "people_more", &n_photos, failures);
  printf ("people_more: %u photos, %u with a face found (%.0f ms per photo: detect, align, "
      "embed)\n", n_photos, more->len, (g_get_monotonic_time () - t0) / 1000.0 / MAX (n_photos, 1));
  for (guint i = 0; i < failures->len; i++)
    printf ("  no face: %s\n", (gchar *) g_ptr_array_index (failures, i));
  guint refused = 0;
  for (guint i = 0; i < more->len; i++)
    refused += !((Sample *) g_ptr_array_index (more, i))->indexed;
  printf ("  %u photos refused by IndexFaces' quality filter (AUTO): not enrolled when among "
      "a person's first photos\n", refused);
  split_halves (more, sources);
  half_report (more, 'A');
  half_report (more, 'B');
  half_report (more, '*');

  /* tests/data: the first photo of each person enrolled, the rest probed. */
  guint n = 0;
  g_ptr_array_set_size (failures, 0);
  g_autoptr (GPtrArray) people = load_people (analyzer, "people", &n, failures);
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  for (guint i = 0; i < people->len; i++)
    if (((Sample *) g_ptr_array_index (people, i))->number == 1
        && ((Sample *) g_ptr_array_index (people, i))->indexed)
      g_ptr_array_add (faces, stored_face (g_ptr_array_index (people, i)));
  g_autoptr (FaGallery) gallery = fa_gallery_new (faces, NULL, model, version);
  guint probes = 0, right = 0;
  for (guint i = 0; i < people->len; i++) {
    Sample *s = g_ptr_array_index (people, i);
    if (s->number == 1)
      continue;
    g_autoptr (GArray) m = fa_gallery_search (gallery, s->embedding, dim,
        FA_DEFAULT_FACE_MATCH_THRESHOLD, 1);
    probes++;
    right += m->len > 0 && g_strcmp0 (g_array_index (m, FaPersonMatch, 0).name, s->person) == 0;
  }
  g_autofree gchar *unknown_dir = fa_test_data_path ("unknown_faces");
  g_autoptr (GDir) d = g_dir_open (unknown_dir, 0, NULL);
  const gchar *file;
  guint strangers = 0, false_matches = 0;
  while ((file = g_dir_read_name (d)) != NULL) {
    g_autofree gchar *path = g_build_filename (unknown_dir, file, NULL);
    g_autoptr (FaPicture) p = fa_picture_load (path, NULL);
    FaFace face;
    float e[FA_EMBED_MAX_DIM];
    if (p == NULL || !fa_face_analyzer_largest_face (analyzer, fa_picture_image (p), &face, e,
            NULL))
      continue;
    g_autoptr (GArray) m = fa_gallery_search (gallery, e, dim, FA_DEFAULT_FACE_MATCH_THRESHOLD, 1);
    strangers++;
    false_matches += m->len > 0;
  }
  printf ("\ntests/data at the default threshold (1 photo each): true-match %u/%u, "
      "unknown faces matched %u/%u\n", right, probes, false_matches, strangers);
  return 0;
}
