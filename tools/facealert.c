/* facealert: command-line access to face collections, the local stream store
 * and alerts, in the spirit of the AWS CLI (`facealert GROUP VERB [options]`). */

#include "cmd-groups.h"

#include <stdio.h>
#include <string.h>

/* One line per sub-command group (declared in cmd-groups.h). */
static const FaCliGroup *const groups[] = {
  &fa_cli_group_collection,
  &fa_cli_group_faces,
  &fa_cli_streams, &fa_cli_fragments, &fa_cli_clip, &fa_cli_images, &fa_cli_media,
  &fa_cli_group_alerts,
  &fa_cli_group_sightings,
  &fa_cli_group_consume,
  &fa_cli_group_serve,
  NULL
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: facealert GROUP VERB [OPTION...]\n\nGroups:\n");
  for (guint i = 0; groups[i] != NULL; i++)
    fprintf (out, "  %-12s %s\n", groups[i]->name, groups[i]->summary);
  fprintf (out, "\nRun `facealert GROUP --help` for a group's verbs and options.\n");
}

int
main (int argc, char **argv)
{
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0) {
    print_usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp (argv[1], "--version") == 0) {
    printf ("facealert %s\n", FA_VERSION);
    return 0;
  }
  for (guint i = 0; groups[i] != NULL; i++)
    if (strcmp (argv[1], groups[i]->name) == 0)
      return groups[i]->run (argc - 1, argv + 1);

  return fa_cli_fail ("unknown command \"%s\" (run `facealert --help` for the list)", argv[1]);
}
