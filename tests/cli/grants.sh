#!/usr/bin/env bash
# Just-in-time grants through `mandate grant`: issue, list, revoke and complete against a real
# grants file, with the exit codes a script would branch on.
# shellcheck disable=SC2015  # `check && check || fail` is meant to fail when either check does
set -euo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/p.cedar" <<'P'
@id("people-read") permit (principal is User, action in Action::"read_group", resource);
@id("people-write") permit (principal is User, action == Action::"write", resource);
@id("approved-agents") permit (principal is Agent, action in Action::"read_group", resource)
  when { principal.approved };
@id("agent-writes") permit (principal is Agent, action == Action::"write", resource);
@id("writes-need-approval") require_approval (principal is Agent, action == Action::"write", resource);
P
cat >"$work/e.json" <<'E'
[{"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": true}},
 {"uid": {"type": "Agent", "id": "sub"}, "attrs": {"approved": true}},
 {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": false}},
 {"uid": {"type": "Action", "id": "read"}, "parents": [{"type": "Action", "id": "read_group"}]},
 {"uid": {"type": "Action", "id": "list"}, "parents": [{"type": "Action", "id": "read_group"}]}]
E
grants="$work/grants.json"
now=2027-01-01T12:00:00Z
fail() {
  echo "grants: $*"
  exit 1
}
# Runs a command, keeping its stdout in $out and its exit code in $status (stderr in $work/err).
capture() {
  set +e
  out=$("$@" 2>"$work/err")
  status=$?
  set -e
}
# The id of a grant printed on one line.
id_of() { sed -n 's/^{"id":"\(g-[0-9a-f]*\)".*/\1/p' <<<"$1"; }
issue_raw() {
  "$mandate" grant issue --grants "$grants" --policies "$work/p.cedar" --entities "$work/e.json" "$@"
}
issue() { # agent, task, scope, then any extra flags
  local agent=$1 task=$2 scope=$3
  shift 3
  issue_raw --principal 'User::"alice"' --agent "Agent::\"$agent\"" --task "$task" \
    --scope "Action::\"$scope\"" --resource 'Doc::"d"' --now "$now" "$@"
}
revoke() { "$mandate" grant revoke --grants "$grants" --now "$now" "$@"; }
complete() { "$mandate" grant complete --grants "$grants" --now "$now" --task "$1"; }
list() { "$mandate" grant list --grants "$grants" --now "${1:-$now}"; }

