/* facealert: face embedders behind one C interface.
 *
 * An embedder turns an aligned face into a unit-length feature vector; two
 * faces of the same person give vectors with a high cosine. Every embedding is
 * stored with the model name and version that produced it, and embeddings of
 * different models are never compared (their spaces are unrelated).
 *
 * Models:
 *   "mobilefacenet"  MobileFaceNet (foamliu weights, opset-10 ONNX) through
 *                    OpenCV DNN: 128-d, ArcFace alignment to 112x112, RGB,
 *                    ImageNet normalisation. The default.
 *   "dlib-resnet"    dlib's ResNet face recognition model (128-d). Its
 *                    weights are not shipped: without the file it fails with
 *                    FA_ERROR_NOT_FOUND saying how to install it.
 *
 * The version of a model is "<file stem>-<first 8 hex digits of its SHA-256>"
 * so that two different weight files under one name are never mixed up.
 */
#pragma once

#include <glib.h>

#include "fa-image.h"

G_BEGIN_DECLS

#define FA_EMBED_MOBILEFACENET "mobilefacenet"
#define FA_EMBED_DLIB_RESNET "dlib-resnet"
#define FA_EMBED_DEFAULT_MODEL FA_EMBED_MOBILEFACENET
#define FA_EMBED_MOBILEFACENET_FILE "face_recognition_mobilefacenet_opset10.onnx"
#define FA_EMBED_DLIB_RESNET_FILE "dlib_face_recognition_resnet_model_v1.dat"
#define FA_EMBED_MAX_DIM 512

typedef struct _FaEmbedder FaEmbedder;

/* Loads @model_name ("mobilefacenet" or "dlib-resnet"; NULL = default) from
 * @model_path (NULL = the model's default file in the models directory).
 * Unknown names fail with FA_ERROR_INVALID_ARGUMENT, a missing file with
 * FA_ERROR_NOT_FOUND, a corrupt one with FA_ERROR_CORRUPT; messages name the
 * file and say what to do. */
FaEmbedder *fa_embedder_new (const gchar *model_name, const gchar *model_path,
    GError **error);

const gchar *fa_embedder_model_name (const FaEmbedder *embedder);
const gchar *fa_embedder_model_version (const FaEmbedder *embedder);
int fa_embedder_dim (const FaEmbedder *embedder);

/* Aligns @face (landmarks needed, else estimated from the box) in @image and
 * writes fa_embedder_dim() floats of unit length to @out. */
gboolean fa_embedder_embed (FaEmbedder *embedder, const FaImage *image,
    const FaFace *face, float *out, GError **error);

/* Whether fa_embedder_embed also embeds the face's mirror image and averages
 * the two (default TRUE: a steadier embedding, docs/recognition.md). Off
 * halves the network's cost; the embeddings stay comparable with the others. */
void fa_embedder_set_mirror (FaEmbedder *embedder, gboolean mirror);

void fa_embedder_free (FaEmbedder *embedder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaEmbedder, fa_embedder_free)

/* TRUE if @name is a model this build knows (installed or not). */
gboolean fa_embedder_model_known (const gchar *name);

/* Cosine of two unit vectors (their dot product). */
float fa_embedding_cosine (const float *a, const float *b, int dim);

/* Rekognition-style similarity in percent from a cosine: 100 * max(0, cos).
 * Monotonic, so a threshold in percent is a threshold on the cosine. */
double fa_similarity_from_cosine (float cosine);

/* Normalises @v to unit length in place (no-op for a zero vector). */
void fa_embedding_normalize (float *v, int dim);

G_END_DECLS
