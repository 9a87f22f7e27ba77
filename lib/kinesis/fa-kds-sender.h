/* facealert: the process's Kinesis senders.
 *
 * A sender is one thread that delivers the records of every outbox
 * (fa-kds-outbox.h) attached to it: the outboxes of the cameras of one node
 * that send to the same endpoint with the same credentials share one sender,
 * so a PutRecords request carries the due head record of every (stream,
 * partition key) across them, up to 500 records / 5 MiB, one stream per
 * request. fa_kds_sender_get() returns the existing sender for a client's
 * endpoint, region and credentials, or starts one; the last unref stops it
 * (an in-flight request is cancelled; its records stay pending).
 */
#pragma once

#include <glib.h>

#include "fa-kinesis.h"

G_BEGIN_DECLS

typedef struct _FaKdsOutbox FaKdsOutbox;
typedef struct _FaKdsSender FaKdsSender;

/* @client is taken (freed when a sender for it exists already). */
FaKdsSender *fa_kds_sender_get (FaKinesisClient *client);
FaKdsSender *fa_kds_sender_ref (FaKdsSender *sender);
void fa_kds_sender_unref (FaKdsSender *sender);

typedef struct {
  guint64 requests;     /* PutRecords requests made */
  guint64 records;      /* records they carried */
} FaKdsSenderStats;

void fa_kds_sender_get_stats (FaKdsSender *sender, FaKdsSenderStats *stats);

G_END_DECLS
