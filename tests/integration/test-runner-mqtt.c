/* The household on MQTT only, as a user runs it: pipelines/three-cameras.pipeline
 * under facealert-run with MQTT_BROKER and no TOPIC_ARN, three simulated
 * cameras (fa-camsim: cam1 a household member, cam2 a stranger, cam3 the
 * cat), a real mosquitto, the household enrolled with the CLI.
 *
 * Checks: the cameras share one connection (PREFIX/available online, each
 * camera's own availability online); the stranger's alerts on PREFIX/alerts,
 * from cam2 only; the household member on tracked_object_update with his
 * name; cam1 dropped and reconnected by the runner: its availability goes
 * offline and online again while PREFIX/available never leaves online (cam2
 * keeps the connection); the runner stopped: offline. Waits are on
 * conditions, with bounds. */

#include "fa-mqtt-fixture.h"
#include "fa-proc.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static int
cli (const gchar *const *argv)
{
  g_autofree gchar *err = NULL;
  int status = fa_test_run_argv (argv, NULL, &err);
  if (status != 0)
    g_test_message ("%s: %s", argv[1], err);
  return status;
}

static JsonObject *
parse (FaMqttReceived *r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->payload, &size);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, data, size, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gchar *
text_of (FaMqttReceived *r)
{
  gsize size;
  const gchar *data = g_bytes_get_data (r->payload, &size);
  return g_strndup (data, size);
}

