/* facealert: a shared MQTT connection over libmosquitto. See fa-mqtt.h.
 *
 * Threads and locks: the connection's own thread runs mosquitto_loop() and
 * every callback. `lock` guards the state below it and is never held while
 * calling libmosquitto (whose callbacks take it). `dispatch` is held while
 * the thread runs user callbacks and while the callback list changes, so a
 * callback being removed is never running. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-mqtt"
#include "fa-mqtt.h"
#include "fa-secret.h"
#include "fa-error.h"

#include <errno.h>
#include <mosquitto.h>
#include <string.h>

#define LOOP_TIMEOUT_MS 250
#define TICK_US (500 * G_TIME_SPAN_MILLISECOND)
#define CONNECT_TIMEOUT_US (15 * G_TIME_SPAN_SECOND)
#define CLOSE_TIMEOUT_US (2 * G_TIME_SPAN_SECOND)
#define RECENT_ACKS 64

typedef enum { CB_MESSAGE, CB_STATE, CB_TICK } CallbackKind;

typedef struct {
  guint id;
  CallbackKind kind;
  gchar *filter;
  gpointer func;
  gpointer data;
  gboolean replay;        /* state listener not told the current state yet */
} Callback;

struct _FaMqtt {
  gchar *key;             /* in the registry */
  gint refs;              /* registry lock */
  FaMqttConfig *config;   /* password wiped once handed to libmosquitto */
  gchar *available_topic;
  gchar *status_topic;    /* DISCOVERY_PREFIX/status, or NULL */
  struct mosquitto *mosq;
  GThread *thread;

  GMutex dispatch;
  GPtrArray *callbacks;   /* Callback*, under dispatch */

  GMutex lock;
  GCond cond;
  gboolean stop;
  gboolean connected;     /* CONNACK accepted */
  enum { TOLD_NOTHING, TOLD_CONNECTED, TOLD_DISCONNECTED } told;  /* listeners */
  gchar *connack_error;   /* why the broker refused the last CONNECT */
  gchar *last_error;
  gchar *last_log_error;  /* libmosquitto's last error line (TLS details) */
  GHashTable *retained;   /* topic -> GBytes */
  GHashTable *inflight;   /* key -> mid */
  GHashTable *inflight_mids;  /* mid -> TRUE, acked or not */
  GHashTable *acked;      /* mid -> TRUE */
  gint recent_acks[RECENT_ACKS];
  guint recent_next;
  guint next_id;
  gint64 backoff_us;
  gint64 next_connect_us;
};

static GMutex registry_lock;
static GHashTable *registry;

/* ---- helpers ------------------------------------------------------------ */

static void
set_error_locked (FaMqtt *m, gchar *error)
{
  g_free (m->last_error);
  m->last_error = error;
}

static gchar *
where (FaMqtt *m)
{
  return g_strdup_printf ("%s:%u", m->config->host, m->config->port);
}

/* Why libmosquitto returned @rc, in words a user can act on. */
static gchar *
describe_rc (FaMqtt *m, int rc, int saved_errno)
{
  g_autofree gchar *broker = where (m);
  g_mutex_lock (&m->lock);
  g_autofree gchar *log_error = g_strdup (m->last_log_error);
  g_mutex_unlock (&m->lock);
  switch (rc) {
    case MOSQ_ERR_ERRNO:
      return g_strdup_printf ("cannot connect to MQTT broker %s: %s", broker,
          g_strerror (saved_errno));
    case MOSQ_ERR_EAI:
      return g_strdup_printf ("cannot resolve the MQTT broker's host name "
          "\"%s\" (DNS lookup failed)", m->config->host);
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_TLS_HANDSHAKE:
      return g_strdup_printf ("TLS failure with MQTT broker %s: %s%s", broker,
          log_error != NULL ? log_error : "handshake failed",
          log_error != NULL && strstr (log_error, "certificate verify failed")
          ? " (set mqtt-ca-file to the CA that signed the broker's certificate)"
          : "");
    case MOSQ_ERR_CONN_REFUSED:
    case MOSQ_ERR_AUTH:
      return g_strdup_printf ("MQTT broker %s refused the connection: not "
          "authorised (check mqtt-user and mqtt-password)", broker);
    case MOSQ_ERR_CONN_LOST:
    case MOSQ_ERR_NO_CONN:
      return g_strdup_printf ("connection to MQTT broker %s lost", broker);
    default:
      return g_strdup_printf ("MQTT broker %s: %s", broker, mosquitto_strerror (rc));
  }
}

