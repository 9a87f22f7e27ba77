/* facealert CLI: `alerts list|show|retry|purge`, over the SQLite outboxes
 * written by alertsink (docs/cli-alerts.md). Safe while alertsinks run:
 * the outboxes are opened with fa_outbox_open_existing(). The switches
 * (`alerts enable|disable|switches`) are in cmd-household.c. */
#include "cmd-household.h"
#include "fa-cli.h"
#include "fa-cli-time.h"
#include "fa-error.h"
#include "fa-json.h"
#include "fa-outbox.h"
#include "fa-paths.h"

#include <stdio.h>
#include <string.h>

/* Options of every verb. */
static gchar *opt_outbox;
static gchar *opt_camera;

#define OUTBOX_ENTRY \
  { "outbox", 0, 0, G_OPTION_ARG_FILENAME, &opt_outbox, \
    "Outbox file, or a directory of them (default: every *.sqlite in " \
    "$FACEALERT_OUTBOX_DIR or ~/.local/state/facealert/outbox)", "PATH" }
#define CAMERA_ENTRY \
  { "camera", 0, 0, G_OPTION_ARG_STRING, &opt_camera, \
    "Only alerts of this camera (alertsink's camera property)", "NAME" }

/* ---- outboxes ---------------------------------------------------------- */

static void
close_outbox (gpointer outbox)
{
  fa_outbox_close (outbox);
}

/* The outboxes named by --outbox (a file, or a directory of *.sqlite files),
 * else those in the default directory. Fails when there are none. */
static GPtrArray *
open_outboxes (GError **error)
{
  g_autofree gchar *default_dir = NULL;
  const gchar *path = opt_outbox;
  if (path == NULL)
    path = default_dir = fa_paths_dir (FA_DIR_OUTBOX);
  g_autoptr (GPtrArray) outboxes = g_ptr_array_new_with_free_func (close_outbox);

  if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
    if (opt_outbox == NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no outbox directory %s "
          "(no alertsink has run as this user; give --outbox PATH or set "
          "FACEALERT_OUTBOX_DIR)", path);
      return NULL;
    }
    FaOutbox *outbox = fa_outbox_open_existing (path, error);
    if (outbox == NULL)
      return NULL;
    g_ptr_array_add (outboxes, outbox);
    return g_steal_pointer (&outboxes);
  }

  g_autoptr (GDir) dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const gchar *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".sqlite"))
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  if (names->len == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no outbox in %s (no "
        "*.sqlite file: has an alertsink run with this outbox-location?)", path);
    return NULL;
  }
  for (guint i = 0; i < names->len; i++) {
    FaOutbox *outbox = fa_outbox_open_existing (g_ptr_array_index (names, i), error);
    if (outbox == NULL)
      return NULL;
    g_ptr_array_add (outboxes, outbox);
  }
  return g_steal_pointer (&outboxes);
}

static const gchar *
outboxes_where (void)
{
  static gchar *where;
  if (where == NULL)
    where = opt_outbox != NULL ? g_strdup (opt_outbox) : fa_paths_dir (FA_DIR_OUTBOX);
  return where;
}

typedef struct {
  FaOutboxAlert *alert;
  FaOutbox *outbox;
} Found;

/* The one alert whose id is, or starts with, @id, in any outbox. */
static gboolean
find_alert (GPtrArray *outboxes, const gchar *id, Found *found, GError **error)
{
  found->alert = NULL;
  for (guint i = 0; i < outboxes->len; i++) {
    FaOutbox *outbox = g_ptr_array_index (outboxes, i);
    GError *local = NULL;
    FaOutboxAlert *alert = fa_outbox_get (outbox, id, &local);
    if (alert == NULL) {
      if (g_error_matches (local, FA_ERROR, FA_ERROR_NOT_FOUND)) {
        g_clear_error (&local);
        continue;
      }
      g_clear_pointer (&found->alert, fa_outbox_alert_free);
      g_propagate_error (error, local);
      return FALSE;
    }
    if (found->alert != NULL) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "alert id "
          "prefix \"%s\" matches alerts in %s and %s: give more characters", id,
          fa_outbox_get_path (found->outbox), fa_outbox_get_path (outbox));
      fa_outbox_alert_free (alert);
      g_clear_pointer (&found->alert, fa_outbox_alert_free);
      return FALSE;
    }
    found->alert = alert;
    found->outbox = outbox;
  }
  if (found->alert == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no alert %s in %s (see "
        "`facealert alerts list`)", id, outboxes_where ());
    return FALSE;
  }
  return TRUE;
}

