#include "fa-kds-world.h"
#include "fa-test.h"

void
fa_kds_world_init (const gchar *tmp)
{
  const gchar *dirs[][2] = { { "FACEALERT_COLLECTIONS_DIR", "collections" },
    { "FACEALERT_OUTBOX_DIR", "outbox" }, { "FACEALERT_CHECKPOINTS_DIR", "checkpoints" },
    { "FACEALERT_STREAMS_DIR", "streams" } };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++) {
    g_autofree gchar *d = g_build_filename (tmp, dirs[i][1], NULL);
    g_setenv (dirs[i][0], d, TRUE);
  }
  g_setenv ("AWS_ACCESS_KEY_ID", "AKIDLOCALTEST", TRUE);
  g_setenv ("AWS_SECRET_ACCESS_KEY", "local-test-placeholder", TRUE);
  g_unsetenv ("AWS_SESSION_TOKEN");
  g_unsetenv ("AWS_PROFILE");

  g_autofree gchar *lennon = fa_test_data_path ("people/John_Lennon/2.jpg");
  const gchar *create[] = { "facealert", "collection", "create", "--collection-id",
    "home", NULL };
  g_assert_cmpint (fa_test_run_argv (create, NULL, NULL), ==, 0);
  const gchar *index[] = { "facealert", "faces", "index", "--collection", "home",
    "--name", "John_Lennon", lennon, NULL };
  g_assert_cmpint (fa_test_run_argv (index, NULL, NULL), ==, 0);
}

gchar *
fa_kds_world_node_pipeline (const gchar *tmp, const gchar *name, const guint *cams,
    guint wide, const gchar *kdssink_options)
{
  GString *text = g_string_new ("# a producer node of a Kinesis test\n");
  for (guint i = 0, c; (c = cams[i]) != 0; i++)
    g_string_append_printf (text, "[cam%u]\n"
        "rtspsrc location=${CAM%u_URL} protocols=tcp latency=200 ! rtph264depay\n"
        "  ! h264parse ! avdec_h264 ! videoconvert\n"
        "  ! queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0\n"
        "  ! facedetect method=yunet detect-width=%u interval=2 post-messages=false\n"
        "  ! facematch collection=home post-messages=false\n"
        "  ! kdssink stream-name=${KDS_STREAM} endpoint=${KDS_ENDPOINT} camera=${CAMERA}\n"
        "      %s\n", c, c, c == wide ? 640 : 320, kdssink_options);
  gchar *path = g_build_filename (tmp, name, NULL);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  g_string_free (text, TRUE);
  return path;
}
