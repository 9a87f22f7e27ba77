#include "fa-detector-backend.hpp"
#include "fa-image-cv.hpp"

extern "C" gboolean
fa_detector_backend_detect (FaDetectorBackend *backend, const FaImage *image,
    double scale, GArray *faces, GError **error)
{
  try {
    cv::Mat bgr = fa::image_to_bgr (image, scale);
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
