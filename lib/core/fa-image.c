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
