#!/bin/sh
# install-test-servers.sh [DIR]
# Installs the real servers and peers the network tests run against, from npm,
# into DIR (default: $FACEALERT_TEST_SERVERS, else .test-servers/ in the
# checkout, which git ignores):
#   serverless-offline-sns@0.78.2   SNS-compatible server (works with Node 20)
#   aws4@1.13.2                     independent SigV4 signer to compare with
#   kinesalite@3.3.3                Kinesis Data Streams implementation (kdssink,
#                                   facealert consume)
#   playwright-core@1.65.1          drives Debian's /usr/bin/chromium in the
#                                   page tests (no browser download)
# Idempotent: a second run with everything in place does nothing. Tests that
# need these skip (exit 77) when node or the folder is missing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${FACEALERT_TEST_SERVERS:-$root/.test-servers}}
sns_version=0.78.2
aws4_version=1.13.2
kinesalite_version=3.3.3
playwright_version=1.65.1

if ! command -v npm >/dev/null 2>&1; then
  echo "install-test-servers: npm not found; install nodejs/npm (Node 20) first" >&2
  exit 1
fi

installed () {
  [ -f "$dir/node_modules/$1/package.json" ] &&
    grep -q "\"version\": \"$2\"" "$dir/node_modules/$1/package.json"
}

if installed serverless-offline-sns "$sns_version" && installed aws4 "$aws4_version" &&
   installed kinesalite "$kinesalite_version" &&
   installed playwright-core "$playwright_version" &&
   [ -x "$dir/node_modules/.bin/serverless" ]; then
  echo "test servers ready in $dir"
  exit 0
fi

mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || printf '{"name":"facealert-test-servers","private":true}\n' > package.json
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error \
  "serverless-offline-sns@$sns_version" "aws4@$aws4_version" \
  "kinesalite@$kinesalite_version" "playwright-core@$playwright_version"
echo "test servers ready in $dir"
