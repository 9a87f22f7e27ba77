/* facealert: AWS Signature Version 4. See fa-sigv4.h. */
#include "fa-sigv4.h"
#include "fa-secret.h"

#include <string.h>

FaSigv4Request *
fa_sigv4_request_new (const gchar *method, const gchar *path, const gchar *query)
{
  FaSigv4Request *request = g_new0 (FaSigv4Request, 1);
  request->method = g_strdup (method);
  request->path = g_strdup (path != NULL && *path != '\0' ? path : "/");
  request->query = g_strdup (query);
  request->headers = g_ptr_array_new_with_free_func (g_free);
  return request;
}

void
fa_sigv4_request_free (FaSigv4Request *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_free (request->query);
  g_ptr_array_unref (request->headers);
  if (request->body != NULL)
    g_bytes_unref (request->body);
  g_free (request);
}

void
fa_sigv4_request_add_header (FaSigv4Request *request, const gchar *name,
    const gchar *value)
{
  g_ptr_array_add (request->headers, g_strdup (name));
  g_ptr_array_add (request->headers, g_strdup (value));
}

const gchar *
fa_sigv4_request_get_header (const FaSigv4Request *request, const gchar *name)
{
  for (guint i = 0; i + 1 < request->headers->len; i += 2) {
    if (g_ascii_strcasecmp (g_ptr_array_index (request->headers, i), name) == 0)
      return g_ptr_array_index (request->headers, i + 1);
  }
  return NULL;
}

void
fa_sigv4_request_set_body (FaSigv4Request *request, const void *data, gsize size)
{
  if (request->body != NULL)
    g_bytes_unref (request->body);
  request->body = g_bytes_new (data, size);
}

gchar *
fa_sigv4_uri_encode (const gchar *text, gssize length, gboolean keep_slash)
{
  static const gchar hex[] = "0123456789ABCDEF";
  gsize n = length < 0 ? strlen (text) : (gsize) length;
  GString *out = g_string_sized_new (n + 8);
  for (gsize i = 0; i < n; i++) {
    guchar c = (guchar) text[i];
    if (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~'
        || (keep_slash && c == '/')) {
      g_string_append_c (out, (gchar) c);
    } else {
      g_string_append_c (out, '%');
      g_string_append_c (out, hex[c >> 4]);
      g_string_append_c (out, hex[c & 15]);
    }
  }
  return g_string_free (out, FALSE);
}

gchar *
fa_sigv4_sha256_hex (const void *data, gsize size)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      data != NULL ? data : (const guchar *) "", size);
}

/* Percent-decoding that never fails: a malformed escape stays as is. */
static gchar *
percent_decode (const gchar *text, gsize n)
{
  GString *out = g_string_sized_new (n);
  for (gsize i = 0; i < n; i++) {
    if (text[i] == '%' && i + 2 < n
        && g_ascii_isxdigit (text[i + 1]) && g_ascii_isxdigit (text[i + 2])) {
      g_string_append_c (out, (gchar) (g_ascii_xdigit_value (text[i + 1]) * 16
              + g_ascii_xdigit_value (text[i + 2])));
      i += 2;
    } else {
      g_string_append_c (out, text[i]);
    }
  }
  return g_string_free (out, FALSE);
}

/* RFC 3986 remove_dot_segments plus collapsing of empty segments; keeps a
 * trailing slash. */
static gchar *
normalize_path (const gchar *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  GPtrArray *stack = g_ptr_array_new ();
  guint n = g_strv_length (parts);
  gboolean trailing = n > 1 && (parts[n - 1][0] == '\0'
      || g_str_equal (parts[n - 1], ".") || g_str_equal (parts[n - 1], ".."));
  for (guint i = 0; i < n; i++) {
    const gchar *segment = parts[i];
    if (segment[0] == '\0' || g_str_equal (segment, "."))
      continue;
    if (g_str_equal (segment, "..")) {
      if (stack->len > 0)
        g_ptr_array_remove_index (stack, stack->len - 1);
      continue;
    }
    g_ptr_array_add (stack, (gpointer) segment);
  }
  GString *out = g_string_new ("/");
  for (guint i = 0; i < stack->len; i++) {
    if (i > 0)
      g_string_append_c (out, '/');
    g_string_append (out, g_ptr_array_index (stack, i));
  }
  if (trailing && stack->len > 0)
    g_string_append_c (out, '/');
  g_ptr_array_unref (stack);
  return g_string_free (out, FALSE);
}