static void
test_household_on_mqtt (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-runner-mqtt");
  const gchar *dirs[][2] = { { "FACEALERT_COLLECTIONS_DIR", "collections" },
    { "FACEALERT_STREAMS_DIR", "streams" }, { "FACEALERT_SNAPSHOTS_DIR", "snapshots" },
    { "FACEALERT_OUTBOX_DIR", "outbox" }, { "FACEALERT_STATE_DIR", "state" },
    { "FACEALERT_SIGHTINGS_DIR", "sightings" }, { "FACEALERT_CAMERAS_DIR", "cameras" } };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    g_autofree gchar *d = g_build_filename (tmp, dirs[i][1], NULL);
    g_setenv (dirs[i][0], d, TRUE);
  }
  g_autofree gchar *lennon = fa_test_data_path ("people/John_Lennon/2.jpg");
  const gchar *create[] = { "facealert", "collection", "create", "--collection-id",
    "home", NULL };
  g_assert_cmpint (cli (create), ==, 0);
  const gchar *index[] = { "facealert", "faces", "index", "--collection", "home",
    "--name", "John_Lennon", lennon, NULL };
  g_assert_cmpint (cli (index), ==, 0);

  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "facealert/#");

  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", "cam3=scene:cat", NULL };
  FaProc *sim = fa_proc_spawn ("camsim", TRUE, sim_argv);
  const gchar *ready = fa_proc_wait_line (sim, "READY rtsp://127.0.0.1:", NULL, 90);
  g_assert_nonnull (ready);
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  g_setenv ("CAM1_URL", urls[0], TRUE);
  g_setenv ("CAM2_URL", urls[1], TRUE);
  g_setenv ("CAM3_URL", urls[2], TRUE);
  g_unsetenv ("CAMERAS");
  g_setenv ("COLLECTION", "home", TRUE);
  g_setenv ("MQTT_BROKER", broker->url, TRUE);
  g_setenv ("ALERT_COOLDOWN", "5", TRUE);
  g_unsetenv ("TOPIC_ARN");                   /* MQTT only */
  g_unsetenv ("MQTT_TOPIC_PREFIX");

  g_autofree gchar *pipeline = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"),
      "pipelines", "three-cameras.pipeline", NULL);
  const gchar *run_argv[] = { "facealert-run", "--min-backoff", "500",
    "--max-backoff", "1000", pipeline, NULL };
  FaProc *run = fa_proc_spawn ("run", FALSE, run_argv);
  g_assert_nonnull (fa_proc_wait_line (run, "facealert-run: cam1: flowing", NULL, 30));
  g_assert_nonnull (fa_proc_wait_line (run, "facealert-run: cam2: flowing", NULL, 30));
  g_assert_nonnull (fa_proc_wait_line (run, "facealert-run: cam3: flowing", NULL, 30));
  guint online_from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/available", "online",
          &online_from, 10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam1/available", "online",
          NULL, 10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam2/available", "online",
          NULL, 10000));

  /* The stranger alerts on MQTT (the outbox's MQTT delivery: "delivered to
   * mqtt"); the household member is recognised by name. */
  guint from = 0;
  g_assert_nonnull (fa_proc_wait_line (run, "facealert-run: cam2: alert ", &from, 30));
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "facealert/alerts", 1, 15000), >=, 1);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam1/last_face",
          "John_Lennon", NULL, 30000));
  g_autoptr (GPtrArray) updates = fa_mqtt_sub_messages (sub,
      "facealert/tracked_object_update");
  gboolean lennon_seen = FALSE;
  for (guint i = 0; i < updates->len; i++) {
    g_autoptr (JsonObject) u = parse (g_ptr_array_index (updates, i));
    if (g_strcmp0 (json_object_get_string_member (u, "camera"), "cam1") == 0
        && !json_object_get_null_member (u, "name"))
      lennon_seen |= g_str_equal (json_object_get_string_member (u, "name"),
          "John_Lennon");
  }
  g_assert_true (lennon_seen);

  /* cam1 drops: the runner restarts its pipeline; cam2 keeps the shared
   * connection, so only cam1's availability changes. */
  guint cam1_from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam1/available", "online",
          &cam1_from, 1000));
  guint sim_from = 0;
  fa_proc_send (sim, "drop cam1 4");
  g_assert_nonnull (fa_proc_wait_line (sim, "DROPPED cam1", &sim_from, 5));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam1/available", "offline",
          &cam1_from, 20000));
  g_assert_nonnull (fa_proc_wait_line (sim, "RESTORED cam1", &sim_from, 10));
  guint after = run->lines->len;
  g_assert_nonnull (fa_proc_wait_line (run, "facealert-run: cam1: flowing", &after, 20));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/cam1/available", "online",
          &cam1_from, 10000));
  g_autoptr (GPtrArray) available = fa_mqtt_sub_messages (sub, "facealert/available");
  for (guint i = 0; i < available->len; i++) {
    g_autofree gchar *text = text_of (g_ptr_array_index (available, i));
    g_assert_cmpstr (text, ==, "online");
  }

  /* Stopped (pending alerts drained): offline; every alert the runner saw
   * delivered to MQTT reached the subscriber, once. */
  kill (atoi (g_subprocess_get_identifier (run->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (run, 25), ==, 0);
  guint delivered = 0;
  for (guint i = 0; i < run->lines->len; i++)
    delivered += strstr (g_ptr_array_index (run->lines, i), " delivered to mqtt ") != NULL;
  g_assert_cmpuint (delivered, >=, 1);
  fa_mqtt_test_publish (broker, "facealert/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/alerts", "barrier", NULL,
          10000));
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "facealert/alerts", 0, 0), ==, delivered + 1);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/available", "offline",
          &online_from, 10000));
  /* Every alert came from the stranger's camera (never the cat's). */
  g_autoptr (GPtrArray) alerts = fa_mqtt_sub_messages (sub, "facealert/alerts");
  for (guint i = 0; i + 1 < alerts->len; i++) {
    g_autoptr (JsonObject) a = parse (g_ptr_array_index (alerts, i));
    g_assert_cmpstr (json_object_get_string_member (a, "camera"), ==, "cam2");
    g_assert_cmpstr (json_object_get_string_member (a, "event"), ==, "unknown-face");
  }
  g_test_message ("%u alert(s) on MQTT, %u identity update(s)", alerts->len - 1,
      updates->len);
  fa_proc_free (run);
  fa_proc_free (sim);
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_free (broker);
  fa_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runner-mqtt/household-on-mqtt", test_household_on_mqtt);
  return g_test_run ();
}
