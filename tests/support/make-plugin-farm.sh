#!/bin/sh
# make-plugin-farm.sh SYSTEM_PLUGIN_DIR OUT_DIR
# Links every system GStreamer plugin into OUT_DIR except the ones whose
# element names clash with ours (gst-plugins-bad opencv: `facedetect`).
set -eu
src=$1 out=$2
rm -rf "$out"
mkdir -p "$out"
for f in "$src"/*.so; do
  case "$(basename "$f")" in
    libgstopencv.so) ;;
    *) ln -s "$f" "$out/" ;;
  esac
done
