/* facealert: one MQTT connection (libmosquitto 2.0) shared by the alertsinks
 * of a process.
 *
 * fa_mqtt_acquire() returns the connection for a broker, client id, user and
 * topic prefix, creating it on first use: the cameras of one facealert-run
 * process share it, so the availability topic says "offline" only when the
 * last of them stops. Nothing here blocks the caller on the network: a
 * thread of its own connects (DNS, TCP, TLS), runs libmosquitto's loop,
 * reconnects with exponential backoff (reconnect_initial_us doubling to
 * reconnect_max_us) and calls the listeners.
 *
 * Availability: PREFIX/available is "online" (retained) once connected; the
 * last will, set before connecting, makes the broker publish "offline"
 * (retained) when the process dies or the network goes; a clean release of
 * the last user publishes "offline" itself before disconnecting.
 *
 * Retained state (fa_mqtt_set_retained: discovery configs, switch states,
 * counts, snapshots) is kept here and published again after every
 * (re)connect and whenever DISCOVERY_PREFIX/status says "online" (Home
 * Assistant restarted), so a broker that lost its retained messages, or a
 * Home Assistant that lost its entities, gets them back.
 *
 * Every publish is QoS 1. fa_mqtt_publish() is for live messages: dropped
 * while disconnected. fa_mqtt_publish_acked() is the outbox's: see below.
 * Passwords are never logged; libmosquitto's own log goes to g_debug.
 */
#pragma once

#include "fa-mqtt-config.h"

G_BEGIN_DECLS

typedef struct _FaMqtt FaMqtt;

/* Takes a reference on the shared connection for @config (copied), starting
 * it when new. Fails only on settings (TLS CA file unreadable...); an
 * unreachable broker is retried in the background. */
FaMqtt *fa_mqtt_acquire (const FaMqttConfig *config, GError **error);
/* Another reference on @mqtt (for fa_mqtt_release()). */
FaMqtt *fa_mqtt_ref (FaMqtt *mqtt);
/* Drops a reference; the last one publishes "offline", disconnects
 * (bounded: 2 s) and frees. */
void fa_mqtt_release (FaMqtt *mqtt);

const FaMqttConfig *fa_mqtt_get_config (FaMqtt *mqtt);
gboolean fa_mqtt_is_connected (FaMqtt *mqtt);
/* Why the last connection attempt failed or was lost (newly allocated), or
 * NULL while connected. */
gchar *fa_mqtt_dup_last_error (FaMqtt *mqtt);

/* PREFIX/@suffix (newly allocated). */
gchar *fa_mqtt_topic (FaMqtt *mqtt, const gchar *suffix);

/* Keeps @payload (copied) as the retained value of @topic and publishes it
 * (retained) now when connected and after every reconnect. */
void fa_mqtt_set_retained (FaMqtt *mqtt, const gchar *topic,
    const void *payload, gsize size);
/* Stops re-publishing @topic (its retained value stays on the broker). */
void fa_mqtt_forget_retained (FaMqtt *mqtt, const gchar *topic);

/* Publishes a live message (not retained) when connected; FALSE when it
 * was dropped (not connected). */
gboolean fa_mqtt_publish (FaMqtt *mqtt, const gchar *topic, const gchar *payload);

/* The outbox's publish: @payload on @topic (QoS 1, not retained), then
 * waits up to @timeout_us for the broker's PUBACK; returns "mid N" once it
 * came. Not connected: FA_ERROR_NETWORK at once, nothing sent. A publish
 * whose PUBACK has not come (connection lost, timeout) stays with
 * libmosquitto, which sends it again (same packet id, DUP) after
 * reconnecting; calling again with the same @key waits for that copy
 * instead of publishing a second one. So a subscriber gets an alert twice
 * only when a PUBACK was lost after the broker had it (QoS 1), or when the
 * process died between publish and PUBACK (the outbox sends it again after
 * the restart): subscribers that must never see one twice drop repeated
 * ids. Returns early with FA_ERROR_NETWORK ("cancelled") when *@cancelled
 * becomes non-zero and fa_mqtt_wakeup() is called.
 * FA_ERROR_INVALID_ARGUMENT: too large for MQTT (final). */
gchar *fa_mqtt_publish_acked (FaMqtt *mqtt, const gchar *key,
    const gchar *topic, const gchar *payload, gint64 timeout_us,
    const gint *cancelled, GError **error);
/* Wakes every fa_mqtt_publish_acked() waiting, to look at its cancel flag. */
void fa_mqtt_wakeup (FaMqtt *mqtt);

/* Callbacks run on the connection's thread. They may publish; they must not
 * add or remove callbacks (the removal functions wait for a callback in
 * progress to return). */
typedef void (*FaMqttMessageFunc) (FaMqtt *mqtt, const gchar *topic,
    const gchar *payload, gsize size, gpointer user_data);
typedef void (*FaMqttStateFunc) (FaMqtt *mqtt, gboolean connected,
    const gchar *error, gpointer user_data);
typedef void (*FaMqttTickFunc) (FaMqtt *mqtt, gpointer user_data);

/* Subscribes (QoS 1) to @filter, now and after every reconnect; messages
 * matching it go to @func. Returns an id for fa_mqtt_remove(). */
guint fa_mqtt_subscribe (FaMqtt *mqtt, const gchar *filter,
    FaMqttMessageFunc func, gpointer user_data);
/* Connection state changes (connected, or lost/refused with why). */
guint fa_mqtt_add_state_listener (FaMqtt *mqtt, FaMqttStateFunc func,
    gpointer user_data);
/* Called about twice a second. */
guint fa_mqtt_add_tick (FaMqtt *mqtt, FaMqttTickFunc func, gpointer user_data);
/* Removes a subscription, listener or tick (not from a callback). */
void fa_mqtt_remove (FaMqtt *mqtt, guint id);

G_END_DECLS
