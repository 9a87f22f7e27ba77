/* facealert: durable alert outbox on SQLite, delivering to every target.
 * See fa-outbox.h. Management (list, requeue, purge) is in fa-outbox-admin.c,
 * the schema in fa-outbox-db.c. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-outbox"
#include "fa-outbox-private.h"
#include "fa-backoff.h"
#include "fa-error.h"
#include "fa-paths.h"
#include "fa-sns-notifier.h"

#include <string.h>
#include <unistd.h>

/* How often an idle worker looks for alerts requeued by another process. */
#define POLL_US (1 * G_TIME_SPAN_SECOND)

struct _FaOutboxWorker {
  FaOutbox *outbox;
  FaNotifier *notifier;
  GThread *thread;
};

static FaOutbox *
outbox_new (const gchar *path)
{
  FaOutbox *outbox = g_new0 (FaOutbox, 1);
  outbox->path = g_strdup (path);
  outbox->owner_fd = -1;
  outbox->backoff_initial_us = 500 * G_TIME_SPAN_MILLISECOND;
  outbox->backoff_max_us = 60 * G_TIME_SPAN_SECOND;
  outbox->workers = g_ptr_array_new ();
  g_mutex_init (&outbox->lock);
  g_cond_init (&outbox->cond);
  g_cond_init (&outbox->idle_cond);
  return outbox;
}

FaOutbox *
fa_outbox_open (const gchar *path, GError **error)
{
  /* The delivering process holds an flock() on PATH.lock for as long as the
   * outbox is open, so two alertsinks never deliver the same alerts.
   * Management connections do not take it. */
  int owner_fd = fa_paths_take_private_file (path, error, "outbox %s is in "
      "use by another pipeline (give each alertsink its own outbox-location)",
      path);
  if (owner_fd < 0)
    return NULL;

  FaOutbox *outbox = outbox_new (path);
  outbox->owner_fd = owner_fd;
  if (!fa_outbox_db_open (outbox, error)) {
    fa_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, 2000);
  /* WAL and the normal locking mode: `facealert alerts` reads and manages
   * the outbox while this process delivers from it. After a restart,
   * pending deliveries are due at once. */
  if (!fa_outbox_db_exec (outbox, "PRAGMA journal_mode=WAL;"
          " PRAGMA synchronous=FULL;", error)
      || !fa_outbox_db_prepare (outbox, TRUE, error)
      || !fa_outbox_db_exec (outbox, "BEGIN IMMEDIATE;"
          " UPDATE deliveries SET next_attempt_us = 0 WHERE state = 'pending';"
          " UPDATE alerts SET next_attempt_us = 0 WHERE state = 'pending';"
          " COMMIT;", error)) {
    if (outbox->db != NULL && sqlite3_get_autocommit (outbox->db) == 0)
      sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    fa_outbox_close (outbox);
    return NULL;
  }
  return outbox;
}

FaOutbox *
fa_outbox_open_existing (const gchar *path, GError **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no outbox at %s "
        "(alertsink creates it when it starts; see its outbox-location)", path);
    return NULL;
  }
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "%s is a directory, not an outbox file", path);
    return NULL;
  }
  FaOutbox *outbox = outbox_new (path);
  if (!fa_outbox_db_open (outbox, error)) {
    fa_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, FA_OUTBOX_ADMIN_BUSY_TIMEOUT_MS);
  /* An older outbox is upgraded here too, so the CLI reads it the same way. */
  GError *local = NULL;
  if (!fa_outbox_db_prepare (outbox, FALSE, &local)) {
    if (local->code == FA_ERROR_IO) {
      /* Not a database at all: SQLite's own words are no help. */
      g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
          "%s is not a facealert outbox (%s)", path, sqlite3_errmsg (outbox->db));
      g_error_free (local);
    } else {
      g_propagate_error (error, local);
    }
    fa_outbox_close (outbox);
    return NULL;
  }
  return outbox;
}

