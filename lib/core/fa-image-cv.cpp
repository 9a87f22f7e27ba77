#include "fa-image-cv.hpp"

#include <cmath>
#include <png.h>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

struct _FaPicture {
  cv::Mat bgr;
  FaImage view;
};

namespace fa {

static int
packed_cv_type (FaPixelFormat format)
{
  switch (format) {
    case FA_PIXEL_GRAY8: return CV_8UC1;
    case FA_PIXEL_RGB: case FA_PIXEL_BGR: return CV_8UC3;
    case FA_PIXEL_RGBX: case FA_PIXEL_BGRX:
    case FA_PIXEL_XRGB: case FA_PIXEL_XBGR: return CV_8UC4;
    default: return -1;
  }
}

cv::Mat
image_wrap_packed (const FaImage *image)
{
  int type = packed_cv_type (image->format);
  if (type < 0)
    return cv::Mat ();
  return cv::Mat (image->height, image->width, type,
      const_cast<guint8 *> (image->planes[0]), image->strides[0]);
}

static cv::Mat
packed_to_bgr (const FaImage *image)
{
  cv::Mat src = image_wrap_packed (image), bgr;
  switch (image->format) {
    case FA_PIXEL_GRAY8: cv::cvtColor (src, bgr, cv::COLOR_GRAY2BGR); break;
    case FA_PIXEL_RGB: cv::cvtColor (src, bgr, cv::COLOR_RGB2BGR); break;
    case FA_PIXEL_BGR: bgr = src.clone (); break;
    case FA_PIXEL_RGBX: cv::cvtColor (src, bgr, cv::COLOR_RGBA2BGR); break;
    case FA_PIXEL_BGRX: cv::cvtColor (src, bgr, cv::COLOR_BGRA2BGR); break;
    case FA_PIXEL_XRGB: {
      int from_to[] = {1, 2, 2, 1, 3, 0};   /* x R G B -> B G R */
      bgr.create (src.rows, src.cols, CV_8UC3);
      cv::mixChannels (&src, 1, &bgr, 1, from_to, 3);
      break;
    }
    case FA_PIXEL_XBGR: {
      int from_to[] = {1, 0, 2, 1, 3, 2};   /* x B G R -> B G R */
      bgr.create (src.rows, src.cols, CV_8UC3);
      cv::mixChannels (&src, 1, &bgr, 1, from_to, 3);
      break;
    }
    default: break;
  }
  return bgr;
}

/* Packs the planes of a 4:2:0 image into the contiguous layout cvtColor wants
 * (Y rows then chroma rows), honouring each plane's stride. */
static cv::Mat
yuv420_to_bgr (const FaImage *image)
{
  const int w = image->width, h = image->height;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  /* cvtColor's 4:2:0 paths need even sizes; drop a trailing odd row/column. */
  const int ew = w & ~1, eh = h & ~1;
  cv::Mat packed (eh + eh / 2, ew, CV_8UC1);
  for (int y = 0; y < eh; y++)
    memcpy (packed.ptr (y), image->planes[0] + (size_t) y * image->strides[0], ew);

  guint8 *chroma = packed.ptr (eh);
  if (image->format == FA_PIXEL_NV12 || image->format == FA_PIXEL_NV21) {
    for (int y = 0; y < eh / 2; y++)
      memcpy (chroma + (size_t) y * ew, image->planes[1] + (size_t) y * image->strides[1], ew);
  } else {
    /* I420/YV12: U plane rows then V plane rows, each ew/2 wide. */
    const int half = ew / 2;
    guint8 *dst = chroma;
    for (int p = 1; p <= 2; p++)
      for (int y = 0; y < eh / 2; y++, dst += half)
        memcpy (dst, image->planes[p] + (size_t) y * image->strides[p], half);
  }
  (void) cw; (void) ch;

  int code;
  switch (image->format) {
    case FA_PIXEL_I420: code = cv::COLOR_YUV2BGR_I420; break;
    case FA_PIXEL_YV12: code = cv::COLOR_YUV2BGR_YV12; break;
    case FA_PIXEL_NV12: code = cv::COLOR_YUV2BGR_NV12; break;
    default: code = cv::COLOR_YUV2BGR_NV21; break;
  }
  cv::Mat bgr;
  cv::cvtColor (packed, bgr, code);
  return bgr;
}

cv::Mat
image_to_bgr (const FaImage *image, double scale)
{
  cv::Mat bgr;
  if (packed_cv_type (image->format) >= 0) {
    if (scale < 1.0) {
      /* Resize first: converting fewer pixels is cheaper. */
      cv::Mat small;
      cv::resize (image_wrap_packed (image), small, cv::Size (), scale, scale, cv::INTER_AREA);
      FaImage view = *image;
      view.width = small.cols;
      view.height = small.rows;
      view.planes[0] = small.data;
      view.strides[0] = (int) small.step;
      return packed_to_bgr (&view);
    }
    return packed_to_bgr (image);
  }
  bgr = yuv420_to_bgr (image);
  if (scale < 1.0) {
    cv::Mat small;
    cv::resize (bgr, small, cv::Size (), scale, scale, cv::INTER_AREA);
    return small;
  }
  return bgr;
}

static int
bytes_per_pixel (FaPixelFormat format)
{
  switch (format) {
    case FA_PIXEL_GRAY8: return 1;
    case FA_PIXEL_RGB: case FA_PIXEL_BGR: return 3;
    case FA_PIXEL_RGBX: case FA_PIXEL_BGRX: case FA_PIXEL_XRGB: case FA_PIXEL_XBGR: return 4;
    default: return 0;   /* planar */
  }
}

FaImage
image_crop_view (const FaImage *image, int &x, int &y, int &w, int &h)
{
  FaImage view = *image;
  int bpp = bytes_per_pixel (image->format);
  if (bpp == 0) {
    int x1 = x + w, y1 = y + h;
    x &= ~1; y &= ~1;
    x1 = MIN ((x1 + 1) & ~1, image->width & ~1);
    y1 = MIN ((y1 + 1) & ~1, image->height & ~1);
    w = x1 - x; h = y1 - y;
    view.planes[0] = image->planes[0] + (size_t) y * image->strides[0] + x;
    if (image->format == FA_PIXEL_NV12 || image->format == FA_PIXEL_NV21) {
      view.planes[1] = image->planes[1] + (size_t) (y / 2) * image->strides[1] + x;
    } else {
      view.planes[1] = image->planes[1] + (size_t) (y / 2) * image->strides[1] + x / 2;
      view.planes[2] = image->planes[2] + (size_t) (y / 2) * image->strides[2] + x / 2;
    }
  } else {
    view.planes[0] = image->planes[0] + (size_t) y * image->strides[0] + (size_t) x * bpp;
  }
  view.width = w;
  view.height = h;
  return view;
}

void
image_view_of (const cv::Mat &mat, FaImage *view)
{
  view->format = mat.channels () == 1 ? FA_PIXEL_GRAY8 : FA_PIXEL_BGR;
  view->width = mat.cols;
  view->height = mat.rows;
  view->planes[0] = mat.data;
  view->planes[1] = view->planes[2] = nullptr;
  view->strides[0] = (int) mat.step;
  view->strides[1] = view->strides[2] = 0;
}

void
set_error_from_exception (GError **error, int code, const char *what_doing,
    const std::exception &e)
{
  g_log_structured ("facealert", G_LOG_LEVEL_DEBUG, "MESSAGE", "%s: %s", what_doing, e.what ());
  g_set_error (error, FA_ERROR, code, "%s (an internal error; G_MESSAGES_DEBUG=all "
      "shows the details)", what_doing);
}

void
quiet_opencv_logging ()
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    if (g_getenv ("OPENCV_LOG_LEVEL") == NULL)
      cv::utils::logging::setLogLevel (cv::utils::logging::LOG_LEVEL_FATAL);
    g_once_init_leave (&done, 1);
  }
}

}  // namespace fa

