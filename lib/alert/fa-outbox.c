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
#include <sys/file.h>
#include <unistd.h>

#define ATTR_SEP "\x1f"
/* How often an idle worker looks for alerts requeued by another process. */
#define POLL_US (1 * G_TIME_SPAN_SECOND)
/* How long the management functions wait for a write lock held by a
 * running alertsink (its writes take milliseconds). */
#define ADMIN_BUSY_TIMEOUT_MS 10000

struct _FaOutbox {
  gchar *path;
  sqlite3 *db;
  int owner_fd;           /* PATH.lock, flock()ed by the delivering process; -1 */
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

static FaOutbox *
outbox_new (const gchar *path)
{
  FaOutbox *outbox = g_new0 (FaOutbox, 1);
  outbox->path = g_strdup (path);
  outbox->owner_fd = -1;
  outbox->backoff_initial_us = 500 * G_TIME_SPAN_MILLISECOND;
  outbox->backoff_max_us = 60 * G_TIME_SPAN_SECOND;
  g_mutex_init (&outbox->lock);
  g_cond_init (&outbox->cond);
  return outbox;
}

/* The delivering process holds an flock() on PATH.lock for as long as the
 * outbox is open, so two alertsinks never deliver the same alerts.
 * Management connections do not take it. */
static gboolean
take_ownership (FaOutbox *outbox, GError **error)
{
  g_autofree gchar *lock_path = g_strconcat (outbox->path, ".lock", NULL);
  GError *local = NULL;
  outbox->owner_fd = fa_paths_lock_exclusive (lock_path, &local);
  if (outbox->owner_fd >= 0)
    return TRUE;
  if (g_error_matches (local, FA_ERROR, FA_ERROR_BUSY)) {
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "outbox %s is in use by "
        "another pipeline (give each alertsink its own outbox-location)",
        outbox->path);
    g_error_free (local);
  } else {
    g_propagate_error (error, local);
  }
  return FALSE;
}

/* Opens the existing database file at outbox->path for reading and writing. */
static gboolean
open_db (FaOutbox *outbox, GError **error)
{
  if (sqlite3_open_v2 (outbox->path, &outbox->db, SQLITE_OPEN_READWRITE
          | SQLITE_OPEN_FULLMUTEX, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open outbox %s: %s",
      outbox->path, outbox->db != NULL ? sqlite3_errmsg (outbox->db) : "out of memory");
  return FALSE;
}

FaOutbox *
fa_outbox_open (const gchar *path, GError **error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!fa_paths_ensure_private_dir (dir, error))
    return NULL;
  if (!fa_paths_create_private_file (path, error))
    return NULL;

  FaOutbox *outbox = outbox_new (path);
  if (!take_ownership (outbox, error)) {
    fa_outbox_close (outbox);
    return NULL;
  }
  if (!open_db (outbox, error)) {
    fa_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, 2000);
  /* WAL and the normal locking mode: `facealert alerts` reads and manages
   * the outbox while this process delivers from it. */
  if (!exec_sql (outbox, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error)
      || !exec_sql (outbox, "BEGIN IMMEDIATE;", error)
      || !exec_sql (outbox, schema, error)
      /* After a restart, pending messages are due at once. */
      || !exec_sql (outbox, "UPDATE alerts SET next_attempt_us = 0 "
          "WHERE state = 'pending'; COMMIT;", error)) {
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
  if (!open_db (outbox, error)) {
    fa_outbox_close (outbox);
    return NULL;
  }
  sqlite3_busy_timeout (outbox->db, ADMIN_BUSY_TIMEOUT_MS);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "SELECT COUNT(*) FROM sqlite_master"
      " WHERE type = 'table' AND name = 'alerts'", -1, &stmt, NULL);
  gboolean is_outbox = FALSE;
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    is_outbox = sqlite3_column_int (stmt, 0) == 1;
  sqlite3_finalize (stmt);
  if (rc == SQLITE_BUSY) {
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "outbox %s stayed locked "
        "for %d s; try again", path, ADMIN_BUSY_TIMEOUT_MS / 1000);
    fa_outbox_close (outbox);
    return NULL;
  }
  if (!is_outbox) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "%s is not a facealert outbox%s%s", path, rc == SQLITE_ROW ? "" : ": ",
        rc == SQLITE_ROW ? "" : sqlite3_errmsg (outbox->db));
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

