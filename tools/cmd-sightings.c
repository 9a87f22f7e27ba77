/* facealert CLI: `sightings list|show|crop|search|cluster|enrol|reject|delete`
 * over the sightings store facematch writes (docs/cli-sightings.md). Safe
 * while pipelines run: the store is SQLite in WAL mode. */
#include "cmd-groups.h"
#include "fa-cli.h"
#include "fa-cli-store.h"
#include "fa-cli-time.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-analyzer.h"
#include "fa-face-json.h"
#include "fa-paths.h"
#include "fa-recognize-defaults.h"
#include "fa-sightings.h"
#include "fa-sightings-json.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options of every verb. */
static gchar *opt_sightings_dir;

#define SIGHTINGS_DIR_ENTRY \
  { "sightings-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_sightings_dir, \
    "Where sightings are stored (default: $FACEALERT_SIGHTINGS_DIR or " \
    "~/.local/share/facealert/sightings)", "DIR" }

/* The filter options of list, search and cluster. */
static gchar *opt_camera, *opt_since, *opt_until, *opt_name;
static gboolean opt_unknown, opt_known;
static gint opt_limit;

#define FILTER_ENTRIES \
  { "camera", 0, 0, G_OPTION_ARG_STRING, &opt_camera, "Only sightings of this camera", "NAME" }, \
  { "since", 0, 0, G_OPTION_ARG_STRING, &opt_since, \
    "Only sightings first seen at or after TIME (ISO 8601 or epoch seconds)", "TIME" }, \
  { "until", 0, 0, G_OPTION_ARG_STRING, &opt_until, \
    "Only sightings first seen before TIME", "TIME" }, \
  { "unknown", 0, 0, G_OPTION_ARG_NONE, &opt_unknown, "Only faces decided unknown", NULL }, \
  { "known", 0, 0, G_OPTION_ARG_NONE, &opt_known, "Only faces decided known", NULL }, \
  { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "Only sightings of this person", "NAME" }

static FaSightingStore *
open_store (GError **error)
{
  return fa_sighting_store_open (opt_sightings_dir, FALSE, 0, error);
}

static gboolean
make_filter (FaSightingFilter *filter, GError **error)
{
  *filter = (FaSightingFilter) {0};
  if (opt_unknown && opt_known) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "give --unknown or --known, not both");
    return FALSE;
  }
  if (opt_limit < 0) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "--limit must be a positive number, not %d", opt_limit);
    return FALSE;
  }
  gint64 us = 0;
  if (opt_since != NULL) {
    if (!fa_cli_parse_time ("--since", opt_since, &us, error))
      return FALSE;
    filter->since_ms = MAX (us / 1000, 1);
  }
  if (opt_until != NULL) {
    if (!fa_cli_parse_time ("--until", opt_until, &us, error))
      return FALSE;
    filter->until_ms = MAX (us / 1000, 1);
  }
  if (opt_name != NULL && !fa_external_image_id_validate (opt_name, error))
    return FALSE;
  filter->camera = opt_camera;
  filter->name = opt_name;
  filter->decision = opt_unknown ? FA_SIGHTING_FILTER_UNKNOWN
      : opt_known ? FA_SIGHTING_FILTER_KNOWN : FA_SIGHTING_FILTER_ANY;
  filter->limit = (guint) opt_limit;
  return TRUE;
}

/* Sighting ids from the command line: positive integers. */
static GArray *
parse_ids (int argc, gchar **argv, GError **error)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (int i = 1; i < argc; i++) {
    gchar *end = NULL;
    errno = 0;
    gint64 id = g_ascii_strtoll (argv[i], &end, 10);
    if (errno != 0 || end == argv[i] || *end != '\0' || id <= 0) {
      g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
          "\"%s\" is not a sighting id (a positive number, see `facealert sightings list`)",
          argv[i]);
      g_array_unref (ids);
      return NULL;
    }
    g_array_append_val (ids, id);
  }
  return ids;
}

static gboolean
parse (int *argc, gchar ***argv, const gchar *usage, const gchar *summary,
    const GOptionEntry *entries, GError **error)
{
  const GOptionEntry common[] = {
    SIGHTINGS_DIR_ENTRY,
    {NULL}
  };
  return fa_cli_parse (argc, argv, usage, summary, entries, common, error);
}

static void
print_json_builder (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  fa_cli_print_json (root);
}

