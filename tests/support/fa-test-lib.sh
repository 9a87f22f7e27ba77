# Shell helpers of the CLI tests (sourced; TAP lines "ok - ..." / "not ok - ...").
# The test sets TMP (a private scratch directory) before sourcing this; each
# check ends with finish.
failures=0

fail () { echo "not ok - $*"; failures=$((failures + 1)); }
pass () { echo "ok - $*"; }

# expect_ok DESCRIPTION PATTERN CMD...: exit 0 and stdout matches PATTERN.
expect_ok () {
  desc=$1 pattern=$2; shift 2
  if "$@" >"$TMP/out" 2>"$TMP/err"; then
    if grep -Eq -- "$pattern" "$TMP/out"; then pass "$desc"; else
      fail "$desc: output does not match /$pattern/"; sed 's/^/# /' "$TMP/out"; fi
  else
    fail "$desc: exit $?"; sed 's/^/# /' "$TMP/err"
  fi
}

# expect_error DESCRIPTION PATTERN CMD...: non-zero exit, nothing on stdout,
# exactly one stderr line, matching PATTERN (bad input gets one clear line).
expect_error () {
  desc=$1 pattern=$2; shift 2
  if "$@" >"$TMP/out" 2>"$TMP/err"; then
    fail "$desc: succeeded"; return
  fi
  lines=$(wc -l <"$TMP/err")
  if [ "$lines" -ne 1 ] || [ -s "$TMP/out" ]; then
    fail "$desc: $lines stderr lines, stdout $(wc -c <"$TMP/out") bytes"; sed 's/^/# /' "$TMP/err"
  elif ! grep -Eq -- "$pattern" "$TMP/err"; then
    fail "$desc: stderr does not match /$pattern/"; sed 's/^/# /' "$TMP/err"
  else
    pass "$desc ($(cat "$TMP/err"))"
  fi
}

# finish: the summary line and the exit status.
finish () {
  if [ "$failures" -ne 0 ]; then echo "# $failures failures"; exit 1; fi
  echo "# all passed"
  exit 0
}
