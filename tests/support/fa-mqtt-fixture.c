/* facealert tests: a real mosquitto and libmosquitto subscribers. See
 * fa-mqtt-fixture.h. */
#include "fa-mqtt-fixture.h"
#include "fa-test.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MOSQUITTO "/usr/sbin/mosquitto"

static guint
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  return ntohs (addr.sin_port);
}

static gboolean
accepts (guint port)
{
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  gboolean ok = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

static void
run_or_die (const gchar *const *argv)
{
  g_autofree gchar *err = NULL;
  if (fa_test_run_argv (argv, NULL, &err) != 0)
    g_error ("%s failed: %s", argv[0], err);
}

/* A CA and a certificate for 127.0.0.1 signed by it (EC keys: fast). */
static void
make_certificates (FaMqttBroker *b)
{
  g_autofree gchar *ca_key = g_build_filename (b->dir, "ca.key", NULL);
  g_autofree gchar *key = g_build_filename (b->dir, "server.key", NULL);
  g_autofree gchar *csr = g_build_filename (b->dir, "server.csr", NULL);
  g_autofree gchar *crt = g_build_filename (b->dir, "server.crt", NULL);
  g_autofree gchar *ext = g_build_filename (b->dir, "server.ext", NULL);
  b->ca_file = g_build_filename (b->dir, "ca.crt", NULL);
  g_assert_true (g_file_set_contents (ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
          -1, NULL));
  const gchar *ca[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key, "-out", b->ca_file,
    "-days", "2", "-subj", "/CN=facealert test CA", NULL };
  run_or_die (ca);
  const gchar *req[] = { "openssl", "req", "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
    "-subj", "/CN=127.0.0.1", NULL };
  run_or_die (req);
  const gchar *sign[] = { "openssl", "x509", "-req", "-in", csr, "-CA", b->ca_file,
    "-CAkey", ca_key, "-CAcreateserial", "-out", crt, "-days", "2", "-extfile",
    ext, NULL };
  run_or_die (sign);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
spawn (FaMqttBroker *b)
{
  const gchar *argv[] = { MOSQUITTO, "-c", b->conf, NULL };
  GError *error = NULL;
  g_assert_true (g_spawn_async (b->dir, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
          | G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &b->pid, &error));
  g_assert_no_error (error);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  while (!accepts (b->port)) {
    int status;
    if (waitpid (b->pid, &status, WNOHANG) == b->pid) {
      g_autofree gchar *log = NULL;
      g_file_get_contents (b->log, &log, NULL, NULL);
      g_error ("mosquitto exited at start: %s", log != NULL ? log : "(no log)");
    }
    if (g_get_monotonic_time () > deadline)
      g_error ("mosquitto did not listen on port %u within 10 s", b->port);
    g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  }
}

FaMqttBroker *
fa_mqtt_broker_start (const FaMqttBrokerOptions *options)
{
  if (!g_file_test (MOSQUITTO, G_FILE_TEST_IS_EXECUTABLE)) {
    g_print ("1..0 # SKIP mosquitto is not installed (apt-get install mosquitto)\n");
    exit (77);
  }
  FaMqttBrokerOptions none = { 0 };
  if (options == NULL)
    options = &none;
  FaMqttBroker *b = g_new0 (FaMqttBroker, 1);
  b->dir = fa_test_make_tmpdir ("fa-mosquitto");
  b->conf = g_build_filename (b->dir, "mosquitto.conf", NULL);
  b->log = g_build_filename (b->dir, "mosquitto.log", NULL);
  b->port = free_port ();
  g_autoptr (GString) conf = g_string_new (NULL);
  /* Run as ourselves (as root, mosquitto would switch to its own user,
   * which cannot write this private directory). */
  g_string_append_printf (conf, "user %s\n", g_get_user_name ());
  g_string_append_printf (conf, "listener %u 127.0.0.1\n", b->port);
  g_string_append_printf (conf, "log_dest file %s\nlog_type all\n", b->log);
  if (options->persistence)
    /* Saved after every change: sessions survive even a SIGKILL. */
    g_string_append_printf (conf, "persistence true\npersistence_location %s/\n"
        "autosave_on_changes true\nautosave_interval 1\n", b->dir);
  else
    g_string_append (conf, "persistence false\n");
  if (options->user != NULL) {
    g_autofree gchar *passwords = g_build_filename (b->dir, "passwords", NULL);
    const gchar *argv[] = { "mosquitto_passwd", "-b", "-c", passwords,
      options->user, options->password, NULL };
    run_or_die (argv);
    g_chmod (passwords, 0600);
    b->user = g_strdup (options->user);
    b->password = g_strdup (options->password);
    g_string_append_printf (conf, "allow_anonymous false\npassword_file %s\n",
        passwords);
  } else {
    g_string_append (conf, "allow_anonymous true\n");
  }
  if (options->tls) {
    make_certificates (b);
    g_string_append_printf (conf, "cafile %s\ncertfile %s/server.crt\n"
        "keyfile %s/server.key\n", b->ca_file, b->dir, b->dir);
  }
  g_assert_true (g_file_set_contents (b->conf, conf->str, -1, NULL));
  b->url = g_strdup_printf ("%s://127.0.0.1:%u", options->tls ? "mqtts" : "mqtt",
      b->port);
  spawn (b);
  return b;
}

void
fa_mqtt_broker_stop (FaMqttBroker *b)
{
  if (b->pid == 0)
    return;
  kill (b->pid, SIGTERM);
  int status;
  waitpid (b->pid, &status, 0);
  g_spawn_close_pid (b->pid);
  b->pid = 0;
}

void
fa_mqtt_broker_pause (FaMqttBroker *b)
{
  g_assert_cmpint (kill (b->pid, SIGSTOP), ==, 0);
}

void
fa_mqtt_broker_resume (FaMqttBroker *b)
{
  g_assert_cmpint (kill (b->pid, SIGCONT), ==, 0);
}

void
fa_mqtt_broker_kill (FaMqttBroker *b)
{
  if (b->pid == 0)
    return;
  kill (b->pid, SIGKILL);
  int status;
  waitpid (b->pid, &status, 0);
  g_spawn_close_pid (b->pid);
  b->pid = 0;
}

void
fa_mqtt_broker_restart (FaMqttBroker *b)
{
  g_assert_cmpint (b->pid, ==, 0);
  spawn (b);
}

void
fa_mqtt_broker_free (FaMqttBroker *b)
{
  if (b == NULL)
    return;
  fa_mqtt_broker_stop (b);
  fa_test_rm_rf (b->dir);
  g_free (b->dir);
  g_free (b->conf);
  g_free (b->log);
  g_free (b->ca_file);
  g_free (b->url);
  g_free (b->user);
  g_free (b->password);
  g_free (b);
}

/* ---- subscribers --------------------------------------------------------- */

struct _FaMqttSub {
  struct mosquitto *mosq;
  gchar *filter;
  GMutex lock;
  GCond cond;
  gboolean subscribed;
  GPtrArray *received;   /* FaMqttReceived* */
};

static void
received_free (FaMqttReceived *r)
{
  g_free (r->topic);
  g_bytes_unref (r->payload);
  g_free (r);
}

static void
sub_on_connect (struct mosquitto *mosq, void *obj, int rc)
{
  FaMqttSub *sub = obj;
  if (rc == 0)
    mosquitto_subscribe (mosq, NULL, sub->filter, 1);
}

static void
sub_on_disconnect (struct mosquitto *mosq, void *obj, int rc)
{
  FaMqttSub *sub = obj;
  g_mutex_lock (&sub->lock);
  sub->subscribed = FALSE;
  g_mutex_unlock (&sub->lock);
}

static void
sub_on_subscribe (struct mosquitto *mosq, void *obj, int mid, int n, const int *qos)
{
  FaMqttSub *sub = obj;
  g_mutex_lock (&sub->lock);
  sub->subscribed = TRUE;
  g_cond_broadcast (&sub->cond);
  g_mutex_unlock (&sub->lock);
}

static void
sub_on_message (struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
  FaMqttSub *sub = obj;
  FaMqttReceived *r = g_new0 (FaMqttReceived, 1);
  r->topic = g_strdup (msg->topic);
  r->payload = g_bytes_new (msg->payload, msg->payloadlen);
  r->retained = msg->retain;
  g_mutex_lock (&sub->lock);
  g_ptr_array_add (sub->received, r);
  g_cond_broadcast (&sub->cond);
  g_mutex_unlock (&sub->lock);
}

static void
init_lib (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done)) {
    mosquitto_lib_init ();
    g_once_init_leave (&done, 1);
  }
}