static const gchar *
or_dash (const gchar *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

static void
print_row_header (gboolean with_similarity)
{
  printf ("%8s  %-24s  %-12s  %-7s  %-20s  %6s%s\n", "ID", "FIRST SEEN (UTC)", "CAMERA",
      "DECISION", "NAME", "SIMIL", with_similarity ? "  MATCH" : "");
}

static void
print_row (const FaSighting *s, double match)
{
  g_autofree gchar *when = fa_cli_format_time (s->first_seen_ms * 1000);
  printf ("%8" G_GINT64_FORMAT "  %-24s  %-12s  %-7s  %-20s  %6.1f", s->id, when, s->camera,
      fa_sighting_decision_name (s->decision), or_dash (s->name), s->similarity);
  if (match >= 0)
    printf ("  %5.1f", match);
  printf ("\n");
}

/* ---- list, show, crop -------------------------------------------------- */

static int
run_list (int argc, gchar **argv)
{
  gint64 before = 0;
  const GOptionEntry entries[] = {
    FILTER_ENTRIES,
    { "limit", 0, 0, G_OPTION_ARG_INT, &opt_limit, "At most N sightings (default: all)", "N" },
    { "before-id", 0, 0, G_OPTION_ARG_INT64, &before,
      "Only sightings older than this id (the next page after it)", "ID" },
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "- list sightings", "One line per decided face track, newest "
          "first: id, first seen, camera, decision, name, best similarity.", entries, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("sightings list: unexpected argument \"%s\"", argv[1]);
  FaSightingFilter filter;
  if (!make_filter (&filter, &error))
    return fa_cli_fail_error (error);
  filter.before_id = MAX (before, 0);
  g_autoptr (FaSightingStore) store = open_store (&error);
  g_autoptr (GPtrArray) list = store == NULL ? NULL
      : fa_sighting_store_list (store, &filter, FALSE, &error);
  if (list == NULL)
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Sightings");
    json_builder_begin_array (b);
    for (guint i = 0; i < list->len; i++)
      fa_json_add_sighting (b, g_ptr_array_index (list, i));
    json_builder_end_array (b);
    if (filter.limit > 0 && list->len == filter.limit) {
      /* As AWS's paginators: where the next page starts. */
      json_builder_set_member_name (b, "NextBeforeId");
      json_builder_add_int_value (b, ((FaSighting *) g_ptr_array_index (list,
                  list->len - 1))->id);
    }
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  print_row_header (FALSE);
  for (guint i = 0; i < list->len; i++)
    print_row (g_ptr_array_index (list, i), -1);
  return 0;
}

static FaSighting *
get_one (FaSightingStore *store, int argc, gchar **argv, const gchar *verb, GError **error)
{
  if (argc != 2) {
    g_set_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT,
        "sightings %s: give exactly one sighting ID", verb);
    return NULL;
  }
  g_autoptr (GArray) ids = parse_ids (argc, argv, error);
  return ids == NULL ? NULL
      : fa_sighting_store_get (store, g_array_index (ids, gint64, 0), FALSE, error);
}

static int
run_show (int argc, gchar **argv)
{
  GError *error = NULL;
  if (!parse (&argc, &argv, "ID - one sighting as JSON", "Everything known about a "
          "sighting (the crop's bytes: `facealert sightings crop`).", NULL, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaSightingStore) store = open_store (&error);
  g_autoptr (FaSighting) s = store == NULL ? NULL : get_one (store, argc, argv, "show", &error);
  if (s == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  fa_json_add_sighting (b, s);
  print_json_builder (b);
  return 0;
}

static int
run_crop (int argc, gchar **argv)
{
  gchar *out = NULL;
  const GOptionEntry entries[] = {
    { "output-file", 'o', 0, G_OPTION_ARG_FILENAME, &out,
      "Write the JPEG here (created 0600; it must not exist)", "FILE" },
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "ID -o FILE - the sighting's best face crop",
          "Writes the JPEG of the face the sighting kept.", entries, &error))
    return fa_cli_fail_error (error);
  if (out == NULL)
    return fa_cli_fail ("sightings crop: give the output file with -o FILE");
  g_autoptr (FaSightingStore) store = open_store (&error);
  g_autoptr (FaSighting) s = store == NULL ? NULL : get_one (store, argc, argv, "crop", &error);
  g_autoptr (GBytes) jpeg = s == NULL ? NULL : fa_sighting_store_get_crop (store, s->id, &error);
  if (jpeg == NULL)
    return fa_cli_fail_error (error);
  int fd = g_open (out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fa_cli_fail ("cannot create %s: %s", out, g_strerror (errno));
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (jpeg, &size);
  gboolean ok = write (fd, data, size) == (ssize_t) size;
  ok = close (fd) == 0 && ok;
  if (!ok) {
    g_unlink (out);
    return fa_cli_fail ("cannot write %s (disk full?): nothing written", out);
  }
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "SightingId");
    json_builder_add_int_value (b, s->id);
    json_builder_set_member_name (b, "File");
    json_builder_add_string_value (b, out);
    json_builder_set_member_name (b, "Size");
    json_builder_add_int_value (b, (gint64) size);
    json_builder_end_object (b);
    print_json_builder (b);
  } else {
    printf ("wrote %s (%" G_GSIZE_FORMAT " bytes, %dx%d)\n", out, size, s->crop_width,
        s->crop_height);
  }
  return 0;
}

/* ---- search, cluster --------------------------------------------------- */

static int
run_search (int argc, gchar **argv)
{
  gchar *image = NULL;
  gdouble threshold = FA_DEFAULT_FACE_MATCH_THRESHOLD;
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &image, "Photo of the person to look for",
      "PHOTO" },
    { "face-match-threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold,
      "Lowest similarity of a match, percent (default 42)", "PERCENT" },
    FILTER_ENTRIES,
    { "limit", 0, 0, G_OPTION_ARG_INT, &opt_limit, "At most N sightings (default 20)", "N" },
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "--image PHOTO - was this person here?", "Past sightings of the "
          "person in PHOTO (its largest face), best match first.", entries, &error))
    return fa_cli_fail_error (error);
  if (image == NULL)
    return fa_cli_fail ("sightings search: give the photo with --image PHOTO");
  if (argc > 1)
    return fa_cli_fail ("sightings search: unexpected argument \"%s\"", argv[1]);
  if (threshold < 0 || threshold > 100)
    return fa_cli_fail ("sightings search: --face-match-threshold must be between 0 and 100");
  FaSightingFilter filter;
  if (!make_filter (&filter, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaSightingStore) store = open_store (&error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaPicture) picture = fa_picture_load (image, &error);
  if (picture == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (NULL, &error);
  if (analyzer == NULL)
    return fa_cli_fail_error (error);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  if (!fa_face_analyzer_largest_face (analyzer, fa_picture_image (picture), &face, embedding,
          &error))
    return fa_cli_fail ("%s: %s", image, error->message);
  g_autoptr (GPtrArray) matches = fa_sighting_store_search (store, &filter,
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer),
      embedding, fa_face_analyzer_dim (analyzer), threshold, opt_limit > 0 ? opt_limit : 20,
      &error);
  if (matches == NULL)
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "SearchedFaceBoundingBox");
    fa_json_add_face_box (b, &face, fa_picture_image (picture)->width,
        fa_picture_image (picture)->height);
    json_builder_set_member_name (b, "SightingMatches");
    json_builder_begin_array (b);
    for (guint i = 0; i < matches->len; i++) {
      FaSightingMatch *m = g_ptr_array_index (matches, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "Similarity");
      json_builder_add_double_value (b, m->similarity);
      json_builder_set_member_name (b, "Sighting");
      fa_json_add_sighting (b, m->sighting);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  if (matches->len == 0) {
    printf ("no sighting matches at threshold %.1f %%\n", threshold);
    return 0;
  }
  print_row_header (TRUE);
  for (guint i = 0; i < matches->len; i++) {
    FaSightingMatch *m = g_ptr_array_index (matches, i);
    print_row (m->sighting, m->similarity);
  }
  return 0;
}

