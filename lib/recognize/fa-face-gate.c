/* facealert: which detected faces are good enough to judge. */
#include "fa-face-gate.h"
#include "fa-align.h"

#include <math.h>

guint
fa_face_gate_check (const FaFaceGate *gate, const FaFace *face, int frame_width,
    int frame_height)
{
  guint reasons = 0;
  if (face->score < gate->min_score)
    reasons |= FA_FACE_GATE_LOW_SCORE;
  if (MIN (face->box.width, face->box.height) < gate->min_size)
    reasons |= FA_FACE_GATE_SMALL;
  float m = gate->edge_margin;
  if (face->box.x < m || face->box.y < m || face->box.x + face->box.width > frame_width - m
      || face->box.y + face->box.height > frame_height - m)
    reasons |= FA_FACE_GATE_CUT;
  if (!face->has_landmarks) {
    reasons |= FA_FACE_GATE_NO_LANDMARKS;
  } else {
    float roll, yaw, pitch;
    fa_face_pose (face, &roll, &yaw, &pitch);
    if (fabsf (roll) > gate->max_pose || fabsf (yaw) > gate->max_pose
        || fabsf (pitch) > gate->max_pose)
      reasons |= FA_FACE_GATE_POSE;
  }
  return reasons;
}

const gchar *
fa_face_gate_reasons_string (guint reasons)
{
  static const gchar *names[] = {"low-score", "small", "pose", "cut", "no-landmarks"};
  static const gchar *strings[1 << G_N_ELEMENTS (names)];
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    for (guint r = 0; r < G_N_ELEMENTS (strings); r++) {
      GString *s = g_string_new (r == 0 ? "good" : NULL);
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        if (r & (1u << i))
          g_string_append_printf (s, "%s%s", s->len ? "," : "", names[i]);
      strings[r] = g_string_free (s, FALSE);
    }
    g_once_init_leave (&once, 1);
  }
  return strings[reasons & (G_N_ELEMENTS (strings) - 1)];
}
