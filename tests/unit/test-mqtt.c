/* The MQTT client (lib/alert/fa-mqtt*.c) against a real mosquitto started
 * per test on 127.0.0.1: settings and credentials, availability, retained
 * state re-announced, the outbox's acknowledged publish across a broker
 * outage, a refused password, TLS verification. */
#include "fa-error.h"
#include "fa-mqtt.h"
#include "fa-mqtt-fixture.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <string.h>

#define PASSWORD "pa55-W0rd/NeverLogged"

static FaMqttConfig *
config_for (FaMqttBroker *broker, const gchar *prefix)
{
  FaMqttConfig *config = fa_mqtt_config_new ();
  GError *error = NULL;
  g_assert_true (fa_mqtt_config_set_url (config, broker->url, &error));
  g_assert_no_error (error);
  g_free (config->prefix);
  config->prefix = g_strdup (prefix);
  config->reconnect_initial_us = 50 * G_TIME_SPAN_MILLISECOND;
  config->reconnect_max_us = 200 * G_TIME_SPAN_MILLISECOND;
  return config;
}

typedef struct {
  GMutex lock;
  GCond cond;
  guint ups, downs;
  gchar *error;
} States;

static void
on_state (FaMqtt *mqtt, gboolean connected, const gchar *error, gpointer data)
{
  States *s = data;
  g_mutex_lock (&s->lock);
  if (connected)
    s->ups++;
  else {
    s->downs++;
    g_free (s->error);
    s->error = g_strdup (error);
  }
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
states_init (States *s)
{
  memset (s, 0, sizeof *s);
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
}

static void
states_clear (States *s)
{
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s->error);
}

static guint
wait_count (States *s, guint *counter, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&s->lock);
  while (*counter < n && g_cond_wait_until (&s->cond, &s->lock, deadline))
    ;
  guint value = *counter;
  g_mutex_unlock (&s->lock);
  return value;
}

/* ---- settings -------------------------------------------------------------- */

