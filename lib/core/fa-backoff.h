/* facealert: the retry delay of the outboxes (alerts and Kinesis records),
 * one policy for both. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The delay before the next try of something tried @attempts times:
 * @initial_us doubled per earlier attempt, at most @max_us, with +-20 %
 * jitter so that senders that failed together do not retry together. */
static inline gint64
fa_backoff_delay_us (gint64 initial_us, gint64 max_us, guint attempts)
{
  gint64 delay = MIN (initial_us << MIN (attempts, 20), max_us);
  return delay * g_random_double_range (0.8, 1.2);
}

G_END_DECLS
