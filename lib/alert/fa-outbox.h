/* facealert: a durable outbox of SNS messages on SQLite.
 *
 * fa_outbox_add() commits the message (WAL, synchronous=FULL) before it
 * returns; a worker thread publishes pending messages in order through an
 * FaSnsClient, retrying network errors and throttling with exponential
 * backoff (with jitter), and marks each one delivered (with its MessageId) or
 * failed (a permanent error: bad parameter, not found, bad signature).
 * Messages still pending when the process stops are sent after the next
 * fa_outbox_start(). Each message has a stable id: adding the same id twice
 * is a no-op, and on FIFO topics it is the MessageDeduplicationId, so a retry
 * whose first attempt did reach SNS never becomes a second delivery. A
 * delivered message is never sent again.
 *
 * The database file is created 0600 in a 0700 directory and locked
 * exclusively: a second process opening the same outbox gets a clear error.
 */
#pragma once

#include <glib.h>

#include "fa-sns.h"

G_BEGIN_DECLS

typedef struct _FaOutbox FaOutbox;

typedef enum {
  FA_OUTBOX_QUEUED,      /* committed */
  FA_OUTBOX_DELIVERED,   /* SNS accepted it (message_id set) */
  FA_OUTBOX_RETRYING,    /* a retryable failure (error set); retry_in_us */
  FA_OUTBOX_FAILED,      /* a permanent failure (error set); not retried */
} FaOutboxState;

typedef struct {
  const gchar *id;
  FaOutboxState state;
  const gchar *message_id;
  const GError *error;
  guint attempts;
  gint64 retry_in_us;
  gint64 queued_us;        /* real time the message was committed */
  gint64 delivered_us;     /* real time SNS accepted it */
} FaOutboxEvent;

/* Called from the worker thread (or the fa_outbox_add() caller for QUEUED),
 * without any outbox lock held. */
typedef void (*FaOutboxNotify) (const FaOutboxEvent *event, gpointer user_data);

FaOutbox *fa_outbox_open (const gchar *path, GError **error);
/* Stops the worker (an in-flight request is cancelled) and closes the file. */
void fa_outbox_close (FaOutbox *outbox);

void fa_outbox_set_notify (FaOutbox *outbox, FaOutboxNotify notify,
    gpointer user_data);
/* Backoff: first retry after @initial_us, doubling up to @max_us. */
void fa_outbox_set_backoff (FaOutbox *outbox, gint64 initial_us, gint64 max_us);

/* Starts the worker with @client (taken). Pending messages go out at once. */
void fa_outbox_start (FaOutbox *outbox, FaSnsClient *client);

/* Commits a message; returns FALSE with FA_ERROR_IO on a write failure.
 * *@added (optional) is FALSE when @id was already there. */
gboolean fa_outbox_add (FaOutbox *outbox, const gchar *id,
    const FaSnsMessage *message, gboolean *added, GError **error);

/* Number of messages in @state (QUEUED = pending). */
guint fa_outbox_count (FaOutbox *outbox, FaOutboxState state);

/* Waits until nothing is pending, at most @timeout_us, or until
 * fa_outbox_set_flushing (TRUE). Returns TRUE when nothing is pending. */
gboolean fa_outbox_wait_idle (FaOutbox *outbox, gint64 timeout_us);
void fa_outbox_set_flushing (FaOutbox *outbox, gboolean flushing);

G_END_DECLS