const gchar *
fa_outbox_get_path (FaOutbox *outbox)
{
  return outbox->path;
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

/* With the lock held, in a transaction. */
static gboolean
insert_delivery (FaOutbox *outbox, gint64 seq, const gchar *target)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "INSERT INTO deliveries (seq, target)"
      " VALUES (?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64 (stmt, 1, seq);
    sqlite3_bind_text (stmt, 2, target, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* With the lock held, in a transaction: inserts the alert row; FALSE on an
 * error, *@seq 0 when @id was already there. */
static gboolean
insert_alert (FaOutbox *outbox, const gchar *id, gint64 now,
    const FaSnsMessage *message, const gchar *payload, gint64 *seq)
{
  g_autofree gchar *attributes = message->attributes != NULL
      ? g_strjoinv (FA_OUTBOX_ATTR_SEP, (gchar **) message->attributes) : NULL;
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db,
      "INSERT OR IGNORE INTO alerts (id, created_us, topic_arn, phone_number,"
      " subject, message, json_structure, attributes, dedup_id, group_id,"
      " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL);
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
    sqlite3_bind_text (stmt, 11, payload, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  *seq = rc == SQLITE_DONE && sqlite3_changes (outbox->db) > 0
      ? sqlite3_last_insert_rowid (outbox->db) : 0;
  return rc == SQLITE_DONE;
}

gboolean
fa_outbox_add_alert (FaOutbox *outbox, const gchar *id,
    const FaSnsMessage *message, const gchar *payload, gboolean *added,
    GError **error)
{
  gint64 now = g_get_real_time ();
  gint64 seq = 0;
  g_mutex_lock (&outbox->lock);
  gboolean ok = sqlite3_exec (outbox->db, "BEGIN IMMEDIATE", NULL, NULL,
      NULL) == SQLITE_OK && insert_alert (outbox, id, now, message, payload, &seq);
  if (ok && seq > 0) {
    if (outbox->workers->len == 0)
      ok = insert_delivery (outbox, seq, FA_SNS_TARGET);
    for (guint i = 0; ok && i < outbox->workers->len; i++) {
      FaOutboxWorker *w = g_ptr_array_index (outbox->workers, i);
      ok = insert_delivery (outbox, seq, fa_notifier_get_name (w->notifier));
    }
    ok = ok && fa_outbox_db_refresh_alert (outbox, seq);
  }
  if (!ok) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot commit alert %s to outbox %s: %s", id, outbox->path,
        sqlite3_errmsg (outbox->db));
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
  } else if (sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot commit alert %s to outbox %s: %s", id, outbox->path,
        sqlite3_errmsg (outbox->db));
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    ok = FALSE;
  } else {
    g_cond_broadcast (&outbox->cond);
  }
  g_mutex_unlock (&outbox->lock);
  gboolean inserted = ok && seq > 0;
  if (added != NULL)
    *added = inserted;
  if (inserted) {
    FaOutboxEvent event = { .id = id, .state = FA_OUTBOX_QUEUED, .queued_us = now };
    emit (outbox, &event);
  }
  return ok;
}

