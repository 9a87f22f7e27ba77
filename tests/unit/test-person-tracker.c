/* Persons, pets and the faces they hold (fa-person-tracker.h), as facematch
 * uses them: faces tracked by FaTracker, objects as objectdetect reports
 * them. */
#include "fa-person-tracker.h"

typedef struct {
  FaTracker *faces;
  FaPersonTracker *persons;
  FaTrack *face_tracks[4];
  FaTrack *person_tracks[4];
  FaFaceVerdict verdicts[4];
} Scene;

static void
scene_init (Scene *s)
{
  s->faces = fa_tracker_new (0.3f, 15);
  s->persons = fa_person_tracker_new (0.3f, 15);
}

static void
scene_clear (Scene *s)
{
  fa_person_tracker_free (s->persons);
  fa_tracker_free (s->faces);
}

/* One frame, as facematch runs it, with objects found @scan_age frames
 * before it (background detection). */
static void
frame_aged (Scene *s, const FaRect *faces, guint n_faces, const FaObject *objects,
    guint n_objects, FaObjectScan scan, guint scan_age)
{
  FaFace f[4] = { 0 };
  g_assert_cmpuint (n_faces, <=, 4);
  for (guint i = 0; i < n_faces; i++) {
    f[i].box = faces[i];
    f[i].score = 0.95f;
  }
  fa_tracker_update (s->faces, f, n_faces, s->face_tracks);
  fa_person_tracker_update (s->persons, objects, n_objects, scan, scan_age,
      s->face_tracks, n_faces, s->person_tracks, s->verdicts);
}

/* One frame whose objects, if fresh, were found on it. */
static void
frame (Scene *s, const FaRect *faces, guint n_faces, const FaObject *objects,
    guint n_objects, FaObjectScan scan)
{
  frame_aged (s, faces, n_faces, objects, n_objects, scan, 0);
}

static FaObject
object (int class_id, float x, float y, float w, float h)
{
  return (FaObject) { { x, y, w, h }, 0.8f, class_id };
}

