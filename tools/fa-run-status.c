/* facealert-run: per-camera status files. See fa-run-status.h. */
#include "fa-run-status.h"
#include "fa-paths.h"
#include "fa-stream-store.h"

#include <json-glib/json-glib.h>
#include <unistd.h>

gboolean
fa_run_status_write (const gchar *dir, const FaRunStatus *status, GError **error)
{
  /* The camera names a file: the stream name rule keeps it inside @dir. */
  if (!fa_stream_name_is_valid (status->camera, error)
      || !fa_paths_ensure_private_dir (dir, error))
    return FALSE;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "camera");
  json_builder_add_string_value (b, status->camera);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, status->state);
  json_builder_set_member_name (b, "buffers");
  json_builder_add_int_value (b, (gint64) status->buffers);
  json_builder_set_member_name (b, "dropped");
  json_builder_add_int_value (b, (gint64) status->dropped);
  json_builder_set_member_name (b, "restarts");
  json_builder_add_int_value (b, status->restarts);
  json_builder_set_member_name (b, "last_buffer_ms");
  json_builder_add_int_value (b, status->last_buffer_real_us / 1000);
  json_builder_set_member_name (b, "updated_ms");
  json_builder_add_int_value (b, g_get_real_time () / 1000);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, getpid ());
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree gchar *text = json_to_string (root, FALSE);
  g_autofree gchar *leaf = g_strconcat (status->camera, ".json", NULL);
  g_autofree gchar *path = g_build_filename (dir, leaf, NULL);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
      error);
}
