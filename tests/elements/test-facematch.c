/* Element tests: facematch in a GstHarness, fed with a "video" made of test
 * photos, with face ROIs from the YuNet detector library (as facedetect
 * attaches them). Real collections on disk, real models. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>

#include "fa-collection.h"
#include "fa-detector.h"
#include "fa-embedder.h"
#include "fa-face-analyzer.h"
#include "fa-meta.h"
#include "fa-recognize-defaults.h"
#include "fa-sightings.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#define WIDTH 640
#define HEIGHT 360
#define CAPS "video/x-raw,format=BGR,width=640,height=360,framerate=10/1"

static gchar *tmp_dir;
static gchar *collections_dir;
static gchar *sightings_dir;

/* A 640x360 grey frame with @photo scaled to fit 300x300 at (@x, 30), and
 * the faces YuNet finds in it as ROIs. */
typedef struct {
  GstBuffer *buffer;   /* template: copied for every push */
} Scene;

static void
blit (guint8 *frame, const FaImage *photo, int x0, int y0, int box)
{
  double scale = MIN (1.0, MIN ((double) box / photo->width, (double) box / photo->height));
  int w = (int) (photo->width * scale), h = (int) (photo->height * scale);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guint8 *src = photo->planes[0] + (gsize) (int) (y / scale) * photo->strides[0]
          + 3 * (int) (x / scale);
      memcpy (frame + (gsize) (y0 + y) * WIDTH * 3 + 3 * (x0 + x), src, 3);
    }
}

static Scene
make_scene (const gchar *relative, int x)
{
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_assert_no_error (error);

  GstBuffer *buffer = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
  GstMapInfo map;
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  memset (map.data, 128, map.size);
  blit (map.data, fa_picture_image (picture), x, 30, 300);
  FaImage frame = {FA_PIXEL_BGR, WIDTH, HEIGHT, {map.data}, {WIDTH * 3}};

  FaDetectorConfig config;
  fa_detector_config_init (&config, FA_DETECT_YUNET);
  g_autoptr (FaDetector) detector = fa_detector_new (&config, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  g_assert_cmpint (fa_detector_detect (detector, &frame, faces, &error), ==, 1);
  gst_buffer_unmap (buffer, &map);
  fa_meta_add_face (buffer, &g_array_index (faces, FaFace, 0), "yunet");
  return (Scene) {buffer};
}

static GstBuffer *
scene_frame (Scene *scene, guint index)
{
  GstBuffer *copy = gst_buffer_copy_deep (scene->buffer);
  GST_BUFFER_PTS (copy) = index * GST_SECOND / 10;
  GST_BUFFER_DURATION (copy) = GST_SECOND / 10;
  return copy;
}

/* Enrols @relative as @name in collection "home" (created if needed). */
static void
enrol (const gchar *name, const gchar *relative)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaCollectionStore) store = fa_collection_store_open (collections_dir, TRUE, 0,
      &error);
  g_assert_no_error (error);
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  g_assert_no_error (error);
  g_autoptr (FaCollectionInfo) info = fa_collection_get (store, "home", NULL);
  if (info == NULL)
    info = fa_collection_create (store, "home", fa_face_analyzer_model_name (analyzer),
        fa_face_analyzer_model_version (analyzer), &error);
  g_assert_no_error (error);
  g_autofree gchar *path = fa_test_data_path (relative);
  g_autoptr (FaPicture) picture = fa_picture_load (path, &error);
  g_autoptr (FaIndexResult) r = fa_face_analyzer_index (analyzer, fa_picture_image (picture),
      name, 1, FA_QUALITY_FILTER_AUTO, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) faces = g_ptr_array_new ();
  g_ptr_array_add (faces, ((FaAnalyzedFace *) g_ptr_array_index (r->indexed, 0))->stored);
  g_assert_true (fa_collection_add_faces (store, "home", faces, &error));
  g_assert_no_error (error);
}

static void
setup (void)
{
  tmp_dir = fa_test_make_tmpdir ("fa-facematch");
  collections_dir = g_build_filename (tmp_dir, "collections", NULL);
  sightings_dir = g_build_filename (tmp_dir, "sightings", NULL);
  g_setenv ("FACEALERT_COLLECTIONS_DIR", collections_dir, TRUE);
  g_setenv ("FACEALERT_SIGHTINGS_DIR", sightings_dir, TRUE);
}

static void
teardown (void)
{
  fa_test_rm_rf (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&collections_dir, g_free);
  g_clear_pointer (&sightings_dir, g_free);
  g_unsetenv ("FACEALERT_MODELS_DIR");
}

