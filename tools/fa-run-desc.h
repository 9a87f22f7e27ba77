/* fa-run: pipeline description files.
 *
 * A description file holds one gst-launch description per camera:
 *
 *   # comment lines start with '#'
 *   [cam1]
 *   rtspsrc location=${CAM1_URL} protocols=tcp ! rtph264depay ! h264parse
 *     ! avdec_h264 ! fakesink
 *   [cam2]
 *   ...
 *
 * The lines of a section are joined with spaces. Text before the first
 * [NAME] header forms one section named after the file.
 *
 * A camera template: a header with several names, separated by commas or
 * spaces, is one section written once and instantiated per camera:
 *
 *   [${CAMERAS:-cam1,cam2,cam3}]
 *   rtspsrc location=${URL} ... ! kvssink stream-name=${CAMERA} ...
 *
 * gives cam1, cam2 and cam3 (or the cameras CAMERAS lists). Variables in a
 * header are expanded first (not ${CAMERA}).
 *
 * Variables: ${VAR} is replaced with the environment variable VAR (an error
 * when unset), ${VAR:-default} with VAR or, when unset or empty, the
 * default; ${CAMERA} is the section's camera name; $$ is a literal $. In a
 * camera's section, ${VAR} is first looked up as CAM_VAR, CAM being the
 * camera name in upper case with every other character than a letter or
 * digit as '_' (cam1: CAM1_VAR, front-door: FRONT_DOOR_VAR): ${URL} is
 * CAM1_URL for cam1, and CAM3_ALERT_ON=unknown overrides ${ALERT_ON} for cam3
 * only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gchar *name;          // section name, e.g. "cam1"
  gchar *description;   // expanded gst-launch description
  guint line;           // line of the section header (or first line)
} FaRunSection;

/* Loads and expands @path. Returns a GPtrArray of FaRunSection (owning), or
 * NULL with a one-line message "FILE:LINE: what is wrong" in @error. */
GPtrArray *fa_run_desc_load (const gchar *path, GError **error);

/* Expands ${...} in @text for section @camera (NULL: a header, where
 * ${CAMERA} is refused and no CAM_ lookup is made); @where prefixes
 * messages. */
gchar *fa_run_desc_expand (const gchar *text, const gchar *camera,
    const gchar *where, GError **error);

G_END_DECLS
