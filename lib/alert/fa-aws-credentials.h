/* facealert: AWS credentials and where they come from.
 *
 * Resolution order (as the AWS SDKs and CLI do):
 *   1. explicit values (element properties), when an access key is given;
 *   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
 *   3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 *      ~/.aws/credentials), section [profile], else AWS_PROFILE, else [default].
 * Secrets are wiped on free and never printed: fa_aws_credentials_describe()
 * names the source and shows only the access key's last four characters.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gchar *access_key;
  gchar *secret_key;
  gchar *session_token;   /* NULL when none */
  gchar *source;          /* "properties", "environment", "file:/path [profile]" */
} FaAwsCredentials;

FaAwsCredentials *fa_aws_credentials_new (const gchar *access_key,
    const gchar *secret_key, const gchar *session_token);
FaAwsCredentials *fa_aws_credentials_copy (const FaAwsCredentials *credentials);
void fa_aws_credentials_free (FaAwsCredentials *credentials);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaAwsCredentials, fa_aws_credentials_free)

/* Resolves credentials as described above. @access_key/@secret_key/
 * @session_token: explicit values or NULL; @profile: NULL for AWS_PROFILE or
 * "default". Fails with FA_ERROR_AUTH and a message saying what to set when
 * nothing is found, or when only half a key pair is given. */
FaAwsCredentials *fa_aws_credentials_resolve (const gchar *access_key,
    const gchar *secret_key, const gchar *session_token, const gchar *profile,
    GError **error);

/* The key pair of [@profile] in the AWS shared credentials file @path (the
 * server's own key pair is kept in that format). FA_ERROR_NOT_FOUND when the
 * file or the profile is absent, FA_ERROR_AUTH when the profile lacks a key. */
FaAwsCredentials *fa_aws_credentials_from_file (const gchar *path,
    const gchar *profile, GError **error);

/* "AKIA…WXYZ from environment": safe for logs. */
gchar *fa_aws_credentials_describe (const FaAwsCredentials *credentials);

G_END_DECLS