static void
on_log (struct mosquitto *mosq, void *obj, int level, const char *text)
{
  FaMqtt *m = obj;
  g_debug ("libmosquitto: %s", text);
  if (level == MOSQ_LOG_ERR) {
    /* "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed" */
    const gchar *tail = g_strrstr (text, "::");
    g_mutex_lock (&m->lock);
    g_free (m->last_log_error);
    m->last_log_error = g_strdup (tail != NULL ? tail + 2 : text);
    g_mutex_unlock (&m->lock);
  }
}

/* ---- callbacks on the connection's thread ------------------------------- */

/* Tells the state listeners (@only_new: those added since the last change,
 * so a listener added late still hears the current state). */
static void
dispatch_state (FaMqtt *m, gboolean connected, const gchar *error,
    gboolean only_new)
{
  g_mutex_lock (&m->dispatch);
  for (guint i = 0; i < m->callbacks->len; i++) {
    Callback *cb = g_ptr_array_index (m->callbacks, i);
    if (cb->kind == CB_STATE && (cb->replay || !only_new)) {
      cb->replay = FALSE;
      ((FaMqttStateFunc) cb->func) (m, connected, error, cb->data);
    }
  }
  g_mutex_unlock (&m->dispatch);
}

/* Publishes every retained value again (after a connect, or when Home
 * Assistant came back). */
static void
republish_retained (FaMqtt *m)
{
  g_mutex_lock (&m->lock);
  GList *topics = g_hash_table_get_keys (m->retained);
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (GList *l = topics; l != NULL; l = l->next) {
    g_ptr_array_add (entries, g_strdup (l->data));
    g_ptr_array_add (values, g_bytes_ref (g_hash_table_lookup (m->retained, l->data)));
  }
  g_list_free (topics);
  g_mutex_unlock (&m->lock);
  for (guint i = 0; i < entries->len; i++) {
    gsize size;
    const void *data = g_bytes_get_data (g_ptr_array_index (values, i), &size);
    mosquitto_publish (m->mosq, NULL, g_ptr_array_index (entries, i), (int) size,
        data, 1, true);
  }
  g_ptr_array_unref (entries);
  g_ptr_array_unref (values);
}

static void
on_connect (struct mosquitto *mosq, void *obj, int rc)
{
  FaMqtt *m = obj;
  if (rc != 0) {
    g_autofree gchar *broker = where (m);
    /* "Connection Refused: not authorised." */
    g_autofree gchar *why = g_strdup (mosquitto_connack_string (rc));
    g_strchomp (why);
    if (g_str_has_suffix (why, "."))
      why[strlen (why) - 1] = '\0';
    const gchar *reason = strstr (why, ": ") != NULL ? strstr (why, ": ") + 2 : why;
    g_mutex_lock (&m->lock);
    g_free (m->connack_error);
    m->connack_error = g_strdup_printf ("MQTT broker %s refused the "
        "connection: %s%s", broker, reason,
        rc == 4 || rc == 5 ? " (check mqtt-user and mqtt-password)" : "");
    g_mutex_unlock (&m->lock);
    return;
  }
  g_mutex_lock (&m->lock);
  m->connected = TRUE;
  m->backoff_us = 0;
  g_clear_pointer (&m->last_error, g_free);
  g_mutex_unlock (&m->lock);

  g_mutex_lock (&m->dispatch);
  for (guint i = 0; i < m->callbacks->len; i++) {
    Callback *cb = g_ptr_array_index (m->callbacks, i);
    if (cb->kind == CB_MESSAGE)
      mosquitto_subscribe (mosq, NULL, cb->filter, 1);
  }
  g_mutex_unlock (&m->dispatch);
  if (m->status_topic != NULL)
    mosquitto_subscribe (mosq, NULL, m->status_topic, 1);
  mosquitto_publish (mosq, NULL, m->available_topic, 6, "online", 1, true);
  republish_retained (m);
  g_autofree gchar *broker = where (m);
  g_info ("connected to MQTT broker %s", broker);

  g_mutex_lock (&m->lock);
  m->told = TOLD_CONNECTED;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  dispatch_state (m, TRUE, NULL, FALSE);
}

