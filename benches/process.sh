#!/usr/bin/env bash
# Wall time of the whole `tradeorch backtest` process (default strategy on the embedded
# GOOG data, report written), averaged over N runs. Target (issue #2): under 100 ms.
# Usage: bash benches/process.sh [N]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/tradeorch
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" backtest --out "$out/run" >/dev/null   # warm the file cache
start=$(date +%s%N)
for _ in $(seq "$n"); do
  "$bin" backtest --out "$out/run" >/dev/null
done
end=$(date +%s%N)
echo "tradeorch backtest: $(( (end - start) / n / 1000 )) µs per process (mean of $n runs)"
