/* facealert: YuNet (OpenCV FaceDetectorYN, 2022mar model) backend. */
#include "fa-detector-backend.hpp"
#include "fa-image-cv.hpp"

#include <opencv2/objdetect.hpp>

namespace {

class YuNet final : public _FaDetectorBackend {
 public:
  YuNet (const char *model_path, const FaDetectorConfig *config)
  {
    /* The input size is set per frame; 320x320 is only a placeholder. */
    detector_ = cv::FaceDetectorYN::create (model_path, "", cv::Size (320, 320),
        config->score_threshold, config->nms_threshold, 5000);
  }

  void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) override
  {
    if (bgr.size () != input_size_) {
      detector_->setInputSize (bgr.size ());
      input_size_ = bgr.size ();
    }
    cv::Mat out;
    detector_->detect (bgr, out);
    if (out.empty ())
      return;
    /* One row per face: x, y, w, h, 5 landmarks (x, y), score. */
    for (int i = 0; i < out.rows; i++) {
      const float *row = out.ptr<float> (i);
      FaFace face = {};
      face.box = {row[0], row[1], row[2], row[3]};
      face.has_landmarks = TRUE;
      for (int k = 0; k < FA_FACE_N_LANDMARKS; k++) {
        face.landmarks[k][0] = row[4 + 2 * k];
        face.landmarks[k][1] = row[5 + 2 * k];
      }
      face.score = row[14];
      faces.push_back (face);
    }
  }

  void configure (const FaDetectorConfig *config) override
  {
    detector_->setScoreThreshold (config->score_threshold);
    detector_->setNMSThreshold (config->nms_threshold);
  }

 private:
  cv::Ptr<cv::FaceDetectorYN> detector_;
  cv::Size input_size_;
};

}  // namespace

extern "C" FaDetectorBackend *
fa_detector_backend_yunet_new (const gchar *model_path, const FaDetectorConfig *config,
    GError **error)
{
  try {
    auto *backend = new YuNet (model_path, config);
    /* FaceDetectorYN parses the ONNX lazily on some versions: run once on a
     * tiny frame so a corrupt model fails here, not on the first video frame. */
    cv::Mat probe (64, 64, CV_8UC3, cv::Scalar::all (0));
    std::vector<FaFace> none;
    backend->detect (probe, none);
    return backend;
  } catch (const std::exception &e) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "cannot load YuNet model %s (corrupt or not a YuNet 2022mar ONNX file; "
        "run scripts/fetch-models.sh): %s", model_path, e.what ());
    return nullptr;
  }
}