typedef struct {
  gchar *key;
  gchar *value;
} QueryPair;

static gint
compare_pairs (gconstpointer a, gconstpointer b)
{
  const QueryPair *pa = *(QueryPair * const *) a;
  const QueryPair *pb = *(QueryPair * const *) b;
  gint c = strcmp (pa->key, pb->key);
  return c != 0 ? c : strcmp (pa->value, pb->value);
}

static void
query_pair_free (gpointer data)
{
  QueryPair *pair = data;
  g_free (pair->key);
  g_free (pair->value);
  g_free (pair);
}

static gchar *
canonical_query (const gchar *query)
{
  if (query == NULL || *query == '\0')
    return g_strdup ("");
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (query_pair_free);
  g_auto (GStrv) items = g_strsplit (query, "&", -1);
  for (guint i = 0; items[i] != NULL; i++) {
    if (items[i][0] == '\0')
      continue;
    const gchar *eq = strchr (items[i], '=');
    gsize klen = eq != NULL ? (gsize) (eq - items[i]) : strlen (items[i]);
    g_autofree gchar *k = percent_decode (items[i], klen);
    g_autofree gchar *v = eq != NULL ? percent_decode (eq + 1, strlen (eq + 1))
        : g_strdup ("");
    QueryPair *pair = g_new0 (QueryPair, 1);
    pair->key = fa_sigv4_uri_encode (k, -1, FALSE);
    pair->value = fa_sigv4_uri_encode (v, -1, FALSE);
    g_ptr_array_add (pairs, pair);
  }
  g_ptr_array_sort (pairs, compare_pairs);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < pairs->len; i++) {
    QueryPair *pair = g_ptr_array_index (pairs, i);
    if (i > 0)
      g_string_append_c (out, '&');
    g_string_append_printf (out, "%s=%s", pair->key, pair->value);
  }
  return g_string_free (out, FALSE);
}

/* Trims and collapses every run of whitespace (including folded lines). */
static gchar *
canonical_header_value (const gchar *value)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  for (const gchar *p = value; *p != '\0'; p++) {
    if (g_ascii_isspace (*p)) {
      space = TRUE;
      continue;
    }
    if (space && out->len > 0)
      g_string_append_c (out, ' ');
    space = FALSE;
    g_string_append_c (out, *p);
  }
  return g_string_free (out, FALSE);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

gchar *
fa_sigv4_canonical_request (const FaSigv4Request *request,
    gboolean normalize, gchar **signed_headers)
{
  GString *out = g_string_new (request->method);
  g_string_append_c (out, '\n');

  g_autofree gchar *decoded = percent_decode (request->path, strlen (request->path));
  g_autofree gchar *path = normalize ? normalize_path (decoded) : g_strdup (decoded);
  g_autofree gchar *encoded_path = fa_sigv4_uri_encode (path, -1, TRUE);
  g_string_append (out, encoded_path);
  g_string_append_c (out, '\n');

  g_autofree gchar *query = canonical_query (request->query);
  g_string_append (out, query);
  g_string_append_c (out, '\n');

  /* Headers: lowercase names, sorted, repeated values joined with ','. */
  g_autoptr (GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; i + 1 < request->headers->len; i += 2) {
    gchar *name = g_ascii_strdown (g_ptr_array_index (request->headers, i), -1);
    g_autofree gchar *value =
        canonical_header_value (g_ptr_array_index (request->headers, i + 1));
    GString *joined = g_hash_table_lookup (values, name);
    if (joined == NULL) {
      joined = g_string_new (value);
      g_hash_table_insert (values, name, joined);
      g_ptr_array_add (names, name);
    } else {
      g_string_append_printf (joined, ",%s", value);
      g_free (name);
    }
  }
  g_ptr_array_sort (names, compare_strings);
  GString *signed_list = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++) {
    const gchar *name = g_ptr_array_index (names, i);
    GString *joined = g_hash_table_lookup (values, name);
    g_string_append_printf (out, "%s:%s\n", name, joined->str);
    if (i > 0)
      g_string_append_c (signed_list, ';');
    g_string_append (signed_list, name);
  }
  for (guint i = 0; i < names->len; i++)
    g_string_free (g_hash_table_lookup (values, g_ptr_array_index (names, i)), TRUE);
  g_string_append_c (out, '\n');
  g_string_append (out, signed_list->str);
  g_string_append_c (out, '\n');

  gsize body_size = 0;
  const void *body = request->body != NULL
      ? g_bytes_get_data (request->body, &body_size) : NULL;
  g_autofree gchar *payload_hash = fa_sigv4_sha256_hex (body, body_size);
  g_string_append (out, payload_hash);

  if (signed_headers != NULL)
    *signed_headers = g_string_free (signed_list, FALSE);
  else
    g_string_free (signed_list, TRUE);
  return g_string_free (out, FALSE);
}