static void
on_disconnect (struct mosquitto *mosq, void *obj, int rc)
{
  FaMqtt *m = obj;
  g_mutex_lock (&m->lock);
  m->connected = FALSE;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
}

static void
on_publish (struct mosquitto *mosq, void *obj, int mid)
{
  FaMqtt *m = obj;
  g_mutex_lock (&m->lock);
  if (g_hash_table_contains (m->inflight_mids, GINT_TO_POINTER (mid)))
    g_hash_table_add (m->acked, GINT_TO_POINTER (mid));
  m->recent_acks[m->recent_next++ % RECENT_ACKS] = mid;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
}

static void
on_message (struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
  FaMqtt *m = obj;
  g_autofree gchar *payload = g_strndup (msg->payload, msg->payloadlen);
  if (m->status_topic != NULL && g_str_equal (msg->topic, m->status_topic)) {
    if (g_ascii_strcasecmp (payload, "online") == 0) {
      g_debug ("Home Assistant is online: announcing again");
      republish_retained (m);
    }
    return;
  }
  g_mutex_lock (&m->dispatch);
  for (guint i = 0; i < m->callbacks->len; i++) {
    Callback *cb = g_ptr_array_index (m->callbacks, i);
    bool matches = false;
    if (cb->kind == CB_MESSAGE && mosquitto_topic_matches_sub (cb->filter,
            msg->topic, &matches) == MOSQ_ERR_SUCCESS && matches)
      ((FaMqttMessageFunc) cb->func) (m, msg->topic, payload, msg->payloadlen,
          cb->data);
  }
  g_mutex_unlock (&m->dispatch);
}

/* Listeners added since the last change hear the current state. */
static void
replay_state (FaMqtt *m)
{
  g_mutex_lock (&m->lock);
  gint told = m->told;
  gchar *error = g_strdup (m->last_error);
  g_mutex_unlock (&m->lock);
  if (told != TOLD_NOTHING)
    dispatch_state (m, told == TOLD_CONNECTED, error, TRUE);
  g_free (error);
}

static void
run_ticks (FaMqtt *m)
{
  g_mutex_lock (&m->dispatch);
  for (guint i = 0; i < m->callbacks->len; i++) {
    Callback *cb = g_ptr_array_index (m->callbacks, i);
    if (cb->kind == CB_TICK)
      ((FaMqttTickFunc) cb->func) (m, cb->data);
  }
  g_mutex_unlock (&m->dispatch);
}

/* ---- the connection's thread -------------------------------------------- */

/* The socket is gone (or never came): remember why, tell the listeners
 * once per outage and schedule the next attempt. */
