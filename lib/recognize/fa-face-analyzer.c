/* facealert: detect, filter, embed (IndexFaces / SearchFacesByImage). */
#include "fa-face-analyzer.h"
#include "fa-detector.h"
#include "fa-embedder.h"
#include "fa-error.h"

#include <math.h>

struct _FaFaceAnalyzer {
  FaDetector *detector;
  FaEmbedder *embedder;
};

static const gchar *const reason_names[FA_UNINDEXED_N_REASONS] = {
  "EXCEEDS_MAX_FACES", "EXTREME_POSE", "LOW_BRIGHTNESS", "LOW_SHARPNESS",
  "LOW_CONFIDENCE", "SMALL_BOUNDING_BOX",
};

const gchar *
fa_unindexed_reason_name (guint index)
{
  return index < FA_UNINDEXED_N_REASONS ? reason_names[index] : "UNKNOWN";
}

gboolean
fa_quality_filter_from_name (const gchar *name, FaQualityFilter *filter)
{
  static const gchar *const names[] = {"NONE", "AUTO", "LOW", "MEDIUM", "HIGH"};
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0) {
      *filter = (FaQualityFilter) i;
      return TRUE;
    }
  return FALSE;
}

/* Minimum figures per filter level: LOW, MEDIUM (= AUTO), HIGH. Chosen so
 * every face of the test people passes MEDIUM; see docs/facematch.md. */
typedef struct {
  float confidence;   /* detector score, 0..1 */
  float min_side;     /* pixels */
  float max_yaw, max_pitch, max_roll;   /* degrees */
  float sharpness, brightness;          /* 0..100 */
} QualityLimits;

static const QualityLimits limits[] = {
  [FA_QUALITY_FILTER_LOW] = {0.60f, 20, 75, 60, 60, 5, 5},
  [FA_QUALITY_FILTER_MEDIUM] = {0.80f, 32, 55, 45, 45, 15, 10},
  [FA_QUALITY_FILTER_HIGH] = {0.90f, 64, 35, 30, 30, 35, 20},
};

void
fa_index_result_free (FaIndexResult *result)
{
  if (result == NULL)
    return;
  g_free (result->image_id);
  g_ptr_array_unref (result->indexed);
  g_ptr_array_unref (result->unindexed);
  g_free (result);
}

static void
analyzed_face_free (FaAnalyzedFace *face)
{
  fa_stored_face_free (face->stored);
  g_free (face);
}

FaFaceAnalyzer *
fa_face_analyzer_new (const gchar *model_name, GError **error)
{
  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  /* Detect low-confidence faces too, so that they can be reported as
   * LOW_CONFIDENCE rather than silently missing. */
  config.score_threshold = 0.5f;
  config.min_size = 8;
  FaDetector *detector = fa_detector_new (&config, error);
  if (detector == NULL)
    return NULL;
  FaEmbedder *embedder = fa_embedder_new (model_name, NULL, error);
  if (embedder == NULL) {
    fa_detector_free (detector);
    return NULL;
  }
  FaFaceAnalyzer *analyzer = g_new0 (FaFaceAnalyzer, 1);
  analyzer->detector = detector;
  analyzer->embedder = embedder;
  return analyzer;
}

void
fa_face_analyzer_free (FaFaceAnalyzer *analyzer)
{
  if (analyzer == NULL)
    return;
  fa_detector_free (analyzer->detector);
  fa_embedder_free (analyzer->embedder);
  g_free (analyzer);
}

const gchar *
fa_face_analyzer_model_name (FaFaceAnalyzer *analyzer)
{
  return fa_embedder_model_name (analyzer->embedder);
}

const gchar *
fa_face_analyzer_model_version (FaFaceAnalyzer *analyzer)
{
  return fa_embedder_model_version (analyzer->embedder);
}

int
fa_face_analyzer_dim (FaFaceAnalyzer *analyzer)
{
  return fa_embedder_dim (analyzer->embedder);
}

gboolean
fa_face_analyzer_embed (FaFaceAnalyzer *analyzer, const FaImage *image, const FaFace *face,
    float *embedding, GError **error)
{
  return fa_embedder_embed (analyzer->embedder, image, face, embedding, error);
}

static gint
compare_area_desc (gconstpointer a, gconstpointer b)
{
  const FaAnalyzedFace *fa = *(FaAnalyzedFace *const *) a, *fb = *(FaAnalyzedFace *const *) b;
  float area_a = fa->face.box.width * fa->face.box.height;
  float area_b = fb->face.box.width * fb->face.box.height;
  return area_a < area_b ? 1 : area_a > area_b ? -1 : 0;
}

