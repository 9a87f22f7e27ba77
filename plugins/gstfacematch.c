/* facealert
 * Copyright (C) 2026 facealert developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-facematch
 * @title: facematch
 *
 * Recognises the faces found by `facedetect` against a face collection (see
 * `facealert collection` and `facealert faces index`), like a Rekognition
 * stream processor doing face search.
 *
 * Faces are tracked across frames (IoU tracker); each track's face is embedded
 * every #FaFaceMatch:embed-interval frames, at most
 * #FaFaceMatch:max-track-embeddings times, and the mean of its embeddings is
 * compared with each person of the collection, one template per person (the
 * mean of their photos) as `facealert faces search` does; a person's "not
 * this face" examples (`facealert sightings reject`) keep their name off a
 * face like it. After #FaFaceMatch:min-track-evidence
 * embeddings the track is "decided": known (as the best match's name) when the
 * similarity reaches #FaFaceMatch:face-match-threshold, unknown otherwise.
 * The collection is re-read within #FaFaceMatch:refresh-interval ms of any
 * change (faces indexed or deleted by the CLI while the pipeline runs), and
 * every live track is searched again.
 *
 * Every decided track is kept in the sightings store
 * (#FaFaceMatch:sightings-dir; off with #FaFaceMatch:record-sightings=false):
 * its best face crop, mean embedding, camera (#FaFaceMatch:stream-name, else
 * the pipeline's name when chosen, else the element's), first and last time
 * and decision, for `facealert sightings` (list, search by photo, group,
 * enrol, reject). Written by a thread of its own, never the streaming thread.
 *
 * Each face ROI (GstVideoRegionOfInterestMeta, roi_type "face") gets a
 * "facealert/identity" parameter structure (fields in fa-meta.h: track-id,
 * known, name, face-id, similarity, decided, record, person-track-id,
 * vetoed).
 *
 * Persons and pets: with `objectdetect` upstream, person boxes are tracked
 * (ids of their own) and each face is attributed to the person box that holds
 * it best, or to none (lib/recognize/fa-person-tracker.h). A face that a cat
 * or dog box (any COCO animal) holds and no person box does is vetoed: never
 * embedded, never decided (identity vetoed=TRUE, decided=FALSE, no record),
 * and it stays vetoed while its track lives. A face that no person holds is
 * judged only once objectdetect has actually looked at a frame with it (its
 * "facealert/object-scan" meta says fresh), so a pet walking in between two
 * detections is not decided before its box exists (at most 45 frames); until
 * then it is in no record (identity waiting=TRUE). Each
 * person ROI gets a "facealert/person" structure: track-id, known (a face it
 * held was decided known; it stays known), decided, name, similarity,
 * face-track-id (the face it last held, 0 if none). Without objectdetect
 * upstream nothing changes.
 *
 * For every frame with at least one face it posts an element message named
 * `facematch` with the fields:
 *
 *  - `record` (string): the frame's Rekognition stream-processor record as
 *    JSON: InputInformation.KinesisVideo (StreamArn, ServerTimestamp,
 *    ProducerTimestamp, FrameOffsetInSeconds), StreamProcessorInformation
 *    (Status), FaceSearchResponse (one entry per face: DetectedFace with
 *    BoundingBox ratios, Confidence, Landmarks; MatchedFaces with Similarity
 *    and Face; plus TrackId and Decided). The same record rides on the
 *    buffer (fa-meta.h FA_META_FRAME_RECORD), also with post-messages=false.
 *  - `timestamp`, `stream-time`, `running-time` (guint64): of the buffer.
 *  - `n-faces`, `n-known`, `n-unknown`, `n-vetoed` (guint): faces (not
 *    counting vetoed ones), decided known faces, decided unknown faces, faces
 *    vetoed by a pet box.
 *  - `faces` (GstValueList of GstStructure `face`, vetoed faces left out):
 *    track-id, person-track-id (guint64), known, decided (gboolean), name,
 *    face-id (string), similarity (double), x, y, width, height (guint,
 *    pixels).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! facedetect ! facematch collection=home ! fakesink
 * ]|
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstfacematch.h"
#include "fa-elements.h"
#include "fa-meta.h"

#include "fa-align.h"
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-face-gate.h"
#include "fa-face-json.h"
#include "fa-gallery.h"
#include "fa-person-tracker.h"
#include "fa-recognize-defaults.h"
#include "fa-sighting-recorder.h"
#include "fa-sightings.h"
#include "fa-tracker.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (fa_face_match_debug);
#define GST_CAT_DEFAULT fa_face_match_debug

#define DEFAULT_PROP_COLLECTION NULL
#define DEFAULT_PROP_COLLECTIONS_DIR NULL
#define DEFAULT_PROP_MODEL NULL
#define DEFAULT_PROP_FACE_MATCH_THRESHOLD FA_DEFAULT_FACE_MATCH_THRESHOLD
#define DEFAULT_PROP_EMBED_INTERVAL 2
#define DEFAULT_PROP_MIN_TRACK_EVIDENCE 1
#define DEFAULT_PROP_MIN_UNKNOWN_EVIDENCE 3
#define DEFAULT_PROP_MIN_FACE_SCORE 0.85
#define DEFAULT_PROP_MIN_FACE_SIZE 32
#define DEFAULT_PROP_MAX_FACE_POSE 40.0
#define DEFAULT_PROP_MAX_TRACK_EMBEDDINGS 5
#define DEFAULT_PROP_REFRESH_INTERVAL 1000
#define DEFAULT_PROP_IOU_THRESHOLD 0.3
#define DEFAULT_PROP_MAX_MISSES 15
#define DEFAULT_PROP_MAX_MATCHES 5
#define DEFAULT_PROP_STREAM_NAME NULL
#define DEFAULT_PROP_POST_MESSAGES TRUE
#define DEFAULT_PROP_RECORD_SIGHTINGS TRUE
#define DEFAULT_PROP_SIGHTINGS_DIR NULL
#define DEFAULT_PROP_SIGHTINGS_RETENTION_PERIOD FA_SIGHTINGS_DEFAULT_RETENTION_HOURS

enum
{
  PROP_0,
  PROP_COLLECTION,
  PROP_COLLECTIONS_DIR,
  PROP_MODEL,
  PROP_FACE_MATCH_THRESHOLD,
  PROP_EMBED_INTERVAL,
  PROP_MIN_TRACK_EVIDENCE,
  PROP_MIN_UNKNOWN_EVIDENCE,
  PROP_MIN_FACE_SCORE,
  PROP_MIN_FACE_SIZE,
  PROP_MAX_FACE_POSE,
  PROP_MAX_TRACK_EMBEDDINGS,
  PROP_REFRESH_INTERVAL,
  PROP_IOU_THRESHOLD,
  PROP_MAX_MISSES,
  PROP_MAX_MATCHES,
  PROP_STREAM_NAME,
  PROP_POST_MESSAGES,
  PROP_RECORD_SIGHTINGS,
  PROP_SIGHTINGS_DIR,
  PROP_SIGHTINGS_RETENTION_PERIOD,
};

struct _FaFaceMatch
{
  GstVideoFilter parent;

  /* properties (object lock) */
  gchar *collection;
  gchar *collections_dir;
  gchar *model;
  gdouble threshold;
  guint embed_interval;
  guint min_evidence;
  guint min_unknown_evidence;
  gdouble min_face_score;
  guint min_face_size;
  gdouble max_face_pose;
  guint max_embeddings;
  guint refresh_interval;
  gdouble iou_threshold;
  guint max_misses;
  guint max_matches;
  gchar *stream_name;
  gboolean post_messages;
  gboolean record_sightings;
  gchar *sightings_dir;
  guint sightings_retention;

  /* state between start() and stop() (streaming thread) */
  FaCollectionStore *store;
  FaEmbedder *embedder;
  FaTracker *tracker;
  FaPersonTracker *persons;    /* person boxes and the faces they hold */
  FaGallery *gallery;          /* the collection's people */
  gint64 data_version;
  gint64 last_refresh_us;
  guint64 n_embeddings;        /* statistics */
  FaSightingRecorder *recorder; /* NULL when not recording sightings */
  gchar *sightings_error;      /* the last one warned about */
  gboolean settled;            /* the last FA_EVENT_SETTLED sent upstream */
};

