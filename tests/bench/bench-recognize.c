/* Benchmark: face embedding speed and identification on the test data.
 *
 *   meson test -C build --benchmark --suite bench recognize -v
 *
 * 1. ms per embedding (alignment + MobileFaceNet forward), against the cost
 *    of the alignment alone measured in the same run (the baseline).
 * 2. Identification: enrol the first photo of each person in tests/data/people,
 *    probe the other photos (should match their person) and unknown_faces
 *    (should match nobody) with SearchFacesByImage semantics; true-match and
 *    false-match rates at the default FaceMatchThreshold and a sweep around it.
 * 3. All same-person and different-person pair similarities (the data the
 *    default threshold was chosen from).
 */
#include "fa-align.h"
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-face-analyzer.h"
#include "fa-recognize-defaults.h"
#include "fa-test.h"

#include <stdio.h>

typedef struct {
  gchar *person;   /* NULL for unknown faces */
  gchar *path;
  float embedding[FA_EMBED_MAX_DIM];
} Sample;

static void
sample_free (Sample *s)
{
  g_free (s->person);
  g_free (s->path);
  g_free (s);
}

static GPtrArray *
load_samples (FaFaceAnalyzer *analyzer, const gchar *dir_rel, gboolean per_person)
{
  GPtrArray *samples = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_free);
  g_autofree gchar *root = fa_test_data_path (dir_rel);
  g_autoptr (GDir) dir = g_dir_open (root, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++) {
    const gchar *entry = g_ptr_array_index (names, i);
    g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
    if (per_person) {
      g_autofree gchar *pdir = g_build_filename (root, entry, NULL);
      g_autoptr (GDir) d = g_dir_open (pdir, 0, NULL);
      const gchar *f;
      while (d != NULL && (f = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (f, ".jpg") || g_str_has_suffix (f, ".png"))
          g_ptr_array_add (files, g_build_filename (pdir, f, NULL));
    } else if (g_str_has_suffix (entry, ".jpg") || g_str_has_suffix (entry, ".png")) {
      g_ptr_array_add (files, g_build_filename (root, entry, NULL));
    }
    g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
    for (guint k = 0; k < files->len; k++) {
      Sample *s = g_new0 (Sample, 1);
      s->person = per_person ? g_strdup (entry) : NULL;
      s->path = g_strdup (g_ptr_array_index (files, k));
      g_autoptr (GError) error = NULL;
      g_autoptr (FaPicture) picture = fa_picture_load (s->path, &error);
      FaFace face;
      if (picture == NULL || !fa_face_analyzer_largest_face (analyzer,
              fa_picture_image (picture), &face, s->embedding, &error)) {
        printf ("  (skipped %s: %s)\n", s->path, error->message);
        sample_free (s);
        continue;
      }
      g_ptr_array_add (samples, s);
    }
  }
  return samples;
}

