/* facealert: the AWS client properties an element shares with the others
 * that talk to AWS (alertsink: SNS, kdssink: Kinesis): endpoint, region,
 * access-key, secret-key and session-token (write-only, wiped on change and
 * on free, never logged), profile and request-timeout; and the credentials
 * they resolve to (properties, else environment, else ~/.aws/credentials,
 * see fa-aws-credentials.h).
 *
 * The element reserves FA_AWS_N_PROPS consecutive property ids starting at
 * its PROP_AWS_FIRST, installs them with fa_aws_settings_install(), and
 * forwards set_property/get_property ids it does not know to
 * fa_aws_settings_set_property()/_get_property() (under its object lock).
 */
#pragma once

#include <gst/gst.h>

#include "fa-aws-credentials.h"

G_BEGIN_DECLS

typedef enum {
  FA_AWS_PROP_ENDPOINT,
  FA_AWS_PROP_REGION,
  FA_AWS_PROP_ACCESS_KEY,
  FA_AWS_PROP_SECRET_KEY,
  FA_AWS_PROP_SESSION_TOKEN,
  FA_AWS_PROP_PROFILE,
  FA_AWS_PROP_REQUEST_TIMEOUT,
  FA_AWS_N_PROPS
} FaAwsProp;

#define FA_AWS_DEFAULT_REGION "us-east-1"
#define FA_AWS_DEFAULT_REQUEST_TIMEOUT (15 * GST_SECOND)

typedef struct {
  gchar *endpoint;
  gchar *region;
  gchar *access_key;
  gchar *secret_key;
  gchar *session_token;
  gchar *profile;
  guint64 request_timeout;      /* ns */
} FaAwsSettings;

/* Installs the properties at ids @first_id + FaAwsProp. @endpoint_blurb and
 * @request_timeout_blurb (static strings) say which service they are for. */
void fa_aws_settings_install (GObjectClass * klass, guint first_id,
    const gchar * endpoint_blurb, const gchar * request_timeout_blurb);

/* The defaults (region us-east-1, request-timeout 15 s). */
void fa_aws_settings_init (FaAwsSettings * settings);
/* Frees the strings, wiping the secrets first; leaves @settings zeroed. */
void fa_aws_settings_clear (FaAwsSettings * settings);
/* @dest (cleared or zeroed) becomes a copy of @src. */
void fa_aws_settings_copy (FaAwsSettings * dest, const FaAwsSettings * src);

/* @id: the property id minus the element's first AWS id. FALSE when @id is
 * not one of FaAwsProp (or, for get, is write-only). */
gboolean fa_aws_settings_set_property (FaAwsSettings * settings, guint id,
    const GValue * value);
gboolean fa_aws_settings_get_property (const FaAwsSettings * settings,
    guint id, GValue * value);

/* The credentials @settings resolve to, described (safely) in @category's
 * log; NULL with a NOT_AUTHORIZED element error posted on @element. */
FaAwsCredentials *fa_aws_settings_resolve (const FaAwsSettings * settings,
    GstElement * element, GstDebugCategory * category);

G_END_DECLS
