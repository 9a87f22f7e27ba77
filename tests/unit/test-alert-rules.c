/* alertsink's decisions without GStreamer: the alert-on list, the face rules,
 * the person rule (one alert per person, known persons and cooldown), and
 * what an alert says (subject, line, payload, SNS message). */
#include "fa-alert-message.h"
#include "fa-alert-rules.h"
#include "fa-error.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define MS (G_GINT64_CONSTANT (1000000))
#define FRAME (66 * MS)               /* 15 fps */

static FaAlertRules *
rules_new (guint alert_on, gint64 cooldown_ns)
{
  FaAlertRulesConfig config = { .alert_on = alert_on, .min_frames = 3,
    .min_duration_ns = 0, .person_min_duration_ns = 2000 * MS,
    .cooldown_ns = cooldown_ns, .track_timeout_ns = 5000 * MS };
  return fa_alert_rules_new (&config);
}

/* Feeds one frame; returns how many alerts fired (in @fired). */
static guint
feed (FaAlertRules *rules, gint64 ts, const FaAlertObservation *faces,
    guint n_faces, const FaAlertPerson *persons, guint n_persons,
    FaAlertFire *fired)
{
  return fa_alert_rules_update (rules, ts, faces, n_faces, persons, n_persons,
      fired);
}

static void
test_parse (void)
{
  guint bits = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (fa_alert_on_parse ("unknown", &bits, &error));
  g_assert_cmpuint (bits, ==, FA_ALERT_ON_UNKNOWN);
  g_assert_true (fa_alert_on_parse ("unknown,person", &bits, &error));
  g_assert_cmpuint (bits, ==, FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_PERSON);
  g_assert_true (fa_alert_on_parse (" known , person", &bits, &error));
  g_assert_cmpuint (bits, ==, FA_ALERT_ON_KNOWN | FA_ALERT_ON_PERSON);
  /* The old enum values keep their meaning: all = every face. */
  g_assert_true (fa_alert_on_parse ("all", &bits, &error));
  g_assert_cmpuint (bits, ==, FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_KNOWN);
  g_assert_true (fa_alert_on_parse ("known", &bits, &error));
  g_assert_cmpuint (bits, ==, FA_ALERT_ON_KNOWN);
  g_autofree gchar *text = fa_alert_on_to_string (FA_ALERT_ON_PERSON | FA_ALERT_ON_ALL);
  g_assert_cmpstr (text, ==, "unknown,known,person");

  bits = 0;
  g_assert_false (fa_alert_on_parse ("unknown,pets", &bits, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "\"pets\" is not a rule"));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpuint (bits, ==, 0);
  g_clear_error (&error);
  g_assert_false (fa_alert_on_parse (" , ", &bits, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
}

static void
test_faces (void)
{
  FaAlertRules *rules = rules_new (FA_ALERT_ON_UNKNOWN, 10000 * MS);
  FaAlertFire fired[2];
  FaAlertObservation unknown = { 1, FALSE, TRUE, 0 }, known = { 2, TRUE, TRUE, 0 };
  guint total = 0;
  for (gint64 t = 0; t < 10; t++) {
    FaAlertObservation faces[2] = { unknown, known };
    guint n = feed (rules, t * 40 * MS, faces, 2, NULL, 0, fired);
    if (t < 2)
      g_assert_cmpuint (n, ==, 0);   /* persistence */
    if (n > 0) {
      g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_UNKNOWN);
      g_assert_cmpuint (fired[0].index, ==, 0);
    }
    total += n;
  }
  g_assert_cmpuint (total, ==, 1);     /* one alert per track, never the known one */
  /* A second unknown track within the cooldown waits... */
  FaAlertObservation other = { 3, FALSE, TRUE, 0 };
  total = 0;
  for (gint64 t = 0; t < 5; t++)
    total += feed (rules, 1000 * MS + t, &other, 1, NULL, 0, fired);
  g_assert_cmpuint (total, ==, 0);
  g_assert_cmpuint (fa_alert_rules_n_suppressed (rules), ==, 1);
  /* ...and alerts once the cooldown is over if still there. */
  g_assert_cmpuint (feed (rules, 11000 * MS, &other, 1, NULL, 0, fired), ==, 1);
  fa_alert_rules_free (rules);

  /* alert-on=known: only the known face. */
  rules = rules_new (FA_ALERT_ON_KNOWN, 0);
  total = 0;
  for (gint64 t = 0; t < 10; t++) {
    FaAlertObservation faces[2] = { unknown, known };
    guint n = feed (rules, t * FRAME, faces, 2, NULL, 0, fired);
    if (n > 0)
      g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_KNOWN);
    total += n;
  }
  g_assert_cmpuint (total, ==, 1);
  fa_alert_rules_free (rules);
}