FaMqttSub *
fa_mqtt_sub_new (FaMqttBroker *broker, const gchar *client_id, const gchar *filter)
{
  init_lib ();
  FaMqttSub *sub = g_new0 (FaMqttSub, 1);
  sub->filter = g_strdup (filter);
  sub->received = g_ptr_array_new_with_free_func ((GDestroyNotify) received_free);
  g_mutex_init (&sub->lock);
  g_cond_init (&sub->cond);
  sub->mosq = mosquitto_new (client_id, client_id == NULL, sub);
  g_assert_nonnull (sub->mosq);
  mosquitto_connect_callback_set (sub->mosq, sub_on_connect);
  mosquitto_subscribe_callback_set (sub->mosq, sub_on_subscribe);
  mosquitto_disconnect_callback_set (sub->mosq, sub_on_disconnect);
  mosquitto_message_callback_set (sub->mosq, sub_on_message);
  mosquitto_reconnect_delay_set (sub->mosq, 1, 1, false);
  if (broker->user != NULL)
    mosquitto_username_pw_set (sub->mosq, broker->user, broker->password);
  if (broker->ca_file != NULL)
    g_assert_cmpint (mosquitto_tls_set (sub->mosq, broker->ca_file, NULL, NULL,
            NULL, NULL), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_connect (sub->mosq, "127.0.0.1", broker->port, 30),
      ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (sub->mosq), ==, MOSQ_ERR_SUCCESS);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&sub->lock);
  while (!sub->subscribed && g_cond_wait_until (&sub->cond, &sub->lock, deadline))
    ;
  gboolean subscribed = sub->subscribed;
  g_mutex_unlock (&sub->lock);
  if (!subscribed)
    g_error ("test subscriber to %s on port %u: no SUBACK within 10 s", filter,
        broker->port);
  return sub;
}