#define VIDEO_FORMATS "{ I420, YV12, NV12, NV21, RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, GRAY8 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

#define fa_face_match_parent_class parent_class
G_DEFINE_TYPE (FaFaceMatch, fa_face_match, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (facematch, "facematch", GST_RANK_NONE, FA_TYPE_FACE_MATCH);

static void fa_face_match_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void fa_face_match_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void fa_face_match_finalize (GObject * object);

/* Re-reads the collection's faces and negative examples. */
static gboolean
fa_face_match_load_gallery (FaFaceMatch * self, GError ** error)
{
  FaGallery *gallery = fa_gallery_load (self->store, self->collection,
      fa_embedder_model_name (self->embedder), fa_embedder_model_version (self->embedder),
      error);
  if (gallery == NULL)
    return FALSE;
  guint faces, other_model, outliers, negatives;
  fa_gallery_get_counts (gallery, &faces, &other_model, &outliers, &negatives);
  if (other_model > 0)
    GST_WARNING_OBJECT (self, "%u of %u faces in collection %s were made by another face "
        "model and are ignored: index them again", other_model, faces + other_model,
        self->collection);
  g_clear_pointer (&self->gallery, fa_gallery_free);
  self->gallery = gallery;
  GST_INFO_OBJECT (self, "collection %s: %u people, %u faces (%u left out as outliers), "
      "%u negative examples", self->collection, fa_gallery_n_people (gallery), faces, outliers,
      negatives);
  return TRUE;
}

/* The camera a sighting names: stream-name, else the pipeline's name when
 * someone chose it (facealert-run names each camera's pipeline after the
 * camera), else the element's. */
static gchar *
fa_face_match_camera_name (FaFaceMatch * self)
{
  if (self->stream_name != NULL && *self->stream_name != '\0')
    return g_strdup (self->stream_name);
  GstObject *top = GST_OBJECT (self);
  while (GST_OBJECT_PARENT (top) != NULL)
    top = GST_OBJECT_PARENT (top);
  const gchar *name = GST_OBJECT_NAME (top);
  if (top != GST_OBJECT (self) && !(g_str_has_prefix (name, "pipeline")
          && g_ascii_isdigit (name[strlen ("pipeline")])))
    return g_strdup (name);
  return g_strdup (GST_OBJECT_NAME (self));
}

static gboolean
fa_face_match_start_sightings (FaFaceMatch * self)
{
  GError *error = NULL;
  g_autofree gchar *camera = fa_face_match_camera_name (self);
  FaSightingRecorderConfig config = {
    .dir = self->sightings_dir,
    .camera = camera,
    .collection = self->collection,
    .model_name = fa_embedder_model_name (self->embedder),
    .model_version = fa_embedder_model_version (self->embedder),
    .retention_hours = self->sightings_retention,
  };
  self->recorder = fa_sighting_recorder_new (&config, &error);
  if (self->recorder == NULL) {
    /* The reason in the message itself: facealert-run shows only that. */
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Cannot open the sightings store: %s",
            error->message), ("set sightings-dir, or record-sightings=false to run without"));
    g_clear_error (&error);
    return FALSE;
  }
  return TRUE;
}

