/* Unit tests: person templates and negative examples (fa-gallery.h), on
 * made-up vectors and on the real developer set (people_more). */
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-analyzer.h"
#include "fa-gallery.h"
#include "fa-recognize-defaults.h"
#include "fa-test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM 8

static FaStoredFace *
face (const gchar *name, const float *v, int dim, const gchar *version)
{
  FaStoredFace *f = fa_stored_face_new ();
  f->face_id = g_uuid_string_random ();
  f->external_image_id = g_strdup (name);
  f->image_id = g_strdup ("img");
  f->model_name = g_strdup ("mobilefacenet");
  f->model_version = g_strdup (version);
  f->dim = dim;
  f->embedding = g_memdup2 (v, dim * sizeof (float));
  return f;
}

/* Unit vector at angle @deg in the plane of axes @a and @b. */
static void
vec (float *v, int a, int b, double deg)
{
  memset (v, 0, DIM * sizeof (float));
  v[a] = (float) cos (deg * G_PI / 180);
  v[b] = (float) sin (deg * G_PI / 180);
}

static void
test_template_is_the_mean (void)
{
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  float v[DIM];
  vec (v, 0, 1, -30);
  g_ptr_array_add (faces, face ("Ann", v, DIM, "v1"));
  vec (v, 0, 1, 30);
  g_ptr_array_add (faces, face ("Ann", v, DIM, "v1"));
  vec (v, 2, 3, 0);
  g_ptr_array_add (faces, face ("Bob", v, DIM, "v1"));
  vec (v, 0, 1, 0);
  g_ptr_array_add (faces, face ("Cid", v, DIM, "v2"));   /* another model version */
  g_autoptr (FaGallery) g = fa_gallery_new (faces, NULL, "mobilefacenet", "v1");
  g_assert_cmpuint (fa_gallery_n_people (g), ==, 2);
  guint n_faces, other, outliers, negatives;
  fa_gallery_get_counts (g, &n_faces, &other, &outliers, &negatives);
  g_assert_cmpuint (n_faces, ==, 3);
  g_assert_cmpuint (other, ==, 1);

  /* Between Ann's two photos: 100 to her template, 86.6 to either photo. */
  vec (v, 0, 1, 0);
  g_autoptr (GArray) m = fa_gallery_search (g, v, DIM, 50.0, 0);
  g_assert_cmpuint (m->len, ==, 1);
  FaPersonMatch *ann = &g_array_index (m, FaPersonMatch, 0);
  g_assert_cmpstr (ann->name, ==, "Ann");
  g_assert_cmpfloat_with_epsilon (ann->similarity, 100.0, 1e-3);
  g_assert_cmpfloat_with_epsilon (ann->face_similarity, 86.6, 0.1);
  g_autoptr (GArray) fm = fa_gallery_face_matches (m);
  g_assert_cmpuint (fm->len, ==, 1);
  g_assert_cmpstr (g_array_index (fm, FaSearchMatch, 0).face->external_image_id, ==, "Ann");
  g_assert_cmpfloat_with_epsilon (g_array_index (fm, FaSearchMatch, 0).similarity, 100.0, 1e-3);

  /* Threshold 0: everyone, best first; a wrong dimension: nobody. */
  g_autoptr (GArray) all = fa_gallery_search (g, v, DIM, 0.0, 0);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (g_array_index (all, FaPersonMatch, 1).name, ==, "Bob");
  g_autoptr (GArray) none = fa_gallery_search (g, v, DIM - 1, 0.0, 0);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_outlier_left_out (void)
{
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  float v[DIM];
  for (int i = 0; i < 3; i++) {
    vec (v, 0, 1, 10 * i);
    g_ptr_array_add (faces, face ("Ann", v, DIM, "v1"));
  }
  vec (v, 4, 5, 0);   /* somebody else's photo enrolled as Ann by mistake */
  g_ptr_array_add (faces, face ("Ann", v, DIM, "v1"));
  g_autoptr (FaGallery) g = fa_gallery_new (faces, NULL, "mobilefacenet", "v1");
  guint outliers;
  fa_gallery_get_counts (g, NULL, NULL, &outliers, NULL);
  g_assert_cmpuint (outliers, ==, 1);
  /* Ann's template is her own three photos: the stranger is far from it. */
  g_autoptr (GArray) her = fa_gallery_search (g, (vec (v, 0, 1, 10), v), DIM, 0.0, 1);
  g_assert_cmpfloat (g_array_index (her, FaPersonMatch, 0).similarity, >, 99.0);
  g_autoptr (GArray) him = fa_gallery_search (g, (vec (v, 4, 5, 0), v), DIM, 0.0, 1);
  g_assert_cmpfloat (g_array_index (him, FaPersonMatch, 0).similarity, <, 1.0);

  /* Two photos that disagree are both kept (no majority to judge by). */
  g_autoptr (GPtrArray) two = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (two, face ("Bob", (vec (v, 0, 1, 0), v), DIM, "v1"));
  g_ptr_array_add (two, face ("Bob", (vec (v, 2, 3, 0), v), DIM, "v1"));
  g_autoptr (FaGallery) g2 = fa_gallery_new (two, NULL, "mobilefacenet", "v1");
  fa_gallery_get_counts (g2, NULL, NULL, &outliers, NULL);
  g_assert_cmpuint (outliers, ==, 0);
}

/* "This is not Bob": the rejected face and faces like it never match Bob
 * again; Bob's own photos still do. */
static void
test_negative_vetoes_name (void)
{
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_autoptr (GPtrArray) negatives = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);
  float v[DIM];
  g_ptr_array_add (faces, face ("Bob", (vec (v, 0, 1, 0), v), DIM, "v1"));
  g_ptr_array_add (faces, face ("Bob", (vec (v, 0, 1, 20), v), DIM, "v1"));
  g_ptr_array_add (faces, face ("Ann", (vec (v, 0, 2, 60), v), DIM, "v1"));
  /* A stranger at 50 degrees from Bob's first photo: similarity 64 to him. */
  float stranger[DIM];
  vec (stranger, 0, 1, -50);
  g_autoptr (FaGallery) before = fa_gallery_new (faces, NULL, "mobilefacenet", "v1");
  g_autoptr (GArray) m0 = fa_gallery_search (before, stranger, DIM, 50.0, 0);
  g_assert_cmpuint (m0->len, ==, 1);
  g_assert_cmpstr (g_array_index (m0, FaPersonMatch, 0).name, ==, "Bob");

  g_ptr_array_add (negatives, face ("Bob", stranger, DIM, "v1"));
  g_ptr_array_add (negatives, face ("Nobody", stranger, DIM, "v1"));   /* no such person */
  g_autoptr (FaGallery) after = fa_gallery_new (faces, negatives, "mobilefacenet", "v1");
  guint n_negatives;
  fa_gallery_get_counts (after, NULL, NULL, NULL, &n_negatives);
  g_assert_cmpuint (n_negatives, ==, 1);
  g_autoptr (GArray) m1 = fa_gallery_search (after, stranger, DIM, 50.0, 0);
  g_assert_cmpuint (m1->len, ==, 0);
  /* Another photo of the stranger, a little different: still not Bob. */
  g_autoptr (GArray) m2 = fa_gallery_search (after, (vec (v, 0, 1, -45), v), DIM, 50.0, 0);
  g_assert_cmpuint (m2->len, ==, 0);
  /* Bob himself: still Bob. */
  g_autoptr (GArray) m3 = fa_gallery_search (after, (vec (v, 0, 1, 5), v), DIM, 50.0, 0);
  g_assert_cmpuint (m3->len, ==, 1);
  g_assert_cmpstr (g_array_index (m3, FaPersonMatch, 0).name, ==, "Bob");

  /* Face by face (the AWS API's SearchFacesByImage): the same veto. */
  g_autoptr (GArray) f0 = fa_gallery_search_faces (before, stranger, DIM, 50.0, 0);
  g_assert_cmpuint (f0->len, ==, 1);
  g_autoptr (GArray) f1 = fa_gallery_search_faces (after, stranger, DIM, 50.0, 0);
  g_assert_cmpuint (f1->len, ==, 0);
  g_autoptr (GArray) f2 = fa_gallery_search_faces (after, (vec (v, 0, 1, 5), v), DIM, 50.0, 0);
  g_assert_cmpuint (f2->len, ==, 2);   /* both of Bob's photos, best first */
  g_assert_cmpfloat (g_array_index (f2, FaSearchMatch, 0).similarity, >=,
      g_array_index (f2, FaSearchMatch, 1).similarity);
}

