/* facealert: Amazon Rekognition JSON shapes for faces (json-glib builders).
 * Each function adds one value to @builder: call json_builder_set_member_name
 * first when inside an object. */
#pragma once

#include <json-glib/json-glib.h>

#include "fa-align.h"
#include "fa-collection.h"
#include "fa-face-analyzer.h"
#include "fa-image.h"

G_BEGIN_DECLS

/* BoundingBox {Width, Height, Left, Top} as ratios of the image. */
void fa_json_add_bounding_box (JsonBuilder *builder, double left, double top,
    double width, double height);
/* BoundingBox of a face in pixels of a @width x @height image. */
void fa_json_add_face_box (JsonBuilder *builder, const FaFace *face, int width, int height);

/* Face {FaceId, BoundingBox, ImageId, ExternalImageId, Confidence,
 * IndexFacesModelVersion}. */
void fa_json_add_stored_face (JsonBuilder *builder, const FaStoredFace *face);

/* Adds a FaceMatches array: {"Similarity", "Face"} per FaSearchMatch in @matches. */
void fa_json_add_face_matches (JsonBuilder *builder, GArray *matches);

/* FaceDetail / DetectedFace {BoundingBox, Confidence, Landmarks, Pose,
 * Quality}: Pose and Quality only when @quality is not NULL. Landmarks are
 * eyeLeft, eyeRight, nose, mouthLeft, mouthRight as ratios ("left" is the
 * image's left, as in Rekognition's output). */
void fa_json_add_face_detail (JsonBuilder *builder, const FaFace *face,
    const FaFaceQuality *quality, int width, int height);

/* IndexFaces' response members for one analysed image: FaceRecords
 * ({Face, FaceDetail} per indexed face), FaceModelVersion and UnindexedFaces
 * ({Reasons, FaceDetail}). Call inside an open object. */
void fa_json_add_index_faces_members (JsonBuilder *builder,
    const FaIndexResult *result, const gchar *model_version);

/* SearchFacesByImage's response members: SearchedFaceBoundingBox and
 * SearchedFaceConfidence of @face (in a @width x @height image),
 * FaceMatches, FaceModelVersion. Call inside an open object. */
void fa_json_add_search_members (JsonBuilder *builder, const FaFace *face,
    int width, int height, GArray *matches, const gchar *model_version);

/* The model version string Rekognition calls FaceModelVersion. */
gchar *fa_json_face_model_version (const gchar *model_name, const gchar *model_version);

/* Compact JSON text of @node. */
gchar *fa_json_to_string (JsonNode *node);

G_END_DECLS
