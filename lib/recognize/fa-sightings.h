/* facealert: the sightings store: every face track facematch decided, with
 * its best face crop, its embedding, camera, time and decision, so that past
 * sightings can be listed, searched by a photo, grouped by person, enrolled
 * ("this is Bob") or rejected ("this is not Bob").
 *
 * One SQLite database, FA_SIGHTINGS_DB_FILE, in the sightings directory
 * (fa_paths_dir (FA_DIR_SIGHTINGS) by default: $FACEALERT_SIGHTINGS_DIR, else
 * $XDG_DATA_HOME/facealert/sightings); the directory is 0700 and the file
 * 0600. WAL mode: several pipelines write while the CLI or the server read.
 * Every write is one transaction. The face crop is a JPEG kept inside the
 * database and reached only by sighting id (never by a file path).
 *
 * Ids are positive integers, increasing and never reused (a deleted or
 * expired sighting's id never comes back), so a page or a script can keep
 * one. Times are milliseconds since the Unix epoch (UTC).
 *
 * A handle is not thread-safe: use one per thread.
 */
#pragma once

#include <glib.h>

#include "fa-collection.h"
#include "fa-image.h"

G_BEGIN_DECLS

#define FA_SIGHTINGS_DB_FILE "sightings.db"
#define FA_SIGHTINGS_DEFAULT_BUSY_TIMEOUT_MS 5000
/* Like kvssink's retention-period, but sightings are small: 30 days. */
#define FA_SIGHTINGS_DEFAULT_RETENTION_HOURS (30 * 24)

typedef enum {
  FA_SIGHTING_UNKNOWN,
  FA_SIGHTING_KNOWN,
} FaSightingDecision;

/* "unknown" / "known". */
const gchar *fa_sighting_decision_name (FaSightingDecision decision);

typedef struct {
  gint64 id;                  /* > 0 once stored */
  gchar *camera;              /* facematch's stream name */
  guint64 track_id;           /* facematch's track id (per pipeline run) */
  gint64 first_seen_ms;       /* the track's first frame */
  gint64 decided_ms;          /* when the decision was first made */
  gint64 last_seen_ms;        /* the track's last frame so far */

  /* The decision. enrol sets KNOWN + @name, reject of the decided name sets
   * UNKNOWN; @confirmed tells that a person, not facematch, said so. */
  FaSightingDecision decision;
  gchar *name;                /* KNOWN: the person; NULL when unknown */
  gchar *face_id;             /* KNOWN by facematch: the best matching collection face */
  double similarity;          /* best similarity to the collection, percent (unknown too) */
  gboolean confirmed;
  gchar *collection;          /* the collection facematch searched */

  /* The best face of the track (the one cropped). */
  FaRect box;                 /* in the frame, pixels */
  int frame_width, frame_height;
  float face_score;           /* detector confidence, 0..1 */
  int crop_width, crop_height;
  gsize crop_size;            /* bytes of the JPEG (read it with _get_crop) */

  /* The track's mean embedding (unit length). */
  guint n_embeddings;
  gchar *model_name;
  gchar *model_version;
  int dim;
  float *embedding;           /* NULL unless asked for */

  gchar *enrolled_face_id;    /* set by fa_sightings_enrol: the new collection face */
  gchar **rejected_names;     /* "not NAME" examples, NULL-terminated (never NULL once read) */
} FaSighting;

FaSighting *fa_sighting_new (void);
void fa_sighting_free (FaSighting *sighting);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaSighting, fa_sighting_free)

/* Which sightings a list, search or cluster looks at. Zero-initialise, then
 * set what you need ({0} = every sighting, newest first). */
typedef enum {
  FA_SIGHTING_FILTER_ANY = 0,
  FA_SIGHTING_FILTER_UNKNOWN,
  FA_SIGHTING_FILTER_KNOWN,
} FaSightingFilterDecision;

typedef struct {
  const gchar *camera;        /* NULL: every camera */
  gint64 since_ms;            /* first seen at or after (0: no bound) */
  gint64 until_ms;            /* first seen before (0: no bound) */
  FaSightingFilterDecision decision;
  const gchar *name;          /* only sightings decided as this person (NULL: any) */
  gint64 before_id;           /* paging: only ids below this (0: from the newest) */
  guint limit;                /* at most this many (0: no limit) */
} FaSightingFilter;

typedef struct _FaSightingStore FaSightingStore;

/* Opens the database in @dir (NULL: the default directory). With @create the
 * directory and file are created when missing; without, a missing database
 * fails with FA_ERROR_NOT_FOUND. Not a sightings database: FA_ERROR_CORRUPT;
 * locked for longer than @busy_timeout_ms (<= 0: the default): FA_ERROR_BUSY.
 * Messages name the file and never carry SQLite's text alone. */
FaSightingStore *fa_sighting_store_open (const gchar *dir, gboolean create,
    int busy_timeout_ms, GError **error);
void fa_sighting_store_close (FaSightingStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaSightingStore, fa_sighting_store_close)

const gchar *fa_sighting_store_path (FaSightingStore *store);

/* Retention, as kvssink's: sightings first seen more than @retention_hours
 * ago (0: no age limit) go, and beyond @quota_bytes of crops and embeddings
 * (0: no quota) the oldest go. Enforced by every fa_sighting_store_add. */
