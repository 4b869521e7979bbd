#!/usr/bin/env bash
# The sanitizer runs (issue 10, part 2), each in a build directory of its own:
#   asan  AddressSanitizer + UndefinedBehaviorSanitizer over the whole C++ suite (ctest: unit,
#         CLI, conformance and server tests) and the Python tests, any report fatal;
#   tsan  ThreadSanitizer over the concurrency stress tests and the decision server's tests
#         (16 concurrent clients, reloads under load), any report fatal.
# Usage: scripts/sanitize.sh [asan] [tsan]   (both when none is named). Builds with GCC's
# sanitizers (part of Debian's gcc, nothing to install) at -O1 with line tables only (-g1), so
# builds and runs stay a few minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=("$@")
((${#runs[@]} > 0)) || runs=(asan tsan)
jobs=$(nproc)

python=${PYTHON:-/usr/bin/python3}

# Reports stop the run (halt_on_error) with a non-zero exit; leaks too (a leak in a long-running
# server is a slow crash). UBSan prints a stack for each report.
base_asan_options=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1}
base_ubsan_options=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
base_tsan_options=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp}

# GCC's -Wmaybe-uninitialized misfires on std::regex under the sanitizers; the normal build
# keeps the warning.
configure() {
  local dir=$1 flags=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DMANDATE_BUILD_TESTS=ON -DMANDATE_INSTALL=OFF \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DCMAKE_CXX_FLAGS="$flags -fno-omit-frame-pointer -Wno-maybe-uninitialized" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" -DCMAKE_MODULE_LINKER_FLAGS="$flags" \
    "$@" >/dev/null
}

# Sanitizer reports go to files under $1 (log_path) as well as failing the process: a CLI test
# that expects `mandate` to exit 1 would otherwise pass over a report. Prints them and fails.
watch_reports() {
  reports=$1
  rm -rf "$reports"
  mkdir -p "$reports"
  export ASAN_OPTIONS="$base_asan_options:log_path=$reports/asan:exitcode=86"
  export UBSAN_OPTIONS="$base_ubsan_options:log_path=$reports/ubsan:exitcode=86"
  export TSAN_OPTIONS="$base_tsan_options:log_path=$reports/tsan:exitcode=86"
}
check_reports() {
  local status=$1
  if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: sanitizer reports in $reports:" >&2
    head -c 20000 "$reports"/* >&2
    exit 1
  fi
  if ((status != 0)); then
    exit "$status"
  fi
}

run_asan() {
  local dir=build-asan flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
  echo "sanitize: AddressSanitizer + UBSan build in $dir"
  configure "$dir" "$flags" -DMANDATE_BUILD_PYTHON=ON -DPython_EXECUTABLE="$python"
  cmake --build "$dir" -j"$jobs"
  watch_reports "$PWD/$dir/sanitizer-reports"
  local status=0
  (
    # ASan's redzones make frames many times larger (the compiler's expression walk takes ~9 KB
    # a level), so the depths the limits allow in a normal build (up to 8,192) need a bigger
    # stack here; threads inherit it. Only the soft limit, and in this subshell; where the hard
    # limit is lower, as much as it allows. The limits themselves are checked by the normal build.
    if ! ulimit -S -s 262144 2>/dev/null; then
      echo "sanitize: cannot raise the stack to 256 MiB (hard limit $(ulimit -H -s)); the deepest tests may overflow" >&2
      ulimit -S -s "$(ulimit -H -s)"
    fi
    # cedar_wasm_differential runs node, not Mandate's code under test beyond the CLI it already
    # covers; install_and_consume rebuilds the library without the sanitizer flags.
    # (set -e does not hold in a subshell whose status is tested: each step exits on failure.)
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" -E '^(cedar_wasm_differential|install_and_consume)$' ||
      exit $?
    if [[ -d tests/python ]]; then
      # CPython is not built with ASan: its runtime must be loaded first (with libstdc++, or ASan
      # cannot find the real __cxa_throw), and CPython's own allocations at exit are not leaks of ours.
      preload="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libstdc++.so)"
      LD_PRELOAD="$preload" ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
        PYTHONPATH="$PWD/$dir/python" PYTHONDONTWRITEBYTECODE=1 \
        "$python" -m pytest -q -p no:cacheprovider tests/python || exit $?
    fi
  ) || status=$?
  check_reports "$status"
}

run_tsan() {
  local dir=build-tsan flags="-fsanitize=thread"
  echo "sanitize: ThreadSanitizer build in $dir"
  configure "$dir" "$flags"
  cmake --build "$dir" -j"$jobs" --target mandate_concurrency_tests mandate_cli
  watch_reports "$PWD/$dir/sanitizer-reports"
  local status=0
  ctest --test-dir "$dir" --output-on-failure -R '^(concurrency|serve)$' || status=$?
  check_reports "$status"
}

for run in "${runs[@]}"; do
  case $run in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *)
      echo "sanitize: unknown run '$run' (asan, tsan)" >&2
      exit 2
      ;;
  esac
done
echo "sanitize: ${runs[*]}: no reports"
