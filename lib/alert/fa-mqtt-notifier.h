/* facealert: the MQTT delivery target of the outbox (fa-notifier.h): each
 * alert's JSON payload (the same JSON SNS subscribers get) is published on
 * PREFIX/alerts, QoS 1, not retained; delivered = the broker's PUBACK (the
 * receipt "mid N"). Every failure is retryable (broker away, connection
 * lost, no PUBACK yet) except a message too large for MQTT: alerts wait in
 * the outbox while the broker is down, and are tried at once when the
 * connection comes back. See fa_mqtt_publish_acked() for what "exactly
 * once" means here. */
#pragma once

#include "fa-mqtt.h"
#include "fa-notifier.h"

G_BEGIN_DECLS

#define FA_MQTT_TARGET "mqtt"

/* Holds a reference on @mqtt. @timeout_us: how long one attempt waits for a
 * PUBACK. */
FaNotifier *fa_mqtt_notifier_new (FaMqtt *mqtt, gint64 timeout_us);

G_END_DECLS
