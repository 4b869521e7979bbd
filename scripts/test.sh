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
  # Debian's python3-pytest installs into /usr/bin/python3; a python3 earlier on PATH (pyenv,
  # a virtualenv) may lack pytest. $PYTHON overrides the choice.
  python=${PYTHON:-python3}
  if ! "$python" -c 'import pytest' 2>/dev/null && [[ -z ${PYTHON:-} && -x /usr/bin/python3 ]]; then
    python=/usr/bin/python3
  fi
  status=0
  "$python" -m pytest -q tests/python || status=$?
  # pytest exits 5 when it collected no tests: nothing to run is not a failure.
  if ((status != 0 && status != 5)); then
    exit "$status"
  fi
fi
