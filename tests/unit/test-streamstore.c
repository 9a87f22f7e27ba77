/* Unit tests: the stream store (Matroska fragments, index, eviction,
 * encryption, crash repair) on real files and real SQLite databases. */
#define _GNU_SOURCE
#include "fa-error.h"
#include "fa-mkv.h"
#include "fa-stream-crypto.h"
#include "fa-stream-store.h"
#include "fa-test.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

static const guint8 fake_avcc[] = { 0x01, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0x00, 0x00 };

/* A fragment of @frames frames of @frame_size bytes, 40 ms apart. */
static GBytes *
make_fragment (gint64 producer_us, guint frames, gsize frame_size, guint8 fill)
{
  g_autoptr (GBytes) priv = g_bytes_new_static (fake_avcc, sizeof fake_avcc);
  FaMkvWriter *w = fa_mkv_writer_new (FA_CODEC_H264, priv, 320, 240, producer_us);
  g_autofree guint8 *data = g_malloc (frame_size);
  for (guint i = 0; i < frames; i++) {
    memset (data, fill + i, frame_size);
    fa_mkv_writer_add_frame (w, i * 40000, i == 0, data, frame_size);
  }
  return fa_mkv_writer_finish (w, frames * 40000);
}

static void
test_mkv_roundtrip (void)
{
  gint64 start = G_GINT64_CONSTANT (1714564800123000);
  g_autoptr (GBytes) bytes = make_fragment (start, 5, 1000, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (FaMkvFragment) frag = fa_mkv_fragment_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (frag->codec, ==, FA_CODEC_H264);
  g_assert_cmpuint (frag->width, ==, 320);
  g_assert_cmpuint (frag->height, ==, 240);
  g_assert_cmpint (frag->producer_start_us, ==, start);
  g_assert_cmpint (frag->duration_us, ==, 200000);
  g_assert_cmpmem (g_bytes_get_data (frag->codec_private, NULL),
      g_bytes_get_size (frag->codec_private), fake_avcc, sizeof fake_avcc);
  g_assert_cmpuint (frag->frames->len, ==, 5);
  const guint8 *base = g_bytes_get_data (bytes, NULL);
  for (guint i = 0; i < 5; i++) {
    FaMkvFrame *f = &g_array_index (frag->frames, FaMkvFrame, i);
    g_assert_cmpint (f->pts_us, ==, i * 40000);
    g_assert_cmpint (f->keyframe, ==, i == 0);
    g_assert_cmpuint (f->size, ==, 1000);
    g_assert_cmpuint (base[f->offset], ==, 7 + i);
    g_assert_cmpuint (base[f->offset + 999], ==, 7 + i);
  }

  /* Truncation is detected, not read as fewer frames. */
  g_autoptr (GBytes) cut = g_bytes_new_from_bytes (bytes, 0, g_bytes_get_size (bytes) - 10);
  g_autoptr (FaMkvFragment) bad = fa_mkv_fragment_parse (cut, &error);
  g_assert_null (bad);
  g_assert_error (error, FA_ERROR, FA_ERROR_CORRUPT);
}

static FaStreamStore *
open_store (const gchar *root, const gchar *key_file)
{
  g_autoptr (GError) error = NULL;
  FaStreamStore *store = fa_stream_store_new (root, key_file, &error);
  g_assert_no_error (error);
  return store;
}

static FaFragmentInfo *
append (FaStreamWriter *w, gint64 producer_us, gint64 server_us, gsize frame_size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) media = make_fragment (producer_us, 4, frame_size, 1);
  FaFragmentInfo *info = fa_stream_writer_append (w, media, FA_CODEC_H264,
      producer_us, 160000, server_us, &error);
  g_assert_no_error (error);
  return info;
}