static gchar *
column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);
  return text != NULL ? g_strdup ((const gchar *) text) : NULL;
}

#define ALERT_COLUMNS "id, state, created_us, attempts, next_attempt_us," \
  " topic_arn, phone_number, subject, message, json_structure, attributes," \
  " dedup_id, group_id, message_id, last_error, delivered_us"

static FaOutboxAlert *
alert_from_row (sqlite3_stmt *stmt)
{
  FaOutboxAlert *alert = g_new0 (FaOutboxAlert, 1);
  alert->id = column_dup (stmt, 0);
  alert->state = fa_outbox_state_from_name ((const gchar *)
      sqlite3_column_text (stmt, 1));
  alert->created_us = sqlite3_column_int64 (stmt, 2);
  alert->attempts = sqlite3_column_int (stmt, 3);
  alert->next_attempt_us = sqlite3_column_int64 (stmt, 4);
  alert->topic_arn = column_dup (stmt, 5);
  alert->phone_number = column_dup (stmt, 6);
  alert->subject = column_dup (stmt, 7);
  alert->message = column_dup (stmt, 8);
  alert->json_structure = sqlite3_column_int (stmt, 9);
  const gchar *attributes = (const gchar *) sqlite3_column_text (stmt, 10);
  alert->attributes = attributes != NULL && *attributes != '\0'
      ? g_strsplit (attributes, ATTR_SEP, -1) : NULL;
  alert->deduplication_id = column_dup (stmt, 11);
  alert->group_id = column_dup (stmt, 12);
  alert->message_id = column_dup (stmt, 13);
  alert->last_error = column_dup (stmt, 14);
  alert->last_error_code = fa_sns_error_code (alert->last_error);
  alert->delivered_us = sqlite3_column_int64 (stmt, 15);
  for (guint i = 0; alert->attributes != NULL && alert->attributes[i] != NULL
      && alert->attributes[i + 1] != NULL; i += 2)
    if (g_str_equal (alert->attributes[i], "camera")) {
      alert->camera = g_strdup (alert->attributes[i + 1]);
      break;
    }
  if (alert->camera == NULL && alert->group_id != NULL)
    alert->camera = g_strdup (alert->group_id);
  return alert;
}

/* With the lock held: the oldest pending alert, or NULL. */
static FaOutboxAlert *
next_pending (FaOutbox *outbox)
{
  sqlite3_stmt *stmt = NULL;
  FaOutboxAlert *alert = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT " ALERT_COLUMNS " FROM alerts"
          " WHERE state = 'pending' ORDER BY seq LIMIT 1", -1, &stmt,
          NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    alert = alert_from_row (stmt);
  sqlite3_finalize (stmt);
  return alert;
}

