/* Unit tests: alignment, the embedders, the face analyzer and the tracker. */
#include "fa-align.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-analyzer.h"
#include "fa-face-gate.h"
#include "fa-recognize-defaults.h"
#include "fa-test.h"
#include "fa-tracker.h"

#include <string.h>

static void
test_similarity_transform (void)
{
  /* The reference points scaled by 2, rotated 90 degrees and moved map back
   * onto the reference exactly. */
  float src[FA_FACE_N_LANDMARKS][2];
  for (int i = 0; i < FA_FACE_N_LANDMARKS; i++) {
    src[i][0] = 100 - 2 * fa_align_reference[i][1];
    src[i][1] = 50 + 2 * fa_align_reference[i][0];
  }
  double m[6];
  g_assert_true (fa_align_similarity (src, fa_align_reference, FA_FACE_N_LANDMARKS, m));
  for (int i = 0; i < FA_FACE_N_LANDMARKS; i++) {
    double x = m[0] * src[i][0] + m[1] * src[i][1] + m[2];
    double y = m[3] * src[i][0] + m[4] * src[i][1] + m[5];
    g_assert_cmpfloat_with_epsilon (x, fa_align_reference[i][0], 1e-3);
    g_assert_cmpfloat_with_epsilon (y, fa_align_reference[i][1], 1e-3);
  }
  float same[2][2] = {{1, 1}, {1, 1}};
  g_assert_false (fa_align_similarity (same, same, 2, m));
}

static float
embed_largest (FaFaceAnalyzer *analyzer, const gchar *relative, float *embedding)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  FaFace face;
  g_assert_true (fa_face_analyzer_largest_face (analyzer, fa_picture_image (picture), &face,
          embedding, &error));
  g_assert_no_error (error);
  return face.score;
}

static void
test_mobilefacenet_separates_people (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fa_face_analyzer_model_name (analyzer), ==, "mobilefacenet");
  g_assert_true (g_str_has_prefix (fa_face_analyzer_model_version (analyzer),
          "face_recognition_mobilefacenet_opset10-"));
  int dim = fa_face_analyzer_dim (analyzer);
  g_assert_cmpint (dim, ==, 128);

  float a[FA_EMBED_MAX_DIM], b[FA_EMBED_MAX_DIM], c[FA_EMBED_MAX_DIM];
  embed_largest (analyzer, "people/John_Lennon/1.jpg", a);
  embed_largest (analyzer, "people/John_Lennon/2.jpg", b);
  embed_largest (analyzer, "unknown_faces/Amy_Adams.jpg", c);
  g_assert_cmpfloat_with_epsilon (fa_embedding_cosine (a, a, dim), 1.0, 1e-4);
  double same = fa_similarity_from_cosine (fa_embedding_cosine (a, b, dim));
  double other = fa_similarity_from_cosine (fa_embedding_cosine (a, c, dim));
  g_test_message ("Lennon/Lennon %.1f, Lennon/Adams %.1f", same, other);
  g_assert_cmpfloat (same, >=, FA_DEFAULT_FACE_MATCH_THRESHOLD);
  g_assert_cmpfloat (other, <, FA_DEFAULT_FACE_MATCH_THRESHOLD);
}

static void
test_index_quality_and_max_faces (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  g_assert_no_error (error);
  /* A photo with several faces: MaxFaces 1 keeps the largest. */
  g_autofree gchar *path = fa_test_data_path ("detection/dlib_faces/2008_002079.jpg");
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  g_autoptr (FaIndexResult) r = fa_face_analyzer_index (analyzer, fa_picture_image (picture),
      "group", 1, FA_QUALITY_FILTER_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->indexed->len, ==, 1);
  g_assert_cmpuint (r->unindexed->len, >=, 1);
  FaAnalyzedFace *kept = g_ptr_array_index (r->indexed, 0);
  for (guint i = 0; i < r->unindexed->len; i++) {
    FaAnalyzedFace *f = g_ptr_array_index (r->unindexed, i);
    g_assert_true (f->reasons & FA_UNINDEXED_EXCEEDS_MAX_FACES);
    g_assert_cmpfloat (f->face.box.width * f->face.box.height, <=,
        kept->face.box.width * kept->face.box.height);
  }
  g_assert_cmpstr (kept->stored->external_image_id, ==, "group");
  g_assert_cmpfloat (kept->stored->width, >, 0);
  g_assert_cmpfloat (kept->stored->width, <=, 1);

  /* HIGH filter on small faces: SMALL_BOUNDING_BOX. */
  g_autoptr (FaIndexResult) high = fa_face_analyzer_index (analyzer, fa_picture_image (picture),
      "group", 100, FA_QUALITY_FILTER_HIGH, &error);
  g_assert_no_error (error);
  guint small = 0;
  for (guint i = 0; i < high->unindexed->len; i++) {
    FaAnalyzedFace *f = g_ptr_array_index (high->unindexed, i);
    small += (f->reasons & FA_UNINDEXED_SMALL_BOUNDING_BOX) != 0;
    g_assert_cmpfloat (MIN (f->face.box.width, f->face.box.height), >=, 0);
  }
  g_assert_cmpuint (small, >=, 1);

  /* Every test person's photo passes the default filter. */
  g_autofree gchar *simm = fa_test_data_path ("people/John_Simm/1.jpg");
  g_autoptr (FaPicture) p2 = fa_picture_load (simm, &error);
  g_autoptr (FaIndexResult) ok = fa_face_analyzer_index (analyzer, fa_picture_image (p2),
      "John_Simm", 1, FA_QUALITY_FILTER_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->indexed->len, ==, 1);

  /* A bad name is refused before any work. */
  g_autoptr (FaIndexResult) bad = fa_face_analyzer_index (analyzer, fa_picture_image (p2),
      "John Simm", 1, FA_QUALITY_FILTER_AUTO, &error);
  g_assert_null (bad);
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
}

