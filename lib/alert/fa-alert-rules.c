/* facealert: alert rules. See fa-alert-rules.h. */
#include "fa-alert-rules.h"

typedef struct {
  gint64 first_ts;
  gint64 last_ts;
  guint frames;
  gboolean alerted;
  gboolean suppressed;
} Track;

struct _FaAlertRules {
  FaAlertRulesConfig config;
  GHashTable *tracks;     /* guint64* -> Track* */
  gboolean any_alert;
  gint64 last_alert_ts;
  guint n_suppressed;
  gboolean disabled;      /* the camera's alerts switch is off */
};

FaAlertRules *
fa_alert_rules_new (const FaAlertRulesConfig *config)
{
  FaAlertRules *rules = g_new0 (FaAlertRules, 1);
  rules->config = *config;
  rules->tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  return rules;
}

void
fa_alert_rules_free (FaAlertRules *rules)
{
  if (rules == NULL)
    return;
  g_hash_table_unref (rules->tracks);
  g_free (rules);
}

void
fa_alert_rules_reset (FaAlertRules *rules)
{
  g_hash_table_remove_all (rules->tracks);
  rules->any_alert = FALSE;
  rules->last_alert_ts = 0;
}

void
fa_alert_rules_set_enabled (FaAlertRules *rules, gboolean enabled)
{
  rules->disabled = !enabled;
}

gboolean
fa_alert_rules_get_enabled (FaAlertRules *rules)
{
  return !rules->disabled;
}

guint
fa_alert_rules_n_suppressed (FaAlertRules *rules)
{
  return rules->n_suppressed;
}

static gboolean
expired (gpointer key, gpointer value, gpointer user_data)
{
  const Track *track = value;
  const gint64 *cutoff = user_data;
  return track->last_ts < *cutoff;
}

guint
fa_alert_rules_update (FaAlertRules *rules, gint64 ts, const FaAlertObservation *faces,
    guint n_faces, gboolean *fire)
{
  const FaAlertRulesConfig *c = &rules->config;
  guint fired = 0;
  for (guint i = 0; i < n_faces; i++) {
    fire[i] = FALSE;
    Track *track = g_hash_table_lookup (rules->tracks, &faces[i].track_id);
    if (track == NULL) {
      track = g_new0 (Track, 1);
      track->first_ts = ts;
      g_hash_table_insert (rules->tracks, g_memdup2 (&faces[i].track_id,
              sizeof (guint64)), track);
    }
    if (track->frames > 0 && ts == track->last_ts)
      continue;   /* the same track twice in a frame counts once */
    track->frames++;
    track->last_ts = ts;
    if (track->alerted || !faces[i].decided)
      continue;
    gboolean wanted = c->alert_on == FA_ALERT_ON_ALL
        || (c->alert_on == FA_ALERT_ON_KNOWN && faces[i].known)
        || (c->alert_on == FA_ALERT_ON_UNKNOWN && !faces[i].known);
    if (!wanted)
      continue;
    if (track->frames < c->min_frames || ts - track->first_ts < c->min_duration_ns)
      continue;
    if (rules->disabled)
      continue;   /* stays eligible for when the switch is back on */
    if (rules->any_alert && ts - rules->last_alert_ts < c->cooldown_ns) {
      if (!track->suppressed)
        rules->n_suppressed++;
      track->suppressed = TRUE;
      continue;
    }
    track->alerted = TRUE;
    rules->any_alert = TRUE;
    rules->last_alert_ts = ts;
    fire[i] = TRUE;
    fired++;
  }
  if (c->track_timeout_ns > 0) {
    gint64 cutoff = ts - c->track_timeout_ns;
    g_hash_table_foreach_remove (rules->tracks, expired, &cutoff);
  }
  return fired;
}
