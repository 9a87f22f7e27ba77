#include "fa-image.h"

#include <math.h>

float
fa_rect_iou (const FaRect *a, const FaRect *b)
{
  float x0 = fmaxf (a->x, b->x);
  float y0 = fmaxf (a->y, b->y);
  float x1 = fminf (a->x + a->width, b->x + b->width);
  float y1 = fminf (a->y + a->height, b->y + b->height);
  float inter = fmaxf (0.f, x1 - x0) * fmaxf (0.f, y1 - y0);
  float uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

static gboolean
is_yuv420 (FaPixelFormat format)
{
  return format == FA_PIXEL_I420 || format == FA_PIXEL_YV12 || format == FA_PIXEL_NV12
      || format == FA_PIXEL_NV21;
}

static int
packed_pixel_size (FaPixelFormat format)
{
  switch (format) {
    case FA_PIXEL_GRAY8: return 1;
    case FA_PIXEL_RGB: case FA_PIXEL_BGR: return 3;
    default: return 4;
  }
}

gboolean
fa_image_crop_view (const FaImage *image, int *x, int *y, int width, int height, FaImage *view)
{
  int x0 = MAX (*x, 0), y0 = MAX (*y, 0);
  int x1 = MIN (*x + width, image->width), y1 = MIN (*y + height, image->height);
  if (is_yuv420 (image->format)) {
    x0 &= ~1;
    y0 &= ~1;
  }
  if (x1 - x0 < 2 || y1 - y0 < 2)
    return FALSE;
  *view = *image;
  view->width = x1 - x0;
  view->height = y1 - y0;
  if (is_yuv420 (image->format)) {
    view->planes[0] = image->planes[0] + (gsize) y0 * image->strides[0] + x0;
    /* NV12/NV21: interleaved chroma, 2 bytes per chroma pixel. */
    const int cbytes = (image->format == FA_PIXEL_NV12 || image->format == FA_PIXEL_NV21) ? 2 : 1;
    for (int p = 1; p < 3; p++)
      if (image->planes[p] != NULL)
        view->planes[p] = image->planes[p] + (gsize) (y0 / 2) * image->strides[p]
            + (gsize) (x0 / 2) * cbytes;
  } else {
    view->planes[0] = image->planes[0] + (gsize) y0 * image->strides[0]
        + (gsize) x0 * packed_pixel_size (image->format);
  }
  *x = x0;
  *y = y0;
  return TRUE;
}
