/* Unit: secrets are overwritten in place (lib/core/fa-secret.h). */
#include "fa-secret.h"

#include <string.h>

static void
test_wipe (void)
{
  gchar *secret = g_strdup ("wJalrXUtnFEMI/K7MDENG");
  gsize len = strlen (secret);
  fa_secret_wipe (secret);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpint (secret[i], ==, 0);
  g_free (secret);
  fa_secret_wipe (NULL);
  fa_secret_free (NULL);
  fa_secret_free (g_strdup ("x"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secret/wipe", test_wipe);
  return g_test_run ();
}
