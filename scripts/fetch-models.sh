#!/bin/sh
# fetch-models.sh [DEST_DIR]
# Puts the default face models (models/models.csv) into the models directory:
#   DEST_DIR, else $FACEALERT_MODELS_DIR, else ${XDG_DATA_HOME:-~/.local/share}/facealert/models
# Each file is copied from a local mirror ($FACEALERT_MODELS_MIRROR, default
# ../shared/models beside the checkout when it exists), else downloaded from its
# official URL; its sha256 is always checked. Files already present and intact
# are kept. Exits non-zero naming the file and URL when a model cannot be had.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-${FACEALERT_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/facealert/models}}
mirror=${FACEALERT_MODELS_MIRROR:-$root/../shared/models}
manifest=${FACEALERT_MODELS_MANIFEST:-$root/models/models.csv}
. "$root/scripts/fetch-lib.sh"

mkdir -p "$dest"
failed=0
# shellcheck disable=SC2034
while IFS=, read -r file sha url compression licence use; do
  [ "$file" = file ] && continue
  fetch_one "$dest/$file" "$sha" "$mirror/$file" "$url" "$compression" || failed=1
done < "$manifest"
[ "$failed" = 0 ] || exit 1
echo "models ready in $dest"
