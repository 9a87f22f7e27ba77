/* The AWS design end to end, locally (issue 13): cameras -> facealert-run
 * (facedetect ! facematch ! kdssink) -> Kinesis (kinesalite) -> `facealert
 * consume` -> the example Lambda handler (examples/unknown-face-alert/
 * handler.py, Debian's python3 + boto3) -> SNS (serverless-offline-sns with
 * an HTTP subscriber). Real parts only: fa-camsim's cameras (cam1 a
 * household member, cam2 a stranger, cam3 the cat, each walking in every
 * 10 s), real models, the household enrolled with the CLI.
 *
 * The node runs pipelines/kds-node.pipeline as shipped (its camera template
 * for the three cameras).
 *
 * Checks: alerts for the stranger only, one per appearance (camsim's
 * "EVENT cam2 enter" lines), none for the household member or the cat,
 * although kdssink sent records for both people (none for the cat: its
 * "face" is vetoed in its cat box); each alert names the camera
 * and carries the face's FaceSearchResponse entry. */

#include "fa-kds-world.h"
#include "fa-kinesalite.h"
#include "fa-proc.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM "faces-example"

static gboolean
time_reached (gpointer data)
{
  return g_get_real_time () >= *(gint64 *) data;
}

typedef struct {
  FaProc *consumer;
  guint want;
} Handled;

/* Records the consumer handled so far (its --verbose lines on stderr). */
static guint
handled (FaProc *consumer)
{
  guint n = 0;
  g_auto (GStrv) lines = g_strsplit (consumer->err->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    const gchar *p = strstr (lines[i], ": ");
    guint records = 0;
    if (strstr (lines[i], " handled in ") != NULL && p != NULL
        && (p = strstr (p + 2, ": ")) != NULL && sscanf (p + 2, "%u record", &records) == 1)
      n += records;
  }
  return n;
}

static gboolean
caught_up (gpointer data)
{
  Handled *h = data;
  return handled (h->consumer) >= h->want;
}

