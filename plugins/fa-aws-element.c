/* facealert: the AWS client properties of an element. See fa-aws-element.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "fa-aws-element.h"
#include "fa-secret.h"

#include <string.h>

void
fa_aws_settings_install (GObjectClass * klass, guint first_id,
    const gchar * endpoint_blurb, const gchar * request_timeout_blurb)
{
  const GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;
  const GParamFlags secret = G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  g_object_class_install_property (klass, first_id + FA_AWS_PROP_ENDPOINT,
      g_param_spec_string ("endpoint", "Endpoint", endpoint_blurb, NULL, ready));
  g_object_class_install_property (klass, first_id + FA_AWS_PROP_REGION,
      g_param_spec_string ("region", "Region", "AWS region used for signing",
          FA_AWS_DEFAULT_REGION, ready));
  g_object_class_install_property (klass, first_id + FA_AWS_PROP_ACCESS_KEY,
      g_param_spec_string ("access-key", "Access key",
          "AWS access key id (NULL: environment, then ~/.aws/credentials)",
          NULL, secret));
  g_object_class_install_property (klass, first_id + FA_AWS_PROP_SECRET_KEY,
      g_param_spec_string ("secret-key", "Secret key",
          "AWS secret access key (write-only, never logged)", NULL, secret));
  g_object_class_install_property (klass, first_id + FA_AWS_PROP_SESSION_TOKEN,
      g_param_spec_string ("session-token", "Session token",
          "AWS session token (write-only, never logged)", NULL, secret));
  g_object_class_install_property (klass, first_id + FA_AWS_PROP_PROFILE,
      g_param_spec_string ("profile", "Profile",
          "Profile in ~/.aws/credentials (NULL: AWS_PROFILE, else default)",
          NULL, ready));
  g_object_class_install_property (klass,
      first_id + FA_AWS_PROP_REQUEST_TIMEOUT,
      g_param_spec_uint64 ("request-timeout", "Request timeout",
          request_timeout_blurb, GST_MSECOND, G_MAXUINT64,
          FA_AWS_DEFAULT_REQUEST_TIMEOUT, ready));
}

void
fa_aws_settings_init (FaAwsSettings * settings)
{
  memset (settings, 0, sizeof (*settings));
  settings->region = g_strdup (FA_AWS_DEFAULT_REGION);
  settings->request_timeout = FA_AWS_DEFAULT_REQUEST_TIMEOUT;
}

void
fa_aws_settings_clear (FaAwsSettings * settings)
{
  g_free (settings->endpoint);
  g_free (settings->region);
  g_free (settings->access_key);
  fa_secret_free (settings->secret_key);
  fa_secret_free (settings->session_token);
  g_free (settings->profile);
  memset (settings, 0, sizeof (*settings));
}

void
fa_aws_settings_copy (FaAwsSettings * dest, const FaAwsSettings * src)
{
  dest->endpoint = g_strdup (src->endpoint);
  dest->region = g_strdup (src->region);
  dest->access_key = g_strdup (src->access_key);
  dest->secret_key = g_strdup (src->secret_key);
  dest->session_token = g_strdup (src->session_token);
  dest->profile = g_strdup (src->profile);
  dest->request_timeout = src->request_timeout;
}

static void
replace_string (gchar ** slot, const GValue * value, gboolean wipe)
{
  if (wipe)
    fa_secret_wipe (*slot);
  g_free (*slot);
  *slot = g_value_dup_string (value);
}

gboolean
fa_aws_settings_set_property (FaAwsSettings * settings, guint id,
    const GValue * value)
{
  switch (id) {
    case FA_AWS_PROP_ENDPOINT:
      replace_string (&settings->endpoint, value, FALSE);
      return TRUE;
    case FA_AWS_PROP_REGION:
      replace_string (&settings->region, value, FALSE);
      return TRUE;
    case FA_AWS_PROP_ACCESS_KEY:
      replace_string (&settings->access_key, value, FALSE);
      return TRUE;
    case FA_AWS_PROP_SECRET_KEY:
      replace_string (&settings->secret_key, value, TRUE);
      return TRUE;
    case FA_AWS_PROP_SESSION_TOKEN:
      replace_string (&settings->session_token, value, TRUE);
      return TRUE;
    case FA_AWS_PROP_PROFILE:
      replace_string (&settings->profile, value, FALSE);
      return TRUE;
    case FA_AWS_PROP_REQUEST_TIMEOUT:
      settings->request_timeout = g_value_get_uint64 (value);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
fa_aws_settings_get_property (const FaAwsSettings * settings, guint id,
    GValue * value)
{
  switch (id) {
    case FA_AWS_PROP_ENDPOINT:
      g_value_set_string (value, settings->endpoint);
      return TRUE;
    case FA_AWS_PROP_REGION:
      g_value_set_string (value, settings->region);
      return TRUE;
    case FA_AWS_PROP_PROFILE:
      g_value_set_string (value, settings->profile);
      return TRUE;
    case FA_AWS_PROP_REQUEST_TIMEOUT:
      g_value_set_uint64 (value, settings->request_timeout);
      return TRUE;
    default:                   /* the keys are write-only */
      return FALSE;
  }
}

/* GST_ELEMENT_ERROR and GST_INFO_OBJECT log to the caller's category. */
#define GST_CAT_DEFAULT category

FaAwsCredentials *
fa_aws_settings_resolve (const FaAwsSettings * settings, GstElement * element,
    GstDebugCategory * category)
{
  GError *error = NULL;
  FaAwsCredentials *credentials = fa_aws_credentials_resolve (
      settings->access_key, settings->secret_key, settings->session_token,
      settings->profile, &error);
  if (credentials == NULL) {
    GST_ELEMENT_ERROR (element, RESOURCE, NOT_AUTHORIZED, ("%s",
            error->message), (NULL));
    g_clear_error (&error);
    return NULL;
  }
  gchar *described = fa_aws_credentials_describe (credentials);
  GST_INFO_OBJECT (element, "using AWS %s", described);
  g_free (described);
  return credentials;
}
