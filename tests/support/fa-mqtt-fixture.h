/* facealert tests: a real mosquitto broker on a free 127.0.0.1 port, and
 * libmosquitto subscribers that collect what they receive. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean persistence;     /* keep sessions and retained messages across a
                             * stop/start (saved at SIGTERM) */
  const gchar *user;        /* with password: anonymous clients refused */
  const gchar *password;
  gboolean tls;             /* TLS listener with a fresh CA (ca_file) */
} FaMqttBrokerOptions;

typedef struct {
  GPid pid;
  guint port;
  gchar *dir;               /* config, logs, persistence, certificates */
  gchar *conf;
  gchar *log;               /* the broker's log file */
  gchar *ca_file;           /* TLS: the CA that signed the broker's certificate */
  gchar *url;               /* mqtt://127.0.0.1:PORT (mqtts:// with TLS) */
  gchar *user, *password;   /* what test clients log in with */
} FaMqttBroker;

/* Starts mosquitto (options may be NULL) and waits until it accepts TCP
 * connections; exits 77 (skip) when /usr/sbin/mosquitto is not installed. */
FaMqttBroker *fa_mqtt_broker_start (const FaMqttBrokerOptions *options);
/* SIGTERM (mosquitto saves its persistence) and waits; start again on the
 * same port with fa_mqtt_broker_restart(). */
void fa_mqtt_broker_stop (FaMqttBroker *broker);
void fa_mqtt_broker_restart (FaMqttBroker *broker);
/* SIGSTOP / SIGCONT: a broker that holds connections but answers nothing
 * (a lost PUBACK, seen from the client). */
void fa_mqtt_broker_pause (FaMqttBroker *broker);
void fa_mqtt_broker_resume (FaMqttBroker *broker);
/* SIGKILL (nothing saved) and waits. */
void fa_mqtt_broker_kill (FaMqttBroker *broker);
/* Stops it (if running) and removes its directory. */
void fa_mqtt_broker_free (FaMqttBroker *broker);

typedef struct {
  gchar *topic;
  GBytes *payload;
  gboolean retained;
} FaMqttReceived;

typedef struct _FaMqttSub FaMqttSub;

/* A subscriber to @filter (QoS 1) on @broker. @client_id NULL: a fresh one
 * with a clean session; else a persistent session (clean_session false)
 * under that id, so messages published while it is away are kept for it.
 * Waits (bounded) until the subscription is acknowledged. */
FaMqttSub *fa_mqtt_sub_new (FaMqttBroker *broker, const gchar *client_id,
    const gchar *filter);
/* Disconnects cleanly (keeping a persistent session) and frees. */
void fa_mqtt_sub_free (FaMqttSub *sub);
/* Waits (bounded) until it is subscribed again after the broker came back
 * (it reconnects by itself; a persistent session resumes). */
void fa_mqtt_sub_wait_subscribed (FaMqttSub *sub);

/* Messages received so far on topics matching @filter (NULL: all), in
 * order; the array holds FaMqttReceived* owned by @sub. */
GPtrArray *fa_mqtt_sub_messages (FaMqttSub *sub, const gchar *filter);
/* Waits (bounded) until at least @n messages matched @filter; returns how
 * many did. */
guint fa_mqtt_sub_wait (FaMqttSub *sub, const gchar *filter, guint n,
    guint timeout_ms);
/* Waits (bounded) for a message on @topic whose payload is @payload;
 * returns whether it came. Only messages after index *@from (updated) count
 * when @from is not NULL. */
gboolean fa_mqtt_sub_wait_payload (FaMqttSub *sub, const gchar *topic,
    const gchar *payload, guint *from, guint timeout_ms);
/* The payload of the last message on @topic (newly allocated), or NULL. */
gchar *fa_mqtt_sub_last (FaMqttSub *sub, const gchar *topic);

/* Publishes with a short-lived client of its own and waits for the PUBACK:
 * a barrier (everything the broker got before reaches subscribers first). */
void fa_mqtt_test_publish (FaMqttBroker *broker, const gchar *topic,
    const gchar *payload, gboolean retain);

G_END_DECLS