/* With the lock held. */
static void
update_row (FaOutbox *outbox, const gchar *id, const gchar *state, gint attempts,
    gint64 next_attempt_us, const gchar *message_id, const gchar *last_error,
    gint64 delivered_us)
{
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "UPDATE alerts SET state = ?, attempts = ?,"
          " next_attempt_us = ?, message_id = ?, last_error = ?, delivered_us = ?"
          " WHERE id = ?", -1, &stmt, NULL) == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 2, attempts);
    sqlite3_bind_int64 (stmt, 3, next_attempt_us);
    sqlite3_bind_text (stmt, 4, message_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, last_error, -1, SQLITE_TRANSIENT);
    if (delivered_us > 0)
      sqlite3_bind_int64 (stmt, 6, delivered_us);
    else
      sqlite3_bind_null (stmt, 6);
    sqlite3_bind_text (stmt, 7, id, -1, SQLITE_TRANSIENT);
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
    /* Also woken every POLL_US: `facealert alerts retry` in another process
     * may have requeued an alert or made a pending one due now. */
    g_autoptr (FaOutboxAlert) row = next_pending (outbox);
    if (row == NULL) {
      g_cond_broadcast (&outbox->cond);   /* idle */
      g_cond_wait_until (&outbox->cond, &outbox->lock,
          g_get_monotonic_time () + POLL_US);
      continue;
    }
    gint64 now = g_get_real_time ();
    if (row->next_attempt_us > now) {
      g_cond_wait_until (&outbox->cond, &outbox->lock,
          g_get_monotonic_time () + MIN (row->next_attempt_us - now, POLL_US));
      continue;
    }
    g_mutex_unlock (&outbox->lock);

    FaSnsMessage message = {
      .topic_arn = row->topic_arn, .phone_number = row->phone_number,
      .subject = row->subject, .message = row->message,
      .json_structure = row->json_structure,
      .attributes = (const gchar * const *) row->attributes,
      .deduplication_id = row->deduplication_id, .group_id = row->group_id,
    };
    GError *error = NULL;
    g_autofree gchar *message_id = fa_sns_client_publish (outbox->client,
        &message, &error);
    gint64 done = g_get_real_time ();

    g_mutex_lock (&outbox->lock);
    FaOutboxEvent event = { .id = row->id, .attempts = row->attempts + 1,
      .queued_us = row->created_us, .message_id = message_id, .error = error };
    if (message_id != NULL) {
      update_row (outbox, row->id, "delivered", row->attempts + 1, 0, message_id,
          NULL, done);
      event.state = FA_OUTBOX_DELIVERED;
      event.delivered_us = done;
    } else if (outbox->stop && error != NULL && error->code == FA_ERROR_NETWORK) {
      /* Cancelled by close(): stays pending, not an attempt. */
      g_clear_error (&error);
      break;
    } else if (fa_sns_error_is_retryable (error)) {
      gint shift = MIN (row->attempts, 20);
      gint64 delay = MIN (outbox->backoff_initial_us << shift, outbox->backoff_max_us);
      delay = delay * g_random_double_range (0.8, 1.2);
      update_row (outbox, row->id, "pending", row->attempts + 1, done + delay,
          NULL, error->message, 0);
      event.state = FA_OUTBOX_RETRYING;
      event.retry_in_us = delay;
    } else {
      update_row (outbox, row->id, "failed", row->attempts + 1, 0, NULL,
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
  if (outbox->owner_fd >= 0)
    close (outbox->owner_fd);   /* releases the flock */
  g_mutex_clear (&outbox->lock);
  g_cond_clear (&outbox->cond);
  g_free (outbox->path);
  g_free (outbox);
}

/* ---- inspecting and managing (fa_outbox_open_existing) ---------------- */

static const struct {
  FaOutboxStates state;
  const gchar *name;
} state_names[] = {
  { FA_OUTBOX_STATE_PENDING, "pending" },
  { FA_OUTBOX_STATE_DELIVERED, "delivered" },
  { FA_OUTBOX_STATE_FAILED, "failed" },
};

FaOutboxStates
fa_outbox_state_from_name (const gchar *name)
{
  if (g_strcmp0 (name, "all") == 0)
    return FA_OUTBOX_STATE_ALL;
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (name, state_names[i].name) == 0)
      return state_names[i].state;
  return 0;
}

const gchar *
fa_outbox_state_name (FaOutboxStates state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (state == state_names[i].state)
      return state_names[i].name;
  return state == FA_OUTBOX_STATE_ALL ? "all" : "unknown";
}

void
fa_outbox_alert_free (FaOutboxAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->id);
  g_free (alert->camera);
  g_free (alert->topic_arn);
  g_free (alert->phone_number);
  g_free (alert->subject);
  g_free (alert->message);
  g_strfreev (alert->attributes);
  g_free (alert->deduplication_id);
  g_free (alert->group_id);
  g_free (alert->message_id);
  g_free (alert->last_error);
  g_free (alert->last_error_code);
  g_free (alert);
}

static gboolean
sql_failed (FaOutbox *outbox, int rc, const gchar *what, GError **error)
{
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "outbox %s stayed locked for "
        "%d s while %s; try again", outbox->path, ADMIN_BUSY_TIMEOUT_MS / 1000, what);
  else
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "outbox %s: cannot %s: %s",
        outbox->path, what, sqlite3_errmsg (outbox->db));
  return FALSE;
}


static gboolean
alert_matches (const FaOutboxAlert *alert, const FaOutboxQuery *query)
{
  return query == NULL || query->camera == NULL
      || g_strcmp0 (alert->camera, query->camera) == 0;
}

