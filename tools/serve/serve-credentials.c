/* facealert serve: the API key pair. See serve-credentials.h. */
#include "serve-credentials.h"
#include "fa-secret.h"
#include "fa-error.h"
#include "fa-paths.h"

#include <openssl/rand.h>
#include <string.h>
#include <glib/gstdio.h>

gchar *
fa_serve_credentials_path (const gchar *config_dir)
{
  g_autofree gchar *dir = config_dir != NULL ? g_strdup (config_dir)
      : fa_paths_dir (FA_DIR_CONFIG);
  return g_build_filename (dir, FA_SERVE_CREDENTIALS_FILE, NULL);
}

FaAwsCredentials *
fa_serve_credentials_load (const gchar *config_dir, GError **error)
{
  const gchar *key = g_getenv ("FACEALERT_API_ACCESS_KEY_ID");
  const gchar *secret = g_getenv ("FACEALERT_API_SECRET_ACCESS_KEY");
  if ((key != NULL && *key != '\0') || (secret != NULL && *secret != '\0')) {
    if (key == NULL || *key == '\0' || secret == NULL || *secret == '\0') {
      g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "set both "
          "FACEALERT_API_ACCESS_KEY_ID and FACEALERT_API_SECRET_ACCESS_KEY, or neither");
      return NULL;
    }
    FaAwsCredentials *credentials = fa_aws_credentials_new (key, secret, NULL);
    g_free (credentials->source);
    credentials->source = g_strdup ("environment");
    return credentials;
  }
  g_autofree gchar *path = fa_serve_credentials_path (config_dir);
  GStatBuf st;
  if (g_stat (path, &st) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "no API credentials: run `facealert "
        "serve --create-credentials` (writes %s) or set FACEALERT_API_ACCESS_KEY_ID "
        "and FACEALERT_API_SECRET_ACCESS_KEY", path);
    return NULL;
  }
  if ((st.st_mode & 077) != 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "%s can be read by others (mode %03o): "
        "run chmod 600 on it, or make new credentials", path, st.st_mode & 0777);
    return NULL;
  }
  return fa_aws_credentials_from_file (path, "default", error);
}

static gchar *
random_from (const gchar *alphabet, gsize length)
{
  gsize n = strlen (alphabet);
  guint8 raw[64];
  g_assert (length <= sizeof raw && 256 % n == 0);   /* no modulo bias */
  if (RAND_bytes (raw, (int) length) != 1)
    g_error ("no random bytes from libcrypto");
  gchar *out = g_malloc (length + 1);
  for (gsize i = 0; i < length; i++)
    out[i] = alphabet[raw[i] % n];
  out[length] = '\0';
  memset (raw, 0, sizeof raw);
  return out;
}

gchar *
fa_serve_credentials_create (const gchar *config_dir, gboolean replace, GError **error)
{
  g_autofree gchar *path = fa_serve_credentials_path (config_dir);
  if (!replace && g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_set_error (error, FA_ERROR, FA_ERROR_EXISTS, "%s exists already: keep using it, "
        "or add --replace to make a new key pair (clients with the old one stop "
        "working)", path);
    return NULL;
  }
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!fa_paths_ensure_private_dir (dir, error))
    return NULL;
  /* Shaped like AWS's: a 20-character id, a 40-character secret. */
  g_autofree gchar *id_tail = random_from ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
  gchar *access_key = g_strconcat ("FAKI", id_tail, NULL);
  gchar *secret = random_from ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
      "0123456789+/", 40);
  gchar *text = g_strdup_printf ("# facealert serve: the API key pair (keep private).\n"
      "# Use it with AWS_SHARED_CREDENTIALS_FILE=%s\n[default]\n"
      "aws_access_key_id = %s\naws_secret_access_key = %s\n", path, access_key, secret);
  GError *local = NULL;
  gboolean ok = g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT,
      0600, &local);
  fa_secret_free (secret);
  fa_secret_free (text);
  if (!ok) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot write %s: %s", path, local->message);
    g_error_free (local);
    g_free (access_key);
    return NULL;
  }
  return access_key;
}
