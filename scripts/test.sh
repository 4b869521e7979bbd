#!/usr/bin/env bash
# Builds Mandate with its tests and the Python bindings, and runs all of them: the C++ suites
# through ctest, then the Python tests (tests/python) against the package built in build/python.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh

# Debian's python3-pytest installs into /usr/bin/python3; a python3 earlier on PATH (pyenv,
# a virtualenv) may lack pytest. $PYTHON overrides the choice. The bindings are built for the
# same interpreter, so the extension imports where pytest runs.
python=${PYTHON:-python3}
if ! "$python" -c 'import pytest' 2>/dev/null && [[ -z ${PYTHON:-} && -x /usr/bin/python3 ]]; then
  python=/usr/bin/python3
fi
python=$(command -v "$python")

cmake -S . -B build -DMANDATE_BUILD_TESTS=ON -DMANDATE_BUILD_PYTHON=ON -DPython_EXECUTABLE="$python"
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2

if [[ -d tests/python ]]; then
  status=0
  PYTHONPATH="$PWD/build/python${PYTHONPATH:+:$PYTHONPATH}" "$python" -m pytest -q -p no:cacheprovider tests/python || status=$?
  # pytest exits 5 when it collected no tests: nothing to run is not a failure.
  if ((status != 0 && status != 5)); then
    exit "$status"
  fi
fi
