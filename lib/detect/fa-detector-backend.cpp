#include "fa-detector-backend.hpp"
#include "fa-image-cv.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fa {

float
score_from_margin (double margin)
{
  return (float) (1.0 / (1.0 + std::exp (-2.0 * margin)));
}

double
margin_from_score (float score)
{
  double s = std::min (std::max ((double) score, 1e-4), 1.0 - 1e-4);
  return 0.5 * std::log (s / (1.0 - s));
}

}  // namespace fa

extern "C" gboolean
fa_detector_backend_detect (FaDetectorBackend *backend, const FaImage *image,
    double scale, int min_face, GArray *faces, GError **error)
{
  try {
    cv::Mat bgr = fa::image_to_bgr (image, scale);
    backend->min_face = min_face;
    std::vector<FaFace> found;
    backend->detect (bgr, found);
    if (!found.empty ())
      g_array_append_vals (faces, found.data (), (guint) found.size ());
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "face detection failed", e);
    return FALSE;
  }
}

extern "C" gboolean
fa_detector_backend_detect_padded (FaDetectorBackend *backend, const FaImage *image,
    double pad, int canvas_side, int min_face, GArray *faces, GError **error)
{
  try {
    cv::Mat bgr = fa::image_to_bgr (image), canvas;
    const int border = (int) std::lround (pad * std::max (bgr.cols, bgr.rows));
    /* Grey, not replicated edges: replicated stripes look like faces. */
    cv::copyMakeBorder (bgr, canvas, border, border, border, border, cv::BORDER_CONSTANT,
        cv::Scalar::all (127));
    const double scale = (double) canvas_side / std::max (canvas.cols, canvas.rows);
    if (scale != 1.0)
      cv::resize (canvas, canvas, cv::Size (), scale, scale,
          scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
    backend->min_face = min_face;
    std::vector<FaFace> found;
    backend->detect (canvas, found);
    for (FaFace &f : found) {
      f.box = {(float) (f.box.x / scale - border), (float) (f.box.y / scale - border),
        (float) (f.box.width / scale), (float) (f.box.height / scale)};
      for (auto &point : f.landmarks) {
        point[0] = (float) (point[0] / scale - border);
        point[1] = (float) (point[1] / scale - border);
      }
    }
    if (!found.empty ())
      g_array_append_vals (faces, found.data (), (guint) found.size ());
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "face detection failed", e);
    return FALSE;
  }
}

extern "C" void
fa_detector_backend_free (FaDetectorBackend *backend)
{
  delete backend;
}

extern "C" void
fa_detector_backend_configure (FaDetectorBackend *backend, const FaDetectorConfig *config)
{
  try {
    backend->configure (config);
  } catch (const std::exception &e) {
    g_warning ("cannot apply detector thresholds: %s", e.what ());
  }
}

extern "C" void
fa_detect_set_threads (int n_threads)
{
  try {
    cv::setNumThreads (n_threads);
  } catch (const std::exception &e) {
    g_warning ("cannot set OpenCV threads: %s", e.what ());
  }
}

extern "C" int
fa_detect_get_threads (void)
{
  return cv::getNumThreads ();
}
