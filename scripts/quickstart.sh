#!/usr/bin/env bash
# Installs what is missing (Debian 12), builds Mandate, and runs the CLI on the examples,
# printing each request's description next to its decision.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

# Pairs each request's description with its decision line (one line per request in both).
show() {
  local requests=$1
  shift
  local decisions
  decisions=$(build/tools/mandate/mandate eval --policies examples/policies \
    --entities examples/entities.json --requests "$requests" "$@")
  python3 - "$requests" <(printf '%s\n' "$decisions") <<'PY'
import json, sys
with open(sys.argv[1]) as requests, open(sys.argv[2]) as decisions:
    lines = [line for line in requests if line.strip()]
    for request, decision in zip(lines, decisions):
        print(json.loads(request).get("description", "(no description)"))
        print("  " + decision.rstrip("\n"))
PY
}

# The sessions example has its own policies and entities, and besides requests its script holds
# event and signal lines, each answered by one acknowledgement line; each description is
# prefixed with the line's session, or with "signal".
show_sessions() {
  local script=examples/sessions/script.jsonl
  local answers
  answers=$(build/tools/mandate/mandate eval --policies examples/sessions/policies --max-window 14d \
    --entities examples/sessions/entities.json --requests "$script")
  python3 - "$script" <(printf '%s\n' "$answers") <<'PY'
import json, sys
with open(sys.argv[1]) as script, open(sys.argv[2]) as answers:
    lines = [line for line in script if line.strip()]
    for line, answer in zip(lines, answers):
        entry = json.loads(line)
        where = entry.get("session", "signal")
        if "event" in entry:
            where += ", event"
        print(f"[{where}] " + entry.get("description", "(no description)"))
        print("  " + answer.rstrip("\n"))
PY
}

echo "== People and their agents (examples/requests.jsonl)"
show examples/requests.jsonl
echo
echo "== Agents acting through delegation chains, at 2026-11-28T14:00:00Z (examples/agents/requests.jsonl)"
show examples/agents/requests.jsonl --now 2026-11-28T14:00:00Z
echo
echo "== Sessions: history, events and signals (examples/sessions/script.jsonl)"
show_sessions
