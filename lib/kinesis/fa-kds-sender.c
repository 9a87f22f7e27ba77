/* facealert: the process's Kinesis senders. See fa-kds-sender.h. */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "facealert-kds-sender"
#include "fa-kds-outbox-private.h"
#include "fa-secret.h"
#include "fa-kds-sender.h"
#include "fa-sigv4.h"

#include <string.h>

/* An idle sender looks again this often (new records wake it at once). */
#define POLL_US (1 * G_TIME_SPAN_SECOND)

struct _FaKdsSender {
  gint refs;              /* under senders_lock */
  gchar *key;             /* endpoint, region, credentials (hashed) */
  FaKinesisClient *client;
  GMutex lock;
  GCond cond;
  GPtrArray *outboxes;    /* FaKdsOutbox*, referenced */
  guint64 generation;     /* bumped by every wake-up */
  gboolean stop;
  GThread *thread;
  FaKdsSenderStats stats;
};

/* The process's senders, by key. */
static GMutex senders_lock;
static GHashTable *senders;

static gchar *
sender_key (FaKinesisClient *client)
{
  const FaAwsCredentials *c = fa_kinesis_client_get_credentials (client);
  g_autofree gchar *secret = g_strconcat (c->secret_key, "\n",
      c->session_token != NULL ? c->session_token : "", NULL);
  g_autofree gchar *hash = fa_sigv4_sha256_hex (secret, strlen (secret));
  fa_secret_wipe (secret);
  return g_strdup_printf ("%s %s %s %s", fa_kinesis_client_get_endpoint (client),
      fa_kinesis_client_get_region (client), c->access_key, hash);
}

/* Of the due heads, those of the stream whose head is oldest, within the
 * API's limits. *@more: some due heads stay for the next request. */
static GPtrArray *
choose (GArray *heads, gboolean *more)
{
  GPtrArray *chosen = g_ptr_array_new ();
  const FaKdsHead *oldest = NULL;
  for (guint i = 0; i < heads->len; i++) {
    const FaKdsHead *h = &g_array_index (heads, FaKdsHead, i);
    if (oldest == NULL || h->created_us < oldest->created_us)
      oldest = h;
  }
  gsize bytes = 0;
  *more = FALSE;
  for (guint i = 0; oldest != NULL && i < heads->len; i++) {
    FaKdsHead *h = &g_array_index (heads, FaKdsHead, i);
    gsize cost = fa_kinesis_record_cost (h->partition_key, h->size);
    if (g_strcmp0 (h->stream, oldest->stream) != 0
        || chosen->len >= FA_KINESIS_MAX_RECORDS_PER_REQUEST
        || bytes + cost > FA_KINESIS_MAX_REQUEST_BYTES) {
      *more = TRUE;
      continue;
    }
    g_ptr_array_add (chosen, h);
    bytes += cost;
  }
  return chosen;
}

/* Sends @chosen (all of one stream) and gives each outbox its outcome. */
static void
send_batch (FaKdsSender *sender, GPtrArray *chosen)
{
  /* An outbox closed since it was asked has no data to give: left out. */
  for (guint i = chosen->len; i > 0; i--) {
    FaKdsHead *h = g_ptr_array_index (chosen, i - 1);
    fa_kds_outbox_load_data (h->outbox, h);
    if (g_bytes_get_size (h->data) == 0)
      g_ptr_array_remove_index (chosen, i - 1);
  }
  guint n = chosen->len;
  if (n == 0)
    return;
  FaKinesisRecord *records = g_new0 (FaKinesisRecord, n);
  FaKinesisPutResult *results = g_new0 (FaKinesisPutResult, n);
  for (guint i = 0; i < n; i++) {
    FaKdsHead *h = g_ptr_array_index (chosen, i);
    records[i].partition_key = h->partition_key;
    records[i].data = g_bytes_get_data (h->data, &records[i].size);
  }
  const FaKdsHead *first = g_ptr_array_index (chosen, 0);
  GError *error = NULL;
  fa_kinesis_put_records (sender->client, first->stream, records, n, results, &error);
  g_mutex_lock (&sender->lock);
  gboolean stopping = sender->stop;
  sender->stats.requests++;
  sender->stats.records += n;
  g_mutex_unlock (&sender->lock);

  /* Cancelled by the last unref: the records stay pending, not an attempt. */
  if (!(error != NULL && stopping)) {
    /* Per outbox, its heads and their results, in request order. */
    g_autoptr (GPtrArray) heads = g_ptr_array_new ();
    g_autoptr (GPtrArray) outcomes = g_ptr_array_new ();
    g_autoptr (GHashTable) done = g_hash_table_new (NULL, NULL);
    for (guint i = 0; i < n; i++) {
      FaKdsOutbox *outbox = ((FaKdsHead *) g_ptr_array_index (chosen, i))->outbox;
      if (!g_hash_table_add (done, outbox))
        continue;
      g_ptr_array_set_size (heads, 0);
      g_ptr_array_set_size (outcomes, 0);
      for (guint j = i; j < n; j++) {
        FaKdsHead *h = g_ptr_array_index (chosen, j);
        if (h->outbox != outbox)
          continue;
        g_ptr_array_add (heads, h);
        g_ptr_array_add (outcomes, &results[j]);
      }
      fa_kds_outbox_apply (outbox, (FaKdsHead * const *) heads->pdata,
          error != NULL ? NULL : (FaKinesisPutResult * const *) outcomes->pdata,
          heads->len, error);
    }
  }
  for (guint i = 0; i < n; i++)
    fa_kinesis_put_result_clear (&results[i]);
  g_clear_error (&error);
  g_free (results);
  g_free (records);
}

