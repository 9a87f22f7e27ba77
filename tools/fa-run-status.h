/* facealert-run: one small status file per camera, DIR/NAME.json, so
 * `facealert serve` (and anyone) can show whether a camera is flowing. NAME
 * is the camera's kvssink stream-name (the name its recordings and alerts
 * carry), else its section name:
 *
 *   {"camera": "cam1", "state": "flowing", "buffers": 1234, "dropped": 3,
 *    "restarts": 0, "last_buffer_ms": 1714564800123, "updated_ms": ..., "pid": 42}
 *
 * state is starting, flowing, waiting (to restart), finished or stopped;
 * times are Unix epoch milliseconds (last_buffer_ms 0: none yet); dropped
 * counts frames the analysis skipped (leaky queues). The file is replaced
 * atomically, 0600 in a 0700 directory (fa_paths_dir (FA_DIR_CAMERAS) by
 * default). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const gchar *camera;
  const gchar *state;
  guint64 buffers, dropped;
  guint restarts;
  gint64 last_buffer_real_us;   /* 0: none yet */
} FaRunStatus;

gboolean fa_run_status_write (const gchar *dir, const FaRunStatus *status,
    GError **error);

G_END_DECLS
