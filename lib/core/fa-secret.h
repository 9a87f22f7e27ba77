/* facealert: secrets in memory (passwords, secret keys, session tokens).
 *
 * A secret is overwritten before its memory is freed or reused, so a later
 * crash dump or a reader of freed memory does not find it. explicit_bzero,
 * not memset: a compiler may drop a memset of memory about to be freed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Overwrites the string @secret (NULL: nothing) with zeros, in place. */
void fa_secret_wipe (gchar *secret);

/* fa_secret_wipe() then g_free(). */
void fa_secret_free (gchar *secret);

G_END_DECLS
