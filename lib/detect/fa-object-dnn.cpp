/* facealert: YOLOX-nano and FastestDet through cv::dnn, with the manifest's
 * pre-processing (../shared/models/MANIFEST.md); decoding is plain C in
 * fa-object-detector.c. */
#define G_LOG_DOMAIN "facealert-detect"

#include "fa-object-backend.h"
#include "fa-dnn-shared.hpp"
#include "fa-image-cv.hpp"

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace {

constexpr int kFastestDetInput = 352;
constexpr int kFastestDetGrid = 22;
constexpr int kChannels = 5 + FA_COCO_N_CLASSES;           /* 85 */

/* @image resized to @size (a plain resize, aspect not kept) as BGR. Packed
 * formats are resized before the colour conversion, so only the small copy is
 * converted; 4:2:0 frames are converted first (their chroma is subsampled). */
cv::Mat
bgr_resized (const FaImage *image, cv::Size size, int interpolation)
{
  cv::Mat packed = fa::image_wrap_packed (image);
  if (!packed.empty ()) {
    cv::Mat small;
    cv::resize (packed, small, size, 0, 0, interpolation);
    FaImage view = *image;
    view.width = small.cols;
    view.height = small.rows;
    view.planes[0] = small.data;
    view.strides[0] = (int) small.step;
    return image->format == FA_PIXEL_BGR ? small : fa::image_to_bgr (&view);
  }
  cv::Mat bgr = fa::image_to_bgr (image), small;
  cv::resize (bgr, small, size, 0, 0, interpolation);
  return small;
}

}  // namespace

struct _FaObjectBackend {
  FaObjectMethod method;
  std::shared_ptr<fa::Shared<cv::dnn::Net>> net;

  /* Runs the network on @blob; returns a copy of its single output. */
  cv::Mat forward (const cv::Mat &blob)
  {
    return net->use ([&blob] (cv::dnn::Net &n) {
      n.setInput (blob);
      return n.forward ().clone ();
    });
  }

  void detect (const FaImage *image, int input, float threshold, const gboolean *wanted,
      GArray *objects)
  {
    if (method == FA_OBJECT_YOLOX) {
      /* The manifest's letterbox: resize by r = min (S/h, S/w) (INTER_LINEAR),
       * paste top-left on a canvas of 114, BGR 0..255; S = 416. The canvas is
       * S on the long side and the short side rounded up to a multiple of 32
       * (the network's largest stride) rather than S: the network is fully
       * convolutional, the boxes are the same, the padding is not computed. */
      const float r = std::min ((float) input / image->height, (float) input / image->width);
      cv::Size scaled (std::max (1, (int) (image->width * r)), std::max (1, (int) (image->height * r)));
      cv::Size canvas_size ((scaled.width + 31) / 32 * 32, (scaled.height + 31) / 32 * 32);
      cv::Mat canvas (canvas_size, CV_8UC3, cv::Scalar::all (114));
      bgr_resized (image, scaled, cv::INTER_LINEAR).copyTo (canvas (cv::Rect (cv::Point (), scaled)));
      cv::Mat out = forward (cv::dnn::blobFromImage (canvas, 1.0, cv::Size (), cv::Scalar (), false, false));
      size_t rows = 0;
      for (int stride : {8, 16, 32})
        rows += (size_t) (canvas_size.width / stride) * (canvas_size.height / stride);
      check_output (out, rows * kChannels);
      fa_yolox_decode (out.ptr<float> (), canvas_size.width, canvas_size.height, r, threshold,
          wanted, objects);
    } else {
      /* Plain resize to 352x352 (INTER_AREA), BGR, x / 255. */
      cv::Mat input = bgr_resized (image, cv::Size (kFastestDetInput, kFastestDetInput), cv::INTER_AREA);
      cv::Mat out = forward (cv::dnn::blobFromImage (input, 1.0 / 255, cv::Size (), cv::Scalar (),
              false, false));
      check_output (out, kChannels * kFastestDetGrid * kFastestDetGrid);
      fa_fastestdet_decode (out.ptr<float> (), kFastestDetGrid, image->width, image->height,
          threshold, wanted, objects);
    }
  }

  void check_output (const cv::Mat &out, size_t expected)
  {
    if (out.type () != CV_32F || out.total () != expected)
      throw std::runtime_error (cv::format ("unexpected network output (%zu values, %zu expected)",
              (size_t) out.total (), expected));
  }
};

extern "C" FaObjectBackend *
fa_object_backend_new (FaObjectMethod method, const gchar *model_path, GError **error)
{
  auto *backend = new _FaObjectBackend ();
  backend->method = method;
  try {
    std::string path (model_path);
    backend->net = fa::shared_object<cv::dnn::Net> (
        std::string (fa_object_method_name (method)) + ":" + path, [path] () {
          cv::dnn::Net net = cv::dnn::readNetFromONNX (path);
          if (net.empty ())
            throw std::runtime_error ("empty network");
          net.setPreferableBackend (cv::dnn::DNN_BACKEND_OPENCV);
          net.setPreferableTarget (cv::dnn::DNN_TARGET_CPU);
          return net;
        });
    /* A file that parses but is not this method's network fails here, on a
     * probe frame, rather than on the first video frame. */
    cv::Mat grey (64, 64, CV_8UC3, cv::Scalar::all (0));
    FaImage probe;
    fa::image_view_of (grey, &probe);
    g_autoptr (GArray) none = g_array_new (FALSE, FALSE, sizeof (FaObject));
    backend->detect (&probe, FA_OBJECT_YOLOX_INPUT, 1.f, nullptr, none);
    return backend;
  } catch (const std::exception &e) {
    delete backend;
    /* OpenCV's text stays in the debug log: the user gets what to do. */
    g_debug ("loading %s: %s", model_path, e.what ());
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "cannot load %s model %s: corrupt or not a %s COCO ONNX file "
        "(run scripts/fetch-models.sh)", fa_object_method_name (method), model_path,
        method == FA_OBJECT_YOLOX ? "YOLOX-nano 416x416" : "FastestDet 352x352");
    return nullptr;
  }
}

extern "C" gboolean
fa_object_backend_detect (FaObjectBackend *backend, const FaImage *image, int input_size,
    float score_threshold, const gboolean *wanted, GArray *objects, GError **error)
{
  try {
    backend->detect (image, input_size, score_threshold, wanted, objects);
    return TRUE;
  } catch (const std::exception &e) {
    g_debug ("object detection: %s", e.what ());
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "object detection failed on a %dx%d frame",
        image->width, image->height);
    return FALSE;
  }
}

extern "C" void
fa_object_backend_free (FaObjectBackend *backend)
{
  delete backend;
}
