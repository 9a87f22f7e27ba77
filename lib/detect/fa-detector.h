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
/* dlib's 68-point shape predictor (Debian libdlib-data): gives hog, mmod and
 * haar faces the 5 landmarks that face alignment needs. */
#define FA_DETECT_DEFAULT_LANDMARK_MODEL \
  "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

typedef struct {
  FaDetectMethod method;
  /* Model file; NULL picks the method's default (in the models directory, or
   * opencv-data's cascade for haar). Ignored by hog. */
  const gchar *model_path;
  /* 0..1. yunet: the network's score. hog/mmod: dlib's margin m mapped to
   * 1 / (1 + exp (-2 m)), so dlib's own threshold (m = 0) is 0.5. haar: the
   * n merged neighbour detections mapped to n / (n + 3), so OpenCV's usual
   * minNeighbors=3 is 0.5. */
  float score_threshold;
  float nms_threshold;     /* IoU above which the lower-scoring box is dropped */
  int min_size;            /* smallest face side kept, in input pixels; hog
                            * and mmod upsample 2x when it is below their
                            * window (80 pixels after detect_width) */
  int detect_width;        /* detect on a copy this wide (0: full size) */
  /* fa_detector_detect_in(): regions of far (small) persons are searched at
   * up to the scale of a frame this wide (0: full size; -1: detect_width).
   * Regions are a fraction of the frame, so they can afford more pixels. */
  int region_detect_width;
  int max_faces;           /* keep the highest-scoring N (0: all) */
  /* hog/mmod/haar: derive the 5 landmarks with dlib's 68-point predictor
   * (@landmark_model_path, NULL for FA_DETECT_DEFAULT_LANDMARK_MODEL). */
  gboolean landmarks;
  const gchar *landmark_model_path;
} FaDetectorConfig;

/* Fills @config with the defaults for @method: score threshold 0.7 for
 * yunet, 0.5 (the library's own decision threshold) for the others; min
 * size 20 (hog and mmod: 40); NMS 0.3; detect width 640 (regions: the same);
 * landmarks on. */
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

/* Smallest region side fa_detector_detect_in() searches, in detection pixels
 * (YuNet pools its input down 32x and needs 2x2 left)
 * (smaller regions are grown around their centre). */
#define FA_DETECT_MIN_REGION 64
/* fa_detector_detect_in() searches each region so that a face a quarter of
 * its width spans this many detection pixels (within the frame's and
 * region_detect_width's scales). */
#define FA_DETECT_REGION_FACE 32

/* Like fa_detector_detect(), searching only inside @regions (@n_regions
 * rectangles in @image's pixels, e.g. from fa_face_search_regions()), at the
 * scale each needs (FA_DETECT_REGION_FACE), between detect_width's and
 * region_detect_width's: the cost is about the regions' share of the frame.
 * Faces found twice where regions overlap are merged. */
int fa_detector_detect_in (FaDetector *detector, const FaImage *image,
    const FaRect *regions, guint n_regions, GArray *faces, GError **error);
/* The same on @image framed by a grey border of @pad times its longer side
 * on every side and scaled (up or down, whatever detect_width says) so the
 * framed picture's longer side is @canvas_side: finds faces that fill a
 * photo or are cut by its edge (a tight crop, the chin cut off), which a
 * detector trained on whole scenes misses. Boxes and landmarks are in
 * @image's coordinates and may reach outside it. */
int fa_detector_detect_padded (FaDetector *detector, const FaImage *image, double pad,
    int canvas_side, GArray *faces, GError **error);

const FaDetectorConfig *fa_detector_get_config (FaDetector *detector);

/* Applies new score/NMS thresholds, min size, detect width and max faces
 * from @config to a running detector (method and model paths are ignored). */
void fa_detector_update (FaDetector *detector, const FaDetectorConfig *config);
void fa_detector_free (FaDetector *detector);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaDetector, fa_detector_free)

/* Sets how many worker threads OpenCV uses (cv::setNumThreads): 0 runs
 * everything in the calling thread, -1 restores OpenCV's default (one per
 * core). Process-wide: it applies to every detector (and any other OpenCV
 * user) in the process. */
void fa_detect_set_threads (int n_threads);
int fa_detect_get_threads (void);

const gchar *fa_detect_method_name (FaDetectMethod method);
gboolean fa_detect_method_from_name (const gchar *name, FaDetectMethod *method);

G_END_DECLS
