/* Unit tests: the sightings store (real SQLite files) and its enrol/reject
 * path into a real collection store. */
#include "fa-cluster.h"
#include "fa-collection.h"
#include "fa-error.h"
#include "fa-sighting-recorder.h"
#include "fa-sightings.h"
#include "fa-sightings-json.h"
#include "fa-tracker.h"
#include "fa-test.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <math.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define DIM 8
#define MODEL "mobilefacenet"
#define VERSION "v1"

typedef struct {
  gchar *tmp;
  gchar *dir;
  FaSightingStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->tmp = fa_test_make_tmpdir ("fa-sightings");
  f->dir = g_build_filename (f->tmp, "sightings", NULL);   /* not there yet */
  g_autoptr (GError) error = NULL;
  f->store = fa_sighting_store_open (f->dir, TRUE, 0, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fa_sighting_store_close (f->store);
  fa_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
}

/* A unit vector near axis @axis (a "person"), nudged by @jitter on the next axis. */
static void
person_vector (float *v, int axis, float jitter)
{
  memset (v, 0, DIM * sizeof (float));
  v[axis % DIM] = 1.0f;
  v[(axis + 1) % DIM] = jitter;
  float n = sqrtf (1.0f + jitter * jitter);
  for (int i = 0; i < DIM; i++)
    v[i] /= n;
}

static FaSighting *
make_sighting (const gchar *camera, gint64 first_seen_ms, const gchar *name, int axis,
    float jitter)
{
  FaSighting *s = fa_sighting_new ();
  s->camera = g_strdup (camera);
  s->track_id = 7;
  s->first_seen_ms = first_seen_ms;
  s->decided_ms = first_seen_ms + 100;
  s->last_seen_ms = first_seen_ms + 2000;
  s->decision = name != NULL ? FA_SIGHTING_KNOWN : FA_SIGHTING_UNKNOWN;
  s->name = g_strdup (name);
  s->face_id = name != NULL ? g_strdup ("11111111-2222-3333-4444-555555555555") : NULL;
  s->similarity = name != NULL ? 61.5 : 12.0;
  s->collection = g_strdup ("home");
  s->box = (FaRect) {100, 50, 80, 96};
  s->frame_width = 640;
  s->frame_height = 480;
  s->face_score = 0.93f;
  s->crop_width = 120;
  s->crop_height = 144;
  s->n_embeddings = 3;
  s->model_name = g_strdup (MODEL);
  s->model_version = g_strdup (VERSION);
  s->dim = DIM;
  s->embedding = g_new (float, DIM);
  person_vector (s->embedding, axis, jitter);
  return s;
}

static gint64
add (Fixture *f, FaSighting *s, GBytes *crop)
{
  g_autoptr (GError) error = NULL;
  gint64 id = fa_sighting_store_add (f->store, s, crop, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  fa_sighting_free (s);
  return id;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
test_private_files (Fixture *f, gconstpointer data)
{
  struct stat st;
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (fa_sighting_store_path (f->store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_str_has_suffix (fa_sighting_store_path (f->store), FA_SIGHTINGS_DB_FILE));

  /* Missing without create: a clear NOT_FOUND, nothing created. */
  g_autoptr (GError) error = NULL;
  g_autofree gchar *other = g_build_filename (f->tmp, "none", NULL);
  g_assert_null (fa_sighting_store_open (other, FALSE, 0, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* Not a database: CORRUPT, naming the file, saying what to do. */
  g_autofree gchar *bad_dir = g_build_filename (f->tmp, "bad", NULL);
  g_mkdir (bad_dir, 0700);
  g_autofree gchar *bad = g_build_filename (bad_dir, FA_SIGHTINGS_DB_FILE, NULL);
  g_file_set_contents (bad, "this is not an SQLite database, just some text..........", -1,
      NULL);
  g_assert_null (fa_sighting_store_open (bad_dir, TRUE, 0, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, bad));
  g_assert_nonnull (strstr (error->message, "move it away"));
}

/* Whether another process sees a lock of ours on SQLite's SHARED byte range
 * of @path (unix VFS: PENDING_BYTE + 2, 510 bytes). A WAL connection holds
 * one while open; it is what stops another process's last close from taking
 * the file for itself and deleting the WAL under us. */
static gboolean
others_see_our_shared_lock (const gchar *path)
{
  pid_t child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0) {
    int fd = open (path, O_RDONLY);
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
      .l_start = 0x40000000 + 2, .l_len = 510 };
    _exit (fd >= 0 && fcntl (fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ? 0 : 1);
  }
  int status = 0;
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* Several connections in one process (one per camera's facematch, the
 * server's): opening one must not drop the others' locks, as closing any
 * descriptor of the file would (POSIX locks are per process). */
static void
test_second_connection_keeps_locks (Fixture *f, gconstpointer data)
{
  g_autoptr (FaSighting) s = make_sighting ("cam1", 1000, NULL, 0, 0.0f);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (fa_sighting_store_add (f->store, s, NULL, &error), >, 0);
  g_assert_no_error (error);
  const gchar *path = fa_sighting_store_path (f->store);
  g_assert_true (others_see_our_shared_lock (path));

  FaSightingStore *second = fa_sighting_store_open (f->dir, TRUE, 0, &error);
  g_assert_no_error (error);
  g_assert_true (others_see_our_shared_lock (path));
  fa_sighting_store_close (second);
  g_assert_true (others_see_our_shared_lock (path));
}

static void
test_add_get_crop (Fixture *f, gconstpointer data)
{
  static const guint8 jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9};
  g_autoptr (GBytes) crop = g_bytes_new_static (jpeg, sizeof jpeg);
  gint64 t = now_ms ();
  gint64 id = add (f, make_sighting ("cam1", t, "Bob", 0, 0.1f), crop);
  gint64 id2 = add (f, make_sighting ("cam2", t, NULL, 3, 0.0f), NULL);
  g_assert_cmpint (id2, >, id);

  g_autoptr (GError) error = NULL;
  g_autoptr (FaSighting) s = fa_sighting_store_get (f->store, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (s->camera, ==, "cam1");
  g_assert_cmpint (s->decision, ==, FA_SIGHTING_KNOWN);
  g_assert_cmpstr (s->name, ==, "Bob");
  g_assert_cmpint (s->first_seen_ms, ==, t);
  g_assert_cmpint (s->crop_size, ==, sizeof jpeg);
  g_assert_cmpint (s->crop_width, ==, 120);
  g_assert_cmpfloat_with_epsilon (s->box.width, 80, 1e-3);
  g_assert_nonnull (s->embedding);
  float expect[DIM];
  person_vector (expect, 0, 0.1f);
  g_assert_cmpmem (s->embedding, DIM * sizeof (float), expect, DIM * sizeof (float));
  g_assert_nonnull (s->rejected_names);
  g_assert_null (s->rejected_names[0]);

  g_autoptr (GBytes) back = fa_sighting_store_get_crop (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, crop));
  g_assert_null (fa_sighting_store_get_crop (f->store, id2, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (fa_sighting_store_get (f->store, 999, FALSE, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sighting 999 does not exist"));
  g_clear_error (&error);

  /* A record without an embedding is refused before any write. */
  g_autoptr (FaSighting) bad = make_sighting ("cam1", t, NULL, 0, 0);
  g_clear_pointer (&bad->embedding, g_free);
  g_assert_cmpint (fa_sighting_store_add (f->store, bad, NULL, &error), ==, 0);
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, &error), ==, 2);

  /* The JSON shape the CLI and the server print. */
  g_autoptr (JsonBuilder) b = json_builder_new ();
  fa_json_add_sighting (b, s);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  JsonObject *o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (o, "SightingId"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "Decision"), ==, "known");
  g_assert_cmpstr (json_object_get_string_member (o, "Name"), ==, "Bob");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "FirstSeenTime"),
      t / 1e3, 1e-3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "Crop"),
          "Size"), ==, sizeof jpeg);
}

static void
test_list_filters_paging (Fixture *f, gconstpointer data)
{
  gint64 t = now_ms () - 10 * 60 * 1000;
  /* 10 sightings, one a minute: even ones cam1 unknown, odd ones cam2 Bob. */
  gint64 ids[10];
  for (int i = 0; i < 10; i++)
    ids[i] = add (f, make_sighting (i % 2 ? "cam2" : "cam1", t + i * 60000,
            i % 2 ? "Bob" : NULL, i, 0), NULL);
  g_autoptr (GError) error = NULL;

  FaSightingFilter filter = {0};
  g_autoptr (GPtrArray) all = fa_sighting_store_list (f->store, &filter, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 10);
  g_assert_cmpint (((FaSighting *) all->pdata[0])->id, ==, ids[9]);   /* newest first */
  g_assert_null (((FaSighting *) all->pdata[0])->embedding);

  filter.camera = "cam1";
  filter.decision = FA_SIGHTING_FILTER_UNKNOWN;
  filter.since_ms = t + 3 * 60000;
  g_autoptr (GPtrArray) some = fa_sighting_store_list (f->store, &filter, FALSE, &error);
  g_assert_cmpuint (some->len, ==, 3);   /* 4, 6, 8 */
  g_assert_cmpint (((FaSighting *) some->pdata[2])->id, ==, ids[4]);
  g_assert_cmpint (fa_sighting_store_count (f->store, &filter, &error), ==, 3);

  FaSightingFilter known = {.decision = FA_SIGHTING_FILTER_KNOWN, .name = "Bob"};
  g_assert_cmpint (fa_sighting_store_count (f->store, &known, &error), ==, 5);
  FaSightingFilter until = {.until_ms = t + 2 * 60000};
  g_assert_cmpint (fa_sighting_store_count (f->store, &until, &error), ==, 2);

  /* Pages of 4 by before_id: every sighting once, in order. */
  FaSightingFilter page = {.limit = 4};
  GPtrArray *seen = g_ptr_array_new ();
  for (;;) {
    g_autoptr (GPtrArray) p = fa_sighting_store_list (f->store, &page, FALSE, &error);
    g_assert_no_error (error);
    if (p->len == 0)
      break;
    g_assert_cmpuint (p->len, <=, 4);
    for (guint i = 0; i < p->len; i++)
      g_ptr_array_add (seen, GINT_TO_POINTER (((FaSighting *) p->pdata[i])->id));
    page.before_id = ((FaSighting *) p->pdata[p->len - 1])->id;
  }
  g_assert_cmpuint (seen->len, ==, 10);
  for (int i = 0; i < 10; i++)
    g_assert_cmpint (GPOINTER_TO_INT (seen->pdata[i]), ==, ids[9 - i]);
  g_ptr_array_unref (seen);
}

static void
test_update_delete (Fixture *f, gconstpointer data)
{
  gint64 t = now_ms ();
  gint64 a = add (f, make_sighting ("cam1", t, NULL, 0, 0), NULL);
  gint64 b = add (f, make_sighting ("cam1", t, NULL, 1, 0), NULL);
  g_autoptr (GError) error = NULL;

  /* Later facematch view: known, seen longer. */
  g_autoptr (FaSighting) later = make_sighting ("cam1", t, "Ann", 0, 0);
  later->id = a;
  later->last_seen_ms = t + 9000;
  g_assert_true (fa_sighting_store_update (f->store, later, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (FaSighting) got = fa_sighting_store_get (f->store, a, FALSE, &error);
  g_assert_cmpstr (got->name, ==, "Ann");
  g_assert_cmpint (got->last_seen_ms, ==, t + 9000);

  /* All or nothing: one missing id and nothing goes. */
  gint64 both_and_missing[] = {a, b, 4242};
  g_assert_false (fa_sighting_store_delete (f->store, both_and_missing, 3, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "4242"));
  g_clear_error (&error);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 2);
  g_assert_true (fa_sighting_store_delete (f->store, both_and_missing, 2, &error));
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 0);

  /* Updating a deleted sighting says so; ids are never reused. */
  g_assert_false (fa_sighting_store_update (f->store, later, NULL, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gint64 c = add (f, make_sighting ("cam1", t, NULL, 2, 0), NULL);
  g_assert_cmpint (c, >, b);
}

static void
test_retention_quota (Fixture *f, gconstpointer data)
{
  gint64 t = now_ms ();
  g_autoptr (GError) error = NULL;
  add (f, make_sighting ("cam1", t - 50 * 3600 * 1000LL, NULL, 0, 0), NULL);
  add (f, make_sighting ("cam1", t - 30 * 3600 * 1000LL, NULL, 1, 0), NULL);
  add (f, make_sighting ("cam1", t - 1000, NULL, 2, 0), NULL);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 3);   /* 30 days */

  fa_sighting_store_set_limits (f->store, 48, 0);
  g_assert_cmpint (fa_sighting_store_evict (f->store, 0, &error), ==, 1);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 2);
  /* Enforced by every add, too. */
  fa_sighting_store_set_limits (f->store, 24, 0);
  add (f, make_sighting ("cam1", t, NULL, 3, 0), NULL);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 2);

  /* Quota: each sighting is a 4000-byte crop + DIM floats; room for two. */
  fa_sighting_store_set_limits (f->store, 0, 2 * (4000 + DIM * sizeof (float)) + 10);
  g_autofree guint8 *big = g_malloc0 (4000);
  g_autoptr (GBytes) crop = g_bytes_new (big, 4000);
  gint64 x = add (f, make_sighting ("cam2", t, NULL, 4, 0), crop);
  gint64 y = add (f, make_sighting ("cam2", t, NULL, 5, 0), crop);
  g_autoptr (GPtrArray) left = fa_sighting_store_list (f->store, NULL, FALSE, &error);
  g_assert_cmpuint (left->len, >=, 2);
  g_assert_cmpint (((FaSighting *) left->pdata[0])->id, ==, y);
  g_assert_cmpint (((FaSighting *) left->pdata[1])->id, ==, x);
  gint64 z = add (f, make_sighting ("cam2", t, NULL, 6, 0), crop);
  g_autoptr (GPtrArray) after = fa_sighting_store_list (f->store, NULL, FALSE, &error);
  g_assert_cmpuint (after->len, ==, 2);   /* x went, the oldest with a crop */
  g_assert_cmpint (((FaSighting *) after->pdata[0])->id, ==, z);
  g_assert_cmpint (((FaSighting *) after->pdata[1])->id, ==, y);
}

static void
test_search (Fixture *f, gconstpointer data)
{
  gint64 t = now_ms ();
  gint64 near = add (f, make_sighting ("cam1", t, NULL, 2, 0.2f), NULL);
  gint64 nearer = add (f, make_sighting ("cam2", t, NULL, 2, 0.05f), NULL);
  add (f, make_sighting ("cam1", t, NULL, 5, 0), NULL);
  g_autoptr (FaSighting) other_model = make_sighting ("cam1", t, NULL, 2, 0);
  g_free (other_model->model_version);
  other_model->model_version = g_strdup ("v2");
  g_autoptr (GError) error = NULL;
  fa_sighting_store_add (f->store, other_model, NULL, &error);
  g_assert_no_error (error);

  float probe[DIM];
  person_vector (probe, 2, 0.0f);
  g_autoptr (GPtrArray) m = fa_sighting_store_search (f->store, NULL, MODEL, VERSION, probe,
      DIM, 50.0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->len, ==, 2);   /* not the other person, not the other model */
  FaSightingMatch *first = m->pdata[0], *second = m->pdata[1];
  g_assert_cmpint (first->sighting->id, ==, nearer);
  g_assert_cmpint (second->sighting->id, ==, near);
  g_assert_cmpfloat (first->similarity, >=, second->similarity);
  g_assert_cmpfloat (first->similarity, >, 99.0);

  FaSightingFilter cam1 = {.camera = "cam1"};
  g_autoptr (GPtrArray) m1 = fa_sighting_store_search (f->store, &cam1, MODEL, VERSION, probe,
      DIM, 50.0, 0, &error);
  g_assert_cmpuint (m1->len, ==, 1);
  g_assert_cmpint (((FaSightingMatch *) m1->pdata[0])->sighting->id, ==, near);
}

static void
test_cluster_algorithm (void)
{
  /* Two tight groups and a loner; a single linkage chain (0.5 apart
   * steps) must not glue the groups together. */
  float v[6 * DIM];
  person_vector (v + 0 * DIM, 0, 0.0f);
  person_vector (v + 1 * DIM, 0, 0.1f);
  person_vector (v + 2 * DIM, 4, 0.0f);
  person_vector (v + 3 * DIM, 4, 0.15f);
  person_vector (v + 4 * DIM, 4, -0.1f);
  person_vector (v + 5 * DIM, 7, 0.0f);
  guint labels[6];
  guint k = fa_cluster_average_linkage (v, 6, DIM, 0.5f, labels);
  g_assert_cmpuint (k, ==, 3);
  g_assert_cmpuint (labels[2], ==, 0);   /* the largest group first */
  g_assert_cmpuint (labels[3], ==, 0);
  g_assert_cmpuint (labels[4], ==, 0);
  g_assert_cmpuint (labels[0], ==, 1);
  g_assert_cmpuint (labels[1], ==, 1);
  g_assert_cmpuint (labels[5], ==, 2);
  /* Threshold above every pair: all singletons; below all: one group. */
  g_assert_cmpuint (fa_cluster_average_linkage (v, 6, DIM, 0.9999f, labels), ==, 6);
  g_assert_cmpuint (fa_cluster_average_linkage (v, 6, DIM, -1.0f, labels), ==, 1);
  g_assert_cmpuint (fa_cluster_average_linkage (v, 0, DIM, 0.5f, labels), ==, 0);
}

static void
test_cluster_store (Fixture *f, gconstpointer data)
{
  gint64 t = now_ms ();
  gint64 a1 = add (f, make_sighting ("cam1", t, NULL, 1, 0.0f), NULL);
  gint64 b1 = add (f, make_sighting ("cam2", t, NULL, 5, 0.0f), NULL);
  add (f, make_sighting ("cam1", t, "Bob", 1, 0.05f), NULL);   /* known: not in --unknown */
  gint64 a2 = add (f, make_sighting ("cam3", t, NULL, 1, 0.1f), NULL);
  g_autoptr (GError) error = NULL;
  FaSightingFilter unknown = {.decision = FA_SIGHTING_FILTER_UNKNOWN};
  g_autoptr (GPtrArray) clusters = fa_sighting_store_cluster (f->store, &unknown, 50.0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (clusters->len, ==, 2);
  FaSightingCluster *c1 = clusters->pdata[0], *c2 = clusters->pdata[1];
  g_assert_cmpuint (c1->index, ==, 1);
  g_assert_cmpuint (c1->sightings->len, ==, 2);
  g_assert_cmpint (((FaSighting *) c1->sightings->pdata[0])->id, ==, a2);   /* newest first */
  g_assert_cmpint (((FaSighting *) c1->sightings->pdata[1])->id, ==, a1);
  g_assert_cmpfloat (c1->cohesion, >, 90.0);
  g_assert_cmpuint (c2->sightings->len, ==, 1);
  g_assert_cmpint (((FaSighting *) c2->sightings->pdata[0])->id, ==, b1);
}

static FaCollectionStore *
make_collection (Fixture *f, const gchar *version)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *dir = g_build_filename (f->tmp, "collections", NULL);
  FaCollectionStore *c = fa_collection_store_open (dir, TRUE, 0, &error);
  g_assert_no_error (error);
  g_autoptr (FaCollectionInfo) info = fa_collection_create (c, "home", MODEL, version, &error);
  g_assert_no_error (error);
  return c;
}

static void
test_enrol (Fixture *f, gconstpointer data)
{
  g_autoptr (FaCollectionStore) c = make_collection (f, VERSION);
  gint64 t = now_ms ();
  gint64 a = add (f, make_sighting ("cam1", t, NULL, 1, 0.0f), NULL);
  gint64 b = add (f, make_sighting ("cam2", t, NULL, 1, 0.1f), NULL);
  g_autoptr (GError) error = NULL;

  /* One missing sighting: nothing enrolled. */
  gint64 with_missing[] = {a, 777};
  g_assert_null (fa_sightings_enrol (f->store, c, NULL, with_missing, 2, "Carol", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (GPtrArray) none = fa_collection_list_faces (c, "home", NULL, FALSE, &error);
  g_assert_cmpuint (none->len, ==, 0);
  /* A bad name: refused. */
  g_assert_null (fa_sightings_enrol (f->store, c, NULL, &a, 1, "Carol Smith", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  gint64 ids[] = {a, b};
  g_autoptr (GPtrArray) faces = fa_sightings_enrol (f->store, c, NULL, ids, 2, "Carol", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 2);
  g_autoptr (GPtrArray) stored = fa_collection_list_faces (c, "home", "Carol", TRUE, &error);
  g_assert_cmpuint (stored->len, ==, 2);
  g_autoptr (FaSighting) sa = fa_sighting_store_get (f->store, a, TRUE, &error);
  g_assert_cmpint (sa->decision, ==, FA_SIGHTING_KNOWN);
  g_assert_cmpstr (sa->name, ==, "Carol");
  g_assert_true (sa->confirmed);
  g_assert_cmpstr (sa->enrolled_face_id, ==, ((FaStoredFace *) faces->pdata[0])->face_id);
  g_assert_cmpmem (((FaStoredFace *) stored->pdata[0])->embedding, DIM * sizeof (float),
      sa->embedding, DIM * sizeof (float));

  /* facematch's later "unknown" does not undo a person's word. */
  sa->decision = FA_SIGHTING_UNKNOWN;
  g_clear_pointer (&sa->name, g_free);
  g_assert_true (fa_sighting_store_update (f->store, sa, NULL, &error));
  g_autoptr (FaSighting) again = fa_sighting_store_get (f->store, a, FALSE, &error);
  g_assert_cmpstr (again->name, ==, "Carol");
}

static void
test_enrol_model_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr (FaCollectionStore) c = make_collection (f, "v9");
  gint64 a = add (f, make_sighting ("cam1", now_ms (), NULL, 1, 0.0f), NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (fa_sightings_enrol (f->store, c, NULL, &a, 1, "Carol", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "cannot be compared"));
  g_clear_error (&error);
  g_assert_false (fa_sightings_reject (f->store, c, NULL, a, "Bob", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
}

static void
test_reject (Fixture *f, gconstpointer data)
{
  g_autoptr (FaCollectionStore) c = make_collection (f, VERSION);
  gint64 a = add (f, make_sighting ("cam1", now_ms (), "Bob", 1, 0.0f), NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (fa_sightings_reject (f->store, c, NULL, a, "Bob", &error));
  g_assert_no_error (error);
  g_autoptr (FaSighting) s = fa_sighting_store_get (f->store, a, FALSE, &error);
  g_assert_cmpint (s->decision, ==, FA_SIGHTING_UNKNOWN);
  g_assert_null (s->name);
  g_assert_true (s->confirmed);
  g_assert_cmpstr (s->rejected_names[0], ==, "Bob");
  g_assert_null (s->rejected_names[1]);

  /* The negative example is in the collection, not among its faces. */
  g_autoptr (GPtrArray) negatives = fa_collection_list_negatives (c, "home", "Bob", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (negatives->len, ==, 1);
  g_autofree gchar *source = g_strdup_printf ("sighting:%" G_GINT64_FORMAT, a);
  g_assert_cmpstr (((FaStoredFace *) negatives->pdata[0])->image_id, ==, source);
  g_autoptr (GPtrArray) faces = fa_collection_list_faces (c, "home", NULL, FALSE, &error);
  g_assert_cmpuint (faces->len, ==, 0);

  /* Rejecting a name it was not decided as keeps the decision. */
  gint64 b = add (f, make_sighting ("cam1", now_ms (), "Ann", 2, 0.0f), NULL);
  g_assert_true (fa_sightings_reject (f->store, c, NULL, b, "Bob", &error));
  g_autoptr (FaSighting) sb = fa_sighting_store_get (f->store, b, FALSE, &error);
  g_assert_cmpstr (sb->name, ==, "Ann");
  g_assert_cmpstr (sb->rejected_names[0], ==, "Bob");
}

/* ---- the recorder facematch writes through ----------------------------- */

static FaSightingRecorder *
make_recorder (Fixture *f)
{
  FaSightingRecorderConfig config = {
    .dir = f->dir, .camera = "porch", .collection = "home", .model_name = MODEL,
    .model_version = VERSION, .retention_hours = 24, .busy_timeout_ms = 200,
  };
  g_autoptr (GError) error = NULL;
  FaSightingRecorder *r = fa_sighting_recorder_new (&config, &error);
  g_assert_no_error (error);
  return r;
}

static FaFace
face_at (float x, float y, float side, float score)
{
  FaFace face = {{x, y, side, side}, score, FALSE, {{0}}};
  return face;
}

/* A decided track is written with its best crop (the most confident, largest
 * judged face), rewritten when its identity changes, finished when it ends;
 * an undecided one leaves nothing. */
static void
test_recorder (Fixture *f, gconstpointer data)
{
  g_autofree guint8 *pixels = g_malloc (320 * 240 * 3);
  for (int i = 0; i < 320 * 240 * 3; i++)
    pixels[i] = (guint8) (i * 7);
  FaImage frame = {FA_PIXEL_BGR, 320, 240, {pixels}, {320 * 3}};
  FaSightingRecorder *r = make_recorder (f);
  g_autoptr (FaTracker) tracker = fa_tracker_new (0.3f, 0);
  float v[DIM];
  person_vector (v, 3, 0);

  /* Frames 1-3: one face, judged; decided unknown at frame 2, known at 3. */
  const FaFace faces[] = {face_at (40, 40, 60, 0.9f), face_at (40, 40, 80, 0.99f),
    face_at (42, 40, 70, 0.95f)};
  const gint64 t0 = now_ms ();
  FaTrack *track = NULL;
  for (int i = 0; i < 3; i++) {
    fa_tracker_update (tracker, &faces[i], 1, &track);
    fa_sighting_recorder_frame_done (r, fa_tracker_tracks (tracker));
    fa_track_add_embedding (track, v, DIM);
    if (i == 1) {
      fa_track_set_identity (track, FALSE, NULL, NULL, 20.0);
      track->decided = TRUE;
    } else if (i == 2) {
      fa_track_set_identity (track, TRUE, "Ann", "face-1", 77.0);
    }
    fa_sighting_recorder_observe (r, track, &frame, &faces[i], TRUE, t0 + i);
  }
  /* A second track that is never decided. */
  FaFace other = face_at (200, 100, 50, 0.9f);
  FaTrack *tracks[2];
  FaFace both[2] = {faces[2], other};
  fa_tracker_update (tracker, both, 2, tracks);
  fa_sighting_recorder_frame_done (r, fa_tracker_tracks (tracker));
  g_assert_true (tracks[0] == track);
  fa_sighting_recorder_observe (r, tracks[0], &frame, &faces[2], FALSE, t0 + 3);
  fa_sighting_recorder_observe (r, tracks[1], &frame, &other, TRUE, t0 + 3);
  fa_sighting_recorder_flush (r);

  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) live = fa_sighting_store_list (f->store, NULL, TRUE, &error);
  g_assert_cmpuint (live->len, ==, 1);
  FaSighting *s = live->pdata[0];
  g_assert_cmpstr (s->camera, ==, "porch");
  g_assert_cmpint (s->decision, ==, FA_SIGHTING_KNOWN);
  g_assert_cmpstr (s->name, ==, "Ann");
  g_assert_cmpint (s->first_seen_ms, ==, t0);
  g_assert_cmpint (s->decided_ms, ==, t0 + 1);
  g_assert_cmpfloat (s->box.width, ==, 80);   /* the best face: 0.99, 80 px */
  g_assert_cmpint (s->crop_width, ==, 80 + 2 * 32);   /* 40 % margin each side */
  g_assert_cmpuint (s->n_embeddings, ==, 3);
  g_assert_cmpfloat (s->similarity, ==, 77.0);

  /* Both tracks end (no faces for a frame): the decided one is finished. */
  fa_tracker_update (tracker, NULL, 0, tracks);
  fa_tracker_update (tracker, NULL, 0, tracks);
  fa_sighting_recorder_frame_done (r, fa_tracker_tracks (tracker));
  g_assert_null (fa_sighting_recorder_take_error (r));
  fa_sighting_recorder_free (r);
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, &error), ==, 1);
  g_autoptr (FaSighting) finished = fa_sighting_store_get (f->store, s->id, FALSE, &error);
  g_assert_cmpint (finished->last_seen_ms, ==, t0 + 3);   /* the last write, at its end */
  g_assert_cmpint (s->last_seen_ms, ==, t0 + 2);
  g_autoptr (GBytes) jpeg = fa_sighting_store_get_crop (f->store, s->id, &error);
  g_assert_no_error (error);
  g_autoptr (FaPicture) crop = fa_picture_decode (g_bytes_get_data (jpeg, NULL),
      g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
  g_assert_cmpint (fa_picture_image (crop)->width, ==, 144);
}

/* A write error is reported once (for the element's warning) and the
 * recorder carries on. */
static void
test_recorder_write_error (Fixture *f, gconstpointer data)
{
  FaSightingRecorder *r = make_recorder (f);
  /* Another connection holds the write lock past the busy timeout. */
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (fa_sighting_store_path (f->store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  g_autoptr (FaTracker) tracker = fa_tracker_new (0.3f, 0);
  FaFace face = face_at (10, 10, 40, 0.9f);
  FaTrack *track;
  fa_tracker_update (tracker, &face, 1, &track);
  float v[DIM];
  person_vector (v, 1, 0);
  fa_track_add_embedding (track, v, DIM);
  fa_track_set_identity (track, FALSE, NULL, NULL, 3.0);
  track->decided = TRUE;
  fa_sighting_recorder_observe (r, track, NULL, &face, FALSE, now_ms ());
  fa_sighting_recorder_flush (r);   /* waits out the 200 ms busy timeout */
  g_autofree gchar *message = fa_sighting_recorder_take_error (r);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "locked by another process"));
  g_assert_null (fa_sighting_recorder_take_error (r));
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  fa_sighting_recorder_free (r);   /* the final write goes through now */
  g_assert_cmpint (fa_sighting_store_count (f->store, NULL, NULL), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/sightings/private-files", test_private_files);
  ADD ("/sightings/second-connection-keeps-locks", test_second_connection_keeps_locks);
  ADD ("/sightings/add-get-crop", test_add_get_crop);
  ADD ("/sightings/list-filters-paging", test_list_filters_paging);
  ADD ("/sightings/update-delete", test_update_delete);
  ADD ("/sightings/retention-quota", test_retention_quota);
  ADD ("/sightings/search", test_search);
  g_test_add_func ("/sightings/cluster-algorithm", test_cluster_algorithm);
  ADD ("/sightings/cluster-store", test_cluster_store);
  ADD ("/sightings/enrol", test_enrol);
  ADD ("/sightings/enrol-model-mismatch", test_enrol_model_mismatch);
  ADD ("/sightings/reject", test_reject);
  ADD ("/sightings/recorder", test_recorder);
  ADD ("/sightings/recorder-write-error", test_recorder_write_error);
  return g_test_run ();
}
