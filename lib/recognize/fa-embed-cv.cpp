/* facealert: OpenCV side of alignment, quality and the MobileFaceNet
 * embedder. Every extern "C" body catches exceptions into a GError. */
#include "fa-dnn-shared.hpp"
#include "fa-align.h"
#include "fa-embed-backend.h"
#include "fa-error.h"
#include "fa-image-cv.hpp"

#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace {

/* Aligned BGR face, 112x112. Throws on failure. */
cv::Mat
align_bgr (const FaImage *image, const FaFace *face)
{
  FaFace f = *face;
  if (!f.has_landmarks)
    fa_face_estimate_landmarks (&f);
  double m[6];
  if (!fa_align_similarity (f.landmarks, fa_align_reference, FA_FACE_N_LANDMARKS, m))
    throw std::runtime_error ("degenerate landmarks");

  /* Where the 112x112 output square comes from in the image. */
  double det = m[0] * m[4] - m[1] * m[3];
  if (std::fabs (det) < 1e-12)
    throw std::runtime_error ("degenerate alignment transform");
  double inv[6] = {m[4] / det, -m[1] / det, 0, -m[3] / det, m[0] / det, 0};
  inv[2] = -(inv[0] * m[2] + inv[1] * m[5]);
  inv[5] = -(inv[3] * m[2] + inv[4] * m[5]);
  double min_x = 1e30, min_y = 1e30, max_x = -1e30, max_y = -1e30;
  const double corners[4][2] = {{0, 0}, {FA_ALIGN_SIZE, 0}, {0, FA_ALIGN_SIZE},
    {FA_ALIGN_SIZE, FA_ALIGN_SIZE}};
  for (const auto &c : corners) {
    double ix = inv[0] * c[0] + inv[1] * c[1] + inv[2];
    double iy = inv[3] * c[0] + inv[4] * c[1] + inv[5];
    min_x = MIN (min_x, ix); max_x = MAX (max_x, ix);
    min_y = MIN (min_y, iy); max_y = MAX (max_y, iy);
  }
  int x0 = CLAMP ((int) std::floor (min_x) - 2, 0, image->width);
  int y0 = CLAMP ((int) std::floor (min_y) - 2, 0, image->height);
  int x1 = CLAMP ((int) std::ceil (max_x) + 2, 0, image->width);
  int y1 = CLAMP ((int) std::ceil (max_y) + 2, 0, image->height);
  int w = x1 - x0, h = y1 - y0;
  if (w < 2 || h < 2)
    throw std::runtime_error ("face lies outside the image");

  FaImage crop = fa::image_crop_view (image, x0, y0, w, h);
  cv::Mat bgr = fa::image_to_bgr (&crop);
  cv::Mat M = (cv::Mat_<double> (2, 3) <<
      m[0], m[1], m[2] + m[0] * x0 + m[1] * y0,
      m[3], m[4], m[5] + m[3] * x0 + m[4] * y0);
  cv::Mat aligned;
  cv::warpAffine (bgr, aligned, M, cv::Size (FA_ALIGN_SIZE, FA_ALIGN_SIZE),
      cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all (0));
  return aligned;
}

}  // namespace

extern "C" gboolean
fa_align_face (const FaImage *image, const FaFace *face, guint8 *out_rgb, GError **error)
{
  try {
    cv::Mat aligned = align_bgr (image, face);
    cv::Mat out (FA_ALIGN_SIZE, FA_ALIGN_SIZE, CV_8UC3, out_rgb, 3 * FA_ALIGN_SIZE);
    cv::cvtColor (aligned, out, cv::COLOR_BGR2RGB);
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "cannot align face", e);
    return FALSE;
  }
}

extern "C" gboolean
fa_face_quality (const FaImage *image, const FaFace *face, FaFaceQuality *quality,
    GError **error)
{
  try {
    FaFace f = *face;
    if (!f.has_landmarks)
      fa_face_estimate_landmarks (&f);
    fa_face_pose (&f, &quality->roll, &quality->yaw, &quality->pitch);
    quality->yaw = fa_face_quality_yaw (&f);
    cv::Mat aligned = align_bgr (image, &f), gray, lap;
    cv::cvtColor (aligned, gray, cv::COLOR_BGR2GRAY);
    /* Only the inner face: the corners hold background or black padding. */
    cv::Mat inner = gray (cv::Rect (24, 32, 64, 72));
    quality->brightness = (float) (cv::mean (inner)[0] * 100.0 / 255.0);
    cv::Laplacian (inner, lap, CV_64F);
    cv::Scalar mean, stddev;
    cv::meanStdDev (lap, mean, stddev);
    double variance = stddev[0] * stddev[0];
    quality->sharpness = (float) (100.0 * (1.0 - std::exp (-variance / 100.0)));
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "cannot measure face quality", e);
    return FALSE;
  }
}