/* ---- output ------------------------------------------------------------ */

static void
add_alert_members (JsonBuilder *b, const FaOutboxAlert *a, FaOutbox *outbox)
{
  /* Times in epoch seconds (as the stream verbs print them), null for 0. */
  fa_json_add_string_member (b, "Id", a->id);
  fa_json_add_string_member (b, "State", fa_outbox_state_name (a->state));
  fa_json_add_string_member (b, "Camera", a->camera);
  fa_json_add_time_member (b, "CreatedTime", a->created_us, 1e6);
  json_builder_set_member_name (b, "Attempts");
  json_builder_add_int_value (b, a->attempts);
  fa_json_add_string_member (b, "LastErrorCode", a->last_error_code);
  fa_json_add_string_member (b, "LastError", a->last_error);
  fa_json_add_string_member (b, "MessageId", a->message_id);
  fa_json_add_time_member (b, "DeliveredTime", a->delivered_us, 1e6);
  fa_json_add_time_member (b, "NextAttemptTime",
      a->state == FA_OUTBOX_STATE_PENDING
      ? MAX (a->next_attempt_us, a->created_us) : 0, 1e6);
  fa_json_add_string_member (b, "Subject", a->subject);
  fa_json_add_string_member (b, "TopicArn", a->topic_arn);
  fa_json_add_string_member (b, "PhoneNumber", a->phone_number);
  fa_json_add_string_member (b, "Outbox", fa_outbox_get_path (outbox));
  json_builder_set_member_name (b, "Deliveries");
  json_builder_begin_array (b);
  for (guint i = 0; i < a->deliveries->len; i++) {
    const FaOutboxDelivery *d = g_ptr_array_index (a->deliveries, i);
    json_builder_begin_object (b);
    fa_json_add_string_member (b, "Target", d->target);
    fa_json_add_string_member (b, "State", fa_outbox_state_name (d->state));
    json_builder_set_member_name (b, "Attempts");
    json_builder_add_int_value (b, d->attempts);
    fa_json_add_string_member (b, "Receipt", d->receipt);
    fa_json_add_string_member (b, "LastErrorCode", d->last_error_code);
    fa_json_add_string_member (b, "LastError", d->last_error);
    fa_json_add_time_member (b, "DeliveredTime", d->delivered_us, 1e6);
    fa_json_add_time_member (b, "NextAttemptTime",
        d->state == FA_OUTBOX_STATE_PENDING
        ? MAX (d->next_attempt_us, a->created_us) : 0, 1e6);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
}

/* "sns:delivered,mqtt:pending" */
static gchar *
targets_of (const FaOutboxAlert *a)
{
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < a->deliveries->len; i++) {
    const FaOutboxDelivery *d = g_ptr_array_index (a->deliveries, i);
    g_string_append_printf (text, "%s%s:%s", i > 0 ? "," : "", d->target,
        fa_outbox_state_name (d->state));
  }
  if (text->len == 0)
    g_string_append (text, "-");
  return g_string_free (text, FALSE);
}