/* A person seen for @seconds at 15 fps, never with a face; returns the frame
 * at which it alerted (-1: never). */
static gint
person_alone (guint alert_on, gboolean known, gdouble seconds)
{
  FaAlertRules *rules = rules_new (alert_on, 0);
  FaAlertPerson person = { 5, known, 0 };
  FaAlertFire fired[1];
  gint at = -1;
  for (gint f = 0; f * FRAME < seconds * 1000 * MS; f++) {
    guint n = feed (rules, f * FRAME, NULL, 0, &person, 1, fired);
    if (n > 0) {
      g_assert_cmpint (at, ==, -1);  /* once per person track */
      g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_PERSON);
      at = f;
    }
  }
  fa_alert_rules_free (rules);
  return at;
}

static void
test_person_without_face (void)
{
  /* Alerts once person-min-duration (2 s) has passed, and only if asked to. */
  gint at = person_alone (FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_PERSON, FALSE, 6);
  g_assert_cmpint (at, >=, 0);
  g_assert_cmpint (at * FRAME, >=, 2000 * MS);
  g_assert_cmpint ((at - 1) * FRAME, <, 2000 * MS);
  g_assert_cmpint (person_alone (FA_ALERT_ON_UNKNOWN, FALSE, 6), ==, -1);
  g_assert_cmpint (person_alone (FA_ALERT_ON_ALL, FALSE, 6), ==, -1);
  /* Shorter than person-min-duration: no alert. */
  g_assert_cmpint (person_alone (FA_ALERT_ON_PERSON, FALSE, 1.9), ==, -1);
  /* A person whose face was decided known never alerts by the person rule. */
  g_assert_cmpint (person_alone (FA_ALERT_ON_PERSON, TRUE, 6), ==, -1);
}

static void
test_one_alert_per_person (void)
{
  FaAlertFire fired[2];
  guint alert_on = FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_PERSON;

  /* The face is decided unknown at 0.5 s: that face alert is the person's
   * one alert; the person rule stays silent at 2 s and later. */
  FaAlertRules *rules = rules_new (alert_on, 0);
  guint faces_fired = 0, persons_fired = 0;
  for (gint f = 0; f < 90; f++) {
    FaAlertObservation face = { 1, FALSE, f * FRAME >= 500 * MS, 7 };
    FaAlertPerson person = { 7, FALSE, 1 };
    guint n = feed (rules, f * FRAME, &face, 1, &person, 1, fired);
    for (guint i = 0; i < n; i++)
      fired[i].rule == FA_ALERT_ON_PERSON ? persons_fired++ : faces_fired++;
  }
  g_assert_cmpuint (faces_fired, ==, 1);
  g_assert_cmpuint (persons_fired, ==, 0);
  fa_alert_rules_free (rules);

  /* The back is turned for 3 s (person alert), then the face shows and is
   * decided unknown: no second alert for the same person. */
  rules = rules_new (alert_on, 0);
  faces_fired = persons_fired = 0;
  for (gint f = 0; f < 90; f++) {
    gboolean face_seen = f * FRAME >= 3000 * MS;
    FaAlertObservation face = { 4, FALSE, face_seen, 7 };
    FaAlertPerson person = { 7, FALSE, face_seen ? 4 : 0 };
    guint n = feed (rules, f * FRAME, &face, face_seen ? 1 : 0, &person, 1, fired);
    for (guint i = 0; i < n; i++)
      fired[i].rule == FA_ALERT_ON_PERSON ? persons_fired++ : faces_fired++;
  }
  g_assert_cmpuint (persons_fired, ==, 1);
  g_assert_cmpuint (faces_fired, ==, 0);
  fa_alert_rules_free (rules);

  /* Under alert-on=person only, a person whose face is decided unknown is
   * still a person to alert on (with no face known). */
  rules = rules_new (FA_ALERT_ON_PERSON, 0);
  faces_fired = persons_fired = 0;
  for (gint f = 0; f < 60; f++) {
    FaAlertObservation face = { 1, FALSE, TRUE, 7 };
    FaAlertPerson person = { 7, FALSE, 1 };
    guint n = feed (rules, f * FRAME, &face, 1, &person, 1, fired);
    for (guint i = 0; i < n; i++)
      fired[i].rule == FA_ALERT_ON_PERSON ? persons_fired++ : faces_fired++;
  }
  g_assert_cmpuint (persons_fired, ==, 1);
  g_assert_cmpuint (faces_fired, ==, 0);
  fa_alert_rules_free (rules);

  /* Two persons at once: one alert each. */
  rules = rules_new (FA_ALERT_ON_PERSON, 0);
  persons_fired = 0;
  for (gint f = 0; f < 60; f++) {
    FaAlertPerson persons[2] = { { 8, FALSE, 0 }, { 9, FALSE, 0 } };
    persons_fired += feed (rules, f * FRAME, NULL, 0, persons, 2, fired);
  }
  g_assert_cmpuint (persons_fired, ==, 2);
  fa_alert_rules_free (rules);
}

