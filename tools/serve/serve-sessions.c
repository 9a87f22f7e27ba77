/* facealert serve: sessions and the login limit. See serve-sessions.h. */
#include "serve-sessions.h"

#include <openssl/rand.h>
#include <string.h>

typedef struct {
  gchar *csrf;
  gint64 created_us, used_us;
} Session;

/* Wrong passwords in a row, for one peer address or for the account. */
typedef struct {
  guint failures;
  gint64 last_failure_us;
  guint checking;         /* attempts begun and not finished */
} Failures;

struct _FaServeSessions {
  GMutex lock;
  GHashTable *sessions;   /* id -> Session */
  GHashTable *peers;      /* address -> Failures */
  Failures account;       /* the household's one password, from any address */
};

static void
session_free (gpointer data)
{
  Session *s = data;
  g_free (s->csrf);
  g_free (s);
}

FaServeSessions *
fa_serve_sessions_new (void)
{
  FaServeSessions *sessions = g_new0 (FaServeSessions, 1);
  g_mutex_init (&sessions->lock);
  sessions->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      session_free);
  sessions->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return sessions;
}

void
fa_serve_sessions_free (FaServeSessions *sessions)
{
  if (sessions == NULL)
    return;
  g_hash_table_unref (sessions->sessions);
  g_hash_table_unref (sessions->peers);
  g_mutex_clear (&sessions->lock);
  g_free (sessions);
}

