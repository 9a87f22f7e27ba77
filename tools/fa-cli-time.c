/* facealert CLI: times in options and output (see fa-cli-time.h). */
#include "fa-cli-time.h"
#include "fa-error.h"

#include <errno.h>

gboolean
fa_cli_parse_time (const gchar *option, const gchar *text, gint64 *us,
    GError **error)
{
  if (text != NULL && *text != '\0') {
    gchar *end = NULL;
    errno = 0;
    gdouble seconds = g_ascii_strtod (text, &end);
    if (errno == 0 && end != text && *end == '\0' && seconds >= 0 && seconds < 1e11) {
      *us = (gint64) (seconds * G_USEC_PER_SEC + 0.5);
      return TRUE;
    }
    g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, utc);
    if (dt != NULL) {
      *us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
      return TRUE;
    }
  }
  g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
      "invalid time for %s: \"%s\" (use ISO 8601 like 2024-05-01T12:00:00Z, or "
      "seconds since the epoch)", option, text ? text : "");
  return FALSE;
}

gchar *
fa_cli_format_time (gint64 us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("-");
  g_autofree gchar *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int) ((us % G_USEC_PER_SEC) / 1000));
}
