/* What facealert tells a home (lib/alert, no broker): track events derived
 * from per-frame tracks, their Frigate-shaped payloads, Home Assistant
 * discovery configs, and the household's mode and switches on a real file. */
#include "fa-error.h"
#include "fa-frigate-json.h"
#include "fa-ha-discovery.h"
#include "fa-household.h"
#include "fa-test.h"
#include "fa-track-events.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MS (G_GINT64_CONSTANT (1000000))

static JsonObject *
parse (const gchar *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static FaTrackObservation
face (guint64 track, gboolean decided, gboolean known, const gchar *name)
{
  FaTrackObservation o = { FA_TRACK_FACE, track, decided, known, name,
    known ? 71.5 : 12.0, 0.9, 40, 30, 50, 60, 0 };
  return o;
}

/* ---- track events ----------------------------------------------------------- */

static void
test_track_events (void)
{
  FaTrackEvents *t = fa_track_events_new ("porch", 3, 2000 * MS);
  FaTrackObservation o[2];
  GArray *ev;

  /* Flicker (two frames) never becomes an object. */
  o[0] = face (1, FALSE, FALSE, NULL);
  for (gint i = 0; i < 2; i++)
    g_assert_cmpuint (fa_track_events_update (t, i * 33 * MS, 100.0, o, 1)->len, ==, 0);
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 0);
  ev = fa_track_events_update (t, 3000 * MS, 103.0, NULL, 0);   /* gone: no end */
  g_assert_cmpuint (ev->len, ==, 0);

  /* A face: new at its third frame (undecided), then decided unknown: one
   * identity update; the same decision again is no event. */
  o[0] = face (2, FALSE, FALSE, NULL);
  for (gint i = 0; i < 2; i++)
    g_assert_cmpuint (fa_track_events_update (t, (4000 + i * 33) * MS, 104.0, o, 1)->len,
        ==, 0);
  ev = fa_track_events_update (t, 4066 * MS, 104.1, o, 1);
  g_assert_cmpuint (ev->len, ==, 1);
  FaTrackEvent *e = &g_array_index (ev, FaTrackEvent, 0);
  g_assert_cmpint (e->type, ==, FA_TRACK_EVENT_NEW);
  g_assert_false (e->identity);
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 1);
  gchar *id = g_strdup (e->after.id);
  g_assert_true (g_str_has_suffix (id, "-porch-face-2"));
  o[0] = face (2, TRUE, FALSE, NULL);
  ev = fa_track_events_update (t, 4100 * MS, 104.2, o, 1);
  g_assert_cmpuint (ev->len, ==, 1);
  e = &g_array_index (ev, FaTrackEvent, 0);
  g_assert_cmpint (e->type, ==, FA_TRACK_EVENT_UPDATE);
  g_assert_true (e->identity);
  g_assert_true (e->after.decided);
  g_assert_false (e->before.decided);
  g_assert_cmpstr (e->after.id, ==, id);   /* stable */
  g_assert_cmpuint (fa_track_events_update (t, 4133 * MS, 104.3, o, 1)->len, ==, 0);
  /* An undecided frame after a decision keeps the decision. */
  o[0] = face (2, FALSE, FALSE, NULL);
  g_assert_cmpuint (fa_track_events_update (t, 4166 * MS, 104.3, o, 1)->len, ==, 0);

  /* A second, known face joins; two people in view. */
  o[0] = face (2, TRUE, FALSE, NULL);
  o[1] = face (3, TRUE, TRUE, "Bob");
  for (gint i = 0; i < 2; i++)
    fa_track_events_update (t, (4200 + i * 33) * MS, 104.4, o, 2);
  ev = fa_track_events_update (t, 4266 * MS, 104.5, o, 2);
  g_assert_cmpuint (ev->len, ==, 1);
  e = &g_array_index (ev, FaTrackEvent, 0);
  g_assert_cmpint (e->type, ==, FA_TRACK_EVENT_NEW);
  g_assert_true (e->identity);               /* decided from the start */
  g_assert_cmpstr (e->after.name, ==, "Bob");
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 2);

  /* The alert's snapshot: an update that says so. */
  ev = fa_track_events_set_snapshot (t, FA_TRACK_FACE, 2, "/snaps/porch-2.jpg");
  g_assert_cmpuint (ev->len, ==, 1);
  e = &g_array_index (ev, FaTrackEvent, 0);
  g_assert_false (e->identity);
  g_assert_cmpstr (e->after.snapshot, ==, "/snaps/porch-2.jpg");
  g_assert_null (e->before.snapshot);

  /* Bob stays, the stranger leaves: ends after 2 s unseen. */
  o[0] = o[1];
  g_assert_cmpuint (fa_track_events_update (t, 6000 * MS, 106.0, o, 1)->len, ==, 0);
  ev = fa_track_events_update (t, 6300 * MS, 106.3, o, 1);
  g_assert_cmpuint (ev->len, ==, 1);
  e = &g_array_index (ev, FaTrackEvent, 0);
  g_assert_cmpint (e->type, ==, FA_TRACK_EVENT_END);
  g_assert_cmpuint (e->after.track_id, ==, 2);
  g_assert_cmpfloat (e->after.end_time, ==, 104.5);   /* last seen */
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 1);

  /* Flush ends the rest. */
  ev = fa_track_events_flush (t);
  g_assert_cmpuint (ev->len, ==, 1);
  g_assert_cmpint (g_array_index (ev, FaTrackEvent, 0).type, ==, FA_TRACK_EVENT_END);
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 0);
  g_free (id);
  fa_track_events_free (t);
}

