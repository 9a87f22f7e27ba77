/* facealert: what a sender (fa-kds-sender.c) asks of the outboxes attached
 * to it. Not for other callers. */
#pragma once

#include "fa-kds-outbox.h"

G_BEGIN_DECLS

/* A pending record at the head of its (stream, partition key). */
typedef struct {
  FaKdsOutbox *outbox;     /* not referenced: the sender holds a reference */
  gint64 seq;
  gchar *stream;
  gchar *partition_key;
  gsize size;              /* of the data */
  GBytes *data;            /* NULL until fa_kds_outbox_load_data() */
  guint attempts;
  gint64 created_us;
} FaKdsHead;

void fa_kds_head_clear (gpointer head);

FaKdsOutbox *fa_kds_outbox_ref (FaKdsOutbox *outbox);
void fa_kds_outbox_unref (FaKdsOutbox *outbox);

/* Appends @outbox's head records that are due at @now (real time) to @heads;
 * lowers *@wake_us to when the next one not due yet is. Nothing once closed. */
void fa_kds_outbox_due_heads (FaKdsOutbox *outbox, gint64 now, GArray *heads,
    gint64 *wake_us);
/* Reads @head's data. */
void fa_kds_outbox_load_data (FaKdsOutbox *outbox, FaKdsHead *head);
/* Records what Kinesis said about @n of @outbox's heads (@results[i], or
 * @request_error for the whole request) and notifies. Nothing once closed. */
void fa_kds_outbox_apply (FaKdsOutbox *outbox, FaKdsHead *const *heads,
    FaKinesisPutResult *const *results, guint n, const GError *request_error);

/* The sender's side: outboxes attach and detach, and wake it up. */
void fa_kds_sender_attach (FaKdsSender *sender, FaKdsOutbox *outbox);
void fa_kds_sender_detach (FaKdsSender *sender, FaKdsOutbox *outbox);
void fa_kds_sender_wake (FaKdsSender *sender);

G_END_DECLS