static GstElement *
make_facematch (void)
{
  GstElement *element = gst_element_factory_make ("facematch", NULL);
  fail_unless (element != NULL, "facematch is not registered");
  g_object_set (element, "collection", "home", "embed-interval", 2, "min-track-evidence", 2,
      "max-track-embeddings", 3, "refresh-interval", 100, NULL);
  return element;
}

typedef struct {
  gboolean found;
  guint64 track_id;
  gboolean known, decided;
  gchar *name;
  gdouble similarity;
  gchar *record;
} Identity;

static Identity
read_identity (GstBuffer *buffer)
{
  Identity id = {0};
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstStructure *s = gst_video_region_of_interest_meta_get_param (
        (GstVideoRegionOfInterestMeta *) meta, FA_META_IDENTITY);
    if (s == NULL)
      continue;
    id.found = TRUE;
    fail_unless (gst_structure_get (s, "track-id", G_TYPE_UINT64, &id.track_id,
            "known", G_TYPE_BOOLEAN, &id.known, "decided", G_TYPE_BOOLEAN, &id.decided,
            "name", G_TYPE_STRING, &id.name, "similarity", G_TYPE_DOUBLE, &id.similarity,
            "record", G_TYPE_STRING, &id.record, NULL));
    fail_unless (gst_structure_has_field_typed (s, "face-id", G_TYPE_STRING));
  }
  return id;
}

static void
identity_clear (Identity *id)
{
  g_clear_pointer (&id->name, g_free);
  g_clear_pointer (&id->record, g_free);
}

/* Pushes one frame and returns the identity on the output frame. */
static Identity
push_frame (GstHarness *h, Scene *scene, guint index)
{
  GstBuffer *in = scene_frame (scene, index);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  GstBuffer *out = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), index * GST_SECOND / 10);
  Identity id = read_identity (out);
  gst_buffer_unref (out);
  fail_unless (id.found, "no identity on frame %u", index);
  return id;
}

static JsonNode *
parse_json (const gchar *text)
{
  GError *error = NULL;
  JsonNode *node = json_from_string (text, &error);
  fail_unless (node != NULL, "bad JSON: %s", error != NULL ? error->message : "");
  return node;
}

