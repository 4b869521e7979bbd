#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds Mandate, and runs the CLI on the examples,
# printing each request's description next to its decision.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

decisions=$(build/tools/mandate/mandate eval --policies examples/policies \
  --entities examples/entities.json --requests examples/requests.jsonl)

# Pair each request's description with its decision line (both files have one line per request).
python3 - examples/requests.jsonl <(printf '%s\n' "$decisions") <<'PY'
import json, sys
with open(sys.argv[1]) as requests, open(sys.argv[2]) as decisions:
    lines = [line for line in requests if line.strip()]
    for request, decision in zip(lines, decisions):
        print(json.loads(request).get("description", "(no description)"))
        print("  " + decision.rstrip("\n"))
PY
