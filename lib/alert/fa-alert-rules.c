/* facealert: alert rules. See fa-alert-rules.h. */
#include "fa-alert-rules.h"
#include "fa-error.h"

#include <string.h>

typedef struct {
  gint64 first_ts;
  gint64 last_ts;
  guint frames;
  gboolean alerted;
  gboolean suppressed;
  guint64 link;           /* a face's person track, a person's face track */
} Track;

struct _FaAlertRules {
  FaAlertRulesConfig config;
  GHashTable *faces;      /* guint64* -> Track* */
  GHashTable *persons;    /* guint64* -> Track* */
  gboolean any_alert;
  gint64 last_alert_ts;
  guint n_suppressed;
  gboolean disabled;      /* the camera's alerts switch is off */
  gboolean home;          /* the household is at home: no person rule */
};

static const struct {
  const gchar *word;
  guint bits;
} words[] = {
  { "unknown", FA_ALERT_ON_UNKNOWN },
  { "known", FA_ALERT_ON_KNOWN },
  { "person", FA_ALERT_ON_PERSON },
  { "all", FA_ALERT_ON_ALL },
};

gboolean
fa_alert_on_parse (const gchar *text, guint *alert_on, GError **error)
{
  g_auto (GStrv) tokens = g_strsplit_set (text != NULL ? text : "", ", \t", -1);
  guint bits = 0;

  for (guint i = 0; tokens[i] != NULL; i++) {
    if (*tokens[i] == '\0')
      continue;
    guint w;
    for (w = 0; w < G_N_ELEMENTS (words); w++)
      if (g_ascii_strcasecmp (tokens[i], words[w].word) == 0)
        break;
    if (w == G_N_ELEMENTS (words)) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "alert-on: \"%s\" is not a rule (use a comma list of unknown, "
          "known, person; all = unknown,known)", tokens[i]);
      return FALSE;
    }
    bits |= words[w].bits;
  }
  if (bits == 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "alert-on is empty (use a comma list of unknown, known, person)");
    return FALSE;
  }
  *alert_on = bits;
  return TRUE;
}

gchar *
fa_alert_on_to_string (guint alert_on)
{
  GString *out = g_string_new (NULL);
  for (guint w = 0; w < G_N_ELEMENTS (words); w++)
    if (words[w].bits != FA_ALERT_ON_ALL && (alert_on & words[w].bits))
      g_string_append_printf (out, "%s%s", out->len ? "," : "", words[w].word);
  return g_string_free (out, FALSE);
}

FaAlertRules *
fa_alert_rules_new (const FaAlertRulesConfig *config)
{
  FaAlertRules *rules = g_new0 (FaAlertRules, 1);
  rules->config = *config;
  rules->faces = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  rules->persons = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
      g_free);
  return rules;
}

void
fa_alert_rules_free (FaAlertRules *rules)
{
  if (rules == NULL)
    return;
  g_hash_table_unref (rules->faces);
  g_hash_table_unref (rules->persons);
  g_free (rules);
}