GST_START_TEST (test_known_and_unknown_tracks)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  enrol ("Eric_Clapton", "people/Eric_Clapton/1.jpg");
  Scene lennon = make_scene ("people/John_Lennon/2.jpg", 20);
  Scene stranger = make_scene ("unknown_faces/Amy_Adams.jpg", 320);

  GstElement *element = make_facematch ();
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (element, bus);
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);

  Identity first = push_frame (h, &lennon, 0);
  fail_if (first.decided, "decided after one embedding (min-track-evidence=2)");
  guint64 lennon_track = first.track_id;
  identity_clear (&first);
  Identity id = {0};
  for (guint i = 1; i < 10; i++) {
    identity_clear (&id);
    id = push_frame (h, &lennon, i);
    fail_unless_equals_uint64 (id.track_id, lennon_track);
  }
  fail_unless (id.decided && id.known, "the enrolled person is not known");
  fail_unless_equals_string (id.name, "John_Lennon");
  fail_unless (id.similarity >= FA_DEFAULT_FACE_MATCH_THRESHOLD);

  /* The ROI's record: a FaceSearchResponse entry with the track id. */
  g_autoptr (JsonNode) entry = parse_json (id.record);
  JsonObject *o = json_node_get_object (entry);
  fail_unless_equals_int64 (json_object_get_int_member (o, "TrackId"), (gint64) lennon_track);
  JsonObject *box = json_object_get_object_member (json_object_get_object_member (o,
          "DetectedFace"), "BoundingBox");
  gdouble left = json_object_get_double_member (box, "Left");
  fail_unless (left > 0.0 && left < 0.5, "BoundingBox.Left %f is not a ratio", left);
  JsonArray *matched = json_object_get_array_member (o, "MatchedFaces");
  fail_unless (json_array_get_length (matched) >= 1);
  JsonObject *face = json_object_get_object_member (json_array_get_object_element (matched, 0),
      "Face");
  fail_unless_equals_string (json_object_get_string_member (face, "ExternalImageId"),
      "John_Lennon");
  identity_clear (&id);

  for (guint i = 10; i < 20; i++) {
    identity_clear (&id);
    id = push_frame (h, &stranger, i);
  }
  fail_if (id.track_id == lennon_track, "the stranger continued the known track");
  fail_unless (id.decided, "the stranger's track is undecided");
  fail_if (id.known, "the stranger was recognised as %s", id.name);
  fail_unless_equals_string (id.name, "");
  fail_unless (id.similarity < FA_DEFAULT_FACE_MATCH_THRESHOLD);
  guint64 stranger_track = id.track_id;
  identity_clear (&id);

  /* One facematch message per frame; the last one is the stranger's. */
  guint n_messages = 0;
  GstMessage *msg, *last = NULL;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    if (gst_message_has_name (msg, "facematch")) {
      n_messages++;
      gst_clear_message (&last);
      last = msg;
    } else {
      gst_message_unref (msg);
    }
  }
  fail_unless_equals_int (n_messages, 20);
  const GstStructure *s = gst_message_get_structure (last);
  guint n_unknown = 0, n_faces = 0;
  fail_unless (gst_structure_get_uint (s, "n-unknown", &n_unknown)
      && gst_structure_get_uint (s, "n-faces", &n_faces));
  fail_unless_equals_int (n_unknown, 1);
  fail_unless_equals_int (n_faces, 1);
  const GValue *faces = gst_structure_get_value (s, "faces");
  fail_unless_equals_int (gst_value_list_get_size (faces), 1);
  const GstStructure *f0 = gst_value_get_structure (gst_value_list_get_value (faces, 0));
  guint64 track = 0;
  fail_unless (gst_structure_get_uint64 (f0, "track-id", &track));
  fail_unless_equals_uint64 (track, stranger_track);
  g_autoptr (JsonNode) record = parse_json (gst_structure_get_string (s, "record"));
  JsonObject *r = json_node_get_object (record);
  fail_unless (json_object_has_member (r, "InputInformation"));
  fail_unless_equals_string (json_object_get_string_member (json_object_get_object_member (r,
              "StreamProcessorInformation"), "Status"), "RUNNING");
  JsonArray *responses = json_object_get_array_member (r, "FaceSearchResponse");
  fail_unless_equals_int (json_array_get_length (responses), 1);
  JsonObject *resp = json_array_get_object_element (responses, 0);
  fail_unless_equals_int64 (json_object_get_int_member (resp, "TrackId"), (gint64) stranger_track);
  fail_unless_equals_int (json_array_get_length (json_object_get_array_member (resp,
              "MatchedFaces")), 0);
  gst_message_unref (last);

  gst_harness_teardown (h);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
}
GST_END_TEST;

GST_START_TEST (test_enrolment_while_playing)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene simm = make_scene ("people/John_Simm/3.jpg", 200);

  GstElement *element = make_facematch ();
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);

  guint index = 0;
  Identity id = {0};
  for (; index < 6; index++) {
    identity_clear (&id);
    id = push_frame (h, &simm, index);
  }
  fail_unless (id.decided && !id.known, "John_Simm known before his enrolment");
  guint64 track = id.track_id;
  identity_clear (&id);

  /* Another process enrols him while the pipeline runs. */
  g_autofree gchar *photo = fa_test_data_path ("people/John_Simm/2.jpg");
  const gchar *argv[] = {"facealert", "faces", "index", "--collection", "home", "--name",
    "John_Simm", photo, NULL};
  gint status = -1;
  g_autofree gchar *err = NULL;
  GError *error = NULL;
  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH
          | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error));
  fail_unless (g_spawn_check_wait_status (status, NULL), "facealert failed: %s", err);

  /* The running element picks him up within a few seconds, same track. */
  gint64 enrolled_at = g_get_monotonic_time ();
  gint64 deadline = enrolled_at + 10 * G_USEC_PER_SEC;
  gboolean known = FALSE;
  while (!known && g_get_monotonic_time () < deadline) {
    id = push_frame (h, &simm, index++);
    fail_unless_equals_uint64 (id.track_id, track);
    known = id.known && g_strcmp0 (id.name, "John_Simm") == 0;
    identity_clear (&id);
    if (!known)
      g_usleep (20 * 1000);   /* frame pacing while waiting for the refresh */
  }
  fail_unless (known, "enrolment during PLAYING not used within 10 s");
  GST_INFO ("recognised %.2f s after enrolment",
      (g_get_monotonic_time () - enrolled_at) / 1e6);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* ---- persons and pets (objectdetect's ROIs, added here as it adds them) ---- */

/* Adds an object ROI and, once per frame, objectdetect's scan meta. */
static void
add_object (GstBuffer *buffer, int class_id, float x, float y, float w, float h)
{
  FaObject object = { { x, y, w, h }, 0.8f, class_id };
  fa_meta_add_object (buffer, &object, "yolox", TRUE);
}

/* The frame's "facealert/person" structures' fields, and the face's. */
typedef struct {
  guint64 track_id, face_track_id;
  gboolean known, decided;
  gchar *name;
} PersonIdentity;

static PersonIdentity
read_person (GstBuffer *buffer)
{
  PersonIdentity p = { 0 };
  guint n = 0;
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    GstStructure *s = gst_video_region_of_interest_meta_get_param (roi, FA_META_PERSON);
    if (s == NULL)
      continue;
    fail_unless_equals_string (g_quark_to_string (roi->roi_type), "person");
    fail_unless (gst_structure_get (s, "track-id", G_TYPE_UINT64, &p.track_id,
            "face-track-id", G_TYPE_UINT64, &p.face_track_id, "known", G_TYPE_BOOLEAN,
            &p.known, "decided", G_TYPE_BOOLEAN, &p.decided, "name", G_TYPE_STRING, &p.name,
            NULL));
    n++;
  }
  fail_unless_equals_int (n, 1);
  return p;
}

