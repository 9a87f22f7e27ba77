#!/bin/sh
# Sightings end to end: real photos become "camera" frames (imagefreeze),
# run through the real facedetect ! facematch, which records sightings; then
# the real `facealert sightings` verbs: list, show, crop, search by a new
# photo, cluster, enrol, reject, delete, and their one-line errors.
set -u
DATA=${FACEALERT_TESTDATA:?run with meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fa-sightings-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FACEALERT_COLLECTIONS_DIR="$TMP/collections"
export FACEALERT_SIGHTINGS_DIR="$TMP/sightings"

. "$(dirname "$0")/../support/fa-test-lib.sh"

# json_ids FILE KEY: the integer values of "KEY" : N in FILE, one a line.
json_ids () { sed -n "s/.*\"$2\" : \([0-9][0-9]*\).*/\1/p" "$1"; }

# see CAMERA PHOTO: the photo as 20 frames of a camera, through facematch.
see () {
  timeout 60 gst-launch-1.0 -q filesrc location="$2" ! decodebin ! imagefreeze num-buffers=20 \
    ! videoconvert ! videoscale ! video/x-raw,format=I420,width=320,height=320 \
    ! facedetect ! facematch collection=home stream-name="$1" ! fakesink \
    >"$TMP/gst" 2>&1 || { fail "pipeline on $2: exit $?"; sed 's/^/# /' "$TMP/gst"; }
}

facealert collection create --collection-id home >/dev/null
facealert faces index --collection home --name John_Lennon "$DATA/people/John_Lennon/1.jpg" >/dev/null
facealert faces index --collection home --name Eric_Clapton "$DATA/people/Eric_Clapton/1.jpg" >/dev/null

expect_error "no sightings yet" 'no sightings database at .*nothing has been sighted yet' \
  facealert sightings list

# Two strangers: Tony Blair twice (two photos, two cameras), Serena Williams once;
# and a household member.
blair=$DATA/people_more/Tony_Blair
see cam1 "$blair/1.jpg"
see cam2 "$blair/2.jpg"
see cam1 "$DATA/people_more/Serena_Williams/1.jpg"
see cam2 "$DATA/people/John_Lennon/2.jpg"

expect_ok "list" '^ +[0-9]+ .* cam2 +known +John_Lennon' facealert sightings list
[ "$(facealert sightings list | wc -l)" -eq 5 ] && pass "four sightings (and a header)" \
  || { fail "want 4 sightings"; facealert sightings list | sed 's/^/# /'; }
expect_ok "list --unknown --camera cam1" 'unknown' \
  facealert sightings list --unknown --camera cam1 --output json
[ "$(json_ids "$TMP/out" SightingId | wc -l)" -eq 2 ] && pass "two unknown on cam1" \
  || fail "want two unknown sightings on cam1: $(json_ids "$TMP/out" SightingId | tr '\n' ' ')"
expect_ok "list --since the future" '"Sightings" : \[\]' \
  facealert sightings list --since 2999-01-01T00:00:00Z --output json
facealert sightings list --unknown --output json >"$TMP/unknown.json"
set -- $(json_ids "$TMP/unknown.json" SightingId)   # newest first: serena, blair2, blair1
serena=$1 blair2=$2 blair1=$3

expect_ok "show" '"Decision" : "unknown"' facealert sightings show "$blair1"
grep -q '"Camera" : "cam1"' "$TMP/out" && grep -q '"FaceModelVersion" : "mobilefacenet/' "$TMP/out" \
  && pass "show: camera and model" || fail "show lacks camera or model"
expect_ok "crop" "^wrote $TMP/blair1.jpg" facealert sightings crop "$blair1" -o "$TMP/blair1.jpg"
[ "$(stat -c %a "$TMP/blair1.jpg")" = 600 ] && head -c 2 "$TMP/blair1.jpg" | od -An -tx1 | grep -q 'ff d8' \
  && pass "crop is a private JPEG" || fail "crop mode $(stat -c %a "$TMP/blair1.jpg") or not a JPEG"
[ "$(stat -c %a "$FACEALERT_SIGHTINGS_DIR")" = 700 ] \
  && [ "$(stat -c %a "$FACEALERT_SIGHTINGS_DIR/sightings.db")" = 600 ] \
  && pass "store is 0700/0600" || fail "store modes"

# "Was this man here?": a new photo finds both of his sightings first, and
# not Serena's.
expect_ok "search by a new photo" 'SightingMatches' \
  facealert sightings search --image "$blair/3.jpg" --output json
found=$(json_ids "$TMP/out" SightingId | head -2 | sort | tr '\n' ' ')
want=$(printf '%s\n%s\n' "$blair1" "$blair2" | sort | tr '\n' ' ')
[ "$found" = "$want" ] && pass "search: both of his sightings, best first ($found)" \
  || fail "search found '$found', want '$want'"
json_ids "$TMP/out" SightingId | grep -qx "$serena" && fail "search matched Serena" \
  || pass "search: not Serena"
expect_ok "search text" "^ +$blair1 .*cam1 +unknown" \
  facealert sightings search --image "$blair/3.jpg" --camera cam1

# Grouped: his two sightings together, Serena apart.
expect_ok "cluster" '"Clusters"' facealert sightings cluster --output json
groups=$(tr -d ' \n' <"$TMP/out" | grep -o '"SightingIds":\[[0-9,]*\]' | sed 's/.*\[//; s/\]//')
echo "$groups" | grep -qx "$blair2,$blair1" && pass "cluster: his sightings together" \
  || fail "cluster groups: $(echo "$groups" | tr '\n' ' ')"
echo "$groups" | grep -qx "$serena" && pass "cluster: Serena alone" \
  || fail "cluster: Serena not alone"
expect_ok "cluster text" "^cluster 1: 2 sightings, .*: $blair2 $blair1\$" facealert sightings cluster

# "This is Tony_Blair": enrolled from one sighting, his photos now match.
expect_ok "enrol" "^enrolled  sighting $blair1 as Tony_Blair" \
  facealert sightings enrol "$blair1" --name Tony_Blair
expect_ok "enrolled sighting" '"Name" : "Tony_Blair"' facealert sightings show "$blair1"
grep -q '"Confirmed" : true' "$TMP/out" && pass "enrolled: confirmed" || fail "not confirmed"
expect_ok "faces search after enrol" '^match Tony_Blair ' \
  sh -c 'facealert faces search --collection home "$1" | head -1' sh "$blair/2.jpg"

# "This is not Tony_Blair" (say, a look-alike): that face never matches him again.
expect_ok "reject" "^rejected  sighting $blair2: not Tony_Blair" \
  facealert sightings reject "$blair2" --not Tony_Blair
expect_ok "rejected sighting" '"RejectedNames" : \[\s*"Tony_Blair"' \
  sh -c 'facealert sightings show "$1" | tr -d "\n"' sh "$blair2"
if facealert faces search --collection home "$blair/2.jpg" >"$TMP/out" 2>"$TMP/err"; then
  grep -q '^match Tony_Blair' "$TMP/out" && fail "the rejected face still matches Tony_Blair" \
    || pass "rejected face: no longer Tony_Blair ($(head -1 "$TMP/out"))"
else
  fail "faces search after reject: $(cat "$TMP/err")"
fi
expect_ok "his other photo still matches" '^match Tony_Blair ' \
  sh -c 'facealert faces search --collection home "$1" | head -1' sh "$blair/1.jpg"

# Errors: one line each, nothing changed.
expect_error "bad id" '"abc" is not a sighting id' facealert sightings show abc
expect_error "missing id" 'sighting 999999 does not exist' facealert sightings show 999999
expect_error "delete with a missing id" 'sighting 999999 does not exist: nothing was deleted' \
  facealert sightings delete "$serena" 999999
expect_error "enrol a missing sighting" 'sighting 999999 does not exist.*nothing was enrolled' \
  facealert sightings enrol "$serena" 999999 --name Serena_Williams
expect_error "enrol without a name" 'give the person.s name' facealert sightings enrol "$serena"
expect_error "search with a file that is not an image" 'training.xml' \
  facealert sightings search --image "$DATA/detection/dlib_faces/training.xml"
expect_error "search without a face" 'no faces in the image' \
  facealert sightings search --image "$DATA/negatives/darknet_dog.jpg"
expect_error "unknown verb" 'unknown sightings verb "frobnicate"' facealert sightings frobnicate
[ "$(facealert sightings list | wc -l)" -eq 5 ] && pass "errors changed nothing" \
  || fail "errors changed the store"

expect_ok "delete" "^deleted sighting $serena" facealert sightings delete "$serena"
facealert sightings show "$serena" >/dev/null 2>&1 && fail "deleted sighting still there" \
  || pass "deleted sighting gone"

finish
