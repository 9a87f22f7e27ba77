/* facealert: detector front end. Picks the backend, downscales for
 * detect-width, maps boxes back, filters by size and count. */
#define G_LOG_DOMAIN "facealert-detect"

#include "fa-detector.h"
#include "fa-detector-backend.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <math.h>

struct _FaDetector {
  FaDetectorConfig config;
  gchar *model_path;
  gchar *landmark_model_path;
  FaDetectorBackend *backend;
};

static const gchar *const method_names[] = {
  [FA_DETECT_YUNET] = "yunet",
  [FA_DETECT_HOG] = "hog",
  [FA_DETECT_MMOD] = "mmod",
  [FA_DETECT_HAAR] = "haar",
};

const gchar *
fa_detect_method_name (FaDetectMethod method)
{
  return method < G_N_ELEMENTS (method_names) ? method_names[method] : "unknown";
}

gboolean
fa_detect_method_from_name (const gchar *name, FaDetectMethod *method)
{
  for (guint i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (g_strcmp0 (name, method_names[i]) == 0) {
      *method = (FaDetectMethod) i;
      return TRUE;
    }
  return FALSE;
}

void
fa_detector_config_init (FaDetectorConfig *config, FaDetectMethod method)
{
  *config = (FaDetectorConfig) {
    .method = method,
    .model_path = NULL,
    .score_threshold = method == FA_DETECT_YUNET ? 0.7f : 0.5f,
    .nms_threshold = 0.3f,
    .min_size = (method == FA_DETECT_HOG || method == FA_DETECT_MMOD) ? 40 : 20,
    .detect_width = 640,
    .region_detect_width = -1,
    .max_faces = 0,
    .landmarks = TRUE,
    .landmark_model_path = NULL,
  };
}

static gchar *
default_model_path (FaDetectMethod method)
{
  switch (method) {
    case FA_DETECT_YUNET: return fa_paths_model (FA_DETECT_DEFAULT_YUNET_MODEL);
    case FA_DETECT_MMOD: return fa_paths_model (FA_DETECT_DEFAULT_MMOD_MODEL);
    case FA_DETECT_HAAR: return g_strdup (FA_DETECT_DEFAULT_HAAR_MODEL);
    default: return NULL;
  }
}

FaDetector *
fa_detector_new (const FaDetectorConfig *config, GError **error)
{
  g_autofree gchar *path = config->model_path != NULL ? g_strdup (config->model_path)
      : default_model_path (config->method);

  if (path != NULL && !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "%s model %s not found: run scripts/fetch-models.sh or set the model path",
        fa_detect_method_name (config->method), path);
    return NULL;
  }

  g_autofree gchar *landmark_path = NULL;
  if (config->method != FA_DETECT_YUNET && config->landmarks) {
    landmark_path = g_strdup (config->landmark_model_path != NULL
        ? config->landmark_model_path : FA_DETECT_DEFAULT_LANDMARK_MODEL);
    if (!g_file_test (landmark_path, G_FILE_TEST_IS_REGULAR)) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
          "landmark model %s not found: install libdlib-data (scripts/install-deps.sh) "
          "or turn landmarks off", landmark_path);
      return NULL;
    }
  }

  FaDetectorBackend *backend = NULL;
  switch (config->method) {
    case FA_DETECT_YUNET: backend = fa_detector_backend_yunet_new (path, config, error); break;
    case FA_DETECT_HOG:
      backend = fa_detector_backend_hog_new (landmark_path, config, error);
      break;
    case FA_DETECT_MMOD:
      backend = fa_detector_backend_mmod_new (path, landmark_path, config, error);
      break;
    case FA_DETECT_HAAR:
      backend = fa_detector_backend_haar_new (path, landmark_path, config, error);
      break;
    default:
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "detection method %s is not available in this build",
          fa_detect_method_name (config->method));
      return NULL;
  }
  if (backend == NULL)
    return NULL;

  FaDetector *detector = g_new0 (FaDetector, 1);
  detector->config = *config;
  detector->model_path = g_steal_pointer (&path);
  detector->config.model_path = detector->model_path;
  detector->landmark_model_path = g_steal_pointer (&landmark_path);
  detector->config.landmark_model_path = detector->landmark_model_path;
  detector->backend = backend;
  return detector;
}

