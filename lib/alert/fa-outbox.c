/* facealert: durable SNS outbox on SQLite. See fa-outbox.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-outbox"
#include "fa-outbox.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define ATTR_SEP "\x1f"

struct _FaOutbox {
  gchar *path;
  sqlite3 *db;
  GMutex lock;
  GCond cond;             /* work added, stop, idle changes */
  GThread *worker;
  FaSnsClient *client;
  gboolean stop;
  gboolean flushing;
  gint64 backoff_initial_us;
  gint64 backoff_max_us;
  FaOutboxNotify notify;
  gpointer notify_data;
};

static const gchar *schema =
    "CREATE TABLE IF NOT EXISTS alerts ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE,"
    "  created_us INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending',"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_us INTEGER NOT NULL DEFAULT 0,"
    "  topic_arn TEXT, phone_number TEXT, subject TEXT,"
    "  message TEXT NOT NULL, json_structure INTEGER NOT NULL DEFAULT 0,"
    "  attributes TEXT, dedup_id TEXT, group_id TEXT,"
    "  message_id TEXT, last_error TEXT, delivered_us INTEGER);"
    "CREATE INDEX IF NOT EXISTS alerts_state ON alerts (state, seq);";

static gboolean
exec_sql (FaOutbox *outbox, const gchar *sql, GError **error)
{
  char *message = NULL;
  if (sqlite3_exec (outbox->db, sql, NULL, NULL, &message) != SQLITE_OK) {
    int rc = sqlite3_errcode (outbox->db);
    g_set_error (error, FA_ERROR, rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        ? FA_ERROR_BUSY : FA_ERROR_IO, "outbox %s: %s%s", outbox->path,
        message != NULL ? message : sqlite3_errmsg (outbox->db),
        rc == SQLITE_BUSY ? " (is another pipeline using this outbox? give "
        "each alertsink its own outbox location)" : "");
    sqlite3_free (message);
    return FALSE;
  }
  return TRUE;
}

FaOutbox *
fa_outbox_open (const gchar *path, GError **error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!fa_paths_ensure_private_dir (dir, error))
    return NULL;
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open outbox %s: %s",
        path, g_strerror (saved));
    return NULL;
  }
  (void) fchmod (fd, 0600);
  close (fd);

  FaOutbox *outbox = g_new0 (FaOutbox, 1);
  outbox->path = g_strdup (path);
  outbox->backoff_initial_us = 500 * G_TIME_SPAN_MILLISECOND;
  outbox->backoff_max_us = 60 * G_TIME_SPAN_SECOND;
  g_mutex_init (&outbox->lock);
  g_cond_init (&outbox->cond);
  if (sqlite3_open_v2 (path, &outbox->db, SQLITE_OPEN_READWRITE
          | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open outbox %s: %s",
        path, outbox->db != NULL ? sqlite3_errmsg (outbox->db) : "out of memory");
    fa_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, 2000);
  if (!exec_sql (outbox, "PRAGMA locking_mode=EXCLUSIVE;"
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error)
      || !exec_sql (outbox, "BEGIN IMMEDIATE;", error)
      || !exec_sql (outbox, schema, error)
      /* After a restart, pending messages are due at once. */
      || !exec_sql (outbox, "UPDATE alerts SET next_attempt_us = 0 "
          "WHERE state = 'pending'; COMMIT;", error)) {
    if (sqlite3_get_autocommit (outbox->db) == 0)
      sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    fa_outbox_close (outbox);
    return NULL;
  }
  return outbox;
}

void
fa_outbox_set_notify (FaOutbox *outbox, FaOutboxNotify notify, gpointer user_data)
{
  g_mutex_lock (&outbox->lock);
  outbox->notify = notify;
  outbox->notify_data = user_data;
  g_mutex_unlock (&outbox->lock);
}

void
fa_outbox_set_backoff (FaOutbox *outbox, gint64 initial_us, gint64 max_us)
{
  g_mutex_lock (&outbox->lock);
  outbox->backoff_initial_us = MAX (initial_us, 1000);
  outbox->backoff_max_us = MAX (max_us, outbox->backoff_initial_us);
  g_mutex_unlock (&outbox->lock);
}

static void
emit (FaOutbox *outbox, const FaOutboxEvent *event)
{
  g_mutex_lock (&outbox->lock);
  FaOutboxNotify notify = outbox->notify;
  gpointer data = outbox->notify_data;
  g_mutex_unlock (&outbox->lock);
  if (notify != NULL)
    notify (event, data);
}

