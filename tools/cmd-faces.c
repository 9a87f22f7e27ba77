/* facealert faces index|list|delete|search: Rekognition's IndexFaces,
 * ListFaces, DeleteFaces and SearchFacesByImage over the local store. */
#include "cmd-groups.h"
#include "fa-cli.h"
#include "fa-cli-store.h"
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-analyzer.h"
#include "fa-face-json.h"
#include "fa-gallery.h"
#include "fa-recognize-defaults.h"

#include <stdio.h>
#include <string.h>

static gchar *opt_collection = NULL;
static gchar *opt_name = NULL;
static gint opt_max_faces = -1;
static gchar *opt_quality_filter = NULL;
static gdouble opt_threshold = FA_DEFAULT_FACE_MATCH_THRESHOLD;

static const GOptionEntry entries[] = {
  { "collection", 'c', 0, G_OPTION_ARG_STRING, &opt_collection, "Collection id", "ID" },
  { "collection-id", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_collection,
    "Collection id", "ID" },
  { "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name,
    "Person's name (ExternalImageId: [a-zA-Z0-9_.-:]+); for list and delete, only that person",
    "NAME" },
  { "external-image-id", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_name,
    "Same as --name", "NAME" },
  { "max-faces", 0, 0, G_OPTION_ARG_INT, &opt_max_faces,
    "index: faces kept per image, largest first (default 1); search: people returned "
    "(default 10)", "N" },
  { "quality-filter", 0, 0, G_OPTION_ARG_STRING, &opt_quality_filter,
    "index: NONE, AUTO (default), LOW, MEDIUM or HIGH", "FILTER" },
  { "face-match-threshold", 't', 0, G_OPTION_ARG_DOUBLE, &opt_threshold,
    "search: lowest similarity of a match, percent (default 42)", "PERCENT" },
  FA_CLI_COLLECTIONS_DIR_ENTRY,
  { NULL }
};

static const gchar usage_text[] =
  "index|list|delete|search - faces in a collection\n\n"
  "  facealert faces index --collection C --name NAME [--max-faces N] [--quality-filter F] IMAGE...\n"
  "  facealert faces list --collection C [--name NAME]\n"
  "  facealert faces delete --collection C (FACE_ID... | --name NAME)\n"
  "  facealert faces search --collection C [--face-match-threshold P] [--max-faces N] IMAGE";

static void
print_json_builder (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  fa_cli_print_json (root);
}

static gchar *
reasons_text (guint reasons)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < FA_UNINDEXED_N_REASONS; i++)
    if (reasons & (1u << i))
      g_string_append_printf (s, "%s%s", s->len ? "," : "", fa_unindexed_reason_name (i));
  return g_string_free (s, FALSE);
}

static void
add_index_response (JsonBuilder *b, const gchar *path, FaIndexResult *r,
    const gchar *why_not, const gchar *model_version)
{
  json_builder_begin_object (b);
  /* Not in Rekognition's answer (one image per call there): which photo. */
  json_builder_set_member_name (b, "SourceImage");
  json_builder_add_string_value (b, path);
  if (r != NULL) {
    fa_json_add_index_faces_members (b, r, model_version);
  } else {
    /* The image itself was refused (too small): no face at all. */
    json_builder_set_member_name (b, "FaceRecords");
    json_builder_begin_array (b);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "FaceModelVersion");
    json_builder_add_string_value (b, model_version);
    json_builder_set_member_name (b, "UnindexedFaces");
    json_builder_begin_array (b);
    json_builder_end_array (b);
  }
  if (why_not != NULL) {
    /* Not in Rekognition's answer either: why a photo gave no face record. */
    json_builder_set_member_name (b, "UnindexedReason");
    json_builder_add_string_value (b, why_not);
  }
  json_builder_end_object (b);
}

/* One photo of an IndexFaces call: what was found, or why nothing was. */
typedef struct {
  const gchar *path;
  FaIndexResult *result;      /* NULL when the image itself was refused */
  gchar *why_not;             /* no face record: why (NULL when indexed) */
} IndexedPhoto;

static void
indexed_photo_clear (IndexedPhoto *p)
{
  fa_index_result_free (p->result);
  g_free (p->why_not);
}

