/* facealert: object detection (person, cat, dog, ... any of COCO's 80
 * classes) behind one C interface.
 *
 * Methods: "yolox" (YOLOX-nano 416x416, the default: better recall) and
 * "fastestdet" (FastestDet 352x352: ~3x cheaper, coarser boxes). Pre- and
 * post-processing are exactly those of ../shared/models/MANIFEST.md. C++ lives
 * only in fa-object-dnn.cpp; this header is plain C, and so are the output
 * decoders below (unit-tested without a network). */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

typedef enum {
  FA_OBJECT_YOLOX,
  FA_OBJECT_FASTESTDET,
} FaObjectMethod;

#define FA_OBJECT_DEFAULT_YOLOX_MODEL "object_detection_yolox_nano_coco.onnx"
#define FA_OBJECT_DEFAULT_FASTESTDET_MODEL "object_detection_fastestdet_coco.onnx"

/* COCO's 80 classes in the models' order (coco.names): person = 0, cat = 15,
 * dog = 16. */
#define FA_COCO_N_CLASSES 80
#define FA_COCO_PERSON 0
#define FA_COCO_CAT 15
#define FA_COCO_DOG 16
#define FA_OBJECT_DEFAULT_LABELS "person,cat,dog"
#define FA_OBJECT_YOLOX_INPUT 416
#define FA_OBJECT_MIN_INPUT 160
#define FA_OBJECT_MAX_INPUT 640

/* The COCO name of @class_id ("person", "traffic light"...), NULL if out of
 * range. */
const gchar *fa_coco_label (int class_id);
/* The class id of @label, -1 if it is not a COCO name. */
int fa_coco_class_id (const gchar *label);

/* Parses a comma list of COCO names ("person,cat,dog"; spaces around names
 * ignored) into @wanted (one flag per class). An unknown or empty name fails
 * with FA_ERROR_INVALID_ARGUMENT naming it. */
gboolean fa_coco_parse_labels (const gchar *labels, gboolean wanted[FA_COCO_N_CLASSES],
    GError **error);

typedef struct {
  FaRect box;       /* pixels, in the frame the object came from */
  float score;      /* 0..1 */
  int class_id;     /* COCO index */
} FaObject;

typedef struct {
  FaObjectMethod method;
  /* Model file; NULL picks the method's default in the models directory. */
  const gchar *model_path;
  float score_threshold;   /* keep objects scoring at least this */
  float nms_threshold;     /* IoU above which the weaker of two is dropped */
  /* yolox: the letterbox's long side (multiple of 32, 160..640; 416 is the
   * model's training size). The short side is rounded up to a multiple of
   * 32 instead of padded to a square: same boxes, less padding computed
   * (640x480 runs at 416x320, ~27 % cheaper than 416x416). */
  int input_size;
  gboolean wanted[FA_COCO_N_CLASSES];   /* classes reported */
} FaObjectDetectorConfig;

/* Fills @config with the defaults for @method: the manifest's thresholds
 * (yolox: score 0.3, fastestdet: 0.65; NMS 0.45), yolox input 416, and the
 * labels person, cat, dog. */
void fa_object_detector_config_init (FaObjectDetectorConfig *config, FaObjectMethod method);
/* The method's default score threshold. */
float fa_object_method_default_score (FaObjectMethod method);

typedef struct _FaObjectDetector FaObjectDetector;

/* Loads the model (shared with every other detector of this process that
 * uses the same file and method, see fa-dnn-shared.hpp). A missing file
 * fails with FA_ERROR_NOT_FOUND, a corrupt one with FA_ERROR_CORRUPT; both
 * messages name the file. */
FaObjectDetector *fa_object_detector_new (const FaObjectDetectorConfig *config, GError **error);

/* Appends one FaObject per object of a wanted class found in @image to
 * @objects (a GArray of FaObject), boxes clipped to @image, highest score
 * first. The network sees a copy of @image scaled to its input (yolox:
 * input_size on the long side; fastestdet: 352x352), never the full frame
 * converted. Returns the number appended, or -1
 * with @error set. Thread-safe: calls on detectors sharing one network are
 * serialised. */
int fa_object_detector_detect (FaObjectDetector *detector, const FaImage *image,
    GArray *objects, GError **error);

const FaObjectDetectorConfig *fa_object_detector_get_config (FaObjectDetector *detector);
/* Applies new thresholds and labels to a running detector (method and model
 * are ignored). */
void fa_object_detector_update (FaObjectDetector *detector, const FaObjectDetectorConfig *config);
/* How many forward passes this detector has run (for tests and stats). */
guint64 fa_object_detector_get_forward_count (FaObjectDetector *detector);
void fa_object_detector_free (FaObjectDetector *detector);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaObjectDetector, fa_object_detector_free)

const gchar *fa_object_method_name (FaObjectMethod method);
gboolean fa_object_method_from_name (const gchar *name, FaObjectMethod *method);

/* Output decoders, plain C (the backend calls them on the network's output).
 * Each appends candidates scoring at least @score_threshold for classes set
 * in @wanted (NULL: all), boxes in the original frame's pixels; no NMS.
 *
 * YOLOX: @out is rows x 85 ([x, y, w, h, objectness, 80 class scores],
 * sigmoided), rows = sum over strides 8, 16, 32 of (input_width / stride) x
 * (input_height / stride), level after level, row-major; @input_width x
 * @input_height is the network input (multiples of 32) and @ratio the
 * letterbox resize factor. */
void fa_yolox_decode (const float *out, int input_width, int input_height, float ratio,
    float score_threshold, const gboolean *wanted, GArray *objects);
/* FastestDet: @out is 85 x grid x grid (channel-major): objectness
 * (sigmoided), centre offsets (tanh), width/height relative to the image
 * (sigmoid), 80 class scores (softmaxed); score = obj^0.6 * cls^0.4; boxes
 * scaled to @width x @height. */
void fa_fastestdet_decode (const float *out, int grid, int width, int height,
    float score_threshold, const gboolean *wanted, GArray *objects);

/* Sorts @objects by score (best first) and drops every object overlapping a
 * better one by more than @iou_max; class-agnostic when @per_class is FALSE.
 * @iou_max >= 1 keeps everything. */
void fa_object_nms (GArray *objects, float iou_max, gboolean per_class);

G_END_DECLS
