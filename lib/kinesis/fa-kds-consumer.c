/* facealert: a Lambda-style Kinesis reader. See fa-kds-consumer.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-kds-consumer"
#include "fa-kds-consumer.h"
#include "fa-error.h"

#include <string.h>

/* Shards are listed again this often (a reshard adds children). */
#define RELIST_US (60 * G_TIME_SPAN_SECOND)

typedef struct {
  gchar *id;
  gchar *parent;
  gchar *adjacent_parent;
  gchar *iterator;            /* NULL: ask for one */
  gchar *checkpoint;          /* last handled sequence number */
  gboolean ended;             /* read to its end */
} Shard;

struct _FaKdsConsumer {
  FaKinesisClient *client;
  FaKdsCheckpoints *checkpoints;
  gchar *stream;
  guint batch_size;
  gboolean start_at_latest;
  gchar **only;
  gchar *stream_arn;
  GPtrArray *shards;          /* Shard*, in ListShards order */
  guint turn;                 /* the shard to look at first */
  gint64 listed_us;
};

static void
shard_free (gpointer data)
{
  Shard *s = data;
  g_free (s->id);
  g_free (s->parent);
  g_free (s->adjacent_parent);
  g_free (s->iterator);
  g_free (s->checkpoint);
  g_free (s);
}

static void
received_free (gpointer data)
{
  FaKdsReceived *r = data;
  g_free (r->sequence_number);
  g_free (r->partition_key);
  g_bytes_unref (r->data);
  g_free (r);
}

void
fa_kds_batch_free (FaKdsBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->shard_id);
  g_ptr_array_unref (batch->records);
  g_free (batch->next_iterator);
  g_free (batch);
}

FaKdsConsumer *
fa_kds_consumer_new (FaKinesisClient *client, FaKdsCheckpoints *checkpoints,
    const FaKdsConsumerConfig *config)
{
  FaKdsConsumer *c = g_new0 (FaKdsConsumer, 1);
  c->client = client;
  c->checkpoints = checkpoints;
  c->stream = g_strdup (config->stream);
  c->batch_size = CLAMP (config->batch_size, 1, 10000);
  c->start_at_latest = config->start_at_latest;
  c->only = g_strdupv ((gchar **) config->shards);
  c->shards = g_ptr_array_new_with_free_func (shard_free);
  return c;
}

void
fa_kds_consumer_free (FaKdsConsumer *c)
{
  if (c == NULL)
    return;
  fa_kinesis_client_free (c->client);
  g_free (c->stream);
  g_strfreev (c->only);
  g_free (c->stream_arn);
  g_ptr_array_unref (c->shards);
  g_free (c);
}

const gchar *
fa_kds_consumer_get_stream_arn (FaKdsConsumer *c)
{
  return c->stream_arn;
}

guint
fa_kds_consumer_count_shards (FaKdsConsumer *c)
{
  return c->shards->len;
}

static const gchar *
member_string (JsonObject *o, const gchar *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING
      ? json_node_get_string (node) : NULL;
}

static gboolean
describe (FaKdsConsumer *c, GError **error)
{
  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", c->stream);
  g_autoptr (JsonObject) response = fa_kinesis_client_call (c->client,
      "DescribeStreamSummary", request, error);
  if (response == NULL)
    return FALSE;
  JsonNode *summary = json_object_get_member (response, "StreamDescriptionSummary");
  const gchar *arn = summary != NULL && JSON_NODE_HOLDS_OBJECT (summary)
      ? member_string (json_node_get_object (summary), "StreamARN") : NULL;
  if (arn == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_REMOTE, "Kinesis DescribeStreamSummary "
        "of %s: no StreamARN in the response", c->stream);
    return FALSE;
  }
  c->stream_arn = g_strdup (arn);
  return TRUE;
}

static Shard *
find_shard (FaKdsConsumer *c, const gchar *id)
{
  for (guint i = 0; i < c->shards->len; i++) {
    Shard *s = g_ptr_array_index (c->shards, i);
    if (g_strcmp0 (s->id, id) == 0)
      return s;
  }
  return NULL;
}

