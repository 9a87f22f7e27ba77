/* facealert CLI: shared pieces of the sub-commands. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_OUTPUT_TEXT,
  FA_OUTPUT_JSON,
} FaOutputFormat;

/* A sub-command group: `facealert GROUP VERB [options]`. @argv[0] is GROUP.
 * Returns the process exit code. */
typedef struct {
  const gchar *name;
  const gchar *summary;
  int (*run) (int argc, gchar **argv);
} FaCliGroup;

/* Parses --output json|text (stored in @format); for GOptionEntry callbacks. */
gboolean fa_cli_parse_output (const gchar *option_name, const gchar *value,
    gpointer data, GError **error);
/* Long form only, as in the AWS CLI: -o is an output file for some verbs. */
#define FA_CLI_OUTPUT_ENTRY \
  { "output", 0, 0, G_OPTION_ARG_CALLBACK, fa_cli_parse_output, \
    "Output format: text (default) or json", "FORMAT" }

/* Prints "facealert: MESSAGE" on stderr and returns the exit code 1. */
int fa_cli_fail (const gchar *format, ...) G_GNUC_PRINTF (1, 2);
/* Same, from a GError (which is freed). */
int fa_cli_fail_error (GError *error);
/* Prints "facealert: MESSAGE" on stderr: something the user should know
 * about a command that still succeeds. */
void fa_cli_warn (const gchar *format, ...) G_GNUC_PRINTF (1, 2);

/* Prints @node as pretty JSON on stdout, followed by a newline. */
void fa_cli_print_json (JsonNode *node);

/* The output format chosen with --output (process-wide: one command per run). */
extern FaOutputFormat fa_cli_output;

/* Parses @argc/@argv for `facealert GROUP VERB` with the verb's @entries and
 * the options every verb of the group shares, @group_entries (either may be
 * NULL). --output is added automatically. */
gboolean fa_cli_parse (int *argc, gchar ***argv, const gchar *usage,
    const gchar *summary, const GOptionEntry *entries,
    const GOptionEntry *group_entries, GError **error);

/* A verb of a group: `facealert GROUP NAME ...`; @usage is the line after
 * "facealert GROUP ". @run gets argv[0] = the verb. */
typedef struct {
  const gchar *name;
  int (*run) (int argc, gchar **argv);
  const gchar *usage;
} FaCliVerb;

/* Runs the verb @argv[1] of @group among @verbs. With --help/-h (exit 0) or
 * no verb (exit 2) prints "Usage: facealert GROUP VERB [OPTION...]", @about,
 * the verbs' usage lines and @footer (both without a final newline); an
 * unknown verb is a one-line error naming the verbs. */
int fa_cli_run_verb (int argc, gchar **argv, const gchar *group,
    const FaCliVerb *verbs, guint n_verbs, const gchar *about,
    const gchar *footer);

G_END_DECLS