gchar *
fa_serve_random_token (gsize bytes)
{
  guint8 raw[64];
  g_assert (bytes <= sizeof raw);
  if (RAND_bytes (raw, (int) bytes) != 1)
    g_error ("no random bytes from libcrypto");   /* never guess a session id */
  gchar *text = g_base64_encode (raw, bytes);
  memset (raw, 0, sizeof raw);
  for (gchar *p = text; *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  gchar *pad = strchr (text, '=');
  if (pad != NULL)
    *pad = '\0';
  return text;
}

static gint64
now_or (gint64 now_us)
{
  return now_us != 0 ? now_us : g_get_monotonic_time ();
}

static gboolean
expired (const Session *s, gint64 now_us)
{
  return now_us - s->used_us > FA_SERVE_SESSION_IDLE_US
      || now_us - s->created_us > FA_SERVE_SESSION_MAX_US;
}

static gboolean
remove_expired (gpointer key, gpointer value, gpointer now)
{
  return expired (value, *(gint64 *) now);
}

gchar *
fa_serve_sessions_create (FaServeSessions *sessions, gint64 now_us, gchar **csrf)
{
  now_us = now_or (now_us);
  Session *s = g_new0 (Session, 1);
  s->csrf = fa_serve_random_token (32);
  s->created_us = s->used_us = now_us;
  gchar *id = fa_serve_random_token (32);
  g_mutex_lock (&sessions->lock);
  g_hash_table_foreach_remove (sessions->sessions, remove_expired, &now_us);
  g_hash_table_insert (sessions->sessions, g_strdup (id), s);
  if (csrf != NULL)
    *csrf = g_strdup (s->csrf);
  g_mutex_unlock (&sessions->lock);
  return id;
}

gboolean
fa_serve_sessions_check (FaServeSessions *sessions, const gchar *id, gint64 now_us,
    gchar **csrf)
{
  if (id == NULL || *id == '\0')
    return FALSE;
  now_us = now_or (now_us);
  g_mutex_lock (&sessions->lock);
  Session *s = g_hash_table_lookup (sessions->sessions, id);
  gboolean ok = s != NULL && !expired (s, now_us);
  if (s != NULL && !ok)
    g_hash_table_remove (sessions->sessions, id);
  if (ok) {
    s->used_us = now_us;
    if (csrf != NULL)
      *csrf = g_strdup (s->csrf);
  }
  g_mutex_unlock (&sessions->lock);
  return ok;
}

void
fa_serve_sessions_remove (FaServeSessions *sessions, const gchar *id)
{
  if (id == NULL)
    return;
  g_mutex_lock (&sessions->lock);
  g_hash_table_remove (sessions->sessions, id);
  g_mutex_unlock (&sessions->lock);
}

guint
fa_serve_sessions_count (FaServeSessions *sessions)
{
  g_mutex_lock (&sessions->lock);
  guint n = g_hash_table_size (sessions->sessions);
  g_mutex_unlock (&sessions->lock);
  return n;
}

gboolean
fa_serve_token_equal (const gchar *a, const gchar *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  gsize n = strlen (a);
  if (strlen (b) != n)
    return FALSE;
  guchar diff = 0;
  for (gsize i = 0; i < n; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];
  return diff == 0;
}

/* How long after the last failure the next attempt waits: nothing for the
 * first @free failures, then FA_SERVE_LOGIN_FIRST_WAIT_US, doubling, at most
 * FA_SERVE_LOGIN_MAX_WAIT_US. */
static gint64
wait_after (guint failures, guint free)
{
  if (failures < free)
    return 0;
  guint doublings = failures - free;
  if (doublings >= 20)
    return FA_SERVE_LOGIN_MAX_WAIT_US;
  return MIN (FA_SERVE_LOGIN_FIRST_WAIT_US << doublings, FA_SERVE_LOGIN_MAX_WAIT_US);
}

/* May one more attempt begin against @f? 0: yes; -1: not while the attempts
 * being checked could use up what is left; else the wait. Attempts being
 * checked count as failures until they finish, so concurrent attempts never
 * get past the limit. */
static gint64
limit_wait (const Failures *f, guint free, gint64 now_us)
{
  if (f->failures < free)
    return f->failures + f->checking < free ? 0 : -1;
  gint64 allowed_at = f->last_failure_us + wait_after (f->failures, free);
  if (now_us < allowed_at)
    return allowed_at - now_us;
  return f->checking == 0 ? 0 : -1;
}

/* Peers whose last failure is long past hold no limit any more. */
static gboolean
peer_forgotten (gpointer key, gpointer value, gpointer now)
{
  const Failures *peer = value;
  return peer->checking == 0
      && *(gint64 *) now - peer->last_failure_us > 2 * FA_SERVE_LOGIN_MAX_WAIT_US;
}

gint64
fa_serve_login_begin (FaServeSessions *sessions, const gchar *remote, gint64 now_us)
{
  now_us = now_or (now_us);
  g_mutex_lock (&sessions->lock);
  if (g_hash_table_size (sessions->peers) > 1024)
    g_hash_table_foreach_remove (sessions->peers, peer_forgotten, &now_us);
  Failures *peer = g_hash_table_lookup (sessions->peers, remote);
  if (peer == NULL) {
    peer = g_new0 (Failures, 1);
    g_hash_table_insert (sessions->peers, g_strdup (remote), peer);
  }
  /* One attempt at a time per address. */
  gint64 wait = peer->checking > 0 ? -1
      : limit_wait (peer, FA_SERVE_LOGIN_FREE_FAILURES, now_us);
  if (wait >= 0) {
    gint64 account = limit_wait (&sessions->account,
        FA_SERVE_LOGIN_ACCOUNT_FREE_FAILURES, now_us);
    wait = account < 0 && wait == 0 ? -1 : MAX (wait, account);
  }
  if (wait == 0) {
    peer->checking++;
    sessions->account.checking++;
  }
  g_mutex_unlock (&sessions->lock);
  return wait;
}

static void
count (Failures *f, gboolean success, gint64 now_us)
{
  if (f->checking > 0)
    f->checking--;
  if (success) {
    f->failures = 0;
  } else {
    f->failures++;
    f->last_failure_us = now_us;
  }
}

void
fa_serve_login_finish (FaServeSessions *sessions, const gchar *remote,
    gboolean success, gint64 now_us)
{
  now_us = now_or (now_us);
  g_mutex_lock (&sessions->lock);
  Failures *peer = g_hash_table_lookup (sessions->peers, remote);
  if (peer != NULL) {
    count (peer, success, now_us);
    if (success)
      g_hash_table_remove (sessions->peers, remote);
  }
  count (&sessions->account, success, now_us);
  g_mutex_unlock (&sessions->lock);
}