/* ListShards (every page); keeps the state of shards already known. */
static gboolean
list_shards (FaKdsConsumer *c, GError **error)
{
  GPtrArray *listed = g_ptr_array_new_with_free_func (shard_free);
  g_autofree gchar *token = NULL;
  do {
    g_autoptr (JsonObject) request = json_object_new ();
    if (token != NULL)
      json_object_set_string_member (request, "NextToken", token);
    else
      json_object_set_string_member (request, "StreamName", c->stream);
    g_autoptr (JsonObject) response = fa_kinesis_client_call (c->client,
        "ListShards", request, error);
    if (response == NULL) {
      g_ptr_array_unref (listed);
      return FALSE;
    }
    JsonNode *node = json_object_get_member (response, "Shards");
    JsonArray *shards = node != NULL && JSON_NODE_HOLDS_ARRAY (node)
        ? json_node_get_array (node) : NULL;
    for (guint i = 0; shards != NULL && i < json_array_get_length (shards); i++) {
      JsonNode *e = json_array_get_element (shards, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      const gchar *id = member_string (o, "ShardId");
      if (id == NULL || (c->only != NULL && !g_strv_contains ((const gchar *const *)
                  c->only, id)))
        continue;
      Shard *s = g_new0 (Shard, 1);
      s->id = g_strdup (id);
      s->parent = g_strdup (member_string (o, "ParentShardId"));
      s->adjacent_parent = g_strdup (member_string (o, "AdjacentParentShardId"));
      Shard *known = find_shard (c, id);
      if (known != NULL) {
        s->iterator = g_steal_pointer (&known->iterator);
        s->checkpoint = g_steal_pointer (&known->checkpoint);
        s->ended = known->ended;
      } else if (!fa_kds_checkpoints_get (c->checkpoints, c->stream, id,
              &s->checkpoint, &s->ended, error)) {
        shard_free (s);
        g_ptr_array_unref (listed);
        return FALSE;
      }
      g_ptr_array_add (listed, s);
    }
    g_free (token);
    token = g_strdup (member_string (response, "NextToken"));
  } while (token != NULL);
  g_ptr_array_unref (c->shards);
  c->shards = listed;
  c->turn = 0;
  c->listed_us = g_get_monotonic_time ();
  return TRUE;
}

/* Parents first: a shard is read once the shards it came from are read to
 * their end (or are gone: past the retention period). */
static gboolean
ready (FaKdsConsumer *c, Shard *s)
{
  if (s->ended)
    return FALSE;
  const gchar *parents[] = { s->parent, s->adjacent_parent };
  for (guint i = 0; i < G_N_ELEMENTS (parents); i++) {
    Shard *p = parents[i] != NULL ? find_shard (c, parents[i]) : NULL;
    if (p != NULL && !p->ended)
      return FALSE;
  }
  return TRUE;
}

static gboolean
get_iterator (FaKdsConsumer *c, Shard *s, GError **error)
{
  g_autoptr (JsonObject) request = json_object_new ();
  json_object_set_string_member (request, "StreamName", c->stream);
  json_object_set_string_member (request, "ShardId", s->id);
  if (s->checkpoint != NULL) {
    json_object_set_string_member (request, "ShardIteratorType", "AFTER_SEQUENCE_NUMBER");
    json_object_set_string_member (request, "StartingSequenceNumber", s->checkpoint);
  } else {
    json_object_set_string_member (request, "ShardIteratorType",
        c->start_at_latest ? "LATEST" : "TRIM_HORIZON");
  }
  g_autoptr (JsonObject) response = fa_kinesis_client_call (c->client,
      "GetShardIterator", request, error);
  if (response == NULL)
    return FALSE;
  const gchar *iterator = member_string (response, "ShardIterator");
  if (iterator == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_REMOTE, "Kinesis GetShardIterator of "
        "%s %s: no ShardIterator in the response", c->stream, s->id);
    return FALSE;
  }
  g_free (s->iterator);
  s->iterator = g_strdup (iterator);
  return TRUE;
}

