/* facealert: the outbox's SQLite schema, its upgrade and its rows.
 *
 * Version 0 (before delivery targets): one row per alert in `alerts`, whose
 * state, attempts, next_attempt_us, message_id, last_error and delivered_us
 * were those of its one SNS publish. Version 1 keeps that table (so those
 * columns now describe the alert as a whole, kept up to date from its
 * deliveries, and older readers still see the right state) and adds
 * `payload`, `last_error_code` and the table `deliveries`: one row per
 * alert and target. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-outbox"
#include "fa-outbox-private.h"
#include "fa-error.h"
#include "fa-sns-notifier.h"

#include <string.h>

#define SCHEMA_VERSION 1

static const gchar *alerts_v0 =
    "CREATE TABLE alerts ("
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
    "CREATE INDEX alerts_state ON alerts (state, seq);";

static const gchar *upgrade_to_v1 =
    "ALTER TABLE alerts ADD COLUMN payload TEXT;"
    "ALTER TABLE alerts ADD COLUMN last_error_code TEXT;"
    "CREATE TABLE deliveries ("
    "  seq INTEGER NOT NULL,"          /* alerts.seq */
    "  target TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending',"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_us INTEGER NOT NULL DEFAULT 0,"
    "  receipt TEXT, last_error TEXT, last_error_code TEXT, delivered_us INTEGER,"
    "  PRIMARY KEY (seq, target));"
    "CREATE INDEX deliveries_pending ON deliveries (target, state, seq);"
    /* Every alert so far had one target: SNS. */
    "INSERT INTO deliveries (seq, target, state, attempts, next_attempt_us,"
    "  receipt, last_error, delivered_us)"
    "  SELECT seq, 'sns', state, attempts, next_attempt_us, message_id,"
    "  last_error, delivered_us FROM alerts;"
    "PRAGMA user_version = 1;";

gboolean
fa_outbox_db_failed (FaOutbox *outbox, int rc, const gchar *what, GError **error)
{
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "outbox %s stayed locked "
        "for %d s while %s; try again", outbox->path,
        FA_OUTBOX_ADMIN_BUSY_TIMEOUT_MS / 1000, what);
  else
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "outbox %s: cannot %s: %s",
        outbox->path, what, sqlite3_errmsg (outbox->db));
  return FALSE;
}

gboolean
fa_outbox_db_exec (FaOutbox *outbox, const gchar *sql, GError **error)
{
  char *message = NULL;
  if (sqlite3_exec (outbox->db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  int rc = sqlite3_errcode (outbox->db);
  g_set_error (error, FA_ERROR, rc == SQLITE_BUSY || rc == SQLITE_LOCKED
      ? FA_ERROR_BUSY : FA_ERROR_IO, "outbox %s: %s%s", outbox->path,
      message != NULL ? message : sqlite3_errmsg (outbox->db),
      rc == SQLITE_BUSY ? " (is another pipeline using this outbox? give "
      "each alertsink its own outbox location)" : "");
  sqlite3_free (message);
  return FALSE;
}

gboolean
fa_outbox_db_open (FaOutbox *outbox, GError **error)
{
  if (sqlite3_open_v2 (outbox->path, &outbox->db, SQLITE_OPEN_READWRITE
          | SQLITE_OPEN_FULLMUTEX, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot open outbox %s: %s",
      outbox->path, outbox->db != NULL ? sqlite3_errmsg (outbox->db) : "out of memory");
  return FALSE;
}

static gint
query_int (FaOutbox *outbox, const gchar *sql, int *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  gint value = -1;
  int rc = sqlite3_prepare_v2 (outbox->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc_out != NULL)
    *rc_out = rc;
  return value;
}

gboolean
fa_outbox_db_begin (FaOutbox *outbox, GError **error)
{
  int rc = sqlite3_exec (outbox->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  return rc == SQLITE_OK
      || fa_outbox_db_failed (outbox, rc, "starting a transaction", error);
}

gboolean
fa_outbox_db_commit (FaOutbox *outbox, gboolean ok, GError **error)
{
  if (!ok) {
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    return FALSE;
  }
  int rc = sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    fa_outbox_db_failed (outbox, rc, "committing", error);
    sqlite3_exec (outbox->db, "ROLLBACK", NULL, NULL, NULL);
    return FALSE;
  }
  return TRUE;
}

gboolean
fa_outbox_db_prepare (FaOutbox *outbox, gboolean create, GError **error)
{
  if (!fa_outbox_db_begin (outbox, error))
    return FALSE;
  int rc;
  gint has_alerts = query_int (outbox, "SELECT COUNT(*) FROM sqlite_master"
      " WHERE type = 'table' AND name = 'alerts'", &rc);
  gint version = query_int (outbox, "PRAGMA user_version", NULL);
  gboolean ok = rc == SQLITE_ROW
      || fa_outbox_db_failed (outbox, rc, "reading its schema", error);
  if (ok && has_alerts == 0 && !create) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT,
        "%s is not a facealert outbox", outbox->path);
    ok = FALSE;
  }
  if (ok && version > SCHEMA_VERSION) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "outbox %s was written by "
        "a newer facealert (schema %d; this one knows %d): upgrade facealert",
        outbox->path, version, SCHEMA_VERSION);
    ok = FALSE;
  }
  if (ok && has_alerts == 0)
    ok = fa_outbox_db_exec (outbox, alerts_v0, error);
  if (ok && version < 1) {
    g_debug ("outbox %s: upgrading to per-target deliveries", outbox->path);
    ok = fa_outbox_db_exec (outbox, upgrade_to_v1, error);
  }
  return fa_outbox_db_commit (outbox, ok, error);
}

