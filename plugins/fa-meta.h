/* facealert: how faces travel between our elements.
 *
 * Each face is one GstVideoRegionOfInterestMeta with roi_type "face", in the
 * coordinates of the buffer it is attached to. Parameter structures attached
 * with gst_video_region_of_interest_meta_add_param():
 *
 *   "facealert/detection"   added by facedetect
 *     score       G_TYPE_DOUBLE   detector confidence, 0..1
 *     landmarks   GST_TYPE_ARRAY  10 G_TYPE_DOUBLE: x,y of right eye, left eye,
 *                                 nose tip, right and left mouth corners
 *                                 (absent when the method gives none)
 *     method      G_TYPE_STRING   "yunet", "hog", "mmod" or "haar"
 *
 *   "facealert/identity"    added by facematch
 *     track-id    G_TYPE_UINT64   stable id of this face across frames
 *     known       G_TYPE_BOOLEAN  matched an enrolled face above the threshold
 *     name        G_TYPE_STRING   ExternalImageId of the best match ("" if none)
 *     face-id     G_TYPE_STRING   FaceId of the best match ("" if none)
 *     similarity  G_TYPE_DOUBLE   best match similarity, percent (0 if none)
 *     decided     G_TYPE_BOOLEAN  the track has enough evidence for a decision
 *     record      G_TYPE_STRING   this face's FaceSearchResponse entry as compact
 *                                 JSON, as in a Rekognition stream-processor
 *                                 record: {"DetectedFace": {"BoundingBox":
 *                                 {Width, Height, Left, Top} (ratios),
 *                                 "Confidence" (percent), "Landmarks": [{Type,
 *                                 X, Y}] (ratios; eyeLeft, eyeRight, nose,
 *                                 mouthLeft, mouthRight)}, "MatchedFaces":
 *                                 [{"Similarity", "Face": {FaceId,
 *                                 BoundingBox, ImageId, ExternalImageId,
 *                                 Confidence, IndexFacesModelVersion}}] (best
 *                                 first; empty when no match reaches the
 *                                 threshold), "TrackId" (integer, = track-id),
 *                                 "Decided" (boolean, = decided)}
 *     person-track-id G_TYPE_UINT64 the person track whose box holds this face
 *                                 (0: none; see "facealert/person")
 *     vetoed      G_TYPE_BOOLEAN  the face lies in a pet box (cat, dog, ...) and
 *                                 is held by no person: it is never embedded nor
 *                                 decided (decided FALSE, no record)
 *     waiting     G_TYPE_BOOLEAN  no object search has seen the face yet (it
 *                                 may be a pet's): not judged yet, no record
 *                                 (FALSE when no objectdetect is upstream)
 *
 * Objects (added by objectdetect): one GstVideoRegionOfInterestMeta per
 * object, roi_type = the quark of its COCO label ("person", "cat", "dog",
 * ...), in the coordinates of the buffer it is attached to, with:
 *
 *   "facealert/object"
 *     label       G_TYPE_STRING   COCO name, as roi_type
 *     score       G_TYPE_DOUBLE   detector confidence, 0..1
 *     class-id    G_TYPE_INT      COCO index (person 0, cat 15, dog 16)
 *     method      G_TYPE_STRING   "yolox" or "fastestdet"
 *     fresh       G_TYPE_BOOLEAN  detected on this frame; FALSE when carried
 *                                 over from the last detection (interval,
 *                                 motion gate)
 *
 * and, on every buffer objectdetect handled, even one with no object, one
 * custom meta FA_META_OBJECT_SCAN_API ("FaObjectScanMeta") whose structure
 * "facealert/object-scan" says an object search covered this frame:
 *     method      G_TYPE_STRING   as above
 *     fresh       G_TYPE_BOOLEAN  the detector's new objects come with this
 *                                 frame (found on this very frame, or, with
 *                                 background detection, on an earlier one)
 *     age         G_TYPE_UINT     frames between the frame the objects were
 *                                 found on and this one (0: this frame)
 *     labels      G_TYPE_STRING   the labels searched ("person,cat,dog")
 *     n-objects   G_TYPE_UINT     object ROIs attached
 * so downstream can tell "no person here" from "nobody looked for persons"
 * (facedetect's search=auto relies on it).
 *
 * facematch adds to each person ROI (objectdetect's, see above):
 *
 *   "facealert/person"      added by facematch
 *     track-id    G_TYPE_UINT64   stable id of this person across frames (its
 *                                 own numbering, apart from the face tracks)
 *     known       G_TYPE_BOOLEAN  a face held by this person was decided known
 *                                 (it stays known while the track lives)
 *     decided     G_TYPE_BOOLEAN  a face held by this person was decided
 *     name        G_TYPE_STRING   the known person's name ("" if not known)
 *     similarity  G_TYPE_DOUBLE   that decision's similarity (0 if none)
 *     face-track-id G_TYPE_UINT64 the face track this person last held (0:
 *                                 no face seen yet)
 *
 * The frame's whole record travels too, as a GstCustomMeta named
 * FA_META_FRAME_RECORD added by facematch to every buffer with faces (also
 * with post-messages=false), so sinks such as kdssink send exactly what
 * facematch's `facematch` message says: its structure "facealert/frame-record"
 * has one field
 *     record      G_TYPE_STRING   the Rekognition stream-processor record
 *                                 (InputInformation, StreamProcessorInformation,
 *                                 FaceSearchResponse: the entries above)
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "fa-image.h"
#include "fa-object-detector.h"

G_BEGIN_DECLS

#define FA_ROI_TYPE_FACE "face"
#define FA_META_DETECTION "facealert/detection"
#define FA_META_IDENTITY "facealert/identity"
#define FA_META_OBJECT "facealert/object"
#define FA_META_OBJECT_SCAN "facealert/object-scan"
#define FA_META_OBJECT_SCAN_API "FaObjectScanMeta"
#define FA_ROI_TYPE_PERSON "person"
#define FA_META_PERSON "facealert/person"

#define FA_META_FRAME_RECORD "FaFrameRecordMeta"

/* Custom upstream event facematch sends when its verdict changes: "settled"
 * (boolean) TRUE while something is in view and every face, person and pet
 * in it is decided (known, unknown, or a vetoed pet's "face"). objectdetect
 * then looks every settled-interval frames instead of every interval. */
