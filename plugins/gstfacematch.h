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

#define FA_TYPE_FACE_MATCH (fa_face_match_get_type ())
G_DECLARE_FINAL_TYPE (FaFaceMatch, fa_face_match, FA, FACE_MATCH, GstVideoFilter)

G_END_DECLS