/* A face inside a person box counts once: as the person. */
static void
test_people_count (void)
{
  FaTrackEvents *t = fa_track_events_new ("garden", 1, 2000 * MS);
  FaTrackObservation o[3] = {
    { FA_TRACK_PERSON, 10, FALSE, FALSE, NULL, 0, 0.8, 0, 0, 100, 200, 0 },
    { FA_TRACK_FACE, 4, FALSE, FALSE, NULL, 0, 0.9, 30, 10, 30, 30, 10 },
    { FA_TRACK_PERSON, 11, FALSE, FALSE, NULL, 0, 0.7, 200, 0, 100, 200, 0 },
  };
  fa_track_events_update (t, 0, 1.0, o, 3);
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 2);
  /* A frame where the face is not attributed: still the same two people. */
  o[1].person_track_id = 0;
  fa_track_events_update (t, 33 * MS, 1.033, o, 3);
  g_assert_cmpuint (fa_track_events_count_people (t), ==, 2);
  fa_track_events_free (t);
}

/* ---- payloads -------------------------------------------------------------------- */

static void
test_frigate_payloads (void)
{
  FaTrackEvents *t = fa_track_events_new ("front door", 1, 2000 * MS);
  FaTrackObservation o = face (7, TRUE, TRUE, "Alice");
  GArray *ev = fa_track_events_update (t, 0, 1700000000.5, &o, 1);
  FaTrackEvent *e = &g_array_index (ev, FaTrackEvent, 0);

  g_autofree gchar *update = fa_frigate_tracked_object_update (&e->after,
      "front door", 1700000000.75);
  g_autoptr (JsonObject) u = parse (update);
  g_assert_cmpstr (json_object_get_string_member (u, "type"), ==, "face");
  g_assert_cmpstr (json_object_get_string_member (u, "id"), ==, e->after.id);
  g_assert_cmpstr (json_object_get_string_member (u, "name"), ==, "Alice");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (u, "score"), 0.715, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (u, "camera"), ==, "front door");
  g_assert_cmpfloat (json_object_get_double_member (u, "timestamp"), ==, 1700000000.75);

  /* Unknown: name null, score the best (low) similarity. */
  FaTrackObservation s = face (8, TRUE, FALSE, "");
  ev = fa_track_events_update (t, 33 * MS, 1700000001.0, &s, 1);
  e = &g_array_index (ev, FaTrackEvent, 0);
  g_autofree gchar *unknown = fa_frigate_tracked_object_update (&e->after, "front door",
      1700000001.0);
  g_autoptr (JsonObject) uu = parse (unknown);
  g_assert_true (json_object_get_null_member (uu, "name"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (uu, "score"), 0.12, 1e-9);

  g_autofree gchar *event = fa_frigate_event (e, "front door");
  g_autoptr (JsonObject) ev_o = parse (event);
  g_assert_cmpstr (json_object_get_string_member (ev_o, "type"), ==, "new");
  JsonObject *after = json_object_get_object_member (ev_o, "after");
  g_assert_cmpstr (json_object_get_string_member (after, "label"), ==, "face");
  g_assert_cmpstr (json_object_get_string_member (after, "camera"), ==, "front door");
  g_assert_cmpint (json_object_get_int_member (after, "track"), ==, 8);
  g_assert_true (json_object_get_null_member (after, "end_time"));
  g_assert_true (json_object_get_null_member (after, "sub_label"));
  g_assert_false (json_object_get_boolean_member (after, "known"));
  JsonArray *box = json_object_get_array_member (after, "box");
  g_assert_cmpint (json_array_get_int_element (box, 0), ==, 40);
  g_assert_cmpint (json_array_get_int_element (box, 2), ==, 90);   /* x2 = x + w */
  g_assert_cmpint (json_object_get_int_member (after, "area"), ==, 50 * 60);
  g_assert_true (json_object_has_member (ev_o, "before"));

  ev = fa_track_events_flush (t);
  for (guint i = 0; i < ev->len; i++) {
    e = &g_array_index (ev, FaTrackEvent, i);
    g_autofree gchar *end = fa_frigate_event (e, "front door");
    g_autoptr (JsonObject) end_o = parse (end);
    g_assert_cmpstr (json_object_get_string_member (end_o, "type"), ==, "end");
    JsonObject *a = json_object_get_object_member (end_o, "after");
    g_assert_cmpfloat (json_object_get_double_member (a, "end_time"), >, 0);
    if (json_object_get_int_member (a, "track") == 7) {
      JsonArray *sub = json_object_get_array_member (a, "sub_label");
      g_assert_cmpstr (json_array_get_string_element (sub, 0), ==, "Alice");
    }
  }
  fa_track_events_free (t);
}

