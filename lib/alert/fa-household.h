/* facealert: the household's switches, shared by every alertsink of the
 * household, Home Assistant (over MQTT) and the `facealert` CLI:
 *   - the mode, home or away: the person rule alerts only when away; unknown
 *     faces alert in both;
 *   - each camera's alerts, on or off: a camera switched off raises no alert
 *     at all (SNS nor MQTT).
 *
 * One small JSON file, FA_DIR_STATE/household.json ($FACEALERT_STATE_DIR,
 * else $XDG_STATE_HOME/facealert; 0600 in a 0700 directory):
 *   {"mode": "away", "cameras": {"cam2": {"alerts": false}}}
 * No file means away with every camera on: out of the box nothing is
 * silenced. A change re-reads the file and writes it whole (temporary file,
 * fsync, rename) under an flock of household.json.lock, so the CLI and the
 * alertsinks never lose each other's changes; readers see a change by the
 * file's identity (inode, size, mtime) on fa_household_refresh(), which is
 * a stat() when nothing changed.
 *
 * Thread-safe.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_HOUSEHOLD_AWAY,
  FA_HOUSEHOLD_HOME,
} FaHouseholdMode;

typedef struct _FaHousehold FaHousehold;

/* @path: NULL for the default file. Reads it (a missing file is the
 * defaults; a corrupt one leaves the defaults and is reported by
 * fa_household_refresh()). */
FaHousehold *fa_household_open (const gchar *path);
void fa_household_free (FaHousehold *household);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaHousehold, fa_household_free)

const gchar *fa_household_get_path (FaHousehold *household);
/* The default file (newly allocated). */
gchar *fa_household_default_path (void);

/* Reads the file again when it changed. *@changed (optional): whether the
 * mode or a switch changed. FALSE with FA_ERROR_CORRUPT / FA_ERROR_IO (the
 * last good state is kept) when the file cannot be read (once per change of
 * the file: the next refresh is quiet until it changes again). */
gboolean fa_household_refresh (FaHousehold *household, gboolean *changed,
    GError **error);

FaHouseholdMode fa_household_get_mode (FaHousehold *household);
gboolean fa_household_get_alerts (FaHousehold *household, const gchar *camera);
/* Cameras with a stored switch, sorted (NULL-terminated, free with
 * g_strfreev). */
gchar **fa_household_list_cameras (FaHousehold *household);

/* Change and persist; FA_ERROR_IO (disk full, permissions) or FA_ERROR_BUSY
 * (lock held for over 5 s) with the file named. */
gboolean fa_household_set_mode (FaHousehold *household, FaHouseholdMode mode,
    GError **error);
gboolean fa_household_set_alerts (FaHousehold *household, const gchar *camera,
    gboolean on, GError **error);

const gchar *fa_household_mode_name (FaHouseholdMode mode);
/* "home" / "away" (any case); FALSE for anything else. */
gboolean fa_household_mode_from_name (const gchar *name, FaHouseholdMode *mode);

G_END_DECLS