static gchar *
why_not_indexed (FaIndexResult *r)
{
  if (r->unindexed->len == 0)
    return g_strdup ("no face found in the image");
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < r->unindexed->len; i++) {
    g_autofree gchar *why = reasons_text (((FaAnalyzedFace *) g_ptr_array_index (r->unindexed,
                i))->reasons);
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", why);
  }
  return g_strdup_printf ("no face good enough to index (%u left out: %s; try "
      "--quality-filter NONE)", r->unindexed->len, s->str);
}

static int
do_index (int n_images, gchar **images)
{
  GError *error = NULL;
  if (opt_name == NULL)
    return fa_cli_fail ("faces index: give the person's name with --name NAME");
  if (!fa_external_image_id_validate (opt_name, &error))
    return fa_cli_fail_error (error);
  if (n_images == 0)
    return fa_cli_fail ("faces index: give at least one IMAGE file");
  FaQualityFilter filter = FA_QUALITY_FILTER_AUTO;
  if (opt_quality_filter != NULL && !fa_quality_filter_from_name (opt_quality_filter, &filter))
    return fa_cli_fail ("faces index: --quality-filter must be NONE, AUTO, LOW, MEDIUM or HIGH, "
        "not \"%s\"", opt_quality_filter);
  if (opt_max_faces == 0 || opt_max_faces > 100 || opt_max_faces < -1)
    return fa_cli_fail ("faces index: --max-faces must be between 1 and 100");
  guint max_faces = opt_max_faces < 0 ? 1 : (guint) opt_max_faces;

  /* Check the collection before the slow part, and again in the write. */
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaCollectionInfo) info = fa_collection_get (store, opt_collection, &error);
  if (info == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (info->model_name, &error);
  if (analyzer == NULL)
    return fa_cli_fail_error (error);

  /* IndexFaces on each photo, all before any write: a file that is not an
   * image stops everything; a photo without a usable face is reported. */
  g_autoptr (GArray) photos = g_array_new (FALSE, TRUE, sizeof (IndexedPhoto));
  g_array_set_clear_func (photos, (GDestroyNotify) indexed_photo_clear);
  g_autoptr (GPtrArray) faces = g_ptr_array_new ();
  for (int i = 0; i < n_images; i++) {
    g_autoptr (FaPicture) picture = fa_picture_load (images[i], &error);
    if (picture == NULL)
      return fa_cli_fail ("%s (nothing was indexed)", error->message);
    IndexedPhoto photo = {images[i], NULL, NULL};
    photo.result = fa_face_analyzer_index (analyzer, fa_picture_image (picture), opt_name,
        max_faces, filter, &error);
    if (photo.result == NULL && g_error_matches (error, FA_ERROR, FA_ERROR_NO_FACE)) {
      photo.why_not = g_strdup (error->message);   /* "too small" */
      g_clear_error (&error);
    } else if (photo.result == NULL) {
      return fa_cli_fail ("%s: %s (nothing was indexed)", images[i], error->message);
    } else if (photo.result->indexed->len == 0) {
      photo.why_not = why_not_indexed (photo.result);
    }
    for (guint k = 0; photo.result != NULL && k < photo.result->indexed->len; k++)
      g_ptr_array_add (faces,
          ((FaAnalyzedFace *) g_ptr_array_index (photo.result->indexed, k))->stored);
    g_array_append_val (photos, photo);
  }
  if (faces->len == 0) {
    if (n_images == 1)
      return fa_cli_fail ("%s: %s (nothing was indexed)", images[0],
          g_array_index (photos, IndexedPhoto, 0).why_not);
    g_autoptr (GString) all = g_string_new (NULL);
    for (guint i = 0; i < photos->len; i++) {
      IndexedPhoto *p = &g_array_index (photos, IndexedPhoto, i);
      g_string_append_printf (all, "%s%s: %s", i > 0 ? "; " : "", p->path, p->why_not);
    }
    return fa_cli_fail ("nothing was indexed: %s", all->str);
  }
  if (!fa_collection_add_faces (store, opt_collection, faces, &error))
    return fa_cli_fail ("%s (nothing was indexed)", error->message);
  for (guint i = 0; i < photos->len; i++) {
    IndexedPhoto *p = &g_array_index (photos, IndexedPhoto, i);
    if (p->why_not != NULL)
      fa_cli_warn ("%s: not indexed: %s", p->path, p->why_not);
  }

  g_autofree gchar *model_version = fa_json_face_model_version (
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer));
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    /* One image: IndexFaces' response; several: an array of them. */
    if (n_images > 1)
      json_builder_begin_array (b);
    for (guint i = 0; i < photos->len; i++) {
      IndexedPhoto *p = &g_array_index (photos, IndexedPhoto, i);
      add_index_response (b, p->path, p->result, p->why_not, model_version);
    }
    if (n_images > 1)
      json_builder_end_array (b);
    print_json_builder (b);
    return 0;
  }
  for (guint i = 0; i < photos->len; i++) {
    IndexedPhoto *p = &g_array_index (photos, IndexedPhoto, i);
    FaIndexResult *r = p->result;
    for (guint k = 0; r != NULL && k < r->indexed->len; k++) {
      FaAnalyzedFace *f = g_ptr_array_index (r->indexed, k);
      printf ("indexed   %s  %s  %s  box %.0f,%.0f %.0fx%.0f  confidence %.1f\n",
          f->stored->face_id, opt_name, p->path, f->face.box.x, f->face.box.y,
          f->face.box.width, f->face.box.height, f->stored->confidence);
    }
    for (guint k = 0; r != NULL && k < r->unindexed->len; k++) {
      FaAnalyzedFace *f = g_ptr_array_index (r->unindexed, k);
      g_autofree gchar *why = reasons_text (f->reasons);
      printf ("unindexed %s  box %.0f,%.0f %.0fx%.0f  confidence %.1f  reasons %s\n",
          p->path, f->face.box.x, f->face.box.y, f->face.box.width, f->face.box.height,
          100.0 * f->face.score, why);
    }
    if (r == NULL || (r->indexed->len == 0 && r->unindexed->len == 0))
      printf ("unindexed %s  %s\n", p->path, p->why_not);
  }
  return 0;
}

