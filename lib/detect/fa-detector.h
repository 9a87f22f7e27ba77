/* facealert: face detection behind one C interface.
 *
 * Methods: "yunet" (OpenCV FaceDetectorYN, 2022mar model; default), "hog"
 * (dlib frontal face detector, no model file), "mmod" (dlib CNN), "haar"
 * (OpenCV cascade from Debian's opencv-data). C++ lives only in the backend
 * shim files; this header is plain C. */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

typedef enum {
  FA_DETECT_YUNET,
  FA_DETECT_HOG,
  FA_DETECT_MMOD,
  FA_DETECT_HAAR,
} FaDetectMethod;

#define FA_DETECT_DEFAULT_YUNET_MODEL "face_detection_yunet_2022mar.onnx"
#define FA_DETECT_DEFAULT_MMOD_MODEL "mmod_human_face_detector.dat"
#define FA_DETECT_DEFAULT_HAAR_MODEL \
  "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

typedef struct {
  FaDetectMethod method;
  /* Model file; NULL picks the method's default (in the models directory, or
   * opencv-data's cascade for haar). Ignored by hog. */
  const gchar *model_path;
  float score_threshold;   /* 0..1; yunet's score, dlib's scaled confidence */
  float nms_threshold;     /* IoU above which overlapping boxes are merged */
  int min_size;            /* smallest face side kept, in input pixels */
  int detect_width;        /* detect on a copy this wide (0: full size) */
  int max_faces;           /* keep the highest-scoring N (0: all) */
} FaDetectorConfig;

/* Fills @config with the defaults for @method. */
void fa_detector_config_init (FaDetectorConfig *config, FaDetectMethod method);

typedef struct _FaDetector FaDetector;

/* Loads the model. A missing file fails with FA_ERROR_NOT_FOUND and a corrupt
 * one with FA_ERROR_CORRUPT; both messages name the file. */
FaDetector *fa_detector_new (const FaDetectorConfig *config, GError **error);

/* Appends one FaFace per face found in @image to @faces (a GArray of FaFace),
 * boxes and landmarks in @image's pixel coordinates, highest score first.
 * Returns the number appended, or -1 with @error set. */
int fa_detector_detect (FaDetector *detector, const FaImage *image,
    GArray *faces, GError **error);

const FaDetectorConfig *fa_detector_get_config (FaDetector *detector);
void fa_detector_free (FaDetector *detector);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaDetector, fa_detector_free)

const gchar *fa_detect_method_name (FaDetectMethod method);
gboolean fa_detect_method_from_name (const gchar *name, FaDetectMethod *method);

G_END_DECLS
