/* facealert CLI: the household's switches for people without Home
 * Assistant (docs/cli-alerts.md "Switches"): `facealert mode [home|away]`
 * and `facealert alerts enable|disable|switches`. The same file every
 * alertsink of the household reads (lib/alert/fa-household.h); a running
 * alertsink follows a change within a second, and so do the switches Home
 * Assistant shows over MQTT. */
#include "cmd-household.h"
#include "fa-household.h"

#include <stdio.h>
#include <string.h>

static gchar *opt_state_file;

#define STATE_FILE_ENTRY \
  { "state-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_state_file, \
    "The household state file (default: household.json in " \
    "$FACEALERT_STATE_DIR or ~/.local/state/facealert)", "PATH" }

/* The household state. For a change (@changing) an unreadable file is only
 * noted: the change writes it whole again, from the defaults. */
static FaHousehold *
open_household (gboolean changing, GError **error)
{
  FaHousehold *household = fa_household_open (opt_state_file);
  GError *local = NULL;
  if (!fa_household_refresh (household, NULL, &local)) {
    if (!changing) {
      g_propagate_error (error, local);
      fa_household_free (household);
      return NULL;
    }
    fprintf (stderr, "facealert: note: %s; rewriting it from the defaults "
        "(away, every camera on) with this change\n", local->message);
    g_error_free (local);
  }
  return household;
}

static void
print_object (const gchar *key1, const gchar *value1, const gchar *key2,
    gint alerts)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, key1);
  json_builder_add_string_value (b, value1);
  if (key2 != NULL) {
    json_builder_set_member_name (b, key2);
    json_builder_add_boolean_value (b, alerts);
  }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  fa_cli_print_json (root);
}

/* ---- facealert mode ------------------------------------------------------ */

static int
run_mode (int argc, gchar **argv)
{
  const GOptionEntry entries[] = { STATE_FILE_ENTRY, {NULL} };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "[home|away] - show or set the household mode",
          "Away (the default): the person rule of alertsink (alert-on=...,person) "
          "alerts. Home: it does not; unknown faces alert in both modes. Every "
          "alertsink of the household follows within a second, and Home "
          "Assistant's mode select with it.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 2)
    return fa_cli_fail ("usage: facealert mode [home|away] [--state-file PATH]");
  FaHouseholdMode mode;
  if (argc == 2 && !fa_household_mode_from_name (argv[1], &mode))
    return fa_cli_fail ("the household mode is home or away, not \"%s\"", argv[1]);
  g_autoptr (FaHousehold) household = open_household (argc == 2, &error);
  if (household == NULL)
    return fa_cli_fail_error (error);
  FaHouseholdMode was = fa_household_get_mode (household);
  if (argc == 2 && !fa_household_set_mode (household, mode, &error))
    return fa_cli_fail_error (error);
  const gchar *now = fa_household_mode_name (fa_household_get_mode (household));
  if (fa_cli_output == FA_OUTPUT_JSON)
    print_object ("Mode", now, NULL, 0);
  else if (argc == 2)
    printf ("mode: %s (was %s)\n", now, fa_household_mode_name (was));
  else
    printf ("%s\n", now);
  return 0;
}

const FaCliGroup fa_cli_group_mode = {
  "mode", "show or set the household mode (home or away)", run_mode
};

/* ---- facealert alerts enable|disable|switches ------------------------------ */

static int
run_switch (int argc, gchar **argv, gboolean on)
{
  gchar *camera = NULL;
  const GOptionEntry entries[] = {
    {"camera", 0, 0, G_OPTION_ARG_STRING, &camera,
        "The camera (alertsink's camera property; required)", "NAME"},
    STATE_FILE_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  g_autofree gchar *usage = g_strdup_printf ("--camera NAME - %s a camera's alerts",
      on ? "turn on" : "turn off");
  if (!fa_cli_parse (&argc, &argv, usage, on ? "The camera alerts again (SNS and "
          "MQTT), as it does by default." : "The camera raises no alert at all, "
          "on SNS nor MQTT, until enabled again; remembered across restarts. "
          "Its recording, its faces and Home Assistant's sensors go on.",
          entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\" (give the camera with --camera)",
        argv[1]);
  if (camera == NULL || *camera == '\0')
    return fa_cli_fail ("--camera NAME is required (the camera property of its "
        "alertsink, e.g. --camera cam2)");
  g_autoptr (FaHousehold) household = open_household (TRUE, &error);
  if (household == NULL)
    return fa_cli_fail_error (error);
  if (!fa_household_set_alerts (household, camera, on, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON)
    print_object ("Camera", camera, "Alerts", on);
  else
    printf ("alerts of %s: %s\n", camera, on ? "on" : "off");
  return 0;
}

int
fa_cli_alerts_enable (int argc, gchar **argv)
{
  return run_switch (argc, argv, TRUE);
}

int
fa_cli_alerts_disable (int argc, gchar **argv)
{
  return run_switch (argc, argv, FALSE);
}

int
fa_cli_alerts_switches (int argc, gchar **argv)
{
  gchar *camera = NULL;
  const GOptionEntry entries[] = {
    {"camera", 0, 0, G_OPTION_ARG_STRING, &camera, "Only this camera", "NAME"},
    STATE_FILE_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "- show the alert switches and the mode",
          "Cameras whose alerts were switched (on or off); every other camera "
          "alerts.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\"", argv[1]);
  g_autoptr (FaHousehold) household = open_household (FALSE, &error);
  if (household == NULL)
    return fa_cli_fail_error (error);
  g_auto (GStrv) listed = fa_household_list_cameras (household);
  g_autoptr (GPtrArray) cameras = g_ptr_array_new ();
  if (camera != NULL)
    g_ptr_array_add (cameras, camera);
  else
    for (guint i = 0; listed[i] != NULL; i++)
      g_ptr_array_add (cameras, listed[i]);
  const gchar *mode = fa_household_mode_name (fa_household_get_mode (household));

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Mode");
    json_builder_add_string_value (b, mode);
    json_builder_set_member_name (b, "Cameras");
    json_builder_begin_array (b);
    for (guint i = 0; i < cameras->len; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Camera");
      json_builder_add_string_value (b, g_ptr_array_index (cameras, i));
      json_builder_set_member_name (b, "Alerts");
      json_builder_add_boolean_value (b, fa_household_get_alerts (household,
              g_ptr_array_index (cameras, i)));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
    return 0;
  }
  printf ("mode: %s\n", mode);
  if (cameras->len > 0)
    printf ("%-20s  %s\n", "CAMERA", "ALERTS");
  for (guint i = 0; i < cameras->len; i++)
    printf ("%-20s  %s\n", (gchar *) g_ptr_array_index (cameras, i),
        fa_household_get_alerts (household, g_ptr_array_index (cameras, i))
        ? "on" : "off");
  if (camera == NULL)
    printf ("%s\n", cameras->len > 0 ? "(every other camera: on)"
        : "every camera: on");
  return 0;
}
