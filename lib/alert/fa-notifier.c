/* facealert: delivery targets of the outbox. See fa-notifier.h. */
#include "fa-notifier.h"

void
fa_notifier_init (FaNotifier *notifier, const FaNotifierClass *klass,
    const gchar *name)
{
  notifier->klass = klass;
  notifier->name = g_strdup (name);
  notifier->wake = NULL;
  notifier->wake_data = NULL;
}

const gchar *
fa_notifier_get_name (FaNotifier *notifier)
{
  return notifier->name;
}

void
fa_notifier_wake (FaNotifier *notifier)
{
  FaNotifierWake wake = notifier->wake;
  if (wake != NULL)
    wake (notifier, notifier->wake_data);
}

void
fa_notifier_free (FaNotifier *notifier)
{
  if (notifier == NULL)
    return;
  gchar *name = notifier->name;
  notifier->klass->free (notifier);
  g_free (name);
}
