/* facealert CLI: times in options and output, shared by the stream and
 * alert verbs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00" (no zone: UTC) or
 * epoch seconds ("1714564800", "1714564800.25") -> microseconds. On a bad
 * value, FA_ERROR_INVALID_ARGUMENT naming @option and saying what to use. */
gboolean fa_cli_parse_time (const gchar *option, const gchar *text,
    gint64 *us, GError **error);
/* ISO 8601 UTC with milliseconds ("2024-05-01T12:00:00.250Z"). */
gchar *fa_cli_format_time (gint64 us);

G_END_DECLS
