#!/usr/bin/env bash
# What `devgen diff` costs in a pre-commit hook, against the floor of any such check: one
# process reading the same files (`cat`). Both run N times on the same synced project in
# the same run; the figure to read is the ratio.
#
#   benches/diff_vs_cat.sh [N]        (default N=200 runs of each; builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
cargo build --release --quiet
devgen="$PWD/target/release/devgen"

project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
cp fixtures/specs/liberties.toml "$project/devgen.toml"
"$devgen" -C "$project" sync >/dev/null 2>&1
"$devgen" -C "$project" diff --quiet
mapfile -t files < <(cd "$project" && find . -type f | sort)

# Milliseconds, wall clock, for N runs of a command.
time_n() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

(cd "$project" && cat "${files[@]}" >/dev/null) # warm the page cache
# Rounds alternate the two commands, and each keeps its best round: other load on the
# machine slows a round down, never speeds it up.
rounds=5
n=$(((n + rounds - 1) / rounds))
best_cat='' best_diff=''
for ((r = 0; r < rounds; r++)); do
  c=$(cd "$project" && time_n cat "${files[@]}")
  d=$(time_n "$devgen" -C "$project" diff --quiet)
  if [ -z "$best_cat" ] || [ "$c" -lt "$best_cat" ]; then best_cat=$c; fi
  if [ -z "$best_diff" ] || [ "$d" -lt "$best_diff" ]; then best_diff=$d; fi
done
echo "project: fixtures/specs/liberties.toml, ${#files[@]} files, $(cd "$project" && cat "${files[@]}" | wc -c) bytes; best of $rounds rounds of $n runs each"
awk -v c="$best_cat" -v d="$best_diff" -v n="$n" 'BEGIN {
  printf "cat (baseline)       %7.2f ms/run  1.00\n", c / n
  printf "devgen diff --quiet  %7.2f ms/run  %.2f\n", d / n, d / c
}'
