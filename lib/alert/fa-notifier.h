/* facealert: a delivery target of the outbox (SNS, MQTT, ...).
 *
 * The outbox commits an alert once and delivers it to every target it was
 * started with, each with its own state, attempts and backoff (see
 * fa-outbox.h). A target is a name (stored with each delivery: "sns",
 * "mqtt") and these operations, all called from that target's outbox worker
 * thread except cancel():
 *
 *   deliver       sends one alert; returns a receipt (SNS's MessageId, the
 *                 MQTT packet id acknowledged) or NULL with an error. It may
 *                 block (network), never for longer than the target's own
 *                 timeout, and returns soon after cancel().
 *   is_retryable  whether an error from deliver() is worth another attempt
 *                 (network, throttling, broker away) or final (refused).
 *   error_code    a short code for an error message deliver() made, as
 *                 `facealert alerts` shows it ("ConnectFailure", "NotFound").
 *   cancel        (any thread) makes a deliver() in progress return soon.
 *   free          releases the target.
 *
 * A target can tell the outbox it became reachable again (the broker
 * reconnected) with fa_notifier_wake(): its pending deliveries are then
 * tried at once instead of after their backoff.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FaOutboxAlert FaOutboxAlert;
typedef struct _FaNotifier FaNotifier;

typedef struct {
  gchar *(*deliver) (FaNotifier *notifier, const FaOutboxAlert *alert,
      GError **error);
  gboolean (*is_retryable) (FaNotifier *notifier, const GError *error);
  gchar *(*error_code) (FaNotifier *notifier, const gchar *message);
  void (*cancel) (FaNotifier *notifier);
  void (*free) (FaNotifier *notifier);
} FaNotifierClass;

typedef void (*FaNotifierWake) (FaNotifier *notifier, gpointer user_data);

struct _FaNotifier {
  const FaNotifierClass *klass;
  gchar *name;
  /* set by the outbox (under its own locking) */
  FaNotifierWake wake;
  gpointer wake_data;
};

/* Fills the common part of a notifier; @name is copied. */
void fa_notifier_init (FaNotifier *notifier, const FaNotifierClass *klass,
    const gchar *name);
const gchar *fa_notifier_get_name (FaNotifier *notifier);
void fa_notifier_free (FaNotifier *notifier);

/* The target is reachable again: the outbox retries its pending alerts now.
 * Any thread; a no-op before the outbox started the target. */
void fa_notifier_wake (FaNotifier *notifier);

G_END_DECLS