gchar *
fa_sigv4_string_to_sign (const gchar *amz_date, const gchar *scope,
    const gchar *canonical_request)
{
  g_autofree gchar *hash = fa_sigv4_sha256_hex (canonical_request,
      strlen (canonical_request));
  return g_strdup_printf ("AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, hash);
}

static void
hmac_sha256 (const guint8 *key, gsize key_len, const gchar *data, guint8 out[32])
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (hmac, (const guchar *) data, strlen (data));
  gsize len = 32;
  g_hmac_get_digest (hmac, out, &len);
  g_hmac_unref (hmac);
}

void
fa_sigv4_signing_key (const gchar *secret_key, const gchar *date,
    const gchar *region, const gchar *service, guint8 key[32])
{
  g_autofree gchar *k_secret = g_strconcat ("AWS4", secret_key, NULL);
  guint8 k_date[32], k_region[32], k_service[32];
  hmac_sha256 ((const guint8 *) k_secret, strlen (k_secret), date, k_date);
  hmac_sha256 (k_date, 32, region, k_region);
  hmac_sha256 (k_region, 32, service, k_service);
  hmac_sha256 (k_service, 32, "aws4_request", key);
  fa_secret_wipe (k_secret);
  memset (k_date, 0, sizeof k_date);
  memset (k_region, 0, sizeof k_region);
  memset (k_service, 0, sizeof k_service);
}

gchar *
fa_sigv4_sign (FaSigv4Request *request, const FaAwsCredentials *credentials,
    const gchar *region, const gchar *service, GDateTime *now)
{
  const gchar *existing = fa_sigv4_request_get_header (request, "X-Amz-Date");
  g_autofree gchar *amz_date = NULL;
  if (existing != NULL) {
    amz_date = g_strdup (existing);
  } else {
    g_autoptr (GDateTime) utc = now != NULL ? g_date_time_to_utc (now)
        : g_date_time_new_now_utc ();
    amz_date = g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
    fa_sigv4_request_add_header (request, "X-Amz-Date", amz_date);
  }
  if (credentials->session_token != NULL && *credentials->session_token != '\0'
      && fa_sigv4_request_get_header (request, "X-Amz-Security-Token") == NULL)
    fa_sigv4_request_add_header (request, "X-Amz-Security-Token",
        credentials->session_token);

  g_autofree gchar *date = g_strndup (amz_date, 8);
  g_autofree gchar *scope = g_strdup_printf ("%s/%s/%s/aws4_request", date,
      region, service);
  g_autofree gchar *signed_headers = NULL;
  g_autofree gchar *creq = fa_sigv4_canonical_request (request, TRUE,
      &signed_headers);
  g_autofree gchar *sts = fa_sigv4_string_to_sign (amz_date, scope, creq);

  guint8 key[32], signature[32];
  fa_sigv4_signing_key (credentials->secret_key, date, region, service, key);
  hmac_sha256 (key, 32, sts, signature);
  memset (key, 0, sizeof key);

  GString *authz = g_string_new (NULL);
  g_string_append_printf (authz,
      "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=",
      credentials->access_key, scope, signed_headers);
  for (int i = 0; i < 32; i++)
    g_string_append_printf (authz, "%02x", signature[i]);
  fa_sigv4_request_add_header (request, "Authorization", authz->str);
  return g_string_free (authz, FALSE);
}
