/* facealert: persons, pets and the faces they hold (one model for object and
 * face tracks).
 *
 * objectdetect gives person, cat and dog boxes; facedetect gives faces; the
 * face tracker (fa-tracker.h) follows the faces. Each frame:
 *
 *  - Person boxes are tracked like faces (an FaTracker on the boxes): stable
 *    ids across frames. A person track's identity is that of the faces it
 *    held: decided once one of them was decided, known once one was decided
 *    known (and known it stays while the track lives: a face turned away
 *    later does not make a household member a stranger).
 *  - A face belongs to the person box that holds it best, or to none. A box
 *    holds a face when at least FA_PERSON_MIN_HOLD of the face's area lies
 *    inside it; pairs are taken best first (the larger share inside, then the
 *    face nearer the box's top, where heads are), one face per person.
 *  - A face that a pet box (any COCO animal: cat, dog, bird, horse, ...)
 *    holds and that no person box holds is vetoed: never embedded, never
 *    decided. The veto sticks to the face track (the cat's "face" stays
 *    vetoed on frames where the cat box is missed) until a person holds it;
 *    a vetoed track forgets what it had gathered.
 *  - When an object detector searches the stream (objectdetect's
 *    "facealert/object-scan" on the buffers), a face that no person holds is
 *    judged only once a fresh search has seen it (a detector pass on a frame
 *    where the face was), at most FA_PERSON_MAX_WAIT_FRAMES frames after it
 *    appeared: between detections (interval, motion gate) a cat walking in
 *    would otherwise be judged before its box exists. A background detection
 *    arrives frames after the frame it looked at (its age): it has seen only
 *    the faces that were already there then.
 *
 * Plain C, no GStreamer: facematch maps metas onto it.
 */
#pragma once

#include <glib.h>

#include "fa-image.h"
#include "fa-object-detector.h"
#include "fa-tracker.h"

G_BEGIN_DECLS

/* Share of a face's area that must lie inside a box for the box to hold it. */
#define FA_PERSON_MIN_HOLD 0.6f
/* Frames a face waits at most for a fresh object search (3 s at 15 fps). */
#define FA_PERSON_MAX_WAIT_FRAMES 45

/* What the frame's object search says. */
typedef enum {
  FA_OBJECT_SCAN_NONE,      /* no object detector upstream */
  FA_OBJECT_SCAN_CARRIED,   /* objects carried over from an earlier detection */
  FA_OBJECT_SCAN_FRESH,     /* the detector's new objects came with this frame */
} FaObjectScan;

/* What to do with a face this frame. */
typedef enum {
  FA_FACE_JUDGE,            /* embed and decide it as usual */
  FA_FACE_WAIT,             /* no fresh object search has seen it yet */
  FA_FACE_VETOED,           /* a pet's "face": never judged */
} FaFaceVerdict;

/* TRUE for a COCO animal class (bird .. giraffe): a pet box. */
gboolean fa_object_is_pet (int class_id);

typedef struct _FaPersonTracker FaPersonTracker;

FaPersonTracker *fa_person_tracker_new (float iou_threshold, guint max_misses);
void fa_person_tracker_free (FaPersonTracker *tracker);
void fa_person_tracker_reset (FaPersonTracker *tracker);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaPersonTracker, fa_person_tracker_free)

/* One frame: @objects (every label; only persons and pets matter), found by
 * the detector @scan_age frames before this one (0: on this frame), and the
 * frame's face tracks (@faces[i]->face.box, after fa_tracker_update()).
 * Sets @persons_out[i] to object i's person track (NULL for other objects;
 * borrowed until the next update), @verdicts[f] for face f, and on each face
 * track held_by (the person track holding it this frame, 0: none) and
 * vetoed. */
void fa_person_tracker_update (FaPersonTracker *tracker, const FaObject *objects,
    guint n_objects, FaObjectScan scan, guint scan_age, FaTrack *const *faces,
    guint n_faces,
    FaTrack **persons_out, FaFaceVerdict *verdicts);

/* After the frame's faces were judged: each held face's decision passes to
 * the person holding it (holds, decided, known, name, similarity). */
void fa_person_tracker_learn (FaPersonTracker *tracker, FaTrack *const *faces,
    guint n_faces);

/* The live person tracks (FaTrack*, borrowed). */
GPtrArray *fa_person_tracker_tracks (FaPersonTracker *tracker);

G_END_DECLS
