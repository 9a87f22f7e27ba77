/* fa-run: loading and expanding pipeline description files (fa-run-desc.h). */

#include "fa-run-desc.h"

#include <string.h>

static void
section_free (FaRunSection *s)
{
  g_free (s->name);
  g_free (s->description);
  g_free (s);
}

static gboolean
valid_var_char (gchar c, gboolean first)
{
  return g_ascii_isalpha (c) || c == '_' || (!first && g_ascii_isdigit (c));
}

/* CAM_ for camera "cam1" (upper case, anything but letters and digits as _). */
static gchar *
camera_prefix (const gchar *camera)
{
  gchar *prefix = g_ascii_strup (camera, -1);
  for (gchar *c = prefix; *c; c++)
    if (!g_ascii_isalnum (*c))
      *c = '_';
  return prefix;
}

/* VAR's value for @camera: CAM_VAR, else VAR; NULL when neither is set. */
static const gchar *
lookup (const gchar *var, const gchar *camera)
{
  if (g_str_equal (var, "CAMERA"))
    return camera;
  if (camera != NULL) {
    g_autofree gchar *prefix = camera_prefix (camera);
    g_autofree gchar *own = g_strconcat (prefix, "_", var, NULL);
    const gchar *value = g_getenv (own);
    if (value != NULL)
      return value;
  }
  return g_getenv (var);
}

gchar *
fa_run_desc_expand (const gchar *text, const gchar *camera, const gchar *where,
    GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const gchar *p = text;

  while (*p) {
    if (p[0] != '$') {
      g_string_append_c (out, *p++);
      continue;
    }
    if (p[1] == '$') {
      g_string_append_c (out, '$');
      p += 2;
      continue;
    }
    if (p[1] != '{') {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
          "%s: a lone $ (write ${VAR} for a variable, $$ for a dollar sign)",
          where);
      return NULL;
    }
    const gchar *name = p + 2, *end = name;
    while (valid_var_char (*end, end == name))
      end++;
    g_autofree gchar *var = g_strndup (name, end - name);
    g_autofree gchar *def = NULL;
    gboolean has_def = FALSE;
    if (end[0] == ':' && end[1] == '-') {
      const gchar *close = strchr (end + 2, '}');
      if (close == NULL)
        goto unterminated;
      def = g_strndup (end + 2, close - (end + 2));
      has_def = TRUE;
      end = close;
    }
    if (*end != '}' || *var == '\0')
      goto unterminated;

    if (camera == NULL && g_str_equal (var, "CAMERA")) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
          "%s: ${CAMERA} has no value in a section header", where);
      return NULL;
    }
    const gchar *value = lookup (var, camera);
    if (has_def && (value == NULL || *value == '\0'))
      value = def;
    if (value == NULL) {
      g_autofree gchar *prefix = camera != NULL ? camera_prefix (camera) : NULL;
      g_autofree gchar *own = prefix != NULL && !g_str_has_prefix (var, prefix)
          ? g_strdup_printf ("%s_%s=... for this camera or ", prefix, var)
          : g_strdup ("");
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
          "%s: ${%s} is not set (export %s%s=..., or write ${%s:-DEFAULT})",
          where, var, own, var, var);
      return NULL;
    }
    g_string_append (out, value);
    p = end + 1;
    continue;

  unterminated:
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
        "%s: bad variable reference starting at \"%.20s\" (use ${NAME} or "
        "${NAME:-DEFAULT}; NAME is letters, digits and _)", where, p);
    return NULL;
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
add_section (GPtrArray *sections, const gchar *where, const gchar *name,
    const gchar *text, guint line, GError **error)
{
  for (guint i = 0; i < sections->len; i++) {
    FaRunSection *other = g_ptr_array_index (sections, i);
    if (g_str_equal (other->name, name)) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
          "%s: camera [%s] is defined twice (also at line %u)", where, name,
          other->line);
      return FALSE;
    }
  }
  gchar *description = fa_run_desc_expand (text, name, where, error);
  if (description == NULL)
    return FALSE;
  FaRunSection *s = g_new0 (FaRunSection, 1);
  s->name = g_strdup (name);
  s->description = description;
  s->line = line;
  g_ptr_array_add (sections, s);
  return TRUE;
}

