#!/usr/bin/env bash
# `devgen check` over every devenv.nix under a directory (a checkout of devenv, of a team's
# projects): how many pass, have findings, or do not parse, each finding printed. For
# maintainers after `scripts/update-devenv-options` or a checker change; nothing it reads is
# committed.
#
#   benches/check_corpus.sh DIR [devgen check options, e.g. --no-eval]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: benches/check_corpus.sh DIR [options]}"
shift
cargo build --release --quiet
devgen="$PWD/target/release/devgen"

clean=0 findings=0 errors=0 unchecked=0
while IFS= read -r -d '' file; do
  set +e
  report=$("$devgen" check --format json "$@" "$file" 2>/dev/null)
  code=$?
  set -e
  case $code in
    0) clean=$((clean + 1)) ;;
    1) findings=$((findings + 1))
       python3 -c 'import json,sys
for f in json.load(sys.stdin)["files"]:
    for x in f["findings"]: print("%s:%d:%d: %s" % (f["file"], x["line"], x["column"], x["message"]))' <<<"$report" ;;
    *) errors=$((errors + 1)); echo "$file: error (exit $code)" ;;
  esac
  if [ "$code" -le 1 ]; then
    unchecked=$((unchecked + $(python3 -c 'import json,sys; print(sum(len(f["unchecked"]) for f in json.load(sys.stdin)["files"]))' <<<"$report")))
  fi
done < <(find "$dir" -name devenv.nix -not -path '*/.devenv/*' -print0 | sort -z)
echo "clean: $clean, with findings: $findings, errors: $errors; values left unchecked: $unchecked"