static void
test_append_list_read (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autoptr (FaStreamStore) store = open_store (root, NULL);
  g_autoptr (GError) error = NULL;
  gint64 t0 = G_GINT64_CONSTANT (1714564800000000);

  FaStreamWriter *w = fa_stream_writer_open (store, "cam1", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++) {
    g_autoptr (FaFragmentInfo) info = append (w, t0 + i * 160000, t0 + 5000000 + i, 500);
    g_autofree gchar *expected = g_strdup_printf ("%u", i + 1);
    g_assert_cmpstr (info->number, ==, expected);
  }
  fa_stream_writer_close (w);

  /* Private on disk. */
  GStatBuf st;
  g_autofree gchar *dir = g_build_filename (root, "cam1", "fragments", NULL);
  g_autofree gchar *index = g_build_filename (root, "cam1", "index.sqlite", NULL);
  g_autofree gchar *frag = g_build_filename (dir, "00000000000000000002.mkv", NULL);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (index, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (frag, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Producer range picks fragments by start time, inclusive. */
  g_autoptr (GPtrArray) mid = fa_stream_store_list_fragments (store, "cam1",
      FA_TIMESTAMP_PRODUCER, t0 + 160000, t0 + 320000, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mid->len, ==, 2);
  g_assert_cmpstr (((FaFragmentInfo *) mid->pdata[0])->number, ==, "2");
  /* Server range. */
  g_autoptr (GPtrArray) by_server = fa_stream_store_list_fragments (store, "cam1",
      FA_TIMESTAMP_SERVER, t0 + 5000002, G_MAXINT64, FALSE, &error);
  g_assert_cmpuint (by_server->len, ==, 1);
  g_assert_cmpstr (((FaFragmentInfo *) by_server->pdata[0])->number, ==, "3");
  /* Overlap: a range inside fragment 1 finds it. */
  g_autoptr (GPtrArray) overlap = fa_stream_store_list_fragments (store, "cam1",
      FA_TIMESTAMP_PRODUCER, t0 + 100000, t0 + 110000, TRUE, &error);
  g_assert_cmpuint (overlap->len, ==, 1);
  g_assert_cmpstr (((FaFragmentInfo *) overlap->pdata[0])->number, ==, "1");

  /* Bytes read back are the bytes written. */
  g_autoptr (GBytes) expected = make_fragment (t0 + 160000, 4, 500, 1);
  g_autoptr (GBytes) got = fa_stream_store_read_fragment (store, "cam1", "2", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (expected, got));

  /* Unknown stream and fragment: clear errors. */
  g_autoptr (GBytes) none = fa_stream_store_read_fragment (store, "cam1", "9", &error);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_autoptr (GPtrArray) nostream = fa_stream_store_list_fragments (store, "cam9",
      FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, &error);
  g_assert_error (error, FA_ERROR, FA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (fa_stream_writer_open (store, "../evil", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_autoptr (GPtrArray) streams = fa_stream_store_list_streams (store, &error);
  g_assert_cmpuint (streams->len, ==, 1);
  FaStreamInfo *s = streams->pdata[0];
  g_assert_cmpstr (s->name, ==, "cam1");
  g_assert_cmpuint (s->fragment_count, ==, 3);
  g_assert_cmpstr (s->media_type, ==, "video/h264");
  fa_test_rm_rf (root);
}

static void
test_numbers_never_reused (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autoptr (FaStreamStore) store = open_store (root, NULL);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  FaStreamWriter *w = fa_stream_writer_open (store, "cam", &error);
  fa_fragment_info_free (append (w, now, now - 10 * G_USEC_PER_SEC, 100));
  fa_fragment_info_free (append (w, now, now - 10 * G_USEC_PER_SEC, 100));
  fa_stream_writer_close (w);

  /* Remove every row by hand (as if all were evicted), then reopen. */
  g_autofree gchar *index = g_build_filename (root, "cam", "index.sqlite", NULL);
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open (index, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM fragments", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  w = fa_stream_writer_open (store, "cam", &error);
  g_assert_no_error (error);
  g_autoptr (FaFragmentInfo) info = append (w, now, 0, 100);
  g_assert_cmpstr (info->number, ==, "3");
  fa_stream_writer_close (w);
  fa_test_rm_rf (root);
}

static void
test_retention (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autoptr (FaStreamStore) store = open_store (root, NULL);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  gint64 hour = G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  FaStreamWriter *w = fa_stream_writer_open (store, "cam", &error);
  g_assert_no_error (error);
  /* Unlimited while the old ones arrive. */
  fa_fragment_info_free (append (w, now - 3 * hour, now - 3 * hour, 100));
  fa_fragment_info_free (append (w, now - 2 * hour, now - 2 * hour, 100));
  fa_fragment_info_free (append (w, now - hour / 2,
          now - hour / 2, 100));
  fa_stream_writer_set_limits (w, 1, 0);
  fa_fragment_info_free (append (w, now, now, 100));

  g_autoptr (GPtrArray) left = fa_stream_store_list_fragments (store, "cam",
      FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, &error);
  g_assert_cmpuint (left->len, ==, 2);
  g_assert_cmpstr (((FaFragmentInfo *) left->pdata[0])->number, ==, "3");
  g_assert_cmpstr (((FaFragmentInfo *) left->pdata[1])->number, ==, "4");
  g_autofree gchar *dir = g_build_filename (root, "cam", "fragments", NULL);
  g_assert_cmpuint (fa_test_count_files (dir), ==, 2);

  /* Time passes: with an explicit clock, fragment 3 ages out too but the
   * newest stays. */
  g_assert_cmpint (fa_stream_writer_evict (w, now + 2 * hour, &error), ==, 1);
  g_assert_cmpuint (fa_test_count_files (dir), ==, 1);
  fa_stream_writer_close (w);
  fa_test_rm_rf (root);
}

static void
test_quota (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autoptr (FaStreamStore) store = open_store (root, NULL);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  FaStreamWriter *w = fa_stream_writer_open (store, "cam", &error);
  g_assert_no_error (error);
  g_autoptr (FaFragmentInfo) first = append (w, now, now, 1000);
  guint64 one = first->stored_size;
  fa_stream_writer_set_limits (w, 0, one * 3 + one / 2);
  for (guint i = 1; i < 8; i++)
    fa_fragment_info_free (append (w, now + i, now + i, 1000));

  g_autoptr (GPtrArray) left = fa_stream_store_list_fragments (store, "cam",
      FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, &error);
  g_assert_cmpuint (left->len, ==, 3);
  /* Oldest went first: 6, 7, 8 remain. */
  g_assert_cmpstr (((FaFragmentInfo *) left->pdata[0])->number, ==, "6");
  g_assert_cmpstr (((FaFragmentInfo *) left->pdata[2])->number, ==, "8");
  g_autofree gchar *dir = g_build_filename (root, "cam", "fragments", NULL);
  g_assert_cmpuint (fa_test_count_files (dir), ==, 3);

  /* A quota smaller than one fragment still keeps the newest. */
  fa_stream_writer_set_limits (w, 0, 1);
  fa_fragment_info_free (append (w, now + 9, now + 9, 1000));
  g_assert_cmpuint (fa_test_count_files (dir), ==, 1);
  fa_stream_writer_close (w);
  fa_test_rm_rf (root);
}

static gchar *
write_key (const gchar *dir, const gchar *name, const gchar *hex)
{
  gchar *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, hex, -1, NULL));
  return path;
}

static gboolean
memmem_found (GBytes *hay, const gchar *needle)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (hay, &len);
  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
test_encryption (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autofree gchar *key = write_key (root, "key",
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
  g_autofree gchar *other = write_key (root, "other",
      "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  g_autofree gchar *bad = write_key (root, "bad", "not a key");
  g_autofree gchar *streams = g_build_filename (root, "streams", NULL);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();

  g_autoptr (FaStreamStore) store = open_store (streams, key);
  FaStreamWriter *w = fa_stream_writer_open (store, "cam", &error);
  g_autoptr (FaFragmentInfo) info = append (w, now, now, 300);
  fa_fragment_info_free (append (w, now + 1, now + 1, 300));
  fa_stream_writer_close (w);
  g_assert_true (info->encrypted);

  /* On disk: sealed, no Matroska in the clear. */
  g_autofree gchar *path = g_build_filename (streams, "cam", "fragments",
      "00000000000000000001.mkv", NULL);
  gchar *raw;
  gsize raw_len;
  g_assert_true (g_file_get_contents (path, &raw, &raw_len, NULL));
  g_autoptr (GBytes) on_disk = g_bytes_new_take (raw, raw_len);
  g_assert_true (fa_stream_is_sealed (g_bytes_get_data (on_disk, NULL), raw_len));
  g_assert_false (memmem_found (on_disk, "matroska"));
  g_assert_false (memmem_found (on_disk, "V_MPEG4/ISO/AVC"));

  /* Round trip with the key. */
  g_autoptr (GBytes) expected = make_fragment (now, 4, 300, 1);
  g_autoptr (GBytes) plain = fa_stream_store_read_fragment (store, "cam", "1", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, expected));

  /* Wrong key, no key: authentication errors, never bytes. */
  g_autoptr (FaStreamStore) wrong = open_store (streams, other);
  g_autoptr (GBytes) garbage = fa_stream_store_read_fragment (wrong, "cam", "1", &error);
  g_assert_null (garbage);
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "authentication failed"));
  g_clear_error (&error);
  g_autoptr (FaStreamStore) keyless = open_store (streams, NULL);
  g_assert_null (fa_stream_store_read_fragment (keyless, "cam", "1", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  /* A fragment moved to another number fails too (number is authenticated). */
  g_autofree gchar *path2 = g_build_filename (streams, "cam", "fragments",
      "00000000000000000002.mkv", NULL);
  g_assert_true (g_file_set_contents (path2, raw, raw_len, NULL));
  g_assert_null (fa_stream_store_read_fragment (store, "cam", "2", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  /* One flipped bit fails. */
  guint8 *copy = g_memdup2 (raw, raw_len);
  copy[raw_len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, (gchar *) copy, raw_len, NULL));
  g_free (copy);
  g_assert_null (fa_stream_store_read_fragment (store, "cam", "1", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_AUTH);
  g_clear_error (&error);

  /* A malformed key file is refused up front with a hint. */
  g_assert_null (fa_stream_store_new (streams, bad, &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "64 hex digits"));
  fa_test_rm_rf (root);
}

static void
assert_index_matches_files (FaStreamStore *store, const gchar *root, const gchar *stream)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = fa_stream_store_list_fragments (store, stream,
      FA_TIMESTAMP_PRODUCER, G_MININT64, G_MAXINT64, FALSE, &error);
  g_assert_no_error (error);
  g_autofree gchar *dir = g_build_filename (root, stream, "fragments", NULL);
  g_assert_cmpuint (fa_test_count_files (dir), ==, rows->len);
  for (guint i = 0; i < rows->len; i++) {
    FaFragmentInfo *f = rows->pdata[i];
    g_autofree gchar *leaf = g_strdup_printf ("%020" G_GINT64_FORMAT ".mkv",
        g_ascii_strtoll (f->number, NULL, 10));
    g_autofree gchar *path = g_build_filename (dir, leaf, NULL);
    GStatBuf st;
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpuint (st.st_size, ==, f->stored_size);
  }
}

static void
test_repair (void)
{
  g_autofree gchar *root = fa_test_make_tmpdir ("fa-store");
  g_autoptr (FaStreamStore) store = open_store (root, NULL);
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  FaStreamWriter *w = fa_stream_writer_open (store, "cam", &error);
  for (guint i = 0; i < 4; i++)
    fa_fragment_info_free (append (w, now + i, now + i, 200));

  /* A second writer on the same stream is refused. */
  g_assert_null (fa_stream_writer_open (store, "cam", &error));
  g_assert_error (error, FA_ERROR, FA_ERROR_BUSY);
  g_clear_error (&error);
  fa_stream_writer_close (w);

  /* What a crash can leave: a partial temp file, a renamed file whose row
   * never committed, a row whose file is gone, a truncated file. */
  g_autofree gchar *dir = g_build_filename (root, "cam", "fragments", NULL);
  g_autofree gchar *tmp = g_build_filename (dir, ".tmp-AbC123", NULL);
  g_autofree gchar *orphan = g_build_filename (dir, "00000000000000000005.mkv", NULL);
  g_autofree gchar *gone = g_build_filename (dir, "00000000000000000002.mkv", NULL);
  g_autofree gchar *cut = g_build_filename (dir, "00000000000000000003.mkv", NULL);
  g_assert_true (g_file_set_contents (tmp, "partial", -1, NULL));
  g_assert_true (g_file_set_contents (orphan, "orphan", -1, NULL));
  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_assert_true (g_file_set_contents (cut, "short", -1, NULL));

  w = fa_stream_writer_open (store, "cam", &error);
  g_assert_no_error (error);
  guint partial, orphans, rows;
  fa_stream_writer_get_repairs (w, &partial, &orphans, &rows);
  g_assert_cmpuint (partial, ==, 1);
  g_assert_cmpuint (orphans, ==, 2);     /* 5 (no row) and 3 (wrong size) */
  g_assert_cmpuint (rows, ==, 2);        /* 2 and 3 */
  assert_index_matches_files (store, root, "cam");
  g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));

  /* Numbering continues past anything ever seen. */
  g_autoptr (FaFragmentInfo) next = append (w, now + 10, now + 10, 200);
  g_assert_cmpstr (next->number, ==, "6");
  fa_stream_writer_close (w);
  assert_index_matches_files (store, root, "cam");
  fa_test_rm_rf (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/streamstore/mkv-roundtrip", test_mkv_roundtrip);
  g_test_add_func ("/streamstore/append-list-read", test_append_list_read);
  g_test_add_func ("/streamstore/numbers-never-reused", test_numbers_never_reused);
  g_test_add_func ("/streamstore/retention", test_retention);
  g_test_add_func ("/streamstore/quota", test_quota);
  g_test_add_func ("/streamstore/encryption", test_encryption);
  g_test_add_func ("/streamstore/repair", test_repair);
  return g_test_run ();
}