gboolean
fa_outbox_add (FaOutbox *outbox, const gchar *id, const FaSnsMessage *message,
    gboolean *added, GError **error)
{
  g_autofree gchar *attributes = message->attributes != NULL
      ? g_strjoinv (ATTR_SEP, (gchar **) message->attributes) : NULL;
  gint64 now = g_get_real_time ();
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db,
      "INSERT OR IGNORE INTO alerts (id, created_us, topic_arn, phone_number,"
      " subject, message, json_structure, attributes, dedup_id, group_id)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 2, now);
    sqlite3_bind_text (stmt, 3, message->topic_arn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 4, message->phone_number, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, message->subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 6, message->message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int (stmt, 7, message->json_structure);
    sqlite3_bind_text (stmt, 8, attributes, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 9, message->deduplication_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 10, message->group_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  gboolean inserted = rc == SQLITE_DONE && sqlite3_changes (outbox->db) > 0;
  if (rc != SQLITE_DONE) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot commit alert %s to outbox %s: %s", id, outbox->path,
        sqlite3_errmsg (outbox->db));
  } else {
    g_cond_broadcast (&outbox->cond);
  }
  g_mutex_unlock (&outbox->lock);
  if (added != NULL)
    *added = inserted;
  if (inserted) {
    FaOutboxEvent event = { .id = id, .state = FA_OUTBOX_QUEUED, .queued_us = now };
    emit (outbox, &event);
  }
  return rc == SQLITE_DONE;
}

static const gchar *
state_name (FaOutboxState state)
{
  switch (state) {
    case FA_OUTBOX_DELIVERED: return "delivered";
    case FA_OUTBOX_FAILED: return "failed";
    default: return "pending";
  }
}

guint
fa_outbox_count (FaOutbox *outbox, FaOutboxState state)
{
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT COUNT(*) FROM alerts WHERE state = ?",
          -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state_name (state), -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      count = sqlite3_column_int (stmt, 0);
  }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  return count;
}

typedef struct {
  gint64 seq;
  gchar *id;
  gint64 created_us;
  gint attempts;
  gint64 next_attempt_us;
  gchar *topic_arn, *phone_number, *subject, *message, *dedup_id, *group_id;
  gboolean json_structure;
  gchar **attributes;
} Row;

static gchar *
column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);
  return text != NULL ? g_strdup ((const gchar *) text) : NULL;
}

static void
row_clear (Row *row)
{
  g_free (row->id);
  g_free (row->topic_arn);
  g_free (row->phone_number);
  g_free (row->subject);
  g_free (row->message);
  g_free (row->dedup_id);
  g_free (row->group_id);
  g_strfreev (row->attributes);
  memset (row, 0, sizeof *row);
}

/* With the lock held: the oldest pending message. */
static gboolean
next_pending (FaOutbox *outbox, Row *row)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT seq, id, created_us, attempts,"
          " next_attempt_us, topic_arn, phone_number, subject, message,"
          " json_structure, attributes, dedup_id, group_id FROM alerts"
          " WHERE state = 'pending' ORDER BY seq LIMIT 1", -1, &stmt,
          NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW) {
    row->seq = sqlite3_column_int64 (stmt, 0);
    row->id = column_dup (stmt, 1);
    row->created_us = sqlite3_column_int64 (stmt, 2);
    row->attempts = sqlite3_column_int (stmt, 3);
    row->next_attempt_us = sqlite3_column_int64 (stmt, 4);
    row->topic_arn = column_dup (stmt, 5);
    row->phone_number = column_dup (stmt, 6);
    row->subject = column_dup (stmt, 7);
    row->message = column_dup (stmt, 8);
    row->json_structure = sqlite3_column_int (stmt, 9);
    g_autofree gchar *attributes = column_dup (stmt, 10);
    row->attributes = attributes != NULL && *attributes != '\0'
        ? g_strsplit (attributes, ATTR_SEP, -1) : NULL;
    row->dedup_id = column_dup (stmt, 11);
    row->group_id = column_dup (stmt, 12);
    found = TRUE;
  }
  sqlite3_finalize (stmt);
  return found;
}

/* With the lock held. */
static void
update_row (FaOutbox *outbox, gint64 seq, const gchar *state, gint attempts,
    gint64 next_attempt_us, const gchar *message_id, const gchar *last_error,
    gint64 delivered_us)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "UPDATE alerts SET state = ?, attempts = ?,"
          " next_attempt_us = ?, message_id = ?, last_error = ?, delivered_us = ?"
          " WHERE seq = ?", -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 2, attempts);
    sqlite3_bind_int64 (stmt, 3, next_attempt_us);
    sqlite3_bind_text (stmt, 4, message_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, last_error, -1, SQLITE_TRANSIENT);
    if (delivered_us > 0)
      sqlite3_bind_int64 (stmt, 6, delivered_us);
    else
      sqlite3_bind_null (stmt, 6);
    sqlite3_bind_int64 (stmt, 7, seq);
    if (sqlite3_step (stmt) != SQLITE_DONE)
      g_warning ("outbox %s: cannot record the state of an alert: %s",
          outbox->path, sqlite3_errmsg (outbox->db));
  }
  sqlite3_finalize (stmt);
}