static guint
quality_reasons (const FaAnalyzedFace *f, FaQualityFilter filter)
{
  if (filter == FA_QUALITY_FILTER_NONE)
    return 0;
  const QualityLimits *l = &limits[filter == FA_QUALITY_FILTER_AUTO ? FA_QUALITY_FILTER_MEDIUM
      : filter];
  guint reasons = 0;
  if (f->face.score < l->confidence)
    reasons |= FA_UNINDEXED_LOW_CONFIDENCE;
  if (MIN (f->face.box.width, f->face.box.height) < l->min_side)
    reasons |= FA_UNINDEXED_SMALL_BOUNDING_BOX;
  if (fabsf (f->quality.yaw) > l->max_yaw || fabsf (f->quality.pitch) > l->max_pitch
      || fabsf (f->quality.roll) > l->max_roll)
    reasons |= FA_UNINDEXED_EXTREME_POSE;
  if (f->quality.sharpness < l->sharpness)
    reasons |= FA_UNINDEXED_LOW_SHARPNESS;
  if (f->quality.brightness < l->brightness)
    reasons |= FA_UNINDEXED_LOW_BRIGHTNESS;
  return reasons;
}

static int
detect (FaFaceAnalyzer *analyzer, const FaImage *image, GArray *faces, GError **error)
{
  int n = fa_detector_detect (analyzer->detector, image, faces, error);
  return n;
}

FaIndexResult *
fa_face_analyzer_index (FaFaceAnalyzer *analyzer, const FaImage *image,
    const gchar *external_image_id, guint max_faces, FaQualityFilter filter, GError **error)
{
  if (!fa_external_image_id_validate (external_image_id, error))
    return NULL;
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  if (detect (analyzer, image, faces, error) < 0)
    return NULL;

  g_autoptr (FaIndexResult) result = g_new0 (FaIndexResult, 1);
  result->image_id = g_uuid_string_random ();
  result->width = image->width;
  result->height = image->height;
  result->indexed = g_ptr_array_new_with_free_func ((GDestroyNotify) analyzed_face_free);
  result->unindexed = g_ptr_array_new_with_free_func ((GDestroyNotify) analyzed_face_free);

  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  for (guint i = 0; i < faces->len; i++) {
    FaAnalyzedFace *f = g_new0 (FaAnalyzedFace, 1);
    f->face = g_array_index (faces, FaFace, i);
    if (!fa_face_quality (image, &f->face, &f->quality, error)) {
      analyzed_face_free (f);
      return NULL;
    }
    f->reasons = quality_reasons (f, filter);
    g_ptr_array_add (f->reasons != 0 ? result->unindexed : candidates, f);
  }
  /* Quality first, then the largest max_faces of the rest (as Rekognition). */
  g_ptr_array_sort (candidates, compare_area_desc);
  for (guint i = 0; i < candidates->len; i++) {
    FaAnalyzedFace *f = g_ptr_array_index (candidates, i);
    if (max_faces > 0 && i >= max_faces) {
      f->reasons |= FA_UNINDEXED_EXCEEDS_MAX_FACES;
      g_ptr_array_add (result->unindexed, f);
      continue;
    }
    FaStoredFace *stored = fa_stored_face_new ();
    f->stored = stored;
    g_ptr_array_add (result->indexed, f);
    stored->dim = fa_embedder_dim (analyzer->embedder);
    stored->embedding = g_new (float, stored->dim);
    if (!fa_embedder_embed (analyzer->embedder, image, &f->face, stored->embedding, error))
      return NULL;
    stored->face_id = g_uuid_string_random ();
    stored->external_image_id = g_strdup (external_image_id);
    stored->image_id = g_strdup (result->image_id);
    stored->left = MAX (f->face.box.x, 0) / image->width;
    stored->top = MAX (f->face.box.y, 0) / image->height;
    stored->width = f->face.box.width / image->width;
    stored->height = f->face.box.height / image->height;
    stored->confidence = 100.f * f->face.score;
    stored->model_name = g_strdup (fa_embedder_model_name (analyzer->embedder));
    stored->model_version = g_strdup (fa_embedder_model_version (analyzer->embedder));
  }
  return g_steal_pointer (&result);
}

gboolean
fa_face_analyzer_largest_face (FaFaceAnalyzer *analyzer, const FaImage *image, FaFace *face,
    float *embedding, GError **error)
{
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  if (detect (analyzer, image, faces, error) < 0)
    return FALSE;
  int best = -1;
  float best_area = 0;
  for (guint i = 0; i < faces->len; i++) {
    FaFace *f = &g_array_index (faces, FaFace, i);
    /* Search ignores what even the LOW filter would refuse to call a face. */
    if (f->score < limits[FA_QUALITY_FILTER_LOW].confidence)
      continue;
    float area = f->box.width * f->box.height;
    if (area > best_area) {
      best_area = area;
      best = (int) i;
    }
  }
  if (best < 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_NO_FACE, "there are no faces in the image");
    return FALSE;
  }
  *face = g_array_index (faces, FaFace, best);
  return fa_embedder_embed (analyzer->embedder, image, face, embedding, error);
}