static const gchar *
or_dash (const gchar *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

/* ---- list -------------------------------------------------------------- */

typedef struct {
  FaOutboxAlert *alert;
  FaOutbox *outbox;
} Listed;

static gint
newest_first (gconstpointer pa, gconstpointer pb)
{
  const Listed *a = pa, *b = pb;
  if (a->alert->created_us != b->alert->created_us)
    return a->alert->created_us > b->alert->created_us ? -1 : 1;
  return g_strcmp0 (a->alert->id, b->alert->id);
}

static int
run_list (int argc, gchar **argv)
{
  gchar *state = NULL, *since = NULL, *target = NULL;
  gint limit = 0;
  const GOptionEntry entries[] = {
    {"state", 0, 0, G_OPTION_ARG_STRING, &state,
        "pending, delivered, failed or all (default)", "STATE"},
    CAMERA_ENTRY,
    {"since", 0, 0, G_OPTION_ARG_STRING, &since,
        "Only alerts created at or after TIME (ISO 8601 or epoch seconds)", "TIME"},
    {"limit", 0, 0, G_OPTION_ARG_INT, &limit,
        "At most N alerts, the newest (default: all)", "N"},
    {"target", 0, 0, G_OPTION_ARG_STRING, &target,
        "With --state: the state of the delivery to this target (sns, mqtt) "
        "rather than the alert's", "TARGET"},
    OUTBOX_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "- list alerts",
          "One line per alert, newest first: id, time (UTC), camera, state, "
          "attempts, last error code, SNS MessageId, each target's state, "
          "subject.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\" (see `facealert alerts list --help`)",
        argv[1]);
  FaOutboxQuery query = { .camera = opt_camera, .limit = MAX (limit, 0),
    .target = target };
  if (limit < 0)
    return fa_cli_fail ("--limit must be a positive number, not %d", limit);
  if (target != NULL && state == NULL)
    return fa_cli_fail ("--target goes with --state (e.g. --state pending --target mqtt)");
  if (state != NULL && (query.states = fa_outbox_state_from_name (state)) == 0)
    return fa_cli_fail ("--state must be pending, delivered, failed or all, "
        "not \"%s\"", state);
  if (since != NULL && !fa_cli_parse_time ("--since", since, &query.since_us, &error))
    return fa_cli_fail_error (error);
  if (since != NULL && query.since_us == 0)
    query.since_us = 1;

  g_autoptr (GPtrArray) outboxes = open_outboxes (&error);
  if (outboxes == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) all_alerts = g_ptr_array_new_with_free_func
      ((GDestroyNotify) fa_outbox_alert_free);
  g_autoptr (GArray) listed = g_array_new (FALSE, FALSE, sizeof (Listed));
  for (guint i = 0; i < outboxes->len; i++) {
    FaOutbox *outbox = g_ptr_array_index (outboxes, i);
    GPtrArray *alerts = fa_outbox_list (outbox, &query, &error);
    if (alerts == NULL)
      return fa_cli_fail_error (error);
    for (guint j = 0; j < alerts->len; j++) {
      Listed l = { g_ptr_array_index (alerts, j), outbox };
      g_array_append_val (listed, l);
    }
    g_ptr_array_extend_and_steal (all_alerts, alerts);   /* owns them now */
  }
  g_array_sort (listed, newest_first);
  if (query.limit > 0 && listed->len > query.limit)
    g_array_set_size (listed, query.limit);

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Alerts");
    json_builder_begin_array (b);
    for (guint i = 0; i < listed->len; i++) {
      Listed *l = &g_array_index (listed, Listed, i);
      json_builder_begin_object (b);
      add_alert_members (b, l->alert, l->outbox);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
    return 0;
  }
  printf ("%-36s  %-24s  %-12s  %-9s  %8s  %-21s  %-36s  %-28s  %s\n", "ID",
      "TIME", "CAMERA", "STATE", "ATTEMPTS", "ERROR", "MESSAGE_ID", "TARGETS",
      "SUBJECT");
  for (guint i = 0; i < listed->len; i++) {
    const FaOutboxAlert *a = g_array_index (listed, Listed, i).alert;
    g_autofree gchar *time = fa_cli_format_time (a->created_us);
    g_autofree gchar *targets = targets_of (a);
    printf ("%-36s  %-24s  %-12s  %-9s  %8u  %-21s  %-36s  %-28s  %s\n", a->id,
        time, or_dash (a->camera), fa_outbox_state_name (a->state), a->attempts,
        or_dash (a->last_error_code), or_dash (a->message_id), targets,
        or_dash (a->subject));
  }
  return 0;
}

/* ---- show -------------------------------------------------------------- */

/* The JSON payload alertsink puts under "http" of a MessageStructure=json
 * message; NULL when the message is something else. */
static JsonNode *
payload_of (const FaOutboxAlert *a)
{
  if (!a->json_structure || a->message == NULL)
    return NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, a->message, -1, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  JsonObject *structure = json_node_get_object (root);
  const gchar *http = json_object_has_member (structure, "http")
      ? json_object_get_string_member (structure, "http") : NULL;
  if (http == NULL)
    return NULL;
  g_autoptr (JsonParser) inner = json_parser_new ();
  if (!json_parser_load_from_data (inner, http, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (inner)))
    return NULL;
  return json_node_copy (json_parser_get_root (inner));
}

static const gchar *
snapshot_of (JsonNode *payload, const gchar *which)
{
  if (payload == NULL)
    return NULL;
  JsonObject *o = json_node_get_object (payload);
  JsonNode *snapshot = json_object_get_member (o, "snapshot");
  if (snapshot == NULL || !JSON_NODE_HOLDS_OBJECT (snapshot))
    return NULL;
  JsonNode *path = json_object_get_member (json_node_get_object (snapshot), which);
  return path != NULL && JSON_NODE_HOLDS_VALUE (path)
      && json_node_get_value_type (path) == G_TYPE_STRING
      ? json_node_get_string (path) : NULL;
}

static gchar *
print_node (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static int
run_show (int argc, gchar **argv)
{
  const GOptionEntry entries[] = { OUTBOX_ENTRY, {NULL} };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "ID - show one alert",
          "Everything stored about one alert: state, attempts, errors, the SNS "
          "request and the payload with its snapshot files. ID may be a unique "
          "prefix (at least 4 characters).", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc != 2)
    return fa_cli_fail ("usage: facealert alerts show ID [--outbox PATH] [--output json]");
  g_autoptr (GPtrArray) outboxes = open_outboxes (&error);
  if (outboxes == NULL)
    return fa_cli_fail_error (error);
  Found found;
  if (!find_alert (outboxes, argv[1], &found, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaOutboxAlert) a = found.alert;
  g_autoptr (JsonNode) payload = payload_of (a);
  const gchar *frame = snapshot_of (payload, "frame");
  const gchar *face = snapshot_of (payload, "face");

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    add_alert_members (b, a, found.outbox);
    fa_json_add_string_member (b, "DeduplicationId", a->deduplication_id);
    fa_json_add_string_member (b, "GroupId", a->group_id);
    json_builder_set_member_name (b, "MessageAttributes");
    json_builder_begin_object (b);
    for (guint i = 0; a->attributes != NULL && a->attributes[i] != NULL
        && a->attributes[i + 1] != NULL; i += 2) {
      json_builder_set_member_name (b, a->attributes[i]);
      json_builder_add_string_value (b, a->attributes[i + 1]);
    }
    json_builder_end_object (b);
    json_builder_set_member_name (b, "MessageStructure");
    json_builder_add_string_value (b, a->json_structure ? "json" : "");
    fa_json_add_string_member (b, "Message", a->message);
    json_builder_set_member_name (b, "Payload");
    if (payload != NULL)
      json_builder_add_value (b, json_node_copy (payload));
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "Snapshots");
    json_builder_begin_object (b);
    fa_json_add_string_member (b, "Frame", frame);
    fa_json_add_string_member (b, "Face", face);
    json_builder_end_object (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
    return 0;
  }

  g_autofree gchar *created = fa_cli_format_time (a->created_us);
  g_autofree gchar *delivered = a->delivered_us > 0
      ? fa_cli_format_time (a->delivered_us) : NULL;
  g_autofree gchar *next = a->state == FA_OUTBOX_STATE_PENDING
      ? fa_cli_format_time (MAX (a->next_attempt_us, a->created_us)) : NULL;
  printf ("Id:              %s\n", a->id);
  printf ("State:           %s\n", fa_outbox_state_name (a->state));
  printf ("Camera:          %s\n", or_dash (a->camera));
  printf ("Created:         %s\n", created);
  printf ("Attempts:        %u\n", a->attempts);
  if (next != NULL)
    printf ("Next attempt:    %s or later (when an alertsink runs on this outbox)\n",
        next);
  printf ("Last error:      %s%s%s\n", or_dash (a->last_error_code),
      a->last_error != NULL ? ": " : "", a->last_error != NULL ? a->last_error : "");
  printf ("MessageId:       %s\n", or_dash (a->message_id));
  printf ("Delivered:       %s\n", or_dash (delivered));
  for (guint i = 0; i < a->deliveries->len; i++) {
    const FaOutboxDelivery *d = g_ptr_array_index (a->deliveries, i);
    g_autofree gchar *when = d->delivered_us > 0
        ? fa_cli_format_time (d->delivered_us) : NULL;
    g_autofree gchar *label = g_strdup_printf ("Target %s:", d->target);
    printf ("%-16s %s, %u attempt%s%s%s%s%s%s%s\n", label,
        fa_outbox_state_name (d->state), d->attempts, d->attempts == 1 ? "" : "s",
        d->receipt != NULL ? ", receipt " : "", d->receipt != NULL ? d->receipt : "",
        when != NULL ? " at " : "", when != NULL ? when : "",
        d->state != FA_OUTBOX_STATE_DELIVERED && d->last_error != NULL
        ? ", last error: " : "", d->state != FA_OUTBOX_STATE_DELIVERED
        && d->last_error != NULL ? d->last_error : "");
  }
  if (a->topic_arn != NULL)
    printf ("Topic:           %s\n", a->topic_arn);
  if (a->phone_number != NULL)
    printf ("Phone number:    %s\n", a->phone_number);
  printf ("Subject:         %s\n", or_dash (a->subject));
  if (a->topic_arn != NULL && fa_sns_topic_is_fifo (a->topic_arn))
    printf ("FIFO ids:        deduplication %s, group %s\n",
        or_dash (a->deduplication_id), a->group_id);
  for (guint i = 0; a->attributes != NULL && a->attributes[i] != NULL
      && a->attributes[i + 1] != NULL; i += 2)
    printf ("Attribute:       %s = %s\n", a->attributes[i], a->attributes[i + 1]);
  const gchar *snapshots[2][2] = { { "Snapshot frame:", frame }, { "Snapshot face:", face } };
  for (guint i = 0; i < 2; i++)
    if (snapshots[i][1] != NULL)
      printf ("%-16s %s%s\n", snapshots[i][0], snapshots[i][1],
          g_file_test (snapshots[i][1], G_FILE_TEST_IS_REGULAR) ? "" : " (missing)");
  printf ("Outbox:          %s\n", fa_outbox_get_path (found.outbox));
  g_autofree gchar *text = payload != NULL ? print_node (payload)
      : g_strdup (or_dash (a->message));
  printf ("Payload:\n%s\n", text);
  return 0;
}

/* ---- retry ------------------------------------------------------------- */

static void
print_count (const gchar *member, gint count, const gchar *text)
{
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, member);
    json_builder_add_int_value (b, count);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    printf ("%s\n", text);
  }
}

