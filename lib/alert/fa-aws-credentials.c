/* facealert: AWS credentials resolution. See fa-aws-credentials.h. */
#include "fa-aws-credentials.h"
#include "fa-secret.h"
#include "fa-error.h"

#include <string.h>

static gboolean
is_set (const gchar *value)
{
  return value != NULL && *value != '\0';
}

FaAwsCredentials *
fa_aws_credentials_new (const gchar *access_key, const gchar *secret_key,
    const gchar *session_token)
{
  FaAwsCredentials *credentials = g_new0 (FaAwsCredentials, 1);
  credentials->access_key = g_strdup (access_key);
  credentials->secret_key = g_strdup (secret_key);
  credentials->session_token = is_set (session_token) ? g_strdup (session_token) : NULL;
  credentials->source = g_strdup ("properties");
  return credentials;
}

FaAwsCredentials *
fa_aws_credentials_copy (const FaAwsCredentials *credentials)
{
  FaAwsCredentials *copy = fa_aws_credentials_new (credentials->access_key,
      credentials->secret_key, credentials->session_token);
  g_free (copy->source);
  copy->source = g_strdup (credentials->source);
  return copy;
}

void
fa_aws_credentials_free (FaAwsCredentials *credentials)
{
  if (credentials == NULL)
    return;
  g_free (credentials->access_key);
  fa_secret_free (credentials->secret_key);
  fa_secret_free (credentials->session_token);
  g_free (credentials->source);
  g_free (credentials);
}

gchar *
fa_aws_credentials_describe (const FaAwsCredentials *credentials)
{
  const gchar *key = credentials->access_key;
  gsize n = strlen (key);
  return g_strdup_printf ("access key …%s from %s%s", n > 4 ? key + n - 4 : "",
      credentials->source, credentials->session_token != NULL
      ? " (with session token)" : "");
}

/* Reads [profile] of an AWS shared credentials file: "key = value" lines,
 * '#' and ';' comments. Returns FALSE (no error) when the profile is absent. */
static gboolean
read_profile (const gchar *path, const gchar *profile, gchar **access_key,
    gchar **secret_key, gchar **session_token, GError **error)
{
  g_autofree gchar *contents = NULL;
  GError *local = NULL;
  if (!g_file_get_contents (path, &contents, NULL, &local)) {
    if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      g_clear_error (&local);
      return FALSE;
    }
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "cannot read AWS credentials file %s: %s", path, local->message);
    g_clear_error (&local);
    return FALSE;
  }
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  gboolean in_section = FALSE, found = FALSE;
  for (guint i = 0; lines[i] != NULL; i++) {
    gchar *line = g_strstrip (lines[i]);
    if (*line == '\0' || *line == '#' || *line == ';')
      continue;
    if (*line == '[') {
      gchar *end = strchr (line, ']');
      if (end != NULL)
        *end = '\0';
      gchar *name = g_strstrip (line + 1);
      if (g_str_has_prefix (name, "profile "))
        name = g_strstrip (name + strlen ("profile "));
      in_section = g_str_equal (name, profile);
      found |= in_section;
      continue;
    }
    if (!in_section)
      continue;
    gchar *eq = strchr (line, '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    gchar *key = g_strstrip (line);
    gchar *value = g_strstrip (eq + 1);
    gchar **slot = NULL;
    if (g_ascii_strcasecmp (key, "aws_access_key_id") == 0)
      slot = access_key;
    else if (g_ascii_strcasecmp (key, "aws_secret_access_key") == 0)
      slot = secret_key;
    else if (g_ascii_strcasecmp (key, "aws_session_token") == 0)
      slot = session_token;
    if (slot != NULL) {
      fa_secret_free (*slot);
      *slot = g_strdup (value);
    }
  }
  fa_secret_wipe (contents);
  return found;
}

FaAwsCredentials *
fa_aws_credentials_resolve (const gchar *access_key, const gchar *secret_key,
    const gchar *session_token, const gchar *profile, GError **error)
{
  if (is_set (access_key) || is_set (secret_key)) {
    if (!is_set (access_key) || !is_set (secret_key)) {
      g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
          "incomplete AWS credentials: set both access-key and secret-key "
          "(or neither, to use the environment or ~/.aws/credentials)");
      return NULL;
    }
    return fa_aws_credentials_new (access_key, secret_key, session_token);
  }

  const gchar *env_key = g_getenv ("AWS_ACCESS_KEY_ID");
  const gchar *env_secret = g_getenv ("AWS_SECRET_ACCESS_KEY");
  if (is_set (env_key) || is_set (env_secret)) {
    if (!is_set (env_key) || !is_set (env_secret)) {
      g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
          "incomplete AWS credentials in the environment: set both "
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
      return NULL;
    }
    FaAwsCredentials *credentials = fa_aws_credentials_new (env_key, env_secret,
        g_getenv ("AWS_SESSION_TOKEN"));
    g_free (credentials->source);
    credentials->source = g_strdup ("environment");
    return credentials;
  }

  if (!is_set (profile))
    profile = g_getenv ("AWS_PROFILE");
  if (!is_set (profile))
    profile = "default";
  g_autofree gchar *path = NULL;
  if (is_set (g_getenv ("AWS_SHARED_CREDENTIALS_FILE")))
    path = g_strdup (g_getenv ("AWS_SHARED_CREDENTIALS_FILE"));
  else
    path = g_build_filename (g_get_home_dir (), ".aws", "credentials", NULL);

  gchar *file_key = NULL, *file_secret = NULL, *file_token = NULL;
  GError *local = NULL;
  gboolean found = read_profile (path, profile, &file_key, &file_secret,
      &file_token, &local);
  FaAwsCredentials *credentials = NULL;
  if (local != NULL) {
    g_propagate_error (error, local);
  } else if (!found) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "no AWS credentials: set access-key/secret-key, or AWS_ACCESS_KEY_ID "
        "and AWS_SECRET_ACCESS_KEY, or add a [%s] profile to %s", profile, path);
  } else if (!is_set (file_key) || !is_set (file_secret)) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "profile [%s] in %s lacks aws_access_key_id or aws_secret_access_key",
        profile, path);
  } else {
    credentials = fa_aws_credentials_new (file_key, file_secret, file_token);
    g_free (credentials->source);
    credentials->source = g_strdup_printf ("%s [%s]", path, profile);
  }
  g_free (file_key);
  fa_secret_free (file_secret);
  fa_secret_free (file_token);
  return credentials;
}

FaAwsCredentials *
fa_aws_credentials_from_file (const gchar *path, const gchar *profile, GError **error)
{
  gchar *key = NULL, *secret = NULL, *token = NULL;
  GError *local = NULL;
  gboolean found = read_profile (path, profile, &key, &secret, &token, &local);
  FaAwsCredentials *credentials = NULL;
  if (local != NULL) {
    g_propagate_error (error, local);
  } else if (!found) {
    g_set_error (error, FA_ERROR, FA_ERROR_NOT_FOUND, "no [%s] profile in %s",
        profile, path);
  } else if (!is_set (key) || !is_set (secret)) {
    g_set_error (error, FA_ERROR, FA_ERROR_AUTH,
        "profile [%s] in %s lacks aws_access_key_id or aws_secret_access_key",
        profile, path);
  } else {
    credentials = fa_aws_credentials_new (key, secret, token);
    g_free (credentials->source);
    credentials->source = g_strdup_printf ("%s [%s]", path, profile);
  }
  g_free (key);
  fa_secret_free (secret);
  fa_secret_free (token);
  return credentials;
}
