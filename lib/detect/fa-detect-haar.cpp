/* facealert: OpenCV Haar cascade backend (haarcascade_frontalface_default.xml
 * from Debian's opencv-data by default). No landmarks of its own; the 5
 * points come from dlib's 68-point shape predictor when one is configured.
 *
 * Score: the number n of raw detections merged into a face (OpenCV's
 * "neighbours") mapped to n / (n + 3), so OpenCV's usual minNeighbors=3 is a
 * score of 0.5 and 30 neighbours 0.91. */
#include "fa-detector-backend.hpp"
#include "fa-error.h"
#include "fa-detect-landmarks.hpp"

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

class Haar final : public _FaDetectorBackend {
 public:
  Haar (const char *model_path, const char *landmark_path, const FaDetectorConfig *config)
  {
    bool loaded = false;
    std::string why;
    try {
      loaded = cascade_.load (model_path);
    } catch (const std::exception &e) {
      why = std::string (": ") + e.what ();
    }
    if (!loaded || cascade_.empty ())
      throw std::runtime_error (std::string ("cannot load Haar cascade ") + model_path
          + " (corrupt or not an OpenCV cascade XML; install opencv-data or set the "
          "model path)" + why);
    if (landmark_path != nullptr)
      landmarks_ = std::make_unique<fa::Landmarks68> (landmark_path);
    configure (config);
  }

  void configure (const FaDetectorConfig *config) override
  {
    /* score = n / (n + 3) >= t  <=>  n >= 3t / (1 - t) */
    const double t = std::min (std::max ((double) config->score_threshold, 0.0), 0.95);
    min_neighbors_ = std::max (1, (int) std::ceil (3.0 * t / (1.0 - t) - 1e-6));
  }

  void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) override
  {
    cv::Mat gray, equalized;
    cv::cvtColor (bgr, gray, cv::COLOR_BGR2GRAY);
    cv::equalizeHist (gray, equalized);
    std::vector<cv::Rect> boxes;
    std::vector<int> neighbours;
    const int min_side = std::max (min_face, 1);
    cascade_.detectMultiScale (equalized, boxes, neighbours, 1.1, min_neighbors_, 0,
        cv::Size (min_side, min_side));
    for (size_t i = 0; i < boxes.size (); i++) {
      FaFace face = {};
      face.box = {(float) boxes[i].x, (float) boxes[i].y, (float) boxes[i].width,
          (float) boxes[i].height};
      face.score = (float) neighbours[i] / (float) (neighbours[i] + 3);
      if (landmarks_)
        landmarks_->fit (gray, &face);
      faces.push_back (face);
    }
  }

 private:
  cv::CascadeClassifier cascade_;
  int min_neighbors_ = 3;
  std::unique_ptr<fa::Landmarks68> landmarks_;
};

}  // namespace

extern "C" FaDetectorBackend *
fa_detector_backend_haar_new (const gchar *model_path, const gchar *landmark_path,
    const FaDetectorConfig *config, GError **error)
{
  try {
    return new Haar (model_path, landmark_path, config);
  } catch (const std::exception &e) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "%s", e.what ());
    return nullptr;
  }
}