gboolean
fa_outbox_add (FaOutbox *outbox, const gchar *id, const FaSnsMessage *message,
    gboolean *added, GError **error)
{
  return fa_outbox_add_alert (outbox, id, message, NULL, added, error);
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

static guint
count_where (FaOutbox *outbox, const gchar *sql, const gchar *state,
    const gchar *target)
{
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  if (sqlite3_prepare_v2 (outbox->db, sql, -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    if (target != NULL)
      sqlite3_bind_text (stmt, 2, target, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      count = sqlite3_column_int (stmt, 0);
  }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  return count;
}

guint
fa_outbox_count (FaOutbox *outbox, FaOutboxState state)
{
  return count_where (outbox, "SELECT COUNT(*) FROM alerts WHERE state = ?",
      state_name (state), NULL);
}

guint
fa_outbox_count_target (FaOutbox *outbox, const gchar *target,
    FaOutboxState state)
{
  return count_where (outbox, "SELECT COUNT(*) FROM deliveries WHERE state = ?"
      " AND target = ?", state_name (state), target);
}

/* ---- workers ----------------------------------------------------------- */

typedef struct {
  FaOutboxAlert *alert;
  gint64 seq;
  guint attempts;            /* this target's */
  gint64 next_attempt_us;
} Due;

/* With the lock held: the oldest pending delivery of @target. */
static gboolean
next_pending (FaOutbox *outbox, const gchar *target, Due *due)
{
  sqlite3_stmt *stmt = NULL;
  due->alert = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT " FA_OUTBOX_ALERT_COLUMNS
          ", d.attempts, d.next_attempt_us FROM deliveries d JOIN alerts"
          " ON alerts.seq = d.seq WHERE d.target = ? AND d.state = 'pending'"
          " ORDER BY d.seq LIMIT 1", -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, target, -1, SQLITE_TRANSIENT);
    if (sqlite3_step (stmt) == SQLITE_ROW) {
      due->alert = fa_outbox_db_alert_from_row (outbox, stmt, &due->seq);
      due->attempts = sqlite3_column_int (stmt, 19);
      due->next_attempt_us = sqlite3_column_int64 (stmt, 20);
    }
  }
  sqlite3_finalize (stmt);
  return due->alert != NULL;
}

typedef struct {
  const gchar *state;
  guint attempts;
  gint64 next_attempt_us;
  const gchar *receipt;
  const gchar *last_error;
  const gchar *last_error_code;
  gint64 delivered_us;
} DeliveryUpdate;

/* With the lock held: one delivery's new state and its alert's, together. */
static void
record (FaOutbox *outbox, gint64 seq, const gchar *target, const DeliveryUpdate *u)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = sqlite3_exec (outbox->db, "BEGIN IMMEDIATE", NULL, NULL,
      NULL) == SQLITE_OK;
  if (ok && sqlite3_prepare_v2 (outbox->db, "UPDATE deliveries SET state = ?,"
          " attempts = ?, next_attempt_us = ?, receipt = ?, last_error = ?,"
          " last_error_code = ?, delivered_us = ? WHERE seq = ? AND target = ?",
          -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, u->state, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 2, u->attempts);
    sqlite3_bind_int64 (stmt, 3, u->next_attempt_us);
    sqlite3_bind_text (stmt, 4, u->receipt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, u->last_error, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 6, u->last_error_code, -1, SQLITE_TRANSIENT);
    if (u->delivered_us > 0)
      sqlite3_bind_int64 (stmt, 7, u->delivered_us);
    else
      sqlite3_bind_null (stmt, 7);
    sqlite3_bind_int64 (stmt, 8, seq);
    sqlite3_bind_text (stmt, 9, target, -1, SQLITE_TRANSIENT);
    ok = sqlite3_step (stmt) == SQLITE_DONE;
  } else {
    ok = FALSE;
  }
  sqlite3_finalize (stmt);
  ok = ok && fa_outbox_db_refresh_alert (outbox, seq);
  if (ok && sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
    return;
  g_warning ("outbox %s: cannot record the state of an alert: %s",
      outbox->path, sqlite3_errmsg (outbox->db));
  sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
}

static gpointer
worker (gpointer data)
{
  FaOutboxWorker *w = data;
  FaOutbox *outbox = w->outbox;
  FaNotifier *notifier = w->notifier;
  const gchar *target = fa_notifier_get_name (notifier);
  g_mutex_lock (&outbox->lock);
  while (!outbox->stop) {
    /* Also woken every POLL_US: `facealert alerts retry` in another process
     * may have requeued an alert or made a pending one due now. */
    Due due;
    if (!next_pending (outbox, target, &due)) {
      g_cond_broadcast (&outbox->idle_cond);   /* idle */
      g_cond_wait_until (&outbox->cond, &outbox->lock,
          g_get_monotonic_time () + POLL_US);
      continue;
    }
    g_autoptr (FaOutboxAlert) row = due.alert;
    gint64 now = g_get_real_time ();
    if (due.next_attempt_us > now) {
      g_cond_wait_until (&outbox->cond, &outbox->lock,
          g_get_monotonic_time () + MIN (due.next_attempt_us - now, POLL_US));
      continue;
    }
    g_mutex_unlock (&outbox->lock);

    GError *error = NULL;
    g_autofree gchar *receipt = notifier->klass->deliver (notifier, row, &error);
    gint64 done = g_get_real_time ();
    gboolean retryable = receipt == NULL
        && notifier->klass->is_retryable (notifier, error);
    g_autofree gchar *code = receipt == NULL
        ? notifier->klass->error_code (notifier, error != NULL ? error->message
            : "unknown error") : NULL;

    g_mutex_lock (&outbox->lock);
    FaOutboxEvent event = { .id = row->id, .attempts = due.attempts + 1,
      .queued_us = row->created_us, .message_id = receipt, .error = error,
      .target = target };
    if (receipt != NULL) {
      record (outbox, due.seq, target, &(DeliveryUpdate) { "delivered",
          due.attempts + 1, 0, receipt, NULL, NULL, done });
      event.state = FA_OUTBOX_DELIVERED;
      event.delivered_us = done;
    } else if (outbox->stop && retryable) {
      /* Cancelled by close(): stays pending, not an attempt. */
      g_clear_error (&error);
      break;
    } else if (retryable) {
      gint64 delay = fa_backoff_delay_us (outbox->backoff_initial_us,
          outbox->backoff_max_us, due.attempts);
      record (outbox, due.seq, target, &(DeliveryUpdate) { "pending",
          due.attempts + 1, done + delay, NULL, error->message, code, 0 });
      event.state = FA_OUTBOX_RETRYING;
      event.retry_in_us = delay;
    } else {
      record (outbox, due.seq, target, &(DeliveryUpdate) { "failed",
          due.attempts + 1, 0, NULL, error != NULL ? error->message
          : "unknown error", code, 0 });
      event.state = FA_OUTBOX_FAILED;
    }
    g_cond_broadcast (&outbox->idle_cond);
    FaOutboxNotify notify = outbox->notify;
    gpointer notify_data = outbox->notify_data;
    g_mutex_unlock (&outbox->lock);
    if (notify != NULL)
      notify (&event, notify_data);
    g_clear_error (&error);
    g_mutex_lock (&outbox->lock);
  }
  g_mutex_unlock (&outbox->lock);
  return NULL;
}

/* The target is reachable again: its pending deliveries are due now. */
static void
on_wake (FaNotifier *notifier, gpointer data)
{
  FaOutboxWorker *w = data;
  FaOutbox *outbox = w->outbox;
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "UPDATE deliveries SET next_attempt_us = 0"
          " WHERE target = ? AND state = 'pending'", -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, fa_notifier_get_name (notifier), -1,
        SQLITE_TRANSIENT);
    sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);
}