static int
run_cluster (int argc, gchar **argv)
{
  gdouble threshold = FA_DEFAULT_FACE_MATCH_THRESHOLD;
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "face-match-threshold", 't', 0, G_OPTION_ARG_DOUBLE, &threshold,
      "Groups merge while their faces are this similar on average, percent (default 42)",
      "PERCENT" },
    FILTER_ENTRIES,
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Known sightings too (default: unknown only)",
      NULL },
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "- unknown faces grouped by person", "Groups the unknown "
          "sightings (or those the filters pick) so that each group is one person: the "
          "largest group first, its sightings newest first.", entries, &error))
    return fa_cli_fail_error (error);
  if (argc > 1)
    return fa_cli_fail ("sightings cluster: unexpected argument \"%s\"", argv[1]);
  if (threshold < 0 || threshold > 100)
    return fa_cli_fail ("sightings cluster: --face-match-threshold must be between 0 and 100");
  FaSightingFilter filter;
  if (!make_filter (&filter, &error))
    return fa_cli_fail_error (error);
  if (!all && !opt_known && filter.name == NULL)
    filter.decision = FA_SIGHTING_FILTER_UNKNOWN;
  g_autoptr (FaSightingStore) store = open_store (&error);
  g_autoptr (GPtrArray) clusters = store == NULL ? NULL
      : fa_sighting_store_cluster (store, &filter, threshold, &error);
  if (clusters == NULL)
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Clusters");
    json_builder_begin_array (b);
    for (guint i = 0; i < clusters->len; i++) {
      FaSightingCluster *c = g_ptr_array_index (clusters, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ClusterId");
      json_builder_add_int_value (b, c->index);
      json_builder_set_member_name (b, "Cohesion");
      json_builder_add_double_value (b, c->cohesion);
      json_builder_set_member_name (b, "SightingIds");
      json_builder_begin_array (b);
      for (guint k = 0; k < c->sightings->len; k++)
        json_builder_add_int_value (b, ((FaSighting *) g_ptr_array_index (c->sightings, k))->id);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "Sightings");
      json_builder_begin_array (b);
      for (guint k = 0; k < c->sightings->len; k++)
        fa_json_add_sighting (b, g_ptr_array_index (c->sightings, k));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  for (guint i = 0; i < clusters->len; i++) {
    FaSightingCluster *c = g_ptr_array_index (clusters, i);
    FaSighting *newest = g_ptr_array_index (c->sightings, 0);
    FaSighting *oldest = g_ptr_array_index (c->sightings, c->sightings->len - 1);
    g_autofree gchar *first = fa_cli_format_time (oldest->first_seen_ms * 1000);
    g_autofree gchar *last = fa_cli_format_time (newest->first_seen_ms * 1000);
    g_autoptr (GString) ids = g_string_new (NULL);
    for (guint k = 0; k < c->sightings->len; k++)
      g_string_append_printf (ids, "%s%" G_GINT64_FORMAT, k > 0 ? " " : "",
          ((FaSighting *) g_ptr_array_index (c->sightings, k))->id);
    printf ("cluster %u: %u sighting%s, %s .. %s, cohesion %.1f: %s\n", c->index,
        c->sightings->len, c->sightings->len == 1 ? "" : "s", first, last, c->cohesion,
        ids->str);
  }
  return 0;
}