static GstStructure *
face_identity (GstBuffer *buffer)
{
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstStructure *s = gst_video_region_of_interest_meta_get_param (
        (GstVideoRegionOfInterestMeta *) meta, FA_META_IDENTITY);
    if (s != NULL)
      return s;
  }
  return NULL;
}

/* Pushes frame @index of @scene with @class_id's box around the photo
 * (x .. x + 300) and objectdetect's scan meta (@fresh, found @age frames
 * before); returns the output. */
static GstBuffer *
push_with_aged_object (GstHarness *h, Scene *scene, guint index, int class_id, float x,
    gboolean fresh, guint age)
{
  GstBuffer *in = scene_frame (scene, index);
  if (class_id >= 0)
    add_object (in, class_id, x, 20, 300, 330);
  fa_meta_add_object_scan (in, "yolox", fresh, age, "person,cat,dog", class_id >= 0);
  fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
  return gst_harness_pull (h);
}

static GstBuffer *
push_with_object (GstHarness *h, Scene *scene, guint index, int class_id, float x,
    gboolean fresh)
{
  return push_with_aged_object (h, scene, index, class_id, x, fresh, 0);
}

/* The number of faces in @buffer's frame record (FaceSearchResponse). */
static guint
record_faces (GstBuffer *buffer)
{
  const gchar *text = fa_meta_get_frame_record (buffer);
  fail_unless (text != NULL, "no frame record");
  g_autoptr (JsonNode) root = json_from_string (text, NULL);
  fail_unless (root != NULL);
  return json_array_get_length (json_object_get_array_member (json_node_get_object (root),
          "FaceSearchResponse"));
}

/* @buffer's face is waiting for objectdetect's look. */
static gboolean
face_waiting (GstBuffer *buffer)
{
  gboolean waiting = FALSE;
  fail_unless (gst_structure_get_boolean (face_identity (buffer), "waiting", &waiting));
  return waiting;
}

