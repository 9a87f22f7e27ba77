#!/bin/sh
# camsim-cpu.sh: CPU and RSS of fa-camsim serving three 640x480 15 fps
# cameras to three RTSP clients (rtspsrc ! rtph264depay ! fakesink, in other
# processes) for 20 s, from /proc/PID/stat. Baseline in the same run: a
# gst-launch that only depayloads one camera (the clients' own cost), so the
# ratio says how the server compares with its cheapest client.
# Run: meson test -C build --benchmark camsim-cpu (or sh tests/bench/camsim-cpu.sh BUILD_DIR)
set -eu
build=${1:-${FACEALERT_BUILD_DIR:?}}
secs=${CAMSIM_BENCH_SECONDS:-20}
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

"$build/tools/fa-camsim" --port 0 --cache-dir "$build/camsim-cache" \
  cam1=scene:household cam2=scene:stranger cam3=scene:cat > "$tmp/sim.out" 2>&1 < /dev/null &
sim=$!; pids="$sim"
i=0
until grep -q '^READY ' "$tmp/sim.out"; do
  i=$((i + 1)); [ $i -lt 600 ] || { echo "camsim did not start" >&2; exit 1; }
  sleep 0.2
done
for u in $(sed -n 's/^READY //p' "$tmp/sim.out"); do
  gst-launch-1.0 -q rtspsrc location="$u" protocols=tcp ! rtph264depay ! fakesink > /dev/null 2>&1 &
  pids="$pids $!"; client=$!
done
sleep 3
ticks () { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)
s0=$(ticks $sim); c0=$(ticks $client); t0=$(date +%s.%N)
sleep "$secs"
s1=$(ticks $sim); c1=$(ticks $client); t1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$sim/status")
awk -v s="$((s1 - s0))" -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" -v tck="$tck" -v rss="$rss" 'BEGIN {
  wall = t1 - t0; sim = s / tck / wall * 100; cli = c / tck / wall * 100;
  printf "fa-camsim, 3 cameras 640x480 15 fps, 3 clients, %.0f s: CPU %.1f %% of one core, RSS %d MB\n", wall, sim, rss / 1024;
  printf "baseline (one depayloading client): CPU %.1f %% of one core; ratio camsim/client %.2f\n", cli, (cli > 0 ? sim / cli : 0);
}'
