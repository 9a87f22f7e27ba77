/* facealert: the interface every detection backend shim implements (C++
 * inside, C outside). Internal to lib/detect. */
#pragma once

#include "fa-detector.h"

G_BEGIN_DECLS

typedef struct _FaDetectorBackend FaDetectorBackend;

/* Each backend constructor; @model_path is already known to exist (NULL for
 * hog). @landmark_path, when not NULL, is dlib's 68-point shape predictor,
 * used by the backends without landmarks of their own to derive the 5 points. */
FaDetectorBackend *fa_detector_backend_yunet_new (const gchar *model_path,
    const FaDetectorConfig *config, GError **error);
FaDetectorBackend *fa_detector_backend_hog_new (const gchar *landmark_path,
    const FaDetectorConfig *config, GError **error);
FaDetectorBackend *fa_detector_backend_mmod_new (const gchar *model_path,
    const gchar *landmark_path, const FaDetectorConfig *config, GError **error);
FaDetectorBackend *fa_detector_backend_haar_new (const gchar *model_path,
    const gchar *landmark_path, const FaDetectorConfig *config, GError **error);

/* Detects on @image downscaled by @scale (<= 1); boxes in the scaled frame.
 * @min_face is the smallest face side wanted, in scaled pixels (backends
 * with a fixed window upsample to reach it). */
gboolean fa_detector_backend_detect (FaDetectorBackend *backend,
    const FaImage *image, double scale, int min_face, GArray *faces,
    GError **error);

/* Detects on @image framed by a grey border of @pad times its longer side on
 * every side, the whole scaled so its longer side is @canvas_side pixels
 * (up or down); boxes and landmarks mapped back to @image's coordinates
 * (they may reach outside it). @min_face as above, in canvas pixels. */
gboolean fa_detector_backend_detect_padded (FaDetectorBackend *backend,
    const FaImage *image, double pad, int canvas_side, int min_face, GArray *faces,
    GError **error);

/* Applies changed thresholds (score, NMS) to a running backend. */
void fa_detector_backend_configure (FaDetectorBackend *backend,
    const FaDetectorConfig *config);
void fa_detector_backend_free (FaDetectorBackend *backend);

G_END_DECLS