static gpointer
worker (gpointer data)
{
  FaOutbox *outbox = data;
  g_mutex_lock (&outbox->lock);
  while (!outbox->stop) {
    Row row = { 0 };
    if (!next_pending (outbox, &row)) {
      g_cond_broadcast (&outbox->cond);   /* idle */
      g_cond_wait (&outbox->cond, &outbox->lock);
      continue;
    }
    gint64 now = g_get_real_time ();
    if (row.next_attempt_us > now) {
      g_cond_wait_until (&outbox->cond, &outbox->lock,
          g_get_monotonic_time () + (row.next_attempt_us - now));
      row_clear (&row);
      continue;
    }
    g_mutex_unlock (&outbox->lock);

    FaSnsMessage message = {
      .topic_arn = row.topic_arn, .phone_number = row.phone_number,
      .subject = row.subject, .message = row.message,
      .json_structure = row.json_structure,
      .attributes = (const gchar * const *) row.attributes,
      .deduplication_id = row.dedup_id, .group_id = row.group_id,
    };
    GError *error = NULL;
    g_autofree gchar *message_id = fa_sns_client_publish (outbox->client,
        &message, &error);
    gint64 done = g_get_real_time ();

    g_mutex_lock (&outbox->lock);
    FaOutboxEvent event = { .id = row.id, .attempts = row.attempts + 1,
      .queued_us = row.created_us, .message_id = message_id, .error = error };
    if (message_id != NULL) {
      update_row (outbox, row.seq, "delivered", row.attempts + 1, 0, message_id,
          NULL, done);
      event.state = FA_OUTBOX_DELIVERED;
      event.delivered_us = done;
    } else if (outbox->stop && error != NULL && error->code == FA_ERROR_NETWORK) {
      /* Cancelled by close(): stays pending, not an attempt. */
      g_clear_error (&error);
      row_clear (&row);
      break;
    } else if (fa_sns_error_is_retryable (error)) {
      gint shift = MIN (row.attempts, 20);
      gint64 delay = MIN (outbox->backoff_initial_us << shift, outbox->backoff_max_us);
      delay = delay * g_random_double_range (0.8, 1.2);
      update_row (outbox, row.seq, "pending", row.attempts + 1, done + delay,
          NULL, error->message, 0);
      event.state = FA_OUTBOX_RETRYING;
      event.retry_in_us = delay;
    } else {
      update_row (outbox, row.seq, "failed", row.attempts + 1, 0, NULL,
          error != NULL ? error->message : "unknown error", 0);
      event.state = FA_OUTBOX_FAILED;
    }
    g_cond_broadcast (&outbox->cond);
    FaOutboxNotify notify = outbox->notify;
    gpointer notify_data = outbox->notify_data;
    g_mutex_unlock (&outbox->lock);
    if (notify != NULL)
      notify (&event, notify_data);
    g_clear_error (&error);
    row_clear (&row);
    g_mutex_lock (&outbox->lock);
  }
  g_mutex_unlock (&outbox->lock);
  return NULL;
}

void
fa_outbox_start (FaOutbox *outbox, FaSnsClient *client)
{
  g_return_if_fail (outbox->worker == NULL);
  outbox->client = client;
  outbox->stop = FALSE;
  outbox->worker = g_thread_new ("fa-outbox", worker, outbox);
}

gboolean
fa_outbox_wait_idle (FaOutbox *outbox, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean idle = FALSE;
  g_mutex_lock (&outbox->lock);
  while (TRUE) {
    sqlite3_stmt *stmt = NULL;
    gint pending = 1;
    if (sqlite3_prepare_v2 (outbox->db, "SELECT COUNT(*) FROM alerts WHERE"
            " state = 'pending'", -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step (stmt) == SQLITE_ROW)
      pending = sqlite3_column_int (stmt, 0);
    sqlite3_finalize (stmt);
    idle = pending == 0;
    if (idle || outbox->flushing || outbox->worker == NULL)
      break;
    if (!g_cond_wait_until (&outbox->cond, &outbox->lock, deadline))
      break;
  }
  g_mutex_unlock (&outbox->lock);
  return idle;
}

void
fa_outbox_set_flushing (FaOutbox *outbox, gboolean flushing)
{
  g_mutex_lock (&outbox->lock);
  outbox->flushing = flushing;
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);
}

void
fa_outbox_close (FaOutbox *outbox)
{
  if (outbox == NULL)
    return;
  if (outbox->worker != NULL) {
    g_mutex_lock (&outbox->lock);
    outbox->stop = TRUE;
    if (outbox->client != NULL)
      fa_sns_client_cancel (outbox->client);
    g_cond_broadcast (&outbox->cond);
    g_mutex_unlock (&outbox->lock);
    g_thread_join (outbox->worker);
  }
  fa_sns_client_free (outbox->client);
  if (outbox->db != NULL)
    sqlite3_close (outbox->db);
  g_mutex_clear (&outbox->lock);
  g_cond_clear (&outbox->cond);
  g_free (outbox->path);
  g_free (outbox);
}
