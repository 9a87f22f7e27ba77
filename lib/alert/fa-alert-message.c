/* facealert: alert subjects, payloads and SNS messages. See fa-alert-message.h. */
#include "fa-alert-message.h"
#include "fa-error.h"
#include "fa-sns.h"

#include <json-glib/json-glib.h>
#include <string.h>

gchar *
fa_alert_ascii_clean (const gchar *text, gsize max, gboolean id_chars)
{
  GString *out = g_string_new (NULL);
  for (const gchar *p = text != NULL ? text : ""; *p != '\0' && out->len < max; p++) {
    guchar c = (guchar) *p;
    if (id_chars)
      g_string_append_c (out, g_ascii_isalnum (c) || c == '-' || c == '_'
          || c == '.' ? (gchar) c : '-');
    else
      g_string_append_c (out, c >= 0x20 && c < 0x7f ? (gchar) c : '?');
  }
  if (out->len == 0)
    g_string_append (out, "camera");
  return g_string_free (out, FALSE);
}

const gchar *
fa_alert_event (const FaAlert *alert)
{
  switch (alert->rule) {
    case FA_ALERT_ON_PERSON:
      return "person";
    case FA_ALERT_ON_KNOWN:
      return "known-face";
    default:
      return "unknown-face";
  }
}

static const gchar *
rule_word (FaAlertOn rule)
{
  return rule == FA_ALERT_ON_PERSON ? "person"
      : rule == FA_ALERT_ON_KNOWN ? "known" : "unknown";
}

static gchar *
subject_text (const FaAlert *alert)
{
  if (alert->rule == FA_ALERT_ON_PERSON) {
    const gchar *why = alert->face_track_id == 0 ? "face not seen"
        : alert->face_decided ? "unknown face" : "face not recognised";
    return g_strdup_printf ("Person at %s (%s)", alert->camera, why);
  }
  if (alert->rule == FA_ALERT_ON_KNOWN)
    return g_strdup_printf ("%s at %s", alert->name != NULL && *alert->name
        ? alert->name : "Known face", alert->camera);
  return g_strdup_printf ("Unknown face at %s", alert->camera);
}

gchar *
fa_alert_subject (const FaAlert *alert)
{
  g_autofree gchar *text = subject_text (alert);
  return fa_alert_ascii_clean (text, FA_SNS_MAX_SUBJECT_CHARS, FALSE);
}

gchar *
fa_alert_line (const FaAlert *alert)
{
  g_autofree gchar *text = subject_text (alert);
  g_autofree gchar *clock = g_date_time_format (alert->time, "%H:%M:%S");
  return g_strdup_printf ("%s %s", text, clock);
}

static void
add_string (JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value != NULL ? value : "");
}

static void
add_int (JsonBuilder *b, const gchar *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_double (JsonBuilder *b, const gchar *name, gdouble value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

static void
add_box (JsonBuilder *b, const gchar *name, const FaRect *box)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  add_int (b, "x", (gint64) box->x);
  add_int (b, "y", (gint64) box->y);
  add_int (b, "width", (gint64) box->width);
  add_int (b, "height", (gint64) box->height);
  json_builder_end_object (b);
}

gchar *
fa_alert_payload (const FaAlert *a, gboolean with_record)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree gchar *time_text = g_date_time_format_iso8601 (a->time);
  gboolean person_rule = a->rule == FA_ALERT_ON_PERSON;

  json_builder_begin_object (b);
  add_int (b, "version", 1);
  add_string (b, "id", a->id);
  add_string (b, "event", fa_alert_event (a));
  add_string (b, "rule", rule_word (a->rule));
  add_string (b, "camera", a->camera);
  add_string (b, "time", time_text);
  add_int (b, "track_id", (gint64) (person_rule ? a->person_track_id
          : a->face_track_id));
  json_builder_set_member_name (b, "known");
  json_builder_add_boolean_value (b, a->known);
  add_string (b, "name", a->name);
  add_string (b, "face_id", a->face_id);
  add_double (b, "similarity", a->similarity);
  if (a->face_track_id != 0)
    add_int (b, "face_track_id", (gint64) a->face_track_id);
  if (a->has_face) {
    add_box (b, "face_box", &a->face_box);
    add_double (b, "detection_score", a->detection_score);
  }
  if (a->has_person) {
    add_int (b, "person_track_id", (gint64) a->person_track_id);
    add_box (b, "person_box", &a->person_box);
    add_double (b, "person_score", a->person_score);
  }
  if (a->pts_ns >= 0)
    add_int (b, "pts_ns", a->pts_ns);
  if (a->snapshot_frame != NULL || a->snapshot_face != NULL
      || a->snapshot_person != NULL) {
    json_builder_set_member_name (b, "snapshot");
    json_builder_begin_object (b);
    if (a->snapshot_frame != NULL)
      add_string (b, "frame", a->snapshot_frame);
    if (a->snapshot_face != NULL)
      add_string (b, "face", a->snapshot_face);
    if (a->snapshot_person != NULL)
      add_string (b, "person", a->snapshot_person);
    json_builder_end_object (b);
  }
  if (a->record != NULL && *a->record != '\0') {
    JsonNode *node = with_record ? json_from_string (a->record, NULL) : NULL;
    if (node != NULL) {
      json_builder_set_member_name (b, "record");
      json_builder_add_value (b, node);
    } else {
      add_string (b, "record_omitted", with_record ? "not valid JSON"
          : "too large for an SNS message (256 KiB)");
    }
  }
  json_builder_end_object (b);

  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* MessageStructure=json: `default` for people (SMS, email, push), the JSON
 * payload for machines. Every value is a string, as SNS requires. */
static gchar *
sns_structure (const gchar *line, const gchar *payload)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  add_string (b, "default", line);
  add_string (b, "sms", line);
  add_string (b, "http", payload);
  add_string (b, "https", payload);
  add_string (b, "sqs", payload);
  add_string (b, "lambda", payload);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

gchar *
fa_alert_sns_message (const FaAlert *alert, gsize max_bytes, GError **error)
{
  g_autofree gchar *line = fa_alert_line (alert);
  for (int with_record = 1; with_record >= 0; with_record--) {
    g_autofree gchar *payload = fa_alert_payload (alert, with_record);
    gchar *message = sns_structure (line, payload);
    if (strlen (message) <= max_bytes)
      return message;
    g_free (message);
  }
  g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
      "the alert message is larger than %" G_GSIZE_FORMAT " bytes even "
      "without facematch's record", max_bytes);
  return NULL;
}
