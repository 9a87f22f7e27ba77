/* facealert: embedder front end: picks the model, aligns, normalises. */
#include "fa-embedder.h"
#include "fa-align.h"
#include "fa-embed-backend.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <math.h>
#include <string.h>

struct _FaEmbedder {
  gchar *name;
  gchar *version;
  int dim;
  FaEmbedBackend *backend;
  gboolean mirror;
  guint8 aligned[3 * FA_ALIGN_SIZE * FA_ALIGN_SIZE];
};

gboolean
fa_embedder_model_known (const gchar *name)
{
  return g_strcmp0 (name, FA_EMBED_MOBILEFACENET) == 0
      || g_strcmp0 (name, FA_EMBED_DLIB_RESNET) == 0;
}

static gchar *
model_version (const gchar *path, GError **error)
{
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  g_autofree gchar *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      (const guchar *) g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped));
  g_autofree gchar *base = g_path_get_basename (path);
  gchar *dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  return g_strdup_printf ("%s-%.8s", base, sum);
}

FaEmbedder *
fa_embedder_new (const gchar *model_name, const gchar *model_path, GError **error)
{
  if (model_name == NULL || *model_name == '\0')
    model_name = FA_EMBED_DEFAULT_MODEL;
  if (!fa_embedder_model_known (model_name)) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "unknown face model \"%s\" (known: " FA_EMBED_MOBILEFACENET ", " FA_EMBED_DLIB_RESNET ")",
        model_name);
    return NULL;
  }
  gboolean dlib = g_strcmp0 (model_name, FA_EMBED_DLIB_RESNET) == 0;
  g_autofree gchar *path = model_path != NULL ? g_strdup (model_path)
      : fa_paths_model (dlib ? FA_EMBED_DLIB_RESNET_FILE : FA_EMBED_MOBILEFACENET_FILE);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "face model %s is not installed: %s not found (%s)", model_name, path,
        dlib ? "download dlib_face_recognition_resnet_model_v1.dat.bz2 from dlib.net, "
        "unpack it into the models directory, or use model mobilefacenet"
        : "run scripts/fetch-models.sh or set the model path");
    return NULL;
  }
  if (dlib) {
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED,
        "face model %s (%s) is not supported by this build yet: use model "
        FA_EMBED_MOBILEFACENET, model_name, path);
    return NULL;
  }

  FaEmbedBackend *backend = fa_embed_backend_mobilefacenet_new (path, error);
  if (backend == NULL)
    return NULL;
  GError *read_error = NULL;
  gchar *version = model_version (path, &read_error);
  if (version == NULL) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot read face model %s: %s", path,
        read_error->message);
    g_error_free (read_error);
    fa_embed_backend_free (backend);
    return NULL;
  }
  FaEmbedder *embedder = g_new0 (FaEmbedder, 1);
  embedder->name = g_strdup (model_name);
  embedder->version = version;
  embedder->dim = 128;
  embedder->backend = backend;
  embedder->mirror = TRUE;
  return embedder;
}

const gchar *
fa_embedder_model_name (const FaEmbedder *embedder)
{
  return embedder->name;
}

const gchar *
fa_embedder_model_version (const FaEmbedder *embedder)
{
  return embedder->version;
}

int
fa_embedder_dim (const FaEmbedder *embedder)
{
  return embedder->dim;
}

gboolean
fa_embedder_embed (FaEmbedder *embedder, const FaImage *image, const FaFace *face,
    float *out, GError **error)
{
  if (!fa_align_face (image, face, embedder->aligned, error))
    return FALSE;
  /* The face and its mirror image, averaged: steadier against pose and
   * light from one side (measured in docs/recognition.md: true-match +1 to 3
   * points at the same false-match rate). */
  float mirror[FA_EMBED_MAX_DIM];
  int n = fa_embed_backend_run (embedder->backend, embedder->aligned, out,
      embedder->mirror ? mirror : NULL, FA_EMBED_MAX_DIM, error);
  if (n < 0)
    return FALSE;
  fa_embedding_normalize (out, n);
  if (embedder->mirror) {
    fa_embedding_normalize (mirror, n);
    for (int i = 0; i < n; i++)
      out[i] += mirror[i];
    fa_embedding_normalize (out, n);
  }
  return TRUE;
}

void
fa_embedder_set_mirror (FaEmbedder *embedder, gboolean mirror)
{
  embedder->mirror = mirror;
}

void
fa_embedder_free (FaEmbedder *embedder)
{
  if (embedder == NULL)
    return;
  fa_embed_backend_free (embedder->backend);
  g_free (embedder->name);
  g_free (embedder->version);
  g_free (embedder);
}

float
fa_embedding_cosine (const float *a, const float *b, int dim)
{
  float dot = 0;
  for (int i = 0; i < dim; i++)
    dot += a[i] * b[i];
  return dot;
}

double
fa_similarity_from_cosine (float cosine)
{
  return 100.0 * CLAMP (cosine, 0.0f, 1.0f);
}

void
fa_embedding_normalize (float *v, int dim)
{
  double sum = 0;
  for (int i = 0; i < dim; i++)
    sum += (double) v[i] * v[i];
  if (sum <= 0)
    return;
  float inv = (float) (1.0 / sqrt (sum));
  for (int i = 0; i < dim; i++)
    v[i] *= inv;
}
