/* facealert: salted, slow password hashes (PBKDF2-HMAC-SHA256 from libcrypto)
 * for the server's page login.
 *
 * Stored form, one line: "pbkdf2-sha256$ITERATIONS$SALT$HASH" (salt 16 random
 * bytes, hash 32 bytes, both base64). Verification recomputes the hash with
 * the stored iterations and compares in constant time. Nothing here logs or
 * keeps the password; buffers holding it are wiped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about 0.3 s on one core here. */
#define FA_PASSWORD_ITERATIONS 600000
#define FA_PASSWORD_MIN_LENGTH 8
#define FA_PASSWORD_MAX_LENGTH 1024
#define FA_PASSWORD_FILE "serve-password"

/* FA_ERROR_INVALID_ARGUMENT when @password is shorter than
 * FA_PASSWORD_MIN_LENGTH or longer than FA_PASSWORD_MAX_LENGTH bytes. */
gboolean fa_password_check_strength (const gchar *password, GError **error);

/* The stored form of @password with a fresh random salt. */
gchar *fa_password_hash (const gchar *password, guint iterations, GError **error);

typedef enum {
  FA_PASSWORD_MATCH,
  FA_PASSWORD_MISMATCH,
  FA_PASSWORD_CORRUPT,     /* @stored is not a hash this code wrote */
} FaPasswordVerdict;

FaPasswordVerdict fa_password_verify (const gchar *stored, const gchar *password);

/* Writes the hash of @password to @path (0600, its directory 0700, replaced
 * atomically). */
gboolean fa_password_save (const gchar *path, const gchar *password,
    guint iterations, GError **error);
/* The stored hash in @path: FA_ERROR_NOT_FOUND when absent, FA_ERROR_CORRUPT
 * when it does not look like one, FA_ERROR_AUTH when others may read it. */
gchar *fa_password_load (const gchar *path, GError **error);

G_END_DECLS
