/* facealert: embedder backends (internal to lib/recognize). Each takes an
 * aligned FA_ALIGN_SIZE x FA_ALIGN_SIZE packed RGB face. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FaEmbedBackend FaEmbedBackend;

FaEmbedBackend *fa_embed_backend_mobilefacenet_new (const gchar *model_path,
    GError **error);
/* Writes the raw (not normalised) embedding, and that of the face's mirror
 * image into @out_mirror when not NULL (one batch); returns the length or -1. */
int fa_embed_backend_run (FaEmbedBackend *backend, const guint8 *aligned_rgb,
    float *out, float *out_mirror, int max_dim, GError **error);
void fa_embed_backend_free (FaEmbedBackend *backend);

G_END_DECLS
