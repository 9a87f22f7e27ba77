/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define FA_TYPE_OBJECT_DETECT (fa_object_detect_get_type ())
G_DECLARE_FINAL_TYPE (FaObjectDetect, fa_object_detect, FA, OBJECT_DETECT, GstVideoFilter)

#define FA_TYPE_OBJECT_DETECT_METHOD (fa_object_detect_method_get_type ())
GType fa_object_detect_method_get_type (void);

G_END_DECLS