/* ---- enrol, reject, delete --------------------------------------------- */

/* enrol and reject: the ids, the collection id and both stores. */
static gboolean
open_for_collection (int argc, gchar **argv, const gchar *collection, GArray **ids,
    FaSightingStore **store, FaCollectionStore **collections, GError **error)
{
  if ((*ids = parse_ids (argc, argv, error)) == NULL)
    return FALSE;
  if (collection != NULL && !fa_collection_id_validate (collection, error))
    return FALSE;
  if ((*store = open_store (error)) == NULL)
    return FALSE;
  return (*collections = fa_cli_open_store (FALSE, error)) != NULL;
}

static int
run_enrol (int argc, gchar **argv)
{
  gchar *name = NULL, *collection = NULL;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Who it is (ExternalImageId)", "NAME" },
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection,
      "Collection to add the faces to (default: the one the sightings were searched in)",
      "ID" },
    FA_CLI_COLLECTIONS_DIR_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "ID... --name NAME - this is NAME", "Adds each sighting's face "
          "to the collection as NAME, as `faces index` would add a photo, and marks the "
          "sightings known.", entries, &error))
    return fa_cli_fail_error (error);
  if (name == NULL)
    return fa_cli_fail ("sightings enrol: give the person's name with --name NAME");
  if (argc < 2)
    return fa_cli_fail ("sightings enrol: give at least one sighting ID");
  g_autoptr (GArray) ids = NULL;
  g_autoptr (FaSightingStore) store = NULL;
  g_autoptr (FaCollectionStore) collections = NULL;
  if (!open_for_collection (argc, argv, collection, &ids, &store, &collections, &error))
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) faces = fa_sightings_enrol (store, collections, collection,
      (gint64 *) ids->data, ids->len, name, &error);
  if (faces == NULL)
    return fa_cli_fail ("%s (nothing was enrolled)", error->message);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "FaceRecords");
    json_builder_begin_array (b);
    for (guint i = 0; i < faces->len; i++) {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "SightingId");
      json_builder_add_int_value (b, g_array_index (ids, gint64, i));
      json_builder_set_member_name (b, "Face");
      fa_json_add_stored_face (b, g_ptr_array_index (faces, i));
      json_builder_end_object (b);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  for (guint i = 0; i < faces->len; i++)
    printf ("enrolled  sighting %" G_GINT64_FORMAT " as %s: face %s\n",
        g_array_index (ids, gint64, i), name,
        ((FaStoredFace *) g_ptr_array_index (faces, i))->face_id);
  return 0;
}

