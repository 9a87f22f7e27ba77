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
 *                                 threshold), "TrackId" (integer, = track-id)}
 *     person-track-id G_TYPE_UINT64 the person track whose box holds this face
 *                                 (0: none; see "facealert/person")
 *     vetoed      G_TYPE_BOOLEAN  the face lies in a pet box (cat, dog, ...) and
 *                                 is held by no person: it is never embedded nor
 *                                 decided (decided FALSE, no record)
 *
 * Objects (objectdetect) are GstVideoRegionOfInterestMeta with roi_type = the
 * label ("person", "cat", "dog", ...) and a "facealert/object" structure.
 * facematch adds to each person ROI:
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
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

#include "fa-image.h"

G_BEGIN_DECLS

#define FA_ROI_TYPE_FACE "face"
#define FA_META_DETECTION "facealert/detection"
#define FA_META_IDENTITY "facealert/identity"
#define FA_ROI_TYPE_PERSON "person"
#define FA_META_OBJECT "facealert/object"
#define FA_META_PERSON "facealert/person"

/* Adds a face ROI with its detection parameters to @buffer. */
GstVideoRegionOfInterestMeta *fa_meta_add_face (GstBuffer *buffer,
    const FaFace *face, const gchar *method);

/* Reads a face ROI back into @face (box, score, landmarks). Returns FALSE if
 * @roi is not a face. */
gboolean fa_meta_read_face (GstVideoRegionOfInterestMeta *roi, FaFace *face);

/* Maps a GstVideoFormat to the library's pixel format; FALSE if unsupported. */
gboolean fa_meta_pixel_format (GstVideoFormat format, FaPixelFormat *out);

/* Describes a mapped video frame as an FaImage (borrowing its planes). */
gboolean fa_meta_image_of_frame (GstVideoFrame *frame, FaImage *image);

G_END_DECLS
