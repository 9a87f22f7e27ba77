/* facealert collection create|list|delete: Rekognition's CreateCollection,
 * ListCollections and DeleteCollection over the local store. */
#include "cmd-groups.h"
#include "fa-cli.h"
#include "fa-cli-store.h"
#include "fa-collection.h"
#include "fa-embedder.h"
#include "fa-error.h"
#include "fa-face-json.h"

#include <stdio.h>
#include <string.h>

static gchar *opt_collection_id = NULL;
static gchar *opt_model = NULL;

static const GOptionEntry entries[] = {
  { "collection-id", 'c', 0, G_OPTION_ARG_STRING, &opt_collection_id,
    "Collection id ([a-zA-Z0-9_.-]+, at most 255 characters)", "ID" },
  { "model", 0, 0, G_OPTION_ARG_STRING, &opt_model,
    "Face model of a new collection (default: mobilefacenet)", "NAME" },
  FA_CLI_COLLECTIONS_DIR_ENTRY,
  { NULL }
};

static const gchar usage_text[] =
  "create|list|delete - face collections\n\n"
  "  facealert collection create --collection-id ID [--model mobilefacenet]\n"
  "  facealert collection list\n"
  "  facealert collection delete --collection-id ID";

static const gchar *
collection_arg (int argc, gchar **argv)
{
  /* --collection-id ID, or the id as the only positional argument. */
  if (opt_collection_id != NULL)
    return opt_collection_id;
  return argc >= 3 ? argv[2] : NULL;
}

static int
do_create (const gchar *id)
{
  GError *error = NULL;
  if (!fa_collection_id_validate (id, &error))
    return fa_cli_fail_error (error);
  /* Load the model: the collection records its exact version. */
  g_autoptr (FaEmbedder) embedder = fa_embedder_new (opt_model, NULL, &error);
  if (embedder == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (TRUE, &error);
  if (store == NULL)
    return fa_cli_fail_error (error);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, id,
      fa_embedder_model_name (embedder), fa_embedder_model_version (embedder), &error);
  if (info == NULL)
    return fa_cli_fail_error (error);
  g_autofree gchar *version = fa_json_face_model_version (info->model_name, info->model_version);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "StatusCode");
    json_builder_add_int_value (b, 200);
    json_builder_set_member_name (b, "CollectionArn");
    json_builder_add_string_value (b, info->arn);
    json_builder_set_member_name (b, "FaceModelVersion");
    json_builder_add_string_value (b, version);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    printf ("created collection %s (face model %s) in %s\n", info->id, version,
        fa_collection_store_path (store));
  }
  return 0;
}

static int
do_list (void)
{
  GError *error = NULL;
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  g_autoptr (GPtrArray) list = NULL;
  if (store == NULL) {
    /* No database yet: no collections, not an error. */
    if (!g_error_matches (error, FA_ERROR, FA_ERROR_NOT_FOUND))
      return fa_cli_fail_error (error);
    g_clear_error (&error);
    list = g_ptr_array_new ();
  } else if ((list = fa_collection_list (store, &error)) == NULL) {
    return fa_cli_fail_error (error);
  }
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "CollectionIds");
    json_builder_begin_array (b);
    for (guint i = 0; i < list->len; i++)
      json_builder_add_string_value (b, ((FaCollectionInfo *) g_ptr_array_index (list, i))->id);
    json_builder_end_array (b);
    json_builder_set_member_name (b, "FaceModelVersions");
    json_builder_begin_array (b);
    for (guint i = 0; i < list->len; i++) {
      FaCollectionInfo *info = g_ptr_array_index (list, i);
      g_autofree gchar *v = fa_json_face_model_version (info->model_name, info->model_version);
      json_builder_add_string_value (b, v);
    }
    json_builder_end_array (b);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    for (guint i = 0; i < list->len; i++) {
      FaCollectionInfo *info = g_ptr_array_index (list, i);
      g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (info->created_ms / 1000);
      g_autofree gchar *when = g_date_time_format_iso8601 (created);
      printf ("%s\t%" G_GINT64_FORMAT " faces\t%s/%s\tcreated %s\n", info->id, info->face_count,
          info->model_name, info->model_version, when);
    }
  }
  return 0;
}

static int
do_delete (const gchar *id)
{
  GError *error = NULL;
  if (!fa_collection_id_validate (id, &error))
    return fa_cli_fail_error (error);
  g_autoptr (FaCollectionStore) store = fa_cli_open_store (FALSE, &error);
  if (store == NULL || !fa_collection_delete (store, id, &error))
    return fa_cli_fail_error (error);
  if (fa_cli_output == FA_OUTPUT_JSON) {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "StatusCode");
    json_builder_add_int_value (b, 200);
    json_builder_end_object (b);
    g_autoptr (JsonNode) root = json_builder_get_root (b);
    fa_cli_print_json (root);
  } else {
    printf ("deleted collection %s\n", id);
  }
  return 0;
}

static int
run (int argc, gchar **argv)
{
  GError *error = NULL;
  if (!fa_cli_parse (&argc, &argv, usage_text, "Manage face collections.", entries, NULL, &error))
    return fa_cli_fail_error (error);
  if (argc < 2)
    return fa_cli_fail ("collection: give a verb: create, list or delete");
  const gchar *verb = argv[1];
  if (strcmp (verb, "list") == 0)
    return do_list ();
  if (strcmp (verb, "create") == 0 || strcmp (verb, "delete") == 0) {
    const gchar *id = collection_arg (argc, argv);
    if (id == NULL)
      return fa_cli_fail ("collection %s: give --collection-id ID", verb);
    return verb[0] == 'c' ? do_create (id) : do_delete (id);
  }
  return fa_cli_fail ("collection: unknown verb \"%s\" (create, list or delete)", verb);
}

const FaCliGroup fa_cli_group_collection = {
  "collection", "create, list and delete face collections", run,
};
