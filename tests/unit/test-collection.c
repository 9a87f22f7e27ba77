/* Unit tests: the face collection store (real SQLite files). */
#include "fa-collection.h"
#include "fa-error.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define DIM 8

static gchar *
make_dir (void)
{
  gchar *tmp = fa_test_make_tmpdir ("fa-collection");
  /* A subdirectory that does not exist yet: the store creates it. */
  gchar *dir = g_build_filename (tmp, "collections", NULL);
  g_free (tmp);
  return dir;
}

static void
remove_dir (gchar *dir)
{
  g_autofree gchar *parent = g_path_get_dirname (dir);
  fa_test_rm_rf (parent);
  g_free (dir);
}

static FaStoredFace *
make_face (const gchar *name, int axis, const gchar *model_version)
{
  FaStoredFace *f = fa_stored_face_new ();
  f->external_image_id = g_strdup (name);
  f->left = 0.1f; f->top = 0.2f; f->width = 0.3f; f->height = 0.4f;
  f->confidence = 99.5f;
  f->model_name = g_strdup ("mobilefacenet");
  f->model_version = g_strdup (model_version);
  f->dim = DIM;
  f->embedding = g_new0 (float, DIM);
  f->embedding[axis % DIM] = 1.0f;
  return f;
}

static FaCollectionStore *
open_store (const gchar *dir)
{
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = fa_collection_store_open (dir, TRUE, 0, &error);
  g_assert_no_error (error);
  return store;
}