static gchar *
column_dup (sqlite3_stmt *stmt, int i)
{
  const unsigned char *text = sqlite3_column_text (stmt, i);
  return text != NULL ? g_strdup ((const gchar *) text) : NULL;
}

/* A stored code, else one read back from an SNS client's message (alerts
 * stored before codes were). */
static gchar *
error_code_of (sqlite3_stmt *stmt, int code_column, const gchar *message)
{
  gchar *code = column_dup (stmt, code_column);
  return code != NULL ? code : fa_sns_error_code (message);
}

static void
delivery_free (FaOutboxDelivery *d)
{
  g_free (d->target);
  g_free (d->receipt);
  g_free (d->last_error);
  g_free (d->last_error_code);
  g_free (d);
}

static GPtrArray *
load_deliveries (FaOutbox *outbox, gint64 seq)
{
  GPtrArray *deliveries = g_ptr_array_new_with_free_func
      ((GDestroyNotify) delivery_free);
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2 (outbox->db, "SELECT target, state, attempts,"
          " next_attempt_us, receipt, last_error, last_error_code, delivered_us"
          " FROM deliveries WHERE seq = ? ORDER BY rowid", -1, &stmt,
          NULL) == SQLITE_OK) {
    sqlite3_bind_int64 (stmt, 1, seq);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
      FaOutboxDelivery *d = g_new0 (FaOutboxDelivery, 1);
      d->target = column_dup (stmt, 0);
      d->state = fa_outbox_state_from_name ((const gchar *)
          sqlite3_column_text (stmt, 1));
      d->attempts = sqlite3_column_int (stmt, 2);
      d->next_attempt_us = sqlite3_column_int64 (stmt, 3);
      d->receipt = column_dup (stmt, 4);
      d->last_error = column_dup (stmt, 5);
      d->last_error_code = error_code_of (stmt, 6, d->last_error);
      d->delivered_us = sqlite3_column_int64 (stmt, 7);
      g_ptr_array_add (deliveries, d);
    }
  }
  sqlite3_finalize (stmt);
  return deliveries;
}

