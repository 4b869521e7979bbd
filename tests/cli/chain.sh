#!/usr/bin/env bash
# Agent requests with a delegation chain through `mandate eval`: the identity that decided is
# named, a broken chain is a deny with its code, and --now makes expiry exact.
set -euo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/p.cedar" <<'P'
@id("people-read") permit (principal is User, action == Action::"read", resource);
@id("approved-agents") permit (principal is Agent, action == Action::"read", resource) when { principal.approved };
P
cat >"$work/e.json" <<'E'
[{"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": true}},
 {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": false}}]
E
req() {  # agent, expires_at
  printf '{"principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"read"},"resource":{"type":"Doc","id":"d"},"agent":{"type":"Agent","id":"%s"},"delegation":[{"delegator":{"type":"User","id":"alice"},"delegate":{"type":"Agent","id":"%s"},"scope":[{"type":"Action","id":"read"}],"issued_at":"2027-01-01T00:00:00Z","expires_at":"%s"}]}\n' "$1" "$1" "$2"
}
{
  req bot 2027-01-02T00:00:00Z
  req rogue 2027-01-02T00:00:00Z
  req bot 2027-01-01T06:00:00Z
} >"$work/r.jsonl"
out=$("$mandate" eval --policies "$work/p.cedar" --entities "$work/e.json" --requests "$work/r.jsonl" \
  --now 2027-01-01T12:00:00Z)
mapfile -t lines <<<"$out"
[[ ${lines[0]} == '{"decision":"allow",'*'"decided_by":{"hop":0,"principal":"User::\"alice\""}}' ]] || { echo "1: ${lines[0]}"; exit 1; }
[[ ${lines[1]} == '{"decision":"deny",'*'"decided_by":{"hop":1,"principal":"Agent::\"rogue\""}}' ]] || { echo "2: ${lines[1]}"; exit 1; }
[[ ${lines[2]} == *'"chain":{"violation":"chain.expired",'* ]] || { echo "3: ${lines[2]}"; exit 1; }
# The same first request, replayed after its hop expired.
late=$("$mandate" eval --policies "$work/p.cedar" --entities "$work/e.json" --requests <(head -1 "$work/r.jsonl") \
  --now 2027-01-03T00:00:00Z)
[[ $late == *'"violation":"chain.expired"'* ]] || { echo "late: $late"; exit 1; }
if "$mandate" eval --policies "$work/p.cedar" --requests "$work/r.jsonl" --now yesterday 2>"$work/err"; then
  echo "a bad --now was accepted"; exit 1
fi
grep -q "RFC 3339" "$work/err"
echo "chain: ok"
