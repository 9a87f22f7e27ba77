/* facealert: durable Kinesis record outbox on SQLite. See fa-kds-outbox.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-kds-outbox"
#include "fa-kds-outbox-private.h"
#include "fa-backoff.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

struct _FaKdsOutbox {
  gchar *path;
  sqlite3 *db;
  int owner_fd;           /* PATH.lock, flock()ed while open; -1 */
  gint refs;              /* the owner's, and the sender's while it works */
  GMutex lock;
  GCond cond;             /* outcomes recorded, flushing */
  FaKdsSender *sender;
  guint notifying;        /* the sender is calling notify (close waits) */
  gboolean flushing;
  gint64 backoff_initial_us;
  gint64 backoff_max_us;
  FaKdsOutboxNotify notify;
  gpointer notify_data;
};

static const gchar *schema =
    "CREATE TABLE IF NOT EXISTS records ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  stream TEXT NOT NULL,"
    "  partition_key TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_us INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending',"     /* pending | failed */
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_us INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT);"
    "CREATE INDEX IF NOT EXISTS records_key ON records"
    "  (state, stream, partition_key, seq);";

static gboolean
exec_sql (FaKdsOutbox *outbox, const gchar *sql, GError **error)
{
  char *message = NULL;
  if (sqlite3_exec (outbox->db, sql, NULL, NULL, &message) != SQLITE_OK) {
    int rc = sqlite3_errcode (outbox->db);
    g_set_error (error, FA_ERROR, rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        ? FA_ERROR_BUSY : FA_ERROR_IO, "Kinesis outbox %s: %s", outbox->path,
        message != NULL ? message : sqlite3_errmsg (outbox->db));
    sqlite3_free (message);
    return FALSE;
  }
  return TRUE;
}

FaKdsOutbox *
fa_kds_outbox_open (const gchar *path, GError **error)
{
  int owner_fd = fa_paths_take_private_file (path, error, "Kinesis outbox %s "
      "is in use by another pipeline (give each kdssink its own "
      "outbox-location)", path);
  if (owner_fd < 0)
    return NULL;

  FaKdsOutbox *outbox = g_new0 (FaKdsOutbox, 1);
  outbox->path = g_strdup (path);
  outbox->owner_fd = owner_fd;
  outbox->refs = 1;
  outbox->backoff_initial_us = 200 * G_TIME_SPAN_MILLISECOND;
  outbox->backoff_max_us = 30 * G_TIME_SPAN_SECOND;
  g_mutex_init (&outbox->lock);
  g_cond_init (&outbox->cond);
  if (sqlite3_open_v2 (path, &outbox->db, SQLITE_OPEN_READWRITE
          | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open Kinesis outbox %s: %s",
        path, outbox->db != NULL ? sqlite3_errmsg (outbox->db) : "out of memory");
    fa_kds_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, 2000);
  if (!exec_sql (outbox, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error)
      || !exec_sql (outbox, "BEGIN IMMEDIATE;", error)
      || !exec_sql (outbox, schema, error)
      /* After a restart, pending records are due at once. */
      || !exec_sql (outbox, "UPDATE records SET next_attempt_us = 0 "
          "WHERE state = 'pending'; COMMIT;", error)) {
    if (outbox->db != NULL && sqlite3_get_autocommit (outbox->db) == 0)
      sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    if (error != NULL && *error != NULL && (*error)->code == FA_ERROR_IO
        && strstr ((*error)->message, "not a database") != NULL) {
      (*error)->code = FA_ERROR_CORRUPT;
    }
    fa_kds_outbox_close (outbox);
    return NULL;
  }
  return outbox;
}

const gchar *
fa_kds_outbox_get_path (FaKdsOutbox *outbox)
{
  return outbox->path;
}

void
fa_kds_outbox_set_notify (FaKdsOutbox *outbox, FaKdsOutboxNotify notify,
    gpointer user_data)
{
  g_mutex_lock (&outbox->lock);
  outbox->notify = notify;
  outbox->notify_data = user_data;
  g_mutex_unlock (&outbox->lock);
}

void
fa_kds_outbox_set_backoff (FaKdsOutbox *outbox, gint64 initial_us, gint64 max_us)
{
  g_mutex_lock (&outbox->lock);
  outbox->backoff_initial_us = MAX (initial_us, 1000);
  outbox->backoff_max_us = MAX (max_us, outbox->backoff_initial_us);
  g_mutex_unlock (&outbox->lock);
}

