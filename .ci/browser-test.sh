#!/usr/bin/env bash
# Browser check of the HTML reports: runs the default backtest, a small sweep and a small
# walk-forward analysis, opens each report.html in headless Chromium (Debian's package),
# takes screenshots and fails on any console error, uncaught exception or network request. Needs cargo, node/npm and chromium (installed here
# with apt-get when running as root); reaches no network except the package registries.
#
# Usage: .ci/browser-test.sh [SCREENSHOT.png]   (default target/browser-test/report.png; the
# sweep and walk-forward screenshots go beside it as sweep.png and walkforward.png)
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "browser-test: installing chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "browser-test: $CHROMIUM is missing; install Debian's chromium package as root" \
      "(apt-get update && apt-get install -y chromium) or set CHROMIUM to a Chromium binary" >&2
    exit 1
  fi
fi
for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "browser-test: $tool is required" >&2
    exit 1
  fi
done

# playwright-core only drives the Chromium above: it downloads no browser.
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --tests: the same feature set as `cargo test --release`, so nothing is rebuilt after it.
cargo build --release --tests
screenshot=$(realpath -m "${1:-target/browser-test/report.png}")
mkdir -p "$(dirname "$screenshot")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"${CARGO_TARGET_DIR:-target}/release/tradeorch" backtest --out "$tmp/run" >/dev/null
if [ ! -f "$tmp/run/report.html" ]; then
  echo "browser-test: the backtest wrote no report.html" >&2
  exit 1
fi

CHROMIUM="$CHROMIUM" node tests/browser/check_report.mjs "$tmp/run/report.html" "$screenshot"

bin="${CARGO_TARGET_DIR:-target}/release/tradeorch"
grid=(--param fast=5..20 --param slow=20..60:5 --constraint "fast < slow" -q)
"$bin" sweep "${grid[@]}" --out "$tmp/sweep" >/dev/null
CHROMIUM="$CHROMIUM" node tests/browser/check_report.mjs "$tmp/sweep/report.html" "$(dirname "$screenshot")/sweep.png" sweep
"$bin" walkforward "${grid[@]}" --train 3y --test 1y --out "$tmp/walkforward" >/dev/null
CHROMIUM="$CHROMIUM" node tests/browser/check_report.mjs "$tmp/walkforward/report.html" "$(dirname "$screenshot")/walkforward.png" walkforward
