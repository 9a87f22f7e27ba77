/* facealert: encryption at rest of stream fragments.
 *
 * AES-256-GCM per fragment (OpenSSL libcrypto). A sealed fragment is
 *   "FAE1" | 12-byte random nonce | ciphertext | 16-byte tag
 * and the fragment number is authenticated as associated data, so a wrong
 * key, a tampered file or a fragment moved to another number all fail with
 * FA_ERROR_AUTH instead of giving garbage.
 *
 * A key file holds the 32-byte key either raw or as 64 hexadecimal digits
 * (surrounding whitespace ignored); create one with
 *   openssl rand -hex 32 > key && chmod 600 key
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FA_STREAM_KEY_SIZE 32

typedef struct _FaStreamKey FaStreamKey;

FaStreamKey *fa_stream_key_load (const gchar *path, GError **error);
FaStreamKey *fa_stream_key_new (const guint8 *bytes);
void fa_stream_key_free (FaStreamKey *key);

/* TRUE when @data starts like a sealed fragment. */
gboolean fa_stream_is_sealed (const guint8 *data, gsize size);

GBytes *fa_stream_seal (const FaStreamKey *key, const gchar *aad,
    GBytes *plain, GError **error);
GBytes *fa_stream_unseal (const FaStreamKey *key, const gchar *aad,
    GBytes *sealed, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaStreamKey, fa_stream_key_free)

G_END_DECLS