static void
test_unknown_face_alerts (void)
{
  g_autofree gchar *tmp = fa_test_make_tmpdir ("fa-kds-example");
  fa_kds_world_init (tmp);

  FaSnsFixture *sns = fa_sns_fixture_start ();
  FaKinesalite *k = fa_kinesalite_start (NULL, 0);
  fa_kinesalite_create_stream (k, STREAM, 1);

  g_autofree gchar *cache = g_build_filename (g_getenv ("FACEALERT_BUILD_DIR"),
      "camsim-cache", NULL);
  const gchar *sim_argv[] = { "fa-camsim", "--port", "0", "--cache-dir", cache,
    "cam1=scene:household", "cam2=scene:stranger", "cam3=scene:cat", NULL };
  FaProc *sim = fa_proc_spawn ("camsim", TRUE, sim_argv);
  const gchar *ready = fa_proc_wait_line (sim, "READY rtsp://127.0.0.1:", NULL, 90);
  g_assert_nonnull (ready);
  g_auto (GStrv) urls = g_strsplit (ready + strlen ("READY "), " ", -1);
  gint fps = 0, enter_frame = 0, leave_frame = 0;
  for (guint i = 0; i < sim->lines->len; i++) {
    const gchar *l = g_ptr_array_index (sim->lines, i);
    if (g_str_has_prefix (l, "CAMERA cam2 "))
      g_assert_cmpint (sscanf (strstr (l, " fps="), " fps=%d enter_frame=%d leave_frame=%d",
              &fps, &enter_frame, &leave_frame), ==, 3);
  }
  g_assert_cmpint (fps, >, 0);

  /* The node runs pipelines/kds-node.pipeline as shipped, one section per
   * camera; the cat's camera at detect-width 640, where YuNet finds a "face"
   * on it (that objectdetect's cat box vetoes). */
  for (int c = 1; c <= 3; c++) {
    g_autofree gchar *var = g_strdup_printf ("CAM%d_URL", c);
    g_setenv (var, urls[c - 1], TRUE);
  }
  g_setenv ("CAMERAS", "cam1,cam2,cam3", TRUE);
  g_setenv ("CAM3_DETECT_WIDTH", "640", TRUE);
  g_setenv ("KDS_STREAM", STREAM, TRUE);
  g_setenv ("KDS_ENDPOINT", k->endpoint, TRUE);
  g_autofree gchar *pipeline = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"),
      "pipelines", "kds-node.pipeline", NULL);

  g_autofree gchar *handler = g_build_filename (g_getenv ("FACEALERT_SOURCE_DIR"),
      "examples", "unknown-face-alert", "handler.py", NULL);
  g_autofree gchar *state = g_build_filename (tmp, "alerted.json", NULL);
  g_setenv ("SNS_TOPIC_ARN", sns->topic, TRUE);
  g_setenv ("SNS_ENDPOINT", sns->endpoint, TRUE);
  g_setenv ("ALERT_STATE_FILE", state, TRUE);
  g_setenv ("ALERT_COOLDOWN_S", "5", TRUE);    /* as the demo: each appearance alerts */
  const gchar *consume_argv[] = { "facealert", "consume", "--stream", STREAM,
    "--endpoint", k->endpoint, "--poll-interval", "200", "--retry-delay", "200",
    "--verbose", "--", "/usr/bin/python3", handler, NULL };
  FaProc *consumer = fa_proc_spawn ("consume", FALSE, consume_argv);
  const gchar *run_argv[] = { "facealert-run", pipeline, NULL };
  FaProc *run = fa_proc_spawn ("node", FALSE, run_argv);
  for (int c = 1; c <= 3; c++) {
    g_autofree gchar *flowing = g_strdup_printf ("facealert-run: cam%d: flowing", c);
    g_assert_nonnull (fa_proc_wait_line (run, flowing, NULL, 40));
  }

  /* Two whole appearances of the stranger after the node is up. */
  guint from = sim->lines->len;
  gint64 complete[2];
  for (guint a = 0; a < 2; a++) {
    const gchar *enter = fa_proc_wait_line (sim, "EVENT cam2 enter", &from, 15);
    g_assert_nonnull (enter);
    complete[a] = g_ascii_strtoll (strstr (enter, "time_us=") + 8, NULL, 10);
  }
  gint64 stay_us = (gint64) (leave_frame - enter_frame) * G_USEC_PER_SEC / fps
      + 1500000;
  gint64 until = g_get_real_time () + stay_us;
  fa_wait_until (time_reached, &until, 10);
  kill (atoi (g_subprocess_get_identifier (run->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (run, 30), ==, 0);

  /* The consumer handles everything the node sent. */
  g_autoptr (JsonArray) records = fa_kinesalite_read_all (k, STREAM);
  guint per_cam[4] = { 0 };
  for (guint i = 0; i < json_array_get_length (records); i++) {
    const gchar *key = json_object_get_string_member (
        json_array_get_object_element (records, i), "PartitionKey");
    g_assert_true (g_str_has_prefix (key, "cam"));
    guint cam = CLAMP (atoi (key + 3), 0, 3);
    per_cam[cam]++;
    gsize len = 0;
    g_autofree guchar *data = g_base64_decode (json_object_get_string_member (
            json_array_get_object_element (records, i), "Data"), &len);
    g_autofree gchar *text = g_strndup ((const gchar *) data, len);
    if (cam == 3)               /* should not be: say what it was */
      g_test_message ("cam3 record: %s", text);
    /* The record names its camera's video stream, as the partition key. */
    g_autoptr (JsonNode) record = json_from_string (text, NULL);
    g_assert_nonnull (record);
    g_autofree gchar *arn_tail = g_strconcat ("stream/", key, NULL);
    g_assert_true (g_str_has_suffix (json_object_get_string_member (
                json_object_get_object_member (json_object_get_object_member (
                        json_node_get_object (record), "InputInformation"),
                    "KinesisVideo"), "StreamArn"), arn_tail));
  }
  g_test_message ("records: cam1 %u, cam2 %u, cam3 %u", per_cam[1], per_cam[2],
      per_cam[3]);
  g_assert_cmpuint (per_cam[1], >, 0);
  g_assert_cmpuint (per_cam[2], >, 0);
  /* The cat's "face" is in its cat box: vetoed by facematch, so kdssink
   * sends no record of it at all. */
  g_assert_cmpuint (per_cam[3], ==, 0);
  Handled h = { consumer, json_array_get_length (records) };
  g_assert_true (fa_wait_until (caught_up, &h, 30));
  kill (atoi (g_subprocess_get_identifier (consumer->proc)), SIGTERM);
  g_assert_cmpint (fa_proc_wait_exit (consumer, 15), ==, 0);

  /* Alerts: the stranger's, one per appearance; the household member and
   * the cat none. Deliveries are concurrent: a moment for the last ones. */
  guint n = fa_sns_fixture_wait_count (sns, 3, 1000);
  JsonNode *deliveries = fa_sns_fixture_deliveries (sns);
  g_autoptr (GHashTable) tracks = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint per_appearance[2] = { 0, 0 };
  for (guint i = 0; i < n; i++) {
    JsonObject *body = json_object_get_object_member (json_array_get_object_element (
            json_node_get_array (deliveries), i), "body");
    g_assert_cmpstr (json_object_get_string_member (body, "Subject"), ==,
        "Unknown face at cam2");
    g_autofree gchar *line = fa_sns_fixture_default_line (deliveries, i);
    g_assert_true (g_str_has_prefix (line, "Unknown face at cam2 "));
    g_autoptr (JsonObject) payload = fa_sns_fixture_payload (deliveries, i);
    g_assert_cmpstr (json_object_get_string_member (payload, "camera"), ==, "cam2");
    g_assert_cmpstr (json_object_get_string_member (payload, "event"), ==, "unknown-face");
    JsonObject *face = json_object_get_object_member (payload, "record");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (face,
                "MatchedFaces")), ==, 0);
    g_assert_true (json_object_get_boolean_member (face, "Decided"));
    gint64 track = json_object_get_int_member (payload, "track_id");
    g_assert_true (g_hash_table_add (tracks, GINT_TO_POINTER (track)));
    /* Which appearance: by the time of the frame that decided it (the
     * record's ProducerTimestamp, not when the alert came: the handler's
     * start-up is slow on a loaded machine), from 1.5 s before "enter"
     * (walking in) to the end of the stay (+1.5 s). */
    gint64 frame_us = json_object_get_double_member (payload, "time") * G_USEC_PER_SEC;
    for (guint a = 0; a < 2; a++)
      if (frame_us >= complete[a] - 1500000 && frame_us <= complete[a] + stay_us)
        per_appearance[a]++;
  }
  g_test_message ("%u alert(s) for %u stranger record(s); appearances: %u, %u", n,
      per_cam[2], per_appearance[0], per_appearance[1]);
  /* Each whole appearance alerted exactly once (an earlier, partial one may
   * have too); far fewer alerts than the stranger's records. */
  g_assert_cmpuint (per_appearance[0], ==, 1);
  g_assert_cmpuint (per_appearance[1], ==, 1);
  g_assert_cmpuint (n, <=, 3);
  g_assert_cmpuint (per_cam[2], >, n);
  json_node_unref (deliveries);

  fa_proc_send (sim, "quit");
  fa_proc_wait_exit (sim, 10);
  fa_proc_free (sim);
  fa_proc_free (run);
  fa_proc_free (consumer);
  fa_kinesalite_free (k);
  fa_sns_fixture_stop (sns);
  fa_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kds/example-unknown-face-alert", test_unknown_face_alerts);
  return g_test_run ();
}
