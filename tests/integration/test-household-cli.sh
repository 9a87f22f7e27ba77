#!/bin/sh
# CLI test: the household's switches (`facealert mode`, `facealert alerts
# enable|disable|switches`) on a real state file: defaults, changes that
# persist and combine, JSON, the file's privacy, and one clear error line for
# each bad input. (A running alertsink following them: test-alertsink-mqtt.)
set -u
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fa-household-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export FACEALERT_STATE_DIR="$TMP/state"
STATE="$FACEALERT_STATE_DIR/household.json"

. "$(dirname "$0")/../support/fa-test-lib.sh"

# Nothing stored yet: away, every camera on, and nothing written by reading.
expect_ok "default mode" '^away$' facealert mode
expect_ok "default switches" '^every camera: on$' facealert alerts switches
[ ! -e "$STATE" ] && pass "reading writes nothing" || fail "reading created $STATE"

expect_ok "set home" '^mode: home \(was away\)$' facealert mode home
expect_ok "mode persists" '^home$' facealert mode
expect_ok "disable cam2" '^alerts of cam2: off$' facealert alerts disable --camera cam2
expect_ok "disable cam3 (JSON)" '"Alerts" : false' \
  facealert alerts disable --camera cam3 --output json
expect_ok "enable cam3" '^alerts of cam3: on$' facealert alerts enable --camera cam3
expect_ok "switches list cam2 off" '^cam2 +off$' facealert alerts switches
expect_ok "switches list cam3 on" '^cam3 +on$' facealert alerts switches
expect_ok "switches keep the mode" '^mode: home$' facealert alerts switches
expect_ok "one camera (JSON)" '"Camera" : "cam1",' \
  facealert alerts switches --camera cam1 --output json
expect_ok "mode JSON" '"Mode" : "home"' facealert mode --output json
expect_ok "back to away" '^mode: away \(was home\)$' facealert mode AWAY
expect_ok "the mode change kept cam2 off" '^cam2 +off$' facealert alerts switches
[ "$(stat -c %a "$STATE")" = 600 ] && pass "state file is 0600" \
  || fail "state file mode $(stat -c %a "$STATE")"
[ "$(stat -c %a "$FACEALERT_STATE_DIR")" = 700 ] && pass "state dir is 0700" \
  || fail "state dir mode $(stat -c %a "$FACEALERT_STATE_DIR")"
expect_ok "another state file" '^home$' sh -c \
  "facealert mode home --state-file '$TMP/other.json' >/dev/null && facealert mode --state-file '$TMP/other.json'"
expect_ok "the default file is untouched" '^away$' facealert mode

expect_error "bad mode" 'home or away, not "party"' facealert mode party
expect_error "switch without a camera" '--camera NAME is required' facealert alerts disable
expect_error "unknown verb" 'unknown alerts verb "mute"' facealert alerts mute
printf '{"mode": ' > "$STATE"
expect_error "corrupt state file" 'household state .* is not valid' facealert mode
expect_ok "a change repairs it (with a note)" '^alerts of cam2: on$' facealert alerts enable --camera cam2
expect_ok "repaired" '^away$' facealert mode

finish