GST_START_TEST (test_face_in_cat_box_never_decided)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene stranger = make_scene ("unknown_faces/Amy_Adams.jpg", 320);

  /* The control: without the cat box the same face is decided unknown. */
  GstHarness *h = gst_harness_new_with_element (make_facematch (), "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  gboolean decided = FALSE;
  for (guint i = 0; i < 10 && !decided; i++) {
    GstBuffer *out = push_with_object (h, &stranger, i, -1, 0, TRUE);
    gst_structure_get_boolean (face_identity (out), "decided", &decided);
    gst_buffer_unref (out);
  }
  fail_unless (decided, "the control face was not decided in 10 frames");
  gst_harness_teardown (h);

  /* In a cat box: never embedded, never decided, never in the record. */
  GstElement *element = make_facematch ();
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (element, bus);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  for (guint i = 0; i < 30; i++) {
    /* The cat box is missed on some frames: the veto sticks to the track. */
    gboolean cat_seen = i % 4 != 3;
    GstBuffer *out = push_with_object (h, &stranger, i, cat_seen ? FA_COCO_CAT : -1, 320,
        TRUE);
    GstStructure *id = face_identity (out);
    fail_unless (id != NULL);
    gboolean vetoed = FALSE;
    guint64 person = 1;
    fail_unless (gst_structure_get (id, "decided", G_TYPE_BOOLEAN, &decided,
            "vetoed", G_TYPE_BOOLEAN, &vetoed, "person-track-id", G_TYPE_UINT64, &person,
            NULL));
    fail_if (decided, "a face in a cat box was decided (frame %u)", i);
    fail_unless (vetoed, "frame %u: not vetoed", i);
    fail_unless_equals_uint64 (person, 0);
    fail_if (gst_structure_has_field (id, "record"));
    gst_buffer_unref (out);
  }
  GstMessage *msg;
  guint n_messages = 0;
  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT)) != NULL) {
    if (gst_message_has_name (msg, "facematch")) {
      const GstStructure *s = gst_message_get_structure (msg);
      guint n_vetoed = 0, n_faces = 1, n_unknown = 1;
      fail_unless (gst_structure_get (s, "n-vetoed", G_TYPE_UINT, &n_vetoed, "n-faces",
              G_TYPE_UINT, &n_faces, "n-unknown", G_TYPE_UINT, &n_unknown, NULL));
      fail_unless_equals_int (n_vetoed, 1);
      fail_unless_equals_int (n_faces, 0);
      fail_unless_equals_int (n_unknown, 0);
      fail_unless_equals_int (gst_value_list_get_size (gst_structure_get_value (s, "faces")),
          0);
      n_messages++;
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (n_messages, 30);
  gst_harness_teardown (h);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
}
GST_END_TEST;

GST_START_TEST (test_person_tracks)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene lennon = make_scene ("people/John_Lennon/2.jpg", 20);
  Scene stranger = make_scene ("unknown_faces/Amy_Adams.jpg", 320);
  GstHarness *h = gst_harness_new_with_element (make_facematch (), "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);

  /* A household member in a person box: the face is the person's, and the
   * person is known once the face is. */
  guint64 person_track = 0, face_track = 0;
  PersonIdentity p = { 0 };
  for (guint i = 0; i < 10; i++) {
    GstBuffer *out = push_with_object (h, &lennon, i, FA_COCO_PERSON, 20, i % 3 == 0);
    GstStructure *id = face_identity (out);
    guint64 held_by = 0;
    fail_unless (gst_structure_get (id, "person-track-id", G_TYPE_UINT64, &held_by,
            "track-id", G_TYPE_UINT64, &face_track, NULL));
    g_free (p.name);
    p = read_person (out);
    if (person_track == 0)
      person_track = p.track_id;
    fail_unless_equals_uint64 (p.track_id, person_track);
    fail_unless_equals_uint64 (held_by, person_track);
    fail_unless_equals_uint64 (p.face_track_id, face_track);
    gst_buffer_unref (out);
  }
  fail_unless (p.known && p.decided, "the person holding a known face is not known");
  fail_unless_equals_string (p.name, "John_Lennon");
  g_free (p.name);

  /* He turns away (no face in the box): still the same known person. */
  for (guint i = 10; i < 14; i++) {
    GstBuffer *in = gst_buffer_new_allocate (NULL, WIDTH * HEIGHT * 3, NULL);
    gst_buffer_memset (in, 0, 128, WIDTH * HEIGHT * 3);
    GST_BUFFER_PTS (in) = i * GST_SECOND / 10;
    add_object (in, FA_COCO_PERSON, 20, 20, 300, 330);
    fa_meta_add_object_scan (in, "yolox", TRUE, 0, "person,cat,dog", 1);
    fail_unless_equals_int (gst_harness_push (h, in), GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (h);
    fail_unless (face_identity (out) == NULL);
    p = read_person (out);
    fail_unless_equals_uint64 (p.track_id, person_track);
    fail_unless (p.known);
    fail_unless_equals_uint64 (p.face_track_id, face_track);
    g_free (p.name);
    gst_buffer_unref (out);
  }

  /* A stranger in another place: a new person, decided, not known. */
  for (guint i = 14; i < 24; i++) {
    GstBuffer *out = push_with_object (h, &stranger, i, FA_COCO_PERSON, 320, TRUE);
    p = read_person (out);
    if (i < 23)
      g_free (p.name);
    gst_buffer_unref (out);
  }
  fail_if (p.track_id == person_track, "the stranger continued the household's person");
  fail_unless (p.decided && !p.known);
  fail_unless_equals_string (p.name, "");
  g_free (p.name);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_wait_for_object_search)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene stranger = make_scene ("unknown_faces/Amy_Adams.jpg", 320);
  GstHarness *h = gst_harness_new_with_element (make_facematch (), "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  /* objectdetect upstream, between two detections: the face waits (the
   * control above decides it within 10 frames) and is in no record (it may
   * be a pet's)... */
  for (guint i = 0; i < 13; i++) {
    /* Frame 12: a background detection of the frame before the face came. */
    GstBuffer *out = push_with_aged_object (h, &stranger, i, -1, 0, i == 12, 13);
    gboolean decided = TRUE;
    gst_structure_get_boolean (face_identity (out), "decided", &decided);
    fail_if (decided, "decided before objectdetect looked (frame %u)", i);
    fail_unless (face_waiting (out), "frame %u: not waiting", i);
    fail_unless_equals_int (record_faces (out), 0);
    gst_buffer_unref (out);
  }
  /* ...and is judged once the detector has looked at a frame with it (one
   * of its first, here) and seen no pet. */
  gboolean decided = FALSE;
  for (guint i = 13; i < 24 && !decided; i++) {
    GstBuffer *out = push_with_aged_object (h, &stranger, i, -1, 0, i == 13, 12);
    gst_structure_get_boolean (face_identity (out), "decided", &decided);
    fail_if (face_waiting (out));
    fail_unless_equals_int (record_faces (out), 1);
    gst_buffer_unref (out);
  }
  fail_unless (decided);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* READY -> PAUSED must fail with an error naming what is wrong. */
static void
check_fails_to_pause (GstElement *element, const gchar *expected)
{
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (element, bus);
  fail_unless_equals_int (gst_element_set_state (element, GST_STATE_PAUSED),
      GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  GError *error = NULL;
  gchar *debug = NULL;
  gst_message_parse_error (msg, &error, &debug);
  g_autofree gchar *all = g_strdup_printf ("%s %s", error->message, debug);
  fail_unless (strstr (all, expected) != NULL, "error \"%s\" does not mention %s", all,
      expected);
  g_error_free (error);
  g_free (debug);
  gst_message_unref (msg);
  gst_element_set_state (element, GST_STATE_NULL);
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  gst_object_unref (element);
}

GST_START_TEST (test_missing_collection_fails)
{
  /* No database at all. */
  check_fails_to_pause (make_facematch (), "create a collection first");
  /* A database without that collection. */
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  GstElement *element = make_facematch ();
  g_object_set (element, "collection", "garage", NULL);
  check_fails_to_pause (element, "\"garage\" does not exist");
  /* No collection set. */
  element = gst_element_factory_make ("facematch", NULL);
  check_fails_to_pause (element, "collection property");
}
GST_END_TEST;

GST_START_TEST (test_missing_or_corrupt_model_fails)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  g_autofree gchar *models = g_build_filename (tmp_dir, "models", NULL);
  g_mkdir_with_parents (models, 0700);
  g_setenv ("FACEALERT_MODELS_DIR", models, TRUE);
  check_fails_to_pause (make_facematch (), FA_EMBED_MOBILEFACENET_FILE);
  g_autofree gchar *model = g_build_filename (models, FA_EMBED_MOBILEFACENET_FILE, NULL);
  g_file_set_contents (model, "garbage", -1, NULL);
  check_fails_to_pause (make_facematch (), "cannot load MobileFaceNet model");
}
GST_END_TEST;

GST_START_TEST (test_state_cycling)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  GstElement *element = make_facematch ();
  for (int i = 0; i < 3; i++) {
    fail_unless (gst_element_set_state (element, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_set_state (element, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE);
  }
  gst_element_set_state (element, GST_STATE_NULL);
  gst_object_unref (element);
}
GST_END_TEST;

/* Pushes @n frames of @scene from @index on; returns the last identity. */
static Identity
push_frames (GstHarness *h, Scene *scene, guint *index, guint n)
{
  Identity id = {0};
  for (guint i = 0; i < n; i++) {
    identity_clear (&id);
    id = push_frame (h, scene, (*index)++);
  }
  return id;
}

static GPtrArray *
list_sightings (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FaSightingStore) store = fa_sighting_store_open (sightings_dir, FALSE, 0, &error);
  fail_unless (store != NULL, "no sightings store: %s", error != NULL ? error->message : "");
  GPtrArray *list = fa_sighting_store_list (store, NULL, TRUE, &error);
  fail_unless (list != NULL);
  return list;
}

/* Every decided track leaves a sighting: best face crop (a JPEG), mean
 * embedding, camera, times and decision; written when the element stops. */
GST_START_TEST (test_sightings_recorded)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene lennon = make_scene ("people/John_Lennon/2.jpg", 20);
  Scene stranger = make_scene ("unknown_faces/Amy_Adams.jpg", 320);
  GstElement *element = make_facematch ();
  g_object_set (element, "stream-name", "front-door", NULL);
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  guint index = 0;
  Identity a = push_frames (h, &lennon, &index, 10);
  fail_unless (a.decided && a.known);
  Identity b = push_frames (h, &stranger, &index, 10);
  fail_unless (b.decided && !b.known);
  gint64 before_stop = g_get_real_time () / 1000;
  gst_harness_teardown (h);

  g_autoptr (GPtrArray) list = list_sightings ();
  fail_unless_equals_int (list->len, 2);
  FaSighting *known = list->pdata[1], *unknown = list->pdata[0];   /* newest first */
  fail_unless_equals_string (known->camera, "front-door");
  fail_unless_equals_int (known->decision, FA_SIGHTING_KNOWN);
  fail_unless_equals_string (known->name, "John_Lennon");
  fail_unless_equals_uint64 (known->track_id, a.track_id);
  fail_unless_equals_string (known->collection, "home");
  fail_unless_equals_int (unknown->decision, FA_SIGHTING_UNKNOWN);
  fail_unless (unknown->name == NULL);
  fail_unless_equals_uint64 (unknown->track_id, b.track_id);
  for (guint i = 0; i < 2; i++) {
    FaSighting *s = list->pdata[i];
    fail_unless (s->first_seen_ms <= s->decided_ms && s->decided_ms <= s->last_seen_ms);
    fail_unless (s->last_seen_ms <= before_stop);
    fail_unless_equals_int (s->dim, 128);
    fail_unless (s->n_embeddings >= 2 && s->n_embeddings <= 3);
    fail_unless_equals_int (s->frame_width, WIDTH);
    fail_unless (s->box.width >= 32 && s->face_score > 0.5f);
  }
  /* The crop is a JPEG of the face, readable back by id only. */
  g_autoptr (GError) error = NULL;
  g_autoptr (FaSightingStore) store = fa_sighting_store_open (sightings_dir, FALSE, 0, &error);
  g_autoptr (GBytes) jpeg = fa_sighting_store_get_crop (store, known->id, &error);
  fail_unless (jpeg != NULL, "no crop: %s", error != NULL ? error->message : "");
  g_autoptr (FaPicture) crop = fa_picture_decode (g_bytes_get_data (jpeg, NULL),
      g_bytes_get_size (jpeg), &error);
  fail_unless (crop != NULL);
  fail_unless_equals_int (fa_picture_image (crop)->width, known->crop_width);
  fail_unless (known->crop_width > known->box.width && known->crop_width <= 256);
  /* Private to its owner. */
  struct stat st;
  fail_unless (g_stat (fa_sighting_store_path (store), &st) == 0);
  fail_unless_equals_int (st.st_mode & 0777, 0600);
  fail_unless (g_stat (sightings_dir, &st) == 0);
  fail_unless_equals_int (st.st_mode & 0777, 0700);
  identity_clear (&a);
  identity_clear (&b);
}
GST_END_TEST;

GST_START_TEST (test_sightings_off)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene lennon = make_scene ("people/John_Lennon/2.jpg", 20);
  GstElement *element = make_facematch ();
  g_object_set (element, "record-sightings", FALSE, NULL);
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  guint index = 0;
  Identity a = push_frames (h, &lennon, &index, 8);
  fail_unless (a.decided);
  identity_clear (&a);
  gst_harness_teardown (h);
  fail_if (g_file_test (sightings_dir, G_FILE_TEST_EXISTS), "sightings written while off");
}
GST_END_TEST;

GST_START_TEST (test_bad_sightings_dir_fails)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  g_autofree gchar *file = g_build_filename (tmp_dir, "a-file", NULL);
  g_file_set_contents (file, "x", -1, NULL);
  g_autofree gchar *under_file = g_build_filename (file, "sightings", NULL);
  GstElement *element = make_facematch ();
  g_object_set (element, "sightings-dir", under_file, NULL);
  check_fails_to_pause (element, "record-sightings=false");
}
GST_END_TEST;

