#!/bin/sh
# demo.sh [BUILD_DIR]: the main job until the three-camera demo exists.
# Runs facedetect on the test video (tests/data/videos/moviepy_chaplin.mp4)
# with the build's plugin and prints, per frame, the faces it finds (from the
# element's "facedetect" messages), then a summary.
#   FACEDETECT_PROPS   extra element properties, e.g. "detect-width=640 method=hog"
#   FACEALERT_DEMO_VIDEO   another H.264 MP4 file to run on
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
video=${FACEALERT_DEMO_VIDEO:-$root/tests/data/videos/moviepy_chaplin.mp4}
props=${FACEDETECT_PROPS:-}

if [ ! -f "$build/plugins/libgstfacealert.so" ]; then
  echo "demo: no plugin in $build/plugins: build first (./run build)" >&2
  exit 1
fi
if [ ! -f "$video" ]; then
  echo "demo: $video missing: run sh scripts/fetch-testdata.sh" >&2
  exit 1
fi
FA_ENV_SCRIPT="$root/scripts/gst-env.sh"
. "$root/scripts/gst-env.sh" "$build"

echo "facedetect${props:+ $props} on $(basename "$video")"
# gst-launch-1.0 -m prints each element message; keep facedetect's.
# shellcheck disable=SC2086
gst-launch-1.0 -m filesrc location="$video" ! qtdemux ! h264parse ! avdec_h264 ! \
    videoconvert ! facedetect $props ! fakesink 2>&1 | awk '
  /: facedetect, timestamp=/ {
    line = $0
    gsub(/\\/, "", line)
    match(line, /timestamp=\(guint64\)[0-9]+/)
    ts = substr(line, RSTART + 19, RLENGTH - 19) / 1e9
    frames++
    out = ""; n = 0
    while (match(line, /"face, x=\(uint\)[0-9]+, y=\(uint\)[0-9]+, width=\(uint\)[0-9]+, height=\(uint\)[0-9]+, score=\(double\)[0-9.e-]+/)) {
      f = substr(line, RSTART, RLENGTH)
      line = substr(line, RSTART + RLENGTH)
      gsub(/"face, |\((uint|double)\)/, "", f)
      nkv = split(f, kv, ", ")
      for (i = 1; i <= nkv; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
      out = out sprintf("  [%d,%d %dx%d score %.2f]", v["x"], v["y"], v["width"], v["height"], v["score"])
      n++
    }
    if (n > 0) { printf "%7.2fs %d face%s%s\n", ts, n, (n > 1 ? "s" : " "), out; with++; total += n }
    next
  }
  /ERROR|WARNING/ { print > "/dev/stderr"; err = 1 }
  END {
    printf "%d frames, %d with faces, %d faces in all\n", frames, with, total
    if (frames == 0 || err) exit 1
  }'
echo "(yunet's default detect-width=320 often misses faces under ~40 px in a 640-wide"
echo " frame, as in this film; FACEDETECT_PROPS=detect-width=640 finds them at ~4x the CPU)"
