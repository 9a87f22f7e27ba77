/* facealert: which frames kdssink sends to Kinesis.
 *
 * A frame with faces is sent when what it says differs from the last frame
 * sent: a face (track) came or went, or a face's decision changed (decided,
 * known, name); else at most every @interval while faces stay in view, so a
 * consumer knows they are still there. Frames without faces are never sent
 * (facematch makes no record for them), but the faces' leaving is a change
 * the next frame with faces reports. Pure logic: no GStreamer, no I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 track_id;
  gboolean decided;
  gboolean known;
  const gchar *name;       /* may be NULL */
} FaKdsFace;

typedef struct _FaKdsGate FaKdsGate;

/* @interval_ns: heartbeat while faces stay in view (0: every frame). */
FaKdsGate *fa_kds_gate_new (gint64 interval_ns);
void fa_kds_gate_free (FaKdsGate *gate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaKdsGate, fa_kds_gate_free)

typedef enum {
  FA_KDS_GATE_SKIP,        /* nothing new, heartbeat not due */
  FA_KDS_GATE_CHANGED,     /* faces or decisions changed */
  FA_KDS_GATE_HEARTBEAT,   /* unchanged, but @interval passed */
} FaKdsGateVerdict;

/* Judges a frame at time @now_ns (any monotonic clock) with @n faces. A
 * verdict other than SKIP means: send it (the gate then remembers it as
 * sent; call fa_kds_gate_forget() when the send failed). */
FaKdsGateVerdict fa_kds_gate_check (FaKdsGate *gate, gint64 now_ns,
    const FaKdsFace *faces, guint n);
/* The last verdict's frame was not sent after all: judge the next one as
 * if it had not been seen. */
void fa_kds_gate_forget (FaKdsGate *gate);
/* Forgets everything (a flush, a new stream). */
void fa_kds_gate_reset (FaKdsGate *gate);

G_END_DECLS
