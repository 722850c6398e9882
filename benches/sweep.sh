#!/usr/bin/env bash
# The issue #5 sweep as a user runs it: the whole `tradeorch sweep` process over the
# SMA-crossover grid fast 2..100 × slow fast+1..200 (14,751 combinations) on the embedded
# GOOG daily data, 0.2 % commission, next-open fills, all files written (results.csv,
# results.parquet, heatmap, report.html). Prints each run's wall time and peak memory and
# the mean; compare with benches/peers/ (vectorbt, backtesting.py on the same grid).
# Usage: bash benches/sweep.sh [N]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/tradeorch
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(sweep -q --out "$out/sweep" --param fast=2..100 --param slow=3..200 --constraint "fast < slow" --commission 0.002)
"$bin" "${args[@]}" >/dev/null   # warm the file cache
total=0
times=()
for k in $(seq "$n"); do
  start=$(date +%s%N)
  peak=$( { /usr/bin/time -f "%M" "$bin" "${args[@]}" >/dev/null; } 2>&1 | tail -1 )
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  total=$(( total + ms ))
  times+=("$ms")
  echo "run $k: ${ms} ms, peak RSS ${peak} KB"
done
# The median as well: on a shared machine single runs can be slowed a lot by neighbours.
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{t[NR] = $1} END {print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2}')
echo "tradeorch sweep (14,751 combinations): $(( total / n )) ms mean, ${median} ms median wall time over $n runs"
