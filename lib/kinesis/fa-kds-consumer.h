/* facealert: reading a Kinesis data stream as AWS Lambda's event source
 * mapping does (`facealert consume`).
 *
 * Every shard is read (ListShards, GetShardIterator, GetRecords), from its
 * checkpoint on (AFTER_SEQUENCE_NUMBER), else from the oldest record
 * (TRIM_HORIZON) or, when asked, from new records only (LATEST). A batch
 * holds records of one shard in sequence order; shards take turns. A shard
 * whose parents (after a reshard) are not read to their end waits, so a
 * partition key's records are given in order across a reshard too.
 *
 * The caller handles a batch, then commits it: the checkpoint moves past
 * its last record. Until then fa_kds_consumer_next() is not called again:
 * a batch whose handler failed is handled again, never skipped.
 */
#pragma once

#include <glib.h>

#include "fa-kds-checkpoint.h"
#include "fa-kinesis.h"

G_BEGIN_DECLS

typedef struct {
  gchar *sequence_number;
  gchar *partition_key;
  GBytes *data;
  gdouble arrival;            /* ApproximateArrivalTimestamp, epoch seconds */
} FaKdsReceived;

typedef struct {
  gchar *shard_id;
  GPtrArray *records;         /* FaKdsReceived*, in sequence order, at least one */
  gboolean shard_ends;        /* the shard is closed and these are its last */
  gchar *next_iterator;       /* private */
} FaKdsBatch;

void fa_kds_batch_free (FaKdsBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaKdsBatch, fa_kds_batch_free)

typedef struct {
  const gchar *stream;
  guint batch_size;                 /* records per batch, 1..10000 */
  gboolean start_at_latest;         /* shards without a checkpoint: new records only */
  const gchar *const *shards;       /* only these shard ids (NULL: every shard) */
} FaKdsConsumerConfig;

typedef struct _FaKdsConsumer FaKdsConsumer;

/* @client is taken; @checkpoints is borrowed (it outlives the consumer).
 * No request is made yet. */
FaKdsConsumer *fa_kds_consumer_new (FaKinesisClient *client,
    FaKdsCheckpoints *checkpoints, const FaKdsConsumerConfig *config);
void fa_kds_consumer_free (FaKdsConsumer *consumer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaKdsConsumer, fa_kds_consumer_free)

/* The next batch, or NULL: with @error set (fa_kinesis_error_is_retryable()
 * tells whether to wait and call again; FA_ERROR_NOT_FOUND: no such stream),
 * or without when every shard is read up to date (wait, then call again). */
FaKdsBatch *fa_kds_consumer_next (FaKdsConsumer *consumer, GError **error);
/* @batch was handled: commits the checkpoint after its last record. */
gboolean fa_kds_consumer_commit (FaKdsConsumer *consumer, FaKdsBatch *batch,
    GError **error);

/* Known after the first fa_kds_consumer_next(): the stream's ARN. */
const gchar *fa_kds_consumer_get_stream_arn (FaKdsConsumer *consumer);
/* Shards being read (known after the first call), and how many of them. */
guint fa_kds_consumer_count_shards (FaKdsConsumer *consumer);

/* The AWS Lambda Kinesis event for @batch:
 * {"Records": [{"kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey",
 * "sequenceNumber", "data" (base64), "approximateArrivalTimestamp"},
 * "eventSource": "aws:kinesis", "eventVersion": "1.0", "eventID":
 * "SHARD:SEQUENCE", "eventName": "aws:kinesis:record", "invokeIdentityArn",
 * "awsRegion", "eventSourceARN"}]} as compact JSON. @identity_arn NULL:
 * arn:aws:iam::ACCOUNT:role/facealert-consume (ACCOUNT from @stream_arn). */
gchar *fa_kds_lambda_event (const gchar *stream_arn, const gchar *region,
    const gchar *identity_arn, const FaKdsBatch *batch);

G_END_DECLS
