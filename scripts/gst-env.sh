#!/bin/sh
# Source this to run GStreamer with facealert's plugin and an isolated registry:
#   . scripts/gst-env.sh [BUILD_DIR]
# The system plugins stay available except gst-plugins-bad's opencv plugin,
# whose `facedetect` element has the same name as ours and would shadow it.
_fa_root=$(cd "$(dirname "${FA_ENV_SCRIPT:-$0}")/.." 2>/dev/null && pwd)
[ -f "$_fa_root/meson.build" ] || _fa_root=$(pwd)
_fa_build=${1:-${FACEALERT_BUILD_DIR:-$_fa_root/build}}
# `.` passes the caller's own arguments when given none: a script sourcing
# this with a pipeline as its $1 must not get a registry in a folder named so.
if [ ! -d "$_fa_build" ]; then
  echo "gst-env.sh: build directory \"$_fa_build\" does not exist (run ./run build, or pass BUILD_DIR)" >&2
  unset _fa_root _fa_build
  return 1 2>/dev/null || exit 1
fi
_fa_sys=$(pkg-config --variable=pluginsdir gstreamer-1.0 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/gstreamer-1.0)
_fa_farm="$_fa_build/gst-system-plugins"
if [ ! -d "$_fa_farm" ] || [ "$_fa_sys" -nt "$_fa_farm" ]; then
  sh "$_fa_root/tests/support/make-plugin-farm.sh" "$_fa_sys" "$_fa_farm"
fi
export GST_PLUGIN_SYSTEM_PATH_1_0="$_fa_farm"
export GST_PLUGIN_PATH_1_0="$_fa_build/plugins"
export GST_REGISTRY_1_0="$_fa_build/gst-registry.bin"
export PATH="$_fa_build/tools:$PATH"
unset _fa_root _fa_build _fa_sys _fa_farm
