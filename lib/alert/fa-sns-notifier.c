/* facealert: the SNS delivery target. See fa-sns-notifier.h. */
#include "fa-sns-notifier.h"
#include "fa-outbox.h"

typedef struct {
  FaNotifier parent;
  FaSnsClient *client;
} FaSnsNotifier;

static gchar *
sns_deliver (FaNotifier *notifier, const FaOutboxAlert *alert, GError **error)
{
  FaSnsNotifier *self = (FaSnsNotifier *) notifier;
  FaSnsMessage message = {
    .topic_arn = alert->topic_arn, .phone_number = alert->phone_number,
    .subject = alert->subject, .message = alert->message,
    .json_structure = alert->json_structure,
    .attributes = (const gchar * const *) alert->attributes,
    .deduplication_id = alert->deduplication_id, .group_id = alert->group_id,
  };
  return fa_sns_client_publish (self->client, &message, error);
}

static gboolean
sns_is_retryable (FaNotifier *notifier, const GError *error)
{
  return fa_sns_error_is_retryable (error);
}

static gchar *
sns_error_code (FaNotifier *notifier, const gchar *message)
{
  return fa_sns_error_code (message);
}

static void
sns_cancel (FaNotifier *notifier)
{
  fa_sns_client_cancel (((FaSnsNotifier *) notifier)->client);
}

static void
sns_free (FaNotifier *notifier)
{
  FaSnsNotifier *self = (FaSnsNotifier *) notifier;
  fa_sns_client_free (self->client);
  g_free (self);
}

static const FaNotifierClass sns_class = {
  sns_deliver, sns_is_retryable, sns_error_code, sns_cancel, sns_free,
};

FaNotifier *
fa_sns_notifier_new (FaSnsClient *client)
{
  FaSnsNotifier *self = g_new0 (FaSnsNotifier, 1);
  fa_notifier_init (&self->parent, &sns_class, FA_SNS_TARGET);
  self->client = client;
  return &self->parent;
}