/* Ends the section with camera names @names (NULL: text before the first
 * header, named after the file): one section per name. */
static gboolean
finish_section (GPtrArray *sections, const gchar *path, GStrv names,
    GString *body, guint line, GError **error)
{
  g_autofree gchar *where = g_strdup_printf ("%s:%u", path, line);
  g_autofree gchar *text = g_strstrip (g_strdup (body->str));

  if (*text == '\0') {
    if (names == NULL)          // nothing before the first header: fine
      return TRUE;
    g_autofree gchar *list = g_strjoinv (",", names);
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY,
        "%s: camera [%s] has no pipeline description", where, list);
    return FALSE;
  }
  if (names == NULL) {
    g_autofree gchar *base = g_path_get_basename (path);
    gchar *dot = strrchr (base, '.');
    if (dot && dot != base)
      *dot = '\0';
    return add_section (sections, where, base, text, line, error);
  }
  for (guint i = 0; names[i] != NULL; i++) {
    /* A template's messages say which camera it was expanded for. */
    g_autofree gchar *here = names[1] != NULL
        ? g_strdup_printf ("%s: camera [%s]", where, names[i]) : g_strdup (where);
    if (!add_section (sections, here, names[i], text, line, error))
      return FALSE;
  }
  return TRUE;
}

/* The camera names of header @line ("[cam1]", "[cam1,cam2]",
 * "[${CAMERAS:-cam1,cam2}]"). */
static GStrv
parse_header (const gchar *line, const gchar *where, GError **error)
{
  g_autofree gchar *inner = g_strndup (line + 1, strlen (line) - 2);
  g_autofree gchar *expanded = fa_run_desc_expand (inner, NULL, where, error);
  if (expanded == NULL)
    return NULL;
  g_auto (GStrv) parts = g_strsplit_set (expanded, ", \t", -1);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (*parts[i] == '\0')
      continue;
    for (const gchar *c = parts[i]; *c; c++)
      if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-') {
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
            "%s: bad camera name [%s] (use letters, digits, - and _; several "
            "cameras: [cam1,cam2])", where, parts[i]);
        return NULL;
      }
    g_ptr_array_add (names, g_strdup (parts[i]));
  }
  if (names->len == 0) {
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
        "%s: no camera name in %s", where, line);
    return NULL;
  }
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

GPtrArray *
fa_run_desc_load (const gchar *path, GError **error)
{
  g_autofree gchar *contents = NULL;
  g_autoptr (GError) err = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &err)) {
    g_set_error (error, G_FILE_ERROR, err->code, "cannot read %s: %s", path,
        err->message);
    return NULL;
  }
  g_autoptr (GPtrArray) sections =
      g_ptr_array_new_with_free_func ((GDestroyNotify) section_free);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr (GString) body = g_string_new (NULL);
  g_auto (GStrv) names = NULL;
  guint start = 1;

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree gchar *line = g_strstrip (g_strdup (lines[i]));
    if (line[0] == '#' || line[0] == '\0')
      continue;
    gsize len = strlen (line);
    if (line[0] == '[' && line[len - 1] == ']') {
      if (!finish_section (sections, path, names, body, start, error))
        return NULL;
      g_autofree gchar *where = g_strdup_printf ("%s:%u", path, i + 1);
      g_strfreev (names);
      names = parse_header (line, where, error);
      if (names == NULL)
        return NULL;
      g_string_truncate (body, 0);
      start = i + 1;
      continue;
    }
    if (names == NULL && body->len == 0)
      start = i + 1;
    // A trailing backslash (shell habit) is just a line join here.
    if (line[len - 1] == '\\')
      line[len - 1] = ' ';
    g_string_append_printf (body, "%s ", line);
  }
  if (!finish_section (sections, path, names, body, start, error))
    return NULL;
  if (sections->len == 0) {
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY,
        "%s: no pipeline description in the file", path);
    return NULL;
  }
  return g_steal_pointer (&sections);
}
