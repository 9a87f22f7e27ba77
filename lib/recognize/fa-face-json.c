/* facealert: Rekognition JSON shapes. */
#include "fa-face-json.h"

void
fa_json_add_bounding_box (JsonBuilder *b, double left, double top, double width, double height)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Width");
  json_builder_add_double_value (b, width);
  json_builder_set_member_name (b, "Height");
  json_builder_add_double_value (b, height);
  json_builder_set_member_name (b, "Left");
  json_builder_add_double_value (b, left);
  json_builder_set_member_name (b, "Top");
  json_builder_add_double_value (b, top);
  json_builder_end_object (b);
}

void
fa_json_add_face_box (JsonBuilder *b, const FaFace *face, int width, int height)
{
  fa_json_add_bounding_box (b, face->box.x / width, face->box.y / height,
      face->box.width / width, face->box.height / height);
}

gchar *
fa_json_face_model_version (const gchar *model_name, const gchar *model_version)
{
  return g_strdup_printf ("%s/%s", model_name, model_version);
}

void
fa_json_add_stored_face (JsonBuilder *b, const FaStoredFace *face)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "FaceId");
  json_builder_add_string_value (b, face->face_id);
  json_builder_set_member_name (b, "BoundingBox");
  fa_json_add_bounding_box (b, face->left, face->top, face->width, face->height);
  json_builder_set_member_name (b, "ImageId");
  json_builder_add_string_value (b, face->image_id);
  json_builder_set_member_name (b, "ExternalImageId");
  json_builder_add_string_value (b, face->external_image_id);
  json_builder_set_member_name (b, "Confidence");
  json_builder_add_double_value (b, face->confidence);
  json_builder_set_member_name (b, "IndexFacesModelVersion");
  g_autofree gchar *version = fa_json_face_model_version (face->model_name, face->model_version);
  json_builder_add_string_value (b, version);
  json_builder_end_object (b);
}

void
fa_json_add_face_detail (JsonBuilder *b, const FaFace *face, const FaFaceQuality *quality,
    int width, int height)
{
  static const gchar *const landmark_types[FA_FACE_N_LANDMARKS] = {
    "eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight",
  };
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "BoundingBox");
  fa_json_add_face_box (b, face, width, height);
  json_builder_set_member_name (b, "Confidence");
  json_builder_add_double_value (b, 100.0 * face->score);
  if (face->has_landmarks) {
    json_builder_set_member_name (b, "Landmarks");
    json_builder_begin_array (b);
    for (int i = 0; i < FA_FACE_N_LANDMARKS; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Type");
      json_builder_add_string_value (b, landmark_types[i]);
      json_builder_set_member_name (b, "X");
      json_builder_add_double_value (b, face->landmarks[i][0] / width);
      json_builder_set_member_name (b, "Y");
      json_builder_add_double_value (b, face->landmarks[i][1] / height);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
  }
  if (quality != NULL) {
    json_builder_set_member_name (b, "Pose");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Roll");
    json_builder_add_double_value (b, quality->roll);
    json_builder_set_member_name (b, "Yaw");
    json_builder_add_double_value (b, quality->yaw);
    json_builder_set_member_name (b, "Pitch");
    json_builder_add_double_value (b, quality->pitch);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "Quality");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Brightness");
    json_builder_add_double_value (b, quality->brightness);
    json_builder_set_member_name (b, "Sharpness");
    json_builder_add_double_value (b, quality->sharpness);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
}

gchar *
fa_json_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

void
fa_json_add_face_matches (JsonBuilder *builder, GArray *matches)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < matches->len; i++) {
    FaSearchMatch *m = &g_array_index (matches, FaSearchMatch, i);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "Similarity");
    json_builder_add_double_value (builder, m->similarity);
    json_builder_set_member_name (builder, "Face");
    fa_json_add_stored_face (builder, m->face);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
}

void
fa_json_add_index_faces_members (JsonBuilder *b, const FaIndexResult *r,
    const gchar *model_version)
{
  json_builder_set_member_name (b, "FaceRecords");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->indexed->len; i++) {
    FaAnalyzedFace *f = g_ptr_array_index (r->indexed, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Face");
    fa_json_add_stored_face (b, f->stored);
    json_builder_set_member_name (b, "FaceDetail");
    fa_json_add_face_detail (b, &f->face, &f->quality, r->width, r->height);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "FaceModelVersion");
  json_builder_add_string_value (b, model_version);
  json_builder_set_member_name (b, "UnindexedFaces");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->unindexed->len; i++) {
    FaAnalyzedFace *f = g_ptr_array_index (r->unindexed, i);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Reasons");
    json_builder_begin_array (b);
    for (guint k = 0; k < FA_UNINDEXED_N_REASONS; k++)
      if (f->reasons & (1u << k))
        json_builder_add_string_value (b, fa_unindexed_reason_name (k));
    json_builder_end_array (b);
    json_builder_set_member_name (b, "FaceDetail");
    fa_json_add_face_detail (b, &f->face, &f->quality, r->width, r->height);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

void
fa_json_add_search_members (JsonBuilder *b, const FaFace *face, int width, int height,
    GArray *matches, const gchar *model_version)
{
  json_builder_set_member_name (b, "SearchedFaceBoundingBox");
  fa_json_add_face_box (b, face, width, height);
  json_builder_set_member_name (b, "SearchedFaceConfidence");
  json_builder_add_double_value (b, 100.0 * face->score);
  json_builder_set_member_name (b, "FaceMatches");
  fa_json_add_face_matches (b, matches);
  json_builder_set_member_name (b, "FaceModelVersion");
  json_builder_add_string_value (b, model_version);
}
