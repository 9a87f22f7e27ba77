#!/bin/sh
# bench-cameras.sh [BUILD_DIR]: the household's cameras through the full
# pipeline (pipelines/three-cameras.pipeline under facealert-run, its camera
# template for CAMERAS=cam1..camN: objectdetect ! facedetect ! facematch !
# alertsink, and kvssink), 640x480 15 fps H.264 from fa-camsim (household /
# stranger / cat, repeated), alerts to the local SNS server
# (tests/support/sns-fixture.mjs).
#
# Prints, per run:
#   cores    CPU time / wall time of facealert-run (utime+stime from
#            /proc/PID/stat, over the measured window after all cameras flow)
#   rss      peak RSS (VmHWM from /proc/PID/status)
#   dropped  frames the analysis skipped (facealert-run's leaky-queue count)
#            against the frames the cameras sent (fps x seconds)
#   recording  access units into each camera's tee against those into its
#            kvssink (facealert-run's received= / recorded=): "lost 0" when
#            the recording kept every frame it received
#   detections  objectdetect's detections per camera per second over the
#            whole run (facealert-run's detections=): with background
#            detection, what each camera still got when the cores were short
#   latency  alert latency: camsim's "EVENT camN enter" (the frame with the
#            subject wholly in view, CLOCK_REALTIME when sent) to the HTTP
#            subscriber receiving the SNS delivery (Date.now(), CLOCK_REALTIME),
#            p50/p95; "from walk-in" adds the walk-in before that frame (the
#            first frame any of the photo is in view): an upper bound.
# Baselines in the same run: the same cameras recorded and decoded with no
# analysis (facedetect ! facematch ! alertsink replaced by fakesink), so
# "x baseline" is what face analysis costs on top of receiving, recording
# and decoding. Then N = 6, 8, 10, ... cameras until frames drop (> 1 %) or
# CPU saturates (> 90 % of the machine): the largest N that held is printed.
# Frames dropped by the analysis depend on what else the machine runs: each
# run prints the load average, judge "real time" against it.
#
# Run: meson test -C build --benchmark cameras -v
#  or: sh tests/bench/bench-cameras.sh build
# BENCH_SECONDS (default 45) main run length; BENCH_SCALE_SECONDS (default 25);
# BENCH_MAX_CAMERAS (default 24). The pipeline's variables pass through
# (OBJECT_METHOD, OBJECT_INTERVAL, DETECT_WIDTH, ...), to compare settings;
# BENCH_PIPELINE (default pipelines/three-cameras.pipeline) another camera
# template to measure, e.g. the same without objectdetect; BENCH_KEEP_GOING=1
# measures every N up to BENCH_MAX_CAMERAS even after one did not hold (CPU
# and RSS figures on a loaded machine); BENCH_LOG_DIR=DIR keeps each run's
# facealert-run output there (run-N-MODE.log: what facematch decided), with
# the simulator's events (sim-N-MODE.log) and the SNS deliveries
# (deliveries-N-MODE.log) the latencies come from.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${FACEALERT_BUILD_DIR:-$root/build}}" && pwd)
secs=${BENCH_SECONDS:-45}
scale_secs=${BENCH_SCALE_SECONDS:-25}
max_cams=${BENCH_MAX_CAMERAS:-24}
pipeline=${BENCH_PIPELINE:-$root/pipelines/three-cameras.pipeline}
data=${FACEALERT_TESTDATA:-$root/tests/data}
servers=${FACEALERT_TEST_SERVERS:-$root/.test-servers}
ncpu=$(getconf _NPROCESSORS_ONLN)
tck=$(getconf CLK_TCK)

FA_ENV_SCRIPT="$root/scripts/gst-env.sh" . "$root/scripts/gst-env.sh" "$build"
[ -f "$servers/node_modules/serverless-offline-sns/package.json" ] ||
  { echo "bench-cameras: run sh scripts/install-test-servers.sh first" >&2; exit 77; }

