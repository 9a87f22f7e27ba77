/* facealert: dlib 68-point landmarks reduced to the 5 points of FaFace. */
#include "fa-detect-landmarks.hpp"

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/opencv/cv_image.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace fa {

struct Landmarks68::Model {
  dlib::shape_predictor predictor;
};

/* The predictor is ~100 MB and read-only once loaded: one copy per file is
 * shared by every detector in the process. */
static std::mutex cache_lock;
static std::map<std::string, std::weak_ptr<const Landmarks68::Model>> cache;

Landmarks68::Landmarks68 (const char *path)
{
  std::lock_guard<std::mutex> lock (cache_lock);
  model_ = cache[path].lock ();
  if (model_)
    return;
  auto model = std::make_shared<Model> ();
  try {
    dlib::deserialize (path) >> model->predictor;
  } catch (const std::exception &e) {
    throw std::runtime_error (std::string ("cannot load dlib landmark model ") + path
        + " (corrupt or not a shape_predictor_68_face_landmarks.dat; reinstall "
        "libdlib-data): " + e.what ());
  }
  if (model->predictor.num_parts () != 68)
    throw std::runtime_error (std::string ("dlib landmark model ") + path
        + " has " + std::to_string (model->predictor.num_parts ())
        + " points, expected 68");
  cache[path] = model;
  model_ = model;
}

Landmarks68::~Landmarks68 () = default;

static void
mean_point (const dlib::full_object_detection &shape, int first, int last, float out[2])
{
  double x = 0, y = 0;
  for (int i = first; i <= last; i++) {
    x += shape.part (i).x ();
    y += shape.part (i).y ();
  }
  out[0] = (float) (x / (last - first + 1));
  out[1] = (float) (y / (last - first + 1));
}

void
Landmarks68::fit (const cv::Mat &gray, FaFace *face) const
{
  dlib::cv_image<unsigned char> img (gray);
  dlib::rectangle box ((long) face->box.x, (long) face->box.y,
      (long) (face->box.x + face->box.width), (long) (face->box.y + face->box.height));
  dlib::full_object_detection shape = model_->predictor (img, box);
  /* iBUG 68-point indices: 36-41 image-left eye, 42-47 image-right eye,
   * 30 nose tip, 48 and 54 mouth corners. */
  mean_point (shape, 36, 41, face->landmarks[0]);
  mean_point (shape, 42, 47, face->landmarks[1]);
  mean_point (shape, 30, 30, face->landmarks[2]);
  mean_point (shape, 48, 48, face->landmarks[3]);
  mean_point (shape, 54, 54, face->landmarks[4]);
  face->has_landmarks = TRUE;
}

}  // namespace fa