static void
test_config (void)
{
  g_autoptr (FaMqttConfig) c = fa_mqtt_config_new ();
  GError *error = NULL;
  g_assert_true (fa_mqtt_config_set_url (c, "mqtt://broker.lan", &error));
  g_assert_cmpstr (c->host, ==, "broker.lan");
  g_assert_cmpuint (c->port, ==, 1883);
  g_assert_false (c->tls);
  g_assert_true (fa_mqtt_config_set_url (c, "mqtts://[::1]:8884/", &error));
  g_assert_cmpstr (c->host, ==, "::1");
  g_assert_cmpuint (c->port, ==, 8884);
  g_assert_true (c->tls);
  g_assert_true (fa_mqtt_config_set_url (c, "mqtts://ha.local", &error));
  g_assert_cmpuint (c->port, ==, 8883);
  const struct {
    const gchar *url, *says;
  } bad[] = {
    { "http://broker:1883", "mqtt:// or mqtts://" },
    { "mqtt://ha:" PASSWORD "@broker", "not in the URL" },
    { "mqtt://broker/topic", "no path" },
    { "broker:1883", "mqtt" },
    { "mqtt://:1883", "no host" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_assert_false (fa_mqtt_config_set_url (c, bad[i].url, &error));
    g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
    g_test_message ("%s -> %s", bad[i].url, error->message);
    g_assert_nonnull (strstr (error->message, bad[i].says));
    g_assert_null (strstr (error->message, PASSWORD));
    g_clear_error (&error);
  }

  /* Credentials: properties, else environment, else a private file. */
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-mqtt-config");
  g_autofree gchar *file = g_build_filename (dir, "creds", NULL);
  g_autofree gchar *default_dir = g_build_filename (dir, "facealert", NULL);
  g_setenv ("FACEALERT_CONFIG_DIR", default_dir, TRUE);
  g_unsetenv ("FACEALERT_MQTT_USER");
  g_unsetenv ("FACEALERT_MQTT_PASSWORD");
  g_unsetenv ("FACEALERT_MQTT_CREDENTIALS");
  g_assert_true (fa_mqtt_config_set_credentials (c, NULL, NULL, NULL, &error));
  g_assert_null (c->user);
  g_assert_cmpstr (c->credentials_source, ==, "none");
  g_assert_true (fa_mqtt_config_set_credentials (c, "ha", PASSWORD, NULL, &error));
  g_assert_cmpstr (c->user, ==, "ha");
  g_assert_cmpstr (c->password, ==, PASSWORD);
  g_autofree gchar *described = fa_mqtt_config_describe (c);
  g_assert_null (strstr (described, PASSWORD));
  g_assert_nonnull (strstr (described, "ha"));
  g_setenv ("FACEALERT_MQTT_USER", "envuser", TRUE);
  g_setenv ("FACEALERT_MQTT_PASSWORD", "envpass", TRUE);
  g_assert_true (fa_mqtt_config_set_credentials (c, NULL, NULL, file, &error));
  g_assert_cmpstr (c->user, ==, "envuser");
  g_assert_cmpstr (c->credentials_source, ==, "environment");
  g_unsetenv ("FACEALERT_MQTT_USER");
  g_unsetenv ("FACEALERT_MQTT_PASSWORD");
  g_assert_false (fa_mqtt_config_set_credentials (c, NULL, NULL, file, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);    /* named and missing */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (file, "# home broker\nusername = fileuser\n"
          "password = " PASSWORD "\n", -1, NULL));
  g_chmod (file, 0644);
  g_assert_false (fa_mqtt_config_set_credentials (c, NULL, NULL, file, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_assert_null (strstr (error->message, PASSWORD));
  g_clear_error (&error);
  g_chmod (file, 0600);
  g_assert_true (fa_mqtt_config_set_credentials (c, NULL, NULL, file, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c->user, ==, "fileuser");
  g_assert_cmpstr (c->password, ==, PASSWORD);
  /* The default file, found by itself. */
  g_autofree gchar *default_file = g_build_filename (default_dir, "mqtt-credentials",
      NULL);
  g_mkdir (default_dir, 0700);
  g_assert_true (g_file_set_contents (default_file, "username = deflt\n", -1, NULL));
  g_chmod (default_file, 0600);
  g_assert_true (fa_mqtt_config_set_credentials (c, NULL, NULL, NULL, &error));
  g_assert_cmpstr (c->user, ==, "deflt");
  g_assert_null (c->password);
  g_assert_false (fa_mqtt_config_set_credentials (c, NULL, "only-a-password", NULL,
          &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_true (fa_mqtt_check_topic_part ("front-door", TRUE, "camera", NULL));
  g_assert_true (fa_mqtt_check_topic_part ("home/facealert", FALSE, "prefix", NULL));
  const gchar *bad_levels[] = { "", "a/b", "cam+", "cam#", "tab\there" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_levels); i++) {
    g_assert_false (fa_mqtt_check_topic_part (bad_levels[i], TRUE, "camera", &error));
    g_assert_nonnull (strstr (error->message, "cannot be used in MQTT topics"));
    g_clear_error (&error);
  }
  g_unsetenv ("FACEALERT_CONFIG_DIR");
  fa_test_rm_rf (dir);
}

/* ---- a live broker ------------------------------------------------------------ */

static void
test_availability_and_retained (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "t1/#");
  g_autoptr (FaMqttConfig) config = config_for (broker, "t1");
  GError *error = NULL;
  FaMqtt *mqtt = fa_mqtt_acquire (config, &error);
  g_assert_no_error (error);
  /* The same settings give the same connection. */
  FaMqtt *again = fa_mqtt_acquire (config, &error);
  g_assert_true (again == mqtt);
  fa_mqtt_set_retained (mqtt, "t1/cam/state", "ON", 2);
  guint from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t1/available", "online", &from, 10000));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t1/cam/state", "ON", NULL, 10000));
  g_assert_true (fa_mqtt_is_connected (mqtt));

  /* Home Assistant restarted: everything retained is published again. */
  guint before = fa_mqtt_sub_wait (sub, "t1/cam/state", 0, 0);
  fa_mqtt_test_publish (broker, "homeassistant/status", "online", FALSE);
  g_assert_cmpuint (fa_mqtt_sub_wait (sub, "t1/cam/state", before + 1, 10000), ==,
      before + 1);

  /* A broker that forgot everything (no persistence) gets it all back after
   * the reconnect: a late subscriber sees the retained values. */
  fa_mqtt_broker_stop (broker);
  fa_mqtt_broker_restart (broker);
  FaMqttSub *late = fa_mqtt_sub_new (broker, NULL, "t1/#");
  g_assert_true (fa_mqtt_sub_wait_payload (late, "t1/cam/state", "ON", NULL, 10000));
  g_assert_true (fa_mqtt_sub_wait_payload (late, "t1/available", "online", NULL, 10000));
  /* Seen (live or retained): the broker holds it now, retained. */
  FaMqttSub *later = fa_mqtt_sub_new (broker, NULL, "t1/cam/state");
  g_assert_cmpuint (fa_mqtt_sub_wait (later, "t1/cam/state", 1, 10000), ==, 1);
  GPtrArray *states = fa_mqtt_sub_messages (later, "t1/cam/state");
  g_assert_true (((FaMqttReceived *) g_ptr_array_index (states, 0))->retained);
  g_ptr_array_unref (states);
  fa_mqtt_sub_free (later);

  /* Releasing the last reference says offline (retained), cleanly. */
  fa_mqtt_release (again);
  g_assert_true (fa_mqtt_is_connected (mqtt));
  fa_mqtt_release (mqtt);
  guint late_from = 0;
  g_assert_true (fa_mqtt_sub_wait_payload (late, "t1/available", "offline",
          &late_from, 10000));
  fa_mqtt_sub_free (late);
  fa_mqtt_sub_free (sub);
  FaMqttSub *after = fa_mqtt_sub_new (broker, NULL, "t1/available");
  g_assert_true (fa_mqtt_sub_wait_payload (after, "t1/available", "offline", NULL,
          10000));
  fa_mqtt_sub_free (after);
  fa_mqtt_broker_free (broker);
}

static void
test_acked_across_outage (void)
{
  FaMqttBroker *broker = fa_mqtt_broker_start (NULL);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "t2/alerts");
  g_autoptr (FaMqttConfig) config = config_for (broker, "t2");
  States states;
  states_init (&states);
  GError *error = NULL;
  FaMqtt *mqtt = fa_mqtt_acquire (config, &error);
  g_assert_no_error (error);
  guint listener = fa_mqtt_add_state_listener (mqtt, on_state, &states);
  g_assert_cmpuint (wait_count (&states, &states.ups, 1), ==, 1);

  gint cancelled = 0;
  g_autofree gchar *r1 = fa_mqtt_publish_acked (mqtt, "alert-1", "t2/alerts",
      "{\"id\":\"alert-1\"}", 5 * G_TIME_SPAN_SECOND, &cancelled, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (r1, "mid "));
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t2/alerts", "{\"id\":\"alert-1\"}",
          NULL, 10000));

  /* Broker gone: refused at once, nothing queued anywhere but the caller. */
  fa_mqtt_broker_stop (broker);
  g_assert_cmpuint (wait_count (&states, &states.downs, 1), ==, 1);
  g_test_message ("while down: %s", states.error);
  g_assert_nonnull (strstr (states.error, "127.0.0.1"));
  g_assert_null (fa_mqtt_publish_acked (mqtt, "alert-2", "t2/alerts",
          "{\"id\":\"alert-2\"}", 5 * G_TIME_SPAN_SECOND, &cancelled, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "not connected"));
  g_clear_error (&error);
  g_assert_false (fa_mqtt_publish (mqtt, "t2/live", "dropped"));
  g_autofree gchar *why = fa_mqtt_dup_last_error (mqtt);
  g_assert_nonnull (why);

  /* Back: the listener hears it, the retry goes through once. */
  fa_mqtt_broker_restart (broker);
  g_assert_cmpuint (wait_count (&states, &states.ups, 2), ==, 2);
  fa_mqtt_sub_free (sub);
  sub = fa_mqtt_sub_new (broker, NULL, "t2/alerts");
  g_autofree gchar *r2 = fa_mqtt_publish_acked (mqtt, "alert-2", "t2/alerts",
      "{\"id\":\"alert-2\"}", 5 * G_TIME_SPAN_SECOND, &cancelled, &error);
  g_assert_no_error (error);
  fa_mqtt_test_publish (broker, "t2/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t2/alerts", "barrier", NULL, 10000));
  GPtrArray *got = fa_mqtt_sub_messages (sub, "t2/alerts");
  g_assert_cmpuint (got->len, ==, 2);   /* alert-2 once, then the barrier */
  g_ptr_array_unref (got);

  /* Cancelling a waiter returns at once. */
  cancelled = 1;
  fa_mqtt_remove (mqtt, listener);
  fa_mqtt_release (mqtt);
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_free (broker);
  states_clear (&states);
}

