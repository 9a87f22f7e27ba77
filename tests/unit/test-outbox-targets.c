/* One outbox, two delivery targets: the real SNS-compatible server and a
 * real mosquitto. Each alert is committed once and delivered to each target
 * on its own: a broker that is down holds back MQTT only, SNS down holds
 * back SNS only; the broker coming back delivers at once (not after the
 * backoff); a requeue sends again only where it was not delivered; a
 * delivery to a target that this run does not have waits for a run that
 * has it. */
#include "fa-error.h"
#include "fa-mqtt-fixture.h"
#include "fa-mqtt-notifier.h"
#include "fa-outbox.h"
#include "fa-sns-fixture.h"
#include "fa-sns-notifier.h"
#include "fa-test.h"

#include <json-glib/json-glib.h>
#include <string.h>

static FaSnsFixture *sns;

typedef struct {
  GMutex lock;
  GCond cond;
  guint delivered[2];     /* sns, mqtt */
  guint retrying[2];
} Events;

static guint
slot (const gchar *target)
{
  return g_strcmp0 (target, FA_MQTT_TARGET) == 0;
}

static void
on_event (const FaOutboxEvent *event, gpointer data)
{
  Events *e = data;
  g_mutex_lock (&e->lock);
  if (event->state == FA_OUTBOX_DELIVERED)
    e->delivered[slot (event->target)]++;
  else if (event->state == FA_OUTBOX_RETRYING)
    e->retrying[slot (event->target)]++;
  g_cond_broadcast (&e->cond);
  g_mutex_unlock (&e->lock);
}

static guint
wait_for (Events *e, guint *counter, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&e->lock);
  while (*counter < n && g_cond_wait_until (&e->cond, &e->lock, deadline))
    ;
  guint value = *counter;
  g_mutex_unlock (&e->lock);
  return value;
}

static FaMqtt *
connect_mqtt (FaMqttBroker *broker)
{
  g_autoptr (FaMqttConfig) config = fa_mqtt_config_new ();
  g_assert_true (fa_mqtt_config_set_url (config, broker->url, NULL));
  config->reconnect_initial_us = 50 * G_TIME_SPAN_MILLISECOND;
  config->reconnect_max_us = 200 * G_TIME_SPAN_MILLISECOND;
  GError *error = NULL;
  FaMqtt *mqtt = fa_mqtt_acquire (config, &error);
  g_assert_no_error (error);
  return mqtt;
}

static FaNotifier *
sns_target (void)
{
  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new ("AKIDTARGETS",
      "SeCrEt/targets", NULL);
  GError *error = NULL;
  FaSnsClient *client = fa_sns_client_new (sns->endpoint, "us-east-1", credentials,
      &error);
  g_assert_no_error (error);
  fa_sns_client_set_timeout (client, 3000);
  return fa_sns_notifier_new (client);
}

/* A long backoff: only a wake (the broker is back) or a requeue makes a
 * retry happen within the test's bounds. */
static FaOutbox *
open_outbox (const gchar *path, Events *events, FaMqtt *mqtt, gboolean with_sns)
{
  GError *error = NULL;
  FaOutbox *outbox = fa_outbox_open (path, &error);
  g_assert_no_error (error);
  fa_outbox_set_backoff (outbox, 60 * G_TIME_SPAN_SECOND, 60 * G_TIME_SPAN_SECOND);
  fa_outbox_set_notify (outbox, on_event, events);
  FaNotifier *targets[2];
  guint n = 0;
  if (with_sns)
    targets[n++] = sns_target ();
  if (mqtt != NULL)
    targets[n++] = fa_mqtt_notifier_new (mqtt, 5 * G_TIME_SPAN_SECOND);
  fa_outbox_start_targets (outbox, targets, n);
  return outbox;
}

static void
add (FaOutbox *outbox, const gchar *id)
{
  const gchar *attributes[] = { "camera", "porch", "event", "unknown-face", NULL };
  g_autofree gchar *payload = g_strdup_printf ("{\"id\":\"%s\",\"camera\":\"porch\"}", id);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "default");
  json_builder_add_string_value (b, "Unknown face at porch");
  json_builder_set_member_name (b, "http");
  json_builder_add_string_value (b, payload);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree gchar *message = json_to_string (root, FALSE);
  FaSnsMessage m = { .topic_arn = sns->topic, .subject = "Unknown face at porch",
    .message = message, .json_structure = TRUE, .attributes = attributes };
  GError *error = NULL;
  g_assert_true (fa_outbox_add_alert (outbox, id, &m, payload, NULL, &error));
  g_assert_no_error (error);
}

