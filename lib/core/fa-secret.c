/* facealert: secrets in memory. See fa-secret.h. */
#include "fa-secret.h"

#include <string.h>

void
fa_secret_wipe (gchar *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
}

void
fa_secret_free (gchar *secret)
{
  fa_secret_wipe (secret);
  g_free (secret);
}