/* The PUBACK does not come (the broker is frozen): the attempt times out,
 * and the retry waits for that same publish instead of sending a second.
 * Then the broker dies with the message unread: libmosquitto sends it again
 * after the reconnect, and the retry gets its PUBACK. Either way the
 * subscriber gets it once. */
static void
test_acked_retry_no_duplicate (void)
{
  FaMqttBrokerOptions options = { .persistence = TRUE };
  FaMqttBroker *broker = fa_mqtt_broker_start (&options);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, "t5-sub", "t5/alerts");
  g_autoptr (FaMqttConfig) config = config_for (broker, "t5");
  States states;
  states_init (&states);
  GError *error = NULL;
  FaMqtt *mqtt = fa_mqtt_acquire (config, &error);
  guint listener = fa_mqtt_add_state_listener (mqtt, on_state, &states);
  g_assert_cmpuint (wait_count (&states, &states.ups, 1), ==, 1);
  gint cancelled = 0;

  /* Frozen: no PUBACK within the attempt's time. */
  fa_mqtt_broker_pause (broker);
  g_assert_null (fa_mqtt_publish_acked (mqtt, "k1", "t5/alerts", "one",
          300 * G_TIME_SPAN_MILLISECOND, &cancelled, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "timed out"));
  g_clear_error (&error);
  fa_mqtt_broker_resume (broker);
  g_autofree gchar *r1 = fa_mqtt_publish_acked (mqtt, "k1", "t5/alerts", "one",
      5 * G_TIME_SPAN_SECOND, &cancelled, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r1);

  /* Frozen, then killed with the publish unread; restarted. */
  fa_mqtt_broker_pause (broker);
  g_assert_null (fa_mqtt_publish_acked (mqtt, "k2", "t5/alerts", "two",
          300 * G_TIME_SPAN_MILLISECOND, &cancelled, &error));
  g_clear_error (&error);
  fa_mqtt_broker_kill (broker);
  fa_mqtt_broker_restart (broker);
  g_assert_cmpuint (wait_count (&states, &states.ups, 2), ==, 2);
  g_autofree gchar *r2 = fa_mqtt_publish_acked (mqtt, "k2", "t5/alerts", "two",
      5 * G_TIME_SPAN_SECOND, &cancelled, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r2);

  fa_mqtt_sub_wait_subscribed (sub);
  fa_mqtt_test_publish (broker, "t5/alerts", "barrier", FALSE);
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t5/alerts", "barrier", NULL, 15000));
  GPtrArray *got = fa_mqtt_sub_messages (sub, "t5/alerts");
  g_assert_cmpuint (got->len, ==, 3);    /* one, two, barrier */
  g_ptr_array_unref (got);
  fa_mqtt_remove (mqtt, listener);
  fa_mqtt_release (mqtt);
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_free (broker);
  states_clear (&states);
}