static const FaOutboxDelivery *
delivery (const FaOutboxAlert *a, const gchar *target)
{
  for (guint i = 0; i < a->deliveries->len; i++) {
    const FaOutboxDelivery *d = g_ptr_array_index (a->deliveries, i);
    if (g_str_equal (d->target, target))
      return d;
  }
  g_error ("alert %s has no %s delivery", a->id, target);
}

static FaOutboxAlert *
get (const gchar *path, const gchar *id)
{
  GError *error = NULL;
  FaOutbox *admin = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  FaOutboxAlert *a = fa_outbox_get (admin, id, &error);
  g_assert_no_error (error);
  fa_outbox_close (admin);
  return a;
}

static void
test_independent_targets (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "facealert/alerts");
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-outbox-targets");
  g_autofree gchar *path = g_build_filename (dir, "porch.sqlite", NULL);
  Events e = { 0 };
  g_mutex_init (&e.lock);
  g_cond_init (&e.cond);
  guint sns_before = fa_sns_fixture_count (sns);
  FaMqttSub *online = fa_mqtt_sub_new (broker, NULL, "facealert/available");
  FaMqtt *mqtt = connect_mqtt (broker);
  /* Connected first, so the first alert's first attempt goes through. */
  g_assert_true (fa_mqtt_sub_wait_payload (online, "facealert/available", "online",
          NULL, 10000));
  fa_mqtt_sub_free (online);
  FaOutbox *outbox = open_outbox (path, &e, mqtt, TRUE);

  /* Both up: delivered to both. */
  add (outbox, "alert-a");
  g_assert_cmpuint (wait_for (&e, &e.delivered[0], 1, 10000), ==, 1);
  g_assert_cmpuint (wait_for (&e, &e.delivered[1], 1, 10000), ==, 1);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/alerts",
          "{\"id\":\"alert-a\",\"camera\":\"porch\"}", NULL, 10000));
  g_autoptr (FaOutboxAlert) a = get (path, "alert-a");
  g_assert_cmpint (a->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_assert_cmpuint (a->deliveries->len, ==, 2);
  g_assert_true (g_str_has_prefix (delivery (a, "mqtt")->receipt, "mid "));
  g_assert_cmpstr (a->message_id, ==, delivery (a, "sns")->receipt);   /* SNS's */
  g_assert_cmpuint (a->attempts, ==, 2);

  /* The broker goes: SNS goes on, MQTT waits. */
  fa_mqtt_broker_stop (broker);
  add (outbox, "alert-b");
  g_assert_cmpuint (wait_for (&e, &e.delivered[0], 2, 10000), ==, 2);
  g_assert_cmpuint (wait_for (&e, &e.retrying[1], 1, 10000), ==, 1);
  g_autoptr (FaOutboxAlert) b = get (path, "alert-b");
  g_assert_cmpint (b->state, ==, FA_OUTBOX_STATE_PENDING);
  g_assert_cmpint (delivery (b, "sns")->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_assert_cmpint (delivery (b, "mqtt")->state, ==, FA_OUTBOX_STATE_PENDING);
  g_assert_cmpuint (delivery (b, "mqtt")->attempts, ==, 1);
  g_assert_cmpstr (delivery (b, "mqtt")->last_error_code, ==, "NotConnected");
  g_assert_cmpstr (b->last_error_code, ==, "NotConnected");
  g_assert_cmpuint (fa_outbox_count_target (outbox, "mqtt", FA_OUTBOX_QUEUED), ==, 1);
  g_assert_cmpuint (fa_outbox_count_target (outbox, "sns", FA_OUTBOX_QUEUED), ==, 0);

  /* SNS goes too. */
  fa_sns_fixture_sns_stop (sns);
  add (outbox, "alert-c");
  g_assert_cmpuint (wait_for (&e, &e.retrying[0], 1, 10000), ==, 1);

  /* The broker is back: MQTT delivers b and c at once, though its backoff
   * is a minute; SNS still waits. */
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_restart (broker);
  sub = fa_mqtt_sub_new (broker, NULL, "facealert/alerts");
  g_assert_cmpuint (wait_for (&e, &e.delivered[1], 3, 10000), ==, 3);
  g_autoptr (FaOutboxAlert) c = get (path, "alert-c");
  g_assert_cmpint (delivery (c, "mqtt")->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_assert_cmpint (delivery (c, "sns")->state, ==, FA_OUTBOX_STATE_PENDING);

  /* SNS back, a requeue from another connection: only SNS sends c again;
   * the broker never gets it twice. */
  fa_sns_fixture_sns_start (sns);
  GError *error = NULL;
  FaOutbox *admin = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  g_assert_true (fa_outbox_requeue (admin, "alert-c", NULL, &error));
  g_assert_no_error (error);
  fa_outbox_close (admin);
  g_assert_cmpuint (wait_for (&e, &e.delivered[0], 3, 10000), ==, 3);
  g_assert_cmpuint (fa_sns_fixture_wait_count (sns, sns_before + 3, 10000), ==,
      sns_before + 3);
  fa_mqtt_test_publish (broker, "facealert/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/alerts", "barrier", NULL, 10000));
  /* (b and c may have reached this subscriber, once each, if it subscribed
   * before the client reconnected.) */
  g_autoptr (GPtrArray) got = fa_mqtt_sub_messages (sub, "facealert/alerts");
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  for (guint i = 0; i < got->len; i++) {
    gsize size;
    const gchar *data = g_bytes_get_data (((FaMqttReceived *)
            g_ptr_array_index (got, i))->payload, &size);
    g_assert_true (g_hash_table_add (seen, g_strndup (data, size)));
  }
  g_assert_cmpuint (e.delivered[1], ==, 3);
  g_autoptr (FaOutboxAlert) done = get (path, "alert-c");
  g_assert_cmpint (done->state, ==, FA_OUTBOX_STATE_DELIVERED);

  /* f is committed for both while the broker is down, then the process
   * stops. */
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_stop (broker);
  add (outbox, "alert-f");
  g_assert_cmpuint (wait_for (&e, &e.delivered[0], 4, 10000), ==, 4);
  fa_outbox_close (outbox);

  /* A run with SNS only: draining does not wait for MQTT, f's MQTT delivery
   * stays pending, and a new alert gets an SNS delivery only. */
  outbox = open_outbox (path, &e, NULL, TRUE);
  add (outbox, "alert-d");
  g_assert_cmpuint (wait_for (&e, &e.delivered[0], 5, 10000), ==, 5);
  g_assert_true (fa_outbox_wait_idle (outbox, 5 * G_TIME_SPAN_SECOND));
  fa_outbox_close (outbox);
  g_autoptr (FaOutboxAlert) d = get (path, "alert-d");
  g_assert_cmpuint (d->deliveries->len, ==, 1);
  g_assert_cmpint (d->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_autoptr (FaOutboxAlert) f = get (path, "alert-f");
  g_assert_cmpint (f->state, ==, FA_OUTBOX_STATE_PENDING);
  g_assert_cmpint (delivery (f, "sns")->state, ==, FA_OUTBOX_STATE_DELIVERED);

  /* A run with MQTT (only) and the broker back: f goes, once. */
  fa_mqtt_broker_restart (broker);
  sub = fa_mqtt_sub_new (broker, NULL, "facealert/alerts");
  outbox = open_outbox (path, &e, mqtt, FALSE);
  g_assert_cmpuint (wait_for (&e, &e.delivered[1], 4, 10000), ==, 4);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "facealert/alerts",
          "{\"id\":\"alert-f\",\"camera\":\"porch\"}", NULL, 10000));
  add (outbox, "alert-e");
  g_assert_cmpuint (wait_for (&e, &e.delivered[1], 5, 10000), ==, 5);
  fa_mqtt_sub_free (sub);
  fa_outbox_close (outbox);
  g_autoptr (FaOutboxAlert) ee = get (path, "alert-e");
  g_assert_cmpuint (ee->deliveries->len, ==, 1);
  g_assert_cmpstr (delivery (ee, "mqtt")->target, ==, "mqtt");
  g_autoptr (FaOutboxAlert) f2 = get (path, "alert-f");
  g_assert_cmpint (f2->state, ==, FA_OUTBOX_STATE_DELIVERED);

  fa_mqtt_release (mqtt);
  fa_mqtt_broker_free (broker);
  g_mutex_clear (&e.lock);
  g_cond_clear (&e.cond);
  fa_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sns = fa_sns_fixture_start ();
  g_test_add_func ("/outbox-targets/independent", test_independent_targets);
  int ret = g_test_run ();
  fa_sns_fixture_stop (sns);
  return ret;
}
