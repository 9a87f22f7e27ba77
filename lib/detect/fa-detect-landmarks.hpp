/* facealert: 5 landmarks for backends that have none, from dlib's 68-point
 * shape predictor (Debian libdlib-data). Internal to lib/detect. */
#pragma once

#include "fa-image.h"

#include <opencv2/core.hpp>
#include <memory>

namespace fa {

class Landmarks68 {
 public:
  /* Loads (or shares an already loaded copy of) the predictor; throws
   * std::runtime_error naming the file when it cannot be read. */
  explicit Landmarks68 (const char *path);
  ~Landmarks68 ();
  /* Fills face->landmarks from the 68 points found inside face->box on
   * @gray (8-bit, one channel) and sets has_landmarks. */
  void fit (const cv::Mat &gray, FaFace *face) const;

  struct Model;

 private:
  std::shared_ptr<const Model> model_;
};

}  // namespace fa
