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

    const gchar *value = g_str_equal (var, "CAMERA") ? camera : g_getenv (var);
    if (has_def && (value == NULL || *value == '\0'))
      value = def;
    if (value == NULL) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
          "%s: ${%s} is not set (export %s=..., or write ${%s:-DEFAULT})",
          where, var, var, var);
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
finish_section (GPtrArray *sections, const gchar *path, gchar *name,
    GString *body, guint line, GError **error)
{
  g_autofree gchar *where = g_strdup_printf ("%s:%u", path, line);
  g_autofree gchar *text = g_strstrip (g_strdup (body->str));

  if (*text == '\0') {
    if (name == NULL)           // nothing before the first header: fine
      return TRUE;
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY,
        "%s: camera [%s] has no pipeline description", where, name);
    return FALSE;
  }
  if (name == NULL) {
    g_autofree gchar *base = g_path_get_basename (path);
    gchar *dot = strrchr (base, '.');
    if (dot && dot != base)
      *dot = '\0';
    name = base;
    base = NULL;
  } else {
    name = g_strdup (name);
  }
  for (guint i = 0; i < sections->len; i++) {
    FaRunSection *other = g_ptr_array_index (sections, i);
    if (g_str_equal (other->name, name)) {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
          "%s: camera [%s] is defined twice (also at line %u)", where, name,
          other->line);
      g_free (name);
      return FALSE;
    }
  }
  gchar *description = fa_run_desc_expand (text, name, where, error);
  if (description == NULL) {
    g_free (name);
    return FALSE;
  }
  FaRunSection *s = g_new0 (FaRunSection, 1);
  s->name = name;
  s->description = description;
  s->line = line;
  g_ptr_array_add (sections, s);
  return TRUE;
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
  g_autofree gchar *name = NULL;
  guint start = 1;

  for (guint i = 0; lines[i] != NULL; i++) {
    g_autofree gchar *line = g_strstrip (g_strdup (lines[i]));
    if (line[0] == '#' || line[0] == '\0')
      continue;
    gsize len = strlen (line);
    if (line[0] == '[' && line[len - 1] == ']') {
      if (!finish_section (sections, path, name, body, start, error))
        return NULL;
      g_free (name);
      name = g_strndup (line + 1, len - 2);
      g_strstrip (name);
      for (const gchar *c = name; *c; c++)
        if (!g_ascii_isalnum (*c) && *c != '_' && *c != '-') {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
              "%s:%u: bad camera name [%s] (use letters, digits, - and _)",
              path, i + 1, name);
          return NULL;
        }
      if (*name == '\0') {
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
            "%s:%u: empty camera name []", path, i + 1);
        return NULL;
      }
      g_string_truncate (body, 0);
      start = i + 1;
      continue;
    }
    if (name == NULL && body->len == 0)
      start = i + 1;
    // A trailing backslash (shell habit) is just a line join here.
    if (line[len - 1] == '\\')
      line[len - 1] = ' ';
    g_string_append_printf (body, "%s ", line);
  }
  if (!finish_section (sections, path, name, body, start, error))
    return NULL;
  if (sections->len == 0) {
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY,
        "%s: no pipeline description in the file", path);
    return NULL;
  }
  return g_steal_pointer (&sections);
}
