# Shared by fetch-models.sh and fetch-testdata.sh (sourced, POSIX sh).
# fetch_one DEST SHA256 MIRROR_FILE URL COMPRESSION(none|bz2)

sha_ok () { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

fetch_one () {
  _dest=$1 _sha=$2 _mirror=$3 _url=$4 _comp=${5:-none}
  if sha_ok "$_dest" "$_sha"; then return 0; fi
  mkdir -p "$(dirname "$_dest")"
  _tmp="$_dest.part"
  rm -f "$_tmp"
  if [ -f "$_mirror" ]; then
    cp "$_mirror" "$_tmp"
    _how="mirror $_mirror"
  elif command -v curl >/dev/null 2>&1 \
      && curl -fsSL --retry 2 --connect-timeout 20 -o "$_tmp.dl" "$_url"; then
    case "$_comp" in
      bz2) bunzip2 -c "$_tmp.dl" > "$_tmp" && rm -f "$_tmp.dl" ;;
      *) mv "$_tmp.dl" "$_tmp" ;;
    esac
    _how="$_url"
  else
    rm -f "$_tmp" "$_tmp.dl"
    echo "fetch: cannot get $(basename "$_dest"): no mirror copy at $_mirror and download failed from $_url" >&2
    return 1
  fi
  if ! sha_ok "$_tmp" "$_sha"; then
    rm -f "$_tmp"
    echo "fetch: $(basename "$_dest") from $_how has the wrong sha256 (expected $_sha): not installed" >&2
    return 1
  fi
  chmod 0644 "$_tmp"
  mv "$_tmp" "$_dest"
}
