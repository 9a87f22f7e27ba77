/* facealert: detect, filter, embed (IndexFaces / SearchFacesByImage). */
#include "fa-face-analyzer.h"
#include "fa-detector.h"
#include "fa-embedder.h"
#include "fa-error.h"

#include <math.h>
#include <string.h>

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
  [FA_QUALITY_FILTER_MEDIUM] = {0.80f, FA_FACE_ANALYZER_MIN_FACE, 55, 45, 45, 15, 10},
  [FA_QUALITY_FILTER_HIGH] = {0.90f, 64, 35, 30, 30, 35, 20},
};

/* SearchFacesByImage prefers the largest face at least this confident. */
#define SEARCH_CONFIDENT_SCORE 0.85f

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

/* "Largest" counts what the image shows of a face: a bystander cut by the
 * edge is not the subject because the framed pass sees all of his face. */
static float
visible_area (const FaFace *f, int width, int height)
{
  float w = MIN (f->box.x + f->box.width, width) - MAX (f->box.x, 0);
  float h = MIN (f->box.y + f->box.height, height) - MAX (f->box.y, 0);
  return MAX (w, 0) * MAX (h, 0);
}

static gint
compare_area_desc (gconstpointer a, gconstpointer b, gpointer image)
{
  const FaAnalyzedFace *fa = *(FaAnalyzedFace *const *) a, *fb = *(FaAnalyzedFace *const *) b;
  const FaImage *im = image;
  float area_a = visible_area (&fa->face, im->width, im->height);
  float area_b = visible_area (&fb->face, im->width, im->height);
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

/* Photos are not camera frames: a face may fill a tight crop with the chin
 * cut off, be an already aligned 112x112 crop, or be small in a large TV
 * still. YuNet, trained on whole scenes, misses the first two and a detector
 * that always downscales to 640 misses the last. So a photo is searched:
 *  1. at its own size up to PHOTO_MAX_SIDE (small faces stay small, never
 *     shrunk below 32 pixels);
 *  2. framed by a grey border (PAD of its longer side) and scaled to
 *     CANVAS_SIDE, when step 1 found nothing or found a face that touches
 *     the edge or fills the picture: such a face takes the framed pass's
 *     landmarks (better, so a better embedding); faces found only there are
 *     kept only when step 1 found none (a bystander cut by the edge is not
 *     the subject).
 * Measured on people_more (docs/recognition.md): 22 of 708 photos had no
 * face before, none now. (A second, downscaled pass for faces too large
 * for YuNet's anchors at full size found false faces in film stills: the
 * framed pass finds such a face when step 1 finds nothing.) */
#define PHOTO_MAX_SIDE 1920
#define PAD 0.25
#define CANVAS_SIDE 320
#define EDGE_MARGIN 0.05   /* of the longer side */
#define FILLS_PICTURE 0.30 /* of the image area */

static gboolean
crop_like (const FaFace *f, int width, int height)
{
  float margin = (float) (EDGE_MARGIN * MAX (width, height));
  return f->box.x < margin || f->box.y < margin || f->box.x + f->box.width > width - margin
      || f->box.y + f->box.height > height - margin
      || f->box.width * f->box.height > FILLS_PICTURE * width * height;
}

static int
detect_at (FaFaceAnalyzer *analyzer, const FaImage *image, int detect_width, GArray *faces,
    GError **error)
{
  FaDetectorConfig config = *fa_detector_get_config (analyzer->detector);
  config.detect_width = detect_width;
  fa_detector_update (analyzer->detector, &config);
  return fa_detector_detect (analyzer->detector, image, faces, error);
}

static int
detect (FaFaceAnalyzer *analyzer, const FaImage *image, GArray *faces, GError **error)
{
  if (MIN (image->width, image->height) < FA_FACE_ANALYZER_MIN_FACE) {
    g_set_error (error, FA_ERROR, FA_ERROR_NO_FACE, "the image is %dx%d pixels: too small to "
        "hold a face (a face needs at least %dx%d)", image->width, image->height,
        FA_FACE_ANALYZER_MIN_FACE, FA_FACE_ANALYZER_MIN_FACE);
    return -1;
  }
  int longer = MAX (image->width, image->height);
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (FaFace));
  if (detect_at (analyzer, image, MIN (longer, PHOTO_MAX_SIDE) * image->width / longer,
          found, error) < 0)
    return -1;

  gboolean framed_needed = found->len == 0;
  for (guint i = 0; i < found->len && !framed_needed; i++)
    framed_needed = crop_like (&g_array_index (found, FaFace, i), image->width, image->height);
  if (framed_needed) {
    g_autoptr (GArray) framed = g_array_new (FALSE, FALSE, sizeof (FaFace));
    if (fa_detector_detect_padded (analyzer->detector, image, PAD, CANVAS_SIDE, framed,
            error) < 0)
      return -1;
    if (found->len == 0) {
      g_array_append_vals (found, framed->data, framed->len);
    } else {
      for (guint i = 0; i < found->len; i++) {
        FaFace *f = &g_array_index (found, FaFace, i);
        if (!crop_like (f, image->width, image->height))
          continue;
        /* Its landmarks (and score) from the framed pass; its box stays, so
         * which face is the largest does not change. */
        float best_iou = 0.3f;
        for (guint k = 0; k < framed->len; k++) {
          FaFace *g = &g_array_index (framed, FaFace, k);
          float iou = fa_rect_iou (&f->box, &g->box);
          if (iou > best_iou) {
            best_iou = iou;
            f->score = g->score;
            memcpy (f->landmarks, g->landmarks, sizeof f->landmarks);
          }
        }
      }
    }
  }
  g_array_append_vals (faces, found->data, found->len);
  return (int) found->len;
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
  g_ptr_array_sort_with_data (candidates, compare_area_desc, (gpointer) image);
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
  /* The largest confident face; failing that, the largest of those even the
   * LOW filter would call a face (a big low-score "face" is more often a
   * pattern in the background than the subject). */
  const float floors[] = {SEARCH_CONFIDENT_SCORE, limits[FA_QUALITY_FILTER_LOW].confidence};
  int best = -1;
  for (guint pass = 0; pass < G_N_ELEMENTS (floors) && best < 0; pass++) {
    float best_area = 0;
    for (guint i = 0; i < faces->len; i++) {
      FaFace *f = &g_array_index (faces, FaFace, i);
      float area = visible_area (f, image->width, image->height);
      if (f->score >= floors[pass] && area > best_area) {
        best_area = area;
        best = (int) i;
      }
    }
  }
  if (best < 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_NO_FACE, "there are no faces in the image");
    return FALSE;
  }
  *face = g_array_index (faces, FaFace, best);
  if (MIN (face->box.width, face->box.height) < FA_FACE_ANALYZER_MIN_FACE) {
    g_set_error (error, FA_ERROR, FA_ERROR_NO_FACE, "the largest face in the image is %.0fx%.0f "
        "pixels: too small to recognise (at least %dx%d)", face->box.width, face->box.height,
        FA_FACE_ANALYZER_MIN_FACE, FA_FACE_ANALYZER_MIN_FACE);
    return FALSE;
  }
  return fa_embedder_embed (analyzer->embedder, image, face, embedding, error);
}