static FaPicture *
picture_from_mat (cv::Mat &&bgr)
{
  FaPicture *picture = new FaPicture ();
  picture->bgr = std::move (bgr);
  fa::image_view_of (picture->bgr, &picture->view);
  return picture;
}

extern "C" FaPicture *
fa_picture_load (const gchar *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "%s: no such file", path);
    return nullptr;
  }
  gchar *contents = nullptr;
  gsize size = 0;
  GError *read_error = nullptr;
  if (!g_file_get_contents (path, &contents, &size, &read_error)) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "%s: %s", path, read_error->message);
    g_error_free (read_error);
    return nullptr;
  }
  FaPicture *picture = fa_picture_decode ((const guint8 *) contents, size, error);
  g_free (contents);
  if (picture == nullptr)
    g_prefix_error (error, "%s: ", path);
  return picture;
}

/* PNGs through libpng's simplified API: OpenCV's decoder lets libpng print
 * its warnings ("libpng warning: iCCP: known incorrect sRGB profile") on
 * stderr, where a user would see library text; this API keeps them. An
 * empty Mat when it is not a PNG or does not decode. */
static cv::Mat
decode_png (const guint8 *data, gsize size)
{
  if (size < 8 || png_sig_cmp (data, 0, 8) != 0)
    return cv::Mat ();
  png_image image = {};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory (&image, data, size))
    return cv::Mat ();
  image.format = PNG_FORMAT_BGR;
  cv::Mat bgr ((int) image.height, (int) image.width, CV_8UC3);
  /* Transparent pixels over black, as OpenCV's IMREAD_COLOR does. */
  png_color black = {0, 0, 0};
  if (!png_image_finish_read (&image, &black, bgr.data, (png_int_32) bgr.step, nullptr)) {
    png_image_free (&image);
    return cv::Mat ();
  }
  if (image.warning_or_error != 0)
    g_debug ("%s", image.message);
  return bgr;
}

