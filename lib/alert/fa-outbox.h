/* facealert: a durable outbox of alerts on SQLite, delivered to one or more
 * targets (SNS, MQTT: fa-notifier.h).
 *
 * fa_outbox_add() commits the alert (WAL, synchronous=FULL) before it
 * returns, with one delivery per target the outbox was started with. Each
 * target has its own worker thread that delivers its pending alerts in
 * order, retrying retryable errors (network, throttling, broker away) with
 * exponential backoff (with jitter), and marks each delivery delivered (with
 * the target's receipt: SNS's MessageId) or failed (a permanent error: bad
 * parameter, not found, bad signature). Targets never wait for each other: a
 * broker that is down holds back MQTT deliveries only. Deliveries still
 * pending when the process stops are made after the next start with that
 * target. Each alert has a stable id: adding the same id twice is a no-op,
 * and on FIFO topics it is the MessageDeduplicationId, so a retry whose
 * first attempt did reach SNS never becomes a second delivery. A delivered
 * delivery is never made again.
 *
 * An alert's own state is its deliveries' together: pending while one is
 * pending, else failed when one failed, else delivered. Files written before
 * targets existed (a single SNS delivery per alert) are upgraded in place
 * when opened: each alert gets its "sns" delivery with its state, attempts,
 * MessageId and last error.
 *
 * The database file is created 0600 in a 0700 directory. The process that
 * delivers (fa_outbox_open()) holds an flock() on PATH.lock: a second
 * pipeline opening the same outbox gets a clear error. The database is in WAL
 * mode with normal locking, so fa_outbox_open_existing() (the `facealert
 * alerts` CLI) can list, requeue and purge alerts from another process while
 * an alertsink delivers; an idle worker looks for requeued alerts every
 * second. Only the SNS request (topic or phone number, subject, message,
 * attributes, FIFO ids), the alert's payload and each target's delivery
 * state are stored: never credentials.
 */
#pragma once

#include <glib.h>

#include "fa-notifier.h"
#include "fa-sns.h"

G_BEGIN_DECLS

typedef struct _FaOutbox FaOutbox;

typedef enum {
  FA_OUTBOX_QUEUED,      /* committed */
  FA_OUTBOX_DELIVERED,   /* the target accepted it (message_id: its receipt) */
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
  gint64 delivered_us;     /* real time the target accepted it */
  const gchar *target;     /* "sns", "mqtt"; NULL for QUEUED (every target) */
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

/* Starts one worker per target (the targets are taken; their names must
 * differ). Alerts added from now on are delivered to each of them; pending
 * deliveries of these targets go out at once. Deliveries to a target not
 * started stay pending, for a later run that has it. */
void fa_outbox_start_targets (FaOutbox *outbox, FaNotifier **targets,
    guint n_targets);
/* The single SNS target over @client (taken): fa_sns_notifier_new(). */
void fa_outbox_start (FaOutbox *outbox, FaSnsClient *client);

/* Commits an alert for every started target (for "sns" when none is
 * started yet); returns FALSE with FA_ERROR_IO on a write failure.
 * @message is the SNS request (stored whole: SNS publishes it as is; its
 * attributes give the alert's camera); @payload (may be NULL) the alert's
 * JSON payload, which non-SNS targets deliver (MQTT publishes it).
 * *@added (optional) is FALSE when @id was already there. */
gboolean fa_outbox_add_alert (FaOutbox *outbox, const gchar *id,
    const FaSnsMessage *message, const gchar *payload, gboolean *added,
    GError **error);
/* fa_outbox_add_alert() without a payload. */
gboolean fa_outbox_add (FaOutbox *outbox, const gchar *id,
    const FaSnsMessage *message, gboolean *added, GError **error);

/* Number of alerts in @state (QUEUED = pending). */
guint fa_outbox_count (FaOutbox *outbox, FaOutboxState state);
/* Number of deliveries to @target in @state. */
guint fa_outbox_count_target (FaOutbox *outbox, const gchar *target,
    FaOutboxState state);

/* Waits until no delivery to a started target is pending, at most
 * @timeout_us, or until fa_outbox_set_flushing (TRUE). Returns TRUE when
 * nothing is pending. */
gboolean fa_outbox_wait_idle (FaOutbox *outbox, gint64 timeout_us);
void fa_outbox_set_flushing (FaOutbox *outbox, gboolean flushing);

/* ---- Inspecting and managing an outbox (the `facealert alerts` CLI) ---- */

/* Opens an existing outbox without taking ownership and without a worker:
 * safe while an alertsink delivers from it (WAL, busy timeout, one
 * transaction per change). FA_ERROR_NOT_FOUND when @path does not exist,
 * FA_ERROR_CORRUPT when it is not an outbox. Close with fa_outbox_close(). */
FaOutbox *fa_outbox_open_existing (const gchar *path, GError **error);
const gchar *fa_outbox_get_path (FaOutbox *outbox);

/* Stored states, as a mask for queries. */
typedef enum {
  FA_OUTBOX_STATE_PENDING = 1 << 0,     /* waiting for (another) attempt */
  FA_OUTBOX_STATE_DELIVERED = 1 << 1,   /* accepted: never sent again */
  FA_OUTBOX_STATE_FAILED = 1 << 2,      /* permanent error: not retried */
  FA_OUTBOX_STATE_ALL = 7,
} FaOutboxStates;

/* "pending", "delivered", "failed" <-> one state (0 for an unknown name;
 * "all" gives FA_OUTBOX_STATE_ALL). */
FaOutboxStates fa_outbox_state_from_name (const gchar *name);
const gchar *fa_outbox_state_name (FaOutboxStates state);

/* One target's delivery of an alert. */
typedef struct {
  gchar *target;            /* "sns", "mqtt" */
  FaOutboxStates state;     /* exactly one state */
  guint attempts;           /* attempts made so far */
  gint64 next_attempt_us;   /* pending: earliest next attempt (0: now) */
  gchar *receipt;           /* delivered: SNS MessageId, MQTT "mid N" */
  gchar *last_error;        /* the last failed attempt's message, or NULL */
  gchar *last_error_code;   /* its short code, or NULL */
  gint64 delivered_us;      /* delivered: real time the target accepted it */
} FaOutboxDelivery;

/* An alert. The members above @deliveries describe the alert as a whole:
 * state from its deliveries (pending, else failed, else delivered),
 * attempts summed, next_attempt_us the soonest, message_id the SNS
 * MessageId (else the first receipt), last_error that of the first
 * delivery not delivered, delivered_us when the last one was. With one SNS
 * target (every alert before targets existed) they are that delivery's. */
struct _FaOutboxAlert {
  gchar *id;                /* the stable alert id (a UUID for alertsink) */
  FaOutboxStates state;     /* exactly one state */
  gint64 created_us;        /* real time it was committed */
  guint attempts;           /* delivery attempts made so far (all targets) */
  gint64 next_attempt_us;   /* pending: earliest next attempt (0: now) */
  gchar *camera;            /* "camera" attribute, else the FIFO group id */
  gchar *topic_arn;         /* or */
  gchar *phone_number;
  gchar *subject;
  gchar *message;           /* as published (a JSON object when json_structure) */
  gboolean json_structure;
  gchar **attributes;       /* NULL or name, value, ..., NULL */
  gchar *deduplication_id;
  gchar *group_id;
  gchar *message_id;        /* delivered: SNS's MessageId */
  gchar *last_error;        /* the last failed attempt's message, or NULL */
  gchar *last_error_code;   /* its short code (fa_sns_error_code()), or NULL */
  gint64 delivered_us;      /* delivered: real time the last target accepted it */
  gchar *payload;           /* the alert's JSON payload, or NULL (older alerts) */
  GPtrArray *deliveries;    /* FaOutboxDelivery*, one per target, in the
                             * order they were added (never NULL) */
};

void fa_outbox_alert_free (FaOutboxAlert *alert);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaOutboxAlert, fa_outbox_alert_free)