static int
run_reject (int argc, gchar **argv)
{
  gchar *name = NULL, *collection = NULL;
  const GOptionEntry entries[] = {
    { "not", 0, 0, G_OPTION_ARG_STRING, &name, "Who it is not (ExternalImageId)", "NAME" },
    { "collection", 'c', 0, G_OPTION_ARG_STRING, &collection,
      "Collection to keep the example in (default: the one the sighting was searched in)",
      "ID" },
    FA_CLI_COLLECTIONS_DIR_ENTRY,
    {NULL}
  };
  GError *error = NULL;
  if (!parse (&argc, &argv, "ID --not NAME - this is not NAME", "Keeps the sighting's face "
          "as a negative example of NAME: facematch and `faces search` never match that face "
          "(or one closer to it than to NAME's own photos) to NAME again.", entries, &error))
    return fa_cli_fail_error (error);
  if (name == NULL)
    return fa_cli_fail ("sightings reject: give the name it is not with --not NAME");
  if (argc != 2)
    return fa_cli_fail ("sightings reject: give exactly one sighting ID");
  g_autoptr (GArray) ids = NULL;
  g_autoptr (FaSightingStore) store = NULL;
  g_autoptr (FaCollectionStore) collections = NULL;
  if (!open_for_collection (argc, argv, collection, &ids, &store, &collections, &error))
    return fa_cli_fail_error (error);
  gint64 id = g_array_index (ids, gint64, 0);
  if (!fa_sightings_reject (store, collections, collection, id, name, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "SightingId");
    json_builder_add_int_value (b, id);
    json_builder_set_member_name (b, "NotExternalImageId");
    json_builder_add_string_value (b, name);
    json_builder_end_object (b);
    print_json_builder (b);
  } else {
    printf ("rejected  sighting %" G_GINT64_FORMAT ": not %s\n", id, name);
  }
  return 0;
}

static int
run_delete (int argc, gchar **argv)
{
  GError *error = NULL;
  if (!parse (&argc, &argv, "ID... - delete sightings", "Deletes the sightings and their "
          "face crops; one missing id and nothing is deleted.", NULL, &error))
    return fa_cli_fail_error (error);
  if (argc < 2)
    return fa_cli_fail ("sightings delete: give at least one sighting ID");
  g_autoptr (GArray) ids = parse_ids (argc, argv, &error);
  if (ids == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaSightingStore) store = open_store (&error);
  if (store == NULL
      || !fa_sighting_store_delete (store, (gint64 *) ids->data, ids->len, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "DeletedSightings");
    json_builder_begin_array (b);
    for (guint i = 0; i < ids->len; i++)
      json_builder_add_int_value (b, g_array_index (ids, gint64, i));
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_json_builder (b);
  } else {
    for (guint i = 0; i < ids->len; i++)
      printf ("deleted sighting %" G_GINT64_FORMAT "\n", g_array_index (ids, gint64, i));
  }
  return 0;
}

/* ---- group ------------------------------------------------------------- */

static const FaCliVerb verbs[] = {
  { "list", run_list, "list [--camera C] [--since TIME] [--until TIME] [--unknown|--known] "
        "[--name NAME] [--limit N] [--before-id ID]" },
  { "show", run_show, "show ID" },
  { "crop", run_crop, "crop ID -o FILE.jpg" },
  { "search", run_search, "search --image PHOTO [--face-match-threshold P] [--camera C] "
        "[--since TIME]" },
  { "cluster", run_cluster, "cluster [--face-match-threshold P] [--since TIME] [--all]" },
  { "enrol", run_enrol, "enrol ID... --name NAME [--collection C]" },
  { "reject", run_reject, "reject ID --not NAME [--collection C]" },
  { "delete", run_delete, "delete ID..." },
};

static int
run_sightings (int argc, gchar **argv)
{
  return fa_cli_run_verb (argc, argv, "sightings", verbs, G_N_ELEMENTS (verbs),
      "The faces facematch saw and decided: list them, search them by photo, group the "
      "unknown ones, say who they are or are not.",
      "Every verb takes --sightings-dir DIR and --output json|text; "
      "`facealert sightings VERB --help` for details.");
}

const FaCliGroup fa_cli_group_sightings = {
  "sightings", "list, search, group, enrol and reject the faces facematch saw", run_sightings
};
