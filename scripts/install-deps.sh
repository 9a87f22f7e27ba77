#!/bin/sh
# Installs the Debian 12 packages facealert needs to build, test and run its demo.
# Idempotent: apt-get skips what is already installed. Run as root (or with sudo).
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600"

PACKAGES="
  build-essential g++ meson ninja-build pkg-config ca-certificates curl bzip2 xz-utils
  libglib2.0-dev libjson-glib-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev uuid-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libgstrtspserver-1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x
  gstreamer1.0-opencv opencv-data
  libopencv-dev libpng-dev libdlib-dev libdlib-data libopenblas-dev liblapack-dev
  libmosquitto-dev mosquitto mosquitto-clients libsoup-3.0-dev
  awscli python3-boto3 ffmpeg chromium chromium-driver
"

$APT update
# shellcheck disable=SC2086
$APT install --no-install-recommends $PACKAGES
# Node.js runs the local SNS-compatible test server; keep a Node the machine already has.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  $APT install --no-install-recommends nodejs npm
fi
