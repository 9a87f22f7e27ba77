/* facealert: Frigate-shaped MQTT payloads. See fa-frigate-json.h. */
#include "fa-frigate-json.h"

#include <json-glib/json-glib.h>

static gchar *
to_text (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static void
add_string_or_null (JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_double (JsonBuilder *b, const gchar *name, gdouble value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_bool (JsonBuilder *b, const gchar *name, gboolean value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* Similarity percent as Frigate's 0..1 score. */
static gdouble
match_score (const FaTrackObject *o)
{
  return CLAMP (o->similarity / 100.0, 0.0, 1.0);
}

gchar *
fa_frigate_tracked_object_update (const FaTrackObject *o, const gchar *camera,
    gdouble timestamp)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_string_or_null (b, "type", fa_track_kind_label (o->kind));
  add_string_or_null (b, "id", o->id);
  add_string_or_null (b, "name", o->known ? o->name : NULL);
  add_double (b, "score", match_score (o));
  add_string_or_null (b, "camera", camera);
  add_double (b, "timestamp", timestamp);
  json_builder_end_object (b);
  return to_text (b);
}

static void
add_object (JsonBuilder *b, const FaTrackObject *o, const gchar *camera)
{
  json_builder_begin_object (b);
  add_string_or_null (b, "id", o->id);
  add_string_or_null (b, "camera", camera);
  add_string_or_null (b, "label", fa_track_kind_label (o->kind));
  json_builder_set_member_name (b, "sub_label");
  if (o->known && o->name != NULL) {
    json_builder_begin_array (b);
    json_builder_add_string_value (b, o->name);
    json_builder_add_double_value (b, match_score (o));
    json_builder_end_array (b);
  } else {
    json_builder_add_null_value (b);
  }
  add_double (b, "score", o->score);
  add_double (b, "top_score", o->top_score);
  json_builder_set_member_name (b, "box");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, o->x);
  json_builder_add_int_value (b, o->y);
  json_builder_add_int_value (b, o->x + o->width);
  json_builder_add_int_value (b, o->y + o->height);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "area");
  json_builder_add_int_value (b, (gint64) o->width * o->height);
  add_double (b, "start_time", o->start_time);
  json_builder_set_member_name (b, "end_time");
  if (o->end_time > 0)
    json_builder_add_double_value (b, o->end_time);
  else
    json_builder_add_null_value (b);
  add_bool (b, "has_snapshot", o->snapshot != NULL);
  add_bool (b, "has_clip", FALSE);
  add_bool (b, "false_positive", FALSE);
  add_bool (b, "stationary", FALSE);
  json_builder_set_member_name (b, "current_zones");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "entered_zones");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "track");
  json_builder_add_int_value (b, (gint64) o->track_id);
  add_string_or_null (b, "name", o->known ? o->name : NULL);
  add_bool (b, "known", o->known);
  add_bool (b, "decided", o->decided);
  add_double (b, "similarity", o->similarity);
  add_string_or_null (b, "snapshot", o->snapshot);
  json_builder_end_object (b);
}

gchar *
fa_frigate_event (const FaTrackEvent *e, const gchar *camera)
{
  static const gchar *types[] = { "new", "update", "end" };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_string_or_null (b, "type", types[e->type]);
  json_builder_set_member_name (b, "before");
  add_object (b, &e->before, camera);
  json_builder_set_member_name (b, "after");
  add_object (b, &e->after, camera);
  json_builder_end_object (b);
  return to_text (b);
}