FaOutboxAlert *
fa_outbox_db_alert_from_row (FaOutbox *outbox, sqlite3_stmt *stmt, gint64 *seq)
{
  FaOutboxAlert *alert = g_new0 (FaOutboxAlert, 1);
  gint64 row = sqlite3_column_int64 (stmt, 0);
  alert->id = column_dup (stmt, 1);
  alert->state = fa_outbox_state_from_name ((const gchar *)
      sqlite3_column_text (stmt, 2));
  alert->created_us = sqlite3_column_int64 (stmt, 3);
  alert->attempts = sqlite3_column_int (stmt, 4);
  alert->next_attempt_us = sqlite3_column_int64 (stmt, 5);
  alert->topic_arn = column_dup (stmt, 6);
  alert->phone_number = column_dup (stmt, 7);
  alert->subject = column_dup (stmt, 8);
  alert->message = column_dup (stmt, 9);
  alert->json_structure = sqlite3_column_int (stmt, 10);
  const gchar *attributes = (const gchar *) sqlite3_column_text (stmt, 11);
  alert->attributes = attributes != NULL && *attributes != '\0'
      ? g_strsplit (attributes, FA_OUTBOX_ATTR_SEP, -1) : NULL;
  alert->deduplication_id = column_dup (stmt, 12);
  alert->group_id = column_dup (stmt, 13);
  alert->message_id = column_dup (stmt, 14);
  alert->last_error = column_dup (stmt, 15);
  alert->delivered_us = sqlite3_column_int64 (stmt, 16);
  alert->payload = column_dup (stmt, 17);
  alert->last_error_code = error_code_of (stmt, 18, alert->last_error);
  for (guint i = 0; alert->attributes != NULL && alert->attributes[i] != NULL
      && alert->attributes[i + 1] != NULL; i += 2)
    if (g_str_equal (alert->attributes[i], "camera")) {
      alert->camera = g_strdup (alert->attributes[i + 1]);
      break;
    }
  if (alert->camera == NULL && alert->group_id != NULL)
    alert->camera = g_strdup (alert->group_id);
  alert->deliveries = load_deliveries (outbox, row);
  if (seq != NULL)
    *seq = row;
  return alert;
}

gboolean
fa_outbox_db_refresh_alert (FaOutbox *outbox, gint64 seq)
{
  g_autoptr (GPtrArray) deliveries = load_deliveries (outbox, seq);
  gboolean any_pending = FALSE, any_failed = FALSE;
  guint attempts = 0;
  gint64 next_us = G_MAXINT64, delivered_us = 0;
  const FaOutboxDelivery *receipt_of = NULL, *error_of = NULL;
  for (guint i = 0; i < deliveries->len; i++) {
    const FaOutboxDelivery *d = g_ptr_array_index (deliveries, i);
    attempts += d->attempts;
    if (d->state == FA_OUTBOX_STATE_PENDING) {
      any_pending = TRUE;
      next_us = MIN (next_us, d->next_attempt_us);
    } else if (d->state == FA_OUTBOX_STATE_FAILED) {
      any_failed = TRUE;
    } else {
      delivered_us = MAX (delivered_us, d->delivered_us);
      if (receipt_of == NULL || g_strcmp0 (d->target, FA_SNS_TARGET) == 0)
        receipt_of = d;
    }
    if (d->state != FA_OUTBOX_STATE_DELIVERED && d->last_error != NULL
        && error_of == NULL)
      error_of = d;
  }
  const gchar *state = any_pending ? "pending" : any_failed ? "failed" : "delivered";
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "UPDATE alerts SET state = ?,"
      " attempts = ?, next_attempt_us = ?, message_id = ?, last_error = ?,"
      " last_error_code = ?, delivered_us = ? WHERE seq = ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text (stmt, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int (stmt, 2, attempts);
    sqlite3_bind_int64 (stmt, 3, any_pending ? next_us : 0);
    sqlite3_bind_text (stmt, 4, receipt_of != NULL ? receipt_of->receipt : NULL,
        -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 5, error_of != NULL ? error_of->last_error : NULL,
        -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 6, error_of != NULL ? error_of->last_error_code
        : NULL, -1, SQLITE_TRANSIENT);
    if (!any_pending && !any_failed && delivered_us > 0)
      sqlite3_bind_int64 (stmt, 7, delivered_us);
    else
      sqlite3_bind_null (stmt, 7);
    sqlite3_bind_int64 (stmt, 8, seq);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

/* ---- states ------------------------------------------------------------ */

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
  g_free (alert->payload);
  if (alert->deliveries != NULL)
    g_ptr_array_unref (alert->deliveries);
  g_free (alert);
}