static void
test_create_list_delete (void)
{
  gchar *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = open_store (dir);

  struct stat st;
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (fa_collection_store_path (store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->id, ==, "home");
  g_assert_true (g_str_has_suffix (info->arn, "collection/home"));

  g_autoptr (FaCollectionInfo) again = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  g_assert_null (again);
  g_assert_error (error, FA_ERROR, FA_ERROR_EXISTS);
  g_clear_error (&error);

  g_autoptr (FaCollectionInfo) other = fa_collection_create (store, "cabin.2", "mobilefacenet",
      "v1", &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) list = fa_collection_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((FaCollectionInfo *) g_ptr_array_index (list, 0))->id, ==, "cabin.2");

  g_assert_true (fa_collection_delete (store, "cabin.2", &error));
  g_assert_no_error (error);
  g_assert_false (fa_collection_delete (store, "cabin.2", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (FaCollectionInfo) gone = fa_collection_get (store, "cabin.2", &error);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);

  fa_collection_store_close (store);
  remove_dir (dir);
}

static void
test_validate_names (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (fa_collection_id_validate ("home_1.a-b", NULL));
  g_assert_false (fa_collection_id_validate ("home:1", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (fa_collection_id_validate ("", NULL));
  g_assert_true (fa_external_image_id_validate ("Bob:front-door_2.jpg", NULL));
  g_assert_false (fa_external_image_id_validate ("Bob Smith", &error));
  g_assert_nonnull (strstr (error->message, "' '"));
  g_clear_error (&error);
  g_autofree gchar *long_name = g_strnfill (256, 'a');
  g_assert_false (fa_external_image_id_validate (long_name, &error));
  g_assert_nonnull (strstr (error->message, "255"));
  long_name[255] = '\0';
  g_assert_true (fa_external_image_id_validate (long_name, NULL));
}

static guint
count_faces (FaCollectionStore *store, const gchar *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, id, NULL, FALSE, &error);
  g_assert_no_error (error);
  return faces->len;
}

static void
test_faces_all_or_nothing (void)
{
  gchar *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = open_store (dir);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  g_assert_no_error (error);

  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (faces, make_face ("Bob", 0, "v1"));
  g_ptr_array_add (faces, make_face ("Julie", 1, "v1"));
  g_assert_true (fa_collection_add_faces (store, "home", faces, &error));
  g_assert_no_error (error);
  g_assert_nonnull (((FaStoredFace *) g_ptr_array_index (faces, 0))->face_id);

  /* Read back with embeddings, oldest first, and filtered by name. */
  g_autoptr (GPtrArray) listed = fa_collection_list_faces (store, "home", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  FaStoredFace *bob = g_ptr_array_index (listed, 0);
  g_assert_cmpstr (bob->external_image_id, ==, "Bob");
  g_assert_cmpfloat (bob->embedding[0], ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (bob->height, 0.4f, 1e-6);
  g_autoptr (GPtrArray) julies = fa_collection_list_faces (store, "home", "Julie", FALSE, &error);
  g_assert_cmpuint (julies->len, ==, 1);

  /* A bad name in the batch: nothing is written. */
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (bad, make_face ("Carl", 2, "v1"));
  g_ptr_array_add (bad, make_face ("bad name", 3, "v1"));
  g_assert_false (fa_collection_add_faces (store, "home", bad, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* A missing collection: nothing is written. */
  g_assert_false (fa_collection_add_faces (store, "nope", faces, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A duplicate face id in the batch fails at the second row: rolled back. */
  g_autoptr (GPtrArray) dup = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (dup, make_face ("Carl", 2, "v1"));
  g_ptr_array_add (dup, make_face ("Dora", 3, "v1"));
  ((FaStoredFace *) g_ptr_array_index (dup, 1))->face_id = g_strdup (bob->face_id);
  g_assert_false (fa_collection_add_faces (store, "home", dup, &error));
  g_clear_error (&error);
  g_assert_cmpuint (count_faces (store, "home"), ==, 2);

  /* DeleteFaces: an unknown id among them deletes nothing. */
  const gchar *ids_bad[] = {bob->face_id, "00000000-0000-0000-0000-000000000000", NULL};
  g_assert_false (fa_collection_delete_faces (store, "home", ids_bad, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_faces (store, "home"), ==, 2);
  const gchar *ids[] = {bob->face_id, NULL};
  g_assert_true (fa_collection_delete_faces (store, "home", ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_faces (store, "home"), ==, 1);

  /* DeleteCollection takes its faces along. */
  g_assert_true (fa_collection_delete (store, "home", &error));
  g_autoptr (FaCollectionInfo) again = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_faces (store, "home"), ==, 0);

  fa_collection_store_close (store);
  remove_dir (dir);
}

static void
test_search (void)
{
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (faces, make_face ("Bob", 0, "v1"));
  g_ptr_array_add (faces, make_face ("Julie", 1, "v1"));
  g_ptr_array_add (faces, make_face ("Other-model", 0, "v2"));
  float query[DIM] = {0.8f, 0.6f};
  g_autoptr (GArray) all = fa_faces_search (faces, "mobilefacenet", "v1", query, DIM, 0, 0);
  g_assert_cmpuint (all->len, ==, 2);   /* the v2 face is never compared */
  FaSearchMatch *best = &g_array_index (all, FaSearchMatch, 0);
  g_assert_cmpstr (best->face->external_image_id, ==, "Bob");
  g_assert_cmpfloat_with_epsilon (best->similarity, 80.0, 1e-3);
  g_assert_cmpfloat_with_epsilon (g_array_index (all, FaSearchMatch, 1).similarity, 60.0, 1e-3);
  g_autoptr (GArray) above = fa_faces_search (faces, "mobilefacenet", "v1", query, DIM, 70, 0);
  g_assert_cmpuint (above->len, ==, 1);
  g_autoptr (GArray) one = fa_faces_search (faces, "mobilefacenet", "v1", query, DIM, 0, 1);
  g_assert_cmpuint (one->len, ==, 1);
}

static void
test_missing_and_corrupt_database (void)
{
  gchar *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = fa_collection_store_open (dir, FALSE, 0, &error);
  g_assert_null (store);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree gchar *db = g_build_filename (dir, FA_COLLECTION_DB_FILE, NULL);
  g_autofree gchar *garbage = g_strnfill (4096, 'x');
  g_assert_true (g_file_set_contents (db, garbage, -1, NULL));
  store = fa_collection_store_open (dir, TRUE, 0, &error);
  g_assert_null (store);
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, db));
  /* Nothing overwrote the file. */
  g_autofree gchar *after = NULL;
  g_assert_true (g_file_get_contents (db, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, garbage);
  remove_dir (dir);
}

static void
test_locked_database (void)
{
  gchar *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = open_store (dir);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  fa_collection_store_close (store);
  store = fa_collection_store_open (dir, FALSE, 200, &error);
  g_assert_no_error (error);

  /* Another writer holds the write lock. */
  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (fa_collection_store_path (store), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
  g_ptr_array_add (faces, make_face ("Bob", 0, "v1"));
  gint64 start = g_get_monotonic_time ();
  g_assert_false (fa_collection_add_faces (store, "home", faces, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);   /* it waited */
  g_clear_error (&error);
  /* Readers are not blocked by a writer (WAL). */
  g_assert_cmpuint (count_faces (store, "home"), ==, 0);

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_true (fa_collection_add_faces (store, "home", faces, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_faces (store, "home"), ==, 1);
  fa_collection_store_close (store);
  remove_dir (dir);
}

/* The writer half of the two-process test: N transactions of 2 faces. */
static int
run_writer (const gchar *dir, int n)
{
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = fa_collection_store_open (dir, FALSE, 0, &error);
  if (store == NULL) {
    g_printerr ("writer: %s\n", error->message);
    return 1;
  }
  for (int i = 0; i < n; i++) {
    g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) fa_stored_face_free);
    g_ptr_array_add (faces, make_face ("Bob", i, "v1"));
    g_ptr_array_add (faces, make_face ("Julie", i + 1, "v1"));
    if (!fa_collection_add_faces (store, "home", faces, &error)) {
      g_printerr ("writer: %s\n", error->message);
      return 1;
    }
  }
  fa_collection_store_close (store);
  return 0;
}

static const gchar *self_path;

static void
test_writer_and_reader_processes (void)
{
  gchar *dir = make_dir ();
  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = open_store (dir);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  gint64 version0 = fa_collection_store_data_version (store);

  const int n = 60;
  g_autofree gchar *n_text = g_strdup_printf ("%d", n);
  const gchar *argv[] = {self_path, "--writer", dir, n_text, NULL};
  GPid pid;
  g_assert_true (g_spawn_async (NULL, (gchar **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
          NULL, &pid, &error));
  g_assert_no_error (error);

  /* Read while the other process writes: never an error, never half a
   * transaction (the count is always even), never going backwards. */
  guint last = 0, reads = 0, distinct = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  int status = -1;
  while (g_get_monotonic_time () < deadline) {
    g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, "home", NULL, TRUE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (faces->len % 2, ==, 0);
    g_assert_cmpuint (faces->len, >=, last);
    distinct += faces->len != last;
    last = faces->len;
    reads++;
    if (last == 2u * n)
      break;
  }
  g_assert_cmpuint (last, ==, 2u * n);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (fa_collection_store_data_version (store), !=, version0);
  g_test_message ("%u reads saw %u different states", reads, distinct);
  fa_collection_store_close (store);
  remove_dir (dir);
}

/* A collections database written before negative examples existed
 * (schema 1) opens, keeps its faces and gains the negatives table. */
static void
test_upgrade_from_v1 (void)
{
  gchar *dir = make_dir ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree gchar *path = g_build_filename (dir, FA_COLLECTION_DB_FILE, NULL);
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
          "CREATE TABLE collections (id TEXT PRIMARY KEY, model_name TEXT NOT NULL,"
          " model_version TEXT NOT NULL, created_ms INTEGER NOT NULL);"
          "CREATE TABLE faces (face_id TEXT PRIMARY KEY, collection_id TEXT NOT NULL"
          " REFERENCES collections (id) ON DELETE CASCADE, external_image_id TEXT NOT NULL,"
          " image_id TEXT NOT NULL, box_left REAL NOT NULL, box_top REAL NOT NULL,"
          " box_width REAL NOT NULL, box_height REAL NOT NULL, confidence REAL NOT NULL,"
          " model_name TEXT NOT NULL, model_version TEXT NOT NULL, dim INTEGER NOT NULL,"
          " embedding BLOB NOT NULL, created_ms INTEGER NOT NULL);"
          "INSERT INTO collections VALUES ('home', 'mobilefacenet', 'v1', 1);"
          "INSERT INTO faces VALUES ('f1', 'home', 'Ann', 'i1', 0, 0, 1, 1, 99,"
          " 'mobilefacenet', 'v1', 1, x'0000803f', 2);"
          "PRAGMA user_version = 1;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_autoptr (GError) error = NULL;
  FaCollectionStore *store = open_store (dir);
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (store, "home", NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);
  g_assert_cmpstr (((FaStoredFace *) faces->pdata[0])->external_image_id, ==, "Ann");

  g_autoptr (GPtrArray) negatives = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fa_stored_face_free);
  FaStoredFace *not_ann = make_face ("Ann", 3, "v1");
  not_ann->image_id = g_strdup ("sighting:5");
  g_ptr_array_add (negatives, not_ann);
  g_assert_true (fa_collection_add_negatives (store, "home", negatives, &error));
  g_assert_no_error (error);
  g_autoptr (GPtrArray) back = fa_collection_list_negatives (store, "home", "Ann", TRUE, &error);
  g_assert_cmpuint (back->len, ==, 1);
  g_assert_cmpstr (((FaStoredFace *) back->pdata[0])->image_id, ==, "sighting:5");
  g_assert_cmpfloat (((FaStoredFace *) back->pdata[0])->embedding[3], ==, 1.0f);
  /* Negatives are not faces of the collection. */
  g_autoptr (GPtrArray) still = fa_collection_list_faces (store, "home", NULL, FALSE, &error);
  g_assert_cmpuint (still->len, ==, 1);
  /* And go with their collection. */
  g_assert_true (fa_collection_delete (store, "home", &error));
  g_autoptr (FaCollectionInfo) again = fa_collection_create (store, "home", "mobilefacenet",
      "v1", &error);
  g_autoptr (GPtrArray) gone = fa_collection_list_negatives (store, "home", NULL, FALSE, &error);
  g_assert_cmpuint (gone->len, ==, 0);
  fa_collection_store_close (store);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_strcmp0 (argv[1], "--writer") == 0)
    return run_writer (argv[2], atoi (argv[3]));
  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/collection/create-list-delete", test_create_list_delete);
  g_test_add_func ("/collection/validate-names", test_validate_names);
  g_test_add_func ("/collection/faces-all-or-nothing", test_faces_all_or_nothing);
  g_test_add_func ("/collection/search", test_search);
  g_test_add_func ("/collection/missing-and-corrupt", test_missing_and_corrupt_database);
  g_test_add_func ("/collection/locked", test_locked_database);
  g_test_add_func ("/collection/writer-and-reader-processes", test_writer_and_reader_processes);
  g_test_add_func ("/collection/upgrade-from-v1", test_upgrade_from_v1);
  return g_test_run ();
}
