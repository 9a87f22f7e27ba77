/* facealert: the JSON shape of a sighting. */
#include "fa-sightings-json.h"
#include "fa-face-json.h"
#include "fa-json.h"

static void
add_int (JsonBuilder *b, const gchar *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
fa_json_add_sighting (JsonBuilder *b, const FaSighting *s)
{
  json_builder_begin_object (b);
  add_int (b, "SightingId", s->id);
  fa_json_add_string_member (b, "Camera", s->camera);
  add_int (b, "TrackId", (gint64) s->track_id);
  /* Epoch seconds, as the other verbs print times; null for 0. */
  fa_json_add_time_member (b, "FirstSeenTime", s->first_seen_ms, 1e3);
  fa_json_add_time_member (b, "DecidedTime", s->decided_ms, 1e3);
  fa_json_add_time_member (b, "LastSeenTime", s->last_seen_ms, 1e3);
  fa_json_add_string_member (b, "Decision",
      fa_sighting_decision_name (s->decision));
  fa_json_add_string_member (b, "Name", s->name);
  fa_json_add_string_member (b, "FaceId", s->face_id);
  json_builder_set_member_name (b, "Similarity");
  json_builder_add_double_value (b, s->similarity);
  json_builder_set_member_name (b, "Confirmed");
  json_builder_add_boolean_value (b, s->confirmed);
  fa_json_add_string_member (b, "CollectionId", s->collection);
  json_builder_set_member_name (b, "BoundingBox");
  double w = MAX (s->frame_width, 1), h = MAX (s->frame_height, 1);
  fa_json_add_bounding_box (b, s->box.x / w, s->box.y / h, s->box.width / w, s->box.height / h);
  json_builder_set_member_name (b, "Confidence");
  json_builder_add_double_value (b, 100.0 * s->face_score);
  add_int (b, "FrameWidth", s->frame_width);
  add_int (b, "FrameHeight", s->frame_height);
  json_builder_set_member_name (b, "Crop");
  json_builder_begin_object (b);
  add_int (b, "Width", s->crop_width);
  add_int (b, "Height", s->crop_height);
  add_int (b, "Size", (gint64) s->crop_size);
  json_builder_end_object (b);
  add_int (b, "Embeddings", s->n_embeddings);
  g_autofree gchar *version = fa_json_face_model_version (s->model_name, s->model_version);
  fa_json_add_string_member (b, "FaceModelVersion", version);
  fa_json_add_string_member (b, "EnrolledFaceId", s->enrolled_face_id);
  json_builder_set_member_name (b, "RejectedNames");
  json_builder_begin_array (b);
  for (guint i = 0; s->rejected_names != NULL && s->rejected_names[i] != NULL; i++)
    json_builder_add_string_value (b, s->rejected_names[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}