static void
connection_failed (FaMqtt *m, gchar *error)
{
  g_mutex_lock (&m->lock);
  set_error_locked (m, error);
  m->connected = FALSE;
  gboolean tell = m->told != TOLD_DISCONNECTED;
  m->told = TOLD_DISCONNECTED;
  m->backoff_us = m->backoff_us == 0 ? m->config->reconnect_initial_us
      : MIN (m->backoff_us * 2, m->config->reconnect_max_us);
  gint64 delay = m->backoff_us * g_random_double_range (0.8, 1.2);
  m->next_connect_us = g_get_monotonic_time () + delay;
  gchar *why = g_strdup (m->last_error);
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  g_info ("%s; reconnecting in %.1f s", why, delay / 1e6);
  if (tell)
    dispatch_state (m, FALSE, why, FALSE);
  g_free (why);
}

static gpointer
run (gpointer data)
{
  FaMqtt *m = data;
  gboolean socket_open = FALSE;
  gint64 connect_deadline = 0, next_tick = 0;
  while (TRUE) {
    gint64 now = g_get_monotonic_time ();
    replay_state (m);
    if (now >= next_tick) {
      run_ticks (m);
      next_tick = now + TICK_US;
    }
    g_mutex_lock (&m->lock);
    gboolean stop = m->stop, connected = m->connected;
    if (!stop && !socket_open && now < m->next_connect_us)
      g_cond_wait_until (&m->cond, &m->lock, MIN (m->next_connect_us, next_tick));
    gboolean due = g_get_monotonic_time () >= m->next_connect_us;
    stop = m->stop;
    g_mutex_unlock (&m->lock);
    if (stop)
      break;

    if (!socket_open) {
      if (!due)
        continue;
      g_mutex_lock (&m->lock);
      g_clear_pointer (&m->last_log_error, g_free);
      g_clear_pointer (&m->connack_error, g_free);
      g_mutex_unlock (&m->lock);
      int rc = mosquitto_connect_async (m->mosq, m->config->host,
          (int) m->config->port, (int) m->config->keepalive_s);
      if (rc != MOSQ_ERR_SUCCESS) {
        connection_failed (m, describe_rc (m, rc, errno));
        continue;
      }
      socket_open = TRUE;
      connect_deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_US;
    }
    int rc = mosquitto_loop (m->mosq, LOOP_TIMEOUT_MS, 1);
    int saved_errno = errno;
    if (rc != MOSQ_ERR_SUCCESS) {
      socket_open = FALSE;
      g_mutex_lock (&m->lock);
      gchar *refused = g_steal_pointer (&m->connack_error);
      g_mutex_unlock (&m->lock);
      /* A refused CONNACK was explained by on_connect: keep its words. */
      connection_failed (m, refused != NULL ? refused
          : describe_rc (m, rc, saved_errno));
    } else if (!connected && !fa_mqtt_is_connected (m)
        && g_get_monotonic_time () > connect_deadline) {
      mosquitto_disconnect (m->mosq);
      socket_open = FALSE;
      g_autofree gchar *broker = where (m);
      connection_failed (m, g_strdup_printf ("connecting to MQTT broker %s "
              "timed out", broker));
    }
  }
  /* Stopping: a clean DISCONNECT (no last will), bounded. */
  if (socket_open && mosquitto_disconnect (m->mosq) == MOSQ_ERR_SUCCESS) {
    gint64 deadline = g_get_monotonic_time () + CLOSE_TIMEOUT_US;
    while (g_get_monotonic_time () < deadline
        && mosquitto_loop (m->mosq, 50, 1) == MOSQ_ERR_SUCCESS)
      ;
  }
  return NULL;
}

/* ---- public API ---------------------------------------------------------- */

static gchar *
registry_key (const FaMqttConfig *c)
{
  return g_strdup_printf ("%d|%s|%u|%s|%s|%s|%s|%s", c->tls, c->host, c->port,
      c->client_id != NULL ? c->client_id : "", c->user != NULL ? c->user : "",
      c->prefix, c->discovery_prefix != NULL ? c->discovery_prefix : "",
      c->ca_file != NULL ? c->ca_file : "");
}

static void
free_callback (Callback *cb)
{
  g_free (cb->filter);
  g_free (cb);
}