static gboolean
is_expired_iterator (const GError *error)
{
  g_autofree gchar *type = fa_kinesis_error_type (error);
  return g_strcmp0 (type, "ExpiredIteratorException") == 0;
}

/* GetRecords from @s's iterator: the records (maybe none) and the next
 * iterator (NULL when the shard ended). */
static JsonObject *
get_records (FaKdsConsumer *c, Shard *s, GError **error)
{
  for (guint attempt = 0; attempt < 2; attempt++) {
    if (s->iterator == NULL && !get_iterator (c, s, error))
      return NULL;
    g_autoptr (JsonObject) request = json_object_new ();
    json_object_set_string_member (request, "ShardIterator", s->iterator);
    json_object_set_int_member (request, "Limit", c->batch_size);
    GError *local = NULL;
    JsonObject *response = fa_kinesis_client_call (c->client, "GetRecords",
        request, &local);
    if (response != NULL)
      return response;
    /* Iterators last 5 minutes: a fresh one from the checkpoint. */
    if (attempt == 0 && is_expired_iterator (local)) {
      g_clear_error (&local);
      g_clear_pointer (&s->iterator, g_free);
      continue;
    }
    g_propagate_error (error, local);
    return NULL;
  }
  return NULL;
}

static GPtrArray *
parse_records (JsonObject *response)
{
  GPtrArray *records = g_ptr_array_new_with_free_func (received_free);
  JsonNode *node = json_object_get_member (response, "Records");
  JsonArray *array = node != NULL && JSON_NODE_HOLDS_ARRAY (node)
      ? json_node_get_array (node) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *e = json_array_get_element (array, i);
    JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
    const gchar *seq = member_string (o, "SequenceNumber");
    const gchar *data = member_string (o, "Data");
    if (seq == NULL || data == NULL)
      continue;
    FaKdsReceived *r = g_new0 (FaKdsReceived, 1);
    r->sequence_number = g_strdup (seq);
    r->partition_key = g_strdup (member_string (o, "PartitionKey"));
    gsize size = 0;
    guchar *bytes = g_base64_decode (data, &size);
    r->data = g_bytes_new_take (bytes, size);
    JsonNode *arrival = json_object_get_member (o, "ApproximateArrivalTimestamp");
    if (arrival != NULL && JSON_NODE_HOLDS_VALUE (arrival))
      r->arrival = json_node_get_double (arrival);
    g_ptr_array_add (records, r);
  }
  return records;
}

FaKdsBatch *
fa_kds_consumer_next (FaKdsConsumer *c, GError **error)
{
  if (c->stream_arn == NULL && !describe (c, error))
    return NULL;
  if (c->listed_us == 0 || g_get_monotonic_time () - c->listed_us > RELIST_US) {
    if (!list_shards (c, error))
      return NULL;
    for (guint i = 0; c->only != NULL && c->only[i] != NULL; i++)
      if (find_shard (c, c->only[i]) == NULL) {
        g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "stream %s has no shard "
            "%s (see `aws kinesis list-shards --stream-name %s`)", c->stream,
            c->only[i], c->stream);
        return NULL;
      }
  }
  guint n = c->shards->len;
  for (guint k = 0; k < n; k++) {
    guint index = (c->turn + k) % n;
    Shard *s = g_ptr_array_index (c->shards, index);
    if (!ready (c, s))
      continue;
    g_autoptr (JsonObject) response = get_records (c, s, error);
    if (response == NULL) {
      c->turn = index;     /* the same shard first when called again */
      return NULL;
    }
    GPtrArray *records = parse_records (response);
    const gchar *next = member_string (response, "NextShardIterator");
    if (records->len > 0) {
      FaKdsBatch *batch = g_new0 (FaKdsBatch, 1);
      batch->shard_id = g_strdup (s->id);
      batch->records = records;
      batch->next_iterator = g_strdup (next);
      batch->shard_ends = next == NULL;
      c->turn = (index + 1) % n;
      return batch;
    }
    g_ptr_array_unref (records);
    g_free (s->iterator);
    s->iterator = g_strdup (next);
    if (next == NULL) {
      /* Read to its end: its children may go, once listed. */
      s->ended = TRUE;
      c->listed_us = 0;
      if (!fa_kds_checkpoints_set (c->checkpoints, c->stream, s->id, NULL, TRUE, error))
        return NULL;
    }
  }
  return NULL;
}

