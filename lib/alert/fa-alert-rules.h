/* facealert: which tracks become alerts (alertsink's rules).
 *
 * The rules that can be on (alert-on, a set):
 *   unknown  a face decided unknown by facematch (the default);
 *   known    a face decided known;
 *   person   a person track (objectdetect's person box, tracked by facematch)
 *            in view for person_min_duration_ns with no face decided known:
 *            the stranger whose face is never seen (hood, back turned, far).
 * Pets never alert: the rules see faces and persons only, and facematch never
 * judges a face that only a pet box holds.
 *
 * A face or a person alerts when all hold:
 *   - its rule is on (a face: decided, and unknown or known as the rule says;
 *     a person: not known);
 *   - its track has been seen in at least min_frames frames and for at least
 *     min_duration_ns (a face) or person_min_duration_ns (a person);
 *   - it has not alerted yet: one alert per face track, and one per person:
 *     a face held by a person box that already alerted (by either rule) does
 *     not alert again, and a person whose face alerted raises no person alert;
 *   - the camera's last alert is at least cooldown_ns old. One held back by
 *     the cooldown stays eligible and alerts once the cooldown ends if it is
 *     still there (no missed strangers, at most one alert per cooldown).
 * Tracks unseen for track_timeout_ns are forgotten.
 *
 * Switches that come and go while running (the household's, fa-household.h)
 * narrow the rules that are on: every decision asks active_rules()
 * (fa-alert-rules.c).
 *   - the camera's alerts switch (fa_alert_rules_set_enabled()): while off,
 *     nothing alerts;
 *   - the household mode (fa_alert_rules_set_away()): at home, the person
 *     rule is off; unknown (and known) faces alert in both modes.
 * Tracks keep counting meanwhile, and one still in view when its rule comes
 * back on alerts then, as after a cooldown.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The rules, as bits of a set. */
typedef enum {
  FA_ALERT_ON_UNKNOWN = 1 << 0,
  FA_ALERT_ON_KNOWN = 1 << 1,
  FA_ALERT_ON_PERSON = 1 << 2,
  /* "all" as it always was: every face (add person explicitly). */
  FA_ALERT_ON_ALL = FA_ALERT_ON_UNKNOWN | FA_ALERT_ON_KNOWN,
} FaAlertOn;

/* Parses a comma (or space) separated list of unknown, known, person and all
 * ("unknown,person"). An empty list, an unknown word or a repeated one fails
 * with FA_ERROR_INVALID_ARGUMENT and a one-line message naming it. */
gboolean fa_alert_on_parse (const gchar *text, guint *alert_on, GError **error);
/* The canonical text of @alert_on ("unknown,person"). */
gchar *fa_alert_on_to_string (guint alert_on);

typedef struct {
  guint alert_on;               /* FaAlertOn bits */
  guint min_frames;
  gint64 min_duration_ns;       /* faces */
  gint64 person_min_duration_ns;
  gint64 cooldown_ns;
  gint64 track_timeout_ns;
} FaAlertRulesConfig;

/* A face in one frame (a face ROI with facematch's identity). */
typedef struct {
  guint64 track_id;
  gboolean known;
  gboolean decided;
  guint64 person_track_id;      /* the person box holding it (0: none) */
} FaAlertObservation;

/* A person in one frame (a person ROI with facematch's person identity). */
typedef struct {
  guint64 track_id;
  gboolean known;               /* a face of this person was decided known */
  guint64 face_track_id;        /* the face last held by this person (0: none) */
} FaAlertPerson;

/* One alert to raise: which rule fired, and for which face or person. */
typedef struct {
  FaAlertOn rule;               /* UNKNOWN, KNOWN (faces) or PERSON */
  guint index;                  /* into the faces or into the persons */
} FaAlertFire;

typedef struct _FaAlertRules FaAlertRules;

FaAlertRules *fa_alert_rules_new (const FaAlertRulesConfig *config);
void fa_alert_rules_free (FaAlertRules *rules);
void fa_alert_rules_reset (FaAlertRules *rules);

/* Feeds the faces and persons of one frame at @ts_ns (monotonic per
 * stream). Writes the alerts to raise now to @fired (room for n_faces +
 * n_persons), faces first. Returns how many. */
guint fa_alert_rules_update (FaAlertRules *rules, gint64 ts_ns,
    const FaAlertObservation *faces, guint n_faces,
    const FaAlertPerson *persons, guint n_persons, FaAlertFire *fired);

/* The camera's alerts switch (on by default). */
void fa_alert_rules_set_enabled (FaAlertRules *rules, gboolean enabled);
gboolean fa_alert_rules_get_enabled (FaAlertRules *rules);
/* The household is away (the default) or at home (no person rule). */
void fa_alert_rules_set_away (FaAlertRules *rules, gboolean away);

/* Faces and persons held back by the cooldown so far (each counted once). */
guint fa_alert_rules_n_suppressed (FaAlertRules *rules);

G_END_DECLS
