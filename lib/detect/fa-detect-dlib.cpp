/* facealert: dlib backends. "hog": dlib's frontal face detector (HOG +
 * linear SVM, no model file). "mmod": dlib's CNN (loss_mmod) face detector,
 * mmod_human_face_detector.dat. Neither gives landmarks; the 5 points come
 * from dlib's 68-point shape predictor when one is configured.
 *
 * Scores: dlib returns a raw SVM/CNN margin whose own decision threshold is
 * 0; it is mapped to 0..1 with fa::score_from_margin (0 -> 0.5, 1 -> 0.88),
 * and a score threshold below 0.5 lowers dlib's threshold accordingly. */
#include "fa-detector-backend.hpp"
#include "fa-error.h"
#include "fa-detect-landmarks.hpp"

#include <dlib/dnn.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace {

/* The network of dlib's examples/dnn_mmod_face_detection_ex.cpp. */
template <long num_filters, typename SUBNET>
using con5d = dlib::con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET>
using con5 = dlib::con<num_filters, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET>
using downsampler = dlib::relu<dlib::affine<con5d<32, dlib::relu<dlib::affine<
    con5d<32, dlib::relu<dlib::affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET>
using rcon5 = dlib::relu<dlib::affine<con5<45, SUBNET>>>;
using mmod_net = dlib::loss_mmod<dlib::con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<
    downsampler<dlib::input_rgb_image_pyramid<dlib::pyramid_down<6>>>>>>>>;

/* Upsampling factor (1 or 2) so faces of @min_face pixels reach a detector
 * whose smallest face is @native pixels. */
double
upsample_for (int min_face, int native)
{
  return (min_face > 0 && min_face < native) ? 2.0 : 1.0;
}

class DlibBackend : public _FaDetectorBackend {
 public:
  DlibBackend (const char *landmark_path, const FaDetectorConfig *config)
  {
    if (landmark_path != nullptr)
      landmarks_ = std::make_unique<fa::Landmarks68> (landmark_path);
    configure (config);
  }

  void configure (const FaDetectorConfig *config) override
  {
    /* Only lower dlib's own threshold; the front end filters the rest. */
    adjust_ = std::min (0.0, fa::margin_from_score (config->score_threshold));
  }

 protected:
  /* @gray: the picture at detection scale (for clipping and landmarks). */
  void add_faces (const cv::Mat &gray, double up, const std::vector<dlib::rectangle> &boxes,
      const std::vector<double> &margins, std::vector<FaFace> &faces)
  {
    for (size_t i = 0; i < boxes.size (); i++) {
      const dlib::rectangle &r = boxes[i];
      FaFace face = {};
      face.box = {(float) (r.left () / up), (float) (r.top () / up),
          (float) (r.width () / up), (float) (r.height () / up)};
      face.score = fa::score_from_margin (margins[i]);
      /* Clip to the picture: dlib boxes may stick out by a few pixels. */
      cv::Rect2f clipped = cv::Rect2f (face.box.x, face.box.y, face.box.width, face.box.height)
          & cv::Rect2f (0, 0, (float) gray.cols, (float) gray.rows);
      if (clipped.empty ())
        continue;
      face.box = {clipped.x, clipped.y, clipped.width, clipped.height};
      if (landmarks_)
        landmarks_->fit (gray, &face);
      faces.push_back (face);
    }
  }

  double adjust_ = 0.0;
  std::unique_ptr<fa::Landmarks68> landmarks_;
};

class Hog final : public DlibBackend {
 public:
  Hog (const char *landmark_path, const FaDetectorConfig *config)
      : DlibBackend (landmark_path, config), detector_ (dlib::get_frontal_face_detector ())
  {
  }

  void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) override
  {
    cv::Mat gray, scan;
    cv::cvtColor (bgr, gray, cv::COLOR_BGR2GRAY);
    /* The HOG window finds faces of about 80 pixels and larger. */
    const double up = upsample_for (min_face, 80);
    if (up > 1.0)
      cv::resize (gray, scan, cv::Size (), up, up, cv::INTER_LINEAR);
    else
      scan = gray;
    std::vector<dlib::rect_detection> dets;
    detector_ (dlib::cv_image<unsigned char> (scan), dets, adjust_);
    std::vector<dlib::rectangle> boxes;
    std::vector<double> margins;
    for (const auto &d : dets) {
      boxes.push_back (d.rect);
      margins.push_back (d.detection_confidence);
    }
    add_faces (gray, up, boxes, margins, faces);
  }

 private:
  dlib::frontal_face_detector detector_;
};

class Mmod final : public DlibBackend {
 public:
  Mmod (const char *model_path, const char *landmark_path, const FaDetectorConfig *config)
      : DlibBackend (landmark_path, config)
  {
    try {
      dlib::deserialize (model_path) >> net_;
    } catch (const std::exception &e) {
      throw std::runtime_error (std::string ("cannot load MMOD model ") + model_path
          + " (corrupt or not dlib's mmod_human_face_detector.dat; run "
          "scripts/fetch-models.sh): " + e.what ());
    }
  }

  void detect (const cv::Mat &bgr, std::vector<FaFace> &faces) override
  {
    /* Measured on the annotated set: without upsampling the CNN finds the
     * 76-90 pixel faces and none of the 37-53 pixel ones (dlib's own example
     * upsamples too). */
    const double up = upsample_for (min_face, 80);
    cv::Mat scan, rgb;
    if (up > 1.0)
      cv::resize (bgr, scan, cv::Size (), up, up, cv::INTER_LINEAR);
    else
      scan = bgr;
    cv::cvtColor (scan, rgb, cv::COLOR_BGR2RGB);
    dlib::matrix<dlib::rgb_pixel> img;
    dlib::assign_image (img, dlib::cv_image<dlib::rgb_pixel> (rgb));
    std::vector<dlib::mmod_rect> dets = net_.process (img, adjust_);
    std::vector<dlib::rectangle> boxes;
    std::vector<double> margins;
    for (const auto &d : dets) {
      boxes.push_back (d.rect);
      margins.push_back (d.detection_confidence);
    }
    cv::Mat gray;
    cv::cvtColor (bgr, gray, cv::COLOR_BGR2GRAY);
    add_faces (gray, up, boxes, margins, faces);
  }

 private:
  mmod_net net_;
};

}  // namespace

extern "C" FaDetectorBackend *
fa_detector_backend_hog_new (const gchar *landmark_path, const FaDetectorConfig *config,
    GError **error)
{
  try {
    return new Hog (landmark_path, config);
  } catch (const std::exception &e) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "%s", e.what ());
    return nullptr;
  }
}

extern "C" FaDetectorBackend *
fa_detector_backend_mmod_new (const gchar *model_path, const gchar *landmark_path,
    const FaDetectorConfig *config, GError **error)
{
  try {
    return new Mmod (model_path, landmark_path, config);
  } catch (const std::exception &e) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "%s", e.what ());
    return nullptr;
  }
}
