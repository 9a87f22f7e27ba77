/* facealert: C++ side of the detection backends. Internal to lib/detect. */
#pragma once

#include "fa-detector-backend.h"

#include <opencv2/core.hpp>
#include <vector>

struct _FaDetectorBackend {
  virtual ~_FaDetectorBackend () = default;
  /* Detects on a BGR picture; appends faces in its coordinates. May throw. */
  virtual void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) = 0;
  /* Thresholds changed while running (default: nothing to do). */
  virtual void configure (const FaDetectorConfig *config) {}
  /* Smallest face side wanted in the next detect(), in its pixels. */
  int min_face = 0;
};

namespace fa {

/* Logistic map of a raw detector margin to 0..1: margin 0 (the library's own
 * decision threshold) gives 0.5, margin 1 gives 0.88. */
float score_from_margin (double margin);
/* Its inverse: the raw margin that corresponds to @score (clamped). */
double margin_from_score (float score);

}  // namespace fa
