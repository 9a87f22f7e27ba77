/* facealert: persons, pets and the faces they hold. See fa-person-tracker.h. */
#include "fa-person-tracker.h"

#include <math.h>

struct _FaPersonTracker {
  FaTracker *persons;     /* person boxes, tracked as faces are */
};

typedef struct {
  guint face, person;     /* indices into the frame's faces and persons */
  float hold;             /* share of the face inside the person box */
  float height;           /* face centre below the box top, in box heights */
} Pair;

gboolean
fa_object_is_pet (int class_id)
{
  /* COCO 14..23: bird, cat, dog, horse, sheep, cow, elephant, bear, zebra,
   * giraffe. */
  return class_id >= 14 && class_id <= 23;
}

FaPersonTracker *
fa_person_tracker_new (float iou_threshold, guint max_misses)
{
  FaPersonTracker *tracker = g_new0 (FaPersonTracker, 1);
  tracker->persons = fa_tracker_new (iou_threshold, max_misses);
  return tracker;
}

void
fa_person_tracker_free (FaPersonTracker *tracker)
{
  if (tracker == NULL)
    return;
  fa_tracker_free (tracker->persons);
  g_free (tracker);
}

void
fa_person_tracker_reset (FaPersonTracker *tracker)
{
  fa_tracker_reset (tracker->persons);
}

GPtrArray *
fa_person_tracker_tracks (FaPersonTracker *tracker)
{
  return fa_tracker_tracks (tracker->persons);
}

/* Share of @inner's area inside @outer (0 for an empty @inner). */
static float
hold (const FaRect *inner, const FaRect *outer)
{
  float area = inner->width * inner->height;
  if (area <= 0)
    return 0;
  float w = MIN (inner->x + inner->width, outer->x + outer->width)
      - MAX (inner->x, outer->x);
  float h = MIN (inner->y + inner->height, outer->y + outer->height)
      - MAX (inner->y, outer->y);
  return w > 0 && h > 0 ? w * h / area : 0;
}

static gint
compare_pairs (gconstpointer a, gconstpointer b)
{
  const Pair *pa = a, *pb = b;
  if (fabsf (pa->hold - pb->hold) > 0.05f)
    return pa->hold < pb->hold ? 1 : -1;
  return pa->height < pb->height ? -1 : pa->height > pb->height ? 1 : 0;
}

static FaTrack *
find_person (FaPersonTracker *tracker, guint64 id)
{
  GPtrArray *tracks = fa_tracker_tracks (tracker->persons);
  for (guint i = 0; id != 0 && i < tracks->len; i++) {
    FaTrack *t = g_ptr_array_index (tracks, i);
    if (t->id == id)
      return t;
  }
  return NULL;
}

void
fa_person_tracker_update (FaPersonTracker *tracker, const FaObject *objects,
    guint n_objects, FaObjectScan scan, guint scan_age, FaTrack *const *faces,
    guint n_faces,
    FaTrack **persons_out, FaFaceVerdict *verdicts)
{
  /* The person boxes, tracked. */
  g_autoptr (GArray) boxes = g_array_new (FALSE, TRUE, sizeof (FaFace));
  g_autofree guint *person_object = g_new0 (guint, n_objects + 1);
  for (guint i = 0; i < n_objects; i++) {
    persons_out[i] = NULL;
    if (objects[i].class_id != FA_COCO_PERSON)
      continue;
    FaFace box = { .box = objects[i].box, .score = objects[i].score };
    person_object[boxes->len] = i;
    g_array_append_val (boxes, box);
  }
  guint n_persons = boxes->len;
  g_autofree FaTrack **persons = g_new0 (FaTrack *, n_persons + 1);
  fa_tracker_update (tracker->persons, (FaFace *) boxes->data, n_persons, persons);
  for (guint p = 0; p < n_persons; p++)
    persons_out[person_object[p]] = persons[p];

  /* Which person box holds which face: best pairs first, one face each. */
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  for (guint f = 0; f < n_faces; f++)
    for (guint p = 0; p < n_persons; p++) {
      const FaRect *face = &faces[f]->face.box, *box = &persons[p]->face.box;
      float h = hold (face, box);
      if (h < FA_PERSON_MIN_HOLD)
        continue;
      float centre = face->y + face->height / 2 - box->y;
      Pair pair = { f, p, h, box->height > 0 ? centre / box->height : 1 };
      g_array_append_val (pairs, pair);
    }
  g_array_sort (pairs, compare_pairs);
  g_autofree gboolean *person_taken = g_new0 (gboolean, n_persons + 1);
  for (guint f = 0; f < n_faces; f++)
    faces[f]->held_by = 0;
  for (guint i = 0; i < pairs->len; i++) {
    const Pair *pair = &g_array_index (pairs, Pair, i);
    if (faces[pair->face]->held_by != 0 || person_taken[pair->person])
      continue;
    person_taken[pair->person] = TRUE;
    faces[pair->face]->held_by = persons[pair->person]->id;
    persons[pair->person]->holds = faces[pair->face]->id;
  }

  for (guint f = 0; f < n_faces; f++) {
    FaTrack *face = faces[f];
    gboolean in_pet = FALSE;
    for (guint i = 0; i < n_objects && !in_pet; i++)
      in_pet = fa_object_is_pet (objects[i].class_id)
          && hold (&face->face.box, &objects[i].box) >= FA_PERSON_MIN_HOLD;
    /* The detector looked at a frame of this face's life. */
    if (scan == FA_OBJECT_SCAN_FRESH && scan_age < face->frames_alive)
      face->scanned = TRUE;
    if (face->held_by != 0) {
      face->vetoed = FALSE;
      verdicts[f] = FA_FACE_JUDGE;
      continue;
    }
    if (in_pet && !face->vetoed) {
      face->vetoed = TRUE;
      fa_track_forget_evidence (face);
    }
    if (face->vetoed)
      verdicts[f] = FA_FACE_VETOED;
    else if (scan != FA_OBJECT_SCAN_NONE && !face->scanned
        && face->frames_seen <= FA_PERSON_MAX_WAIT_FRAMES)
      verdicts[f] = FA_FACE_WAIT;
    else
      verdicts[f] = FA_FACE_JUDGE;
  }
}

void
fa_person_tracker_learn (FaPersonTracker *tracker, FaTrack *const *faces,
    guint n_faces)
{
  for (guint f = 0; f < n_faces; f++) {
    FaTrack *person = find_person (tracker, faces[f]->held_by);
    if (person == NULL)
      continue;
    person->holds = faces[f]->id;
    if (!faces[f]->decided || person->known)
      continue;                 /* known stays known for the track's life */
    person->decided = TRUE;
    fa_track_set_identity (person, faces[f]->known, faces[f]->name,
        faces[f]->face_id, faces[f]->similarity);
  }
}