static double
pair_similarity (const Sample *a, const Sample *b, int dim)
{
  return fa_similarity_from_cosine (fa_embedding_cosine (a->embedding, b->embedding, dim));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  if (analyzer == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  int dim = fa_face_analyzer_dim (analyzer);
  const gchar *model = fa_face_analyzer_model_name (analyzer);
  const gchar *version = fa_face_analyzer_model_version (analyzer);
  printf ("model %s %s, %d-d\n", model, version, dim);

  /* 1. Speed. */
  g_autofree gchar *photo = fa_test_data_path ("people/John_Lennon/1.jpg");
  g_autoptr (FaPicture) picture = fa_picture_load (photo, &error);
  g_assert_no_error (error);
  const FaImage *image = fa_picture_image (picture);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  if (!fa_face_analyzer_largest_face (analyzer, image, &face, embedding, &error))
    g_error ("%s", error->message);
  const int rounds = 100;
  guint8 aligned[3 * FA_ALIGN_SIZE * FA_ALIGN_SIZE];
  g_autoptr (FaEmbedder) single = fa_embedder_new (NULL, NULL, &error);
  g_assert_no_error (error);
  fa_embedder_set_mirror (single, FALSE);
  /* Interleaved, so load from other processes hits all three alike. */
  gint64 align_us = 0, mirror_us = 0, single_us = 0;
  for (int i = 0; i < rounds; i++) {
    gint64 t0 = g_get_monotonic_time ();
    fa_align_face (image, &face, aligned, NULL);
    gint64 t1 = g_get_monotonic_time ();
    fa_face_analyzer_embed (analyzer, image, &face, embedding, NULL);
    gint64 t2 = g_get_monotonic_time ();
    fa_embedder_embed (single, image, &face, embedding, NULL);
    gint64 t3 = g_get_monotonic_time ();
    align_us += t1 - t0;
    mirror_us += t2 - t1;
    single_us += t3 - t2;
  }
  double align_ms = align_us / 1000.0 / rounds, embed_ms = mirror_us / 1000.0 / rounds;
  double single_ms = single_us / 1000.0 / rounds;
  printf ("speed: %.2f ms per embedding (align + face and mirror forward), %.2f ms with one "
      "forward pass (baseline: %.2fx of it), %.3f ms alignment alone; %d rounds on a %dx%d "
      "photo\n", embed_ms, single_ms, embed_ms / single_ms, align_ms, rounds, image->width,
      image->height);

  /* 2. Identification. */
  g_autoptr (GPtrArray) people = load_samples (analyzer, "people", TRUE);
  g_autoptr (GPtrArray) unknown = load_samples (analyzer, "unknown_faces", FALSE);
  g_autoptr (GPtrArray) gallery = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_autoptr (GPtrArray) probes = g_ptr_array_new ();
  GHashTable *enrolled = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < people->len; i++) {
    Sample *s = g_ptr_array_index (people, i);
    if (!g_hash_table_contains (enrolled, s->person)) {
      g_hash_table_add (enrolled, s->person);
      FaStoredFace *f = fa_stored_face_new ();
      f->face_id = g_strdup (s->path);
      f->external_image_id = g_strdup (s->person);
      f->model_name = g_strdup (model);
      f->model_version = g_strdup (version);
      f->dim = dim;
      f->embedding = g_memdup2 (s->embedding, dim * sizeof (float));
      g_ptr_array_add (gallery, f);
    } else {
      g_ptr_array_add (probes, s);
    }
  }
  g_hash_table_unref (enrolled);
  printf ("identification: %u people enrolled (one photo each), %u known probes, "
      "%u unknown probes\n", gallery->len, probes->len, unknown->len);
  const double thresholds[] = {20, 25, 30, 35, FA_DEFAULT_FACE_MATCH_THRESHOLD, 40, 45, 50, 60, 80};
  for (guint k = 0; k < G_N_ELEMENTS (thresholds); k++) {
    double th = thresholds[k];
    guint true_match = 0, wrong_match = 0, false_match = 0;
    for (guint i = 0; i < probes->len; i++) {
      Sample *s = g_ptr_array_index (probes, i);
      g_autoptr (GArray) m = fa_faces_search (gallery, model, version, s->embedding, dim, th, 1);
      if (m->len == 0)
        continue;
      const FaSearchMatch *best = &g_array_index (m, FaSearchMatch, 0);
      if (g_strcmp0 (best->face->external_image_id, s->person) == 0)
        true_match++;
      else
        wrong_match++;
    }
    for (guint i = 0; i < unknown->len; i++) {
      Sample *s = g_ptr_array_index (unknown, i);
      g_autoptr (GArray) m = fa_faces_search (gallery, model, version, s->embedding, dim, th, 1);
      false_match += m->len > 0;
    }
    printf ("  threshold %5.1f%s: true-match %u/%u = %.1f %%, wrong-person match %u/%u, "
        "false-match (unknown faces) %u/%u = %.1f %%\n", th,
        th == FA_DEFAULT_FACE_MATCH_THRESHOLD ? " (default)" : "          ",
        true_match, probes->len, 100.0 * true_match / MAX (probes->len, 1),
        wrong_match, probes->len, false_match, unknown->len,
        100.0 * false_match / MAX (unknown->len, 1));
  }

  /* 3. All pairs. */
  double same_min = 100, same_max = 0, diff_min = 100, diff_max = 0;
  guint n_same = 0, n_diff = 0;
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  for (guint i = 0; i < people->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (people, i));
  for (guint i = 0; i < unknown->len; i++)
    g_ptr_array_add (all, g_ptr_array_index (unknown, i));
  for (guint i = 0; i < all->len; i++)
    for (guint j = i + 1; j < all->len; j++) {
      Sample *a = g_ptr_array_index (all, i), *b = g_ptr_array_index (all, j);
      double s = pair_similarity (a, b, dim);
      gboolean same = a->person != NULL && g_strcmp0 (a->person, b->person) == 0;
      if (same) {
        n_same++;
        same_min = MIN (same_min, s);
        same_max = MAX (same_max, s);
      } else {
        n_diff++;
        diff_min = MIN (diff_min, s);
        diff_max = MAX (diff_max, s);
      }
      if (argc > 1 && g_strcmp0 (argv[1], "--pairs") == 0)
        printf ("    %s %6.2f %s %s\n", same ? "same" : "diff", s, a->path, b->path);
    }
  printf ("pairs: %u same-person similarity %.1f..%.1f; %u different-person %.1f..%.1f "
      "(margin %.1f points)\n", n_same, same_min, same_max, n_diff, diff_min, diff_max,
      same_min - diff_max);
  return 0;
}
