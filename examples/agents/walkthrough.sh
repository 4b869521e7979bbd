#!/usr/bin/env bash
# An agent's task from grant to revocation, with the bundled example policies and entities:
#   examples/agents/walkthrough.sh [path/to/mandate]
# Every step prints what Mandate said; the script stops at the first answer that is not the
# one the step expects, so it doubles as a test (ctest runs it).
set -euo pipefail
mandate=${1:-build/tools/mandate/mandate}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grants=$work/grants.json
at=2026-11-28T10:00:00Z
policies=(--policies examples/policies --entities examples/entities.json)

step() { printf '\n== %s\n' "$*"; }
expect() {  # expect PATTERN TEXT
  [[ $2 == *"$1"* ]] || { echo "unexpected: $2"; exit 1; }
  echo "$2"
}
id_of() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$1"; }
ask() {  # ask GRANT [ENTITIES]: the example request, presenting GRANT
  local grant=$1 entities=${2:-examples/entities.json}
  sed "s/GRANT/$grant/" examples/agents/grant-request.json >"$work/request.json"
  "$mandate" eval --policies examples/policies --entities "$entities" --grants "$grants" \
    --audit "$work/audit.log" --now "$at" --request "$work/request.json"
}

step "Alice grants the support bot read access to acme for task T-1, for two hours"
bot=$(id_of "$("$mandate" grant issue --grants "$grants" "${policies[@]}" --now "$at" --principal 'User::"alice"' \
  --agent 'Agent::"support-bot"' --task T-1 --scope 'Action::"reads"' --resource 'Customer::"acme"' --duration 2h)")
echo "issued $bot"

step "The bot delegates reading to the summarizer (a narrower sub-grant)"
sub=$(id_of "$("$mandate" grant issue --grants "$grants" "${policies[@]}" --now "$at" --parent "$bot" \
  --agent 'Agent::"summarizer"' --task T-1 --scope 'Action::"read"' --resource 'Customer::"acme"' --duration 1h)")
echo "issued $sub"

step "A grant to read globex, a restricted record, is refused: Alice may not read it herself"
refused=$("$mandate" grant issue --grants "$grants" "${policies[@]}" --now "$at" --principal 'User::"alice"' \
  --agent 'Agent::"support-bot"' --task T-1 --scope 'Action::"read"' --resource 'Customer::"globex"' \
  --duration 1h || true)
expect '"grant.denied"' "$refused"

step "The bot reads acme presenting its grant: allowed, both Alice and the bot checked"
expect '"decision":"allow"' "$(ask "$bot")"
step "The summarizer reads acme presenting the sub-grant: allowed through both hops"
expect '"decision":"allow"' "$(ask "$sub")"

step "Alice leaves the support group: the very next request through the grant is denied at hop 0"
expect '"decided_by":{"hop":0' "$(ask "$bot" examples/agents/entities-alice-left-support.json)"

step "Revoking the bot's grant revokes the summarizer's too (cascade)"
expect '"revoked":2' "$("$mandate" grant revoke --grants "$grants" --grant "$bot" --now "$at")"
expect '"violation":"grant.revoked"' "$(ask "$sub")"

step "A new grant for task T-2, then the task completes: its grants stop working"
t2=$(id_of "$("$mandate" grant issue --grants "$grants" "${policies[@]}" --now "$at" --principal 'User::"alice"' \
  --agent 'Agent::"support-bot"' --task T-2 --scope 'Action::"read"' --resource 'Customer::"acme"' --duration 1h)")
expect '"decision":"allow"' "$(ask "$t2")"
"$mandate" grant complete --grants "$grants" --task T-2 --now "$at" >/dev/null
expect '"violation":"grant.task_completed"' "$(ask "$t2")"

step "Three hours later every grant has expired anyway"
at=2026-11-28T13:00:00Z
"$mandate" grant list --grants "$grants" --now "$at"

step "The audit trail: one line per decision, with the chain, the grant and the session"
wc -l <"$work/audit.log"
"$mandate" audit report "${policies[@]}" --log "$work/audit.log" --grants "$grants"