static void
test_held_by_best_person (void)
{
  Scene s;
  scene_init (&s);
  /* Two people side by side, boxes overlapping; the face lies mostly in the
   * right one. */
  FaObject people[2] = { object (FA_COCO_PERSON, 0, 0, 120, 300),
    object (FA_COCO_PERSON, 90, 10, 120, 300) };
  FaRect face = { 100, 20, 40, 48 };
  frame (&s, &face, 1, people, 2, FA_OBJECT_SCAN_FRESH);
  g_assert_nonnull (s.person_tracks[0]);
  g_assert_nonnull (s.person_tracks[1]);
  g_assert_cmpuint (s.person_tracks[0]->id, !=, s.person_tracks[1]->id);
  g_assert_cmpuint (s.face_tracks[0]->held_by, ==, s.person_tracks[1]->id);
  g_assert_cmpuint (s.person_tracks[1]->holds, ==, s.face_tracks[0]->id);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);

  /* Two faces in one box (a person with a photo on the shirt): the one
   * nearer the top is the person's; the other is nobody's, and judged. */
  scene_init (&s);
  FaObject one = object (FA_COCO_PERSON, 0, 0, 200, 400);
  FaRect faces[2] = { { 60, 200, 40, 48 }, { 70, 20, 40, 48 } };
  frame (&s, faces, 2, &one, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpuint (s.face_tracks[1]->held_by, ==, s.person_tracks[0]->id);
  g_assert_cmpuint (s.face_tracks[0]->held_by, ==, 0);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  g_assert_cmpint (s.verdicts[1], ==, FA_FACE_JUDGE);
  /* A face mostly outside the box: not held. */
  FaRect outside = { 180, 20, 40, 48 };
  frame (&s, &outside, 1, &one, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpuint (s.face_tracks[0]->held_by, ==, 0);
  /* Objects of other labels are no persons. */
  FaObject car = object (2, 0, 0, 200, 400);
  frame (&s, faces, 1, &car, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_null (s.person_tracks[0]);
  g_assert_cmpuint (s.face_tracks[0]->held_by, ==, 0);
  scene_clear (&s);
}

static void
test_pet_veto (void)
{
  Scene s;
  scene_init (&s);
  FaObject cat = object (FA_COCO_CAT, 100, 100, 300, 250);
  FaRect face = { 150, 120, 120, 140 };
  frame (&s, &face, 1, &cat, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_null (s.person_tracks[0]);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_VETOED);
  g_assert_true (s.face_tracks[0]->vetoed);
  guint64 cat_face = s.face_tracks[0]->id;
  /* The cat box is missed on the next frames: the veto sticks. */
  for (guint i = 0; i < 5; i++) {
    frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_FRESH);
    g_assert_cmpuint (s.face_tracks[0]->id, ==, cat_face);
    g_assert_cmpint (s.verdicts[0], ==, FA_FACE_VETOED);
  }
  /* A dog (and any animal) vetoes as a cat does. */
  g_assert_true (fa_object_is_pet (FA_COCO_DOG));
  g_assert_true (fa_object_is_pet (14));        /* bird */
  g_assert_false (fa_object_is_pet (FA_COCO_PERSON));
  g_assert_false (fa_object_is_pet (2));        /* car */
  scene_clear (&s);

  /* A face in a cat box and a person box is the person's, and judged; a
   * person taking the face lifts a veto. */
  scene_init (&s);
  FaObject both[2] = { cat, object (FA_COCO_PERSON, 120, 60, 200, 400) };
  frame (&s, &face, 1, &cat, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_VETOED);
  frame (&s, &face, 1, both, 2, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  g_assert_cmpuint (s.face_tracks[0]->held_by, ==, s.person_tracks[1]->id);
  g_assert_false (s.face_tracks[0]->vetoed);
  /* A face merely touching the cat box is not vetoed. */
  FaRect beside = { 370, 300, 60, 60 };
  frame (&s, &beside, 1, &cat, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);
}

static void
test_veto_forgets_evidence (void)
{
  Scene s;
  scene_init (&s);
  FaRect face = { 150, 120, 120, 140 };
  /* Judged before the cat box came (no object search upstream yet)... */
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_NONE);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  float e[4] = { 1, 0, 0, 0 };
  fa_track_add_embedding (s.face_tracks[0], e, 4);
  s.face_tracks[0]->decided = TRUE;
  fa_track_set_identity (s.face_tracks[0], FALSE, NULL, NULL, 12.0);
  /* ...then the cat box: the decision is gone. */
  FaObject cat = object (FA_COCO_CAT, 100, 100, 300, 250);
  frame (&s, &face, 1, &cat, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_VETOED);
  g_assert_false (s.face_tracks[0]->decided);
  g_assert_cmpuint (s.face_tracks[0]->n_embeddings, ==, 0);
  g_assert_cmpfloat (s.face_tracks[0]->similarity, ==, 0.0);
  scene_clear (&s);
}

static void
test_wait_for_fresh_scan (void)
{
  Scene s;
  scene_init (&s);
  FaRect face = { 150, 120, 60, 70 };
  /* objectdetect upstream, carrying its last (empty) detection: wait. */
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  /* The detector looks and finds no pet: judged from then on. */
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);

  /* A face a person box holds needs no wait. */
  scene_init (&s);
  FaObject person = object (FA_COCO_PERSON, 120, 100, 140, 300);
  frame (&s, &face, 1, &person, 1, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);

  /* A detector that never looks again: judged after the longest wait. */
  scene_init (&s);
  guint waited = 0;
  for (guint i = 0; i < 2 * FA_PERSON_MAX_WAIT_FRAMES; i++) {
    frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
    if (s.verdicts[0] == FA_FACE_WAIT)
      waited++;
  }
  g_assert_cmpuint (waited, ==, FA_PERSON_MAX_WAIT_FRAMES);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);

  /* No object detector upstream: nothing to wait for. */
  scene_init (&s);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_NONE);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);
}

/* A background detection arrives frames after the frame it looked at: it
 * has seen only the faces already there on that frame. */