static void
mqtt_free (FaMqtt *m)
{
  if (m->mosq != NULL)
    mosquitto_destroy (m->mosq);
  g_ptr_array_unref (m->callbacks);
  g_hash_table_unref (m->retained);
  g_hash_table_unref (m->inflight);
  g_hash_table_unref (m->inflight_mids);
  g_hash_table_unref (m->acked);
  g_free (m->last_error);
  g_free (m->connack_error);
  g_free (m->last_log_error);
  g_free (m->available_topic);
  g_free (m->status_topic);
  g_free (m->key);
  fa_mqtt_config_free (m->config);
  g_mutex_clear (&m->lock);
  g_mutex_clear (&m->dispatch);
  g_cond_clear (&m->cond);
  g_free (m);
}

static gboolean
setup_mosquitto (FaMqtt *m, GError **error)
{
  static gsize initialized = 0;
  if (g_once_init_enter (&initialized)) {
    mosquitto_lib_init ();
    g_once_init_leave (&initialized, 1);
  }
  const FaMqttConfig *c = m->config;
  g_autofree gchar *client_id = c->client_id != NULL && *c->client_id != '\0'
      ? g_strdup (c->client_id) : fa_mqtt_default_client_id ();
  m->mosq = mosquitto_new (client_id, true, m);
  if (m->mosq == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "cannot create an MQTT client with id \"%s\"", client_id);
    return FALSE;
  }
  mosquitto_threaded_set (m->mosq, true);
  mosquitto_log_callback_set (m->mosq, on_log);
  mosquitto_connect_callback_set (m->mosq, on_connect);
  mosquitto_disconnect_callback_set (m->mosq, on_disconnect);
  mosquitto_publish_callback_set (m->mosq, on_publish);
  mosquitto_message_callback_set (m->mosq, on_message);
  mosquitto_will_set (m->mosq, m->available_topic, 7, "offline", 1, true);
  if (c->user != NULL
      && mosquitto_username_pw_set (m->mosq, c->user, c->password) != MOSQ_ERR_SUCCESS) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "the MQTT user name or password is not valid UTF-8");
    return FALSE;
  }
  if (c->tls) {
    int rc;
    if (c->ca_file != NULL && *c->ca_file != '\0') {
      if (!g_file_test (c->ca_file, G_FILE_TEST_IS_REGULAR)) {
        g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "mqtt-ca-file %s: no "
            "such file (the PEM file of the CA that signed the broker's "
            "certificate)", c->ca_file);
        return FALSE;
      }
      rc = mosquitto_tls_set (m->mosq, c->ca_file, NULL, NULL, NULL, NULL);
    } else {
      rc = mosquitto_int_option (m->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    }
    if (rc == MOSQ_ERR_SUCCESS)
      rc = mosquitto_tls_opts_set (m->mosq, 1 /* SSL_VERIFY_PEER */, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
      rc = mosquitto_tls_insecure_set (m->mosq, false);   /* check the host name */
    if (rc != MOSQ_ERR_SUCCESS) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "cannot set up "
          "TLS for MQTT%s%s: %s", c->ca_file != NULL ? " with CA file " : "",
          c->ca_file != NULL ? c->ca_file : "", mosquitto_strerror (rc));
      return FALSE;
    }
  }
  return TRUE;
}