/* "This is not X": a stranger whom a careless threshold takes for someone
 * of the household is rejected as that person; the same face never
 * matches that name again, here or in a new pipeline run. */
GST_START_TEST (test_rejected_sighting_no_longer_matches)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  enrol ("Eric_Clapton", "people/Eric_Clapton/1.jpg");
  enrol ("Anthony_Hopkins", "people/Anthony_Hopkins/1.jpg");
  Scene stranger = make_scene ("unknown_faces/Steve_Carell.jpg", 200);
  GstElement *element = make_facematch ();
  g_object_set (element, "face-match-threshold", 1.0, NULL);
  GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  guint index = 0;
  Identity wrong = push_frames (h, &stranger, &index, 8);
  fail_unless (wrong.decided && wrong.known, "at threshold 1 the stranger matched nobody");
  gst_harness_teardown (h);

  g_autoptr (GPtrArray) list = list_sightings ();
  fail_unless_equals_int (list->len, 1);
  FaSighting *s = list->pdata[0];
  fail_unless_equals_string (s->name, wrong.name);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaSightingStore) sightings = fa_sighting_store_open (sightings_dir, FALSE, 0, &error);
  g_autoptr (FaCollectionStore) collections = fa_collection_store_open (collections_dir, FALSE, 0,
      &error);
  fail_unless (fa_sightings_reject (sightings, collections, NULL, s->id, wrong.name, &error),
      "reject: %s", error != NULL ? error->message : "");

  element = make_facematch ();
  g_object_set (element, "face-match-threshold", 1.0, NULL);
  h = gst_harness_new_with_element (element, "sink", "src");
  gst_harness_set_src_caps_str (h, CAPS);
  Identity again = push_frames (h, &stranger, &index, 8);
  fail_unless (again.decided);
  fail_if (g_strcmp0 (again.name, wrong.name) == 0, "the rejected face matched %s again",
      wrong.name);
  gst_harness_teardown (h);
  identity_clear (&wrong);
  identity_clear (&again);
}
GST_END_TEST;