static int
run_retry (int argc, gchar **argv)
{
  gboolean failed = FALSE;
  const GOptionEntry entries[] = {
    {"failed", 0, 0, G_OPTION_ARG_NONE, &failed, "Every failed alert", NULL},
    CAMERA_ENTRY,
    OUTBOX_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "ID|--failed - send alerts again",
          "Moves a failed alert (or, with --failed, every failed alert) back to "
          "pending: a running alertsink on that outbox sends it within a second, "
          "else the next one to start. A pending alert waiting for its backoff is "
          "made due now. The alert keeps its id (the MessageDeduplicationId on "
          "FIFO topics). Delivered alerts are never sent again.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (failed == (argc == 2) || argc > 2)
    return fa_cli_fail ("usage: facealert alerts retry (ID | --failed [--camera NAME]) "
        "[--outbox PATH]");
  if (!failed && opt_camera != NULL)
    return fa_cli_fail ("--camera goes with --failed, not with an alert id");
  g_autoptr (GPtrArray) outboxes = open_outboxes (&error);
  if (outboxes == NULL)
    return fa_cli_fail_error (error);

  if (!failed) {
    Found found;
    if (!find_alert (outboxes, argv[1], &found, &error))
      return fa_cli_fail_error (error);
    g_autoptr (FaOutboxAlert) a = found.alert;
    FaOutboxStates previous = 0;
    if (!fa_outbox_requeue (found.outbox, a->id, &previous, &error))
      return fa_cli_fail_error (error);
    g_autofree gchar *text = g_strdup_printf ("%s %s (camera %s): pending, due now",
        previous == FA_OUTBOX_STATE_FAILED ? "requeued" : "retrying", a->id,
        or_dash (a->camera));
    print_count ("Requeued", 1, text);
    return 0;
  }
  gint total = 0;
  for (guint i = 0; i < outboxes->len; i++) {
    gint n = fa_outbox_requeue_failed (g_ptr_array_index (outboxes, i), opt_camera,
        &error);
    if (n < 0)
      return fa_cli_fail_error (error);
    total += n;
  }
  g_autofree gchar *text = g_strdup_printf ("requeued %d failed alert%s", total,
      total == 1 ? "" : "s");
  print_count ("Requeued", total, text);
  return 0;
}

/* ---- purge ------------------------------------------------------------- */

static int
run_purge (int argc, gchar **argv)
{
  gboolean delivered = FALSE, failed = FALSE;
  gchar *before = NULL;
  const GOptionEntry entries[] = {
    {"delivered", 0, 0, G_OPTION_ARG_NONE, &delivered, "Delete delivered alerts", NULL},
    {"failed", 0, 0, G_OPTION_ARG_NONE, &failed,
        "Delete failed alerts (they will never be sent)", NULL},
    {"before", 0, 0, G_OPTION_ARG_STRING, &before,
        "Only alerts created before TIME (ISO 8601 or epoch seconds; required)", "TIME"},
    OUTBOX_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, "--delivered --before TIME - delete old alerts",
          "Deletes delivered (and with --failed, failed) alerts created before "
          "TIME from the outboxes. Pending alerts are never deleted; snapshot "
          "files are left alone.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("unexpected argument \"%s\"", argv[1]);
  if (!delivered && !failed)
    return fa_cli_fail ("say what to purge: --delivered (and/or --failed)");
  if (before == NULL)
    return fa_cli_fail ("--before TIME is required (e.g. --before 2026-05-01T00:00:00Z)");
  gint64 before_us;
  if (!fa_cli_parse_time ("--before", before, &before_us, &error))
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) outboxes = open_outboxes (&error);
  if (outboxes == NULL)
    return fa_cli_fail_error (error);
  FaOutboxStates states = (delivered ? FA_OUTBOX_STATE_DELIVERED : 0)
      | (failed ? FA_OUTBOX_STATE_FAILED : 0);
  gint total = 0;
  for (guint i = 0; i < outboxes->len; i++) {
    gint n = fa_outbox_purge (g_ptr_array_index (outboxes, i), states, before_us,
        &error);
    if (n < 0)
      return fa_cli_fail_error (error);
    total += n;
  }
  g_autofree gchar *when = fa_cli_format_time (before_us);
  g_autofree gchar *text = g_strdup_printf ("purged %d %s alert%s created before %s",
      total, delivered && failed ? "delivered or failed" : delivered ? "delivered"
      : "failed", total == 1 ? "" : "s", when);
  print_count ("Purged", total, text);
  return 0;
}

/* ---- group ------------------------------------------------------------- */

static const FaCliVerb verbs[] = {
  { "list", run_list, "list [--state pending|delivered|failed|all [--target T]] "
        "[--camera C] [--since TIME] [--limit N]" },
  { "show", run_show, "show ID" },
  { "retry", run_retry, "retry (ID | --failed [--camera C])" },
  { "purge", run_purge, "purge --delivered [--failed] --before TIME" },
  { "enable", fa_cli_alerts_enable, "enable --camera C" },
  { "disable", fa_cli_alerts_disable, "disable --camera C" },
  { "switches", fa_cli_alerts_switches, "switches [--camera C]" },
};

static int
run_alerts (int argc, gchar **argv)
{
  return fa_cli_run_verb (argc, argv, "alerts", verbs, G_N_ELEMENTS (verbs),
      "See and manage what alertsink sent or failed to send (its outboxes),\n"
      "and turn a camera's alerts off and on.",
      "list, show, retry and purge take --outbox PATH; every verb takes "
      "--output json|text;\n`facealert alerts VERB --help` for details.");
}

const FaCliGroup fa_cli_group_alerts = {
  "alerts", "list, show, retry and purge alerts; turn a camera's alerts on/off",
  run_alerts
};
