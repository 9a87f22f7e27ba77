/* facealert: json-glib members with null. See fa-json.h. */
#include "fa-json.h"

void
fa_json_add_string_member (JsonBuilder *builder, const gchar *name,
    const gchar *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
fa_json_add_time_member (JsonBuilder *builder, const gchar *name, gint64 time,
    gdouble per_second)
{
  json_builder_set_member_name (builder, name);
  if (time > 0)
    json_builder_add_double_value (builder, time / per_second);
  else
    json_builder_add_null_value (builder);
}