static void
test_password (void)
{
  FaMqttBrokerOptions options = { .user = "ha", .password = PASSWORD };
  FaMqttBroker *broker = fa_mqtt_broker_start (&options);
  States states;
  states_init (&states);
  GError *error = NULL;

  g_autoptr (FaMqttConfig) wrong = config_for (broker, "t3");
  g_assert_true (fa_mqtt_config_set_credentials (wrong, "ha", "not-" PASSWORD, NULL,
          &error));
  FaMqtt *refused = fa_mqtt_acquire (wrong, &error);
  g_assert_no_error (error);
  guint l1 = fa_mqtt_add_state_listener (refused, on_state, &states);
  g_assert_cmpuint (wait_count (&states, &states.downs, 1), ==, 1);
  g_test_message ("wrong password: %s", states.error);
  g_assert_nonnull (strstr (states.error, "not authorised"));
  g_assert_false (fa_mqtt_is_connected (refused));
  fa_mqtt_remove (refused, l1);
  fa_mqtt_release (refused);

  g_autoptr (FaMqttConfig) right = config_for (broker, "t3");
  g_free (right->client_id);
  right->client_id = g_strdup ("facealert-test-right");
  g_assert_true (fa_mqtt_config_set_credentials (right, "ha", PASSWORD, NULL, &error));
  FaMqtt *mqtt = fa_mqtt_acquire (right, &error);
  g_assert_no_error (error);
  g_assert_null (fa_mqtt_get_config (mqtt)->password);   /* handed over, wiped */
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "t3/available");
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t3/available", "online", NULL, 10000));
  fa_mqtt_release (mqtt);
  fa_mqtt_sub_free (sub);

  g_assert_false (fa_test_logged_contains (PASSWORD));
  g_assert_true (fa_test_logged_contains ("not authorised"));   /* the check reads */
  fa_mqtt_broker_free (broker);
  states_clear (&states);
}