static void
test_no_face (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  g_autofree gchar *path = fa_test_data_path ("negatives/skimage_coffee.png");
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  g_assert_false (fa_face_analyzer_largest_face (analyzer, fa_picture_image (picture), &face,
          embedding, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NO_FACE);
}

static void
test_embedder_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaEmbedder) unknown = fa_embedder_new ("facenet", NULL, &error);
  g_assert_null (unknown);
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* dlib's ResNet weights are not shipped: a clear "not installed". */
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-models");
  g_autofree gchar *dlib_path = g_build_filename (dir, FA_EMBED_DLIB_RESNET_FILE, NULL);
  g_autoptr (FaEmbedder) dlib = fa_embedder_new (FA_EMBED_DLIB_RESNET, dlib_path, &error);
  g_assert_null (dlib);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not installed"));
  g_assert_nonnull (strstr (error->message, dlib_path));
  g_clear_error (&error);

  /* A corrupt MobileFaceNet file. */
  g_autofree gchar *bad = g_build_filename (dir, "broken.onnx", NULL);
  g_assert_true (g_file_set_contents (bad, "not an onnx model", -1, NULL));
  g_autoptr (FaEmbedder) broken = fa_embedder_new (FA_EMBED_MOBILEFACENET, bad, &error);
  g_assert_null (broken);
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, bad));
  fa_test_rm_rf (dir);
}

static FaFace
face_at (float x, float y, float size)
{
  FaFace f = {0};
  f.box = (FaRect) {x, y, size, size};
  f.score = 0.9f;
  return f;
}

static void
test_tracker (void)
{
  g_autoptr (FaTracker) tracker = fa_tracker_new (0.3f, 2);
  FaTrack *out[2];
  FaFace frame1[2] = {face_at (0, 0, 100), face_at (300, 0, 100)};
  fa_tracker_update (tracker, frame1, 2, out);
  guint64 a = out[0]->id, b = out[1]->id;
  g_assert_cmpuint (a, !=, b);
  /* Both move a little, listed in the other order: same tracks. */
  FaFace frame2[2] = {face_at (310, 5, 100), face_at (8, 4, 100)};
  fa_tracker_update (tracker, frame2, 2, out);
  g_assert_cmpuint (out[0]->id, ==, b);
  g_assert_cmpuint (out[1]->id, ==, a);

  /* Evidence: the mean of the embeddings, normalised. */
  float e1[4] = {1, 0, 0, 0}, e2[4] = {0, 1, 0, 0}, mean[4];
  fa_track_add_embedding (out[1], e1, 4);
  fa_track_add_embedding (out[1], e2, 4);
  g_assert_cmpuint (out[1]->n_embeddings, ==, 2);
  g_assert_true (fa_track_mean_embedding (out[1], mean));
  g_assert_cmpfloat_with_epsilon (mean[0], G_SQRT2 / 2, 1e-5);
  g_assert_cmpfloat_with_epsilon (mean[1], G_SQRT2 / 2, 1e-5);

  /* Track a survives 2 missed frames, not 3. */
  FaFace only_b[1] = {face_at (310, 5, 100)};
  for (int i = 0; i < 2; i++)
    fa_tracker_update (tracker, only_b, 1, out);
  g_assert_cmpuint (fa_tracker_tracks (tracker)->len, ==, 2);
  fa_tracker_update (tracker, only_b, 1, out);
  g_assert_cmpuint (fa_tracker_tracks (tracker)->len, ==, 1);
  FaFace back[1] = {face_at (8, 4, 100)};
  fa_tracker_update (tracker, back, 1, out);
  g_assert_cmpuint (out[0]->id, >, b);   /* a new track */
  g_assert_cmpuint (out[0]->n_embeddings, ==, 0);
}

