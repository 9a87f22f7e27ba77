/* facealert: default locations of models and data, with environment overrides.
 *
 * Every default follows the XDG base directory spec and can be overridden:
 *   models       $FACEALERT_MODELS_DIR       else $XDG_DATA_HOME/facealert/models
 *   collections  $FACEALERT_COLLECTIONS_DIR  else $XDG_DATA_HOME/facealert/collections
 *   streams      $FACEALERT_STREAMS_DIR      else $XDG_DATA_HOME/facealert/streams
 *   snapshots    $FACEALERT_SNAPSHOTS_DIR    else $XDG_DATA_HOME/facealert/snapshots
 *   outbox       $FACEALERT_OUTBOX_DIR       else $XDG_STATE_HOME/facealert/outbox
 *   state        $FACEALERT_STATE_DIR        else $XDG_STATE_HOME/facealert
 *                (the household's mode and alert switches)
 *   checkpoints  $FACEALERT_CHECKPOINTS_DIR  else $XDG_STATE_HOME/facealert/checkpoints
 *                (`facealert consume`'s position in each stream)
 *   cameras      $FACEALERT_CAMERAS_DIR      else $XDG_STATE_HOME/facealert/cameras
 *                (facealert-run's per-camera status files)
 *   config       $FACEALERT_CONFIG_DIR       else $XDG_CONFIG_HOME/facealert
 *                (the server's API key pair and page password)
 *   sightings    $FACEALERT_SIGHTINGS_DIR    else $XDG_DATA_HOME/facealert/sightings
 * ($XDG_DATA_HOME defaults to ~/.local/share, $XDG_STATE_HOME to ~/.local/state,
 * $XDG_CONFIG_HOME to ~/.config.)
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FA_DIR_MODELS,
  FA_DIR_COLLECTIONS,
  FA_DIR_STREAMS,
  FA_DIR_SNAPSHOTS,
  FA_DIR_OUTBOX,
  FA_DIR_STATE,
  FA_DIR_CHECKPOINTS,
  FA_DIR_CAMERAS,
  FA_DIR_CONFIG,
  FA_DIR_SIGHTINGS,
} FaDirKind;

/* Returns a newly allocated path; never NULL. Does not create it. */
gchar *fa_paths_dir (FaDirKind kind);

/* Path of @file_name inside the models directory. */
gchar *fa_paths_model (const gchar *file_name);

/* Creates @path and its parents with mode 0700 (private to the owner). */
gboolean fa_paths_ensure_private_dir (const gchar *path, GError **error);

/* Creates @path (when missing) with mode 0600 and tightens an existing
 * file's mode to 0600, so a database or key is private from its first byte
 * (SQLite gives its -wal and -shm files the main file's mode). An existing
 * file is never opened: closing a descriptor of a SQLite file drops the POSIX
 * locks every connection of this process holds on it. FA_ERROR_IO names the
 * file (also one we may not read and write). Its directory must exist. */
gboolean fa_paths_create_private_file (const gchar *path, GError **error);

/* Takes an exclusive flock() on @lock_path (created 0600) without waiting:
 * one owner at a time for an outbox, a stream recorder, ... (a separate lock
 * file, because closing any descriptor of a SQLite file drops SQLite's own
 * POSIX locks). Returns the descriptor to keep open (close() releases it),
 * or -1 with FA_ERROR_BUSY when another process holds it (the caller says
 * which) or FA_ERROR_IO. */
int fa_paths_lock_exclusive (const gchar *lock_path, GError **error);

/* Makes @path ready for its one owner (an outbox, checkpoints): its directory
 * 0700, the file 0600, and the flock() on @path.lock, as above. Returns the
 * lock's descriptor, or -1: FA_ERROR_BUSY with the message @busy_format says
 * (whose pipeline or consumer to change) when another process owns it. */
int fa_paths_take_private_file (const gchar *path, GError **error,
    const gchar *busy_format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
