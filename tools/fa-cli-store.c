#include "fa-cli-store.h"

gchar *fa_cli_collections_dir = NULL;

FaCollectionStore *
fa_cli_open_store (gboolean create, GError **error)
{
  return fa_collection_store_open (fa_cli_collections_dir, create, 0, error);
}
