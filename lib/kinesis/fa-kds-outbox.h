/* facealert: a durable outbox of Kinesis records on SQLite (kdssink).
 *
 * fa_kds_outbox_add() commits the record (WAL, synchronous=FULL) before it
 * returns. The outbox is attached to a sender (fa-kds-sender.h: one thread
 * per endpoint and credentials in the process, shared by every outbox of
 * the process that sends there, e.g. a node's cameras), which sends pending
 * records with PutRecords, in batches of up to 500 records / 5 MiB across
 * the outboxes, and deletes each one Kinesis acknowledged.
 * Records that failed (ErrorCode ProvisionedThroughputExceededException,
 * InternalFailure; or the whole request: network, 5xx, throttling) are
 * retried alone, after an exponential backoff with jitter; records whose
 * error is permanent (access denied, KMS disabled...) are kept as failed and
 * not retried. A request-level permanent error (no such stream, bad
 * credentials) keeps every record pending and retries at the longest
 * backoff: nothing is lost until the configuration is fixed.
 *
 * Order per partition key (per stream): PutRecords does not keep the order
 * of the records of one request when some of them fail (a later record can
 * land while an earlier one is throttled and retried), so a request carries
 * at most one record per partition key, and a key's next record is sent
 * only after Kinesis acknowledged the one before. Records of different keys
 * (cameras) share requests. A request whose outcome is unknown (a timeout
 * after sending, or an outbox closed while its records were in flight) is
 * sent again: Kinesis may then hold a record twice, next to each other in
 * its key's order (at-least-once, as every Kinesis producer).
 *
 * Records still pending when the process stops (or is killed) are sent
 * after the next fa_kds_outbox_attach(). The database file is created 0600 in
 * a 0700 directory; the process that delivers holds an flock() on PATH.lock,
 * so a second pipeline opening the same outbox gets a clear error. Only the
 * stream name, partition key and data are stored: never credentials.
 */
#pragma once

#include <glib.h>

#include "fa-kds-sender.h"
#include "fa-kinesis.h"

G_BEGIN_DECLS

typedef enum {
  FA_KDS_RECORD_QUEUED,     /* committed */
  FA_KDS_RECORD_DELIVERED,  /* acknowledged (sequence_number, shard_id); deleted */
  FA_KDS_RECORD_RETRYING,   /* a retryable failure (error); retry_in_us */
  FA_KDS_RECORD_FAILED,     /* a permanent failure (error); kept, not retried */
} FaKdsRecordState;

typedef struct {
  gint64 seq;               /* the record's number in this outbox (1, 2, ...) */
  FaKdsRecordState state;
  const gchar *stream;
  const gchar *partition_key;
  const gchar *sequence_number;
  const gchar *shard_id;
  const GError *error;
  guint attempts;
  gint64 retry_in_us;
  gint64 queued_us;         /* real time the record was committed */
  gint64 delivered_us;      /* real time Kinesis acknowledged it */
} FaKdsOutboxEvent;

/* Called from the sender's thread (or the fa_kds_outbox_add() caller for
 * QUEUED), without any outbox lock held. */
typedef void (*FaKdsOutboxNotify) (const FaKdsOutboxEvent *event,
    gpointer user_data);

FaKdsOutbox *fa_kds_outbox_open (const gchar *path, GError **error);
/* Detaches from the sender and closes the file at once (the outcome of a
 * request in flight with its records is not recorded: they are sent again). */
void fa_kds_outbox_close (FaKdsOutbox *outbox);
const gchar *fa_kds_outbox_get_path (FaKdsOutbox *outbox);

void fa_kds_outbox_set_notify (FaKdsOutbox *outbox, FaKdsOutboxNotify notify,
    gpointer user_data);
/* Backoff: first retry after @initial_us, doubling up to @max_us. */
void fa_kds_outbox_set_backoff (FaKdsOutbox *outbox, gint64 initial_us,
    gint64 max_us);

/* Delivers through @sender (referenced until close). Pending records go out
 * at once. */
void fa_kds_outbox_attach (FaKdsOutbox *outbox, FaKdsSender *sender);

/* Commits a record (checked against the API limits first:
 * FA_ERROR_INVALID_ARGUMENT); FA_ERROR_IO on a write failure (full disk).
 * *@seq (optional) is its number. */
gboolean fa_kds_outbox_add (FaKdsOutbox *outbox, const gchar *stream,
    const gchar *partition_key, const void *data, gsize size, gint64 *seq,
    GError **error);

/* Records waiting to be sent, and records that failed for good. */
guint fa_kds_outbox_count_pending (FaKdsOutbox *outbox);
guint fa_kds_outbox_count_failed (FaKdsOutbox *outbox);

/* Waits until nothing is pending, at most @timeout_us, or until
 * fa_kds_outbox_set_flushing (TRUE), or at once when no sender is attached.
 * Returns TRUE when nothing is pending. */
gboolean fa_kds_outbox_wait_idle (FaKdsOutbox *outbox, gint64 timeout_us);
void fa_kds_outbox_set_flushing (FaKdsOutbox *outbox, gboolean flushing);

G_END_DECLS