/* ---- discovery ----------------------------------------------------------------- */

/* The keys Home Assistant requires (its MQTT platform schemas), and those
 * every entity of ours carries. */
static void
check_entity (JsonObject *c, const gchar *const *required)
{
  const gchar *common[] = { "name", "unique_id", "device", "availability", NULL };
  for (guint i = 0; common[i] != NULL; i++)
    g_assert_true (json_object_has_member (c, common[i]));
  for (guint i = 0; required[i] != NULL; i++) {
    g_test_message ("%s", required[i]);
    g_assert_true (json_object_has_member (c, required[i]));
  }
  JsonObject *device = json_object_get_object_member (c, "device");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (device,
              "identifiers")), ==, 1);
  JsonArray *availability = json_object_get_array_member (c, "availability");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element
          (availability, 0), "topic"), ==, "home/fa/available");
}

static void
test_discovery (void)
{
  g_autoptr (GPtrArray) cam = fa_ha_discovery_camera ("homeassistant", "home/fa",
      "front door", "0.1.0");
  g_assert_cmpuint (cam->len, ==, 4);
  const struct {
    const gchar *topic;
    const gchar *required[4];
  } expect[] = {
    { "homeassistant/binary_sensor/home_fa/front_door_person/config",
      { "state_topic", "device_class", NULL } },
    { "homeassistant/sensor/home_fa/front_door_last_face/config", { "state_topic", NULL } },
    { "homeassistant/image/home_fa/front_door_snapshot/config",
      { "image_topic", "content_type", NULL } },
    { "homeassistant/switch/home_fa/front_door_alerts/config",
      { "command_topic", "state_topic", NULL } },
  };
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < cam->len; i++) {
    FaHaConfig *c = g_ptr_array_index (cam, i);
    g_assert_cmpstr (c->topic, ==, expect[i].topic);
    g_autoptr (JsonObject) o = parse (c->payload);
    check_entity (o, expect[i].required);
    g_assert_true (g_hash_table_add (ids, g_strdup (json_object_get_string_member (o,
                    "unique_id"))));
    JsonArray *availability = json_object_get_array_member (o, "availability");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element
            (availability, 1), "topic"), ==, "home/fa/front door/available");
    g_assert_cmpstr (json_object_get_string_member (o, "availability_mode"), ==, "all");
  }
  g_autoptr (JsonObject) person = parse (((FaHaConfig *) g_ptr_array_index (cam, 0))->payload);
  g_assert_cmpstr (json_object_get_string_member (person, "state_topic"), ==,
      "home/fa/front door/person");
  g_assert_cmpstr (json_object_get_string_member (person, "device_class"), ==, "occupancy");
  g_autoptr (JsonObject) image = parse (((FaHaConfig *) g_ptr_array_index (cam, 2))->payload);
  g_assert_cmpstr (json_object_get_string_member (image, "content_type"), ==, "image/jpeg");
  g_assert_false (json_object_has_member (image, "url_topic"));  /* exclusive */
  g_autoptr (JsonObject) sw = parse (((FaHaConfig *) g_ptr_array_index (cam, 3))->payload);
  g_assert_cmpstr (json_object_get_string_member (sw, "command_topic"), ==,
      "home/fa/front door/alerts/set");

  g_autoptr (GPtrArray) home = fa_ha_discovery_household ("homeassistant", "home/fa",
      "0.1.0");
  g_assert_cmpuint (home->len, ==, 1);
  FaHaConfig *sel = g_ptr_array_index (home, 0);
  g_assert_cmpstr (sel->topic, ==, "homeassistant/select/home_fa/mode/config");
  g_autoptr (JsonObject) s = parse (sel->payload);
  const gchar *select_required[] = { "command_topic", "options", "state_topic", NULL };
  check_entity (s, select_required);
  JsonArray *options = json_object_get_array_member (s, "options");
  g_assert_cmpuint (json_array_get_length (options), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (options, 0), ==, "home");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s,
              "availability")), ==, 1);
  /* The cameras' devices hang off the household's. */
  JsonObject *device = json_object_get_object_member (person, "device");
  JsonObject *home_device = json_object_get_object_member (s, "device");
  g_assert_cmpstr (json_object_get_string_member (device, "via_device"), ==,
      json_array_get_string_element (json_object_get_array_member (home_device,
              "identifiers"), 0));
}