static void
test_person_cooldown (void)
{
  FaAlertRules *rules = rules_new (FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_PERSON,
      10000 * MS);
  FaAlertFire fired[2];
  guint n = 0;
  /* A stranger's face alerts at once... */
  FaAlertObservation face = { 1, FALSE, TRUE, 0 };
  for (gint f = 0; f < 5; f++)
    n += feed (rules, f * FRAME, &face, 1, NULL, 0, fired);
  g_assert_cmpuint (n, ==, 1);
  /* ...a faceless person 1 s later is held back by the cooldown... */
  FaAlertPerson person = { 3, FALSE, 0 };
  n = 0;
  gint64 t;
  for (t = 1000 * MS; t < 10000 * MS; t += FRAME)
    n += feed (rules, t, NULL, 0, &person, 1, fired);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (fa_alert_rules_n_suppressed (rules), ==, 1);
  /* ...and alerts when it ends, still in view. */
  for (; t < 11000 * MS; t += FRAME)
    n += feed (rules, t, NULL, 0, &person, 1, fired);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_PERSON);
  fa_alert_rules_free (rules);
}

/* ---- what an alert says ---- */

static FaAlert
person_alert (GDateTime *time)
{
  return (FaAlert) { .rule = FA_ALERT_ON_PERSON, .id = "0b5d4c2e-1111",
    .camera = "cam2", .time = time, .pts_ns = 2000000000,
    .has_person = TRUE, .person_track_id = 3,
    .person_box = { 100, 40, 120, 300 }, .person_score = 0.81,
    .snapshot_frame = "/s/f.jpg", .snapshot_person = "/s/p.jpg" };
}

static JsonObject *
parse_object (const gchar *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);
  g_assert_no_error (error);
  JsonObject *o = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return o;
}

/* The household's switches (issue 10): the camera's alerts off silences
 * every rule, home silences the person rule only; what was in view alerts
 * once its rule is back on. */
static void
test_switches (void)
{
  FaAlertRules *rules = rules_new (FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_PERSON, 0);
  FaAlertFire fired[2];
  FaAlertObservation stranger = { 1, FALSE, TRUE, 0 };
  FaAlertPerson hooded = { 7, FALSE, 0 };
  gint64 t = 0;

  /* Off: nothing, however long they stay. */
  fa_alert_rules_set_enabled (rules, FALSE);
  g_assert_false (fa_alert_rules_get_enabled (rules));
  for (; t < 50 * FRAME; t += FRAME)
    g_assert_cmpuint (feed (rules, t, &stranger, 1, &hooded, 1, fired), ==, 0);
  /* Home and on: the stranger's face alerts, the faceless person does not. */
  fa_alert_rules_set_enabled (rules, TRUE);
  fa_alert_rules_set_away (rules, FALSE);
  g_assert_cmpuint (feed (rules, t, &stranger, 1, &hooded, 1, fired), ==, 1);
  g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_UNKNOWN);
  for (t += FRAME; t < 80 * FRAME; t += FRAME)
    g_assert_cmpuint (feed (rules, t, NULL, 0, &hooded, 1, fired), ==, 0);
  /* Away: the person still in view alerts now. */
  fa_alert_rules_set_away (rules, TRUE);
  g_assert_cmpuint (feed (rules, t, NULL, 0, &hooded, 1, fired), ==, 1);
  g_assert_cmpuint (fired[0].rule, ==, FA_ALERT_ON_PERSON);
  fa_alert_rules_free (rules);
}