/* One warning per distinct write error, not one per frame. */
static void
fa_face_match_warn_sightings (FaFaceMatch * self)
{
  g_autofree gchar *error = fa_sighting_recorder_take_error (self->recorder);
  if (error == NULL || g_strcmp0 (error, self->sightings_error) == 0)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE, ("Cannot record a sighting"), ("%s", error));
  g_free (self->sightings_error);
  self->sightings_error = g_steal_pointer (&error);
}

static gboolean
fa_face_match_start (GstBaseTransform * trans)
{
  FaFaceMatch *self = FA_FACE_MATCH (trans);
  GError *error = NULL;

  if (self->collection == NULL || *self->collection == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("No face collection set"),
        ("set the collection property to a collection made with "
            "`facealert collection create`"));
    return FALSE;
  }
  self->store = fa_collection_store_open (self->collections_dir, FALSE, 0, &error);
  FaCollectionInfo *info = self->store == NULL ? NULL
      : fa_collection_get (self->store, self->collection, &error);
  if (info == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("Cannot open face collection %s",
            self->collection), ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }
  if (self->model != NULL && *self->model != '\0'
      && g_strcmp0 (self->model, info->model_name) != 0) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Face model mismatch"),
        ("collection %s holds %s embeddings, but model is set to %s: unset model or use "
            "another collection", info->id, info->model_name, self->model));
    fa_collection_info_free (info);
    return FALSE;
  }
  self->embedder = fa_embedder_new (info->model_name, NULL, &error);
  fa_collection_info_free (info);
  if (self->embedder == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("Cannot load the face model"),
        ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }
  self->data_version = fa_collection_store_data_version (self->store);
  if (!fa_face_match_load_gallery (self, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, ("Cannot read face collection %s",
            self->collection), ("%s", error->message));
    g_clear_error (&error);
    return FALSE;
  }
  self->last_refresh_us = g_get_monotonic_time ();
  self->tracker = fa_tracker_new ((float) self->iou_threshold, self->max_misses);
  self->persons = fa_person_tracker_new ((float) self->iou_threshold, self->max_misses);
  self->n_embeddings = 0;
  self->settled = FALSE;
  return self->record_sightings ? fa_face_match_start_sightings (self) : TRUE;
}

static gboolean
fa_face_match_stop (GstBaseTransform * trans)
{
  FaFaceMatch *self = FA_FACE_MATCH (trans);

  GST_DEBUG_OBJECT (self, "%" G_GUINT64_FORMAT " embeddings computed", self->n_embeddings);
  /* Writes the live tracks' sightings before they go. */
  g_clear_pointer (&self->recorder, fa_sighting_recorder_free);
  g_clear_pointer (&self->sightings_error, g_free);
  g_clear_pointer (&self->tracker, fa_tracker_free);
  g_clear_pointer (&self->persons, fa_person_tracker_free);
  g_clear_pointer (&self->gallery, fa_gallery_free);
  g_clear_pointer (&self->embedder, fa_embedder_free);
  g_clear_pointer (&self->store, fa_collection_store_close);
  return TRUE;
}

/* Searches @track's evidence and records the result on it. Returns the
 * matches (FaSearchMatch, best first) for the record. */
static GArray *
fa_face_match_search_track (FaFaceMatch * self, FaTrack * track, gdouble threshold,
    guint max_matches, guint min_known, guint min_unknown)
{
  float mean[FA_EMBED_MAX_DIM];
  if (!fa_track_mean_embedding (track, mean))
    return g_array_new (FALSE, FALSE, sizeof (FaSearchMatch));
  g_autoptr (GArray) people = fa_gallery_search (self->gallery, mean, track->dim, threshold,
      max_matches);
  if (people->len > 0) {
    FaPersonMatch *best = &g_array_index (people, FaPersonMatch, 0);
    fa_track_set_identity (track, TRUE, best->name, best->face->face_id, best->similarity);
  } else {
    /* Keep the best similarity even below the threshold: useful to tune it. */
    g_autoptr (GArray) any = fa_gallery_search (self->gallery, mean, track->dim, 0.0, 1);
    fa_track_set_identity (track, FALSE, NULL, NULL,
        any->len > 0 ? g_array_index (any, FaPersonMatch, 0).similarity : 0.0);
  }
  /* Asymmetric: "known" silences a track, so a little good evidence is
   * enough; "unknown" alerts, so it needs more. An early "known" is not
   * final: the track is searched again with every new embedding, and an
   * identity that changes is reported again. */
  gboolean was_decided = track->decided;
  track->decided = track->known ? track->n_embeddings >= min_known
      : track->n_embeddings >= min_unknown;
  if (track->decided && !was_decided)
    GST_DEBUG_OBJECT (self, "track %" G_GUINT64_FORMAT " decided %s %s (similarity %.1f) "
        "after %u embeddings (consistency %.2f)", track->id,
        track->known ? "known:" : "unknown", track->known ? track->name : "",
        track->similarity, track->n_embeddings, fa_track_consistency (track));
  return fa_gallery_face_matches (people);
}