static int
do_list (void)
{
  GError *error = NULL;
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  g_autoptr (FaCollectionInfo) info = store == NULL ? NULL
      : fa_collection_get (store, opt_collection, &error);
  if (info == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, opt_collection, opt_name,
      FALSE, &error);
  if (faces == NULL)
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "Faces");
    json_builder_begin_array (b);
    for (guint i = 0; i < faces->len; i++)
      fa_json_add_stored_face (b, g_ptr_array_index (faces, i));
    json_builder_end_array (b);
    json_builder_set_member_name (b, "FaceModelVersion");
    g_autofree gchar *v = fa_json_face_model_version (info->model_name, info->model_version);
    json_builder_add_string_value (b, v);
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  for (guint i = 0; i < faces->len; i++) {
    FaStoredFace *f = g_ptr_array_index (faces, i);
    g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (f->created_ms / 1000);
    g_autofree gchar *when = g_date_time_format_iso8601 (created);
    printf ("%s\t%s\t%s\t%s\n", f->face_id, f->external_image_id, f->image_id, when);
  }
  return 0;
}

static int
do_delete (int n_ids, gchar **ids)
{
  GError *error = NULL;
  if ((n_ids == 0) == (opt_name == NULL))
    return fa_cli_fail ("faces delete: give either FACE_ID... or --name NAME");
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GPtrArray) id_list = g_ptr_array_new_with_free_func (g_free);
  if (opt_name != NULL) {
    if (!fa_external_image_id_validate (opt_name, &error))
      return fa_cli_fail_error (error);
    g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, opt_collection, opt_name,
        FALSE, &error);
    if (faces == NULL)
      return fa_cli_fail_error (error);
    if (faces->len == 0)
      return fa_cli_fail ("no face named \"%s\" in collection \"%s\"", opt_name, opt_collection);
    for (guint i = 0; i < faces->len; i++)
      g_ptr_array_add (id_list, g_strdup (((FaStoredFace *) g_ptr_array_index (faces, i))->face_id));
  } else {
    for (int i = 0; i < n_ids; i++)
      g_ptr_array_add (id_list, g_strdup (ids[i]));
  }
  g_ptr_array_add (id_list, NULL);
  if (!fa_collection_delete_faces (store, opt_collection,
          (const gchar *const *) id_list->pdata, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "DeletedFaces");
    json_builder_begin_array (b);
    for (guint i = 0; i + 1 < id_list->len; i++)
      json_builder_add_string_value (b, g_ptr_array_index (id_list, i));
    json_builder_end_array (b);
    json_builder_end_object (b);
    print_json_builder (b);
  } else {
    for (guint i = 0; i + 1 < id_list->len; i++)
      printf ("deleted %s\n", (gchar *) g_ptr_array_index (id_list, i));
  }
  return 0;
}