FaMqtt *
fa_mqtt_acquire (const FaMqttConfig *config, GError **error)
{
  g_return_val_if_fail (config->host != NULL, NULL);
  g_autofree gchar *key = registry_key (config);
  g_mutex_lock (&registry_lock);
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
  FaMqtt *m = g_hash_table_lookup (registry, key);
  if (m != NULL) {
    m->refs++;
    g_mutex_unlock (&registry_lock);
    return m;
  }
  m = g_new0 (FaMqtt, 1);
  m->key = g_steal_pointer (&key);
  m->refs = 1;
  m->config = fa_mqtt_config_copy (config);
  m->available_topic = g_strconcat (config->prefix, "/available", NULL);
  if (config->discovery_prefix != NULL && *config->discovery_prefix != '\0')
    m->status_topic = g_strconcat (config->discovery_prefix, "/status", NULL);
  m->callbacks = g_ptr_array_new_with_free_func ((GDestroyNotify) free_callback);
  m->retained = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) g_bytes_unref);
  m->inflight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m->inflight_mids = g_hash_table_new (g_direct_hash, g_direct_equal);
  m->acked = g_hash_table_new (g_direct_hash, g_direct_equal);
  m->next_id = 1;
  for (guint i = 0; i < RECENT_ACKS; i++)
    m->recent_acks[i] = -1;
  g_mutex_init (&m->lock);
  g_mutex_init (&m->dispatch);
  g_cond_init (&m->cond);
  if (!setup_mosquitto (m, error)) {
    g_mutex_unlock (&registry_lock);
    mqtt_free (m);
    return NULL;
  }
  /* libmosquitto has its own copy now. */
  g_clear_pointer (&m->config->password, fa_secret_free);
  g_hash_table_insert (registry, m->key, m);
  m->thread = g_thread_new ("fa-mqtt", run, m);
  g_mutex_unlock (&registry_lock);
  return m;
}

FaMqtt *
fa_mqtt_ref (FaMqtt *m)
{
  g_mutex_lock (&registry_lock);
  m->refs++;
  g_mutex_unlock (&registry_lock);
  return m;
}

/* Waits (bounded) for the broker to acknowledge "offline", so a clean stop
 * leaves the retained availability right. */
static void
publish_offline (FaMqtt *m)
{
  if (!fa_mqtt_is_connected (m))
    return;
  int mid = 0;
  if (mosquitto_publish (m->mosq, &mid, m->available_topic, 7, "offline", 1,
          true) != MOSQ_ERR_SUCCESS)
    return;
  gint64 deadline = g_get_monotonic_time () + CLOSE_TIMEOUT_US;
  g_mutex_lock (&m->lock);
  g_hash_table_add (m->inflight_mids, GINT_TO_POINTER (mid));
  for (guint i = 0; i < RECENT_ACKS; i++)
    if (m->recent_acks[i] == mid)
      g_hash_table_add (m->acked, GINT_TO_POINTER (mid));
  while (m->connected && !g_hash_table_contains (m->acked, GINT_TO_POINTER (mid))
      && g_cond_wait_until (&m->cond, &m->lock, deadline))
    ;
  g_mutex_unlock (&m->lock);
}

void
fa_mqtt_release (FaMqtt *m)
{
  if (m == NULL)
    return;
  g_mutex_lock (&registry_lock);
  gboolean last = --m->refs == 0;
  if (last)
    g_hash_table_remove (registry, m->key);
  g_mutex_unlock (&registry_lock);
  if (!last)
    return;
  publish_offline (m);
  g_mutex_lock (&m->lock);
  m->stop = TRUE;
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
  g_thread_join (m->thread);
  mqtt_free (m);
}

const FaMqttConfig *
fa_mqtt_get_config (FaMqtt *m)
{
  return m->config;
}

gboolean
fa_mqtt_is_connected (FaMqtt *m)
{
  g_mutex_lock (&m->lock);
  gboolean connected = m->connected;
  g_mutex_unlock (&m->lock);
  return connected;
}

gchar *
fa_mqtt_dup_last_error (FaMqtt *m)
{
  g_mutex_lock (&m->lock);
  gchar *error = m->connected ? NULL : g_strdup (m->last_error != NULL
      ? m->last_error : "not connected yet");
  g_mutex_unlock (&m->lock);
  return error;
}

gchar *
fa_mqtt_topic (FaMqtt *m, const gchar *suffix)
{
  return g_strconcat (m->config->prefix, "/", suffix, NULL);
}

