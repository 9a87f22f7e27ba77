/* facealert: recognition defaults shared by the CLI and facematch. */
#pragma once

/* FaceMatchThreshold, percent (similarity = 100 * cosine of the MobileFaceNet
 * embeddings). Chosen from the pair similarities of the test data, see
 * docs/facematch.md ("Choosing the threshold"). */
#define FA_DEFAULT_FACE_MATCH_THRESHOLD 37.0
