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
fa_snapshot_write_boxes (const FaImage *image, const FaRect *boxes,
    const gchar *const *crop_paths, guint n_boxes, const gchar *frame_path,
    GError **error)
{
  try {
    cv::Mat bgr = fa::image_to_bgr (image);
    cv::Rect bounds (0, 0, bgr.cols, bgr.rows);
    std::vector<cv::Rect> rects;
    for (guint i = 0; i < n_boxes; i++)
      rects.emplace_back ((int) boxes[i].x, (int) boxes[i].y, (int) boxes[i].width,
          (int) boxes[i].height);
    for (guint i = 0; i < n_boxes; i++) {
      if (crop_paths == NULL || crop_paths[i] == NULL)
        continue;
      const cv::Rect &r = rects[i];
      int mx = r.width / 5, my = r.height / 5;
      cv::Rect crop = cv::Rect (r.x - mx, r.y - my, r.width + 2 * mx,
          r.height + 2 * my) & bounds;
      if (crop.area () > 0 && !write_jpeg (bgr (crop), crop_paths[i], error))
        return FALSE;
    }
    if (frame_path != NULL) {
      int thickness = MAX (2, bgr.cols / 320);
      for (const cv::Rect &r : rects)
        cv::rectangle (bgr, r & bounds, cv::Scalar (0, 0, 255), thickness);
      if (!write_jpeg (bgr, frame_path, error))
        return FALSE;
    }
    return TRUE;
  } catch (const std::exception &e) {
    fa::set_error_from_exception (error, FA_ERROR_BAD_IMAGE, "writing a snapshot", e);
    return FALSE;
  }
}

extern "C" gboolean
fa_snapshot_write (const FaImage *image, const FaRect *box,
    const gchar *frame_path, const gchar *crop_path, GError **error)
{
  const gchar *crops[] = { crop_path };
  return fa_snapshot_write_boxes (image, box, crops, 1, frame_path, error);
}
