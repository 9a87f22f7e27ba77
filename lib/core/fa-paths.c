#include "fa-paths.h"
#include "fa-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#define CONFIG_BASE 2

typedef struct {
  const gchar *env;
  gint base;        /* under XDG_DATA_HOME (FALSE), XDG_STATE_HOME (TRUE) or
                     * XDG_CONFIG_HOME (CONFIG_BASE) */
  const gchar *leaf;
} DirSpec;

static const DirSpec dir_specs[] = {
  [FA_DIR_MODELS] = {"FACEALERT_MODELS_DIR", FALSE, "models"},
  [FA_DIR_COLLECTIONS] = {"FACEALERT_COLLECTIONS_DIR", FALSE, "collections"},
  [FA_DIR_STREAMS] = {"FACEALERT_STREAMS_DIR", FALSE, "streams"},
  [FA_DIR_SNAPSHOTS] = {"FACEALERT_SNAPSHOTS_DIR", FALSE, "snapshots"},
  [FA_DIR_OUTBOX] = {"FACEALERT_OUTBOX_DIR", TRUE, "outbox"},
  [FA_DIR_STATE] = {"FACEALERT_STATE_DIR", TRUE, NULL},
  [FA_DIR_CHECKPOINTS] = {"FACEALERT_CHECKPOINTS_DIR", TRUE, "checkpoints"},
  [FA_DIR_CAMERAS] = {"FACEALERT_CAMERAS_DIR", TRUE, "cameras"},
  [FA_DIR_CONFIG] = {"FACEALERT_CONFIG_DIR", CONFIG_BASE, NULL},
  [FA_DIR_SIGHTINGS] = {"FACEALERT_SIGHTINGS_DIR", FALSE, "sightings"},
};

static gchar *
state_home (void)
{
  /* GLib 2.74 has no g_get_user_state_dir (2.72 added it, but honour the
   * variable directly so behaviour does not depend on GLib's caching). */
  const gchar *env = g_getenv ("XDG_STATE_HOME");
  if (env != NULL && g_path_is_absolute (env))
    return g_strdup (env);
  return g_build_filename (g_get_home_dir (), ".local", "state", NULL);
}

static gchar *
data_home (void)
{
  const gchar *env = g_getenv ("XDG_DATA_HOME");
  if (env != NULL && g_path_is_absolute (env))
    return g_strdup (env);
  return g_build_filename (g_get_home_dir (), ".local", "share", NULL);
}

gchar *
fa_paths_dir (FaDirKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (dir_specs), NULL);
  const DirSpec *spec = &dir_specs[kind];
  const gchar *env = g_getenv (spec->env);
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  g_autofree gchar *base = spec->base == CONFIG_BASE
      ? g_strdup (g_get_user_config_dir ())
      : spec->base ? state_home () : data_home ();
  return g_build_filename (base, "facealert", spec->leaf, NULL);
}

gchar *
fa_paths_model (const gchar *file_name)
{
  g_autofree gchar *dir = fa_paths_dir (FA_DIR_MODELS);
  return g_build_filename (dir, file_name, NULL);
}

gboolean
fa_paths_ensure_private_dir (const gchar *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0) {
    int saved = errno;
    g_set_error (error, FA_ERROR, FA_ERROR_IO,
        "cannot create directory %s: %s (check the parent's permissions)",
        path, g_strerror (saved));
    return FALSE;
  }
  /* g_mkdir_with_parents leaves an existing directory's mode alone; tighten it. */
  g_chmod (path, 0700);
  return TRUE;
}

gboolean
fa_paths_create_private_file (const gchar *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    (void) fchmod (fd, 0600);   /* whatever the umask */
    close (fd);
    return TRUE;
  }
  int saved = errno;
  if (saved != EEXIST) {
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot create %s: %s", path,
        g_strerror (saved));
    return FALSE;
  }
  /* There already, perhaps open in SQLite connections of this process: by
   * name only (see the header). */
  if (g_access (path, R_OK | W_OK) != 0) {
    saved = errno;
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot write %s: %s", path,
        g_strerror (saved));
    return FALSE;
  }
  (void) g_chmod (path, 0600);
  return TRUE;
}

int
fa_paths_lock_exclusive (const gchar *lock_path, GError **error)
{
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot create lock file %s: %s",
        lock_path, g_strerror (saved));
    return -1;
  }
  (void) fchmod (fd, 0600);
  if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    close (fd);
    if (saved == EWOULDBLOCK)
      g_set_error (error, FA_ERROR, FA_ERROR_BUSY, "%s is held by another process",
          lock_path);
    else
      g_set_error (error, FA_ERROR, FA_ERROR_IO, "cannot lock %s: %s", lock_path,
          g_strerror (saved));
    return -1;
  }
  return fd;
}

int
fa_paths_take_private_file (const gchar *path, GError **error,
    const gchar *busy_format, ...)
{
  g_autofree gchar *dir = g_path_get_dirname (path);
  if (!fa_paths_ensure_private_dir (dir, error)
      || !fa_paths_create_private_file (path, error))
    return -1;
  g_autofree gchar *lock_path = g_strconcat (path, ".lock", NULL);
  GError *local = NULL;
  int fd = fa_paths_lock_exclusive (lock_path, &local);
  if (fd >= 0)
    return fd;
  if (g_error_matches (local, FA_ERROR, FA_ERROR_BUSY)) {
    va_list args;
    va_start (args, busy_format);
    g_autofree gchar *message = g_strdup_vprintf (busy_format, args);
    va_end (args);
    g_set_error_literal (error, FA_ERROR, FA_ERROR_BUSY, message);
    g_error_free (local);
  } else {
    g_propagate_error (error, local);
  }
  return -1;
}
