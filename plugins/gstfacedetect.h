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

#define FA_TYPE_FACE_DETECT (fa_face_detect_get_type ())
G_DECLARE_FINAL_TYPE (FaFaceDetect, fa_face_detect, FA, FACE_DETECT, GstVideoFilter)

#define FA_TYPE_FACE_DETECT_METHOD (fa_face_detect_method_get_type ())
GType fa_face_detect_method_get_type (void);

typedef enum {
  FA_FACE_DETECT_SEARCH_AUTO,
  FA_FACE_DETECT_SEARCH_FRAME,
  FA_FACE_DETECT_SEARCH_PERSON_BOXES,
} FaFaceDetectSearch;

#define FA_TYPE_FACE_DETECT_SEARCH (fa_face_detect_search_get_type ())
GType fa_face_detect_search_get_type (void);

G_END_DECLS
