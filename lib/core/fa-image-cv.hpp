/* facealert: internal C++ helpers between FaImage and OpenCV. Only shim .cpp
 * files include this; no public header exposes a cv:: type. */
#pragma once

#include "fa-error.h"
#include "fa-image.h"

#include <opencv2/core.hpp>

namespace fa {

/* Converts any FaImage to a BGR cv::Mat. When @scale < 1 the result is
 * downscaled by it (area interpolation), cheaply: for planar YUV only the
 * needed pixels are converted. The result owns its pixels. */
cv::Mat image_to_bgr (const FaImage *image, double scale = 1.0);

/* A view of the rectangle (x, y, w, h) of @image, no copy; for 4:2:0
 * formats the rectangle is first widened to even coordinates (the
 * arguments are updated). */
FaImage image_crop_view (const FaImage *image, int &x, int &y, int &w, int &h);

/* Wraps a BGR/GRAY/RGB packed image without copying (nullptr otherwise). */
cv::Mat image_wrap_packed (const FaImage *image);

/* Fills @view to describe @mat (BGR or GRAY8), borrowing its pixels. */
void image_view_of (const cv::Mat &mat, FaImage *view);

/* Sets a GError from a caught exception: "@what_doing" plus advice, never
 * the library's own text (an OpenCV assertion means nothing to a user); that
 * goes to the debug log (G_MESSAGES_DEBUG=all). */
void set_error_from_exception (GError **error, int code, const char *what_doing,
    const std::exception &e);

/* Keeps OpenCV's own logging (which prints the same assertions on stderr
 * before throwing) below errors, unless OPENCV_LOG_LEVEL asks otherwise.
 * Call before using cv::dnn; cheap after the first call. */
void quiet_opencv_logging ();

}  // namespace fa