tmp=$(mktemp -d)
[ -z "${BENCH_LOG_DIR:-}" ] || mkdir -p "$BENCH_LOG_DIR"
pids=""
cleanup () {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for () {   # FILE PATTERN SECONDS
  i=0
  until grep -q "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt $(($3 * 10)) ] || { echo "bench-cameras: timed out waiting for $2 in $1" >&2; grep -m3 ': stopped: ' "$1" >&2; tail -3 "$1" >&2; exit 1; }
    sleep 0.1
  done
}

export FACEALERT_COLLECTIONS_DIR="$tmp/collections"
export AWS_ACCESS_KEY_ID=AKIDLOCALBENCH AWS_SECRET_ACCESS_KEY=local-bench-placeholder
unset AWS_SESSION_TOKEN AWS_PROFILE
export COLLECTION=home ALERT_COOLDOWN=5
facealert collection create --collection-id home > /dev/null
facealert faces index --collection home --name John_Lennon "$data/people/John_Lennon/2.jpg" > /dev/null

mkfifo "$tmp/sns.in"
node "$root/tests/support/sns-fixture.mjs" "$servers" --print-deliveries \
  < "$tmp/sns.in" > "$tmp/sns.out" 2> "$tmp/sns.err" &
pids="$pids $!"
exec 3> "$tmp/sns.in"
wait_for "$tmp/sns.out" '^{' 30
info=$(head -1 "$tmp/sns.out")
SNS_ENDPOINT=$(printf '%s' "$info" | node -e 'process.stdin.on("data", d => process.stdout.write(JSON.parse(d).endpoint))')
TOPIC_ARN=$(printf '%s' "$info" | node -e 'process.stdin.on("data", d => process.stdout.write(JSON.parse(d).topic))')
export SNS_ENDPOINT TOPIC_ARN

# The real pipeline for N cameras: its camera template, CAMERAS=cam1..camN.
# $2 = "base": the analysis (objectdetect ! ... ! alertsink) replaced by a
# fakesink.
make_pipeline () {
  CAMERAS=$(awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "%scam%d", (i > 1 ? "," : ""), i }')
  export CAMERAS
  if [ "$2" = base ]; then
    awk '/^\[/ { on = 1 } on && !/^#/' "$pipeline" |
      sed -e '/! \(objectdetect\|facedetect\)/,$d' > "$tmp/n.pipeline"
    echo "  ! fakesink sync=false" >> "$tmp/n.pipeline"
  else
    cp "$pipeline" "$tmp/n.pipeline"
  fi
}

# SIGTERM, then SIGKILL after 5 s (fa-camsim serving 18 cameras was once seen
# hanging in poll() after SIGTERM).
stop_pid () {
  kill "$1" 2>/dev/null || true
  i=0
  while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

ticks () { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# stat_sums FIELD...: each FIELD= summed over the cameras' last stats lines
# (facealert-run's "stats CAM ... state=finished"), 0 when absent.
stat_sums () {
  awk -v fields="$*" '
    BEGIN { n = split(fields, name, " ") }
    /stats cam[0-9]+ .*state=finished/ {
      for (i = 1; i <= NF; i++)
        for (k = 1; k <= n; k++)
          if (index($i, name[k] "=") == 1) sum[k] += substr($i, length(name[k]) + 2)
    }
    END { for (k = 1; k <= n; k++) printf "%s%d", (k > 1 ? " " : ""), sum[k] + 0; print "" }' "$tmp/run.out"
}

# run N MODE SECONDS: serves N cameras, runs the pipeline, sets
# cores, rss_mb, dropped, frames, lat (one line of figures).
run () {
  n=$1 mode=$2 dur=$3
  args="" i=1
  while [ $i -le "$n" ]; do
    case $((i % 3)) in 1) s=household ;; 2) s=stranger ;; 0) s=cat ;; esac
    args="$args cam$i=scene:$s"; i=$((i + 1))
  done
  # A fresh file: the redirection below may happen after wait_for looks, and
  # the last run's READY line must not be taken for this one's.
  rm -f "$tmp/sim.out" "$tmp/run.out"
  # shellcheck disable=SC2086
  fa-camsim --port 0 --cache-dir "$build/camsim-cache" $args > "$tmp/sim.out" 2>&1 < /dev/null &
  sim=$!; pids="$pids $sim"
  wait_for "$tmp/sim.out" '^READY ' 120
  i=1
  for u in $(sed -n 's/^READY //p' "$tmp/sim.out"); do export "CAM${i}_URL=$u"; i=$((i + 1)); done
  make_pipeline "$n" "$mode"
  export FACEALERT_STREAMS_DIR="$tmp/streams-$n-$mode" FACEALERT_SNAPSHOTS_DIR="$tmp/snap-$n-$mode"
  export FACEALERT_OUTBOX_DIR="$tmp/outbox-$n-$mode"
  sns_from=$(wc -l < "$tmp/sns.out")
  facealert-run --stats 600 --duration $((dur + 8)) "$tmp/n.pipeline" > "$tmp/run.out" 2>&1 &
  run=$!; pids="$pids $run"
  i=1
  while [ $i -le "$n" ]; do wait_for "$tmp/run.out" "cam$i: flowing" 60; i=$((i + 1)); done
  sleep 2
  c0=$(ticks $run); t0=$(date +%s.%N)
  sleep "$dur"
  c1=$(ticks $run); t1=$(date +%s.%N)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$run/status")
  wait $run || { echo "bench-cameras: facealert-run failed:" >&2; tail -5 "$tmp/run.out" >&2; exit 1; }
  [ -z "${BENCH_LOG_DIR:-}" ] || cp "$tmp/run.out" "$BENCH_LOG_DIR/run-$n-$mode.log"
  stop_pid $sim
  read dropped buffers received recorded detections <<EOF
$(stat_sums dropped buffers received recorded detections)
EOF
  # Each frame reaches two sinks (recording, analysis) unless the analysis dropped it.
  frames=$(((buffers + dropped) / 2))
  restarts=$(grep -c ': stopped: ' "$tmp/run.out" || true)
  tail -n +$((sns_from + 1)) "$tmp/sns.out" > "$tmp/deliv"
  if [ -n "${BENCH_LOG_DIR:-}" ]; then
    cp "$tmp/sim.out" "$BENCH_LOG_DIR/sim-$n-$mode.log"
    cp "$tmp/deliv" "$BENCH_LOG_DIR/deliveries-$n-$mode.log"
  fi
  lat=$(node -e '
    const fs = require("fs");
    const ev = {}, enterFrame = {}, fps = {};
    for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
      let m = l.match(/^CAMERA (\S+) .* fps=(\d+) enter_frame=(\d+)/);
      if (m) { fps[m[1]] = +m[2]; enterFrame[m[1]] = +m[3]; }
      m = l.match(/^EVENT (\S+) enter appearance=\d+ time_us=(\d+)/);
      if (m) (ev[m[1]] = ev[m[1]] || []).push(+m[2] / 1000);
    }
    const a = [], b = [];
    let other = 0;
    for (const l of fs.readFileSync(process.argv[2], "utf8").split("\n")) {
      if (!l.startsWith("DELIVERY ")) continue;
      const d = JSON.parse(l.slice(9));
      const p = JSON.parse(JSON.parse(d.body.Message).http);
      const t = (ev[p.camera] || []).filter((e) => e - 1500 <= d.received_ms).pop();
      if (t === undefined) { other++; continue; }
      a.push(d.received_ms - t);
      b.push(d.received_ms - t + (enterFrame[p.camera] - 3 * fps[p.camera]) * 1000 / fps[p.camera]);
    }
    const q = (v, f) => { v = [...v].sort((x, y) => x - y); return v.length ? v[Math.min(v.length - 1, Math.ceil(f * v.length) - 1)] : NaN; };
    console.log(`${a.length} ${q(a, .5).toFixed(0)} ${q(a, .95).toFixed(0)} ${q(b, .5).toFixed(0)} ${q(b, .95).toFixed(0)} ${other}`);
  ' "$tmp/sim.out" "$tmp/deliv")
  set -- $lat
  n_alerts=$1 p50=$2 p95=$3 w50=$4 w95=$5 unmatched=$6
  by_cam=$(sed -n 's/^DELIVERY .*Unknown face at \(cam[0-9]*\) .*/\1/p' "$tmp/deliv" | sort | uniq -c | awk '{printf "%s%s:%s", sep, $2, $1; sep=","}')
  stranger_cams=$(awk -v n="$n" 'BEGIN { c = 0; for (i = 1; i <= n; i++) if (i % 3 == 2) c++; print c }')
  read cores rss_mb drop_pct <<EOF
$(awk -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" -v tck="$tck" -v hwm="$hwm" -v d="$dropped" -v f="$frames" 'BEGIN {
  wall = t1 - t0;
  printf "%.3f %.0f %.2f\n", c / tck / wall, hwm / 1024, (f > 0 ? 100 * d / f : 100) }')
EOF
  printf '%-5s N=%-2d cores %.2f (%.2f per camera, %.0f%% of the machine)  peak RSS %d MB  dropped %d of %d frames (%.2f%%)  restarts %d\n' \
    "$mode" "$n" "$cores" "$(echo "$cores $n" | awk '{print $1 / $2}')" \
    "$(echo "$cores $ncpu" | awk '{print 100 * $1 / $2}')" "$rss_mb" "$dropped" "$frames" "$drop_pct" "$restarts"
  printf '      recording: received %d access units, recorded %d (lost %d); load average after: %s\n' \
    "$received" "$recorded" $((received - recorded)) "$(cut -d' ' -f1-3 /proc/loadavg)"
  # Over the whole run (start-up included): frames / fps is its length.
  [ "$mode" = base ] || printf '      objectdetect: %.2f detections per camera per second\n' \
    "$(echo "$detections $frames" | awk '{ print ($2 > 0) ? 15 * $1 / $2 : 0 }')"
  # Dropped frames are not analysed: what every frame would cost, for a
  # machine too loaded to keep up (a rough figure: the decode is not dropped).
  [ "$mode" = base ] || printf '      CPU per analysed frame x all frames: about %.2f cores\n' \
    "$(echo "$cores $drop_pct" | awk '{ print ($2 < 100) ? $1 / (1 - $2 / 100) : 0 }')"
  if [ "$mode" = full ]; then
    printf '      alerts %d (%s; stranger cameras: %d)  latency from enter p50 %s ms p95 %s ms; from walk-in p50 %s ms p95 %s ms\n' \
      "$n_alerts" "${by_cam:-none}" "$stranger_cams" "$p50" "$p95" "$w50" "$w95"
  fi
}

