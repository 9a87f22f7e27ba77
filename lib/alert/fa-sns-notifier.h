/* facealert: the SNS delivery target of the outbox (fa-notifier.h), over an
 * FaSnsClient: each alert's stored SNS request (topic or phone number,
 * subject, message, attributes, FIFO ids) is published as it was committed.
 * Retryable: network errors, 5xx, throttling; final: the other refusals
 * (fa_sns_error_is_retryable()). The receipt is SNS's MessageId. */
#pragma once

#include "fa-notifier.h"
#include "fa-sns.h"

G_BEGIN_DECLS

#define FA_SNS_TARGET "sns"

/* Takes @client. */
FaNotifier *fa_sns_notifier_new (FaSnsClient *client);

G_END_DECLS
