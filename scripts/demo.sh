#!/bin/sh
# demo.sh [BUILD_DIR] -- facealert's main demo: the household's cameras, a
# stranger, a stranger who never shows a face, and a real cat.
#
# 1. enrols the household from photos (tests/data/people) with the CLI into a
#    demo collection;
# 2. starts four simulated RTSP cameras (fa-camsim): cam1 a household member
#    (John Lennon) walking in every 10 s, cam2 a stranger (Steve Carell) every
#    10 s, cam3 a real cat (videos/cat_closeup.mp4; analysed at detect-width
#    640, where YuNet takes the cat for a face), cam4 the back yard: people
#    seen from behind (videos/intel_one_by_one_person_walking_away.mp4), with
#    the person rule on for that camera only (CAM4_ALERT_ON=unknown,person);
# 3. starts a local SNS-compatible notifier (serverless-offline-sns) with an
#    HTTP subscriber standing in for the phone;
# 4. runs pipelines/three-cameras.pipeline (its camera template, for
#    CAMERAS=cam1,cam2,cam3,cam4) under facealert-run for DEMO_SECONDS
#    (default 35): every camera recorded (kvssink) and analysed (objectdetect
#    ! facedetect ! facematch ! alertsink);
# 5. prints each alert as the phone receives it, and at the end where the
#    recordings and snapshots are, fragment counts per camera and a clip command.
# Expected: an "Unknown face" alert per appearance of the stranger (cam2), a
# "Person at cam4 (face not seen)" alert per person in the back yard, nothing
# for the household member (cam1) or the cat (cam3).
#
# Needs a build (ninja -C BUILD_DIR), the models (scripts/fetch-models.sh) and
# the test data (scripts/fetch-testdata.sh); it installs the npm test servers
# itself (scripts/install-test-servers.sh). Everything it writes goes to
# DEMO_DIR (default BUILD_DIR/demo, emptied first), so the user's own
# collections, recordings and snapshots are never touched. Processes it
# starts are stopped by PID when it ends, however it ends.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-${FACEALERT_BUILD_DIR:-$root/build}}" && pwd)
duration=${DEMO_SECONDS:-35}
demo=${DEMO_DIR:-$build/demo}
data=${FACEALERT_TESTDATA:-$root/tests/data}
servers=${FACEALERT_TEST_SERVERS:-$root/.test-servers}

say () { printf '\n== %s\n' "$*"; }
die () { echo "demo: $*" >&2; exit 1; }

[ -x "$build/tools/facealert-run" ] && [ -f "$build/plugins/libgstfacealert.so" ] ||
  die "no build in $build: run ./run build (or meson setup build && ninja -C build)"
[ -f "$data/people/John_Lennon/1.jpg" ] && [ -f "$data/unknown_faces/Steve_Carell.jpg" ] &&
  [ -f "$data/videos/cat_closeup.mp4" ] && [ -f "$data/videos/intel_one_by_one_person_walking_away.mp4" ] ||
  die "test photos missing in $data: run sh scripts/fetch-testdata.sh"
command -v node >/dev/null 2>&1 || die "node not found: install Node 20 (scripts/install-deps.sh)"
sh "$root/scripts/install-test-servers.sh" "$servers" >/dev/null ||
  die "could not install the local SNS server (scripts/install-test-servers.sh)"

FA_ENV_SCRIPT="$root/scripts/gst-env.sh" . "$root/scripts/gst-env.sh" "$build"

# A private place for this run: collection, recordings, snapshots, outbox.
rm -rf "$demo"
mkdir -p "$demo"
chmod 700 "$demo"
export FACEALERT_COLLECTIONS_DIR="$demo/collections"
export FACEALERT_STREAMS_DIR="$demo/streams"
export FACEALERT_SNAPSHOTS_DIR="$demo/snapshots"
export FACEALERT_OUTBOX_DIR="$demo/outbox"
export FACEALERT_SIGHTINGS_DIR="$demo/sightings"
export FACEALERT_CAMERAS_DIR="$demo/cameras"
# The local notifier accepts any signature: these are placeholders, not
# credentials (alertsink still signs every request with them).
export AWS_ACCESS_KEY_ID=AKIDLOCALDEMO AWS_SECRET_ACCESS_KEY=local-demo-placeholder
unset AWS_SESSION_TOKEN AWS_PROFILE
export AWS_REGION=us-east-1
export COLLECTION=home ALERT_COOLDOWN=${ALERT_COOLDOWN:-5}
# The camera template of three-cameras.pipeline, for four cameras; per-camera
# settings are CAMn_ variables (docs/cameras.md "Description files").
export CAMERAS=cam1,cam2,cam3,cam4
export CAM3_DETECT_WIDTH=640 CAM4_ALERT_ON=unknown,person

