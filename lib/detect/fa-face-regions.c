/* facealert: face search regions from person boxes (see fa-face-regions.h). */
#include "fa-face-regions.h"

#include <math.h>

#define MARGIN_SIDE 0.10f      /* of the box width, each side */
#define MARGIN_TOP 0.10f       /* of the box height, above */
#define TOP_MIN_WIDTHS 1.2f    /* a tall box's searched top: at least this many widths */
#define TOP_MIN_SHARE 0.40f    /* ... and at least this share of its height */

static FaRect
clip (FaRect r, int width, int height)
{
  float x0 = CLAMP (r.x, 0.f, (float) width), y0 = CLAMP (r.y, 0.f, (float) height);
  float x1 = CLAMP (r.x + r.width, 0.f, (float) width);
  float y1 = CLAMP (r.y + r.height, 0.f, (float) height);
  return (FaRect) {x0, y0, x1 - x0, y1 - y0};
}

static FaRect
union_of (const FaRect *a, const FaRect *b)
{
  float x0 = fminf (a->x, b->x), y0 = fminf (a->y, b->y);
  float x1 = fmaxf (a->x + a->width, b->x + b->width);
  float y1 = fmaxf (a->y + a->height, b->y + b->height);
  return (FaRect) {x0, y0, x1 - x0, y1 - y0};
}

static gboolean
intersect (const FaRect *a, const FaRect *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width
      && a->y < b->y + b->height && b->y < a->y + a->height;
}

guint
fa_face_search_regions (const FaRect *persons, guint n_persons, int width, int height,
    GArray *regions)
{
  guint from = regions->len;
  for (guint i = 0; i < n_persons; i++) {
    const FaRect *p = &persons[i];
    if (p->width <= 0 || p->height <= 0)
      continue;
    float h = fminf (p->height, fmaxf (TOP_MIN_WIDTHS * p->width, TOP_MIN_SHARE * p->height));
    FaRect r = {
      p->x - MARGIN_SIDE * p->width, p->y - MARGIN_TOP * p->height,
      p->width * (1 + 2 * MARGIN_SIDE), h + MARGIN_TOP * p->height,
    };
    r = clip (r, width, height);
    if (r.width >= 1 && r.height >= 1)
      g_array_append_val (regions, r);
  }

  /* Merge overlapping pairs while one rectangle is no bigger than the two. */
  gboolean merged = TRUE;
  while (merged) {
    merged = FALSE;
    for (guint i = from; i < regions->len && !merged; i++)
      for (guint k = i + 1; k < regions->len && !merged; k++) {
        FaRect *a = &g_array_index (regions, FaRect, i), *b = &g_array_index (regions, FaRect, k);
        if (!intersect (a, b))
          continue;
        FaRect u = union_of (a, b);
        if (u.width * u.height <= a->width * a->height + b->width * b->height) {
          *a = u;
          g_array_remove_index (regions, k);
          merged = TRUE;
        }
      }
  }
  return regions->len - from;
}
