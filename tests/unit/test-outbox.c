/* The outbox's management API (fa_outbox_open_existing, list, get, requeue,
 * purge) on real SQLite files, beside a delivering outbox whose worker
 * publishes to a real SNS-compatible server (tests/support/sns-fixture.mjs). */
#define _GNU_SOURCE   // memmem
#include "fa-backoff.h"
#include "fa-error.h"
#include "fa-outbox.h"
#include "fa-sns-fixture.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define SECRET "SeCrEt/OutboxMustNotStoreThis"
#define TOKEN "ToKeN/NorThis"

static FaSnsFixture *fixture;

typedef struct {
  GMutex lock;
  GCond cond;
  guint delivered, failed;
} Events;

static void
on_event (const FaOutboxEvent *event, gpointer data)
{
  Events *events = data;
  g_mutex_lock (&events->lock);
  if (event->state == FA_OUTBOX_DELIVERED)
    events->delivered++;
  else if (event->state == FA_OUTBOX_FAILED)
    events->failed++;
  g_cond_broadcast (&events->cond);
  g_mutex_unlock (&events->lock);
}

/* Waits (bounded) until @counter reaches @n; returns its value. */
static guint
wait_events (Events *events, guint *counter, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock (&events->lock);
  while (*counter < n && g_cond_wait_until (&events->cond, &events->lock, deadline))
    ;
  guint value = *counter;
  g_mutex_unlock (&events->lock);
  return value;
}

static void
add_alert (FaOutbox *outbox, const gchar *id, const gchar *camera,
    const gchar *subject)
{
  const gchar *attributes[] = { "camera", camera, "event", "unknown-face", NULL };
  g_autofree gchar *message = g_strdup_printf ("{\"default\":\"Unknown face at %s\","
      "\"http\":\"{\\\"id\\\":\\\"%s\\\",\\\"camera\\\":\\\"%s\\\"}\"}", camera, id, camera);
  FaSnsMessage sns = { .topic_arn = fixture->topic, .subject = subject,
    .message = message, .json_structure = TRUE, .attributes = attributes };
  GError *error = NULL;
  gboolean added = FALSE;
  g_assert_true (fa_outbox_add (outbox, id, &sns, &added, &error));
  g_assert_no_error (error);
  g_assert_true (added);
}

static FaOutbox *
open_delivering (const gchar *path, Events *events)
{
  GError *error = NULL;
  FaOutbox *outbox = fa_outbox_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new ("AKIDOUTBOXTEST",
      SECRET, TOKEN);
  FaSnsClient *client = fa_sns_client_new (fixture->endpoint, "us-east-1",
      credentials, &error);
  g_assert_no_error (error);
  fa_outbox_set_backoff (outbox, 20 * G_TIME_SPAN_MILLISECOND, 100 * G_TIME_SPAN_MILLISECOND);
  fa_outbox_set_notify (outbox, on_event, events);
  fa_outbox_start (outbox, client);
  return outbox;
}

static const gchar *
ids_of (GPtrArray *alerts)
{
  static gchar text[512];
  text[0] = '\0';
  for (guint i = 0; i < alerts->len; i++) {
    FaOutboxAlert *a = g_ptr_array_index (alerts, i);
    g_strlcat (text, i > 0 ? "," : "", sizeof text);
    g_strlcat (text, a->id, sizeof text);
  }
  return text;
}

static GPtrArray *
list (FaOutbox *outbox, FaOutboxStates states, const gchar *camera,
    gint64 since_us, gint64 before_us, guint limit)
{
  FaOutboxQuery query = { states, camera, since_us, before_us, limit };
  GError *error = NULL;
  GPtrArray *alerts = fa_outbox_list (outbox, &query, &error);
  g_assert_no_error (error);
  return alerts;
}

static gboolean
file_contains (const gchar *path, const gchar *needle)
{
  g_autofree gchar *data = NULL;
  gsize size = 0;
  if (!g_file_get_contents (path, &data, &size, NULL))
    return FALSE;
  return memmem (data, size, needle, strlen (needle)) != NULL;
}

/* The full cycle: delivered and failed alerts, listed with filters from a
 * second connection while the first delivers; a failed alert requeued
 * through the second connection is picked up by the first one's worker;
 * purge; and no secret in any file. */