void
fa_mqtt_sub_wait_subscribed (FaMqttSub *sub)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&sub->lock);
  while (!sub->subscribed && g_cond_wait_until (&sub->cond, &sub->lock, deadline))
    ;
  gboolean subscribed = sub->subscribed;
  g_mutex_unlock (&sub->lock);
  if (!subscribed)
    g_error ("test subscriber to %s: not subscribed again within 15 s", sub->filter);
}

void
fa_mqtt_sub_free (FaMqttSub *sub)
{
  if (sub == NULL)
    return;
  mosquitto_disconnect (sub->mosq);
  mosquitto_loop_stop (sub->mosq, FALSE);
  mosquitto_destroy (sub->mosq);
  g_ptr_array_unref (sub->received);
  g_mutex_clear (&sub->lock);
  g_cond_clear (&sub->cond);
  g_free (sub->filter);
  g_free (sub);
}

static gboolean
matches (const gchar *filter, const gchar *topic)
{
  bool result = false;
  return filter == NULL || (mosquitto_topic_matches_sub (filter, topic, &result)
      == MOSQ_ERR_SUCCESS && result);
}

GPtrArray *
fa_mqtt_sub_messages (FaMqttSub *sub, const gchar *filter)
{
  GPtrArray *out = g_ptr_array_new ();
  g_mutex_lock (&sub->lock);
  for (guint i = 0; i < sub->received->len; i++) {
    FaMqttReceived *r = g_ptr_array_index (sub->received, i);
    if (matches (filter, r->topic))
      g_ptr_array_add (out, r);
  }
  g_mutex_unlock (&sub->lock);
  return out;
}

