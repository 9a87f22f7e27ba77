/* facealert: box and landmark drawing on any FaImage (plain C, in place). */
#include "fa-draw.h"

#include <math.h>

typedef struct {
  guint8 r, g, b;
  guint8 y, u, v;
} Colour;

static Colour
colour_new (guint8 r, guint8 g, guint8 b)
{
  /* BT.601 limited range, as GStreamer's default for SD/HD raw video. */
  Colour c = {r, g, b, 0, 0, 0};
  c.y = (guint8) CLAMP (16 + (66 * r + 129 * g + 25 * b + 128) / 256, 0, 255);
  c.u = (guint8) CLAMP (128 + (-38 * r - 74 * g + 112 * b + 128) / 256, 0, 255);
  c.v = (guint8) CLAMP (128 + (112 * r - 94 * g - 18 * b + 128) / 256, 0, 255);
  return c;
}

static inline guint8 *
at (const FaImage *image, int plane, int x, int y, int pixel_size)
{
  return (guint8 *) image->planes[plane] + (gsize) y * image->strides[plane] + x * pixel_size;
}

static void
put_pixel (const FaImage *image, int x, int y, const Colour *c)
{
  if (x < 0 || y < 0 || x >= image->width || y >= image->height)
    return;
  guint8 *p;
  switch (image->format) {
    case FA_PIXEL_GRAY8:
      *at (image, 0, x, y, 1) = c->y;
      break;
    case FA_PIXEL_RGB:
      p = at (image, 0, x, y, 3);
      p[0] = c->r; p[1] = c->g; p[2] = c->b;
      break;
    case FA_PIXEL_BGR:
      p = at (image, 0, x, y, 3);
      p[0] = c->b; p[1] = c->g; p[2] = c->r;
      break;
    case FA_PIXEL_RGBX:
      p = at (image, 0, x, y, 4);
      p[0] = c->r; p[1] = c->g; p[2] = c->b;
      break;
    case FA_PIXEL_BGRX:
      p = at (image, 0, x, y, 4);
      p[0] = c->b; p[1] = c->g; p[2] = c->r;
      break;
    case FA_PIXEL_XRGB:
      p = at (image, 0, x, y, 4);
      p[1] = c->r; p[2] = c->g; p[3] = c->b;
      break;
    case FA_PIXEL_XBGR:
      p = at (image, 0, x, y, 4);
      p[1] = c->b; p[2] = c->g; p[3] = c->r;
      break;
    case FA_PIXEL_I420:
    case FA_PIXEL_YV12: {
      *at (image, 0, x, y, 1) = c->y;
      int u_plane = image->format == FA_PIXEL_I420 ? 1 : 2;
      *at (image, u_plane, x / 2, y / 2, 1) = c->u;
      *at (image, 3 - u_plane, x / 2, y / 2, 1) = c->v;
      break;
    }
    case FA_PIXEL_NV12:
    case FA_PIXEL_NV21: {
      *at (image, 0, x, y, 1) = c->y;
      p = at (image, 1, x / 2, y / 2, 2);
      p[0] = image->format == FA_PIXEL_NV12 ? c->u : c->v;
      p[1] = image->format == FA_PIXEL_NV12 ? c->v : c->u;
      break;
    }
  }
}

static void
draw_hline (const FaImage *image, int x0, int x1, int y, const Colour *c)
{
  for (int x = x0; x <= x1; x++)
    put_pixel (image, x, y, c);
}

static void
draw_vline (const FaImage *image, int x, int y0, int y1, const Colour *c)
{
  for (int y = y0; y <= y1; y++)
    put_pixel (image, x, y, c);
}

static void
draw_box (const FaImage *image, const FaRect *r, const Colour *c)
{
  int x0 = (int) lrintf (r->x), y0 = (int) lrintf (r->y);
  int x1 = (int) lrintf (r->x + r->width) - 1;
  int y1 = (int) lrintf (r->y + r->height) - 1;
  for (int t = 0; t < 2; t++) {
    draw_hline (image, x0, x1, y0 + t, c);
    draw_hline (image, x0, x1, y1 - t, c);
    draw_vline (image, x0 + t, y0, y1, c);
    draw_vline (image, x1 - t, y0, y1, c);
  }
}

void
fa_draw_boxes (const FaImage *image, const FaRect *boxes, guint n_boxes,
    guint8 r, guint8 g, guint8 b)
{
  const Colour c = colour_new (r, g, b);
  for (guint i = 0; i < n_boxes; i++)
    draw_box (image, &boxes[i], &c);
}

void
fa_draw_faces (const FaImage *image, const FaFace *faces, guint n_faces)
{
  const Colour box = colour_new (0, 255, 0);
  const Colour mark = colour_new (255, 0, 0);
  for (guint i = 0; i < n_faces; i++) {
    const FaFace *f = &faces[i];
    draw_box (image, &f->box, &box);
    if (!f->has_landmarks)
      continue;
    const int arm = MAX (2, (int) (f->box.width / 30));
    for (int k = 0; k < FA_FACE_N_LANDMARKS; k++) {
      int lx = (int) lrintf (f->landmarks[k][0]), ly = (int) lrintf (f->landmarks[k][1]);
      draw_hline (image, lx - arm, lx + arm, ly, &mark);
      draw_vline (image, lx, ly - arm, ly + arm, &mark);
    }
  }
}
