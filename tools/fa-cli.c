#include "fa-cli.h"

#include <stdio.h>
#include <string.h>

FaOutputFormat fa_cli_output = FA_OUTPUT_TEXT;

gboolean
fa_cli_parse_output (const gchar *option_name, const gchar *value,
    gpointer data, GError **error)
{
  if (g_strcmp0 (value, "json") == 0)
    fa_cli_output = FA_OUTPUT_JSON;
  else if (g_strcmp0 (value, "text") == 0)
    fa_cli_output = FA_OUTPUT_TEXT;
  else {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--output must be \"text\" or \"json\", not \"%s\"", value);
    return FALSE;
  }
  return TRUE;
}

int
fa_cli_fail (const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "facealert: %s\n", message);
  return 1;
}

void
fa_cli_warn (const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "facealert: %s\n", message);
}

int
fa_cli_fail_error (GError *error)
{
  int code = fa_cli_fail ("%s", error->message);
  g_error_free (error);
  return code;
}

void
fa_cli_print_json (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  g_autofree gchar *text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

gboolean
fa_cli_parse (int *argc, gchar ***argv, const gchar *usage,
    const gchar *summary, const GOptionEntry *entries,
    const GOptionEntry *group_entries, GError **error)
{
  const GOptionEntry common[] = {
    FA_CLI_OUTPUT_ENTRY,
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new (usage);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, NULL);
  if (group_entries != NULL)
    g_option_context_add_main_entries (context, group_entries, NULL);
  g_option_context_add_main_entries (context, common, NULL);
  return g_option_context_parse (context, argc, argv, error);
}

int
fa_cli_run_verb (int argc, gchar **argv, const gchar *group,
    const FaCliVerb *verbs, guint n_verbs, const gchar *about,
    const gchar *footer)
{
  if (argc >= 2)
    for (guint i = 0; i < n_verbs; i++)
      if (strcmp (argv[1], verbs[i].name) == 0)
        return verbs[i].run (argc - 1, argv + 1);
  gboolean help = argc >= 2 && (strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0);
  if (!help && argc >= 2) {
    g_autoptr (GString) names = g_string_new (NULL);
    for (guint i = 0; i < n_verbs; i++)
      g_string_append_printf (names, "%s%s", i == 0 ? ""
          : i + 1 == n_verbs ? " or " : ", ", verbs[i].name);
    return fa_cli_fail ("unknown %s verb \"%s\" (%s; see `facealert %s "
        "--help`)", group, argv[1], names->str, group);
  }
  FILE *out = help ? stdout : stderr;
  fprintf (out, "Usage: facealert %s VERB [OPTION...]\n\n%s\n\n", group, about);
  for (guint i = 0; i < n_verbs; i++)
    fprintf (out, "  facealert %s %s\n", group, verbs[i].usage);
  fprintf (out, "\n%s\n", footer);
  return help ? 0 : 2;
}
