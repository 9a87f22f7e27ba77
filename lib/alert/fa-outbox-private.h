/* facealert: the outbox's shared internals (fa-outbox.c delivers,
 * fa-outbox-admin.c manages, fa-outbox-db.c holds the schema and rows). */
#pragma once

#include "fa-outbox.h"

#include <sqlite3.h>

G_BEGIN_DECLS

#define FA_OUTBOX_ATTR_SEP "\x1f"
/* How long the management functions wait for a write lock held by a
 * running alertsink (its writes take milliseconds). */
#define FA_OUTBOX_ADMIN_BUSY_TIMEOUT_MS 10000

typedef struct _FaOutboxWorker FaOutboxWorker;

struct _FaOutbox {
  gchar *path;
  sqlite3 *db;
  int owner_fd;           /* PATH.lock, flock()ed by the delivering process; -1 */
  GMutex lock;            /* the connection and everything below */
  GCond cond;             /* for the workers: work added or due, stop */
  GCond idle_cond;        /* for fa_outbox_wait_idle(): a delivery made or
                           * given up, a worker idle, flushing. Two conditions,
                           * or idle workers would wake each other forever. */
  GPtrArray *workers;     /* FaOutboxWorker*, one per started target */
  gboolean stop;
  gboolean flushing;
  gint64 backoff_initial_us;
  gint64 backoff_max_us;
  FaOutboxNotify notify;
  gpointer notify_data;
};

/* The columns fa_outbox_db_alert_from_row() reads, from table alerts. */
#define FA_OUTBOX_ALERT_COLUMNS "alerts.seq, id, alerts.state, created_us," \
  " alerts.attempts, alerts.next_attempt_us, topic_arn, phone_number, subject," \
  " message, json_structure, attributes, dedup_id, group_id, message_id," \
  " alerts.last_error, alerts.delivered_us, payload, alerts.last_error_code"

/* Opens outbox->path (which exists) for reading and writing. */
gboolean fa_outbox_db_open (FaOutbox *outbox, GError **error);
gboolean fa_outbox_db_exec (FaOutbox *outbox, const gchar *sql, GError **error);
/* Creates the tables (@create, an empty file) or upgrades an older outbox
 * to per-target deliveries, in one transaction. */
gboolean fa_outbox_db_prepare (FaOutbox *outbox, gboolean create, GError **error);

/* One row of FA_OUTBOX_ALERT_COLUMNS, with its deliveries (read with the
 * same connection). *@seq (optional) is its row number. */
FaOutboxAlert *fa_outbox_db_alert_from_row (FaOutbox *outbox, sqlite3_stmt *stmt,
    gint64 *seq);
/* Recomputes the alert-wide columns of alert @seq from its deliveries. */
gboolean fa_outbox_db_refresh_alert (FaOutbox *outbox, gint64 seq);

gboolean fa_outbox_db_begin (FaOutbox *outbox, GError **error);
/* Commits when @ok, else rolls back; FALSE when it did not commit. */
gboolean fa_outbox_db_commit (FaOutbox *outbox, gboolean ok, GError **error);
/* Sets @error for SQLite result @rc while doing @what; returns FALSE. */
gboolean fa_outbox_db_failed (FaOutbox *outbox, int rc, const gchar *what,
    GError **error);

G_END_DECLS
