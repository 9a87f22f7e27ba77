/* facealert: AWS Signature Version 4 (header signing), on GLib's GHmac and
 * GChecksum.
 *
 * A request is described by its method, raw (decoded) path, raw query string,
 * ordered headers and body. Signing adds X-Amz-Date (unless present),
 * X-Amz-Security-Token (when the credentials carry a session token) and
 * Authorization. Secrets are only ever fed to HMAC: nothing here logs them.
 */
#pragma once

#include <glib.h>

#include "fa-aws-credentials.h"

G_BEGIN_DECLS

typedef struct {
  gchar *method;           /* "GET", "POST" */
  gchar *path;             /* decoded path, e.g. "/" or "/a b/../c" */
  gchar *query;            /* raw query string without '?', or NULL */
  GPtrArray *headers;      /* pairs: name, value, name, value... (owned) */
  GBytes *body;            /* may be NULL for an empty body */
} FaSigv4Request;

FaSigv4Request *fa_sigv4_request_new (const gchar *method, const gchar *path,
    const gchar *query);
void fa_sigv4_request_free (FaSigv4Request *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaSigv4Request, fa_sigv4_request_free)

/* Appends a header (names are case-insensitive; repeats are allowed). */
void fa_sigv4_request_add_header (FaSigv4Request *request, const gchar *name,
    const gchar *value);
/* First value of header @name, or NULL. */
const gchar *fa_sigv4_request_get_header (const FaSigv4Request *request,
    const gchar *name);
void fa_sigv4_request_set_body (FaSigv4Request *request, const void *data,
    gsize size);

/* The canonical request (task 1). @normalize_path: remove dot segments and
 * repeated slashes (every service but S3). @signed_headers: optional out. */
gchar *fa_sigv4_canonical_request (const FaSigv4Request *request,
    gboolean normalize_path, gchar **signed_headers);

/* The string to sign (task 2). @amz_date: "YYYYMMDDTHHMMSSZ". */
gchar *fa_sigv4_string_to_sign (const gchar *amz_date, const gchar *scope,
    const gchar *canonical_request);

/* The signing key (task 3): HMAC chain over date (YYYYMMDD), region, service. */
void fa_sigv4_signing_key (const gchar *secret_key, const gchar *date,
    const gchar *region, const gchar *service, guint8 key[32]);

/* Signs @request in place for @region and @service. Uses its X-Amz-Date
 * header when present, else @now (UTC; NULL = the current time). Returns the
 * Authorization header value (also added to the request). */
gchar *fa_sigv4_sign (FaSigv4Request *request, const FaAwsCredentials *credentials,
    const gchar *region, const gchar *service, GDateTime *now);

/* AWS URI encoding: everything but A-Z a-z 0-9 - _ . ~ is %XX (uppercase);
 * '/' is kept when @keep_slash. */
gchar *fa_sigv4_uri_encode (const gchar *text, gssize length, gboolean keep_slash);

/* Lowercase hex SHA-256 of @data. */
gchar *fa_sigv4_sha256_hex (const void *data, gsize size);

G_END_DECLS