static int
do_search (int n_images, gchar **images)
{
  GError *error = NULL;
  if (n_images != 1)
    return fa_cli_fail ("faces search: give exactly one IMAGE");
  if (opt_threshold < 0 || opt_threshold > 100)
    return fa_cli_fail ("faces search: --face-match-threshold must be between 0 and 100");
  if (opt_max_faces == 0 || opt_max_faces > 4096 || opt_max_faces < -1)
    return fa_cli_fail ("faces search: --max-faces must be between 1 and 4096");
  guint max_matches = opt_max_faces < 0 ? 10 : (guint) opt_max_faces;
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  g_autoptr (FaCollectionInfo) info = store == NULL ? NULL
      : fa_collection_get (store, opt_collection, &error);
  if (info == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaPicture) picture = fa_picture_load (images[0], &error);
  if (picture == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaFaceAnalyzer) analyzer = fa_face_analyzer_new (info->model_name, &error);
  if (analyzer == NULL)
    return fa_cli_fail_error (error);
  const FaImage *image = fa_picture_image (picture);
  FaFace face;
  float embedding[FA_EMBED_MAX_DIM];
  if (!fa_face_analyzer_largest_face (analyzer, image, &face, embedding, &error))
    return fa_cli_fail ("%s: %s", images[0], error->message);
  /* People, not photos: the same decision as facematch (fa-gallery.h). */
  g_autoptr (FaGallery) gallery = fa_gallery_load (store, opt_collection,
      fa_face_analyzer_model_name (analyzer), fa_face_analyzer_model_version (analyzer), &error);
  if (gallery == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (GArray) people = fa_gallery_search (gallery, embedding,
      fa_face_analyzer_dim (analyzer), opt_threshold, max_matches);
  g_autoptr (GArray) matches = fa_gallery_face_matches (people);

  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autofree gchar *v = fa_json_face_model_version (fa_face_analyzer_model_name (analyzer),
        fa_face_analyzer_model_version (analyzer));
    json_builder_begin_object (b);
    fa_json_add_search_members (b, &face, image->width, image->height, matches, v);
    json_builder_end_object (b);
    print_json_builder (b);
    return 0;
  }
  if (matches->len == 0)
    printf ("no match in %s at threshold %.1f %%\n", opt_collection, opt_threshold);
  for (guint i = 0; i < matches->len; i++) {
    FaSearchMatch *m = &g_array_index (matches, FaSearchMatch, i);
    printf ("match %s  similarity %.1f  face %s\n", m->face->external_image_id, m->similarity,
        m->face->face_id);
  }
  return 0;
}

static int
run (int argc, gchar **argv)
{
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, usage_text, "Index, list, delete and search faces.",
          entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc < 2)
    return fa_cli_fail ("faces: give a verb: index, list, delete or search");
  const gchar *verb = argv[1];
  if (strcmp (verb, "index") && strcmp (verb, "list") && strcmp (verb, "delete")
      && strcmp (verb, "search"))
    return fa_cli_fail ("faces: unknown verb \"%s\" (index, list, delete or search)", verb);
  if (opt_collection == NULL)
    return fa_cli_fail ("faces %s: give the collection with --collection ID", verb);
  if (!fa_collection_id_validate (opt_collection, &error))
    return fa_cli_fail_error (error);
  int n_args = argc - 2;
  gchar **args = argv + 2;
  switch (verb[0]) {
    case 'i': return do_index (n_args, args);
    case 'l':
      if (n_args > 0)
        return fa_cli_fail ("faces list: unexpected argument \"%s\"", args[0]);
      return do_list ();
    case 'd': return do_delete (n_args, args);
    default: return do_search (n_args, args);
  }
}

const FaCliGroup fa_cli_group_faces = {
  "faces", "index, list, delete and search faces in a collection", run,
};