static gint
compare_score_desc (gconstpointer a, gconstpointer b)
{
  const FaFace *fa = a, *fb = b;
  return (fa->score < fb->score) - (fa->score > fb->score);
}

/* Greedy non-maximum suppression on faces sorted by score: drops every face
 * overlapping a better one by more than @iou_max. Returns the count kept. */
static guint
suppress_overlaps (FaFace *faces, guint n, float iou_max)
{
  if (iou_max <= 0.f || iou_max >= 1.f)
    return n;
  guint kept = 0;
  for (guint i = 0; i < n; i++) {
    gboolean keep = TRUE;
    for (guint k = 0; k < kept && keep; k++)
      keep = fa_rect_iou (&faces[k].box, &faces[i].box) <= iou_max;
    if (keep)
      faces[kept++] = faces[i];
  }
  return kept;
}

/* Appends the faces of @found (found in a view whose origin is @ox, @oy in
 * the frame, scaled by @scale) that pass the score and size filters to
 * @faces, in frame coordinates. */
static void
keep_faces (FaDetector *detector, GArray *found, double scale, int ox, int oy,
    GArray *faces)
{
  const FaDetectorConfig *config = &detector->config;
  const float inv = (float) (1.0 / scale);
  for (guint i = 0; i < found->len; i++) {
    FaFace face = g_array_index (found, FaFace, i);
    face.box.x = face.box.x * inv + ox;
    face.box.y = face.box.y * inv + oy;
    face.box.width *= inv;
    face.box.height *= inv;
    for (int k = 0; k < FA_FACE_N_LANDMARKS; k++) {
      face.landmarks[k][0] = face.landmarks[k][0] * inv + ox;
      face.landmarks[k][1] = face.landmarks[k][1] * inv + oy;
    }
    g_debug ("%s candidate %.0f,%.0f %.0fx%.0f score %.3f landmarks "
        "%.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f",
        fa_detect_method_name (config->method), face.box.x, face.box.y,
        face.box.width, face.box.height, face.score,
        face.landmarks[0][0], face.landmarks[0][1], face.landmarks[1][0], face.landmarks[1][1],
        face.landmarks[2][0], face.landmarks[2][1], face.landmarks[3][0], face.landmarks[3][1],
        face.landmarks[4][0], face.landmarks[4][1]);
    if (face.score < config->score_threshold)
      continue;
    if (MIN (face.box.width, face.box.height) < config->min_size)
      continue;
    g_array_append_val (faces, face);
  }
}

/* Detects on @view (a part of the frame whose origin is @ox, @oy in it) at
 * the frame's detection @scale; appends the faces that pass the filters. */
static gboolean
detect_view (FaDetector *detector, const FaImage *view, double scale, int ox, int oy,
    GArray *faces, GError **error)
{
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (FaFace));
  int min_face = (int) floor (detector->config.min_size * scale);
  if (!fa_detector_backend_detect (detector->backend, view, scale, min_face, found, error))
    return FALSE;
  keep_faces (detector, found, scale, ox, oy, faces);
  return TRUE;
}

/* Best first, overlaps suppressed, at most max_faces, for the faces appended
 * from @kept_from on. Returns their count. */
static int
finish_faces (FaDetector *detector, GArray *faces, guint kept_from)
{
  const FaDetectorConfig *config = &detector->config;
  guint n = faces->len - kept_from;
  if (n > 1) {
    FaFace *sorted = &g_array_index (faces, FaFace, kept_from);
    qsort (sorted, n, sizeof (FaFace), compare_score_desc);
    n = suppress_overlaps (sorted, n, config->nms_threshold);
    g_array_set_size (faces, kept_from + n);
  }
  if (config->max_faces > 0 && n > (guint) config->max_faces) {
    g_array_set_size (faces, kept_from + config->max_faces);
    n = config->max_faces;
  }
  return (int) n;
}

static double
detect_scale (const FaDetectorConfig *config, const FaImage *image)
{
  if (config->detect_width > 0 && image->width > config->detect_width)
    return (double) config->detect_width / image->width;
  return 1.0;
}