/* Appends "state IN (...)" for @states (never empty) to @sql. */
static void
append_states (GString *sql, FaOutboxStates states)
{
  g_string_append (sql, "state IN (''");
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (states & state_names[i].state)
      g_string_append_printf (sql, ", '%s'", state_names[i].name);
  g_string_append (sql, ")");
}

GPtrArray *
fa_outbox_list (FaOutbox *outbox, const FaOutboxQuery *query, GError **error)
{
  FaOutboxStates states = query != NULL && query->states != 0
      ? query->states : FA_OUTBOX_STATE_ALL;
  g_autoptr (GString) sql = g_string_new ("SELECT " ALERT_COLUMNS
      " FROM alerts WHERE ");
  append_states (sql, states);
  if (query != NULL && query->since_us != 0)
    g_string_append (sql, " AND created_us >= :since");
  if (query != NULL && query->before_us != 0)
    g_string_append (sql, " AND created_us < :before");
  g_string_append (sql, " ORDER BY created_us DESC, seq DESC");

  GPtrArray *alerts = g_ptr_array_new_with_free_func
      ((GDestroyNotify) fa_outbox_alert_free);
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, sql->str, -1, &stmt, NULL);
  if (rc == SQLITE_OK && query != NULL) {
    int i = sqlite3_bind_parameter_index (stmt, ":since");
    if (i > 0)
      sqlite3_bind_int64 (stmt, i, query->since_us);
    i = sqlite3_bind_parameter_index (stmt, ":before");
    if (i > 0)
      sqlite3_bind_int64 (stmt, i, query->before_us);
  }
  /* One statement: a consistent snapshot even while an alertsink writes. */
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      break;
    FaOutboxAlert *alert = alert_from_row (stmt);
    if (!alert_matches (alert, query)) {
      fa_outbox_alert_free (alert);
      continue;
    }
    g_ptr_array_add (alerts, alert);
    if (query != NULL && query->limit > 0 && alerts->len >= query->limit) {
      rc = SQLITE_DONE;
      break;
    }
  }
  if (rc != SQLITE_DONE) {
    sql_failed (outbox, rc, "listing alerts", error);
    g_clear_pointer (&alerts, g_ptr_array_unref);
  }
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  return alerts;
}

FaOutboxAlert *
fa_outbox_get (FaOutbox *outbox, const gchar *id, GError **error)
{
  if (id == NULL || strlen (id) < 4) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "alert id \"%s\" "
        "is too short: give the id, or at least its first 4 characters",
        id != NULL ? id : "");
    return NULL;
  }
  FaOutboxAlert *found = NULL;
  guint matches = 0;
  g_mutex_lock (&outbox->lock);
  sqlite3_stmt *stmt = NULL;
  /* An exact id first (fast, and never ambiguous), else a prefix. */
  int rc = sqlite3_prepare_v2 (outbox->db, "SELECT " ALERT_COLUMNS
      " FROM alerts WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1"
      " ORDER BY id = ?1 DESC LIMIT 2", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      break;
    FaOutboxAlert *alert = alert_from_row (stmt);
    if (matches++ == 0)
      found = alert;
    else {
      if (g_str_equal (found->id, id))
        matches = 1;       /* the exact id wins */
      fa_outbox_alert_free (alert);
      rc = SQLITE_DONE;
      break;
    }
  }
  if (rc != SQLITE_DONE)
    sql_failed (outbox, rc, "reading an alert", error);
  sqlite3_finalize (stmt);
  g_mutex_unlock (&outbox->lock);
  if (rc != SQLITE_DONE) {
    fa_outbox_alert_free (found);
    return NULL;
  }
  if (matches == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no alert %s in outbox %s",
        id, outbox->path);
    return NULL;
  }
  if (matches > 1) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "alert id prefix "
        "\"%s\" matches several alerts in %s: give more characters", id,
        outbox->path);
    fa_outbox_alert_free (found);
    return NULL;
  }
  return found;
}

