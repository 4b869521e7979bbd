#!/usr/bin/env bash
# `mandate audit report` over a hand-written audit log: the text report for people, the JSON
# report for tools, an empty report for a tight setup, and the exit codes (0 report printed;
# 1 a malformed line, named by file and line, with the rest still reported; 2 nothing could
# be reported: an unreadable log, policies that do not compile).
set -uo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE STDERR_PATTERN -- COMMAND...; leaves stdout in $work/stdout
expect() {
  local code=$1 pattern=$2
  shift 3
  local status
  "$@" >"$work/stdout" 2>"$work/stderr"
  status=$?
  [[ $status -eq $code ]] || fail "$* exited $status, expected $code (stderr: $(cat "$work/stderr"))"
  [[ $(cat "$work/stderr") == *"$pattern"* ]] || fail "$*: stderr lacks '$pattern': $(cat "$work/stderr")"
}
# has LINE: stdout has exactly this line
has() { grep -qxF -- "$1" "$work/stdout" || fail "stdout lacks line '$1': $(cat "$work/stdout")"; }

cat >"$work/loose.cedar" <<'P'
@id("people") permit (principal is User, action in [Action::"read", Action::"write"], resource);
@id("agents-read") permit (principal is Agent, action == Action::"read", resource);
@id("agents-write") permit (principal is Agent, action == Action::"write", resource);
@id("legacy") permit (principal == User::"root", action, resource);
P
cat >"$work/tight.cedar" <<'P'
@id("people") permit (principal is User, action == Action::"read", resource);
@id("agents-read") permit (principal is Agent, action == Action::"read", resource);
P
cat >"$work/entities.json" <<'E'
[{"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
 {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []}]
E

# hop DELEGATOR_TYPE DELEGATOR DELEGATE SCOPE_ACTION GRANT
hop() {
  printf '{"delegator":{"type":"%s","id":"%s"},"delegate":{"type":"Agent","id":"%s"},"scope":[{"type":"Action","id":"%s"}],"issued_at":"2027-01-01T00:00:00.000Z","expires_at":"2027-01-02T00:00:00.000Z","grant":"%s"}' "$@"
}
# record ID DECISION ACTION RESOURCE DELEGATION REASONS EXTRA
record() {
  printf '{"id":"%s","time":"2027-01-01T12:00:00.000Z","decision":"%s","subject":{"type":"User","id":"alice"},"actor":{"type":"Agent","id":"bot"},"delegation":[%s],"action":{"type":"Action","id":"%s","name":"%s"},"resource":{"type":"Doc","id":"%s"},"reasons":[%s],"errors":[]%s,"policy_set_hash":"00000000000000ff","engine":{"name":"mandate","version":"0.1.0"},"mode":"mandate"}\n' \
    "$1" "$2" "$5" "$3" "$3" "$4" "$6" "$7"
}
direct=$(hop User alice bot read g-1)
deep="$(hop User alice helper read g-2),$(hop Agent helper bot read g-3)"
refused=$(hop User alice bot read g-4)
{
  record d-1 allow read d1 "$direct" '"people"' ',"deciding_hop":0'
  echo
  record d-2 allow read d2 "$deep" '"people"' ',"deciding_hop":0'
  record d-3 deny write d1 "$refused" '' ',"chain_violation":"chain.out_of_scope"'
} >"$work/audit.log"

# The text report, for people.
expect 0 "" -- "$mandate" audit report --policies "$work/loose.cedar" --entities "$work/entities.json" \
  --log "$work/audit.log"
has 'Least-privilege report over 3 records from 1 log (3 decided by another version of the policies)'
has 'Permits that never let a request through: 2'
has '  agents-write'
has '  legacy'
has 'Agents allowed more than they used: 1'
has '  Agent::"bot": unused Action::"write"; allowed Action::"read", Action::"write"; used Action::"read"'
has 'Grants never used for an allowed request: 1'
has '  g-4'
has 'Delegation chains deeper than needed: 1'
has '  d-2: 2 hops where 1 would do'
grep -q 'agents-read' "$work/stdout" && fail "agents-read let bot read, yet was reported unused"

# The JSON report, for tools: one line, the same findings.
expect 0 "" -- "$mandate" audit report --policies "$work/loose.cedar" --entities "$work/entities.json" \
  --log "$work/audit.log" --format json
has '{"unused_permits":["agents-write","legacy"],"agents":[{"agent":{"type":"Agent","id":"bot"},"allowed_actions":[{"type":"Action","id":"read"},{"type":"Action","id":"write"}],"used_actions":[{"type":"Action","id":"read"}],"excess_actions":[{"type":"Action","id":"write"}]}],"unused_grants":["g-4"],"deep_chains":[{"decision_id":"d-2","depth":2,"needed":1}]}'
[[ $(wc -l <"$work/stdout") -eq 1 ]] || fail "the JSON report is not one line"

# Several logs, one from stdin: the records add up.
head -1 "$work/audit.log" >"$work/first.log"
tail -n +2 "$work/audit.log" | "$mandate" audit report --policies "$work/loose.cedar" \
  --entities "$work/entities.json" --log "$work/first.log" - >"$work/stdout" 2>"$work/stderr" ||
  fail "two logs: exit $? ($(cat "$work/stderr"))"
has 'Least-privilege report over 3 records from 2 logs (3 decided by another version of the policies)'
has '  d-2: 2 hops where 1 would do'

# A tight setup: nothing to report.
record d-1 allow read d1 "$direct" '"people"' ',"deciding_hop":0' >"$work/tight.log"
expect 0 "" -- "$mandate" audit report --policies "$work/tight.cedar" --entities "$work/entities.json" \
  --log "$work/tight.log"
has 'Permits that never let a request through: none'
has 'Agents allowed more than they used: none'
has 'Grants never used for an allowed request: none'
has 'Delegation chains deeper than needed: none'
expect 0 "" -- "$mandate" audit report --policies "$work/tight.cedar" --entities "$work/entities.json" \
  --log "$work/tight.log" --format json
has '{"unused_permits":[],"agents":[],"unused_grants":[],"deep_chains":[]}'

# A malformed line: named with its file and line; the other lines are still reported; exit 1.
{
  record d-1 allow read d1 "$direct" '"people"' ',"deciding_hop":0'
  echo '{"id": "d-broken", "decision": "allow"'
  record d-2 allow read d2 "$deep" '"people"' ',"deciding_hop":0' |
    sed 's/"decision":"allow"/"decision":"perhaps"/'
  record d-3 deny write d1 "$refused" '' ',"chain_violation":"chain.out_of_scope"'
} >"$work/bad.log"
expect 1 "$work/bad.log:2:1: error[audit]: audit line: invalid JSON" -- \
  "$mandate" audit report --policies "$work/loose.cedar" --entities "$work/entities.json" --log "$work/bad.log"
grep -qF '    2 | {"id": "d-broken", "decision": "allow"' "$work/stderr" || fail "line 2 not quoted: $(cat "$work/stderr")"
grep -qF "$work/bad.log:3:1: error[audit]: audit line: decision: \"perhaps\"" "$work/stderr" ||
  fail "line 3 not named: $(cat "$work/stderr")"
has 'Least-privilege report over 2 records from 1 log (2 decided by another version of the policies)'
has '  g-4'

# Nothing can be reported: exit 2 with the reason, and no report at all.
expect 2 "cannot read '$work/missing.log': No such file or directory" -- \
  "$mandate" audit report --policies "$work/loose.cedar" --log "$work/audit.log" "$work/missing.log"
[[ -s $work/stdout ]] && fail "a report was printed without one of its logs"
expect 2 "cannot read '$work': Is a directory" -- \
  "$mandate" audit report --policies "$work/loose.cedar" --log "$work"
expect 2 "cannot read '$work/missing.cedar'" -- \
  "$mandate" audit report --policies "$work/missing.cedar" --log "$work/audit.log"
echo 'permit (principal, action, resource' >"$work/broken.cedar"
expect 2 "error" -- "$mandate" audit report --policies "$work/broken.cedar" --log "$work/audit.log"
expect 2 "cannot read '$work/missing.json'" -- "$mandate" audit report --policies "$work/loose.cedar" \
  --entities "$work/missing.json" --log "$work/audit.log"
expect 2 "--format" -- \
  "$mandate" audit report --policies "$work/loose.cedar" --log "$work/audit.log" --format xml
expect 2 "--log" -- "$mandate" audit report --policies "$work/loose.cedar"
expect 2 "" -- "$mandate" audit

if ((failures > 0)); then
  echo "audit: $failures failure(s)"
  exit 1
fi
echo "audit: ok"