/* ---- household ------------------------------------------------------------------ */

static void
test_household (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-household");
  g_autofree gchar *state = g_build_filename (dir, "state", NULL);
  g_autofree gchar *path = g_build_filename (state, "household.json", NULL);
  GError *error = NULL;

  /* Defaults: away, every camera on. */
  g_autoptr (FaHousehold) a = fa_household_open (path);
  g_assert_cmpint (fa_household_get_mode (a), ==, FA_HOUSEHOLD_AWAY);
  g_assert_true (fa_household_get_alerts (a, "cam1"));
  g_assert_true (fa_household_refresh (a, NULL, &error));

  /* Changes by one (the CLI) are seen by another (an alertsink). */
  g_autoptr (FaHousehold) b = fa_household_open (path);
  g_assert_true (fa_household_set_alerts (a, "cam2", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (fa_household_set_mode (a, FA_HOUSEHOLD_HOME, &error));
  gboolean changed = FALSE;
  g_assert_true (fa_household_refresh (b, &changed, &error));
  g_assert_true (changed);
  g_assert_false (fa_household_get_alerts (b, "cam2"));
  g_assert_true (fa_household_get_alerts (b, "cam1"));
  g_assert_cmpint (fa_household_get_mode (b), ==, FA_HOUSEHOLD_HOME);
  g_assert_true (fa_household_refresh (b, &changed, &error));
  g_assert_false (changed);                    /* nothing new */

  /* Neither loses the other's change: b's switch keeps a's mode. */
  g_assert_true (fa_household_set_alerts (b, "cam3", FALSE, &error));
  g_assert_true (fa_household_refresh (a, &changed, &error));
  g_assert_cmpint (fa_household_get_mode (a), ==, FA_HOUSEHOLD_HOME);
  g_assert_false (fa_household_get_alerts (a, "cam2"));
  g_assert_false (fa_household_get_alerts (a, "cam3"));
  g_auto (GStrv) cameras = fa_household_list_cameras (a);
  g_assert_cmpuint (g_strv_length (cameras), ==, 2);
  g_assert_cmpstr (cameras[0], ==, "cam2");

  /* Private, and remembered by a fresh reader (a restart). */
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (state, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_autoptr (FaHousehold) c = fa_household_open (path);
  g_assert_false (fa_household_get_alerts (c, "cam2"));
  g_assert_true (fa_household_set_alerts (c, "cam2", TRUE, &error));
  g_assert_true (fa_household_refresh (a, &changed, &error));
  g_assert_true (changed);
  g_assert_true (fa_household_get_alerts (a, "cam2"));

  /* A corrupt file: a clear error, the last good state kept; a change
   * rewrites it whole. */
  g_assert_true (g_file_set_contents (path, "{\"mode\": \"party\"", -1, NULL));
  g_assert_false (fa_household_refresh (a, &changed, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "delete it"));
  g_clear_error (&error);
  g_assert_false (fa_household_get_alerts (a, "cam3"));
  g_assert_true (fa_household_set_mode (a, FA_HOUSEHOLD_AWAY, &error));
  g_autoptr (FaHousehold) d = fa_household_open (path);
  g_assert_true (fa_household_refresh (d, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fa_household_get_mode (d), ==, FA_HOUSEHOLD_AWAY);

  FaHouseholdMode mode;
  g_assert_true (fa_household_mode_from_name ("HOME", &mode));
  g_assert_cmpint (mode, ==, FA_HOUSEHOLD_HOME);
  g_assert_false (fa_household_mode_from_name ("party", &mode));

  /* A directory that cannot be written: FA_ERROR_IO naming the file. */
  g_chmod (state, 0500);
  if (access (state, W_OK) != 0) {   /* root writes anyway */
    g_assert_false (fa_household_set_mode (a, FA_HOUSEHOLD_HOME, &error));
    g_assert_error (error, FA_ERROR, FA_ERROR_IO);
    g_clear_error (&error);
  }
  g_chmod (state, 0700);
  fa_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/home/track-events", test_track_events);
  g_test_add_func ("/home/people-count", test_people_count);
  g_test_add_func ("/home/frigate-payloads", test_frigate_payloads);
  g_test_add_func ("/home/discovery", test_discovery);
  g_test_add_func ("/home/household", test_household);
  return g_test_run ();
}
