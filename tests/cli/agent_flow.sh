#!/usr/bin/env bash
# An agent's day through the CLI: a grant is issued, requests presenting it are decided and
# audited, the task completes, the next request through the grant is denied, and the audit
# report reads the log back.
set -euo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now=2027-03-01T09:00:00Z
cat >"$work/p.cedar" <<'P'
@id("people-read") permit (principal is User, action == Action::"read", resource);
@id("agents-read") permit (principal is Agent, action == Action::"read", resource);
@id("agents-delete") permit (principal is Agent, action == Action::"delete", resource);
P
echo '[]' >"$work/e.json"
grant=$("$mandate" grant issue --grants "$work/grants.json" --policies "$work/p.cedar" --entities "$work/e.json" \
  --principal 'User::"alice"' --agent 'Agent::"bot"' --task t-1 --scope 'Action::"read"' --resource 'Doc::"d"' \
  --duration 1h --now "$now")
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$grant")
[[ $id == g-* ]] || { echo "issue printed: $grant"; exit 1; }
request() {
  printf '{"principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"read"},"resource":{"type":"Doc","id":"d"},"grant":"%s","session":"s-1"}\n' "$1"
}
request "$id" >"$work/r.jsonl"
out=$("$mandate" eval --policies "$work/p.cedar" --entities "$work/e.json" --grants "$work/grants.json" \
  --audit "$work/audit.log" --requests "$work/r.jsonl" --now 2027-03-01T09:10:00Z)
[[ $out == '{"decision":"allow",'* ]] || { echo "through the grant: $out"; exit 1; }
# A request naming a grant without --grants is refused, never evaluated without its chain.
if "$mandate" eval --policies "$work/p.cedar" --requests "$work/r.jsonl" >"$work/no_grants"; then
  echo "a grant request without --grants was accepted"; exit 1
fi
grep -q '"error":"request names grant' "$work/no_grants"
# The task completes: the same request is now denied.
"$mandate" grant complete --grants "$work/grants.json" --task t-1 --now 2027-03-01T09:20:00Z >/dev/null
out=$("$mandate" eval --policies "$work/p.cedar" --entities "$work/e.json" --grants "$work/grants.json" \
  --audit "$work/audit.log" --requests "$work/r.jsonl" --now 2027-03-01T09:30:00Z)
[[ $out == *'"decision":"deny"'*'"violation":"grant.task_completed"'* ]] || { echo "after completion: $out"; exit 1; }
# Two decisions, two audit lines naming the grant, the session and the chain.
[[ $(wc -l <"$work/audit.log") -eq 2 ]] || { cat "$work/audit.log"; exit 1; }
grep -q "\"grant\":\"$id\"" "$work/audit.log"
grep -q '"session":"s-1"' "$work/audit.log"
grep -q '"delegation":\[{' "$work/audit.log"
# The report sees the unused delete permit.
report=$("$mandate" audit report --policies "$work/p.cedar" --entities "$work/e.json" --log "$work/audit.log" \
  --format json)
[[ $report == *'"unused_permits":['*'"agents-delete"'* ]] || { echo "report: $report"; exit 1; }
# A grant issued and never presented appears in no log; with --grants the report lists it.
idle=$("$mandate" grant issue --grants "$work/grants.json" --policies "$work/p.cedar" --entities "$work/e.json" \
  --principal 'User::"alice"' --agent 'Agent::"bot"' --task t-2 --scope 'Action::"read"' --resource 'Doc::"d"' \
  --duration 1h --now "$now")
idle_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$idle")
report=$("$mandate" audit report --policies "$work/p.cedar" --entities "$work/e.json" --log "$work/audit.log" \
  --grants "$work/grants.json" --format json)
[[ $report == *"\"unused_grants\":[\"$idle_id\"]"* ]] || { echo "report with grants: $report"; exit 1; }
echo "agent flow: ok"