# Issue: the grant is printed as one JSON line and the file is created, one grant per line.
out=$(issue bot t-1 read_group --duration 15m)
principal='"principal":{"type":"User","id":"alice"},"agent":{"type":"Agent","id":"bot"},"task":"t-1"'
[[ $out == '{"id":"g-'*'",'"$principal"* ]] || fail "issue: $out"
times='"issued_at":"2027-01-01T12:00:00Z","expires_at":"2027-01-01T12:15:00Z"'
[[ $out == *"$times"',"parent":"","revoked":false}' ]] || fail "issue times: $out"
root=$(id_of "$out")
[[ ${#root} -eq 34 ]] || fail "id: $root"
[[ -f $grants ]] || fail "no grants file"
[[ $(sed -n 2p "$grants") == "$out" ]] || fail "file: $(cat "$grants")"

# A sub-agent grant narrows the scope; its principal is the parent's agent, its expiry capped.
out=$(issue_raw --agent 'Agent::"sub"' --task t-1 --scope 'Action::"read"' --resource 'Doc::"d"' \
  --duration 2h --parent "$root" --now 2027-01-01T12:05:00Z)
[[ $out == *'"principal":{"type":"Agent","id":"bot"}'* ]] || fail "child principal: $out"
[[ $out == *'"expires_at":"2027-01-01T12:15:00Z","parent":"'"$root"'"'* ]] || fail "child expiry: $out"
child=$(id_of "$out")
# ... and may not widen it.
capture issue_raw --agent 'Agent::"rogue"' --task t-1 --scope 'Action::"write"' --resource 'Doc::"d"' \
  --duration 5m --parent "$child" --now "$now"
[[ $status -eq 1 && $out == '{"code":"grant.widens_parent",'* ]] || fail "widen ($status): $out"

# Refused: writes need approval, so no grant covers them; the refusal names the action, exit 1.
capture issue bot t-1 write --duration 15m
[[ $status -eq 1 ]] || fail "write grant exit $status"
denied='"denied_actions":[{"type":"Action","id":"write"}]}'
[[ $out == '{"code":"grant.denied",'*"$denied" ]] || fail "refusal: $out"
# An agent whose own ceiling does not reach the action is refused too.
capture issue rogue t-1 read --duration 15m
[[ $status -eq 1 && $out == '{"code":"grant.denied",'* ]] || fail "rogue grant ($status): $out"

other=$(id_of "$(issue bot t-2 read --duration 1h)")
third=$(id_of "$(issue sub t-3 list --duration 1d)")

# List: one line per grant, in issue order, with its state.
mapfile -t lines < <(list)
[[ ${#lines[@]} -eq 4 ]] || fail "list has ${#lines[@]} lines: ${lines[*]}"
[[ ${lines[0]} == '{"id":"'"$root"'",'*'"state":"active"}' ]] || fail "list 0: ${lines[0]}"
[[ ${lines[1]} == '{"id":"'"$child"'",'*'"state":"active"}' ]] || fail "list 1: ${lines[1]}"
# Later, the 15-minute grants have expired and the others have not.
mapfile -t lines < <(list 2027-01-01T12:30:00Z)
[[ ${lines[0]} == *'"state":"expired"}' && ${lines[1]} == *'"state":"expired"}' ]] ||
  fail "expiry: ${lines[*]}"
[[ ${lines[2]} == *'"state":"active"}' ]] || fail "expiry 2: ${lines[2]}"

# Revoke a grant: the grants delegated from it go with it.
[[ $(revoke --grant "$root") == '{"revoked":2}' ]] || fail "revoke"
[[ $(revoke --grant "$root") == '{"revoked":0}' ]] || fail "revoke again"
because='"revoked_because":"revoked by grant '"$root"' (delegated from '"$root"')","state":"revoked"}'
list | grep -q '"id":"'"$child"'".*"revoked":true,.*'"$because" || fail "cascade not in the file"
# A mistyped id is an error, not a silent success.
capture revoke --grant g-nope
[[ $status -eq 1 ]] && grep -q "no grant 'g-nope'" "$work/err" || fail "unknown grant id ($status)"

# Complete a task: its grants stop working, with their own state; a second time revokes none.
[[ $(complete t-2) == '{"revoked":1}' ]] || fail "complete"
[[ $(complete t-2) == '{"revoked":0}' ]] || fail "complete twice"
list | grep -q '"id":"'"$other"'".*"state":"task_completed"}' || fail "completed state"
capture issue bot t-2 read --duration 1h
[[ $status -eq 1 && $out == '{"code":"grant.task_completed",'* ]] || fail "reissue completed ($status): $out"

# Revoke by agent, by task and by principal.
[[ $(revoke --agent 'Agent::"sub"') == '{"revoked":1}' ]] || fail "revoke by agent"
list | grep -q '"id":"'"$third"'".*"state":"revoked"}' || fail "revoked by agent"
issue bot t-4 read --duration 1h >/dev/null
issue bot t-5 read --duration 1h >/dev/null
[[ $(revoke --task t-4) == '{"revoked":1}' ]] || fail "revoke by task"
[[ $(revoke --principal 'User::"alice"') == '{"revoked":1}' ]] || fail "revoke by principal"
[[ $(list | grep -c '"state":"active"') -eq 0 ]] || fail "still active: $(list)"

# Usage errors exit 2 and leave the file as it was.
before=$(cat "$grants")
for duration in 15 soon 0s; do
  capture issue bot t-9 read --duration "$duration"
  [[ $status -eq 2 ]] && grep -q -- '--duration' "$work/err" || fail "--duration $duration: exit $status"
done
capture issue_raw --principal 'User::"alice"' --agent 'Agent::"bot"' --task t --scope 'Action::"read"' \
  --resource 'Doc::"d"' --duration 1m --now yesterday
[[ $status -eq 2 ]] && grep -q 'RFC 3339' "$work/err" || fail "bad --now ($status)"
capture issue_raw --principal 'alice' --agent 'Agent::"bot"' --task t --scope 'Action::"read"' \
  --resource 'Doc::"d"' --duration 1m
[[ $status -eq 2 ]] && grep -q 'not an entity reference' "$work/err" || fail "bad --principal ($status)"
capture revoke --agent 'Agent::"bot"' --task t-1
[[ $status -eq 2 ]] || fail "two revoke selectors exit $status"
[[ $(cat "$grants") == "$before" ]] || fail "a failed command changed the file"

# A missing or damaged grants file is not an empty one, except for issue.
capture "$mandate" grant list --grants "$work/none.json"
[[ $status -eq 2 ]] || fail "missing file exit $status"
sed 's/"revoked":true/"revokd":true/' "$grants" >"$work/damaged.json"
capture "$mandate" grant revoke --grants "$work/damaged.json" --task t-1
[[ $status -eq 2 ]] && grep -q 'unexpected field "revokd"' "$work/err" || fail "damaged file ($status)"
echo "grants: ok"
