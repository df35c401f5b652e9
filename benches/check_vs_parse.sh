#!/usr/bin/env bash
# What `devgen check` costs per devenv.nix, against Nix's own parser on the same file
# (`nix-instantiate --parse`, the least any Nix tool does with it). All run N times in the
# same run, alternating over rounds; the figures to read are the ratios.
#
#   benches/check_vs_parse.sh [N]     (default N=200 runs of each; builds the release binary first)
#
# Files: the hand-written Phoenix module of fixtures/check/valid (85 lines, 46 values, all
# known by reading) and computed-values.nix (5 of its 9 values need evaluation).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
cargo build --release --quiet
devgen="$PWD/target/release/devgen"
nix_instantiate=$(command -v nix-instantiate)
valid=fixtures/check/valid

# Milliseconds, wall clock, for N runs of a command.
time_n() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

rounds=5
n=$(((n + rounds - 1) / rounds))
declare -A best=()
keep() { if [ -z "${best[$1]:-}" ] || [ "$2" -lt "${best[$1]}" ]; then best[$1]=$2; fi; }
for ((r = 0; r < rounds; r++)); do
  keep parse "$(time_n "$nix_instantiate" --parse "$valid/phoenix-by-hand.nix")"
  keep read "$(time_n "$devgen" check --no-eval "$valid/phoenix-by-hand.nix")"
  keep parse_computed "$(time_n "$nix_instantiate" --parse "$valid/computed-values.nix")"
  keep eval "$(time_n "$devgen" check "$valid/computed-values.nix")"
done
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); best of $rounds rounds of $n runs each"
awk -v p="${best[parse]}" -v r="${best[read]}" -v pc="${best[parse_computed]}" -v e="${best[eval]}" -v n="$n" 'BEGIN {
  printf "phoenix-by-hand.nix  nix-instantiate --parse (baseline)  %7.2f ms/run  1.00\n", p / n
  printf "phoenix-by-hand.nix  devgen check --no-eval              %7.2f ms/run  %.2f\n", r / n, r / p
  printf "computed-values.nix  nix-instantiate --parse (baseline)  %7.2f ms/run  1.00\n", pc / n
  printf "computed-values.nix  devgen check (evaluates 5 values)   %7.2f ms/run  %.2f\n", e / n, e / pc
}'
