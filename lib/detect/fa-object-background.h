/* facealert: object detections run off the streaming thread, on threads the
 * cameras of a process share.
 *
 * A detection costs ~35 ms of CPU (FastestDet) where a frame lasts 67 ms at
 * 15 fps. Run in the camera's streaming thread, the detections of several
 * cameras pile up on the cores at once, and the one-frame analysis queue
 * drops the frames that arrive meanwhile: with 8 cameras on 2 cores, 20 % of
 * the frames were never analysed although the machine was a third idle
 * (tests/bench/bench-cameras.sh). Here a detection is queued with a copy of
 * the frame and the frame goes on at once; the objects are collected on a
 * later frame (the first one after the detection finished). Each camera has
 * at most one detection queued or running, so a busy machine lowers every
 * camera's detection rate a little instead of dropping whole frames. The
 * threads (one per core) run at a lower CPU priority (nice +10, Linux: the
 * priority of a thread), so decoding, face detection and recognition, which
 * must see every frame, never wait behind a detection.
 *
 * Frigate does the same with its shared detector process: the cameras hand
 * it frames and go on. */
#pragma once

#include <glib.h>

#include "fa-object-detector.h"

G_BEGIN_DECLS

typedef struct _FaObjectBackground FaObjectBackground;

/* Takes ownership of @detector. The caller may still read its configuration,
 * and update it while fa_object_background_busy() is FALSE. */
FaObjectBackground *fa_object_background_new (FaObjectDetector *detector);

/* Queues a detection on a copy of @image (converted to BGR, so the caller's
 * pixels may go away), unless one of this detector's is still queued or
 * running; @frame_no is handed back with the result. Returns TRUE if queued. */
gboolean fa_object_background_submit (FaObjectBackground *bg, const FaImage *image,
    guint64 frame_no);

/* TRUE while a detection is queued or running. */
gboolean fa_object_background_busy (FaObjectBackground *bg);

/* If a detection finished since the last call: replaces the contents of
 * @objects (GArray of FaObject) with its objects, sets *@frame_no to the
 * frame it looked at and returns 1. Returns 0 when there is nothing new, and
 * -1 with @error set when the detection failed. */
int fa_object_background_collect (FaObjectBackground *bg, GArray *objects, guint64 *frame_no,
    GError **error);

/* Frees @bg and its detector: a detection still queued is skipped, a running
 * one is waited for (one forward pass at most) and its result dropped. */
void fa_object_background_free (FaObjectBackground *bg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaObjectBackground, fa_object_background_free)

G_END_DECLS
