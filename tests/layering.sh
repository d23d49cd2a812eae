#!/usr/bin/env bash
# Layering at header level: a module may include only headers of the modules it depends on
# (core <- market <- protocol <- agents <- experiments; analysis <- core; experiments may use
# analysis). Fails naming the file, the line and the forbidden module.
# Usage: bash tests/layering.sh [SOURCE_DIR]
set -u
if [[ ${1:-} == --self-test ]]; then
  # The check must catch a violation: market including a protocol header.
  tree=$(mktemp -d)
  trap 'rm -rf "$tree"' EXIT
  mkdir -p "$tree/market" "$tree/core"
  printf '#include "core/units.h"\n#include "protocol/ledger.h"\n' > "$tree/market/bad.cpp"
  if bash "$0" "$tree" 2>/dev/null; then echo "FAIL: a market -> protocol include was not caught" >&2; exit 1; fi
  echo "layering self-test: the violation was caught"
  exit 0
fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
declare -A allowed=(
  [core]="core"
  [market]="core market"
  [protocol]="core market protocol"
  [agents]="core market protocol agents"
  [analysis]="core analysis"
  [experiments]="core market protocol agents analysis experiments"
  [bench]="core market protocol agents analysis experiments bench"
  [python]="core market protocol agents analysis experiments"
)
failures=0
for module in "${!allowed[@]}"; do
  [[ -d $root/$module ]] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    included=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<< "$rest")
    if [[ " ${allowed[$module]} " != *" $included "* ]]; then
      echo "FAIL: ${file#$root/}:$line includes a header of '$included'; $module may include: ${allowed[$module]}" >&2
      failures=$((failures + 1))
    fi
  done < <(grep -rnE '#include "[a-z_]+/' "$root/$module" --include='*.h' --include='*.cpp')
done
if ((failures == 0)); then echo "layering: every include follows the module graph"; fi
exit $((failures > 0))
