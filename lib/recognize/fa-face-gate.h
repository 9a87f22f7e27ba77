/* facealert: is a detected face good enough to judge who it is?
 *
 * facematch only embeds (and so only decides on) faces that pass this gate:
 * a confident detection, big enough, wholly inside the frame, and roughly
 * frontal by its landmarks. Everything here comes from the detection (box,
 * score, landmarks): no pixels are touched, so the check costs nothing.
 *
 * Why (measured, docs/facematch.md "Which faces count"): YuNet's false
 * "faces" on the household cat score 0.71-0.81 at detect-width 640 and their
 * landmarks jump from frame to frame (yaw estimates of -90..-30 degrees on
 * half of them); real faces walking into the simulated cameras score
 * 0.88-1.00 once wholly in view, and a face cut by the frame's edge while
 * walking in gives a poor embedding (similarity 20.7 instead of about 60 for
 * the same household member). */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

typedef struct {
  float min_score;      /* detector score, 0..1 */
  float min_size;       /* smaller side of the box, pixels */
  float max_pose;       /* |yaw|, |roll| and |pitch| from the landmarks, degrees */
  float edge_margin;    /* pixels: a box closer than this to the frame's edge is cut */
} FaFaceGate;

/* Why a face failed the gate (a bit set; 0 = good). */
typedef enum {
  FA_FACE_GATE_LOW_SCORE = 1 << 0,
  FA_FACE_GATE_SMALL = 1 << 1,
  FA_FACE_GATE_POSE = 1 << 2,
  FA_FACE_GATE_CUT = 1 << 3,
  FA_FACE_GATE_NO_LANDMARKS = 1 << 4,
} FaFaceGateReason;

/* Checks @face, found in a @frame_width x @frame_height frame. Returns the
 * FaFaceGateReason bits it fails (0: good enough to judge). */
guint fa_face_gate_check (const FaFaceGate *gate, const FaFace *face, int frame_width,
    int frame_height);

/* A short text for @reasons ("low-score,pose"), for logs. Static storage. */
const gchar *fa_face_gate_reasons_string (guint reasons);

G_END_DECLS