int
fa_detector_detect (FaDetector *detector, const FaImage *image, GArray *faces,
    GError **error)
{
  guint kept_from = faces->len;
  if (!detect_view (detector, image, detect_scale (&detector->config, image), 0, 0, faces,
          error)) {
    g_array_set_size (faces, kept_from);
    return -1;
  }
  return finish_faces (detector, faces, kept_from);
}

int
fa_detector_detect_in (FaDetector *detector, const FaImage *image, const FaRect *regions,
    guint n_regions, GArray *faces, GError **error)
{
  const FaDetectorConfig *config = &detector->config;
  const double frame_scale = detect_scale (config, image);
  double max_scale = frame_scale;
  if (config->region_detect_width >= 0) {
    FaDetectorConfig regional = *config;
    regional.detect_width = config->region_detect_width;
    max_scale = MAX (frame_scale, detect_scale (&regional, image));
  }
  guint kept_from = faces->len;
  for (guint i = 0; i < n_regions; i++) {
    const FaRect *r = &regions[i];
    /* A face is about a quarter of its person's region wide: search each
     * region just finely enough to see that face at FA_DETECT_REGION_FACE
     * pixels, between the frame's scale and region_detect_width's. A near
     * person costs no more than in a whole-frame search, a far one gets
     * the pixels its small face needs. */
    const double want = FA_DETECT_REGION_FACE * 4.0 / MAX (r->width, 1.f);
    const double scale = CLAMP (want, frame_scale, max_scale);
    /* The backends need a few pixels to work on: grow tiny regions to at
     * least this, in detection pixels. */
    const int min_side = (int) ceil (FA_DETECT_MIN_REGION / scale);
    int w = MAX ((int) ceilf (r->width), min_side), h = MAX ((int) ceilf (r->height), min_side);
    int x = (int) floorf (r->x + r->width / 2) - w / 2, y = (int) floorf (r->y + r->height / 2) - h / 2;
    x = CLAMP (x, 0, MAX (image->width - w, 0));
    y = CLAMP (y, 0, MAX (image->height - h, 0));
    FaImage view;
    if (!fa_image_crop_view (image, &x, &y, w + 1, h + 1, &view))
      continue;
    /* Only a frame smaller than the minimum leaves a smaller crop. */
    if (MIN (view.width, view.height) * scale < FA_DETECT_MIN_REGION - 1)
      continue;
    g_debug ("region %.0f,%.0f %.0fx%.0f: crop %d,%d %dx%d at scale %.2f", r->x, r->y, r->width,
        r->height, x, y, view.width, view.height, scale);
    if (!detect_view (detector, &view, scale, x, y, faces, error)) {
      g_array_set_size (faces, kept_from);
      return -1;
    }
  }
  return finish_faces (detector, faces, kept_from);
}

int
fa_detector_detect_padded (FaDetector *detector, const FaImage *image, double pad,
    int canvas_side, GArray *faces, GError **error)
{
  const FaDetectorConfig *config = &detector->config;
  double scale = (double) canvas_side / ((1.0 + 2.0 * pad) * MAX (image->width, image->height));
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (FaFace));
  int min_face = (int) floor (config->min_size * scale);
  if (!fa_detector_backend_detect_padded (detector->backend, image, pad, canvas_side, min_face,
          found, error))
    return -1;
  guint kept_from = faces->len;
  /* The backend already maps the boxes back to @image. */
  keep_faces (detector, found, 1.0, 0, 0, faces);
  return finish_faces (detector, faces, kept_from);
}

const FaDetectorConfig *
fa_detector_get_config (FaDetector *detector)
{
  return &detector->config;
}

void
fa_detector_update (FaDetector *detector, const FaDetectorConfig *config)
{
  FaDetectorConfig *c = &detector->config;
  c->score_threshold = config->score_threshold;
  c->nms_threshold = config->nms_threshold;
  c->min_size = config->min_size;
  c->detect_width = config->detect_width;
  c->region_detect_width = config->region_detect_width;
  c->max_faces = config->max_faces;
  fa_detector_backend_configure (detector->backend, c);
}

void
fa_detector_free (FaDetector *detector)
{
  if (detector == NULL)
    return;
  fa_detector_backend_free (detector->backend);
  g_free (detector->model_path);
  g_free (detector->landmark_model_path);
  g_free (detector);
}
