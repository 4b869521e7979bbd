#!/usr/bin/env bash
# Builds Mandate with its tests and runs all of them: the C++ suites through ctest, then the
# Python tests when there are any.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh
cmake -S . -B build -DMANDATE_BUILD_TESTS=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2

if [[ -d tests/python ]]; then
  status=0
  python3 -m pytest -q tests/python || status=$?
  # pytest exits 5 when it collected no tests: nothing to run is not a failure.
  if ((status != 0 && status != 5)); then
    exit "$status"
  fi
fi
