/* facealert CLI: the collections location shared by `collection` and `faces`. */
#pragma once

#include <glib.h>

#include "fa-collection.h"

G_BEGIN_DECLS

/* Set by --collections-dir (else $FACEALERT_COLLECTIONS_DIR, else the XDG
 * default: ~/.local/share/facealert/collections). */
extern gchar *fa_cli_collections_dir;

#define FA_CLI_COLLECTIONS_DIR_ENTRY \
  { "collections-dir", 0, 0, G_OPTION_ARG_FILENAME, &fa_cli_collections_dir, \
    "Where collections are stored (default: $FACEALERT_COLLECTIONS_DIR or " \
    "~/.local/share/facealert/collections)", "DIR" }

/* Opens the store; @create for verbs that may create the database. */
FaCollectionStore *fa_cli_open_store (gboolean create, GError **error);

G_END_DECLS
