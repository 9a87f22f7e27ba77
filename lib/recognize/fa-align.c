/* facealert: alignment geometry (the pixel work is in fa-embed-cv.cpp). */
#include "fa-align.h"

#include <math.h>

const float fa_align_reference[FA_FACE_N_LANDMARKS][2] = {
  {38.2946f, 51.6963f},
  {73.5318f, 51.5014f},
  {56.0252f, 71.7366f},
  {41.5493f, 92.3655f},
  {70.7299f, 92.2041f},
};

gboolean
fa_align_similarity (const float src[][2], const float dst[][2], int n, double m[6])
{
  double sx = 0, sy = 0, dx = 0, dy = 0;
  for (int i = 0; i < n; i++) {
    sx += src[i][0]; sy += src[i][1];
    dx += dst[i][0]; dy += dst[i][1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  /* Least squares for x' = a x - b y + tx, y' = b x + a y + ty on centred
   * points (Umeyama without reflection). */
  double num_a = 0, num_b = 0, den = 0;
  for (int i = 0; i < n; i++) {
    double xs = src[i][0] - sx, ys = src[i][1] - sy;
    double xd = dst[i][0] - dx, yd = dst[i][1] - dy;
    num_a += xs * xd + ys * yd;
    num_b += xs * yd - ys * xd;
    den += xs * xs + ys * ys;
  }
  if (den < 1e-6)
    return FALSE;
  double a = num_a / den, b = num_b / den;
  m[0] = a; m[1] = -b; m[2] = dx - (a * sx - b * sy);
  m[3] = b; m[4] = a; m[5] = dy - (b * sx + a * sy);
  return TRUE;
}

void
fa_face_estimate_landmarks (FaFace *face)
{
  /* The reference points relative to a face box as detectors draw it: the
   * 112x112 template covers roughly the box with a little margin. */
  static const float rel[FA_FACE_N_LANDMARKS][2] = {
    {0.31f, 0.40f}, {0.69f, 0.40f}, {0.50f, 0.60f}, {0.35f, 0.80f}, {0.65f, 0.80f},
  };
  for (int i = 0; i < FA_FACE_N_LANDMARKS; i++) {
    face->landmarks[i][0] = face->box.x + rel[i][0] * face->box.width;
    face->landmarks[i][1] = face->box.y + rel[i][1] * face->box.height;
  }
  face->has_landmarks = TRUE;
}

/* The nose's sideways offset from the eye midpoint in half eye distances,
 * after undoing the roll; NAN when the eyes coincide. */
static double
nose_offset (const FaFace *face, double *roll_rad)
{
  const float (*l)[2] = face->landmarks;
  double ex = l[1][0] - l[0][0], ey = l[1][1] - l[0][1];
  double eye_dist = sqrt (ex * ex + ey * ey);
  *roll_rad = atan2 (ey, ex);
  if (eye_dist < 1e-3)
    return NAN;
  double c = cos (-*roll_rad), s = sin (-*roll_rad);
  double eye_mid_x = (c * (l[0][0] + l[1][0]) - s * (l[0][1] + l[1][1])) / 2;
  double nose_x = c * l[2][0] - s * l[2][1];
  return (nose_x - eye_mid_x) / (eye_dist / 2);
}

float
fa_face_quality_yaw (const FaFace *face)
{
  double roll;
  double h = nose_offset (face, &roll);
  return isnan (h) ? 0.f : (float) (atan (h) * 180.0 / G_PI);
}

void
fa_face_pose (const FaFace *face, float *roll, float *yaw, float *pitch)
{
  const float (*l)[2] = face->landmarks;
  double ex = l[1][0] - l[0][0], ey = l[1][1] - l[0][1];
  double eye_dist = sqrt (ex * ex + ey * ey);
  double angle = atan2 (ey, ex);
  *roll = (float) (angle * 180.0 / G_PI);
  if (eye_dist < 1e-3) {
    *yaw = *pitch = 0;
    return;
  }
  /* Undo the roll, then compare the nose with the eye and mouth midpoints. */
  double c = cos (-angle), s = sin (-angle);
#define ROT_X(p) (c * (p)[0] - s * (p)[1])
#define ROT_Y(p) (s * (p)[0] + c * (p)[1])
  double eye_mid_x = (ROT_X (l[0]) + ROT_X (l[1])) / 2, eye_y = (ROT_Y (l[0]) + ROT_Y (l[1])) / 2;
  double mouth_y = (ROT_Y (l[3]) + ROT_Y (l[4])) / 2;
  double nose_x = ROT_X (l[2]), nose_y = ROT_Y (l[2]);
#undef ROT_X
#undef ROT_Y
  /* Frontal: the nose sits under the eye midpoint; at about 60 degrees it
   * reaches the outer eye (offset = half the eye distance, itself shrunk). */
  double h = (nose_x - eye_mid_x) / (eye_dist / 2);
  *yaw = (float) (asin (CLAMP (h, -1.0, 1.0)) * 180.0 / G_PI);
  double span = mouth_y - eye_y;
  if (fabs (span) < 1e-3) {
    *pitch = 0;
    return;
  }
  /* In the ArcFace template the nose is 49 % of the way from eyes to mouth. */
  double v = ((nose_y - eye_y) / span - 0.494) * 2.5;
  *pitch = (float) (asin (CLAMP (v, -1.0, 1.0)) * 180.0 / G_PI);
}
