/* facealert: YuNet (OpenCV FaceDetectorYN, 2022mar model) backend. */
#include "fa-detector-backend.hpp"
#include "fa-dnn-shared.hpp"
#include "fa-image-cv.hpp"

#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <memory>
#include <opencv2/imgproc.hpp>

namespace {

/* YuNet 2022mar on OpenCV 4.6 reports large "faces" with high scores on
 * black and on noisy frames (videotestsrc pattern=black/snow: boxes most of
 * the frame high, scores 0.73-0.93). Two checks drop them without touching
 * real faces: on real faces every landmark lies inside the box (at most 6%
 * of its side outside on the test video), on those artefacts some landmark
 * is 12-24% outside; and a face has texture, a flat region has none.
 * It also reports cat faces (skimage chelsea: 0.78 when detecting at 640
 * wide, 0.93 at 320). On human faces YuNet puts the eye line 24-47% down
 * the box (test photos and video, at 320 and 640 wide); on the cat 54-62%:
 * the eye line must be in the box's upper half. */
constexpr float kMaxLandmarkOutside = 0.10f;
constexpr float kMaxEyeHeight = 0.50f;
constexpr double kMinFaceStddev = 4.0;
constexpr int kMinInputSide = 64;

bool
plausible (const cv::Mat &bgr, const FaFace &face)
{
  const FaRect &b = face.box;
  for (int k = 0; k < FA_FACE_N_LANDMARKS; k++) {
    const float x = face.landmarks[k][0], y = face.landmarks[k][1];
    const float dx = std::max ({b.x - x, x - (b.x + b.width), 0.f}) / std::max (b.width, 1.f);
    const float dy = std::max ({b.y - y, y - (b.y + b.height), 0.f}) / std::max (b.height, 1.f);
    if (dx > kMaxLandmarkOutside || dy > kMaxLandmarkOutside)
      return false;
  }
  const float eye_y = 0.5f * (face.landmarks[0][1] + face.landmarks[1][1]);
  if (eye_y - b.y > kMaxEyeHeight * b.height)
    return false;
  cv::Rect roi = cv::Rect ((int) b.x, (int) b.y, (int) b.width, (int) b.height)
      & cv::Rect (0, 0, bgr.cols, bgr.rows);
  if (roi.area () <= 0)
    return false;
  cv::Scalar mean, stddev;
  cv::meanStdDev (bgr (roi), mean, stddev);
  return std::max ({stddev[0], stddev[1], stddev[2]}) >= kMinFaceStddev;
}

/* FaceDetectorYN copies per model file and process, shared by every
 * facedetect (each camera's, fa-dnn-shared.hpp): each user sets the copy's
 * input size and thresholds before detecting. */
struct YuNetNet {
  cv::Ptr<cv::FaceDetectorYN> detector;
  cv::Size input_size;
};

class YuNet final : public _FaDetectorBackend {
 public:
  YuNet (const char *model_path, const FaDetectorConfig *config)
      : score_ (config->score_threshold), nms_ (config->nms_threshold)
  {
    std::string path (model_path);
    net_ = fa::shared_object<YuNetNet> ("yunet:" + path, [path] () {
      /* The input size is set per frame; 320x320 is only a placeholder. */
      YuNetNet n;
      n.detector = cv::FaceDetectorYN::create (path, "", cv::Size (320, 320), 0.7f, 0.3f, 5000);
      n.input_size = cv::Size (320, 320);
      return n;
    });
  }

  void detect (const cv::Mat &frame, std::vector<FaFace> &faces) override
  {
    /* Below 64 pixels a side the network's last feature maps are empty and
     * OpenCV throws ("total(os[i]) > 0"): pad right and bottom, so boxes
     * keep their coordinates. */
    cv::Mat bgr = frame;
    if (frame.cols < kMinInputSide || frame.rows < kMinInputSide)
      cv::copyMakeBorder (frame, bgr, 0, std::max (0, kMinInputSide - frame.rows), 0,
          std::max (0, kMinInputSide - frame.cols), cv::BORDER_CONSTANT, cv::Scalar::all (0));
    cv::Mat out;
    net_->use ([&] (YuNetNet &n) {
      if (bgr.size () != n.input_size) {
        n.detector->setInputSize (bgr.size ());
        n.input_size = bgr.size ();
      }
      n.detector->setScoreThreshold (score_);
      n.detector->setNMSThreshold (nms_);
      n.detector->detect (bgr, out);
      out = out.clone ();
    });
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
      if (plausible (bgr, face))
        faces.push_back (face);
    }
  }

  void configure (const FaDetectorConfig *config) override
  {
    score_ = config->score_threshold;
    nms_ = config->nms_threshold;
  }

 private:
  std::shared_ptr<fa::Shared<YuNetNet>> net_;
  float score_, nms_;
};

}  // namespace

extern "C" FaDetectorBackend *
fa_detector_backend_yunet_new (const gchar *model_path, const FaDetectorConfig *config,
    GError **error)
{
  try {
    fa::quiet_opencv_logging ();
    std::unique_ptr<YuNet> backend (new YuNet (model_path, config));
    /* FaceDetectorYN parses the ONNX lazily on some versions: run once on a
     * tiny frame so a corrupt model fails here, not on the first video frame. */
    cv::Mat probe (64, 64, CV_8UC3, cv::Scalar::all (0));
    std::vector<FaFace> none;
    backend->detect (probe, none);
    return backend.release ();
  } catch (const std::exception &e) {
    /* OpenCV's own text goes to the debug log, not to the user. */
    g_debug ("loading YuNet model %s: %s", model_path, e.what ());
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "cannot load YuNet model %s: corrupt or not a YuNet 2022mar ONNX file "
        "(run scripts/fetch-models.sh)", model_path);
    return nullptr;
  }
}
