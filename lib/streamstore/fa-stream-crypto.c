/* facealert: AES-256-GCM sealing of stream fragments (see fa-stream-crypto.h). */
#include "fa-stream-crypto.h"
#include "fa-error.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define MAGIC "FAE1"
#define MAGIC_LEN 4
#define NONCE_LEN 12
#define TAG_LEN 16

struct _FaStreamKey {
  guint8 bytes[FA_STREAM_KEY_SIZE];
};

FaStreamKey *
fa_stream_key_new (const guint8 *bytes)
{
  FaStreamKey *key = g_malloc (sizeof *key);
  memcpy (key->bytes, bytes, FA_STREAM_KEY_SIZE);
  return key;
}

void
fa_stream_key_free (FaStreamKey *key)
{
  if (key == NULL)
    return;
  OPENSSL_cleanse (key->bytes, sizeof key->bytes);
  g_free (key);
}

FaStreamKey *
fa_stream_key_load (const gchar *path, GError **error)
{
  gchar *contents = NULL;
  gsize len = 0;
  GError *local = NULL;
  if (!g_file_get_contents (path, &contents, &len, &local)) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND,
        "cannot read key file %s: %s", path, local->message);
    g_error_free (local);
    return NULL;
  }
  FaStreamKey *key = NULL;
  if (len == FA_STREAM_KEY_SIZE) {
    key = fa_stream_key_new ((const guint8 *) contents);
  } else {
    gchar *hex = g_strstrip (g_strndup (contents, len));
    if (strlen (hex) == 2 * FA_STREAM_KEY_SIZE) {
      guint8 bytes[FA_STREAM_KEY_SIZE];
      gboolean ok = TRUE;
      for (guint i = 0; i < FA_STREAM_KEY_SIZE && ok; i++) {
        gint hi = g_ascii_xdigit_value (hex[2 * i]);
        gint lo = g_ascii_xdigit_value (hex[2 * i + 1]);
        ok = hi >= 0 && lo >= 0;
        bytes[i] = (hi << 4) | lo;
      }
      if (ok)
        key = fa_stream_key_new (bytes);
      OPENSSL_cleanse (bytes, sizeof bytes);
    }
    OPENSSL_cleanse (hex, strlen (hex));
    g_free (hex);
  }
  OPENSSL_cleanse (contents, len);
  g_free (contents);
  if (key == NULL)
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "key file %s must hold 32 raw bytes or 64 hex digits "
        "(make one with `openssl rand -hex 32`)", path);
  return key;
}

gboolean
fa_stream_is_sealed (const guint8 *data, gsize size)
{
  return size >= MAGIC_LEN + NONCE_LEN + TAG_LEN
      && memcmp (data, MAGIC, MAGIC_LEN) == 0;
}

static gboolean
crypto_failed (GError **error, const gchar *what)
{
  g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "encryption library failed to %s", what);
  return FALSE;
}

GBytes *
fa_stream_seal (const FaStreamKey *key, const gchar *aad, GBytes *plain,
    GError **error)
{
  gsize plain_len;
  const guint8 *plain_data = g_bytes_get_data (plain, &plain_len);
  if (plain_len > G_MAXINT - 64) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "fragment too large to encrypt");
    return NULL;
  }
  gsize out_len = MAGIC_LEN + NONCE_LEN + plain_len + TAG_LEN;
  guint8 *out = g_malloc (out_len);
  memcpy (out, MAGIC, MAGIC_LEN);
  guint8 *nonce = out + MAGIC_LEN;
  guint8 *ct = nonce + NONCE_LEN;
  guint8 *tag = ct + plain_len;
  gboolean ok = FALSE;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n = 0;

  if (RAND_bytes (nonce, NONCE_LEN) != 1) {
    crypto_failed (error, "draw a nonce");
    goto done;
  }
  if (ctx == NULL
      || EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1
      || EVP_EncryptInit_ex (ctx, NULL, NULL, key->bytes, nonce) != 1
      || EVP_EncryptUpdate (ctx, NULL, &n, (const guint8 *) aad, strlen (aad)) != 1
      || EVP_EncryptUpdate (ctx, ct, &n, plain_data, plain_len) != 1
      || EVP_EncryptFinal_ex (ctx, ct + n, &n) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) != 1) {
    crypto_failed (error, "encrypt a fragment");
    goto done;
  }
  ok = TRUE;
done:
  EVP_CIPHER_CTX_free (ctx);
  if (!ok) {
    g_free (out);
    return NULL;
  }
  return g_bytes_new_take (out, out_len);
}

GBytes *
fa_stream_unseal (const FaStreamKey *key, const gchar *aad, GBytes *sealed,
    GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  if (!fa_stream_is_sealed (data, len)) {
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "fragment is not an encrypted fragment");
    return NULL;
  }
  const guint8 *nonce = data + MAGIC_LEN;
  const guint8 *ct = nonce + NONCE_LEN;
  gsize ct_len = len - MAGIC_LEN - NONCE_LEN - TAG_LEN;
  guint8 tag[TAG_LEN];
  memcpy (tag, ct + ct_len, TAG_LEN);
  guint8 *out = g_malloc (MAX (ct_len, 1));
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n = 0, m = 0;
  gboolean ok = ctx != NULL
      && EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1
      && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1
      && EVP_DecryptInit_ex (ctx, NULL, NULL, key->bytes, nonce) == 1
      && EVP_DecryptUpdate (ctx, NULL, &n, (const guint8 *) aad, strlen (aad)) == 1
      && EVP_DecryptUpdate (ctx, out, &n, ct, ct_len) == 1
      && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
  /* The tag check: a wrong key or any changed byte fails here. */
  ok = ok && EVP_DecryptFinal_ex (ctx, out + n, &m) == 1;
  EVP_CIPHER_CTX_free (ctx);
  if (!ok) {
    OPENSSL_cleanse (out, ct_len);
    g_free (out);
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "authentication failed: wrong key, or the fragment was altered");
    return NULL;
  }
  return g_bytes_new_take (out, ct_len);
}