static void
test_manage (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-outbox");
  g_autofree gchar *path = g_build_filename (dir, "outbox", "porch.sqlite", NULL);
  Events events = { 0 };
  g_mutex_init (&events.lock);
  g_cond_init (&events.cond);
  guint deliveries = fa_sns_fixture_count (fixture);
  FaOutbox *owner = open_delivering (path, &events);

  g_autofree gchar *too_long = g_strnfill (120, 's');
  add_alert (owner, "aaaa0001-porch-ok", "porch", "Unknown face at porch");
  add_alert (owner, "aaaa0002-garden-bad", "garden", too_long);   /* refused: failed */
  g_assert_cmpuint (wait_events (&events, &events.delivered, 1, 10000), ==, 1);
  g_assert_cmpuint (wait_events (&events, &events.failed, 1, 10000), ==, 1);
  gint64 mid_us = g_get_real_time ();
  add_alert (owner, "bbbb0003-porch-ok", "porch", "Unknown face at porch");
  g_assert_cmpuint (wait_events (&events, &events.delivered, 2, 10000), ==, 2);
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, deliveries + 2, 10000), ==,
      deliveries + 2);

  /* A second connection while the first one delivers. */
  GError *error = NULL;
  FaOutbox *admin = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);

  g_autoptr (GPtrArray) all = list (admin, 0, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (all), ==, "bbbb0003-porch-ok,aaaa0002-garden-bad,aaaa0001-porch-ok");
  FaOutboxAlert *newest = g_ptr_array_index (all, 0);
  g_assert_cmpint (newest->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_assert_cmpstr (newest->camera, ==, "porch");
  g_assert_nonnull (newest->message_id);
  g_assert_cmpuint (newest->attempts, ==, 1);
  g_assert_cmpint (newest->delivered_us, >=, newest->created_us);
  g_assert_null (newest->last_error);

  g_autoptr (GPtrArray) failed = list (admin, FA_OUTBOX_STATE_FAILED, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (failed), ==, "aaaa0002-garden-bad");
  FaOutboxAlert *bad = g_ptr_array_index (failed, 0);
  g_assert_cmpstr (bad->camera, ==, "garden");
  g_assert_cmpstr (bad->last_error_code, ==, "InvalidMessage");
  g_assert_nonnull (strstr (bad->last_error, "subject"));
  g_assert_null (bad->message_id);

  g_autoptr (GPtrArray) porch = list (admin, FA_OUTBOX_STATE_DELIVERED, "porch", 0, 0, 0);
  g_assert_cmpstr (ids_of (porch), ==, "bbbb0003-porch-ok,aaaa0001-porch-ok");
  g_autoptr (GPtrArray) garden_delivered = list (admin, FA_OUTBOX_STATE_DELIVERED,
      "garden", 0, 0, 0);
  g_assert_cmpuint (garden_delivered->len, ==, 0);
  g_autoptr (GPtrArray) since = list (admin, 0, NULL, mid_us, 0, 0);
  g_assert_cmpstr (ids_of (since), ==, "bbbb0003-porch-ok");
  g_autoptr (GPtrArray) before = list (admin, 0, NULL, 0, mid_us, 0);
  g_assert_cmpstr (ids_of (before), ==, "aaaa0002-garden-bad,aaaa0001-porch-ok");
  g_autoptr (GPtrArray) limited = list (admin, FA_OUTBOX_STATE_ALL, NULL, 0, 0, 2);
  g_assert_cmpstr (ids_of (limited), ==, "bbbb0003-porch-ok,aaaa0002-garden-bad");

  /* get: exact id, unique prefix, ambiguous prefix, unknown, too short. */
  g_autoptr (FaOutboxAlert) got = fa_outbox_get (admin, "bbbb", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got->id, ==, "bbbb0003-porch-ok");
  g_assert_cmpstr (got->subject, ==, "Unknown face at porch");
  g_assert_cmpstr (got->topic_arn, ==, fixture->topic);
  g_assert_cmpstr (got->attributes[3], ==, "unknown-face");
  g_assert_null (fa_outbox_get (admin, "aaaa", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fa_outbox_get (admin, "cccc0000", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (fa_outbox_get (admin, "aa", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A delivered alert is never requeued; an unknown id is an error. */
  g_assert_false (fa_outbox_requeue (admin, "aaaa0001-porch-ok", NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "already delivered"));
  g_clear_error (&error);
  g_assert_false (fa_outbox_requeue (admin, "nope-nope", NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* --failed of another camera changes nothing; of all cameras requeues the
   * failed one, which the owner's worker (another connection, not signalled)
   * picks up and, the subject still being too long, fails again. */
  g_assert_cmpint (fa_outbox_requeue_failed (admin, "porch", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (fa_outbox_requeue_failed (admin, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (wait_events (&events, &events.failed, 2, 10000), ==, 2);
  g_autoptr (FaOutboxAlert) bad2 = fa_outbox_get (admin, "aaaa0002-garden-bad", &error);
  g_assert_cmpint (bad2->state, ==, FA_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (bad2->attempts, ==, 2);
  /* A single requeue too. */
  FaOutboxStates previous = 0;
  g_assert_true (fa_outbox_requeue (admin, "aaaa0002-garden-bad", &previous, &error));
  g_assert_no_error (error);
  g_assert_cmpint (previous, ==, FA_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (wait_events (&events, &events.failed, 3, 10000), ==, 3);
  g_assert_cmpuint (events.delivered, ==, 2);   /* nothing delivered again */

  /* Purge: never pending; delivered before mid only. */
  g_assert_cmpint (fa_outbox_purge (admin, FA_OUTBOX_STATE_PENDING
          | FA_OUTBOX_STATE_DELIVERED, G_MAXINT64, &error), ==, -1);
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (fa_outbox_purge (admin, FA_OUTBOX_STATE_DELIVERED, mid_us, &error),
      ==, 1);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) left = list (admin, 0, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (left), ==, "bbbb0003-porch-ok,aaaa0002-garden-bad");
  g_assert_cmpint (fa_outbox_purge (admin, FA_OUTBOX_STATE_FAILED, G_MAXINT64, &error),
      ==, 1);
  g_autoptr (GPtrArray) last = list (admin, 0, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (last), ==, "bbbb0003-porch-ok");
  g_assert_cmpuint (fa_outbox_count (owner, FA_OUTBOX_DELIVERED), ==, 1);

  fa_outbox_close (admin);
  fa_outbox_close (owner);

  /* Only the SNS request is stored: no secret key or session token in the
   * database, its WAL or the lock file. */
  const gchar *suffixes[] = { "", "-wal", "-shm", ".lock" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++) {
    g_autofree gchar *file = g_strconcat (path, suffixes[i], NULL);
    g_assert_false (file_contains (file, "SeCrEt"));
    g_assert_false (file_contains (file, "ToKeN"));
  }
  g_assert_true (file_contains (path, "bbbb0003-porch-ok"));   /* the check reads */
  g_mutex_clear (&events.lock);
  g_cond_clear (&events.cond);
  fa_test_rm_rf (dir);
}

/* One delivering process per outbox; any number of managing connections. */
static void
test_ownership (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-outbox");
  g_autofree gchar *path = g_build_filename (dir, "cam.sqlite", NULL);
  GError *error = NULL;
  FaOutbox *first = fa_outbox_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (fa_outbox_open (path, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "in use by another pipeline"));
  g_clear_error (&error);
  FaOutbox *admin1 = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  FaOutbox *admin2 = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  fa_outbox_close (admin1);
  fa_outbox_close (admin2);
  fa_outbox_close (first);
  FaOutbox *again = fa_outbox_open (path, &error);   /* released on close */
  g_assert_no_error (error);
  fa_outbox_close (again);
  GStatBuf st;
  g_autofree gchar *lock = g_strconcat (path, ".lock", NULL);
  g_assert_cmpint (g_stat (lock, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  fa_test_rm_rf (dir);
}

static void
test_open_existing_errors (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-outbox");
  GError *error = NULL;
  g_autofree gchar *missing = g_build_filename (dir, "missing.sqlite", NULL);
  g_assert_null (fa_outbox_open_existing (missing, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no outbox at"));
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));   /* not created */

  g_assert_null (fa_outbox_open_existing (dir, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_autofree gchar *text = g_build_filename (dir, "notes.sqlite", NULL);
  g_assert_true (g_file_set_contents (text, "this is not a database, just text "
          "long enough to have a header's worth of bytes in it.......", -1, NULL));
  g_assert_null (fa_outbox_open_existing (text, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "not a facealert outbox"));
  g_clear_error (&error);

  g_autofree gchar *other = g_build_filename (dir, "other.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE faces (id TEXT)", NULL, NULL, NULL),
      ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_null (fa_outbox_open_existing (other, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_clear_error (&error);
  fa_test_rm_rf (dir);
}

/* Short error codes read back from the messages the SNS client makes. */
static void
test_error_codes (void)
{
  const struct {
    long status;
    const gchar *code, *expected;
  } http[] = {
    { 403, "SignatureDoesNotMatch", "SignatureDoesNotMatch" },
    { 404, "NotFound", "NotFound" },
    { 404, NULL, "HTTP 404" },
    { 503, NULL, "HTTP 503" },
    { 400, "Throttling", "Throttling" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (http); i++) {
    g_autoptr (GError) error = fa_sns_error_new (http[i].status, http[i].code,
        "some text: with a colon");
    g_autofree gchar *code = fa_sns_error_code (error->message);
    g_assert_cmpstr (code, ==, http[i].expected);
  }
  /* A real transport failure: nothing listens on port 1. */
  g_autoptr (FaAwsCredentials) credentials = fa_aws_credentials_new ("AKID", SECRET, NULL);
  GError *error = NULL;
  g_autoptr (FaSnsClient) client = fa_sns_client_new ("http://127.0.0.1:1/",
      "us-east-1", credentials, &error);
  g_assert_no_error (error);
  FaSnsMessage message = { .topic_arn = "arn:aws:sns:us-east-1:1:t", .message = "m" };
  g_assert_null (fa_sns_client_publish (client, &message, &error));
  g_autofree gchar *code = fa_sns_error_code (error->message);
  g_assert_cmpstr (code, ==, "ConnectFailure");
  g_assert_null (strstr (error->message, "SeCrEt"));
  g_clear_error (&error);
  g_assert_null (fa_sns_error_code (NULL));
  g_autofree gchar *other = fa_sns_error_code ("something else");
  g_assert_cmpstr (other, ==, "Error");

  g_assert_cmpint (fa_outbox_state_from_name ("failed"), ==, FA_OUTBOX_STATE_FAILED);
  g_assert_cmpint (fa_outbox_state_from_name ("all"), ==, FA_OUTBOX_STATE_ALL);
  g_assert_cmpint (fa_outbox_state_from_name ("sent"), ==, 0);
  g_assert_cmpstr (fa_outbox_state_name (FA_OUTBOX_STATE_PENDING), ==, "pending");
}


/* An outbox written before delivery targets existed (schema 0: the SNS
 * publish's state in the alert row) keeps working: listed as it was, each
 * alert with its one "sns" delivery, a pending one delivered by the next
 * start, a delivered one never sent again. */
static void
test_upgrade_v0 (void)
{
  g_autofree gchar *dir = fa_test_make_tmpdir ("fa-outbox");
  g_autofree gchar *path = g_build_filename (dir, "old.sqlite", NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_autofree gchar *insert = g_strdup_printf (
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE alerts ("
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
      "  created_us INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
      "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_us INTEGER NOT NULL DEFAULT 0,"
      "  topic_arn TEXT, phone_number TEXT, subject TEXT,"
      "  message TEXT NOT NULL, json_structure INTEGER NOT NULL DEFAULT 0,"
      "  attributes TEXT, dedup_id TEXT, group_id TEXT,"
      "  message_id TEXT, last_error TEXT, delivered_us INTEGER);"
      "CREATE INDEX alerts_state ON alerts (state, seq);"
      "INSERT INTO alerts (id, created_us, state, attempts, topic_arn, subject, message,"
      "  attributes, message_id, delivered_us) VALUES ('old1-delivered', 1000, 'delivered',"
      "  1, '%s', 'Unknown face at porch', 'hello', 'camera\x1fporch', 'mid-old-1', 2000);"
      "INSERT INTO alerts (id, created_us, state, attempts, topic_arn, subject, message,"
      "  attributes, last_error) VALUES ('old2-failed', 3000, 'failed', 2, '%s',"
      "  'Unknown face at porch', 'hello', 'camera\x1fporch',"
      "  'SNS Publish failed: HTTP 404 NotFound: Topic does not exist');"
      "INSERT INTO alerts (id, created_us, state, attempts, next_attempt_us, topic_arn,"
      "  subject, message, attributes, last_error) VALUES ('old3-pending', 4000, 'pending',"
      "  3, 999999999999999, '%s', 'Unknown face at garden', 'hello', 'camera\x1fgarden',"
      "  'SNS Publish failed: HTTP 503 (no SNS error code)');", fixture->topic, fixture->topic, fixture->topic);
  g_assert_cmpint (sqlite3_exec (db, insert, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  GError *error = NULL;
  FaOutbox *admin = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) all = list (admin, 0, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (all), ==, "old3-pending,old2-failed,old1-delivered");
  FaOutboxAlert *failed = g_ptr_array_index (all, 1);
  g_assert_cmpint (failed->state, ==, FA_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (failed->attempts, ==, 2);
  g_assert_cmpstr (failed->last_error_code, ==, "NotFound");
  g_assert_cmpstr (failed->camera, ==, "porch");
  g_assert_cmpuint (failed->deliveries->len, ==, 1);
  FaOutboxDelivery *d = g_ptr_array_index (failed->deliveries, 0);
  g_assert_cmpstr (d->target, ==, "sns");
  g_assert_cmpint (d->state, ==, FA_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (d->attempts, ==, 2);
  g_assert_cmpstr (d->last_error_code, ==, "NotFound");
  FaOutboxAlert *old = g_ptr_array_index (all, 2);
  d = g_ptr_array_index (old->deliveries, 0);
  g_assert_cmpstr (d->receipt, ==, "mid-old-1");
  g_assert_cmpstr (old->message_id, ==, "mid-old-1");
  g_assert_cmpint (d->delivered_us, ==, 2000);
  g_autoptr (GPtrArray) pending = list (admin, FA_OUTBOX_STATE_PENDING, NULL, 0, 0, 0);
  g_assert_cmpstr (ids_of (pending), ==, "old3-pending");
  fa_outbox_close (admin);

  /* The next alertsink delivers the pending one at once (its backoff is
   * reset by the restart), and only that one. */
  Events events = { 0 };
  g_mutex_init (&events.lock);
  g_cond_init (&events.cond);
  guint deliveries = fa_sns_fixture_count (fixture);
  FaOutbox *owner = open_delivering (path, &events);
  g_assert_cmpuint (wait_events (&events, &events.delivered, 1, 10000), ==, 1);
  g_assert_true (fa_outbox_wait_idle (owner, 10 * G_TIME_SPAN_SECOND));
  g_assert_cmpuint (fa_sns_fixture_wait_count (fixture, deliveries + 1, 10000), ==,
      deliveries + 1);
  g_assert_cmpuint (fa_outbox_count (owner, FA_OUTBOX_DELIVERED), ==, 2);
  g_assert_cmpuint (fa_outbox_count (owner, FA_OUTBOX_FAILED), ==, 1);
  fa_outbox_close (owner);
  g_assert_cmpuint (events.delivered, ==, 1);
  admin = fa_outbox_open_existing (path, &error);
  g_assert_no_error (error);
  g_autoptr (FaOutboxAlert) now_delivered = fa_outbox_get (admin, "old3-pending", &error);
  g_assert_no_error (error);
  g_assert_cmpint (now_delivered->state, ==, FA_OUTBOX_STATE_DELIVERED);
  g_assert_cmpuint (now_delivered->attempts, ==, 4);
  g_assert_nonnull (now_delivered->message_id);
  d = g_ptr_array_index (now_delivered->deliveries, 0);
  g_assert_cmpstr (d->receipt, ==, now_delivered->message_id);
  fa_outbox_close (admin);
  g_mutex_clear (&events.lock);
  g_cond_clear (&events.cond);
  fa_test_rm_rf (dir);
}

/* The retry policy both outboxes share: doubling from the first delay,
 * capped, each delay within +-20 % of its nominal value. */
static void
test_backoff (void)
{
  const gint64 initial = 500 * G_TIME_SPAN_MILLISECOND;
  const gint64 max = 60 * G_TIME_SPAN_SECOND;
  for (guint attempts = 0; attempts < 40; attempts++) {
    gint64 nominal = MIN (initial << MIN (attempts, 20), max);
    for (int i = 0; i < 20; i++) {
      gint64 delay = fa_backoff_delay_us (initial, max, attempts);
      g_assert_cmpint (delay, >=, nominal * 8 / 10);
      g_assert_cmpint (delay, <=, nominal * 12 / 10);
    }
  }
  g_assert_cmpint (fa_backoff_delay_us (initial, max, 3), <=, 4 * 1200 * 1000);
  g_assert_cmpint (fa_backoff_delay_us (initial, max, 3), >=, 4 * 800 * 1000);
  g_assert_cmpint (fa_backoff_delay_us (initial, max, 1000), <=, max * 12 / 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outbox/open-existing-errors", test_open_existing_errors);
  g_test_add_func ("/outbox/ownership", test_ownership);
  g_test_add_func ("/outbox/error-codes", test_error_codes);
  g_test_add_func ("/outbox/backoff", test_backoff);
  fixture = fa_sns_fixture_start ();
  g_test_add_func ("/outbox/list-requeue-purge", test_manage);
  g_test_add_func ("/outbox/upgrade-v0", test_upgrade_v0);
  int ret = g_test_run ();
  fa_sns_fixture_stop (fixture);
  return ret;
}
