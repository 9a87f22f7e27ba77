/* facealert: the interface every detection backend shim implements (C++
 * inside, C outside). Internal to lib/detect. */
#pragma once

#include "fa-detector.h"

G_BEGIN_DECLS

typedef struct _FaDetectorBackend FaDetectorBackend;

/* Each backend constructor; @model_path is already known to exist. */
FaDetectorBackend *fa_detector_backend_yunet_new (const gchar *model_path,
    const FaDetectorConfig *config, GError **error);

/* Detects on @image downscaled by @scale (<= 1); boxes in the scaled frame. */
gboolean fa_detector_backend_detect (FaDetectorBackend *backend,
    const FaImage *image, double scale, GArray *faces, GError **error);
void fa_detector_backend_free (FaDetectorBackend *backend);

G_END_DECLS
