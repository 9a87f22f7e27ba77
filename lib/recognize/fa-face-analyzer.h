/* facealert: the image side of IndexFaces and SearchFacesByImage: detect
 * (YuNet, for its 5 landmarks), filter by quality, align and embed. The
 * results are written with fa-collection.h. */
#pragma once

#include <glib.h>

#include "fa-align.h"
#include "fa-collection.h"
#include "fa-image.h"

G_BEGIN_DECLS

/* Rekognition's QualityFilter. AUTO is MEDIUM. */
typedef enum {
  FA_QUALITY_FILTER_NONE,
  FA_QUALITY_FILTER_AUTO,
  FA_QUALITY_FILTER_LOW,
  FA_QUALITY_FILTER_MEDIUM,
  FA_QUALITY_FILTER_HIGH,
} FaQualityFilter;

gboolean fa_quality_filter_from_name (const gchar *name, FaQualityFilter *filter);

/* Rekognition's UnindexedFaces Reasons (a bit set). */
typedef enum {
  FA_UNINDEXED_EXCEEDS_MAX_FACES = 1 << 0,
  FA_UNINDEXED_EXTREME_POSE = 1 << 1,
  FA_UNINDEXED_LOW_BRIGHTNESS = 1 << 2,
  FA_UNINDEXED_LOW_SHARPNESS = 1 << 3,
  FA_UNINDEXED_LOW_CONFIDENCE = 1 << 4,
  FA_UNINDEXED_SMALL_BOUNDING_BOX = 1 << 5,
} FaUnindexedReason;
#define FA_UNINDEXED_N_REASONS 6

/* The Rekognition name of reason bit @index (0..FA_UNINDEXED_N_REASONS-1). */
const gchar *fa_unindexed_reason_name (guint index);

typedef struct {
  FaFace face;               /* pixels, in the analysed image */
  FaFaceQuality quality;
  guint reasons;             /* FaUnindexedReason bits; 0 = indexed */
  FaStoredFace *stored;      /* the record to store (with embedding), or NULL */
} FaAnalyzedFace;

typedef struct {
  gchar *image_id;
  int width, height;
  GPtrArray *indexed;        /* FaAnalyzedFace*, largest first */
  GPtrArray *unindexed;      /* FaAnalyzedFace* */
} FaIndexResult;

void fa_index_result_free (FaIndexResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaIndexResult, fa_index_result_free)

/* The smallest face side (pixels) that is recognised: a smaller image or
 * face is refused with FA_ERROR_NO_FACE saying it is too small, and IndexFaces
 * reports such a face as SMALL_BOUNDING_BOX (MEDIUM and HIGH filters). */
#define FA_FACE_ANALYZER_MIN_FACE 32

typedef struct _FaFaceAnalyzer FaFaceAnalyzer;

/* Loads YuNet and the embedder @model_name (NULL: default). */
FaFaceAnalyzer *fa_face_analyzer_new (const gchar *model_name, GError **error);
void fa_face_analyzer_free (FaFaceAnalyzer *analyzer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaFaceAnalyzer, fa_face_analyzer_free)

const gchar *fa_face_analyzer_model_name (FaFaceAnalyzer *analyzer);
const gchar *fa_face_analyzer_model_version (FaFaceAnalyzer *analyzer);

/* IndexFaces without the write: every face found in @image, filtered by
 * @filter, then the largest @max_faces (0: no limit) kept; the kept faces get
 * a FaStoredFace with @external_image_id and a shared random ImageId. */
FaIndexResult *fa_face_analyzer_index (FaFaceAnalyzer *analyzer, const FaImage *image,
    const gchar *external_image_id, guint max_faces, FaQualityFilter filter,
    GError **error);

/* SearchFacesByImage's first half: the largest face of @image (the largest
 * confident one when there is one) and its embedding (fa-embedder dim floats
 * into @embedding). FA_ERROR_NO_FACE when there is none or it, or the image,
 * is smaller than FA_FACE_ANALYZER_MIN_FACE. Faces are searched for as in a
 * photo: at full size, framed by a border (tight crops), see the .c file. */
gboolean fa_face_analyzer_largest_face (FaFaceAnalyzer *analyzer, const FaImage *image,
    FaFace *face, float *embedding, GError **error);

/* Embeds a face whose landmarks are known. */
gboolean fa_face_analyzer_embed (FaFaceAnalyzer *analyzer, const FaImage *image,
    const FaFace *face, float *embedding, GError **error);
int fa_face_analyzer_dim (FaFaceAnalyzer *analyzer);

G_END_DECLS