/* Notices enrolments and deletions made by other processes. */
static void
fa_face_match_maybe_refresh (FaFaceMatch * self, guint refresh_interval)
{
  gint64 now = g_get_monotonic_time ();
  if (now - self->last_refresh_us < (gint64) refresh_interval * 1000)
    return;
  self->last_refresh_us = now;
  gint64 version = fa_collection_store_data_version (self->store);
  if (version == self->data_version)
    return;
  GError *error = NULL;
  if (!fa_face_match_load_gallery (self, &error)) {
    /* Keep the old faces; try again at the next refresh. */
    GST_ELEMENT_WARNING (self, RESOURCE, READ, ("Cannot re-read face collection %s",
            self->collection), ("%s", error->message));
    g_clear_error (&error);
    return;
  }
  self->data_version = version;
  GST_INFO_OBJECT (self, "collection changed: searching live tracks again");
  /* Matches are recomputed for every face in this frame anyway; nothing else
   * to do: decisions follow from the new gallery at once. */
}

static JsonNode *
face_search_entry (const FaFace * face, FaTrack * track, GArray * matches, int width,
    int height)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "DetectedFace");
  fa_json_add_face_detail (b, face, NULL, width, height);
  json_builder_set_member_name (b, "MatchedFaces");
  fa_json_add_face_matches (b, matches);
  json_builder_set_member_name (b, "TrackId");
  json_builder_add_int_value (b, (gint64) track->id);
  json_builder_set_member_name (b, "Decided");
  json_builder_add_boolean_value (b, track->decided);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Whether objectdetect searched this frame, and how many frames before it
 * it found its objects (fa-meta.h "facealert/object-scan"). */
static FaObjectScan
object_scan_of (GstBuffer * buffer, guint * age)
{
  const GstStructure *scan = fa_meta_get_object_scan (buffer);
  gboolean fresh = FALSE;
  *age = 0;
  if (scan == NULL)
    return FA_OBJECT_SCAN_NONE;
  gst_structure_get_boolean (scan, "fresh", &fresh);
  gst_structure_get_uint (scan, "age", age);
  return fresh ? FA_OBJECT_SCAN_FRESH : FA_OBJECT_SCAN_CARRIED;
}

/* Each person ROI gets its track's identity ("facealert/person"). */
static void
attach_persons (GPtrArray * object_rois, FaTrack ** persons)
{
  for (guint i = 0; i < object_rois->len; i++) {
    FaTrack *p = persons[i];
    if (p == NULL)
      continue;
    gst_video_region_of_interest_meta_add_param (g_ptr_array_index (object_rois, i),
        gst_structure_new (FA_META_PERSON,
            "track-id", G_TYPE_UINT64, p->id,
            "known", G_TYPE_BOOLEAN, p->known,
            "decided", G_TYPE_BOOLEAN, p->decided,
            "name", G_TYPE_STRING, p->name != NULL ? p->name : "",
            "similarity", G_TYPE_DOUBLE, p->similarity,
            "face-track-id", G_TYPE_UINT64, p->holds, NULL));
  }
}

/* Tells objectdetect upstream (FA_EVENT_SETTLED) when everything in view
 * became decided, or stopped being: a face not yet decided or a person whose
 * face was not seen wants frequent looks, a decided scene does not. */
static void
fa_face_match_tell_settled (FaFaceMatch * self, FaTrack ** tracks,
    const FaFaceVerdict * verdicts, guint n_faces, FaTrack ** persons,
    guint n_objects)
{
  gboolean settled = n_faces > 0 || n_objects > 0;
  for (guint i = 0; settled && i < n_faces; i++)
    settled = verdicts[i] == FA_FACE_VETOED || tracks[i]->decided;
  for (guint i = 0; settled && i < n_objects; i++)
    settled = persons[i] == NULL || persons[i]->decided;
  if (settled == self->settled)
    return;
  self->settled = settled;
  GST_DEBUG_OBJECT (self, "scene %s", settled ? "settled" : "not settled");
  gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (self),
      gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM,
          gst_structure_new (FA_EVENT_SETTLED, "settled", G_TYPE_BOOLEAN, settled, NULL)));
}

