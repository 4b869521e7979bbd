#!/usr/bin/env bash
# The CLI on the bundled examples, as the README's first command runs it: every decision must
# equal examples/expected.jsonl, the example policies must type-check against the example
# schema, and Cedar mode must differ exactly where the examples fail closed.
set -euo pipefail
mandate=$1
root=$2
cd "$root"

actual=$("$mandate" eval --policies examples/policies --entities examples/entities.json \
  --requests examples/requests.jsonl)
diff <(printf '%s\n' "$actual") examples/expected.jsonl

out=$("$mandate" check examples/policies --schema examples/schema.cedarschema)
[[ $out == *"policies OK (type-checked against the schema)"* ]] || { echo "check said: $out"; exit 1; }

# With --schema, eval type-checks first and still decides the same.
with_schema=$("$mandate" eval --policies examples/policies --entities examples/entities.json \
  --schema examples/schema.cedarschema --requests examples/requests.jsonl)
[[ $with_schema == "$actual" ]] || { echo "eval with --schema decided differently"; exit 1; }

# Mandate mode fails closed on the request whose forbid errors; Cedar mode skips that forbid.
cedar=$("$mandate" eval --policies examples/policies --entities examples/entities.json \
  --requests examples/requests.jsonl --mode cedar)
changed=$(diff <(printf '%s\n' "$actual") <(printf '%s\n' "$cedar") | grep -c '^>' || true)
[[ $changed -ge 1 ]] || { echo "expected Cedar mode to differ on the fail-closed request"; exit 1; }
grep -q '"failed_closed":true' <<<"$actual"
if grep -q '"failed_closed":true' <<<"$cedar"; then echo "Cedar mode must never fail closed"; exit 1; fi
grep -q '"mode":"cedar"' <<<"$cedar"
# Agents acting through delegation chains, replayed at a fixed time (examples/agents).
agents=$("$mandate" eval --policies examples/policies --entities examples/entities.json \
  --requests examples/agents/requests.jsonl --now 2026-11-28T14:00:00Z)
diff <(printf '%s\n' "$agents") examples/agents/expected.jsonl
echo "examples: ok"