/* The collection store round trip: fa_gallery_load reads faces and
 * negatives. */
static void
test_load (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-gallery");
  g_autoptr (GError) error = NULL;
  g_autoptr (FaCollectionStore) store = fa_collection_store_open (tmp, TRUE, 0, &error);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, "home", "mobilefacenet", "v1",
      &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_autoptr (GPtrArray) negatives = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);
  float v[DIM];
  g_ptr_array_add (faces, face ("Bob", (vec (v, 0, 1, 0), v), DIM, "v1"));
  g_ptr_array_add (negatives, face ("Bob", (vec (v, 0, 1, 40), v), DIM, "v1"));
  g_assert_true (fa_collection_add_faces (store, "home", faces, &error));
  g_assert_true (fa_collection_add_negatives (store, "home", negatives, &error));
  g_autoptr (FaGallery) g = fa_gallery_load (store, "home", "mobilefacenet", "v1", &error);
  g_assert_no_error (error);
  guint n_faces, n_negatives;
  fa_gallery_get_counts (g, &n_faces, NULL, NULL, &n_negatives);
  g_assert_cmpuint (n_faces, ==, 1);
  g_assert_cmpuint (n_negatives, ==, 1);
  g_assert_null (fa_gallery_load (store, "garage", "mobilefacenet", "v1", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  fa_test_rm_rf (tmp);
}

/* More enrolment photos never lower the true-match rate: two people of
 * each kind of photo in people_more (LFW news photos, aligned crops, web
 * crops, film stills), photos 1..k enrolled as `faces index` takes them,
 * photos 6 and later probed at the default threshold, k = 1..5. */
static void
test_more_photos_help (void)
{
  static const gchar *const people[] = {
    "Amelie_Mauresmo", "Ariel_Sharon",           /* LFW */
    "Daniel_Radcliffe", "Drew_Barrymore",        /* Glint360K aligned crops */
    "Ben_Affleck", "Elton_John",                 /* 5-Celebrity crops */
    "Bryce_Dallas_Howard", "Chris_Pratt",        /* film stills */
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  g_assert_no_error (error);
  const gchar *model = fa_face_analyzer_model_name (analyzer);
  const gchar *version = fa_face_analyzer_model_version (analyzer);
  int dim = fa_face_analyzer_dim (analyzer);

  g_autoptr (GPtrArray) enrolled = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);   /* photos 1..5, with their number */
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GPtrArray) probe_names = g_ptr_array_new ();
  g_autoptr (GArray) probes = g_array_new (FALSE, FALSE, FA_EMBED_MAX_DIM * sizeof (float));
  for (guint p = 0; p < G_N_ELEMENTS (people); p++) {
    g_autofree gchar *rel = g_build_filename ("people_more", people[p], NULL);
    g_autofree gchar *dir = fa_test_data_path (rel);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    g_assert_nonnull (d);
    const gchar *file;
    while ((file = g_dir_read_name (d)) != NULL) {
      int number = atoi (file);
      g_autofree gchar *path = g_build_filename (dir, file, NULL);
      g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
      g_assert_no_error (error);
      if (number <= 5) {
        g_autoptr (FaIndexResult) r = fa_face_analyzer_index (analyzer,
            fa_picture_image (picture), people[p], 1, FA_QUALITY_FILTER_AUTO, &error);
        g_assert_no_error (error);
        if (r->indexed->len == 0)
          continue;
        FaAnalyzedFace *f = g_ptr_array_index (r->indexed, 0);
        g_ptr_array_add (enrolled, g_steal_pointer (&f->stored));
        g_array_append_val (numbers, number);
      } else if (number >= 6) {
        float e[FA_EMBED_MAX_DIM];
        FaFace found;
        if (!fa_face_analyzer_largest_face (analyzer, fa_picture_image (picture), &found, e,
                &error))
          g_error ("%s: %s", path, error->message);
        g_array_append_vals (probes, e, 1);
        g_ptr_array_add (probe_names, (gpointer) people[p]);
      }
    }
  }
  g_assert_cmpuint (probes->len, >=, 40);

  double previous = 0;
  for (int k = 1; k <= 5; k++) {
    g_autoptr (GPtrArray) faces = g_ptr_array_new ();
    for (guint i = 0; i < enrolled->len; i++)
      if (g_array_index (numbers, int, i) <= k)
        g_ptr_array_add (faces, g_ptr_array_index (enrolled, i));
    g_autoptr (FaGallery) g = fa_gallery_new (faces, NULL, model, version);
    guint right = 0;
    for (guint i = 0; i < probes->len; i++) {
      const float *e = (const float *) (probes->data + i * FA_EMBED_MAX_DIM * sizeof (float));
      g_autoptr (GArray) m = fa_gallery_search (g, e, dim, FA_DEFAULT_FACE_MATCH_THRESHOLD, 1);
      right += m->len > 0
          && g_strcmp0 (g_array_index (m, FaPersonMatch, 0).name, probe_names->pdata[i]) == 0;
    }
    double rate = (double) right / probes->len;
    g_test_message ("%d photo(s) enrolled: true-match %.3f (%u/%u)", k, rate, right, probes->len);
    g_assert_cmpfloat (rate, >=, previous);
    previous = rate;
  }
  g_assert_cmpfloat (previous, >=, 0.95);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gallery/template-is-the-mean", test_template_is_the_mean);
  g_test_add_func ("/gallery/outlier-left-out", test_outlier_left_out);
  g_test_add_func ("/gallery/negative-vetoes-name", test_negative_vetoes_name);
  g_test_add_func ("/gallery/load", test_load);
  g_test_add_func ("/gallery/more-photos-help", test_more_photos_help);
  return g_test_run ();
}