gboolean
fa_kds_outbox_add (FaKdsOutbox *outbox, const gchar *stream,
    const gchar *partition_key, const void *data, gsize size, gint64 *seq,
    GError **error)
{
  if (!fa_kinesis_validate_stream_name (stream, error)
      || !fa_kinesis_validate_record (partition_key, size, error))
    return FALSE;
  gint64 now = g_get_real_time ();
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "INSERT INTO records (stream,"
      " partition_key, data, created_us) VALUES (?, ?, ?, ?)", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, stream, -1, SQLITE_STATIC);
    sqlite3_bind_text (stmt, 2, partition_key, -1, SQLITE_STATIC);
    sqlite3_bind_blob (stmt, 3, data, (int) size, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 4, now);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  gint64 added = rc == SQLITE_DONE ? sqlite3_last_insert_rowid (outbox->db) : 0;
  if (rc != SQLITE_DONE)
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot commit a record to the "
        "Kinesis outbox %s: %s", outbox->path, sqlite3_errmsg (outbox->db));
  FaKdsOutboxNotify notify = outbox->notify;
  gpointer notify_data = outbox->notify_data;
  FaKdsSender *sender = outbox->sender != NULL ? fa_kds_sender_ref (outbox->sender)
      : NULL;
  g_mutex_unlock (&outbox->lock);
  if (sender != NULL) {
    if (rc == SQLITE_DONE)
      fa_kds_sender_wake (sender);
    fa_kds_sender_unref (sender);
  }
  if (rc != SQLITE_DONE)
    return FALSE;
  if (seq != NULL)
    *seq = added;
  if (notify != NULL) {
    FaKdsOutboxEvent event = { .seq = added, .state = FA_KDS_RECORD_QUEUED,
      .stream = stream, .partition_key = partition_key, .queued_us = now };
    notify (&event, notify_data);
  }
  return TRUE;
}

static guint
count_state (FaKdsOutbox *outbox, const gchar *state)
{
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  guint count = 0;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT COUNT(*) FROM records WHERE state = ?",
          -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      count = sqlite3_column_int (stmt, 0);
  }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  return count;
}

guint
fa_kds_outbox_count_pending (FaKdsOutbox *outbox)
{
  return count_state (outbox, "pending");
}

guint
fa_kds_outbox_count_failed (FaKdsOutbox *outbox)
{
  return count_state (outbox, "failed");
}

/* ---- for the sender (fa-kds-outbox-private.h) ---- */

void
fa_kds_head_clear (gpointer data)
{
  FaKdsHead *h = data;
  g_free (h->stream);
  g_free (h->partition_key);
  g_clear_pointer (&h->data, g_bytes_unref);
}

FaKdsOutbox *
fa_kds_outbox_ref (FaKdsOutbox *outbox)
{
  g_atomic_int_inc (&outbox->refs);
  return outbox;
}

void
fa_kds_outbox_unref (FaKdsOutbox *outbox)
{
  if (!g_atomic_int_dec_and_test (&outbox->refs))
    return;
  g_mutex_clear (&outbox->lock);
  g_cond_clear (&outbox->cond);
  g_free (outbox->path);
  g_free (outbox);
}

/* The oldest pending record of each (stream, key): one record per key in
 * flight, see "Order per partition key" in the header. */
void
fa_kds_outbox_due_heads (FaKdsOutbox *outbox, gint64 now, GArray *heads,
    gint64 *wake_us)
{
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  int rc = outbox->db == NULL ? SQLITE_DONE : sqlite3_prepare_v2 (outbox->db,
      "SELECT seq, stream, partition_key, next_attempt_us, attempts, created_us,"
      " length(data) FROM records WHERE seq IN (SELECT MIN(seq) FROM records"
      " WHERE state = 'pending' GROUP BY stream, partition_key) ORDER BY seq", -1,
      &stmt, NULL);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      break;
    gint64 next = sqlite3_column_int64 (stmt, 3);
    if (next > now) {
      *wake_us = MIN (*wake_us, next);
      continue;
    }
    FaKdsHead head = { outbox, sqlite3_column_int64 (stmt, 0),
      g_strdup ((const gchar *) sqlite3_column_text (stmt, 1)),
      g_strdup ((const gchar *) sqlite3_column_text (stmt, 2)),
      sqlite3_column_int64 (stmt, 6), NULL, sqlite3_column_int (stmt, 4),
      sqlite3_column_int64 (stmt, 5) };
    g_array_append_val (heads, head);
  }
  if (rc != SQLITE_DONE)
    g_warning ("Kinesis outbox %s: cannot read pending records: %s",
        outbox->path, sqlite3_errmsg (outbox->db));
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
}

