/* facealert: default locations of models and data, with environment overrides.
 *
 * Every default follows the XDG base directory spec and can be overridden:
 *   models       $FACEALERT_MODELS_DIR       else $XDG_DATA_HOME/facealert/models
 *   collections  $FACEALERT_COLLECTIONS_DIR  else $XDG_DATA_HOME/facealert/collections
 *   streams      $FACEALERT_STREAMS_DIR      else $XDG_DATA_HOME/facealert/streams
 *   snapshots    $FACEALERT_SNAPSHOTS_DIR    else $XDG_DATA_HOME/facealert/snapshots
 *   outbox       $FACEALERT_OUTBOX_DIR       else $XDG_STATE_HOME/facealert/outbox
 * ($XDG_DATA_HOME defaults to ~/.local/share, $XDG_STATE_HOME to ~/.local/state.)
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
} FaDirKind;

/* Returns a newly allocated path; never NULL. Does not create it. */
gchar *fa_paths_dir (FaDirKind kind);

/* Path of @file_name inside the models directory. */
gchar *fa_paths_model (const gchar *file_name);

/* Creates @path and its parents with mode 0700 (private to the owner). */
gboolean fa_paths_ensure_private_dir (const gchar *path, GError **error);

G_END_DECLS
