/* facealert: when a tracked face becomes an alert (alertsink's rules).
 *
 * A face alerts when all hold:
 *   - its identity is decided and its class matches alert-on
 *     (unknown, known or all);
 *   - its track has been seen in at least min_frames frames and for at least
 *     min_duration_ns (persistence: no alerts for flicker);
 *   - its track has not alerted yet (one alert per tracked face);
 *   - the camera's last alert is at least cooldown_ns old. A face held back
 *     by the cooldown stays eligible and alerts once the cooldown ends if it
 *     is still there (no missed strangers, at most one alert per cooldown).
 * Tracks unseen for track_timeout_ns are forgotten.
 *
 * The camera's alerts switch (fa_alert_rules_set_enabled(), the household's
 * per-camera on/off): while off, nothing alerts; tracks keep counting, and
 * one still in view when the switch comes back on alerts then, as after a
 * cooldown.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_ALERT_ON_UNKNOWN,
  FA_ALERT_ON_KNOWN,
  FA_ALERT_ON_ALL,
} FaAlertOn;

typedef struct {
  FaAlertOn alert_on;
  guint min_frames;
  gint64 min_duration_ns;
  gint64 cooldown_ns;
  gint64 track_timeout_ns;
} FaAlertRulesConfig;

typedef struct {
  guint64 track_id;
  gboolean known;
  gboolean decided;
} FaAlertObservation;

typedef struct _FaAlertRules FaAlertRules;

FaAlertRules *fa_alert_rules_new (const FaAlertRulesConfig *config);
void fa_alert_rules_free (FaAlertRules *rules);
void fa_alert_rules_reset (FaAlertRules *rules);

/* Feeds the faces of one frame at @ts_ns (monotonic per stream). Sets
 * @fire[i] to TRUE for each face that alerts now. Returns how many. */
guint fa_alert_rules_update (FaAlertRules *rules, gint64 ts_ns,
    const FaAlertObservation *faces, guint n_faces, gboolean *fire);

/* The camera's alerts switch (on by default). */
void fa_alert_rules_set_enabled (FaAlertRules *rules, gboolean enabled);
gboolean fa_alert_rules_get_enabled (FaAlertRules *rules);

/* Faces held back by the cooldown so far (each track counted once). */
guint fa_alert_rules_n_suppressed (FaAlertRules *rules);

G_END_DECLS