void
fa_outbox_start_targets (FaOutbox *outbox, FaNotifier **targets, guint n_targets)
{
  g_return_if_fail (outbox->workers->len == 0);
  outbox->stop = FALSE;
  for (guint i = 0; i < n_targets; i++) {
    FaOutboxWorker *w = g_new0 (FaOutboxWorker, 1);
    w->outbox = outbox;
    w->notifier = targets[i];
    g_ptr_array_add (outbox->workers, w);
  }
  for (guint i = 0; i < outbox->workers->len; i++) {
    FaOutboxWorker *w = g_ptr_array_index (outbox->workers, i);
    g_autofree gchar *name = g_strdup_printf ("fa-outbox-%s",
        fa_notifier_get_name (w->notifier));
    w->notifier->wake_data = w;
    w->notifier->wake = on_wake;
    w->thread = g_thread_new (name, worker, w);
  }
}

void
fa_outbox_start (FaOutbox *outbox, FaSnsClient *client)
{
  FaNotifier *sns = fa_sns_notifier_new (client);
  fa_outbox_start_targets (outbox, &sns, 1);
}

gboolean
fa_outbox_wait_idle (FaOutbox *outbox, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean idle = FALSE;
  g_autoptr (GString) sql = g_string_new ("SELECT COUNT(*) FROM deliveries"
      " WHERE state = 'pending' AND target IN (''");
  g_mutex_lock (&outbox->lock);
  for (guint i = 0; i < outbox->workers->len; i++)
    g_string_append_printf (sql, ", ?%u", i + 1);
  g_string_append (sql, ")");
  while (TRUE) {
    sqlite3_stmt *stmt = NULL;
    gint pending = 1;
    if (sqlite3_prepare_v2 (outbox->db, sql->str, -1, &stmt, NULL) == SQLITE_OK) {
      for (guint i = 0; i < outbox->workers->len; i++) {
        FaOutboxWorker *w = g_ptr_array_index (outbox->workers, i);
        sqlite3_bind_text (stmt, i + 1, fa_notifier_get_name (w->notifier), -1,
            SQLITE_TRANSIENT);
      }
      if (sqlite3_step (stmt) == SQLITE_ROW)
        pending = sqlite3_column_int (stmt, 0);
    }
    sqlite3_finalize (stmt);
    idle = pending == 0;
    if (idle || outbox->flushing || outbox->workers->len == 0)
      break;
    if (!g_cond_wait_until (&outbox->idle_cond, &outbox->lock, deadline))
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
  g_cond_broadcast (&outbox->idle_cond);
  g_mutex_unlock (&outbox->lock);
}

void
fa_outbox_close (FaOutbox *outbox)
{
  if (outbox == NULL)
    return;
  g_mutex_lock (&outbox->lock);
  outbox->stop = TRUE;
  for (guint i = 0; i < outbox->workers->len; i++) {
    FaOutboxWorker *w = g_ptr_array_index (outbox->workers, i);
    w->notifier->klass->cancel (w->notifier);
  }
  g_cond_broadcast (&outbox->cond);
  g_cond_broadcast (&outbox->idle_cond);
  g_mutex_unlock (&outbox->lock);
  for (guint i = 0; i < outbox->workers->len; i++) {
    FaOutboxWorker *w = g_ptr_array_index (outbox->workers, i);
    g_thread_join (w->thread);
    fa_notifier_free (w->notifier);
    g_free (w);
  }
  g_ptr_array_unref (outbox->workers);
  if (outbox->db != NULL)
    sqlite3_close (outbox->db);
  if (outbox->owner_fd >= 0)
    close (outbox->owner_fd);   /* releases the flock */
  g_mutex_clear (&outbox->lock);
  g_cond_clear (&outbox->cond);
  g_cond_clear (&outbox->idle_cond);
  g_free (outbox->path);
  g_free (outbox);
}
