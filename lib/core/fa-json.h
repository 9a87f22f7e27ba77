/* facealert: json-glib members that mean "not known" with null, as the
 * AWS-shaped answers of the CLI and the server do. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Member @name: @value, or null when @value is NULL. */
void fa_json_add_string_member (JsonBuilder *builder, const gchar *name,
    const gchar *value);

/* Member @name: @time (counted in 1 / @per_second s since the epoch: 1e3
 * for ms, 1e6 for µs) as epoch seconds, or null when @time <= 0. */
void fa_json_add_time_member (JsonBuilder *builder, const gchar *name,
    gint64 time, gdouble per_second);

G_END_DECLS