static void
test_background_scan_age (void)
{
  Scene s;
  scene_init (&s);
  FaRect face = { 150, 120, 60, 70 };
  FaObject cat = object (FA_COCO_CAT, 100, 80, 200, 200);
  /* The cat's face appears; a detection of 5 frames ago (before the cat came
   * in, no objects) arrives on its second frame: it did not see the face. */
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  frame_aged (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_FRESH, 5);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  /* The detection of its first frame finds the pet box: vetoed, not judged. */
  frame_aged (&s, &face, 1, &cat, 1, FA_OBJECT_SCAN_FRESH, 3);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_VETOED);
  scene_clear (&s);

  /* A frame the face was missed on still counts in its life: a detection of
   * the frame before its first has not seen it, one of its first frame has. */
  scene_init (&s);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  frame (&s, NULL, 0, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  frame (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_CARRIED);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  frame_aged (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_FRESH, 4);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_WAIT);
  frame_aged (&s, &face, 1, NULL, 0, FA_OBJECT_SCAN_FRESH, 4);
  g_assert_cmpint (s.verdicts[0], ==, FA_FACE_JUDGE);
  scene_clear (&s);
}

static void
test_person_tracks_and_identity (void)
{
  Scene s;
  scene_init (&s);
  guint64 person_id = 0, face_id = 0;
  /* A person walks right; the face shows from frame 5 on and is decided
   * known at frame 8. */
  for (guint i = 0; i < 20; i++) {
    FaObject person = object (FA_COCO_PERSON, 10 + 8 * i, 40, 120, 300);
    FaRect face = { 50 + 8 * i, 50, 40, 48 };
    gboolean with_face = i >= 5 && i < 12;
    frame (&s, &face, with_face, &person, 1, FA_OBJECT_SCAN_FRESH);
    FaTrack *p = s.person_tracks[0];
    if (person_id == 0)
      person_id = p->id;
    g_assert_cmpuint (p->id, ==, person_id);     /* one track throughout */
    if (with_face) {
      face_id = s.face_tracks[0]->id;
      g_assert_cmpuint (s.face_tracks[0]->held_by, ==, person_id);
      if (i == 8) {
        s.face_tracks[0]->decided = TRUE;
        fa_track_set_identity (s.face_tracks[0], TRUE, "Bob", "face-1", 71.5);
      }
      fa_person_tracker_learn (s.persons, s.face_tracks, 1);
    }
    if (i < 5) {
      g_assert_cmpuint (p->holds, ==, 0);
      g_assert_false (p->decided);
    }
    if (i >= 8) {
      /* Known, and known it stays once the face is turned away. */
      g_assert_true (p->decided);
      g_assert_true (p->known);
      g_assert_cmpstr (p->name, ==, "Bob");
      g_assert_cmpuint (p->holds, ==, face_id);
    }
  }
  scene_clear (&s);

  /* A person whose face is decided unknown: decided, not known. */
  scene_init (&s);
  FaObject person = object (FA_COCO_PERSON, 10, 40, 120, 300);
  FaRect face = { 50, 50, 40, 48 };
  frame (&s, &face, 1, &person, 1, FA_OBJECT_SCAN_FRESH);
  s.face_tracks[0]->decided = TRUE;
  fa_track_set_identity (s.face_tracks[0], FALSE, NULL, NULL, 14.0);
  fa_person_tracker_learn (s.persons, s.face_tracks, 1);
  g_assert_true (s.person_tracks[0]->decided);
  g_assert_false (s.person_tracks[0]->known);
  g_assert_cmpfloat (s.person_tracks[0]->similarity, ==, 14.0);
  /* Gone for longer than max-misses: a new person track next time. */
  guint64 first = s.person_tracks[0]->id;
  for (guint i = 0; i < 17; i++)
    frame (&s, NULL, 0, NULL, 0, FA_OBJECT_SCAN_FRESH);
  frame (&s, NULL, 0, &person, 1, FA_OBJECT_SCAN_FRESH);
  g_assert_cmpuint (s.person_tracks[0]->id, !=, first);
  g_assert_false (s.person_tracks[0]->decided);
  scene_clear (&s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/persons/face-held-by-best-person", test_held_by_best_person);
  g_test_add_func ("/persons/pet-veto", test_pet_veto);
  g_test_add_func ("/persons/veto-forgets-evidence", test_veto_forgets_evidence);
  g_test_add_func ("/persons/wait-for-fresh-scan", test_wait_for_fresh_scan);
  g_test_add_func ("/persons/background-scan-age", test_background_scan_age);
  g_test_add_func ("/persons/tracks-and-identity", test_person_tracks_and_identity);
  return g_test_run ();
}