static gpointer
run (gpointer data)
{
  FaKdsSender *sender = data;
  g_mutex_lock (&sender->lock);
  while (!sender->stop) {
    guint64 generation = sender->generation;
    g_autoptr (GPtrArray) outboxes = g_ptr_array_new_with_free_func (
        (GDestroyNotify) fa_kds_outbox_unref);
    for (guint i = 0; i < sender->outboxes->len; i++)
      g_ptr_array_add (outboxes, fa_kds_outbox_ref (g_ptr_array_index (
                  sender->outboxes, i)));
    g_mutex_unlock (&sender->lock);

    gint64 now = g_get_real_time (), wake = G_MAXINT64;
    g_autoptr (GArray) heads = g_array_new (FALSE, FALSE, sizeof (FaKdsHead));
    g_array_set_clear_func (heads, fa_kds_head_clear);
    for (guint i = 0; i < outboxes->len; i++)
      fa_kds_outbox_due_heads (g_ptr_array_index (outboxes, i), now, heads, &wake);
    gboolean more = FALSE;
    g_autoptr (GPtrArray) chosen = choose (heads, &more);
    gboolean sent = chosen->len > 0;
    if (sent)
      send_batch (sender, chosen);

    g_mutex_lock (&sender->lock);
    /* Nothing sent and nothing new since we looked: sleep until the next
     * record is due, a wake-up, or the poll. */
    if (!sent && !more && generation == sender->generation
        && !sender->stop) {
      gint64 wait = MIN (wake - now, POLL_US);
      g_cond_wait_until (&sender->cond, &sender->lock,
          g_get_monotonic_time () + MAX (wait, 1000));
    }
  }
  g_mutex_unlock (&sender->lock);
  return NULL;
}

FaKdsSender *
fa_kds_sender_get (FaKinesisClient *client)
{
  g_autofree gchar *key = sender_key (client);
  g_mutex_lock (&senders_lock);
  if (senders == NULL)
    senders = g_hash_table_new (g_str_hash, g_str_equal);
  FaKdsSender *sender = g_hash_table_lookup (senders, key);
  if (sender != NULL) {
    sender->refs++;
    g_mutex_unlock (&senders_lock);
    fa_kinesis_client_free (client);
    return sender;
  }
  sender = g_new0 (FaKdsSender, 1);
  sender->refs = 1;
  sender->key = g_steal_pointer (&key);
  sender->client = client;
  sender->outboxes = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_kds_outbox_unref);
  g_mutex_init (&sender->lock);
  g_cond_init (&sender->cond);
  sender->thread = g_thread_new ("fa-kds-sender", run, sender);
  g_hash_table_insert (senders, sender->key, sender);
  g_mutex_unlock (&senders_lock);
  return sender;
}

FaKdsSender *
fa_kds_sender_ref (FaKdsSender *sender)
{
  g_mutex_lock (&senders_lock);
  sender->refs++;
  g_mutex_unlock (&senders_lock);
  return sender;
}

void
fa_kds_sender_unref (FaKdsSender *sender)
{
  g_mutex_lock (&senders_lock);
  gboolean last = --sender->refs == 0;
  if (last)
    g_hash_table_remove (senders, sender->key);
  g_mutex_unlock (&senders_lock);
  if (!last)
    return;
  g_mutex_lock (&sender->lock);
  sender->stop = TRUE;
  fa_kinesis_client_cancel (sender->client);
  g_cond_broadcast (&sender->cond);
  g_mutex_unlock (&sender->lock);
  g_thread_join (sender->thread);
  fa_kinesis_client_free (sender->client);
  g_ptr_array_unref (sender->outboxes);
  g_mutex_clear (&sender->lock);
  g_cond_clear (&sender->cond);
  g_free (sender->key);
  g_free (sender);
}

void
fa_kds_sender_get_stats (FaKdsSender *sender, FaKdsSenderStats *stats)
{
  g_mutex_lock (&sender->lock);
  *stats = sender->stats;
  g_mutex_unlock (&sender->lock);
}

void
fa_kds_sender_attach (FaKdsSender *sender, FaKdsOutbox *outbox)
{
  g_mutex_lock (&sender->lock);
  g_ptr_array_add (sender->outboxes, fa_kds_outbox_ref (outbox));
  sender->generation++;
  g_cond_broadcast (&sender->cond);
  g_mutex_unlock (&sender->lock);
}

void
fa_kds_sender_detach (FaKdsSender *sender, FaKdsOutbox *outbox)
{
  g_mutex_lock (&sender->lock);
  g_ptr_array_remove (sender->outboxes, outbox);
  g_mutex_unlock (&sender->lock);
}

void
fa_kds_sender_wake (FaKdsSender *sender)
{
  g_mutex_lock (&sender->lock);
  sender->generation++;
  g_cond_broadcast (&sender->cond);
  g_mutex_unlock (&sender->lock);
}