typedef struct {
  FaOutboxStates states;    /* 0: all */
  const gchar *camera;      /* NULL: any */
  gint64 since_us;          /* created at or after (0: any) */
  gint64 before_us;         /* created before (0: any) */
  guint limit;              /* at most this many, the newest (0: all) */
  const gchar *target;      /* with states: alerts whose delivery to this
                             * target is in states (NULL: the alert's state) */
} FaOutboxQuery;

/* Alerts matching @query, newest first (FaOutboxAlert*, owned by the array).
 * @query may be NULL (everything). */
GPtrArray *fa_outbox_list (FaOutbox *outbox, const FaOutboxQuery *query,
    GError **error);

/* The alert whose id is @id or starts with @id (at least 4 characters).
 * FA_ERROR_NOT_FOUND when none, FA_ERROR_INVALID_ARGUMENT when the prefix is
 * ambiguous. */
FaOutboxAlert *fa_outbox_get (FaOutbox *outbox, const gchar *id, GError **error);

/* Makes alert @id (full id) due now: its failed deliveries go back to
 * pending (their attempts and last error are kept), pending ones waiting for
 * a backoff are tried at once; delivered ones stay delivered. The id, and so
 * SNS's deduplication on FIFO topics, stays the same. An alert delivered to
 * every target is refused (FA_ERROR_INVALID_ARGUMENT): it is never sent
 * twice. *@previous (optional) is the state it had. */
gboolean fa_outbox_requeue (FaOutbox *outbox, const gchar *id,
    FaOutboxStates *previous, GError **error);
/* Requeues the failed deliveries of every alert (of @camera, when not NULL)
 * in one transaction; returns how many alerts, or -1 with @error set. */
gint fa_outbox_requeue_failed (FaOutbox *outbox, const gchar *camera,
    GError **error);

/* Deletes alerts in @states (delivered and/or failed; never pending) created
 * before @before_us, in one transaction; returns how many, or -1. Snapshot
 * files are left alone. */
gint fa_outbox_purge (FaOutbox *outbox, FaOutboxStates states, gint64 before_us,
    GError **error);

G_END_DECLS