extern "C" FaPicture *
fa_picture_new_from_region (const FaImage *image, const FaRect *region, int max_side,
    GError **error)
{
  try {
    int x = CLAMP ((int) floorf (region->x), 0, image->width);
    int y = CLAMP ((int) floorf (region->y), 0, image->height);
    int w = CLAMP ((int) ceilf (region->x + region->width), 0, image->width) - x;
    int h = CLAMP ((int) ceilf (region->y + region->height), 0, image->height) - y;
    if (w < 2 || h < 2) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "the region lies outside the "
          "%dx%d image", image->width, image->height);
      return nullptr;
    }
    FaImage view = fa::image_crop_view (image, x, y, w, h);
    double scale = max_side > 0 && MAX (w, h) > max_side ? (double) max_side / MAX (w, h) : 1.0;
    return picture_from_mat (fa::image_to_bgr (&view, scale));
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "cannot copy the image region", e);
    return nullptr;
  }
}

extern "C" FaPicture *
fa_picture_decode (const guint8 *data, gsize size, GError **error)
{
  try {
    cv::Mat encoded (1, (int) size, CV_8UC1, const_cast<guint8 *> (data));
    cv::Mat bgr = decode_png (data, size);
    if (bgr.empty () && size > 0)
      bgr = cv::imdecode (encoded, cv::IMREAD_COLOR);
    if (bgr.empty ()) {
      g_set_error (error, FA_ERROR, FA_ERROR_BAD_IMAGE,
          "not a readable image (expected JPEG, PNG, BMP, WebP or TIFF)");
      return nullptr;
    }
    return picture_from_mat (std::move (bgr));
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_BAD_IMAGE, "cannot decode image", e);
    return nullptr;
  }
}

extern "C" const FaImage *
fa_picture_image (const FaPicture *picture)
{
  return &picture->view;
}

extern "C" void
fa_picture_free (FaPicture *picture)
{
  delete picture;
}

extern "C" GBytes *
fa_image_encode_jpeg (const FaImage *image, int quality, GError **error)
{
  try {
    cv::Mat bgr = image->format == FA_PIXEL_BGR ? fa::image_wrap_packed (image)
        : fa::image_to_bgr (image);
    std::vector<uchar> out;
    std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, CLAMP (quality, 1, 100)};
    if (!cv::imencode (".jpg", bgr, out, params)) {
      g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "JPEG encoding failed");
      return nullptr;
    }
    return g_bytes_new (out.data (), out.size ());
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_FAILED, "JPEG encoding failed", e);
    return nullptr;
  }
}