/* MobileFaceNet copies per process, shared by every facematch and the CLI
 * (fa-dnn-shared.hpp). */
struct _FaEmbedBackend {
  std::shared_ptr<fa::Shared<cv::dnn::Net>> net;
};

static void
run_net (FaEmbedBackend *backend, const guint8 *rgb, cv::Mat &out)
{
  static const float mean[3] = {0.485f, 0.456f, 0.406f};
  static const float stdv[3] = {0.229f, 0.224f, 0.225f};
  const int size[4] = {1, 3, FA_ALIGN_SIZE, FA_ALIGN_SIZE};
  cv::Mat blob (4, size, CV_32F);
  float *dst = blob.ptr<float> ();
  const int plane = FA_ALIGN_SIZE * FA_ALIGN_SIZE;
  for (int i = 0; i < plane; i++)
    for (int c = 0; c < 3; c++)
      dst[c * plane + i] = (rgb[3 * i + c] / 255.0f - mean[c]) / stdv[c];
  backend->net->use ([&] (cv::dnn::Net &n) {
    n.setInput (blob);
    out = n.forward ().reshape (1, 1).clone ();
  });
}

extern "C" FaEmbedBackend *
fa_embed_backend_mobilefacenet_new (const gchar *model_path, GError **error)
{
  FaEmbedBackend *backend = nullptr;
  try {
    fa::quiet_opencv_logging ();
    backend = new FaEmbedBackend ();
    std::string path (model_path);
    backend->net = fa::shared_object<cv::dnn::Net> ("mobilefacenet:" + path, [path] () {
      cv::dnn::Net net = cv::dnn::readNetFromONNX (path);
      if (net.empty ())
        throw std::runtime_error ("empty network");
      return net;
    });
    /* Run once so a file that parses but does not fit fails here. */
    std::vector<guint8> grey (3 * FA_ALIGN_SIZE * FA_ALIGN_SIZE, 128);
    cv::Mat out;
    run_net (backend, grey.data (), out);
    if (out.total () != 128)
      throw std::runtime_error ("output is not a 128-d embedding");
    return backend;
  } catch (const std::exception &e) {
    delete backend;
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "cannot load MobileFaceNet model %s: corrupt or not the opset-10 ONNX export "
        "(run scripts/fetch-models.sh)", model_path);
    g_debug ("MobileFaceNet: %s", e.what ());
    return nullptr;
  }
}

extern "C" int
fa_embed_backend_run (FaEmbedBackend *backend, const guint8 *aligned_rgb, float *out,
    float *out_mirror, int max_dim, GError **error)
{
  try {
    cv::Mat result;
    run_net (backend, aligned_rgb, result);
    int n = result.cols;
    if (n > max_dim)
      throw std::runtime_error ("embedding too long");
    std::copy (result.ptr<float> (0), result.ptr<float> (0) + n, out);
    if (out_mirror != nullptr) {
      /* Two passes of one: OpenCV 4.6 is no faster on a batch of two. */
      std::vector<guint8> mirrored (3 * FA_ALIGN_SIZE * FA_ALIGN_SIZE);
      for (int y = 0; y < FA_ALIGN_SIZE; y++)
        for (int x = 0; x < FA_ALIGN_SIZE; x++)
          std::copy_n (aligned_rgb + 3 * (y * FA_ALIGN_SIZE + FA_ALIGN_SIZE - 1 - x), 3,
              mirrored.data () + 3 * (y * FA_ALIGN_SIZE + x));
      run_net (backend, mirrored.data (), result);
      std::copy (result.ptr<float> (0), result.ptr<float> (0) + n, out_mirror);
    }
    return n;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "face embedding failed", e);
    return -1;
  }
}

extern "C" void
fa_embed_backend_free (FaEmbedBackend *backend)
{
  delete backend;
}