void fa_sighting_store_set_limits (FaSightingStore *store, guint retention_hours,
    guint64 quota_bytes);
/* Removes what the limits no longer allow, at @now_ms (0: now). Returns how
 * many sightings went, -1 on error. */
gint fa_sighting_store_evict (FaSightingStore *store, gint64 now_ms, GError **error);

/* Stores @sighting (its id is ignored and set on success) with @crop_jpeg
 * (may be NULL). Needs camera, model name/version and an embedding. Returns
 * the new id, 0 on error. */
gint64 fa_sighting_store_add (FaSightingStore *store, FaSighting *sighting,
    GBytes *crop_jpeg, GError **error);

/* Rewrites sighting @sighting->id as facematch saw it later (last seen,
 * decision, name, face id, similarity, best face, embedding); @crop_jpeg
 * NULL keeps the stored crop. A decision @confirmed by a person is kept.
 * FA_ERROR_NOT_FOUND when the sighting is gone (deleted or expired). */
gboolean fa_sighting_store_update (FaSightingStore *store, const FaSighting *sighting,
    GBytes *crop_jpeg, GError **error);

/* One sighting; its embedding too when @with_embedding. FA_ERROR_NOT_FOUND
 * ("sighting 42 does not exist"). */
FaSighting *fa_sighting_store_get (FaSightingStore *store, gint64 id,
    gboolean with_embedding, GError **error);

/* The best face crop of sighting @id as JPEG bytes. FA_ERROR_NOT_FOUND when
 * the sighting does not exist or has no crop. */
GBytes *fa_sighting_store_get_crop (FaSightingStore *store, gint64 id, GError **error);

/* FaSighting* matching @filter (NULL: all), newest first (by id). For the
 * next page pass the last id returned as @filter->before_id. */
GPtrArray *fa_sighting_store_list (FaSightingStore *store, const FaSightingFilter *filter,
    gboolean with_embeddings, GError **error);
/* How many sightings match @filter (its limit and before_id are ignored);
 * -1 on error. */
gint64 fa_sighting_store_count (FaSightingStore *store, const FaSightingFilter *filter,
    GError **error);

/* Deletes sightings @ids (@n of them) in one transaction. If any does not
 * exist nothing is deleted and it fails with FA_ERROR_NOT_FOUND naming it. */
gboolean fa_sighting_store_delete (FaSightingStore *store, const gint64 *ids, guint n,
    GError **error);

typedef struct {
  FaSighting *sighting;       /* owned, with its embedding */
  double similarity;          /* percent */
} FaSightingMatch;

void fa_sighting_match_free (FaSightingMatch *match);

/* The sightings matching @filter whose embedding (same model and version
 * only) has a similarity >= @threshold with @embedding: FaSightingMatch*,
 * best first, at most @max_matches (0: all). "Was this person here?" */
GPtrArray *fa_sighting_store_search (FaSightingStore *store, const FaSightingFilter *filter,
    const gchar *model_name, const gchar *model_version, const float *embedding, int dim,
    double threshold, guint max_matches, GError **error);

typedef struct {
  guint index;                /* 1, 2, ... largest cluster first */
  GPtrArray *sightings;       /* FaSighting* (with embeddings), newest first */
  double cohesion;            /* mean similarity of its members to each other, percent */
} FaSightingCluster;

void fa_sighting_cluster_free (FaSightingCluster *cluster);

/* Groups the sightings matching @filter (usually the unknown ones) by person:
 * average-linkage clustering, merging while the mean similarity between two
 * groups is >= @threshold (percent; FA_DEFAULT_FACE_MATCH_THRESHOLD is a good
 * start). Sightings of another model than the newest one's are left out.
 * Returns FaSightingCluster*, largest first (singletons too). At most
 * FA_SIGHTINGS_MAX_CLUSTER sightings are grouped (the newest). */
#define FA_SIGHTINGS_MAX_CLUSTER 4000
GPtrArray *fa_sighting_store_cluster (FaSightingStore *store, const FaSightingFilter *filter,
    double threshold, GError **error);

/* "This is @name": adds the face of each sighting @ids to collection
 * @collection_id (NULL: each sighting's own collection; all must then be the
 * same) as @name, in one transaction, and marks the sightings KNOWN as @name,
 * confirmed. The collection's model must be the sightings'. Returns the new
 * collection faces (FaStoredFace*, in @ids order) or NULL: nothing is
 * enrolled when any sighting is missing or does not fit. */
GPtrArray *fa_sightings_enrol (FaSightingStore *sightings, FaCollectionStore *collections,
    const gchar *collection_id, const gint64 *ids, guint n, const gchar *name,
    GError **error);

/* "This is not @name": stores sighting @id's face as a negative example of
 * @name in collection @collection_id (NULL: the sighting's own collection),
 * so facematch and `faces search` never match that face to @name again
 * (fa-gallery.h), and records the rejection on the sighting (a sighting that
 * was decided @name becomes unknown, confirmed). */
gboolean fa_sightings_reject (FaSightingStore *sightings, FaCollectionStore *collections,
    const gchar *collection_id, gint64 id, const gchar *name, GError **error);

G_END_DECLS
