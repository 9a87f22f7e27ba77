/* facealert: object detector front end (plain C): COCO labels, defaults,
 * output decoders and NMS. The network itself is in fa-object-dnn.cpp. */
#define G_LOG_DOMAIN "facealert-detect"

#include "fa-object-detector.h"
#include "fa-object-backend.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* coco.names, in the models' order. */
static const gchar *const coco_names[FA_COCO_N_CLASSES] = {
  "person", "bicycle", "car", "motorbike", "aeroplane", "bus", "train", "truck",
  "boat", "traffic light", "fire hydrant", "stop sign", "parking meter", "bench",
  "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra",
  "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
  "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
  "skateboard", "surfboard", "tennis racket", "bottle", "wine glass", "cup",
  "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
  "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "sofa",
  "pottedplant", "bed", "diningtable", "toilet", "tvmonitor", "laptop", "mouse",
  "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
  "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
  "hair drier", "toothbrush",
};

const gchar *
fa_coco_label (int class_id)
{
  return class_id >= 0 && class_id < FA_COCO_N_CLASSES ? coco_names[class_id] : NULL;
}

int
fa_coco_class_id (const gchar *label)
{
  for (int i = 0; label != NULL && i < FA_COCO_N_CLASSES; i++)
    if (g_ascii_strcasecmp (label, coco_names[i]) == 0)
      return i;
  return -1;
}

gboolean
fa_coco_parse_labels (const gchar *labels, gboolean wanted[FA_COCO_N_CLASSES], GError **error)
{
  gboolean parsed[FA_COCO_N_CLASSES] = {FALSE};
  g_auto (GStrv) names = g_strsplit (labels != NULL ? labels : "", ",", -1);
  guint n = 0;
  for (guint i = 0; names[i] != NULL; i++) {
    g_strstrip (names[i]);
    int id = fa_coco_class_id (names[i]);
    if (id < 0) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          names[i][0] == '\0' ? "empty label in \"%s\": use a comma list of COCO names "
          "such as person,cat,dog" : "unknown label \"%s\": not one of COCO's 80 class "
          "names (person, cat, dog, car, ...)", names[i][0] == '\0' ? labels : names[i]);
      return FALSE;
    }
    parsed[id] = TRUE;
    n++;
  }
  if (n == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "no labels given: use a comma list of COCO names such as person,cat,dog");
    return FALSE;
  }
  memcpy (wanted, parsed, sizeof parsed);
  return TRUE;
}

static const gchar *const method_names[] = {
  [FA_OBJECT_YOLOX] = "yolox",
  [FA_OBJECT_FASTESTDET] = "fastestdet",
};

const gchar *
fa_object_method_name (FaObjectMethod method)
{
  return method < G_N_ELEMENTS (method_names) ? method_names[method] : "unknown";
}

gboolean
fa_object_method_from_name (const gchar *name, FaObjectMethod *method)
{
  for (guint i = 0; i < G_N_ELEMENTS (method_names); i++)
    if (g_strcmp0 (name, method_names[i]) == 0) {
      *method = (FaObjectMethod) i;
      return TRUE;
    }
  return FALSE;
}

float
fa_object_method_default_score (FaObjectMethod method)
{
  /* The manifest's: yolox keeps >= 0.3, fastestdet > 0.65. */
  return method == FA_OBJECT_FASTESTDET ? 0.65f : 0.3f;
}

void
fa_object_detector_config_init (FaObjectDetectorConfig *config, FaObjectMethod method)
{
  memset (config, 0, sizeof *config);
  config->method = method;
  config->score_threshold = fa_object_method_default_score (method);
  config->nms_threshold = 0.45f;
  config->input_size = FA_OBJECT_YOLOX_INPUT;
  fa_coco_parse_labels (FA_OBJECT_DEFAULT_LABELS, config->wanted, NULL);
}

/* ---- decoders ---------------------------------------------------------- */

static inline float
sigmoidf (float x)
{
  return 1.f / (1.f + expf (-x));
}

void
fa_yolox_decode (const float *out, int input_width, int input_height, float ratio,
    float score_threshold, const gboolean *wanted, GArray *objects)
{
  static const int strides[] = {8, 16, 32};
  const float inv = ratio > 0 ? 1.f / ratio : 1.f;
  const float *row = out;
  for (guint s = 0; s < G_N_ELEMENTS (strides); s++) {
    const int stride = strides[s];
    const int grid_w = input_width / stride, grid_h = input_height / stride;
    for (int gy = 0; gy < grid_h; gy++)
      for (int gx = 0; gx < grid_w; gx++, row += 5 + FA_COCO_N_CLASSES) {
        const float objectness = row[4];
        if (objectness < score_threshold)
          continue;   /* score = objectness * class score <= objectness */
        int best = 0;
        for (int c = 1; c < FA_COCO_N_CLASSES; c++)
          if (row[5 + c] > row[5 + best])
            best = c;
        const float score = objectness * row[5 + best];
        if (score < score_threshold || (wanted != NULL && !wanted[best]))
          continue;
        const float cx = (row[0] + gx) * stride, cy = (row[1] + gy) * stride;
        const float w = expf (row[2]) * stride, h = expf (row[3]) * stride;
        FaObject o = {
          .box = {(cx - w / 2) * inv, (cy - h / 2) * inv, w * inv, h * inv},
          .score = score, .class_id = best,
        };
        g_array_append_val (objects, o);
      }
  }
}

