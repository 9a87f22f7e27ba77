/* facealert serve: JSON helpers. See serve-json.h. */
#include "serve-json.h"
#include "fa-error.h"

#include <string.h>

static gboolean
invalid (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

JsonNode *
fa_serve_json_parse_object (GBytes *body, GError **error)
{
  gsize size = 0;
  const gchar *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  if (size == 0) {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, json_object_new ());
    return node;
  }
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL)) {
    invalid (error, "the request body is not valid JSON");
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    invalid (error, "the request body must be a JSON object");
    return NULL;
  }
  return json_node_ref (root);
}

static JsonNode *
member (JsonObject *object, const gchar *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static gboolean
missing (const gchar *name, GError **error)
{
  return invalid (error, "1 validation error detected: Value null at '%s' failed to "
      "satisfy constraint: Member must not be null", name);
}

gboolean
fa_serve_json_get_string (JsonObject *object, const gchar *name, gboolean required,
    const gchar **value, GError **error)
{
  JsonNode *node = member (object, name);
  if (node == NULL)
    return required ? missing (name, error) : TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, "'%s' must be a string", name);
  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
fa_serve_json_get_int (JsonObject *object, const gchar *name, gint64 min, gint64 max,
    gint64 *value, GError **error)
{
  JsonNode *node = member (object, name);
  if (node == NULL)
    return TRUE;
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : 0;
  if (type != G_TYPE_INT64)
    return invalid (error, "'%s' must be an integer", name);
  gint64 v = json_node_get_int (node);
  if (v < min || v > max)
    return invalid (error, "1 validation error detected: Value '%" G_GINT64_FORMAT
        "' at '%s' failed to satisfy constraint: Member must have value between %"
        G_GINT64_FORMAT " and %" G_GINT64_FORMAT, v, name, min, max);
  *value = v;
  return TRUE;
}

gboolean
fa_serve_json_get_double (JsonObject *object, const gchar *name, gboolean required,
    gdouble min, gdouble max, gdouble *value, GError **error)
{
  JsonNode *node = member (object, name);
  if (node == NULL)
    return required ? missing (name, error) : TRUE;
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : 0;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return invalid (error, "'%s' must be a number", name);
  gdouble v = type == G_TYPE_INT64 ? (gdouble) json_node_get_int (node)
      : json_node_get_double (node);
  if (!(v >= min && v <= max))
    return invalid (error, "1 validation error detected: Value '%g' at '%s' failed to "
        "satisfy constraint: Member must have value between %g and %g", v, name, min,
        max);
  *value = v;
  return TRUE;
}

gboolean
fa_serve_json_get_object (JsonObject *object, const gchar *name, gboolean required,
    JsonObject **value, GError **error)
{
  JsonNode *node = member (object, name);
  if (node == NULL)
    return required ? missing (name, error) : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "'%s' must be an object", name);
  *value = json_node_get_object (node);
  return TRUE;
}

gboolean
fa_serve_json_get_strings (JsonObject *object, const gchar *name, gboolean required,
    guint max_items, GPtrArray **values, GError **error)
{
  JsonNode *node = member (object, name);
  if (node == NULL)
    return required ? missing (name, error) : TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "'%s' must be an array of strings", name);
  JsonArray *array = json_node_get_array (node);
  guint n = json_array_get_length (array);
  if (n == 0 || n > max_items)
    return invalid (error, "1 validation error detected: Value at '%s' failed to satisfy "
        "constraint: Member must have length between 1 and %u", name, max_items);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < n; i++) {
    JsonNode *item = json_array_get_element (array, i);
    if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING) {
      g_ptr_array_unref (out);
      return invalid (error, "'%s' must be an array of strings", name);
    }
    g_ptr_array_add (out, (gpointer) json_node_get_string (item));
  }
  g_ptr_array_add (out, NULL);
  *values = out;
  return TRUE;
}

gboolean
fa_serve_json_get_blob (JsonObject *object, const gchar *name, gsize max_bytes,
    GBytes **value, GError **error)
{
  const gchar *text = NULL;
  if (!fa_serve_json_get_string (object, name, FALSE, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=' && *p != '\n'
        && *p != '\r')
      return invalid (error, "'%s' is not valid base64", name);
  gsize size = 0;
  guchar *data = g_base64_decode (text, &size);
  if (size == 0 || size > max_bytes) {
    g_free (data);
    return invalid (error, "1 validation error detected: Value at '%s' failed to "
        "satisfy constraint: Member must have length between 1 and %" G_GSIZE_FORMAT,
        name, max_bytes);
  }
  *value = g_bytes_new_take (data, size);
  return TRUE;
}

const gchar *
fa_serve_json_string_member (JsonObject *object, const gchar *name)
{
  JsonNode *n = object != NULL ? json_object_get_member (object, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

void
fa_serve_json_add_string (JsonBuilder *builder, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

void
fa_serve_json_add_int (JsonBuilder *builder, const gchar *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
fa_serve_json_add_time (JsonBuilder *builder, const gchar *name, gint64 us)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, us / 1e6);
}

gchar *
fa_serve_next_token (guint64 offset, const gchar *scope)
{
  g_autofree gchar *plain = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, scope, offset);
  return g_base64_encode ((const guchar *) plain, strlen (plain));
}

gboolean
fa_serve_parse_next_token (const gchar *token, const gchar *scope, guint64 *offset,
    GError **error)
{
  gsize size = 0;
  g_autofree guchar *raw = g_base64_decode (token, &size);
  g_autofree gchar *plain = g_strndup ((const gchar *) raw, size);
  gsize n = strlen (scope);
  gchar *end = NULL;
  if (strncmp (plain, scope, n) != 0 || plain[n] != ':' || !g_ascii_isdigit (plain[n + 1])
      || (*offset = g_ascii_strtoull (plain + n + 1, &end, 10), *end != '\0'))
    return invalid (error, "invalid NextToken");
  return TRUE;
}
