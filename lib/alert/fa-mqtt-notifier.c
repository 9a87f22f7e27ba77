/* facealert: the MQTT delivery target. See fa-mqtt-notifier.h. */
#include "fa-mqtt-notifier.h"
#include "fa-error.h"
#include "fa-outbox.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  FaNotifier parent;
  FaMqtt *mqtt;
  gchar *topic;
  gint64 timeout_us;
  gint cancelled;
  guint listener;
} FaMqttNotifier;

/* Alerts committed without a payload (before targets existed): the payload
 * SNS's http subscribers got, else the message itself. */
static gchar *
payload_of (const FaOutboxAlert *alert)
{
  if (alert->payload != NULL)
    return g_strdup (alert->payload);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (alert->json_structure && json_parser_load_from_data (parser,
          alert->message, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    JsonObject *o = json_node_get_object (json_parser_get_root (parser));
    if (json_object_has_member (o, "http"))
      return g_strdup (json_object_get_string_member (o, "http"));
  }
  return g_strdup (alert->message);
}

static gchar *
mqtt_deliver (FaNotifier *notifier, const FaOutboxAlert *alert, GError **error)
{
  FaMqttNotifier *self = (FaMqttNotifier *) notifier;
  g_autofree gchar *payload = payload_of (alert);
  return fa_mqtt_publish_acked (self->mqtt, alert->id, self->topic, payload,
      self->timeout_us, &self->cancelled, error);
}

static gboolean
mqtt_is_retryable (FaNotifier *notifier, const GError *error)
{
  return error != NULL && error->code != FA_ERROR_INVALID_ARGUMENT;
}

/* Reads back the messages fa-mqtt.c makes: keep in step. */
static gchar *
mqtt_error_code (FaNotifier *notifier, const gchar *message)
{
  static const struct {
    const gchar *what, *code;
  } codes[] = {
    { "not authorised", "NotAuthorized" }, { "TLS failure", "TLSFailure" },
    { "DNS lookup failed", "DNSFailure" }, { "too large", "PayloadTooLarge" },
    { "cancelled", "Cancelled" }, { "timed out", "Timeout" },
    { "connection lost", "ConnectionLost" }, { "cannot connect", "ConnectFailure" },
    { "refused the connection", "ConnectionRefused" },
    { "not connected", "NotConnected" },
  };
  if (message == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (strstr (message, codes[i].what) != NULL)
      return g_strdup (codes[i].code);
  return g_strdup ("Error");
}

static void
mqtt_cancel (FaNotifier *notifier)
{
  FaMqttNotifier *self = (FaMqttNotifier *) notifier;
  g_atomic_int_set (&self->cancelled, 1);
  fa_mqtt_wakeup (self->mqtt);
}

static void
mqtt_free (FaNotifier *notifier)
{
  FaMqttNotifier *self = (FaMqttNotifier *) notifier;
  fa_mqtt_remove (self->mqtt, self->listener);
  fa_mqtt_release (self->mqtt);
  g_free (self->topic);
  g_free (self);
}

static const FaNotifierClass mqtt_class = {
  mqtt_deliver, mqtt_is_retryable, mqtt_error_code, mqtt_cancel, mqtt_free,
};

/* Connection thread: the broker is back, pending alerts go now. */
static void
on_state (FaMqtt *mqtt, gboolean connected, const gchar *error, gpointer data)
{
  if (connected)
    fa_notifier_wake (data);
}

FaNotifier *
fa_mqtt_notifier_new (FaMqtt *mqtt, gint64 timeout_us)
{
  FaMqttNotifier *self = g_new0 (FaMqttNotifier, 1);
  fa_notifier_init (&self->parent, &mqtt_class, FA_MQTT_TARGET);
  self->mqtt = fa_mqtt_ref (mqtt);
  self->topic = fa_mqtt_topic (mqtt, "alerts");
  self->timeout_us = timeout_us;
  self->listener = fa_mqtt_add_state_listener (mqtt, on_state, self);
  return &self->parent;
}