#define FA_EVENT_SETTLED "facealert/settled"

/* Attaches the frame's stream-processor record (JSON text) to @buffer
 * (writable), replacing one already there. */
void fa_meta_set_frame_record (GstBuffer *buffer, const gchar *record);
/* The frame record of @buffer (owned by the buffer), or NULL. */
const gchar *fa_meta_get_frame_record (GstBuffer *buffer);

/* Adds a face ROI with its detection parameters to @buffer. */
GstVideoRegionOfInterestMeta *fa_meta_add_face (GstBuffer *buffer,
    const FaFace *face, const gchar *method);

/* Reads a face ROI back into @face (box, score, landmarks). Returns FALSE if
 * @roi is not a face. */
gboolean fa_meta_read_face (GstVideoRegionOfInterestMeta *roi, FaFace *face);

/* Whether facematch's @identity ("facealert/identity") is somebody's face:
 * FALSE for a pet's "face" (vetoed) and for one no object search has seen yet
 * (waiting: maybe a pet's). Records and tracks leave those out. */
gboolean fa_meta_identity_is_face (const GstStructure *identity);

/* Adds an object ROI (roi_type = its label) with its "facealert/object"
 * parameters to @buffer. */
GstVideoRegionOfInterestMeta *fa_meta_add_object (GstBuffer *buffer,
    const FaObject *object, const gchar *method, gboolean fresh);

/* Reads an object ROI back into @object (box, score, class id) and @fresh
 * (may be NULL). Returns FALSE if @roi carries no "facealert/object". */
gboolean fa_meta_read_object (GstVideoRegionOfInterestMeta *roi,
    FaObject *object, gboolean *fresh);

/* Marks @buffer as searched for objects (see FA_META_OBJECT_SCAN above). */
void fa_meta_add_object_scan (GstBuffer *buffer, const gchar *method,
    gboolean fresh, guint age, const gchar *labels, guint n_objects);

/* The "facealert/object-scan" structure of @buffer, NULL when no object
 * search covered it. Owned by the buffer. */
const GstStructure *fa_meta_get_object_scan (GstBuffer *buffer);

/* Maps a GstVideoFormat to the library's pixel format; FALSE if unsupported. */
gboolean fa_meta_pixel_format (GstVideoFormat format, FaPixelFormat *out);

/* Describes a mapped video frame as an FaImage (borrowing its planes). */
gboolean fa_meta_image_of_frame (GstVideoFrame *frame, FaImage *image);

G_END_DECLS
