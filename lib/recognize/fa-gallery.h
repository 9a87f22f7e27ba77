/* facealert: who is this face? Matching against people, not single photos.
 *
 * A collection's faces are grouped by person (ExternalImageId). Each person
 * is one template: the mean of their face embeddings, re-normalised, after
 * leaving out a photo that disagrees with all the others (a wrong face
 * enrolled by mistake). A probe's similarity to a person is its similarity to
 * that template. Measured on people_more (docs/recognition.md): with 2
 * photos per person the mean beats the best single photo (fewer strangers
 * matched at the same true-match rate), and more photos raise the true-match
 * rate without raising the false-match rate, where the best single photo's
 * false-match rate grows with every photo added.
 *
 * Negative examples (fa_collection_add_negatives: "this sighting is not
 * Bob") veto a name: a probe that is at least as close to one of Bob's
 * negative examples as to Bob's closest own face is never matched to Bob.
 *
 * facematch and `facealert faces search` both decide through this file.
 */
#pragma once

#include <glib.h>

#include "fa-collection.h"

G_BEGIN_DECLS

/* A face that agrees with the mean of the person's other faces less than
 * this (similarity, percent) is left out of their template, when they have
 * at least 3 faces. */
#define FA_GALLERY_OUTLIER_SIMILARITY 20.0

typedef struct _FaGallery FaGallery;

/* Builds the templates of @faces (FaStoredFace* with embeddings) and the
 * vetoes of @negatives (may be NULL); only those of @model_name and
 * @model_version count. Keeps references to both arrays. */
FaGallery *fa_gallery_new (GPtrArray *faces, GPtrArray *negatives, const gchar *model_name,
    const gchar *model_version);
/* The same from collection @collection_id of @store. */
FaGallery *fa_gallery_load (FaCollectionStore *store, const gchar *collection_id,
    const gchar *model_name, const gchar *model_version, GError **error);
void fa_gallery_free (FaGallery *gallery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaGallery, fa_gallery_free)

guint fa_gallery_n_people (const FaGallery *gallery);
/* Faces in templates, faces of another model (ignored), faces left out as
 * outliers, negative examples in use. */
void fa_gallery_get_counts (const FaGallery *gallery, guint *faces, guint *other_model,
    guint *outliers, guint *negatives);

typedef struct {
  const gchar *name;          /* ExternalImageId; borrowed from the gallery */
  double similarity;          /* to the person's template, percent */
  const FaStoredFace *face;   /* the person's face closest to the probe (borrowed) */
  double face_similarity;     /* that face's own similarity, percent */
} FaPersonMatch;

/* The people whose template has a similarity >= @threshold with @embedding
 * (of @dim floats, the gallery's model) and whom no negative example vetoes:
 * FaPersonMatch, best first, at most @max_people (0: all). Threshold 0 gives
 * every person (the best even when it is no match). */
GArray *fa_gallery_search (const FaGallery *gallery, const float *embedding, int dim,
    double threshold, guint max_people);

/* Face by face, as Rekognition's SearchFacesByImage and SearchFaces answer:
 * every face (FaSearchMatch, borrowed from the gallery) with a similarity
 * >= @threshold to @embedding, best first, at most @max_faces (0: all),
 * leaving out the faces of every person a negative example vetoes for this
 * probe, so a rejected look-alike is not returned as that person either. */
GArray *fa_gallery_search_faces (const FaGallery *gallery, const float *embedding, int dim,
    double threshold, guint max_faces);

/* Rekognition's FaceMatches for @person_matches: one FaSearchMatch per
 * person, their closest face with the person's similarity, in order. The
 * faces are borrowed from the gallery. */
GArray *fa_gallery_face_matches (GArray *person_matches);

G_END_DECLS
