/* facealert: inspecting and managing an outbox (fa_outbox_open_existing:
 * the `facealert alerts` CLI, `facealert serve`). See fa-outbox.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-outbox"
#include "fa-outbox-private.h"
#include "fa-error.h"

#include <string.h>

static gboolean
alert_matches (const FaOutboxAlert *alert, const FaOutboxQuery *query)
{
  return query == NULL || query->camera == NULL
      || g_strcmp0 (alert->camera, query->camera) == 0;
}

/* Appends "COLUMN IN (...)" for @states (never empty) to @sql. */
static void
append_states (GString *sql, const gchar *column, FaOutboxStates states)
{
  static const FaOutboxStates each[] = { FA_OUTBOX_STATE_PENDING,
    FA_OUTBOX_STATE_DELIVERED, FA_OUTBOX_STATE_FAILED };
  g_string_append_printf (sql, "%s IN (''", column);
  for (guint i = 0; i < G_N_ELEMENTS (each); i++)
    if (states & each[i])
      g_string_append_printf (sql, ", '%s'", fa_outbox_state_name (each[i]));
  g_string_append (sql, ")");
}

GPtrArray *
fa_outbox_list (FaOutbox *outbox, const FaOutboxQuery *query, GError **error)
{
  FaOutboxStates states = query != NULL && query->states != 0
      ? query->states : FA_OUTBOX_STATE_ALL;
  g_autoptr (GString) sql = g_string_new ("SELECT " FA_OUTBOX_ALERT_COLUMNS
      " FROM alerts WHERE ");
  if (query != NULL && query->target != NULL) {
    g_string_append (sql, "seq IN (SELECT seq FROM deliveries WHERE"
        " target = :target AND ");
    append_states (sql, "state", states);
    g_string_append (sql, ")");
  } else {
    append_states (sql, "alerts.state", states);
  }
  if (query != NULL && query->since_us != 0)
    g_string_append (sql, " AND created_us >= :since");
  if (query != NULL && query->before_us != 0)
    g_string_append (sql, " AND created_us < :before");
  g_string_append (sql, " ORDER BY created_us DESC, seq DESC");

  GPtrArray *alerts = g_ptr_array_new_with_free_func
      ((GDestroyNotify) fa_outbox_alert_free);
  g_mutex_lock (&outbox->lock);
  /* One read transaction: a consistent snapshot of alerts and their
   * deliveries even while an alertsink writes. */
  sqlite3_exec (outbox->db, "BEGIN", NULL, NULL, NULL);
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, sql->str, -1, &stmt, NULL);
  if (rc == SQLITE_OK && query != NULL) {
    int i = sqlite3_bind_parameter_index (stmt, ":since");
    if (i > 0)
      sqlite3_bind_int64 (stmt, i, query->since_us);
    i = sqlite3_bind_parameter_index (stmt, ":before");
    if (i > 0)
      sqlite3_bind_int64 (stmt, i, query->before_us);
    i = sqlite3_bind_parameter_index (stmt, ":target");
    if (i > 0)
      sqlite3_bind_text (stmt, i, query->target, -1, SQLITE_TRANSIENT);
  }
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      break;
    FaOutboxAlert *alert = fa_outbox_db_alert_from_row (outbox, stmt, NULL);
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
    fa_outbox_db_failed (outbox, rc, "listing alerts", error);
    g_clear_pointer (&alerts, g_ptr_array_unref);
  }
  sqlite3_finalize (stmt);
  sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL);
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
  sqlite3_exec (outbox->db, "BEGIN", NULL, NULL, NULL);
  sqlite3_stmt *stmt = NULL;
  /* An exact id first (fast, and never ambiguous), else a prefix. */
  int rc = sqlite3_prepare_v2 (outbox->db, "SELECT " FA_OUTBOX_ALERT_COLUMNS
      " FROM alerts WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1"
      " ORDER BY id = ?1 DESC LIMIT 2", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_ROW)
      break;
    FaOutboxAlert *alert = fa_outbox_db_alert_from_row (outbox, stmt, NULL);
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
    fa_outbox_db_failed (outbox, rc, "reading an alert", error);
  sqlite3_finalize (stmt);
  sqlite3_exec (outbox->db, "COMMIT", NULL, NULL, NULL);
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

/* With the lock held, inside a transaction: the failed and pending
 * deliveries of alert @seq are due now; delivered ones stay. */