void
fa_kds_outbox_load_data (FaKdsOutbox *outbox, FaKdsHead *head)
{
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  if (outbox->db != NULL && sqlite3_prepare_v2 (outbox->db,
          "SELECT data FROM records WHERE seq = ?", -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_int64 (stmt, 1, head->seq);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      head->data = g_bytes_new (sqlite3_column_blob (stmt, 0),
          sqlite3_column_bytes (stmt, 0));
  }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  if (head->data == NULL)
    head->data = g_bytes_new (NULL, 0);
}

static gint64
backoff (FaKdsOutbox *outbox, guint attempts)
{
  return fa_backoff_delay_us (outbox->backoff_initial_us,
      outbox->backoff_max_us, attempts);
}

/* With the lock held. */
static void
record_done (FaKdsOutbox *outbox, sqlite3_stmt *remove, gint64 seq)
{
  sqlite3_reset (remove);
  sqlite3_bind_int64 (remove, 1, seq);
  if (sqlite3_step (remove) != SQLITE_DONE)
    g_warning ("Kinesis outbox %s: cannot remove a delivered record: %s",
        outbox->path, sqlite3_errmsg (outbox->db));
}

static void
record_failed (FaKdsOutbox *outbox, sqlite3_stmt *update, gint64 seq,
    const gchar *state, guint attempts, gint64 next_us, const gchar *error)
{
  sqlite3_reset (update);
  sqlite3_bind_text (update, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_int (update, 2, attempts);
  sqlite3_bind_int64 (update, 3, next_us);
  sqlite3_bind_text (update, 4, error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 5, seq);
  if (sqlite3_step (update) != SQLITE_DONE)
    g_warning ("Kinesis outbox %s: cannot record a failed attempt: %s",
        outbox->path, sqlite3_errmsg (outbox->db));
}

typedef struct {
  FaKdsOutboxEvent event;
  gchar *stream;
  gchar *partition_key;
  gchar *sequence_number;
  gchar *shard_id;
  GError *error;
} PendingEvent;

static void
pending_event_clear (gpointer data)
{
  PendingEvent *e = data;
  g_free (e->stream);
  g_free (e->partition_key);
  g_free (e->sequence_number);
  g_free (e->shard_id);
  g_clear_error (&e->error);
}

/* Writes the outcome of @n heads (one transaction) and collects the events
 * to notify. @request_error: the request failed whole. With the lock held. */
static void
write_results (FaKdsOutbox *outbox, FaKdsHead *const *heads,
    FaKinesisPutResult *const *results, guint n, const GError *request_error,
    GArray *events)
{
  gint64 done = g_get_real_time ();
  sqlite3_stmt *remove = NULL, *update = NULL;
  /* Outcomes need not reach the disk before the next request: lost to a
   * power cut, a delivered record is sent again (at-least-once), never lost.
   * Records themselves are committed with synchronous=FULL (add()). */
  sqlite3_exec (outbox->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
  sqlite3_exec (outbox->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_prepare_v2 (outbox->db, "DELETE FROM records WHERE seq = ?", -1,
      &remove, NULL);
  sqlite3_prepare_v2 (outbox->db, "UPDATE records SET state = ?, attempts = ?,"
      " next_attempt_us = ?, last_error = ? WHERE seq = ?", -1, &update, NULL);
  for (guint i = 0; i < n; i++) {
    const FaKdsHead *h = heads[i];
    PendingEvent e = { { .seq = h->seq, .attempts = h->attempts + 1,
        .queued_us = h->created_us }, g_strdup (h->stream),
      g_strdup (h->partition_key) };
    const FaKinesisPutResult *r = results != NULL ? results[i] : NULL;
    if (request_error != NULL) {
      /* A permanent refusal of the whole request (no such stream, bad
       * credentials) keeps the records: retried slowly until fixed. */
      gint64 delay = fa_kinesis_error_is_retryable (request_error)
          ? backoff (outbox, h->attempts) : outbox->backoff_max_us;
      record_failed (outbox, update, h->seq, "pending", h->attempts + 1,
          done + delay, request_error->message);
      e.event.state = FA_KDS_RECORD_RETRYING;
      e.event.retry_in_us = delay;
      e.error = g_error_copy (request_error);
    } else if (r->error_code == NULL) {
      record_done (outbox, remove, h->seq);
      e.event.state = FA_KDS_RECORD_DELIVERED;
      e.event.delivered_us = done;
      e.sequence_number = g_strdup (r->sequence_number);
      e.shard_id = g_strdup (r->shard_id);
    } else {
      gboolean retry = fa_kinesis_record_error_is_retryable (r->error_code);
      e.error = g_error_new (FA_ERROR, retry ? FA_ERROR_THROTTLED : FA_ERROR_REMOTE,
          "Kinesis PutRecords refused record %" G_GINT64_FORMAT ": %s: %s%s",
          h->seq, r->error_code, r->error_message != NULL ? r->error_message : "",
          retry ? " (will retry)" : "");
      gint64 delay = retry ? backoff (outbox, h->attempts) : 0;
      record_failed (outbox, update, h->seq, retry ? "pending" : "failed",
          h->attempts + 1, retry ? done + delay : 0, e.error->message);
      e.event.state = retry ? FA_KDS_RECORD_RETRYING : FA_KDS_RECORD_FAILED;
      e.event.retry_in_us = delay;
    }
    g_array_append_val (events, e);
  }
  sqlite3_finalize (remove);
  sqlite3_finalize (update);
  if (sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    /* The records stay pending and are sent again: duplicates, never a loss. */
    g_warning ("Kinesis outbox %s: cannot record what was delivered: %s",
        outbox->path, sqlite3_errmsg (outbox->db));
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
  }
  sqlite3_exec (outbox->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
}

void
fa_kds_outbox_apply (FaKdsOutbox *outbox, FaKdsHead *const *heads,
    FaKinesisPutResult *const *results, guint n, const GError *request_error)
{
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (PendingEvent));
  g_array_set_clear_func (events, pending_event_clear);
  g_mutex_lock (&outbox->lock);
  if (outbox->db != NULL)
    write_results (outbox, heads, results, n, request_error, events);
  g_cond_broadcast (&outbox->cond);
  FaKdsOutboxNotify notify = outbox->notify;
  gpointer notify_data = outbox->notify_data;
  outbox->notifying++;
  g_mutex_unlock (&outbox->lock);
  for (guint i = 0; notify != NULL && i < events->len; i++) {
    PendingEvent *e = &g_array_index (events, PendingEvent, i);
    e->event.stream = e->stream;
    e->event.partition_key = e->partition_key;
    e->event.sequence_number = e->sequence_number;
    e->event.shard_id = e->shard_id;
    e->event.error = e->error;
    notify (&e->event, notify_data);
  }
  g_mutex_lock (&outbox->lock);
  outbox->notifying--;
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);
}

void
fa_kds_outbox_attach (FaKdsOutbox *outbox, FaKdsSender *sender)
{
  g_return_if_fail (outbox->sender == NULL);
  g_mutex_lock (&outbox->lock);
  outbox->sender = fa_kds_sender_ref (sender);
  g_mutex_unlock (&outbox->lock);
  fa_kds_sender_attach (sender, outbox);
}

gboolean
fa_kds_outbox_wait_idle (FaKdsOutbox *outbox, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean idle = FALSE;
  g_mutex_lock (&outbox->lock);
  while (TRUE) {
    sqlite3_stmt *stmt = NULL;
    gint pending = 1;
    if (sqlite3_prepare_v2 (outbox->db, "SELECT COUNT(*) FROM records WHERE"
            " state = 'pending'", -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step (stmt) == SQLITE_ROW)
      pending = sqlite3_column_int (stmt, 0);
    sqlite3_finalize (stmt);
    idle = pending == 0;
    if (idle || outbox->flushing || outbox->sender == NULL)
      break;
    if (!g_cond_wait_until (&outbox->cond, &outbox->lock, deadline))
      break;
  }
  g_mutex_unlock (&outbox->lock);
  return idle;
}

void
fa_kds_outbox_set_flushing (FaKdsOutbox *outbox, gboolean flushing)
{
  g_mutex_lock (&outbox->lock);
  outbox->flushing = flushing;
  g_cond_broadcast (&outbox->cond);
  g_mutex_unlock (&outbox->lock);
}

void
fa_kds_outbox_close (FaKdsOutbox *outbox)
{
  if (outbox == NULL)
    return;
  /* Detached first: the sender takes no new record from it; what it has in
   * flight is not recorded (closed below) and is sent again next time. */
  if (outbox->sender != NULL)
    fa_kds_sender_detach (outbox->sender, outbox);
  g_mutex_lock (&outbox->lock);
  FaKdsSender *sender = g_steal_pointer (&outbox->sender);
  if (outbox->db != NULL)
    sqlite3_close (outbox->db);
  outbox->db = NULL;
  if (outbox->owner_fd >= 0)
    close (outbox->owner_fd);   /* releases the flock */
  outbox->owner_fd = -1;
  /* The caller may free what notify uses once this returns. */
  while (outbox->notifying > 0)
    g_cond_wait (&outbox->cond, &outbox->lock);
  g_mutex_unlock (&outbox->lock);
  if (sender != NULL)
    fa_kds_sender_unref (sender);
  fa_kds_outbox_unref (outbox);
}