void
fa_fastestdet_decode (const float *out, int grid, int width, int height,
    float score_threshold, const gboolean *wanted, GArray *objects)
{
  const gsize plane = (gsize) grid * grid;
  for (int gy = 0; gy < grid; gy++)
    for (int gx = 0; gx < grid; gx++) {
      const gsize at = (gsize) gy * grid + gx;
      const float objectness = out[at];
      int best = 0;
      for (int c = 1; c < FA_COCO_N_CLASSES; c++)
        if (out[(5 + c) * plane + at] > out[(5 + best) * plane + at])
          best = c;
      const float cls = out[(5 + best) * plane + at];
      const float score = powf (MAX (objectness, 0.f), 0.6f) * powf (MAX (cls, 0.f), 0.4f);
      /* The manifest keeps score > threshold (strictly). */
      if (score <= score_threshold || (wanted != NULL && !wanted[best]))
        continue;
      const float cx = (gx + tanhf (out[1 * plane + at])) / grid;
      const float cy = (gy + tanhf (out[2 * plane + at])) / grid;
      const float w = sigmoidf (out[3 * plane + at]), h = sigmoidf (out[4 * plane + at]);
      FaObject o = {
        .box = {(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height},
        .score = score, .class_id = best,
      };
      g_array_append_val (objects, o);
    }
}

static gint
compare_score_desc (gconstpointer a, gconstpointer b)
{
  const FaObject *oa = a, *ob = b;
  return (oa->score < ob->score) - (oa->score > ob->score);
}

void
fa_object_nms (GArray *objects, float iou_max, gboolean per_class)
{
  if (objects->len == 0)
    return;
  FaObject *o = (FaObject *) objects->data;
  qsort (o, objects->len, sizeof (FaObject), compare_score_desc);
  if (iou_max >= 1.f)
    return;
  guint kept = 0;
  for (guint i = 0; i < objects->len; i++) {
    gboolean keep = TRUE;
    for (guint k = 0; k < kept && keep; k++)
      if (!per_class || o[k].class_id == o[i].class_id)
        keep = fa_rect_iou (&o[k].box, &o[i].box) <= iou_max;
    if (keep)
      o[kept++] = o[i];
  }
  g_array_set_size (objects, kept);
}

/* ---- detector ---------------------------------------------------------- */

struct _FaObjectDetector {
  FaObjectDetectorConfig config;
  gchar *model_path;
  FaObjectBackend *backend;
  guint64 forward_count;
};

FaObjectDetector *
fa_object_detector_new (const FaObjectDetectorConfig *config, GError **error)
{
  g_autofree gchar *path = config->model_path != NULL ? g_strdup (config->model_path)
      : fa_paths_model (config->method == FA_OBJECT_FASTESTDET
          ? FA_OBJECT_DEFAULT_FASTESTDET_MODEL : FA_OBJECT_DEFAULT_YOLOX_MODEL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "%s model %s not found: run scripts/fetch-models.sh or set the model path",
        fa_object_method_name (config->method), path);
    return NULL;
  }
  FaObjectBackend *backend = fa_object_backend_new (config->method, path, error);
  if (backend == NULL)
    return NULL;

  FaObjectDetector *detector = g_new0 (FaObjectDetector, 1);
  detector->config = *config;
  detector->model_path = g_steal_pointer (&path);
  detector->config.model_path = detector->model_path;
  detector->backend = backend;
  return detector;
}

static void
clip_objects (GArray *objects, guint from, int width, int height)
{
  guint kept = from;
  for (guint i = from; i < objects->len; i++) {
    FaObject o = g_array_index (objects, FaObject, i);
    float x0 = CLAMP (o.box.x, 0.f, (float) width), y0 = CLAMP (o.box.y, 0.f, (float) height);
    float x1 = CLAMP (o.box.x + o.box.width, 0.f, (float) width);
    float y1 = CLAMP (o.box.y + o.box.height, 0.f, (float) height);
    if (x1 - x0 < 1.f || y1 - y0 < 1.f)
      continue;
    o.box = (FaRect) {x0, y0, x1 - x0, y1 - y0};
    g_array_index (objects, FaObject, kept++) = o;
  }
  g_array_set_size (objects, kept);
}

int
fa_object_detector_detect (FaObjectDetector *detector, const FaImage *image,
    GArray *objects, GError **error)
{
  const FaObjectDetectorConfig *c = &detector->config;
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (FaObject));
  if (!fa_object_backend_detect (detector->backend, image, c->input_size, c->score_threshold,
          c->wanted, found, error))
    return -1;
  detector->forward_count++;
  /* YOLOX's reference post-processing is per class, FastestDet's is not. */
  fa_object_nms (found, c->nms_threshold, c->method == FA_OBJECT_YOLOX);
  guint from = objects->len;
  g_array_append_vals (objects, found->data, found->len);
  clip_objects (objects, from, image->width, image->height);
  return (int) (objects->len - from);
}

const FaObjectDetectorConfig *
fa_object_detector_get_config (FaObjectDetector *detector)
{
  return &detector->config;
}

void
fa_object_detector_update (FaObjectDetector *detector, const FaObjectDetectorConfig *config)
{
  detector->config.score_threshold = config->score_threshold;
  detector->config.nms_threshold = config->nms_threshold;
  detector->config.input_size = config->input_size;
  memcpy (detector->config.wanted, config->wanted, sizeof config->wanted);
}

guint64
fa_object_detector_get_forward_count (FaObjectDetector *detector)
{
  return detector->forward_count;
}

void
fa_object_detector_free (FaObjectDetector *detector)
{
  if (detector == NULL)
    return;
  fa_object_backend_free (detector->backend);
  g_free (detector->model_path);
  g_free (detector);
}