static gboolean
requeue_row (FaOutbox *outbox, gint64 seq, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (outbox->db, "UPDATE deliveries SET state = 'pending',"
      " next_attempt_us = 0 WHERE seq = ? AND state IN ('pending', 'failed')",
      -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64 (stmt, 1, seq);
    rc = sqlite3_step (stmt);
  }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || !fa_outbox_db_refresh_alert (outbox, seq))
    return fa_outbox_db_failed (outbox, rc == SQLITE_DONE
        ? sqlite3_errcode (outbox->db) : rc, "requeuing an alert", error);
  return TRUE;
}

/* After a change: wakes a worker of this process, if any. */
static gboolean
commit (FaOutbox *outbox, gboolean ok, GError **error)
{
  ok = fa_outbox_db_commit (outbox, ok, error);
  if (ok)
    g_cond_broadcast (&outbox->cond);
  return ok;
}

gboolean
fa_outbox_requeue (FaOutbox *outbox, const gchar *id, FaOutboxStates *previous,
    GError **error)
{
  g_mutex_lock (&outbox->lock);
  gboolean ok = fa_outbox_db_begin (outbox, error);
  if (ok) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, "SELECT state, message_id, seq FROM"
        " alerts WHERE id = ?", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
    FaOutboxStates state = rc == SQLITE_ROW ? fa_outbox_state_from_name
        ((const gchar *) sqlite3_column_text (stmt, 0)) : 0;
    gint64 seq = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 2) : 0;
    if (rc == SQLITE_DONE) {
      g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no alert %s in outbox %s",
          id, outbox->path);
      ok = FALSE;
    } else if (rc != SQLITE_ROW) {
      ok = fa_outbox_db_failed (outbox, rc, "reading an alert", error);
    } else if (state == FA_OUTBOX_STATE_DELIVERED) {
      const gchar *receipt = (const gchar *) sqlite3_column_text (stmt, 1);
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "alert %s was "
          "already delivered (MessageId %s): a delivered alert is never sent "
          "again", id, receipt != NULL ? receipt : "-");
      ok = FALSE;
    }
    sqlite3_finalize (stmt);
    if (ok && previous != NULL)
      *previous = state;
    ok = commit (outbox, ok && requeue_row (outbox, seq, error), error);
  }
  g_mutex_unlock (&outbox->lock);
  return ok;
}

gint
fa_outbox_requeue_failed (FaOutbox *outbox, const gchar *camera, GError **error)
{
  gint count = 0;
  g_mutex_lock (&outbox->lock);
  gboolean ok = fa_outbox_db_begin (outbox, error);
  if (ok) {
    /* The camera is an attribute: decide in C, change by row. */
    g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, "SELECT " FA_OUTBOX_ALERT_COLUMNS
        " FROM alerts WHERE seq IN (SELECT seq FROM deliveries WHERE"
        " state = 'failed') ORDER BY seq", -1, &stmt, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        break;
      gint64 seq;
      g_autoptr (FaOutboxAlert) alert = fa_outbox_db_alert_from_row (outbox,
          stmt, &seq);
      FaOutboxQuery query = { .camera = camera };
      if (alert_matches (alert, &query))
        g_array_append_val (seqs, seq);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      ok = fa_outbox_db_failed (outbox, rc, "listing failed alerts", error);
    for (guint i = 0; ok && i < seqs->len; i++)
      ok = requeue_row (outbox, g_array_index (seqs, gint64, i), error);
    ok = commit (outbox, ok, error);
    count = seqs->len;
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
  g_autoptr (GString) where = g_string_new (NULL);
  append_states (where, "state", states);
  g_string_append (where, " AND created_us < ?");
  g_autofree gchar *deliveries = g_strdup_printf ("DELETE FROM deliveries"
      " WHERE seq IN (SELECT seq FROM alerts WHERE %s)", where->str);
  g_autofree gchar *alerts = g_strdup_printf ("DELETE FROM alerts WHERE %s",
      where->str);
  const gchar *statements[] = { deliveries, alerts };
  gint count = 0;
  g_mutex_lock (&outbox->lock);
  gboolean began = fa_outbox_db_begin (outbox, error), ok = began;
  for (guint i = 0; ok && i < G_N_ELEMENTS (statements); i++) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2 (outbox->db, statements[i], -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64 (stmt, 1, before_us);
      rc = sqlite3_step (stmt);
    }
    sqlite3_finalize (stmt);
    if (rc != SQLITE_DONE)
      ok = fa_outbox_db_failed (outbox, rc, "purging alerts", error);
    else
      count = sqlite3_changes (outbox->db);
  }
  if (began)
    ok = commit (outbox, ok, error);
  g_mutex_unlock (&outbox->lock);
  return ok ? count : -1;
}