void
fa_alert_rules_reset (FaAlertRules *rules)
{
  g_hash_table_remove_all (rules->faces);
  g_hash_table_remove_all (rules->persons);
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

void
fa_alert_rules_set_away (FaAlertRules *rules, gboolean away)
{
  rules->home = !away;
}

guint
fa_alert_rules_n_suppressed (FaAlertRules *rules)
{
  return rules->n_suppressed;
}

/* The rules on right now. Switches that come and go while running (issue 10:
 * household mode, per-camera on/off) narrow this set, one setter each. */
static guint
active_rules (FaAlertRules *rules)
{
  if (rules->disabled)
    return 0;                   /* the camera's alerts are switched off */
  if (rules->home)
    return rules->config.alert_on & ~FA_ALERT_ON_PERSON;
  return rules->config.alert_on;
}

static gboolean
expired (gpointer key, gpointer value, gpointer user_data)
{
  const Track *track = value;
  const gint64 *cutoff = user_data;
  return track->last_ts < *cutoff;
}

/* Counts a track's frame at @ts; NULL when it was already counted in this
 * frame (the same track twice in a frame counts once and decides once). */
static Track *
touch (GHashTable *table, guint64 id, gint64 ts)
{
  Track *track = g_hash_table_lookup (table, &id);
  if (track == NULL) {
    track = g_new0 (Track, 1);
    track->first_ts = ts;
    g_hash_table_insert (table, g_memdup2 (&id, sizeof id), track);
  } else if (track->frames > 0 && track->last_ts == ts) {
    return NULL;
  }
  track->frames++;
  track->last_ts = ts;
  return track;
}

static Track *
lookup (GHashTable *table, guint64 id)
{
  return id != 0 ? g_hash_table_lookup (table, &id) : NULL;
}

static gboolean
persisted (const FaAlertRulesConfig *c, const Track *track, gint64 ts,
    gint64 min_duration)
{
  return track->frames >= c->min_frames && ts - track->first_ts >= min_duration;
}

/* TRUE when the camera may alert now; otherwise counts @track as held back. */
static gboolean
cooldown_over (FaAlertRules *rules, Track *track, gint64 ts)
{
  if (!rules->any_alert || ts - rules->last_alert_ts >= rules->config.cooldown_ns)
    return TRUE;
  if (!track->suppressed)
    rules->n_suppressed++;
  track->suppressed = TRUE;
  return FALSE;
}

static void
mark_alerted (FaAlertRules *rules, Track *track, Track *other, gint64 ts)
{
  track->alerted = TRUE;
  if (other != NULL)
    other->alerted = TRUE;
  rules->any_alert = TRUE;
  rules->last_alert_ts = ts;
}

guint
fa_alert_rules_update (FaAlertRules *rules, gint64 ts,
    const FaAlertObservation *faces, guint n_faces,
    const FaAlertPerson *persons, guint n_persons, FaAlertFire *fired)
{
  const FaAlertRulesConfig *c = &rules->config;
  guint active = active_rules (rules), n_fired = 0;
  g_autofree Track **face_tracks = g_new0 (Track *, n_faces + 1);
  g_autofree Track **person_tracks = g_new0 (Track *, n_persons + 1);

  /* Count every track's frame and learn the face <-> person links first, so
   * a face and its person seen in the same frame know of each other. */
  for (guint i = 0; i < n_faces; i++) {
    face_tracks[i] = touch (rules->faces, faces[i].track_id, ts);
    if (face_tracks[i] != NULL && faces[i].person_track_id != 0)
      face_tracks[i]->link = faces[i].person_track_id;
  }
  for (guint i = 0; i < n_persons; i++) {
    person_tracks[i] = touch (rules->persons, persons[i].track_id, ts);
    if (person_tracks[i] != NULL && persons[i].face_track_id != 0)
      person_tracks[i]->link = persons[i].face_track_id;
  }

  for (guint i = 0; i < n_faces; i++) {
    Track *track = face_tracks[i];
    if (track == NULL || track->alerted || !faces[i].decided)
      continue;
    FaAlertOn rule = faces[i].known ? FA_ALERT_ON_KNOWN : FA_ALERT_ON_UNKNOWN;
    if (!(active & rule) || !persisted (c, track, ts, c->min_duration_ns))
      continue;
    Track *person = lookup (rules->persons, track->link);
    if (person != NULL && person->alerted) {
      track->alerted = TRUE;    /* this person has alerted already */
      continue;
    }
    if (!cooldown_over (rules, track, ts))
      continue;
    mark_alerted (rules, track, person, ts);
    fired[n_fired++] = (FaAlertFire) { rule, i };
  }

  for (guint i = 0; i < n_persons; i++) {
    Track *track = person_tracks[i];
    if (track == NULL || track->alerted || persons[i].known)
      continue;
    if (!(active & FA_ALERT_ON_PERSON)
        || !persisted (c, track, ts, c->person_min_duration_ns))
      continue;
    Track *face = lookup (rules->faces, track->link);
    if (face != NULL && face->alerted) {
      track->alerted = TRUE;    /* its face has alerted already */
      continue;
    }
    if (!cooldown_over (rules, track, ts))
      continue;
    mark_alerted (rules, track, face, ts);
    fired[n_fired++] = (FaAlertFire) { FA_ALERT_ON_PERSON, i };
  }

  if (c->track_timeout_ns > 0) {
    gint64 cutoff = ts - c->track_timeout_ns;
    g_hash_table_foreach_remove (rules->faces, expired, &cutoff);
    g_hash_table_foreach_remove (rules->persons, expired, &cutoff);
  }
  return n_fired;
}
