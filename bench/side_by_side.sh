#!/usr/bin/env bash
# Mandate and Cedar side by side on the same generated workload (issue 9, part 3):
#
#   bench/side_by_side.sh WORKLOAD_TOOL [WORK_DIR] [POLICY_COUNTS...]
#
# WORKLOAD_TOOL is the `mandate_workload` binary of a Release build with
# -DMANDATE_BUILD_BENCH=ON. For each policy count (default 10 100 1000 10000) it writes a
# Cedar-only workload (10,000 entities, 512 requests; bench/workload.hpp), times it through
# Mandate's C++ API (Cedar mode, entities preloaded) and through @cedar-policy/cedar-wasm 4.13.0
# (preparsePolicySet + statefulIsAuthorized with each request's entity slice), checks that every
# decision and its determining policies agree, and prints one table row per count. Needs node
# and npm (Debian: nodejs, npm) and the npm registry the first time.
set -euo pipefail
if (($# < 1)); then
  echo "usage: $0 WORKLOAD_TOOL [WORK_DIR] [POLICY_COUNTS...]" >&2
  exit 2
fi
tool=$(realpath "$1")
work=$(realpath -m "${2:-build-bench/side_by_side}")
shift $(($# >= 2 ? 2 : 1))
counts=("$@")
((${#counts[@]} > 0)) || counts=(10 100 1000 10000)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v node >/dev/null || { echo "side_by_side: node is not installed (apt-get install nodejs npm)" >&2; exit 77; }

field() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"; }

echo "| Policies | Mandate p50 | Mandate p99 | Cedar (wasm) p50 | Cedar (wasm) p99 | p50 ratio | Decisions agree |"
echo "|---|---|---|---|---|---|---|"
status=0
for n in "${counts[@]}"; do
  dir=$work/n$n
  "$tool" generate --policies "$n" --cedar-only --out "$dir" >/dev/null
  mandate=$("$tool" time "$dir" --rounds 20)
  rc=0
  cedar=$(node "$here/side_by_side.mjs" --work "$work/npm" --workload "$dir" --rounds 20) || rc=$?
  if ((rc == 77)); then
    echo "side_by_side: cedar-wasm could not be installed: $cedar" >&2
    exit 77
  fi
  ((rc == 0)) || status=1
  m50=$(field p50_ns "$mandate")
  m99=$(field p99_ns "$mandate")
  c50=$(field p50_ns "$cedar")
  c99=$(field p99_ns "$cedar")
  ratio=$(awk -v c="$c50" -v m="$m50" 'BEGIN { printf "%.0fx", c / m }')
  echo "| $n | $m50 ns | $m99 ns | $c50 ns | $c99 ns | $ratio | $(field agree "$cedar") of $(field requests "$cedar") ($(field allows "$cedar") allows) |"
done
exit $status