static void
test_message_person (void)
{
  g_autoptr (GDateTime) time = g_date_time_new_local (2026, 5, 4, 14, 2, 11);
  FaAlert a = person_alert (time);

  g_autofree gchar *subject = fa_alert_subject (&a);
  g_assert_cmpstr (subject, ==, "Person at cam2 (face not seen)");
  g_autofree gchar *line = fa_alert_line (&a);
  g_assert_cmpstr (line, ==, "Person at cam2 (face not seen) 14:02:11");
  g_assert_cmpstr (fa_alert_event (&a), ==, "person");

  g_autofree gchar *payload = fa_alert_payload (&a, TRUE);
  JsonObject *p = parse_object (payload);
  g_assert_cmpstr (json_object_get_string_member (p, "event"), ==, "person");
  g_assert_cmpstr (json_object_get_string_member (p, "rule"), ==, "person");
  g_assert_cmpint (json_object_get_int_member (p, "track_id"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (p, "person_track_id"), ==, 3);
  g_assert_false (json_object_get_boolean_member (p, "known"));
  JsonObject *box = json_object_get_object_member (p, "person_box");
  g_assert_cmpint (json_object_get_int_member (box, "x"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (box, "height"), ==, 300);
  g_assert_false (json_object_has_member (p, "face_box"));
  g_assert_false (json_object_has_member (p, "face_track_id"));
  JsonObject *snap = json_object_get_object_member (p, "snapshot");
  g_assert_cmpstr (json_object_get_string_member (snap, "person"), ==, "/s/p.jpg");
  json_object_unref (p);

  /* A face was seen but not recognised; then one decided unknown. */
  a.face_track_id = 9;
  g_autofree gchar *s2 = fa_alert_subject (&a);
  g_assert_cmpstr (s2, ==, "Person at cam2 (face not recognised)");
  a.face_decided = TRUE;
  a.has_face = TRUE;
  a.face_box = (FaRect) { 140, 50, 40, 48 };
  g_autofree gchar *s3 = fa_alert_subject (&a);
  g_assert_cmpstr (s3, ==, "Person at cam2 (unknown face)");
  g_autofree gchar *payload2 = fa_alert_payload (&a, TRUE);
  p = parse_object (payload2);
  g_assert_cmpint (json_object_get_int_member (p, "face_track_id"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (p,
              "face_box"), "width"), ==, 40);
  json_object_unref (p);
}

static void
test_message_faces (void)
{
  g_autoptr (GDateTime) time = g_date_time_new_local (2026, 5, 4, 14, 2, 11);
  FaAlert a = { .rule = FA_ALERT_ON_UNKNOWN, .id = "5b0e", .camera = "front-door",
    .time = time, .pts_ns = -1, .face_track_id = 12, .face_decided = TRUE,
    .has_face = TRUE, .face_box = { 40, 24, 40, 48 }, .detection_score = 0.93,
    .similarity = 21.0, .record = "{\"DetectedFace\":{},\"MatchedFaces\":[]}",
    .has_person = TRUE, .person_track_id = 2, .person_box = { 20, 10, 90, 110 } };
  g_autofree gchar *subject = fa_alert_subject (&a);
  g_assert_cmpstr (subject, ==, "Unknown face at front-door");
  g_autofree gchar *payload = fa_alert_payload (&a, TRUE);
  JsonObject *p = parse_object (payload);
  g_assert_cmpstr (json_object_get_string_member (p, "event"), ==, "unknown-face");
  g_assert_cmpstr (json_object_get_string_member (p, "rule"), ==, "unknown");
  g_assert_cmpint (json_object_get_int_member (p, "track_id"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (p, "person_track_id"), ==, 2);
  g_assert_true (json_object_has_member (p, "person_box"));
  g_assert_true (json_object_has_member (json_object_get_object_member (p, "record"),
          "DetectedFace"));
  g_assert_false (json_object_has_member (p, "pts_ns"));
  json_object_unref (p);

  a.rule = FA_ALERT_ON_KNOWN;
  a.known = TRUE;
  a.name = "Bob";
  g_autofree gchar *known = fa_alert_subject (&a);
  g_assert_cmpstr (known, ==, "Bob at front-door");
  a.name = NULL;
  g_autofree gchar *anonymous = fa_alert_subject (&a);
  g_assert_cmpstr (anonymous, ==, "Known face at front-door");

  /* Subjects are printable ASCII under 100 characters. */
  g_autofree gchar *long_name = g_strnfill (150, 'x');
  a.camera = "caf\xc3\xa9";
  a.name = long_name;
  g_autofree gchar *clean = fa_alert_subject (&a);
  g_assert_cmpuint (strlen (clean), ==, 99);
  a.name = "Bob";
  g_autofree gchar *cafe = fa_alert_subject (&a);
  g_assert_cmpstr (cafe, ==, "Bob at caf??");
  g_autofree gchar *id = fa_alert_ascii_clean ("front door/1", 128, TRUE);
  g_assert_cmpstr (id, ==, "front-door-1");
}

static void
test_sns_message_size (void)
{
  g_autoptr (GDateTime) time = g_date_time_new_local (2026, 5, 4, 14, 2, 11);
  g_autoptr (GString) record = g_string_new ("{\"DetectedFace\":{},\"pad\":\"");
  for (guint i = 0; i < 3000; i++)
    g_string_append (record, "0123456789");
  g_string_append (record, "\"}");
  FaAlert a = { .rule = FA_ALERT_ON_UNKNOWN, .id = "5b0e", .camera = "cam1",
    .time = time, .pts_ns = 1, .face_track_id = 1, .has_face = TRUE,
    .face_box = { 1, 2, 3, 4 }, .record = record->str };
  g_autoptr (GError) error = NULL;

  /* Fits: the record is there, once per machine protocol. */
  g_autofree gchar *full = fa_alert_sns_message (&a, 1 << 20, &error);
  g_assert_no_error (error);
  JsonObject *m = parse_object (full);
  g_assert_cmpstr (json_object_get_string_member (m, "default"), ==,
      "Unknown face at cam1 14:02:11");
  JsonObject *p = parse_object (json_object_get_string_member (m, "http"));
  g_assert_true (json_object_has_member (p, "record"));
  json_object_unref (p);
  json_object_unref (m);

  /* Too large with the record: it is dropped, and the message says why. */
  g_autofree gchar *small = fa_alert_sns_message (&a, 16384, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (small), <=, 16384);
  m = parse_object (small);
  p = parse_object (json_object_get_string_member (m, "sqs"));
  g_assert_false (json_object_has_member (p, "record"));
  g_assert_nonnull (strstr (json_object_get_string_member (p, "record_omitted"),
          "too large"));
  json_object_unref (p);
  json_object_unref (m);

  /* Too large even without it: refused, never truncated. */
  g_assert_null (fa_alert_sns_message (&a, 200, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alert-rules/parse", test_parse);
  g_test_add_func ("/alert-rules/faces", test_faces);
  g_test_add_func ("/alert-rules/person-without-face", test_person_without_face);
  g_test_add_func ("/alert-rules/one-alert-per-person", test_one_alert_per_person);
  g_test_add_func ("/alert-rules/person-cooldown", test_person_cooldown);
  g_test_add_func ("/alert-rules/switches", test_switches);
  g_test_add_func ("/alert-message/person", test_message_person);
  g_test_add_func ("/alert-message/faces", test_message_faces);
  g_test_add_func ("/alert-message/sns-size", test_sns_message_size);
  return g_test_run ();
}