static GstFlowReturn
fa_face_match_transform_frame_ip (GstVideoFilter * filter, GstVideoFrame * frame)
{
  FaFaceMatch *self = FA_FACE_MATCH (filter);
  GstBuffer *buffer = frame->buffer;

  GST_OBJECT_LOCK (self);
  gdouble threshold = self->threshold;
  guint embed_interval = self->embed_interval, min_evidence = self->min_evidence;
  guint min_unknown = self->min_unknown_evidence;
  FaFaceGate gate = { (float) self->min_face_score, (float) self->min_face_size,
    (float) self->max_face_pose, 1.0f
  };
  guint max_embeddings = self->max_embeddings, refresh_interval = self->refresh_interval;
  guint max_matches = self->max_matches;
  gboolean post = self->post_messages;
  gchar *stream_name = fa_face_match_camera_name (self);
  GST_OBJECT_UNLOCK (self);

  fa_face_match_maybe_refresh (self, refresh_interval);

  /* The face and object ROIs of this frame. */
  g_autoptr (GPtrArray) rois = g_ptr_array_new ();
  g_autoptr (GArray) faces = g_array_new (FALSE, FALSE, sizeof (FaFace));
  g_autoptr (GPtrArray) object_rois = g_ptr_array_new ();
  g_autoptr (GArray) objects = g_array_new (FALSE, FALSE, sizeof (FaObject));
  gpointer state = NULL;
  GstMeta *meta;
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    FaFace face;
    FaObject object;
    if (fa_meta_read_face (roi, &face)) {
      g_ptr_array_add (rois, roi);
      g_array_append_val (faces, face);
    } else if (fa_meta_read_object (roi, &object, NULL)) {
      g_ptr_array_add (object_rois, roi);
      g_array_append_val (objects, object);
    }
  }

  g_autofree FaTrack **tracks = g_new0 (FaTrack *, faces->len + 1);
  fa_tracker_update (self->tracker, (FaFace *) faces->data, faces->len, tracks);
  /* Faces attributed to person boxes, pets' "faces" vetoed (lib/recognize). */
  g_autofree FaTrack **persons = g_new0 (FaTrack *, objects->len + 1);
  g_autofree FaFaceVerdict *verdicts = g_new0 (FaFaceVerdict, faces->len + 1);
  guint scan_age;
  FaObjectScan scan = object_scan_of (buffer, &scan_age);
  fa_person_tracker_update (self->persons, (FaObject *) objects->data, objects->len,
      scan, scan_age, tracks, faces->len, persons, verdicts);
  if (self->recorder != NULL) {
    fa_sighting_recorder_frame_done (self->recorder, fa_tracker_tracks (self->tracker));
    fa_face_match_warn_sightings (self);
  }
  if (faces->len == 0) {
    attach_persons (object_rois, persons);
    fa_face_match_tell_settled (self, tracks, verdicts, 0, persons, objects->len);
    g_free (stream_name);
    return GST_FLOW_OK;
  }

  FaImage image;
  gboolean have_image = fa_meta_image_of_frame (frame, &image);
  int width = GST_VIDEO_FRAME_WIDTH (frame), height = GST_VIDEO_FRAME_HEIGHT (frame);

  g_autoptr (JsonBuilder) record = json_builder_new ();
  json_builder_begin_array (record);
  GValue face_list = G_VALUE_INIT;
  g_value_init (&face_list, GST_TYPE_LIST);
  guint n_known = 0, n_unknown = 0, n_vetoed = 0;

  for (guint i = 0; i < faces->len; i++) {
    FaFace *face = &g_array_index (faces, FaFace, i);
    FaTrack *track = tracks[i];
    GstVideoRegionOfInterestMeta *roi = g_ptr_array_index (rois, i);

    if (verdicts[i] == FA_FACE_VETOED) {
      /* A pet's "face": never embedded, never decided, not in the record. */
      n_vetoed++;
      gst_video_region_of_interest_meta_add_param (roi, gst_structure_new (FA_META_IDENTITY,
              "track-id", G_TYPE_UINT64, track->id, "known", G_TYPE_BOOLEAN, FALSE,
              "name", G_TYPE_STRING, "", "face-id", G_TYPE_STRING, "",
              "similarity", G_TYPE_DOUBLE, 0.0, "decided", G_TYPE_BOOLEAN, FALSE,
              "vetoed", G_TYPE_BOOLEAN, TRUE,
              "person-track-id", G_TYPE_UINT64, (guint64) 0, NULL));
      continue;
    }

    /* Only faces good enough to judge are embedded; a face that is not stays
     * due, so the track's next good frame is embedded at once. */
    gboolean due = track->frames_since_embed == G_MAXUINT
        || track->frames_since_embed >= embed_interval;
    guint gate_reasons = 0;
    gboolean judged = FALSE;
    if (have_image && track->n_embeddings < max_embeddings && due
        && (gate_reasons = fa_face_gate_check (&gate, face, width, height)) != 0)
      GST_LOG_OBJECT (self, "track %" G_GUINT64_FORMAT ": face not judged (%s): score "
          "%.2f, %.0fx%.0f", track->id, fa_face_gate_reasons_string (gate_reasons),
          face->score, face->box.width, face->box.height);
    if (have_image && track->n_embeddings < max_embeddings && due && gate_reasons == 0
        && verdicts[i] == FA_FACE_JUDGE) {
      float embedding[FA_EMBED_MAX_DIM];
      GError *error = NULL;
      if (fa_embedder_embed (self->embedder, &image, face, embedding, &error)) {
        int dim = fa_embedder_dim (self->embedder);
        if (gst_debug_category_get_threshold (GST_CAT_DEFAULT) >= GST_LEVEL_DEBUG) {
          g_autoptr (GArray) one = fa_gallery_search (self->gallery, embedding, dim, 0.0, 1);
          float roll, yaw, pitch;
          fa_face_pose (face, &roll, &yaw, &pitch);
          GST_DEBUG_OBJECT (self, "track %" G_GUINT64_FORMAT " embedding %u: score %.3f, "
              "%.0fx%.0f, roll %.0f yaw %.0f pitch %.0f, best similarity %.1f",
              track->id, track->n_embeddings + 1, face->score, face->box.width,
              face->box.height, roll, yaw, pitch,
              one->len > 0 ? g_array_index (one, FaPersonMatch, 0).similarity : 0.0);
        }
        fa_track_add_embedding (track, embedding, dim);
        self->n_embeddings++;
        judged = TRUE;
      } else {
        GST_DEBUG_OBJECT (self, "track %" G_GUINT64_FORMAT ": %s", track->id, error->message);
        g_clear_error (&error);
      }
    }
    /* A track cannot gather more evidence than it is allowed embeddings. */
    g_autoptr (GArray) matches = fa_face_match_search_track (self, track, threshold,
        max_matches, MIN (min_evidence, max_embeddings), MIN (min_unknown, max_embeddings));
    if (track->decided)
      track->known ? n_known++ : n_unknown++;
    if (self->recorder != NULL)
      fa_sighting_recorder_observe (self->recorder, track, have_image ? &image : NULL, face,
          judged, g_get_real_time () / 1000);

    /* A face no object search has seen yet may be a pet's: no record. */
    gboolean waiting = verdicts[i] == FA_FACE_WAIT;
    JsonNode *entry = face_search_entry (face, track, matches, width, height);
    g_autofree gchar *entry_text = fa_json_to_string (entry);
    if (!waiting)
      json_builder_add_value (record, entry);
    else
      json_node_unref (entry);

    gst_video_region_of_interest_meta_add_param (roi, gst_structure_new (FA_META_IDENTITY,
            "track-id", G_TYPE_UINT64, track->id,
            "known", G_TYPE_BOOLEAN, track->known,
            "name", G_TYPE_STRING, track->name != NULL ? track->name : "",
            "face-id", G_TYPE_STRING, track->face_id != NULL ? track->face_id : "",
            "similarity", G_TYPE_DOUBLE, track->similarity,
            "decided", G_TYPE_BOOLEAN, track->decided,
            "record", G_TYPE_STRING, entry_text,
            "vetoed", G_TYPE_BOOLEAN, FALSE,
            "waiting", G_TYPE_BOOLEAN, waiting,
            "person-track-id", G_TYPE_UINT64, track->held_by, NULL));

    if (post) {
      GValue v = G_VALUE_INIT;
      g_value_init (&v, GST_TYPE_STRUCTURE);
      gst_value_set_structure (&v, gst_structure_new ("face",
              "track-id", G_TYPE_UINT64, track->id,
              "known", G_TYPE_BOOLEAN, track->known,
              "decided", G_TYPE_BOOLEAN, track->decided,
              "name", G_TYPE_STRING, track->name != NULL ? track->name : "",
              "face-id", G_TYPE_STRING, track->face_id != NULL ? track->face_id : "",
              "similarity", G_TYPE_DOUBLE, track->similarity,
              "person-track-id", G_TYPE_UINT64, track->held_by,
              "x", G_TYPE_UINT, roi->x, "y", G_TYPE_UINT, roi->y,
              "width", G_TYPE_UINT, roi->w, "height", G_TYPE_UINT, roi->h, NULL));
      gst_value_list_append_and_take_value (&face_list, &v);
    }
  }
  json_builder_end_array (record);
  fa_person_tracker_learn (self->persons, tracks, faces->len);
  attach_persons (object_rois, persons);
  fa_face_match_tell_settled (self, tracks, verdicts, faces->len, persons, objects->len);

  /* The frame's record: on the buffer for kdssink, and posted. */
  {
    GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
    GstSegment *segment = &trans->segment;
    GstClockTime pts = GST_BUFFER_PTS (buffer);
    GstClockTime stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, pts);
    GstClockTime running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
    gdouble now = g_get_real_time () / 1e6;

    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "InputInformation");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "KinesisVideo");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "StreamArn");
    g_autofree gchar *arn = g_strdup_printf (
        "arn:facealert:kinesisvideo:local:000000000000:stream/%s", stream_name);
    json_builder_add_string_value (b, arn);
    json_builder_set_member_name (b, "ServerTimestamp");
    json_builder_add_double_value (b, now);
    json_builder_set_member_name (b, "ProducerTimestamp");
    json_builder_add_double_value (b, now);
    json_builder_set_member_name (b, "FrameOffsetInSeconds");
    json_builder_add_double_value (b, GST_CLOCK_TIME_IS_VALID (stream_time)
        ? stream_time / (gdouble) GST_SECOND : 0.0);
    json_builder_end_object (b);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "StreamProcessorInformation");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Status");
    json_builder_add_string_value (b, "RUNNING");
    json_builder_end_object (b);
    json_builder_set_member_name (b, "FaceSearchResponse");
    json_builder_add_value (b, json_builder_get_root (record));
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    g_autofree gchar *text = fa_json_to_string (root);
    fa_meta_set_frame_record (buffer, text);

    GstStructure *s = gst_structure_new ("facematch",
        "record", G_TYPE_STRING, text,
        "timestamp", G_TYPE_UINT64, pts,
        "stream-time", G_TYPE_UINT64, stream_time,
        "running-time", G_TYPE_UINT64, running_time,
        "n-faces", G_TYPE_UINT, faces->len - n_vetoed,
        "n-known", G_TYPE_UINT, n_known,
        "n-unknown", G_TYPE_UINT, n_unknown,
        "n-vetoed", G_TYPE_UINT, n_vetoed, NULL);
    gst_structure_take_value (s, "faces", &face_list);
    if (post)
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_element (GST_OBJECT (self), s));
    else
      gst_structure_free (s);
  }
  g_free (stream_name);
  return GST_FLOW_OK;
}

