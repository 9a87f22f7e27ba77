/* facealert serve: reading request JSON with AWS's validation, and small
 * builders. Every reader fails with FA_ERROR_INVALID_ARGUMENT and a message
 * naming the member; an absent optional member leaves *@value unchanged. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The request body as a JSON object; an empty body is {}. */
JsonNode *fa_serve_json_parse_object (GBytes *body, GError **error);

gboolean fa_serve_json_get_string (JsonObject *object, const gchar *name,
    gboolean required, const gchar **value, GError **error);
gboolean fa_serve_json_get_int (JsonObject *object, const gchar *name,
    gint64 min, gint64 max, gint64 *value, GError **error);
gboolean fa_serve_json_get_double (JsonObject *object, const gchar *name,
    gboolean required, gdouble min, gdouble max, gdouble *value, GError **error);
gboolean fa_serve_json_get_object (JsonObject *object, const gchar *name,
    gboolean required, JsonObject **value, GError **error);
/* Strings of array @name (borrowed from @object), NULL-terminated. */
gboolean fa_serve_json_get_strings (JsonObject *object, const gchar *name,
    gboolean required, guint max_items, GPtrArray **values, GError **error);
/* A base64 blob (as the SDKs send Image.Bytes) of at most @max_bytes. */
gboolean fa_serve_json_get_blob (JsonObject *object, const gchar *name,
    gsize max_bytes, GBytes **value, GError **error);

/* Member @name of @object when it is a string, else NULL (no error). */
const gchar *fa_serve_json_string_member (JsonObject *object, const gchar *name);

void fa_serve_json_add_string (JsonBuilder *builder, const gchar *name,
    const gchar *value);
void fa_serve_json_add_int (JsonBuilder *builder, const gchar *name, gint64 value);
/* Epoch seconds, as AWS's JSON protocols write timestamps. */
void fa_serve_json_add_time (JsonBuilder *builder, const gchar *name, gint64 us);

/* Pagination: an opaque NextToken for "continue at item @offset", and back.
 * A token this server did not make fails to decode. */
gchar *fa_serve_next_token (guint64 offset, const gchar *scope);
gboolean fa_serve_parse_next_token (const gchar *token, const gchar *scope,
    guint64 *offset, GError **error);

G_END_DECLS
