#!/usr/bin/env bash
# `devgen nix get|set|add|remove|delete` on the generated 4 MB all-packages-style file,
# against Nix's own parser on the same file (`nix-instantiate --parse`), as whole processes.
# The commands alternate, one run of each per round, so that load on the machine falls on
# all of them alike; per command: the median wall time and CPU time (user + system) over the
# rounds, the ratio of each median to the parser's, and the peak memory (max RSS) of any run.
#
#   benches/nix_vs_parse.sh [ROUNDS] [DEVGEN] [BASELINE]
#
# Default 15 rounds; builds the release binary unless DEVGEN, another build, is given. With
# BASELINE, another devgen build (an earlier revision), its runs alternate with the others
# too, under names starting with `baseline-`.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-15}"
devgen="${2:-}"
baseline="${3:-}"
if [ -z "$devgen" ]; then
  cargo build --release --quiet --bin devgen
  devgen="$PWD/target/release/devgen"
fi
target="${CARGO_TARGET_DIR:-$PWD/target}"
file=$(cargo run --release --quiet -p nix-edit --example all_packages -- "$target")
nix_instantiate=$(command -v nix-instantiate)
gnu_time=/usr/bin/time
log=$(mktemp)
trap 'rm -f "$log" "$log.one" "$log.rss"' EXIT

operations=(get set set-top-level add remove delete)
names=(nix-instantiate-parse "${operations[@]}")
if [ -n "$baseline" ]; then
  names+=("${operations[@]/#/baseline-}")
fi
command_of() {
  case "$1" in
  baseline-*) command_of "${1#baseline-}" | sed "s|^$devgen |$baseline |" ;;
  nix-instantiate-parse) echo "$nix_instantiate --parse $file" ;;
  get) echo "$devgen nix get $file services.postgres.settings.port" ;;
  set) echo "$devgen nix set $file services.postgres.settings.log_directory \"log\"" ;;
  set-top-level) echo "$devgen nix set $file devgenTarget.port 5433" ;;
  add) echo "$devgen nix add $file packages jq" ;;
  remove) echo "$devgen nix remove $file packages git" ;;
  delete) echo "$devgen nix delete $file services.postgres.settings.port" ;;
  esac
}

# Times from bash's `time` (microsecond rusage, printed in ms); peak memory from GNU time
# in runs of their own, so that timing one does not slow the other.
TIMEFORMAT="%3R %3U %3S"
for ((r = 0; r < rounds; r++)); do
  for name in "${names[@]}"; do
    read -ra cmd <<<"$(command_of "$name")"
    { time "${cmd[@]}" >/dev/null 2>&1; } 2>"$log.one"
    echo "$name $(cat "$log.one")" >>"$log"
  done
done
for ((r = 0; r < 3; r++)); do
  for name in "${names[@]}"; do
    read -ra cmd <<<"$(command_of "$name")"
    "$gnu_time" -f "$name %M" -a -o "$log.rss" "${cmd[@]}" >/dev/null 2>&1
  done
done

echo "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $(date -u +%F); $rounds alternating rounds"
echo "file: $file ($(wc -c <"$file") bytes)"
printf '%-22s %10s %10s %8s %8s %13s\n' command "wall (ms)" "cpu (ms)" "wall x" "cpu x" "max RSS (MB)"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base_wall=$(awk '$1 == "nix-instantiate-parse" { print $2 }' "$log" | median)
base_cpu=$(awk '$1 == "nix-instantiate-parse" { print $3 + $4 }' "$log" | median)
for name in "${names[@]}"; do
  wall=$(awk -v n="$name" '$1 == n { print $2 }' "$log" | median)
  cpu=$(awk -v n="$name" '$1 == n { print $3 + $4 }' "$log" | median)
  rss=$(awk -v n="$name" '$1 == n && $2 > m { m = $2 } END { print m }' "$log.rss")
  awk -v n="$name" -v w="$wall" -v c="$cpu" -v bw="$base_wall" -v bc="$base_cpu" -v m="$rss" 'BEGIN {
    printf "%-22s %10.1f %10.1f %8.3f %8.3f %13.1f\n", n, w * 1000, c * 1000, w / bw, c / bc, m / 1024
  }'
done