void
fa_mqtt_set_retained (FaMqtt *m, const gchar *topic, const void *payload,
    gsize size)
{
  g_mutex_lock (&m->lock);
  GBytes *old = g_hash_table_lookup (m->retained, topic);
  gboolean same = old != NULL && g_bytes_get_size (old) == size
      && memcmp (g_bytes_get_data (old, NULL), payload, size) == 0;
  if (!same)
    g_hash_table_insert (m->retained, g_strdup (topic), g_bytes_new (payload, size));
  gboolean connected = m->connected;
  g_mutex_unlock (&m->lock);
  if (!same && connected)
    mosquitto_publish (m->mosq, NULL, topic, (int) size, payload, 1, true);
}

void
fa_mqtt_forget_retained (FaMqtt *m, const gchar *topic)
{
  g_mutex_lock (&m->lock);
  g_hash_table_remove (m->retained, topic);
  g_mutex_unlock (&m->lock);
}

gboolean
fa_mqtt_publish (FaMqtt *m, const gchar *topic, const gchar *payload)
{
  if (!fa_mqtt_is_connected (m))
    return FALSE;
  return mosquitto_publish (m->mosq, NULL, topic, (int) strlen (payload),
      payload, 1, false) == MOSQ_ERR_SUCCESS;
}

gchar *
fa_mqtt_publish_acked (FaMqtt *m, const gchar *key, const gchar *topic,
    const gchar *payload, gint64 timeout_us, const gint *cancelled,
    GError **error)
{
  g_autofree gchar *broker = where (m);
  g_mutex_lock (&m->lock);
  gint mid = GPOINTER_TO_INT (g_hash_table_lookup (m->inflight, key));
  if (mid == 0) {
    if (!m->connected) {
      g_set_error (error, FA_ERROR, FA_ERROR_NETWORK, "MQTT publish to %s: "
          "not connected (%s); kept for retry", broker, m->last_error != NULL
          ? m->last_error : "connecting");
      g_mutex_unlock (&m->lock);
      return NULL;
    }
    g_mutex_unlock (&m->lock);
    int rc = mosquitto_publish (m->mosq, &mid, topic, (int) strlen (payload),
        payload, 1, false);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
      /* NO_CONN still queued the message: libmosquitto sends it once
       * connected, so it is in flight like any other. */
      g_set_error (error, FA_ERROR, rc == MOSQ_ERR_PAYLOAD_SIZE
          || rc == MOSQ_ERR_OVERSIZE_PACKET ? FA_ERROR_INVALID_ARGUMENT
          : FA_ERROR_NETWORK, "MQTT publish to %s failed: %s%s", broker,
          mosquitto_strerror (rc), rc == MOSQ_ERR_PAYLOAD_SIZE
          || rc == MOSQ_ERR_OVERSIZE_PACKET ? " (message too large)" : "");
      return NULL;
    }
    g_mutex_lock (&m->lock);
    /* A fresh mid: whatever was acked under it before is stale. */
    g_hash_table_remove (m->acked, GINT_TO_POINTER (mid));
    g_hash_table_insert (m->inflight, g_strdup (key), GINT_TO_POINTER (mid));
    g_hash_table_add (m->inflight_mids, GINT_TO_POINTER (mid));
    for (guint i = 0; i < RECENT_ACKS; i++)
      if (m->recent_acks[i] == mid) {
        /* The PUBACK beat us here. */
        g_hash_table_add (m->acked, GINT_TO_POINTER (mid));
        m->recent_acks[i] = -1;
      }
  }
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean timed_out = FALSE;
  while (!g_hash_table_contains (m->acked, GINT_TO_POINTER (mid))
      && m->connected && !(cancelled != NULL && g_atomic_int_get (cancelled))
      && !timed_out)
    timed_out = !g_cond_wait_until (&m->cond, &m->lock, deadline);
  gchar *receipt = NULL;
  if (g_hash_table_contains (m->acked, GINT_TO_POINTER (mid))) {
    g_hash_table_remove (m->inflight, key);
    g_hash_table_remove (m->inflight_mids, GINT_TO_POINTER (mid));
    g_hash_table_remove (m->acked, GINT_TO_POINTER (mid));
    receipt = g_strdup_printf ("mid %d", mid);
  } else if (cancelled != NULL && g_atomic_int_get (cancelled)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NETWORK, "MQTT publish to %s "
        "cancelled", broker);
  } else if (!m->connected) {
    g_set_error (error, FA_ERROR, FA_ERROR_NETWORK, "MQTT publish to %s: "
        "connection lost before the broker acknowledged it (%s); sent again "
        "after reconnecting", broker, m->last_error != NULL ? m->last_error
        : "disconnected");
  } else {
    g_set_error (error, FA_ERROR, FA_ERROR_NETWORK, "MQTT publish to %s: no "
        "acknowledgement within %.0f s (timed out); still in flight", broker,
        timeout_us / 1e6);
  }
  g_mutex_unlock (&m->lock);
  return receipt;
}

