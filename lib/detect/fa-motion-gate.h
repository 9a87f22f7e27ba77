/* facealert: motion gating, so that a static scene costs next to nothing.
 *
 * Each frame is reduced to a small grey thumbnail (block means of the luma,
 * ~0.1 ms at 640x480) and compared with the thumbnail of the frame the last
 * detection ran on: when enough thumbnail pixels changed by more than a grey
 * level threshold, something moved and detection should run. Comparing with
 * the last detected frame, not the previous frame, also catches slow motion
 * that never changes much from one frame to the next. Every @period frames
 * detection runs anyway (a person standing still, lighting drift). Plain C. */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

#define FA_MOTION_THUMB_WIDTH 64

typedef struct {
  int pixel_threshold;    /* grey levels (0..255) a thumbnail pixel must change by */
  float min_changed;      /* fraction (0..1) of thumbnail pixels that must change */
  guint period;           /* run anyway after this many frames without (0: never) */
} FaMotionGateConfig;

/* Defaults: 12 grey levels, 0.2 % of the thumbnail (3 of 64x48 pixels, about
 * a 30x30 pixel patch of a 640x480 frame), period 30 frames. */
void fa_motion_gate_config_init (FaMotionGateConfig *config);

typedef enum {
  FA_MOTION_STILL,      /* nothing moved: carry the last results */
  FA_MOTION_FIRST,      /* first frame (or size change): run */
  FA_MOTION_MOVED,      /* something moved: run */
  FA_MOTION_PERIODIC,   /* @period frames without detection: run */
} FaMotionVerdict;

typedef struct _FaMotionGate FaMotionGate;

FaMotionGate *fa_motion_gate_new (const FaMotionGateConfig *config);
void fa_motion_gate_set_config (FaMotionGate *gate, const FaMotionGateConfig *config);

/* Judges @image. A verdict other than STILL makes @image the new reference
 * (the caller is expected to detect on it). */
FaMotionVerdict fa_motion_gate_check (FaMotionGate *gate, const FaImage *image);

/* Whether @image changed, against the reference, outside @boxes (in @image's
 * pixels, each grown by @margin of its size on every side) by as much as a
 * check calls motion: someone new where the last detection saw nobody. TRUE
 * without a reference. Changes neither the reference nor the period count. */
gboolean fa_motion_gate_moved_outside (FaMotionGate *gate, const FaImage *image,
    const FaRect *boxes, guint n_boxes, float margin);

/* Fraction (0..1) of thumbnail pixels that changed in the last check. */
float fa_motion_gate_last_changed (FaMotionGate *gate);

void fa_motion_gate_free (FaMotionGate *gate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaMotionGate, fa_motion_gate_free)

const gchar *fa_motion_verdict_name (FaMotionVerdict verdict);

/* Writes @image's grey thumbnail (FA_MOTION_THUMB_WIDTH wide, height kept in
 * proportion, at least 1) into @thumb (a GByteArray), returning its height.
 * Exposed for tests. */
int fa_motion_thumbnail (const FaImage *image, GByteArray *thumb);

G_END_DECLS
