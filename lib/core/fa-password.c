/* facealert: password hashes. See fa-password.h. */
#include "fa-password.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#define SALT_BYTES 16
#define HASH_BYTES 32
#define PREFIX "pbkdf2-sha256$"

gboolean
fa_password_check_strength (const gchar *password, GError **error)
{
  gsize n = password != NULL ? strlen (password) : 0;
  if (n < FA_PASSWORD_MIN_LENGTH || n > FA_PASSWORD_MAX_LENGTH) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT, "the password must be "
        "%d to %d characters long", FA_PASSWORD_MIN_LENGTH, FA_PASSWORD_MAX_LENGTH);
    return FALSE;
  }
  return TRUE;
}

static gboolean
derive (const gchar *password, const guint8 *salt, gsize salt_len, guint iterations,
    guint8 out[HASH_BYTES])
{
  return PKCS5_PBKDF2_HMAC (password, (int) strlen (password), salt, (int) salt_len,
      (int) iterations, EVP_sha256 (), HASH_BYTES, out) == 1;
}

gchar *
fa_password_hash (const gchar *password, guint iterations, GError **error)
{
  if (!fa_password_check_strength (password, error))
    return NULL;
  guint8 salt[SALT_BYTES], hash[HASH_BYTES];
  if (iterations == 0 || RAND_bytes (salt, sizeof salt) != 1
      || !derive (password, salt, sizeof salt, iterations, hash)) {
    g_set_error (error, FA_ERROR, FA_ERROR_FAILED, "cannot hash the password "
        "(libcrypto failed)");
    return NULL;
  }
  g_autofree gchar *salt64 = g_base64_encode (salt, sizeof salt);
  g_autofree gchar *hash64 = g_base64_encode (hash, sizeof hash);
  memset (hash, 0, sizeof hash);
  return g_strdup_printf (PREFIX "%u$%s$%s", iterations, salt64, hash64);
}

FaPasswordVerdict
fa_password_verify (const gchar *stored, const gchar *password)
{
  if (stored == NULL || !g_str_has_prefix (stored, PREFIX))
    return FA_PASSWORD_CORRUPT;
  g_auto (GStrv) parts = g_strsplit (stored + strlen (PREFIX), "$", -1);
  if (g_strv_length (parts) != 3)
    return FA_PASSWORD_CORRUPT;
  gchar *end = NULL;
  guint64 iterations = g_ascii_strtoull (parts[0], &end, 10);
  if (*end != '\0' || iterations == 0 || iterations > 100000000)
    return FA_PASSWORD_CORRUPT;
  gsize salt_len = 0, hash_len = 0;
  g_autofree guint8 *salt = g_base64_decode (parts[1], &salt_len);
  g_autofree guint8 *expected = g_base64_decode (parts[2], &hash_len);
  if (salt_len < 8 || hash_len != HASH_BYTES)
    return FA_PASSWORD_CORRUPT;
  if (password == NULL || strlen (password) > FA_PASSWORD_MAX_LENGTH)
    return FA_PASSWORD_MISMATCH;
  guint8 hash[HASH_BYTES];
  if (!derive (password, salt, salt_len, (guint) iterations, hash))
    return FA_PASSWORD_CORRUPT;
  guint8 diff = 0;
  for (gsize i = 0; i < HASH_BYTES; i++)
    diff |= hash[i] ^ expected[i];
  memset (hash, 0, sizeof hash);
  return diff == 0 ? FA_PASSWORD_MATCH : FA_PASSWORD_MISMATCH;
}

gboolean
fa_password_save (const gchar *path, const gchar *password, guint iterations,
    GError **error)
{
  g_autofree gchar *stored = fa_password_hash (password, iterations, error);
  if (stored == NULL)
    return FALSE;
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!fa_paths_ensure_private_dir (dir, error))
    return FALSE;
  g_autofree gchar *line = g_strconcat (stored, "\n", NULL);
  GError *local = NULL;
  if (!g_file_set_contents_full (path, line, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
          &local)) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot write %s: %s", path,
        local->message);
    g_error_free (local);
    return FALSE;
  }
  return TRUE;
}

gchar *
fa_password_load (const gchar *path, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no password file %s: set one "
        "with `facealert serve --set-password`", path);
    return NULL;
  }
  if ((st.st_mode & 077) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "%s can be read by others (mode "
        "%03o): run chmod 600 on it, or set the password again", path,
        st.st_mode & 0777);
    return NULL;
  }
  gchar *contents = NULL;
  GError *local = NULL;
  if (!g_file_get_contents (path, &contents, NULL, &local)) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot read %s: %s", path, local->message);
    g_error_free (local);
    return NULL;
  }
  g_strstrip (contents);
  if (fa_password_verify (contents, NULL) == FA_PASSWORD_CORRUPT) {
    g_free (contents);
    g_set_error (error, FA_ERROR, FA_ERROR_CORRUPT, "%s is not a facealert password "
        "file: set the password again with `facealert serve --set-password`", path);
    return NULL;
  }
  return contents;
}