void
fa_mqtt_wakeup (FaMqtt *m)
{
  g_mutex_lock (&m->lock);
  g_cond_broadcast (&m->cond);
  g_mutex_unlock (&m->lock);
}

static guint
add_callback (FaMqtt *m, CallbackKind kind, const gchar *filter, gpointer func,
    gpointer data)
{
  Callback *cb = g_new0 (Callback, 1);
  cb->kind = kind;
  cb->filter = g_strdup (filter);
  cb->func = func;
  cb->data = data;
  cb->replay = kind == CB_STATE;
  g_mutex_lock (&m->dispatch);
  g_mutex_lock (&m->lock);
  cb->id = m->next_id++;
  g_mutex_unlock (&m->lock);
  g_ptr_array_add (m->callbacks, cb);
  g_mutex_unlock (&m->dispatch);
  return cb->id;
}

guint
fa_mqtt_subscribe (FaMqtt *m, const gchar *filter, FaMqttMessageFunc func,
    gpointer user_data)
{
  guint id = add_callback (m, CB_MESSAGE, filter, func, user_data);
  /* Connected already: subscribe now (a reconnect subscribes again). */
  if (fa_mqtt_is_connected (m))
    mosquitto_subscribe (m->mosq, NULL, filter, 1);
  return id;
}

guint
fa_mqtt_add_state_listener (FaMqtt *m, FaMqttStateFunc func, gpointer user_data)
{
  guint id = add_callback (m, CB_STATE, NULL, func, user_data);
  fa_mqtt_wakeup (m);   /* the thread tells it the current state */
  return id;
}

guint
fa_mqtt_add_tick (FaMqtt *m, FaMqttTickFunc func, gpointer user_data)
{
  return add_callback (m, CB_TICK, NULL, func, user_data);
}

void
fa_mqtt_remove (FaMqtt *m, guint id)
{
  g_autofree gchar *unsubscribe = NULL;
  g_mutex_lock (&m->dispatch);
  for (guint i = 0; i < m->callbacks->len; i++) {
    Callback *cb = g_ptr_array_index (m->callbacks, i);
    if (cb->id != id)
      continue;
    if (cb->kind == CB_MESSAGE) {
      unsubscribe = g_strdup (cb->filter);
      for (guint j = 0; j < m->callbacks->len; j++) {
        Callback *other = g_ptr_array_index (m->callbacks, j);
        if (j != i && other->kind == CB_MESSAGE
            && g_str_equal (other->filter, cb->filter))
          g_clear_pointer (&unsubscribe, g_free);   /* still wanted */
      }
    }
    g_ptr_array_remove_index (m->callbacks, i);
    break;
  }
  g_mutex_unlock (&m->dispatch);
  if (unsubscribe != NULL && fa_mqtt_is_connected (m))
    mosquitto_unsubscribe (m->mosq, NULL, unsubscribe);
}