echo "bench-cameras: 640x480 15 fps H.264 cameras (fa-camsim), $pipeline under facealert-run, $ncpu CPUs"
echo "  objectdetect method=${OBJECT_METHOD:-fastestdet} interval=${OBJECT_INTERVAL:-3}, facedetect detect-width=${DETECT_WIDTH:-320} interval=${DETECT_INTERVAL:-2}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline (same cameras, received + recorded + decoded, no face analysis), ${scale_secs} s:"
run 3 base "$scale_secs"
base_cores=$cores; base_rss=$rss_mb
echo "main: three cameras (household, stranger, cat), ${secs} s:"
run 3 full "$secs"
awk -v c="$cores" -v b="$base_cores" -v r="$rss_mb" -v br="$base_rss" -v p95="$p95" -v d="$drop_pct" -v lost=$((received - recorded)) 'BEGIN {
  printf "      x baseline: CPU %.2f, RSS %.2f\n", (b > 0 ? c / b : 0), (br > 0 ? r / br : 0);
  printf "      targets: <= 0.7 core %s, RSS <= 250 MB %s, no recorded frame lost %s, p95 latency <= 1000 ms %s, real time (dropped < 1%%) %s\n",
    (c <= 0.7 ? "MET" : "MISSED"), (r <= 250 ? "MET" : "MISSED"), (lost == 0 ? "MET" : "MISSED"), (p95 != "NaN" && p95 <= 1000 ? "MET" : "MISSED"), (d < 1 ? "MET" : "MISSED") }'

echo "capacity: N = 6, 8, 10, ... cameras (household/stranger/cat repeated), ${scale_secs} s each, until > 1 % dropped or > 90 % CPU:"
best=$(awk -v d="$drop_pct" -v c="$cores" -v m="$ncpu" 'BEGIN { print (d <= 1 && c <= 0.9 * m) ? 3 : 0 }')
n=6 prev=3
while [ "$n" -le "$max_cams" ]; do
  run "$n" full "$scale_secs"
  ok=$(awk -v d="$drop_pct" -v c="$cores" -v m="$ncpu" 'BEGIN { print (d <= 1 && c <= 0.9 * m) ? 1 : 0 }')
  if [ "$ok" = 1 ]; then
    [ "$best" != "$prev" ] || best=$n   # every N so far held
  elif [ "${BENCH_KEEP_GOING:-0}" != 1 ]; then
    break
  fi
  prev=$n
  n=$((n + 2))
done
echo "max cameras in real time on this machine: $best"
