#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang-14 and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]
# New corpus goes to a scratch directory (never into the repository): $MANDATE_FUZZ_WORK, else
# a fresh mktemp dir. Crash files go to the same place. Exit status 1 on any finding.
# Needs clang-14 and libfuzzer-14-dev / libclang-rt-14-dev (Debian).
set -euo pipefail

seconds=${1:-60}
build_dir=${2:-build-fuzz}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The fuzzing toolchain is not among the build's dependencies (scripts/install-deps.sh): it is
# installed here, the same way, when it is missing.
missing=()
for package in clang-14 libfuzzer-14-dev libclang-rt-14-dev; do
  info=$(dpkg -s "$package" 2>/dev/null || true)
  [[ $info == *$'\nStatus: install ok installed\n'* ]] || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fuzz: missing ${missing[*]}; run as root: apt-get install ${missing[*]}" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

targets=(policy_parser schema_parser json_loader eval_diff)
# Longest input per target: policy and schema text is worth a few KB; structured eval_diff
# inputs are choices, not text, so a few hundred bytes already make several policies.
declare -A max_len=([policy_parser]=4096 [schema_parser]=4096 [json_loader]=4096 [eval_diff]=2048)

CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S . -B "$build_dir" -DMANDATE_BUILD_FUZZERS=ON \
  -DMANDATE_BUILD_TESTS=OFF -DMANDATE_BUILD_TOOLS=OFF -DMANDATE_INSTALL=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "${MANDATE_FUZZ_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

work=${MANDATE_FUZZ_WORK:-$(mktemp -d /tmp/mandate-fuzz.XXXXXX)}
echo "fuzz: scratch corpus and crash files in $work"
status=0
for target in "${targets[@]}"; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts"
  mkdir -p "$corpus" "$artifacts"
  log="$work/$target/log.txt"
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  # The first corpus directory receives new inputs; the seeds in the repository are read only.
  # Sanitizer reports are findings too, so they abort rather than just print.
  set +e
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build_dir/fuzz/fuzz_$target" "$corpus" "fuzz/corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crash=$(ls -1 "$artifacts" 2>/dev/null | head -1)
  if [[ $rc -ne 0 || -n $crash ]]; then
    status=1
    echo "fuzz $target: FINDING after ${runs:-?} executions: ${crash:+$artifacts/$crash} (log: $log)"
    grep -m1 -E 'ERROR: |runtime error|plan and reference|formatt' "$log" || tail -5 "$log"
  else
    echo "fuzz $target: ${runs:-?} executions, no finding"
  fi
done
exit $status