pids=""
cleanup () {
  trap - EXIT INT TERM
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  exec 3>&- 4>&- 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# Waits up to $2 s for a line starting with $3 in file $1 and prints it; fails
# early when process $4 is gone.
wait_line () {
  i=0
  while [ "$i" -lt $(($2 * 10)) ]; do
    line=$(grep -m1 "^$3" "$1" 2>/dev/null || true)
    if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    kill -0 "$4" 2>/dev/null || { echo "demo: it stopped; see $1:" >&2; tail -5 "$1" >&2; return 1; }
    sleep 0.1
    i=$((i + 1))
  done
  echo "demo: timed out waiting for \"$3\" in $1" >&2
  return 1
}

say "1. Enrolling the household from photos into collection \"$COLLECTION\""
facealert collection create --collection-id "$COLLECTION" >/dev/null
# cam1 shows people/John_Lennon/1.jpg: enrol everyone's other photos, so the
# camera is recognised from a different picture, as in real life.
for person in "$data"/people/*/; do
  name=$(basename "$person")
  photos=$(ls "$person"*.jpg | grep -v '/John_Lennon/1\.jpg$' || true)
  # shellcheck disable=SC2086
  facealert faces index --collection "$COLLECTION" --name "$name" $photos |
    awk -v n="$name" '/^indexed/ { c++ } END { printf "  %-16s %d photo(s)\n", n, c }'
done

say "2. Starting four simulated cameras (fa-camsim)"
# Its stdin is a pipe held by this script: "drop cam3 5" could be written to it.
mkfifo "$demo/camsim.in"
fa-camsim --port 0 --cache-dir "$build/camsim-cache" \
  cam1=scene:household cam2=scene:stranger cam3="file:$data/videos/cat_closeup.mp4" \
  cam4="file:$data/videos/intel_one_by_one_person_walking_away.mp4" \
  < "$demo/camsim.in" > "$demo/camsim.log" 2>&1 &
pids="$pids $!"
camsim=$!
exec 3> "$demo/camsim.in"
ready=$(wait_line "$demo/camsim.log" 120 "READY " "$camsim")
# shellcheck disable=SC2086
set -- ${ready#READY }
export CAM1_URL=$1 CAM2_URL=$2 CAM3_URL=$3 CAM4_URL=$4
echo "  cam1 $CAM1_URL  a household member (John_Lennon) walks in every 10 s"
echo "  cam2 $CAM2_URL  a stranger (Steve_Carell) walks in every 10 s"
echo "  cam3 $CAM3_URL  the cat, close up (at detect-width 640 YuNet sees a face on it)"
echo "  cam4 $CAM4_URL  the back yard: people walk in seen from behind, never a face"
echo "       (person rule on for cam4: CAM4_ALERT_ON=$CAM4_ALERT_ON)"

say "3. Starting the local SNS-compatible notifier and the phone"
# The fixture exits when its stdin (a pipe held by this script) closes.
mkfifo "$demo/sns.in"
node "$root/tests/support/sns-fixture.mjs" "$servers" --print-deliveries \
  < "$demo/sns.in" > "$demo/phone.log" 2> "$demo/sns.log" &
pids="$pids $!"
sns=$!
exec 4> "$demo/sns.in"
info=$(wait_line "$demo/phone.log" 60 "{" "$sns")
SNS_ENDPOINT=$(printf '%s' "$info" | node -e 'process.stdin.on("data", d => process.stdout.write(JSON.parse(d).endpoint))')
TOPIC_ARN=$(printf '%s' "$info" | node -e 'process.stdin.on("data", d => process.stdout.write(JSON.parse(d).topic))')
export SNS_ENDPOINT TOPIC_ARN
echo "  notifier $SNS_ENDPOINT, topic $TOPIC_ARN"
echo "  phone: an HTTP subscriber of the topic"

say "4. Watching the four cameras for $duration s"
echo "  PHONE lines: alerts as the phone receives them; the others: what facematch decided"
facealert-run --duration "$duration" --stats 10 "$root/pipelines/three-cameras.pipeline" \
  > "$demo/run.log" 2>&1 &
run=$!
pids="$pids $run"
# The phone: one line per delivery. Both tails end when the runner has ended
# (alertsink delivers pending alerts before that).
tail --pid="$run" -n +1 -f "$demo/phone.log" | node -e '
  const rl = require("readline").createInterface({ input: process.stdin });
  rl.on("line", (l) => {
    if (!l.startsWith("DELIVERY ")) return;
    const d = JSON.parse(l.slice(9));
    const m = JSON.parse(d.body.Message);
    let p = {}; try { p = JSON.parse(m.http); } catch (e) {}
    const t = new Date(d.received_ms).toTimeString().slice(0, 8);
    const snap = p.snapshot ? (p.snapshot.person && p.event === "person" ? p.snapshot.person
        : p.snapshot.face) : null;
    console.log(`  PHONE ${t}  ${m.default}` + (snap ? `  (snapshot ${snap})` : ""));
  });' &
phone=$!
pids="$pids $phone"
tail --pid="$run" -n +1 -f "$demo/run.log" |
  grep --line-buffered -E ': face track|pet box|stopped:|warning|error' | sed -u 's/^facealert-run: /  /' &
pids="$pids $!"
status=0
wait "$run" || status=$?
[ "$status" -eq 0 ] || die "the pipeline failed (exit $status), see $demo/run.log"
wait "$phone" || true

say "5. Results"
alerts=$(grep -c '^DELIVERY ' "$demo/phone.log" || true)
for cam in cam1 cam2 cam3 cam4; do
  n=$(grep -c "^DELIVERY .*at $cam " "$demo/phone.log" || true)
  a=$(grep -c "^EVENT $cam enter" "$demo/camsim.log" || true)
  f=$(facealert fragments list --stream "$cam" --output json |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Fragments.length))')
  case $cam in
    cam3|cam4) echo "  $cam: $n alert(s), $f recorded fragment(s)" ;;
    *) echo "  $cam: $a appearance(s), $n alert(s), $f recorded fragment(s)" ;;
  esac
done
echo "  alerts received by the phone: $alerts (expected: cam2 one per appearance,"
echo "  cam4 one per person who stays 2 s, none for cam1 or the cat)"
echo
echo "Recordings (the local stream store): $FACEALERT_STREAMS_DIR"
echo "  facealert streams list"
echo "  facealert fragments list --stream cam2"
first=$(grep -m1 '^DELIVERY .*at cam2 ' "$demo/phone.log" | sed 's/^DELIVERY //' |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{if(!s)return;const t=JSON.parse(s).received_ms/1000;console.log((t-4).toFixed(1),(t+4).toFixed(1))})')
if [ -n "$first" ]; then
  set -- $first
  echo "  the first alert's clip (8 s around it):"
  echo "  facealert clip --stream cam2 --start $1 --end $2 -o stranger.mp4"
fi
echo "Snapshots of the alerts (frame with the face or person boxed, and the crop): $FACEALERT_SNAPSHOTS_DIR/cam2, .../cam4"
ls "$FACEALERT_SNAPSHOTS_DIR/cam2" 2>/dev/null | sed 's/^/  /' | head -4
ls "$FACEALERT_SNAPSHOTS_DIR/cam4" 2>/dev/null | sed 's/^/  /' | head -4
echo "Logs: $demo/run.log (pipeline), camsim.log (cameras), phone.log (deliveries)"
echo "To use these commands, first: . scripts/gst-env.sh $build; export FACEALERT_STREAMS_DIR=$FACEALERT_STREAMS_DIR"
