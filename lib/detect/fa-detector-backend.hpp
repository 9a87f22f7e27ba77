/* facealert: C++ side of the detection backends. Internal to lib/detect. */
#pragma once

#include "fa-detector-backend.h"

#include <opencv2/core.hpp>
#include <vector>

struct _FaDetectorBackend {
  virtual ~_FaDetectorBackend () = default;
  /* Detects on a BGR picture; appends faces in its coordinates. May throw. */
  virtual void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) = 0;
};
