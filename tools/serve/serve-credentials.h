/* facealert serve: the API's key pair, which every AWS request must be
 * signed with (SigV4).
 *
 * From FACEALERT_API_ACCESS_KEY_ID + FACEALERT_API_SECRET_ACCESS_KEY, else
 * from CONFIG/api-credentials (fa_paths_dir (FA_DIR_CONFIG)), written by
 * `facealert serve --create-credentials` in the AWS shared credentials
 * format ([default] aws_access_key_id / aws_secret_access_key), 0600, so
 * AWS_SHARED_CREDENTIALS_FILE=CONFIG/api-credentials works with the AWS CLI
 * and the SDKs as it is. The secret is never printed or logged.
 */
#pragma once

#include "fa-aws-credentials.h"

G_BEGIN_DECLS

#define FA_SERVE_CREDENTIALS_FILE "api-credentials"

/* Path of the credentials file in @config_dir (NULL: the default). */
gchar *fa_serve_credentials_path (const gchar *config_dir);

/* The key pair, or NULL with FA_ERROR_AUTH saying what to do. A file that
 * others can read is refused. */
FaAwsCredentials *fa_serve_credentials_load (const gchar *config_dir, GError **error);

/* Makes a new random key pair and writes it (0600, directory 0700). An
 * existing file is only replaced with @replace (FA_ERROR_EXISTS otherwise).
 * Returns the access key id. */
gchar *fa_serve_credentials_create (const gchar *config_dir, gboolean replace,
    GError **error);

G_END_DECLS