/* The frame's record rides on the buffer (for kdssink), the same text as the
 * message, also with post-messages=false; entries say whether the track is
 * decided. */
GST_START_TEST (test_frame_record_meta)
{
  enrol ("John_Lennon", "people/John_Lennon/1.jpg");
  Scene lennon = make_scene ("people/John_Lennon/2.jpg", 40);
  for (gint post = 1; post >= 0; post--) {
    GstElement *element = make_facematch ();
    g_object_set (element, "post-messages", post, NULL);
    GstBus *bus = gst_bus_new ();
    gst_element_set_bus (element, bus);
    GstHarness *h = gst_harness_new_with_element (element, "sink", "src");
    gst_harness_set_src_caps_str (h, CAPS);
    for (guint i = 0; i < 4; i++) {
      fail_unless_equals_int (gst_harness_push (h, scene_frame (&lennon, i)), GST_FLOW_OK);
      GstBuffer *out = gst_harness_pull (h);
      const gchar *text = fa_meta_get_frame_record (out);
      fail_unless (text != NULL, "no frame record on frame %u", i);
      Identity id = read_identity (out);
      g_autoptr (JsonNode) record = parse_json (text);
      JsonObject *entry = json_array_get_object_element (json_object_get_array_member (
              json_node_get_object (record), "FaceSearchResponse"), 0);
      fail_unless_equals_int (json_object_get_boolean_member (entry, "Decided"), id.decided);
      fail_unless_equals_int64 (json_object_get_int_member (entry, "TrackId"),
          (gint64) id.track_id);
      GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
      if (post) {
        fail_unless (msg != NULL && gst_message_has_name (msg, "facematch"));
        fail_unless_equals_string (gst_structure_get_string (
                gst_message_get_structure (msg), "record"), text);
      } else {
        fail_unless (msg == NULL, "a message with post-messages=false");
      }
      gst_clear_message (&msg);
      identity_clear (&id);
      gst_buffer_unref (out);
    }
    gst_harness_teardown (h);
    gst_element_set_bus (element, NULL);
    gst_object_unref (bus);
  }
  gst_buffer_unref (lennon.buffer);
}
GST_END_TEST;

static Suite *
facematch_suite (void)
{
  Suite *s = suite_create ("facematch");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_known_and_unknown_tracks);
  tcase_add_test (tc, test_enrolment_while_playing);
  tcase_add_test (tc, test_face_in_cat_box_never_decided);
  tcase_add_test (tc, test_person_tracks);
  tcase_add_test (tc, test_wait_for_object_search);
  tcase_add_test (tc, test_missing_collection_fails);
  tcase_add_test (tc, test_missing_or_corrupt_model_fails);
  tcase_add_test (tc, test_state_cycling);
  tcase_add_test (tc, test_sightings_recorded);
  tcase_add_test (tc, test_sightings_off);
  tcase_add_test (tc, test_bad_sightings_dir_fails);
  tcase_add_test (tc, test_rejected_sighting_no_longer_matches);
  tcase_add_test (tc, test_frame_record_meta);
  suite_add_tcase (s, tc);
  return s;
}

GST_CHECK_MAIN (facematch);