/* The face gate: a frontal, confident, whole face passes; each check fails
 * on its own. */
static void
test_face_gate (void)
{
  FaFaceGate gate = { 0.85f, 32.0f, 40.0f, 1.0f };
  /* A frontal face with the ArcFace template's landmarks, 112 px at (100,100). */
  FaFace face = { {100, 100, 112, 112}, 0.95f, TRUE, {{0}} };
  for (int i = 0; i < FA_FACE_N_LANDMARKS; i++) {
    face.landmarks[i][0] = 100 + fa_align_reference[i][0];
    face.landmarks[i][1] = 100 + fa_align_reference[i][1];
  }
  g_assert_cmpuint (fa_face_gate_check (&gate, &face, 640, 480), ==, 0);
  g_assert_cmpstr (fa_face_gate_reasons_string (0), ==, "good");

  FaFace f = face;
  f.score = 0.80f;     /* the cat's best at detect-width 640 */
  g_assert_cmpuint (fa_face_gate_check (&gate, &f, 640, 480), ==, FA_FACE_GATE_LOW_SCORE);
  f = face;
  f.box.width = 20;
  g_assert_cmpuint (fa_face_gate_check (&gate, &f, 640, 480), ==, FA_FACE_GATE_SMALL);
  f = face;
  f.box.x = 0;         /* walking in from the left */
  g_assert_cmpuint (fa_face_gate_check (&gate, &f, 640, 480), ==, FA_FACE_GATE_CUT);
  g_assert_cmpuint (fa_face_gate_check (&gate, &face, 212, 480), ==, FA_FACE_GATE_CUT);
  f = face;
  f.landmarks[2][0] = f.landmarks[1][0] + 5;   /* nose beyond the image-right eye */
  g_assert_cmpuint (fa_face_gate_check (&gate, &f, 640, 480), ==, FA_FACE_GATE_POSE);
  f = face;
  f.has_landmarks = FALSE;
  f.score = 0.5f;
  guint r = fa_face_gate_check (&gate, &f, 640, 480);
  g_assert_cmpuint (r, ==, FA_FACE_GATE_NO_LANDMARKS | FA_FACE_GATE_LOW_SCORE);
  g_assert_cmpstr (fa_face_gate_reasons_string (r), ==, "low-score,no-landmarks");
}

/* A track's consistency is the mean pairwise cosine of its embeddings. */
static void
test_track_consistency (void)
{
  g_autoptr (FaTracker) tracker = fa_tracker_new (0.3f, 5);
  FaFace face = { {10, 10, 50, 50}, 1.0f, FALSE, {{0}} };
  FaTrack *track = NULL;
  fa_tracker_update (tracker, &face, 1, &track);
  float a[4] = {1, 0, 0, 0}, b[4] = {0, 1, 0, 0}, c[4] = {0.6f, 0.8f, 0, 0};
  g_assert_cmpfloat (fa_track_consistency (track), ==, 1.0);
  fa_track_add_embedding (track, a, 4);
  fa_track_add_embedding (track, b, 4);
  g_assert_cmpfloat_with_epsilon (fa_track_consistency (track), 0.0, 1e-6);
  fa_track_add_embedding (track, c, 4);
  /* pairs: a.b = 0, a.c = 0.6, b.c = 0.8 */
  g_assert_cmpfloat_with_epsilon (fa_track_consistency (track), 1.4 / 3, 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/align/similarity-transform", test_similarity_transform);
  g_test_add_func ("/embedder/mobilefacenet-separates-people", test_mobilefacenet_separates_people);
  g_test_add_func ("/embedder/errors", test_embedder_errors);
  g_test_add_func ("/analyzer/index-quality-and-max-faces", test_index_quality_and_max_faces);
  g_test_add_func ("/analyzer/no-face", test_no_face);
  g_test_add_func ("/tracker/iou-and-evidence", test_tracker);
  g_test_add_func ("/tracker/consistency", test_track_consistency);
  g_test_add_func ("/gate/checks", test_face_gate);
  return g_test_run ();
}
