/* facealert: the network side of the object detector (C++ inside, C
 * outside). Internal to lib/detect. */
#pragma once

#include "fa-object-detector.h"

G_BEGIN_DECLS

typedef struct _FaObjectBackend FaObjectBackend;

/* Loads (or shares) the network of @method from @model_path, which is known
 * to exist. A file OpenCV cannot parse, or whose output is not the method's,
 * fails with FA_ERROR_CORRUPT naming it. */
FaObjectBackend *fa_object_backend_new (FaObjectMethod method, const gchar *model_path,
    GError **error);

/* Runs the network on @image and appends the decoded candidates (before NMS)
 * in @image's pixels. */
gboolean fa_object_backend_detect (FaObjectBackend *backend, const FaImage *image,
    int input_size, float score_threshold, const gboolean *wanted, GArray *objects,
    GError **error);

void fa_object_backend_free (FaObjectBackend *backend);

G_END_DECLS
