/* facealert: face alignment (ArcFace 5-point similarity transform) and simple
 * quality measures of an aligned face. Plain C; the OpenCV work is in
 * fa-embed-cv.cpp. */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

/* Side of the aligned face, in pixels (ArcFace / MobileFaceNet input). */
#define FA_ALIGN_SIZE 112

/* The ArcFace reference positions of the 5 landmarks in a 112x112 face, in
 * FaFace landmark order (image-left eye, image-right eye, nose tip,
 * image-left mouth corner, image-right mouth corner). */
extern const float fa_align_reference[FA_FACE_N_LANDMARKS][2];

/* Least-squares similarity transform (rotation, uniform scale, translation)
 * mapping @src points onto @dst points: x' = m[0] x + m[1] y + m[2],
 * y' = m[3] x + m[4] y + m[5]. Returns FALSE for degenerate input. */
gboolean fa_align_similarity (const float src[][2], const float dst[][2], int n,
    double m[6]);

/* Fills @face's landmarks from its box with the average proportions of a
 * frontal face, for detectors that give no landmarks (hog, haar). Alignment
 * from estimated landmarks is noticeably worse than from detected ones. */
void fa_face_estimate_landmarks (FaFace *face);

/* Writes the aligned face as packed RGB, FA_ALIGN_SIZE x FA_ALIGN_SIZE, rows of
 * 3 * FA_ALIGN_SIZE bytes, into @out_rgb. @face needs landmarks (else they are
 * estimated from the box). Only the face's neighbourhood of @image is
 * converted, so this is cheap on large frames. */
gboolean fa_align_face (const FaImage *image, const FaFace *face,
    guint8 *out_rgb, GError **error);

/* Rough quality figures in Rekognition's terms. */
typedef struct {
  float brightness;   /* 0..100: mean luma of the aligned face */
  float sharpness;    /* 0..100: from the variance of its Laplacian */
  float roll;         /* degrees, from the eye line */
  float yaw;          /* degrees, estimated from the nose against the eyes */
  float pitch;        /* degrees, estimated from the nose against eyes and mouth */
} FaFaceQuality;

/* Measures @face in @image (pose from landmarks, the rest from the aligned
 * face). */
gboolean fa_face_quality (const FaImage *image, const FaFace *face,
    FaFaceQuality *quality, GError **error);

/* Pose only (no pixels needed). A cheap estimate whose yaw saturates at 90
 * degrees from about 45 (three-quarter views): facematch's face gate limits
 * were tuned on it. */
void fa_face_pose (const FaFace *face, float *roll, float *yaw, float *pitch);

/* The yaw that quality reports (IndexFaces' Pose.Yaw, its EXTREME_POSE
 * reason) use: the nose's offset from the eye midpoint, in half eye
 * distances, read as the tangent of the yaw (a nose about as deep as half
 * the eye distance), so a three-quarter view reads 40-60 degrees rather than
 * fa_face_pose's 90. */
float fa_face_quality_yaw (const FaFace *face);

G_END_DECLS