static void
test_tls (void)
{
  FaMqttBrokerOptions options = { .tls = TRUE };
  FaMqttBroker *broker = fa_mqtt_broker_start (&options);
  GError *error = NULL;
  States states;
  states_init (&states);

  /* The system's CAs do not know the test CA: refused, and said why. */
  g_autoptr (FaMqttConfig) system = config_for (broker, "t4");
  FaMqtt *untrusted = fa_mqtt_acquire (system, &error);
  g_assert_no_error (error);
  guint l1 = fa_mqtt_add_state_listener (untrusted, on_state, &states);
  g_assert_cmpuint (wait_count (&states, &states.downs, 1), ==, 1);
  g_test_message ("untrusted: %s", states.error);
  g_assert_nonnull (strstr (states.error, "TLS failure"));
  g_assert_nonnull (strstr (states.error, "mqtt-ca-file"));
  fa_mqtt_remove (untrusted, l1);
  fa_mqtt_release (untrusted);

  g_autoptr (FaMqttConfig) missing = config_for (broker, "t4");
  missing->ca_file = g_strdup ("/nonexistent/ca.pem");
  g_assert_null (fa_mqtt_acquire (missing, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  g_clear_error (&error);

  g_autoptr (FaMqttConfig) trusted = config_for (broker, "t4");
  trusted->ca_file = g_strdup (broker->ca_file);
  FaMqtt *mqtt = fa_mqtt_acquire (trusted, &error);
  g_assert_no_error (error);
  FaMqttSub *sub = fa_mqtt_sub_new (broker, NULL, "t4/available");
  g_assert_true (fa_mqtt_sub_wait_payload (sub, "t4/available", "online", NULL, 10000));
  fa_mqtt_release (mqtt);
  fa_mqtt_sub_free (sub);
  fa_mqtt_broker_free (broker);
  states_clear (&states);
}

int
main (int argc, char **argv)
{
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);   /* check the debug lines too */
  fa_test_record_logs ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mqtt/config", test_config);
  g_test_add_func ("/mqtt/availability-and-retained", test_availability_and_retained);
  g_test_add_func ("/mqtt/acked-across-outage", test_acked_across_outage);
  g_test_add_func ("/mqtt/acked-retry-no-duplicate", test_acked_retry_no_duplicate);
  g_test_add_func ("/mqtt/password", test_password);
  g_test_add_func ("/mqtt/tls", test_tls);
  return g_test_run ();
}
