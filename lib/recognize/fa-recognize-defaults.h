/* facealert: recognition defaults shared by the CLI and facematch. */
#pragma once

/* FaceMatchThreshold, percent (similarity = 100 * cosine of the MobileFaceNet
 * embeddings; a face against a person's template, fa-gallery.h). Chosen on
 * half A of people_more (tests/bench/bench-calibration.c, docs/recognition.md
 * "Choosing the threshold"): 3 points above the highest score of any stranger
 * against any household member's 2-photo template there (38.5), so that a
 * stranger is taken for family less than 1 time in 100; on half B, never
 * tuned on, 2 photos give true-match 0.964 and false-match 0. */
#define FA_DEFAULT_FACE_MATCH_THRESHOLD 42.0
