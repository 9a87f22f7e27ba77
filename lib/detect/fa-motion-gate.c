/* facealert: motion gate (see fa-motion-gate.h). */
#include "fa-motion-gate.h"

#include <stdlib.h>
#include <string.h>

struct _FaMotionGate {
  FaMotionGateConfig config;
  GByteArray *reference;    /* thumbnail of the last frame detection ran on */
  GByteArray *current;
  int ref_width, ref_height;
  guint since_run;          /* frames since the last non-STILL verdict */
  float last_changed;
};

void
fa_motion_gate_config_init (FaMotionGateConfig *config)
{
  config->pixel_threshold = 12;
  config->min_changed = 0.002f;
  config->period = 30;
}

FaMotionGate *
fa_motion_gate_new (const FaMotionGateConfig *config)
{
  FaMotionGate *gate = g_new0 (FaMotionGate, 1);
  gate->config = *config;
  gate->reference = g_byte_array_new ();
  gate->current = g_byte_array_new ();
  return gate;
}

void
fa_motion_gate_set_config (FaMotionGate *gate, const FaMotionGateConfig *config)
{
  gate->config = *config;
}

void
fa_motion_gate_free (FaMotionGate *gate)
{
  if (gate == NULL)
    return;
  g_byte_array_unref (gate->reference);
  g_byte_array_unref (gate->current);
  g_free (gate);
}

const gchar *
fa_motion_verdict_name (FaMotionVerdict verdict)
{
  switch (verdict) {
    case FA_MOTION_STILL: return "still";
    case FA_MOTION_FIRST: return "first";
    case FA_MOTION_MOVED: return "moved";
    case FA_MOTION_PERIODIC: return "periodic";
    default: return "unknown";
  }
}

/* Byte offsets of R, G, B and the pixel size of a packed format; FALSE for
 * formats whose plane 0 is luma already. */
static gboolean
packed_layout (FaPixelFormat format, int *r, int *g, int *b, int *size)
{
  switch (format) {
    case FA_PIXEL_RGB: *r = 0; *g = 1; *b = 2; *size = 3; return TRUE;
    case FA_PIXEL_BGR: *r = 2; *g = 1; *b = 0; *size = 3; return TRUE;
    case FA_PIXEL_RGBX: *r = 0; *g = 1; *b = 2; *size = 4; return TRUE;
    case FA_PIXEL_BGRX: *r = 2; *g = 1; *b = 0; *size = 4; return TRUE;
    case FA_PIXEL_XRGB: *r = 1; *g = 2; *b = 3; *size = 4; return TRUE;
    case FA_PIXEL_XBGR: *r = 3; *g = 2; *b = 1; *size = 4; return TRUE;
    default: return FALSE;
  }
}

int
fa_motion_thumbnail (const FaImage *image, GByteArray *thumb)
{
  const int tw = FA_MOTION_THUMB_WIDTH;
  const int th = MAX (1, (image->height * tw + image->width / 2) / MAX (image->width, 1));
  g_byte_array_set_size (thumb, (guint) (tw * th));
  int ro = 0, go = 0, bo = 0, size = 1;
  const gboolean packed = packed_layout (image->format, &ro, &go, &bo, &size);

  for (int ty = 0; ty < th; ty++) {
    const int y0 = ty * image->height / th, y1 = MAX (y0 + 1, (ty + 1) * image->height / th);
    for (int tx = 0; tx < tw; tx++) {
      const int x0 = tx * image->width / tw, x1 = MAX (x0 + 1, (tx + 1) * image->width / tw);
      /* Every other row and column of the block: noise averages out as well,
       * at a quarter of the reads. */
      guint sum = 0, n = 0;
      for (int y = y0; y < y1 && y < image->height; y += 2) {
        const guint8 *row = image->planes[0] + (gsize) y * image->strides[0];
        for (int x = x0; x < x1 && x < image->width; x += 2, n++) {
          if (packed) {
            const guint8 *p = row + (gsize) x * size;
            sum += (77u * p[ro] + 150u * p[go] + 29u * p[bo]) >> 8;
          } else {
            sum += row[x];
          }
        }
      }
      thumb->data[ty * tw + tx] = (guint8) (n ? sum / n : 0);
    }
  }
  return th;
}

static gboolean
inside_any (const FaRect *boxes, guint n_boxes, float margin, float x, float y)
{
  for (guint i = 0; i < n_boxes; i++) {
    const FaRect *b = &boxes[i];
    float mx = margin * b->width, my = margin * b->height;
    if (x >= b->x - mx && x < b->x + b->width + mx
        && y >= b->y - my && y < b->y + b->height + my)
      return TRUE;
  }
  return FALSE;
}

/* Thumbnail pixels of the current frame (@th rows) that changed against the
 * reference by more than the threshold, those inside @boxes (in @image's
 * pixels, grown by @margin) left out. */
static guint
count_changed (FaMotionGate *gate, const FaImage *image, int th, const FaRect *boxes,
    guint n_boxes, float margin)
{
  const int tw = FA_MOTION_THUMB_WIDTH;
  guint changed = 0;
  for (int ty = 0; ty < th; ty++)
    for (int tx = 0; tx < tw; tx++) {
      const int i = ty * tw + tx;
      if (abs ((int) gate->current->data[i] - (int) gate->reference->data[i])
          <= gate->config.pixel_threshold)
        continue;
      /* The thumbnail pixel's centre, in image pixels. */
      if (n_boxes > 0 && inside_any (boxes, n_boxes, margin,
              (tx + 0.5f) * image->width / tw, (ty + 0.5f) * image->height / th))
        continue;
      changed++;
    }
  return changed;
}

/* At least one pixel, so min-changed 0 still ignores a frozen frame. */
static gboolean
is_motion (FaMotionGate *gate, guint changed)
{
  return changed > 0
      && (float) changed / gate->current->len >= gate->config.min_changed;
}

FaMotionVerdict
fa_motion_gate_check (FaMotionGate *gate, const FaImage *image)
{
  const int th = fa_motion_thumbnail (image, gate->current);
  FaMotionVerdict verdict;

  if (gate->reference->len == 0 || th != gate->ref_height) {
    verdict = FA_MOTION_FIRST;
    gate->last_changed = 1.f;
  } else {
    guint changed = count_changed (gate, image, th, NULL, 0, 0.f);
    gate->last_changed = (float) changed / gate->current->len;
    if (is_motion (gate, changed))
      verdict = FA_MOTION_MOVED;
    else if (gate->config.period > 0 && gate->since_run + 1 >= gate->config.period)
      verdict = FA_MOTION_PERIODIC;
    else
      verdict = FA_MOTION_STILL;
  }

  if (verdict == FA_MOTION_STILL) {
    gate->since_run++;
  } else {
    GByteArray *t = gate->reference;
    gate->reference = gate->current;
    gate->current = t;
    gate->ref_width = FA_MOTION_THUMB_WIDTH;
    gate->ref_height = th;
    gate->since_run = 0;
  }
  return verdict;
}

gboolean
fa_motion_gate_moved_outside (FaMotionGate *gate, const FaImage *image,
    const FaRect *boxes, guint n_boxes, float margin)
{
  const int th = fa_motion_thumbnail (image, gate->current);
  if (gate->reference->len == 0 || th != gate->ref_height)
    return TRUE;
  return is_motion (gate, count_changed (gate, image, th, boxes, n_boxes, margin));
}

float
fa_motion_gate_last_changed (FaMotionGate *gate)
{
  return gate->last_changed;
}