gboolean
fa_kds_consumer_commit (FaKdsConsumer *c, FaKdsBatch *batch, GError **error)
{
  Shard *s = find_shard (c, batch->shard_id);
  const FaKdsReceived *last = g_ptr_array_index (batch->records,
      batch->records->len - 1);
  if (!fa_kds_checkpoints_set (c->checkpoints, c->stream, batch->shard_id,
          last->sequence_number, batch->shard_ends, error))
    return FALSE;
  if (s != NULL) {
    g_free (s->checkpoint);
    s->checkpoint = g_strdup (last->sequence_number);
    g_free (s->iterator);
    s->iterator = g_steal_pointer (&batch->next_iterator);
    s->ended = batch->shard_ends;
    if (s->ended)
      c->listed_us = 0;
  }
  return TRUE;
}

gchar *
fa_kds_lambda_event (const gchar *stream_arn, const gchar *region,
    const gchar *identity_arn, const FaKdsBatch *batch)
{
  g_autofree gchar *role = NULL;
  if (identity_arn == NULL) {
    /* arn:aws:kinesis:REGION:ACCOUNT:stream/NAME */
    g_auto (GStrv) parts = g_strsplit (stream_arn != NULL ? stream_arn : "", ":", 6);
    const gchar *account = g_strv_length (parts) >= 5 && *parts[4] != '\0'
        ? parts[4] : "000000000000";
    identity_arn = role = g_strdup_printf ("arn:aws:iam::%s:role/facealert-consume",
        account);
  }
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Records");
  json_builder_begin_array (b);
  for (guint i = 0; i < batch->records->len; i++) {
    const FaKdsReceived *r = g_ptr_array_index (batch->records, i);
    gsize size = 0;
    const guchar *bytes = g_bytes_get_data (r->data, &size);
    g_autofree gchar *data = g_base64_encode (bytes, size);
    g_autofree gchar *event_id = g_strdup_printf ("%s:%s", batch->shard_id,
        r->sequence_number);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "kinesis");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "kinesisSchemaVersion");
    json_builder_add_string_value (b, "1.0");
    json_builder_set_member_name (b, "partitionKey");
    json_builder_add_string_value (b, r->partition_key != NULL ? r->partition_key : "");
    json_builder_set_member_name (b, "sequenceNumber");
    json_builder_add_string_value (b, r->sequence_number);
    json_builder_set_member_name (b, "data");
    json_builder_add_string_value (b, data);
    json_builder_set_member_name (b, "approximateArrivalTimestamp");
    json_builder_add_double_value (b, r->arrival);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "eventSource");
    json_builder_add_string_value (b, "aws:kinesis");
    json_builder_set_member_name (b, "eventVersion");
    json_builder_add_string_value (b, "1.0");
    json_builder_set_member_name (b, "eventID");
    json_builder_add_string_value (b, event_id);
    json_builder_set_member_name (b, "eventName");
    json_builder_add_string_value (b, "aws:kinesis:record");
    json_builder_set_member_name (b, "invokeIdentityArn");
    json_builder_add_string_value (b, identity_arn);
    json_builder_set_member_name (b, "awsRegion");
    json_builder_add_string_value (b, region);
    json_builder_set_member_name (b, "eventSourceARN");
    json_builder_add_string_value (b, stream_arn != NULL ? stream_arn : "");
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
