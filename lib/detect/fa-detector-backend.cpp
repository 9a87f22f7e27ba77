#include "fa-detector-backend.hpp"
#include "fa-image-cv.hpp"

#include <cmath>

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
