/* facealert: AWS Signature Version 4 verification. See fa-sigv4-verify.h. */
#include "fa-sigv4-verify.h"
#include "fa-error.h"

#include <stdio.h>
#include <string.h>

void
fa_sigv4_authorization_clear (FaSigv4Authorization *auth)
{
  g_clear_pointer (&auth->access_key, g_free);
  g_clear_pointer (&auth->date, g_free);
  g_clear_pointer (&auth->region, g_free);
  g_clear_pointer (&auth->service, g_free);
  g_clear_pointer (&auth->signed_headers, g_strfreev);
  g_clear_pointer (&auth->signature, g_free);
}

static gboolean
malformed (GError **error, const gchar *what)
{
  g_set_error (error, FA_ERROR, FA_ERROR_AUTH, "%s", what);
  return FALSE;
}

static gboolean
all_lower_hex (const gchar *text, gsize length)
{
  if (strlen (text) != length)
    return FALSE;
  for (const gchar *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
fa_sigv4_parse_authorization (const gchar *value, FaSigv4Authorization *auth,
    GError **error)
{
  memset (auth, 0, sizeof *auth);
  const gchar *algorithm = "AWS4-HMAC-SHA256";
  while (g_ascii_isspace (*value))
    value++;
  if (!g_str_has_prefix (value, algorithm)
      || !g_ascii_isspace (value[strlen (algorithm)]))
    return malformed (error, "Authorization header is not AWS4-HMAC-SHA256");

  g_autofree gchar *credential = NULL, *headers = NULL, *signature = NULL;
  g_auto (GStrv) parts = g_strsplit (value + strlen (algorithm), ",", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    gchar *part = g_strstrip (parts[i]);
    gchar **slot = g_str_has_prefix (part, "Credential=") ? &credential
        : g_str_has_prefix (part, "SignedHeaders=") ? &headers
        : g_str_has_prefix (part, "Signature=") ? &signature : NULL;
    if (slot == NULL || *slot != NULL)
      return malformed (error, "Authorization header has an unknown or repeated part");
    *slot = g_strdup (strchr (part, '=') + 1);
  }
  if (credential == NULL || headers == NULL || signature == NULL)
    return malformed (error, "Authorization header needs Credential, SignedHeaders "
        "and Signature");

  g_auto (GStrv) scope = g_strsplit (credential, "/", -1);
  if (g_strv_length (scope) != 5 || *scope[0] == '\0' || strlen (scope[1]) != 8
      || *scope[2] == '\0' || *scope[3] == '\0'
      || !g_str_equal (scope[4], "aws4_request"))
    return malformed (error, "Credential should be KEY/YYYYMMDD/REGION/SERVICE/aws4_request");
  if (!all_lower_hex (signature, 64))
    return malformed (error, "Signature should be 64 lowercase hex digits");
  g_auto (GStrv) names = g_strsplit (headers, ";", -1);
  for (guint i = 0; names[i] != NULL; i++)
    if (*names[i] == '\0')
      return malformed (error, "SignedHeaders has an empty name");

  auth->access_key = g_strdup (scope[0]);
  auth->date = g_strdup (scope[1]);
  auth->region = g_strdup (scope[2]);
  auth->service = g_strdup (scope[3]);
  auth->signed_headers = g_steal_pointer (&names);
  auth->signature = g_steal_pointer (&signature);
  return TRUE;
}

/* "20150830T123600Z" -> UTC time, NULL when malformed. */
static GDateTime *
parse_amz_date (const gchar *text)
{
  int y, mo, d, h, mi, s;
  gchar z = 0, t = 0;
  if (strlen (text) != 16
      || sscanf (text, "%4d%2d%2d%c%2d%2d%2d%c", &y, &mo, &d, &t, &h, &mi, &s, &z) != 8
      || t != 'T' || z != 'Z')
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, s);
}

/* RFC 7231 IMF-fixdate ("Sun, 30 Aug 2015 12:36:00 GMT") -> UTC time. */
static GDateTime *
parse_http_date (const gchar *text)
{
  static const gchar months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  gchar wday[4], mon[4], zone[4];
  int d, y, h, mi, s;
  if (sscanf (text, "%3s, %d %3s %d %d:%d:%d %3s", wday, &d, mon, &y, &h, &mi, &s,
          zone) != 8 || !g_str_equal (zone, "GMT"))
    return NULL;
  const gchar *m = strstr (months, mon);
  if (m == NULL || (m - months) % 3 != 0)
    return NULL;
  return g_date_time_new_utc (y, (int) (m - months) / 3 + 1, d, h, mi, s);
}

static gboolean
constant_time_equal (const gchar *a, const gchar *b, gsize n)
{
  guchar diff = 0;
  for (gsize i = 0; i < n; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];
  return diff == 0;
}

static gboolean
is_signed (gchar **names, const gchar *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], name) == 0)
      return TRUE;
  return FALSE;
}

static FaSigv4Verdict
refuse (GError **error, FaSigv4Verdict verdict, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

static FaSigv4Verdict
refuse (GError **error, FaSigv4Verdict verdict, const gchar *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree gchar *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FA_ERROR, FA_ERROR_AUTH, message);
  return verdict;
}

