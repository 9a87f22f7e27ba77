/* facealert: alert snapshots (OpenCV shim). See fa-snapshot.h. */
#include "fa-snapshot.h"
#include "fa-image-cv.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

static gboolean
write_jpeg (const cv::Mat &mat, const gchar *path, GError **error)
{
  std::vector<uchar> jpeg;
  std::vector<int> params = { cv::IMWRITE_JPEG_QUALITY, 85 };
  if (!cv::imencode (".jpg", mat, jpeg, params)) {
    g_set_error (error, FA_ERROR, FA_ERROR_BAD_IMAGE, "cannot encode snapshot %s", path);
    return FALSE;
  }
  GError *local = NULL;
  if (!g_file_set_contents_full (path, (const gchar *) jpeg.data (), jpeg.size (),
          G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local)) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot write snapshot: %s",
        local->message);
    g_clear_error (&local);
    return FALSE;
  }
  return TRUE;
}

extern "C" gboolean
fa_snapshot_write (const FaImage *image, const FaRect *box,
    const gchar *frame_path, const gchar *crop_path, GError **error)
{
  try {
    cv::Mat bgr = fa::image_to_bgr (image);
    cv::Rect face ((int) box->x, (int) box->y, (int) box->width, (int) box->height);
    cv::Rect bounds (0, 0, bgr.cols, bgr.rows);
    if (crop_path != NULL) {
      int mx = face.width / 5, my = face.height / 5;
      cv::Rect crop = cv::Rect (face.x - mx, face.y - my, face.width + 2 * mx,
          face.height + 2 * my) & bounds;
      if (crop.area () > 0 && !write_jpeg (bgr (crop), crop_path, error))
        return FALSE;
    }
    if (frame_path != NULL) {
      int thickness = MAX (2, bgr.cols / 320);
      cv::rectangle (bgr, face & bounds, cv::Scalar (0, 0, 255), thickness);
      if (!write_jpeg (bgr, frame_path, error))
        return FALSE;
    }
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_BAD_IMAGE, "writing a snapshot", e);
    return FALSE;
  }
}