/* With the lock held, inside a transaction. */
static gboolean
requeue_row (FaOutbox *outbox, const gchar *id, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "UPDATE alerts SET state = 'pending',"
      " next_attempt_us = 0 WHERE id = ? AND state IN ('pending', 'failed')",
      -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return sql_failed (outbox, rc, "requeuing an alert", error);
  return TRUE;
}

static gboolean
begin (FaOutbox *outbox, GError **error)
{
  int rc = sqlite3_exec (outbox->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  return rc == SQLITE_OK || sql_failed (outbox, rc, "starting a transaction", error);
}

static gboolean
commit (FaOutbox *outbox, gboolean ok, GError **error)
{
  if (!ok) {
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    return FALSE;
  }
  int rc = sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    sql_failed (outbox, rc, "committing", error);
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    return FALSE;
  }
  g_cond_broadcast (&outbox->cond);   /* a worker in this process, if any */
  return TRUE;
}

gboolean
fa_outbox_requeue (FaOutbox *outbox, const gchar *id, FaOutboxStates *previous,
    GError **error)
{
  g_mutex_lock (&outbox->lock);
  gboolean ok = begin (outbox, error);
  if (ok) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, "SELECT state, message_id FROM"
        " alerts WHERE id = ?", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
    FaOutboxStates state = rc == SQLITE_ROW ? fa_outbox_state_from_name
        ((const gchar *) sqlite3_column_text (stmt, 0)) : 0;
    if (rc == SQLITE_DONE) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no alert %s in outbox %s",
          id, outbox->path);
      ok = FALSE;
    } else if (rc != SQLITE_ROW) {
      ok = sql_failed (outbox, rc, "reading an alert", error);
    } else if (state == FA_OUTBOX_STATE_DELIVERED) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "alert %s was "
          "already delivered (MessageId %s): a delivered alert is never sent "
          "again", id, (const gchar *) sqlite3_column_text (stmt, 1));
      ok = FALSE;
    }
    sqlite3_finalize (stmt);
    if (ok && previous != NULL)
      *previous = state;
    ok = commit (outbox, ok && requeue_row (outbox, id, error), error);
  }
  g_mutex_unlock (&outbox->lock);
  return ok;
}

gint
fa_outbox_requeue_failed (FaOutbox *outbox, const gchar *camera, GError **error)
{
  gint count = 0;
  g_mutex_lock (&outbox->lock);
  gboolean ok = begin (outbox, error);
  if (ok) {
    /* The camera is an attribute: decide in C, change by id. */
    g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, "SELECT " ALERT_COLUMNS
        " FROM alerts WHERE state = 'failed' ORDER BY seq", -1, &stmt, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        break;
      g_autoptr (FaOutboxAlert) alert = alert_from_row (stmt);
      FaOutboxQuery query = { .camera = camera };
      if (alert_matches (alert, &query))
        g_ptr_array_add (ids, g_steal_pointer (&alert->id));
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      ok = sql_failed (outbox, rc, "listing failed alerts", error);
    for (guint i = 0; ok && i < ids->len; i++)
      ok = requeue_row (outbox, g_ptr_array_index (ids, i), error);
    ok = commit (outbox, ok, error);
    count = ids->len;
  }
  g_mutex_unlock (&outbox->lock);
  return ok ? count : -1;
}

gint
fa_outbox_purge (FaOutbox *outbox, FaOutboxStates states, gint64 before_us,
    GError **error)
{
  if (states == 0 || (states & FA_OUTBOX_STATE_PENDING) != 0
      || (states & ~FA_OUTBOX_STATE_ALL) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "only delivered "
        "and failed alerts can be purged (pending ones are still to be sent)");
    return -1;
  }
  g_autoptr (GString) sql = g_string_new ("DELETE FROM alerts WHERE ");
  append_states (sql, states);
  g_string_append (sql, " AND created_us < ?");
  gint count = 0;
  g_mutex_lock (&outbox->lock);
  gboolean ok = begin (outbox, error);
  if (ok) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, sql->str, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64 (stmt, 1, before_us);
      rc = sqlite3_step (stmt);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      ok = sql_failed (outbox, rc, "purging alerts", error);
    else
      count = sqlite3_changes (outbox->db);
    ok = commit (outbox, ok, error);
  }
  g_mutex_unlock (&outbox->lock);
  return ok ? count : -1;
}