static FaSigv4Verdict
verify_parsed (const FaSigv4Request *request, const FaAwsCredentials *key,
    const gchar *service, GDateTime *now, gint64 max_skew_s,
    const FaSigv4Authorization *auth, GError **error)
{
  /* The request time, and the scope's date must be its date. */
  const gchar *amz_date = fa_sigv4_request_get_header (request, "X-Amz-Date");
  const gchar *http_date = fa_sigv4_request_get_header (request, "Date");
  g_autoptr (GDateTime) when = amz_date != NULL ? parse_amz_date (amz_date)
      : http_date != NULL ? parse_http_date (http_date) : NULL;
  if (when == NULL)
    return refuse (error, FA_SIGV4_MALFORMED, "Authorization header requires a valid "
        "'X-Amz-Date' (YYYYMMDDTHHMMSSZ) or 'Date' header");
  if (!is_signed (auth->signed_headers, amz_date != NULL ? "x-amz-date" : "date")
      || !is_signed (auth->signed_headers, "host"))
    return refuse (error, FA_SIGV4_MALFORMED, "SignedHeaders must include host and %s",
        amz_date != NULL ? "x-amz-date" : "date");
  g_autofree gchar *stamp = g_date_time_format (when, "%Y%m%dT%H%M%SZ");
  g_autofree gchar *day = g_strndup (stamp, 8);
  if (!g_str_equal (day, auth->date))
    return refuse (error, FA_SIGV4_MALFORMED, "Credential should be scoped to a valid "
        "date: %s is not %s", auth->date, day);

  /* Key and service before the clock: they are the clearer answer. */
  if (!g_str_equal (auth->access_key, key->access_key))
    return refuse (error, FA_SIGV4_UNKNOWN_KEY,
        "The security token included in the request is invalid.");
  if (service != NULL && !g_str_equal (auth->service, service))
    return refuse (error, FA_SIGV4_WRONG_SERVICE, "Credential should be scoped to the "
        "correct service: '%s', not '%s'", service, auth->service);

  g_autoptr (GDateTime) current = now != NULL ? g_date_time_to_utc (now)
      : g_date_time_new_now_utc ();
  gint64 skew_s = g_date_time_difference (current, when) / G_USEC_PER_SEC;
  if (skew_s > max_skew_s || skew_s < -max_skew_s) {
    g_autofree gchar *now_text = g_date_time_format (current, "%Y%m%dT%H%M%SZ");
    return refuse (error, FA_SIGV4_STALE, "Signature %s: %s is now %s than %s "
        "(%s %c %" G_GINT64_FORMAT " min.)", skew_s > 0 ? "expired" : "not yet current",
        stamp, skew_s > 0 ? "earlier" : "later", now_text, now_text,
        skew_s > 0 ? '-' : '+', max_skew_s / 60);
  }

  /* The canonical request over the signed headers only, in received order. */
  g_autoptr (FaSigv4Request) subset = fa_sigv4_request_new (request->method,
      request->path, request->query);
  for (guint i = 0; i + 1 < request->headers->len; i += 2) {
    const gchar *name = g_ptr_array_index (request->headers, i);
    if (is_signed (auth->signed_headers, name))
      fa_sigv4_request_add_header (subset, name,
          g_ptr_array_index (request->headers, i + 1));
  }
  for (guint i = 0; auth->signed_headers[i] != NULL; i++)
    if (fa_sigv4_request_get_header (subset, auth->signed_headers[i]) == NULL)
      return refuse (error, FA_SIGV4_MALFORMED, "signed header %s is not in the request",
          auth->signed_headers[i]);
  if (request->body != NULL)
    subset->body = g_bytes_ref (request->body);

  g_autofree gchar *listed = NULL;
  g_autofree gchar *creq = fa_sigv4_canonical_request (subset, TRUE, &listed);
  g_autofree gchar *given_list = g_strjoinv (";", auth->signed_headers);
  g_autofree gchar *given_lower = g_ascii_strdown (given_list, -1);
  if (!g_str_equal (listed, given_lower))
    return refuse (error, FA_SIGV4_MALFORMED, "SignedHeaders must be lowercase, sorted "
        "and without repeats");
  g_autofree gchar *scope = g_strdup_printf ("%s/%s/%s/aws4_request", auth->date,
      auth->region, auth->service);
  g_autofree gchar *sts = fa_sigv4_string_to_sign (stamp, scope, creq);

  guint8 signing_key[32], digest[32];
  fa_sigv4_signing_key (key->secret_key, auth->date, auth->region, auth->service,
      signing_key);
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, signing_key, sizeof signing_key);
  g_hmac_update (hmac, (const guchar *) sts, strlen (sts));
  gsize len = sizeof digest;
  g_hmac_get_digest (hmac, digest, &len);
  g_hmac_unref (hmac);
  memset (signing_key, 0, sizeof signing_key);
  gchar expected[65];
  for (int i = 0; i < 32; i++)
    g_snprintf (expected + 2 * i, 3, "%02x", digest[i]);
  gboolean match = constant_time_equal (expected, auth->signature, 64);
  memset (expected, 0, sizeof expected);
  if (!match)
    return refuse (error, FA_SIGV4_BAD_SIGNATURE, "The request signature we calculated "
        "does not match the signature you provided. Check your AWS Secret Access Key "
        "and signing method. Consult the service documentation for details.");
  return FA_SIGV4_OK;
}

FaSigv4Verdict
fa_sigv4_verify (const FaSigv4Request *request, const FaAwsCredentials *key,
    const gchar *service, GDateTime *now, gint64 max_skew_s,
    FaSigv4Authorization *auth, GError **error)
{
  const gchar *header = fa_sigv4_request_get_header (request, "Authorization");
  if (header == NULL)
    return refuse (error, FA_SIGV4_MISSING, "Missing Authentication Token");
  FaSigv4Authorization parsed;
  if (!fa_sigv4_parse_authorization (header, &parsed, error))
    return FA_SIGV4_MALFORMED;
  FaSigv4Verdict verdict = verify_parsed (request, key, service, now, max_skew_s,
      &parsed, error);
  if (auth != NULL)
    *auth = parsed;
  else
    fa_sigv4_authorization_clear (&parsed);
  return verdict;
}
