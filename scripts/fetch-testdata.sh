#!/bin/sh
# fetch-testdata.sh [DEST_DIR]
# Puts the test data listed in tests/testdata.csv into DEST_DIR (default:
# $FACEALERT_TESTDATA, else tests/data in the checkout). Each file is copied
# from a local mirror ($FACEALERT_TESTDATA_MIRROR, default ../shared/testdata
# beside the checkout when it exists), else downloaded from its source
# repository at the pinned commit; its sha256 is always checked.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-${FACEALERT_TESTDATA:-$root/tests/data}}
mirror=${FACEALERT_TESTDATA_MIRROR:-$root/../shared/testdata}
. "$root/scripts/fetch-lib.sh"

# Fast path: everything already in place (one sha256sum for all files).
if [ -d "$dest" ] && awk -F, 'NR > 1 { print $5 "  " $1 }' "$root/tests/testdata.csv" \
    | (cd "$dest" && sha256sum --quiet -c - >/dev/null 2>&1); then
  echo "test data ready in $dest"
  exit 0
fi

failed=0
while IFS=, read -r file repo commit path sha; do
  [ "$file" = file ] && continue
  # Some source paths hold spaces (people_more's Glint360K folders).
  url="https://raw.githubusercontent.com/$repo/$commit/$(printf %s "$path" | sed 's/ /%20/g')"
  fetch_one "$dest/$file" "$sha" "$mirror/$file" "$url" none || failed=1
done < "$root/tests/testdata.csv"
[ "$failed" = 0 ] || exit 1
echo "test data ready in $dest"
