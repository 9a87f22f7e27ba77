#!/bin/sh
# The model fetch script: copies from the mirror with a sha256 check, keeps
# intact files, refuses a corrupt copy, and names the file and URL when it
# cannot get a model. The URL used for failures is a closed local port.
set -eu
src=${FACEALERT_SOURCE_DIR:?run through meson test}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail () { echo "FAIL: $*" >&2; exit 1; }

# A one-model manifest whose "official" file is a small file we make.
mkdir -p "$tmp/mirror"
printf 'not really a model\n' > "$tmp/mirror/tiny.onnx"
sha=$(sha256sum "$tmp/mirror/tiny.onnx" | cut -d' ' -f1)
url=http://127.0.0.1:9/tiny.onnx
printf 'file,sha256,url,compression,licence,use\ntiny.onnx,%s,%s,none,MIT,test\n' "$sha" "$url" \
  > "$tmp/manifest.csv"
export FACEALERT_MODELS_MANIFEST="$tmp/manifest.csv"

# 1. From the mirror: installed, identical, private to nobody (0644 is fine for models).
FACEALERT_MODELS_MIRROR="$tmp/mirror" sh "$src/scripts/fetch-models.sh" "$tmp/dest" >/dev/null
cmp -s "$tmp/mirror/tiny.onnx" "$tmp/dest/tiny.onnx" || fail "mirror copy differs"

# 2. Idempotent: an intact file is kept even when the mirror is gone.
FACEALERT_MODELS_MIRROR="$tmp/nowhere" sh "$src/scripts/fetch-models.sh" "$tmp/dest" >/dev/null \
  || fail "an intact model was fetched again"

# 3. A corrupt mirror copy is refused and not installed.
mkdir -p "$tmp/bad"
printf 'tampered\n' > "$tmp/bad/tiny.onnx"
if FACEALERT_MODELS_MIRROR="$tmp/bad" sh "$src/scripts/fetch-models.sh" "$tmp/dest2" 2>"$tmp/err"; then
  fail "a corrupt model was accepted"
fi
grep -q "tiny.onnx.*wrong sha256" "$tmp/err" || fail "no sha256 error: $(cat "$tmp/err")"
[ ! -e "$tmp/dest2/tiny.onnx" ] || fail "the corrupt model was installed"

# 4. No mirror and the URL fails: the error names the file and the URL.
if FACEALERT_MODELS_MIRROR="$tmp/nowhere" sh "$src/scripts/fetch-models.sh" "$tmp/dest3" 2>"$tmp/err"; then
  fail "fetch succeeded without a source"
fi
grep -q "tiny.onnx" "$tmp/err" && grep -q "$url" "$tmp/err" \
  || fail "error does not name file and URL: $(cat "$tmp/err")"
[ -z "$(ls "$tmp/dest3" 2>/dev/null)" ] || fail "a partial file was left behind"
echo "fetch-models: all checks passed"