static guint
count_locked (FaMqttSub *sub, const gchar *filter)
{
  guint n = 0;
  for (guint i = 0; i < sub->received->len; i++)
    if (matches (filter, ((FaMqttReceived *) g_ptr_array_index (sub->received, i))->topic))
      n++;
  return n;
}

guint
fa_mqtt_sub_wait (FaMqttSub *sub, const gchar *filter, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&sub->lock);
  guint count;
  while ((count = count_locked (sub, filter)) < n
      && g_cond_wait_until (&sub->cond, &sub->lock, deadline))
    ;
  count = count_locked (sub, filter);
  g_mutex_unlock (&sub->lock);
  return count;
}

static gboolean
payload_is (GBytes *bytes, const gchar *text)
{
  gsize size;
  const gchar *data = g_bytes_get_data (bytes, &size);
  return size == strlen (text) && memcmp (data, text, size) == 0;
}

gboolean
fa_mqtt_sub_wait_payload (FaMqttSub *sub, const gchar *topic, const gchar *payload,
    guint *from, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  guint start = from != NULL ? *from : 0;
  gboolean found = FALSE;
  g_mutex_lock (&sub->lock);
  do {
    for (guint i = start; i < sub->received->len && !found; i++) {
      FaMqttReceived *r = g_ptr_array_index (sub->received, i);
      if (g_str_equal (r->topic, topic) && payload_is (r->payload, payload)) {
        found = TRUE;
        if (from != NULL)
          *from = i + 1;
      }
    }
  } while (!found && g_cond_wait_until (&sub->cond, &sub->lock, deadline));
  g_mutex_unlock (&sub->lock);
  return found;
}

gchar *
fa_mqtt_sub_last (FaMqttSub *sub, const gchar *topic)
{
  gchar *last = NULL;
  g_mutex_lock (&sub->lock);
  for (guint i = sub->received->len; i > 0 && last == NULL; i--) {
    FaMqttReceived *r = g_ptr_array_index (sub->received, i - 1);
    if (g_str_equal (r->topic, topic)) {
      gsize size;
      const gchar *data = g_bytes_get_data (r->payload, &size);
      last = g_strndup (data, size);
    }
  }
  g_mutex_unlock (&sub->lock);
  return last;
}

typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
} Acked;

static void
pub_on_publish (struct mosquitto *mosq, void *obj, int mid)
{
  Acked *a = obj;
  g_mutex_lock (&a->lock);
  a->done = TRUE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
}

void
fa_mqtt_test_publish (FaMqttBroker *broker, const gchar *topic,
    const gchar *payload, gboolean retain)
{
  init_lib ();
  Acked a = { 0 };
  g_mutex_init (&a.lock);
  g_cond_init (&a.cond);
  struct mosquitto *mosq = mosquitto_new (NULL, true, &a);
  mosquitto_publish_callback_set (mosq, pub_on_publish);
  if (broker->user != NULL)
    mosquitto_username_pw_set (mosq, broker->user, broker->password);
  if (broker->ca_file != NULL)
    mosquitto_tls_set (mosq, broker->ca_file, NULL, NULL, NULL, NULL);
  g_assert_cmpint (mosquitto_connect (mosq, "127.0.0.1", broker->port, 30), ==,
      MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (mosq), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_publish (mosq, NULL, topic, (int) strlen (payload),
          payload, 1, retain), ==, MOSQ_ERR_SUCCESS);
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&a.lock);
  while (!a.done && g_cond_wait_until (&a.cond, &a.lock, deadline))
    ;
  gboolean done = a.done;
  g_mutex_unlock (&a.lock);
  g_assert_true (done);
  mosquitto_disconnect (mosq);
  mosquitto_loop_stop (mosq, FALSE);
  mosquitto_destroy (mosq);
  g_mutex_clear (&a.lock);
  g_cond_clear (&a.cond);
}