static void
fa_face_match_class_init (FaFaceMatchClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (fa_face_match_debug, "facematch", 0,
      "Face recognition against a face collection");

  gobject_class->set_property = fa_face_match_set_property;
  gobject_class->get_property = fa_face_match_get_property;
  gobject_class->finalize = fa_face_match_finalize;

  g_object_class_install_property (gobject_class, PROP_COLLECTION,
      g_param_spec_string ("collection", "Collection",
          "Id of the face collection to search (required)", DEFAULT_PROP_COLLECTION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_COLLECTIONS_DIR,
      g_param_spec_string ("collections-dir", "Collections directory",
          "Directory of the collections database (NULL: $FACEALERT_COLLECTIONS_DIR or "
          "~/.local/share/facealert/collections)", DEFAULT_PROP_COLLECTIONS_DIR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Face model (NULL: the collection's; must match it)", DEFAULT_PROP_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_FACE_MATCH_THRESHOLD,
      g_param_spec_double ("face-match-threshold", "Face match threshold",
          "Lowest similarity (percent) for a face to be known", 0.0, 100.0,
          DEFAULT_PROP_FACE_MATCH_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_EMBED_INTERVAL,
      g_param_spec_uint ("embed-interval", "Embed interval",
          "Frames between two embeddings of the same track", 1, G_MAXUINT,
          DEFAULT_PROP_EMBED_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_TRACK_EVIDENCE,
      g_param_spec_uint ("min-track-evidence", "Minimum track evidence",
          "Good embeddings of a track before it is decided known "
          "(see min-unknown-evidence for unknown)", 1, 100,
          DEFAULT_PROP_MIN_TRACK_EVIDENCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_UNKNOWN_EVIDENCE,
      g_param_spec_uint ("min-unknown-evidence", "Minimum unknown evidence",
          "Good embeddings of a track before it is decided unknown (an alert); "
          "min-track-evidence is the number for known", 1, 100,
          DEFAULT_PROP_MIN_UNKNOWN_EVIDENCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SCORE,
      g_param_spec_double ("min-face-score", "Minimum face score",
          "Smallest detector score (0..1) of a face that is embedded and judged; "
          "weaker faces are tracked but never decide anything", 0.0, 1.0,
          DEFAULT_PROP_MIN_FACE_SCORE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_uint ("min-face-size", "Minimum face size",
          "Smallest side (pixels) of a face that is embedded and judged", 0, 4096,
          DEFAULT_PROP_MIN_FACE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_FACE_POSE,
      g_param_spec_double ("max-face-pose", "Maximum face pose",
          "Largest yaw, roll or pitch (degrees, estimated from the landmarks) of a "
          "face that is embedded and judged", 0.0, 90.0, DEFAULT_PROP_MAX_FACE_POSE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_TRACK_EMBEDDINGS,
      g_param_spec_uint ("max-track-embeddings", "Maximum track embeddings",
          "Embeddings per track at most (then the track costs no more CPU)", 1, 1000,
          DEFAULT_PROP_MAX_TRACK_EMBEDDINGS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_REFRESH_INTERVAL,
      g_param_spec_uint ("refresh-interval", "Refresh interval",
          "Milliseconds between checks for changes of the collection", 0, 3600000,
          DEFAULT_PROP_REFRESH_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_IOU_THRESHOLD,
      g_param_spec_double ("iou-threshold", "IoU threshold",
          "Least box overlap (intersection over union) to continue a track", 0.01, 1.0,
          DEFAULT_PROP_IOU_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_MISSES,
      g_param_spec_uint ("max-misses", "Maximum misses",
          "Frames a track survives without its face", 0, 10000, DEFAULT_PROP_MAX_MISSES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MAX_MATCHES,
      g_param_spec_uint ("max-matches", "Maximum matches",
          "MatchedFaces listed per face in records", 1, 4096, DEFAULT_PROP_MAX_MATCHES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STREAM_NAME,
      g_param_spec_string ("stream-name", "Stream name",
          "Stream name in records' StreamArn and sightings' camera (NULL: the "
          "pipeline's name when chosen, as facealert-run does, else the element's)",
          DEFAULT_PROP_STREAM_NAME,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a facematch element message for every frame with faces",
          DEFAULT_PROP_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_RECORD_SIGHTINGS,
      g_param_spec_boolean ("record-sightings", "Record sightings",
          "Keep every decided face track (best face crop, embedding, camera, time, "
          "decision) in the sightings store (`facealert sightings`)",
          DEFAULT_PROP_RECORD_SIGHTINGS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SIGHTINGS_DIR,
      g_param_spec_string ("sightings-dir", "Sightings directory",
          "Directory of the sightings database (NULL: $FACEALERT_SIGHTINGS_DIR or "
          "~/.local/share/facealert/sightings)", DEFAULT_PROP_SIGHTINGS_DIR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SIGHTINGS_RETENTION_PERIOD,
      g_param_spec_uint ("sightings-retention-period", "Sightings retention period",
          "Hours a sighting is kept (0: until deleted)", 0, G_MAXUINT,
          DEFAULT_PROP_SIGHTINGS_RETENTION_PERIOD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_set_static_metadata (element_class, "Face match",
      "Filter/Analyzer/Video",
      "Recognises tracked faces against a local face collection (Rekognition-style face search)",
      "facealert developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (fa_face_match_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (fa_face_match_stop);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR (fa_face_match_transform_frame_ip);
}

static void
fa_face_match_init (FaFaceMatch * self)
{
  self->threshold = DEFAULT_PROP_FACE_MATCH_THRESHOLD;
  self->embed_interval = DEFAULT_PROP_EMBED_INTERVAL;
  self->min_evidence = DEFAULT_PROP_MIN_TRACK_EVIDENCE;
  self->min_unknown_evidence = DEFAULT_PROP_MIN_UNKNOWN_EVIDENCE;
  self->min_face_score = DEFAULT_PROP_MIN_FACE_SCORE;
  self->min_face_size = DEFAULT_PROP_MIN_FACE_SIZE;
  self->max_face_pose = DEFAULT_PROP_MAX_FACE_POSE;
  self->max_embeddings = DEFAULT_PROP_MAX_TRACK_EMBEDDINGS;
  self->refresh_interval = DEFAULT_PROP_REFRESH_INTERVAL;
  self->iou_threshold = DEFAULT_PROP_IOU_THRESHOLD;
  self->max_misses = DEFAULT_PROP_MAX_MISSES;
  self->max_matches = DEFAULT_PROP_MAX_MATCHES;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->record_sightings = DEFAULT_PROP_RECORD_SIGHTINGS;
  self->sightings_retention = DEFAULT_PROP_SIGHTINGS_RETENTION_PERIOD;
}

static void
fa_face_match_finalize (GObject * object)
{
  FaFaceMatch *self = FA_FACE_MATCH (object);

  g_free (self->collection);
  g_free (self->collections_dir);
  g_free (self->model);
  g_free (self->stream_name);
  g_free (self->sightings_dir);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
fa_face_match_set_property (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  FaFaceMatch *self = FA_FACE_MATCH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_COLLECTION:
      g_free (self->collection);
      self->collection = g_value_dup_string (value);
      break;
    case PROP_COLLECTIONS_DIR:
      g_free (self->collections_dir);
      self->collections_dir = g_value_dup_string (value);
      break;
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      break;
    case PROP_FACE_MATCH_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_EMBED_INTERVAL:
      self->embed_interval = g_value_get_uint (value);
      break;
    case PROP_MIN_TRACK_EVIDENCE:
      self->min_evidence = g_value_get_uint (value);
      break;
    case PROP_MIN_UNKNOWN_EVIDENCE:
      self->min_unknown_evidence = g_value_get_uint (value);
      break;
    case PROP_MIN_FACE_SCORE:
      self->min_face_score = g_value_get_double (value);
      break;
    case PROP_MIN_FACE_SIZE:
      self->min_face_size = g_value_get_uint (value);
      break;
    case PROP_MAX_FACE_POSE:
      self->max_face_pose = g_value_get_double (value);
      break;
    case PROP_MAX_TRACK_EMBEDDINGS:
      self->max_embeddings = g_value_get_uint (value);
      break;
    case PROP_REFRESH_INTERVAL:
      self->refresh_interval = g_value_get_uint (value);
      break;
    case PROP_IOU_THRESHOLD:
      self->iou_threshold = g_value_get_double (value);
      break;
    case PROP_MAX_MISSES:
      self->max_misses = g_value_get_uint (value);
      break;
    case PROP_MAX_MATCHES:
      self->max_matches = g_value_get_uint (value);
      break;
    case PROP_STREAM_NAME:
      g_free (self->stream_name);
      self->stream_name = g_value_dup_string (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_RECORD_SIGHTINGS:
      self->record_sightings = g_value_get_boolean (value);
      break;
    case PROP_SIGHTINGS_DIR:
      g_free (self->sightings_dir);
      self->sightings_dir = g_value_dup_string (value);
      break;
    case PROP_SIGHTINGS_RETENTION_PERIOD:
      self->sightings_retention = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
fa_face_match_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FaFaceMatch *self = FA_FACE_MATCH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_COLLECTION:
      g_value_set_string (value, self->collection);
      break;
    case PROP_COLLECTIONS_DIR:
      g_value_set_string (value, self->collections_dir);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_FACE_MATCH_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_EMBED_INTERVAL:
      g_value_set_uint (value, self->embed_interval);
      break;
    case PROP_MIN_TRACK_EVIDENCE:
      g_value_set_uint (value, self->min_evidence);
      break;
    case PROP_MIN_UNKNOWN_EVIDENCE:
      g_value_set_uint (value, self->min_unknown_evidence);
      break;
    case PROP_MIN_FACE_SCORE:
      g_value_set_double (value, self->min_face_score);
      break;
    case PROP_MIN_FACE_SIZE:
      g_value_set_uint (value, self->min_face_size);
      break;
    case PROP_MAX_FACE_POSE:
      g_value_set_double (value, self->max_face_pose);
      break;
    case PROP_MAX_TRACK_EMBEDDINGS:
      g_value_set_uint (value, self->max_embeddings);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_IOU_THRESHOLD:
      g_value_set_double (value, self->iou_threshold);
      break;
    case PROP_MAX_MISSES:
      g_value_set_uint (value, self->max_misses);
      break;
    case PROP_MAX_MATCHES:
      g_value_set_uint (value, self->max_matches);
      break;
    case PROP_STREAM_NAME:
      g_value_set_string (value, self->stream_name);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_RECORD_SIGHTINGS:
      g_value_set_boolean (value, self->record_sightings);
      break;
    case PROP_SIGHTINGS_DIR:
      g_value_set_string (value, self->sightings_dir);
      break;
    case PROP_SIGHTINGS_RETENTION_PERIOD:
      g_value_set_uint (value, self->sightings_retention);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}
