#!/usr/bin/env bash
# Continuous authorization through the CLI, as a user runs the two examples:
# - examples/sessions: `mandate eval` over a script of requests in sessions, response events and
#   CAEP signals must print exactly examples/sessions/expected.jsonl, and the key decisions are
#   asserted one by one (so a wrong expected file cannot hide a wrong engine);
# - examples/dogwood: `mandate replay` of a Dogwood trace must print exactly expected.out;
# - malformed session lines print an error object in their place, never an allow.
set -euo pipefail
mandate=$1
root=$2
cd "$root"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Byte-for-byte comparison of a command's stdout with an expected file; a diff on mismatch.
same_bytes() {
  local actual=$1 expected=$2
  if ! cmp -s "$actual" "$expected"; then
    echo "output differs from $expected:" >&2
    diff -u "$expected" "$actual" >&2 || true
    exit 1
  fi
}

# ---- examples/sessions ------------------------------------------------------------------
sessions=examples/sessions
status=0
"$mandate" eval --policies "$sessions/policies" --max-window 14d --entities "$sessions/entities.json" \
  --requests "$sessions/script.jsonl" >"$work/sessions.out" 2>"$work/sessions.err" || status=$?
[[ $status -eq 0 ]] || { cat "$work/sessions.err" >&2; fail "eval on $sessions exited with $status"; }
[[ ! -s "$work/sessions.err" ]] || { cat "$work/sessions.err" >&2; fail "eval on $sessions wrote to stderr"; }
same_bytes "$work/sessions.out" "$sessions/expected.jsonl"

# The output line answering the script line whose description starts with $1.
answer_to() {
  local n
  n=$(grep -n -F "\"description\": \"$1" "$sessions/script.jsonl" | head -n 1 | cut -d: -f1)
  [[ -n $n ]] || fail "no script line described as '$1'"
  sed -n "${n}p" "$work/sessions.out"
}

# expect DESCRIPTION-PREFIX SUBSTRING...: the answer holds every substring.
expect() {
  local description=$1
  shift
  local line
  line=$(answer_to "$description")
  for want in "$@"; do
    [[ $line == *"$want"* ]] || fail "'$description': expected $want in: $line"
  done
}

# expect_not DESCRIPTION-PREFIX SUBSTRING: the answer does not hold it.
expect_not() {
  local line
  line=$(answer_to "$1")
  [[ $line != *"$2"* ]] || fail "'$1': did not expect $2 in: $line"
}

allow='"decision":"allow"'
deny='"decision":"deny"'
approval='"decision":"require_approval"'

# A rate limit per tool.
expect "Rate limit: 3rd search" "$allow"
expect "Rate limit: 4th search within a minute" "$deny" '"reasons":["search-rate"]'
expect "Rate limit: a fetch is another tool" "$allow"
expect "Rate limit: 61 seconds after" "$allow"
# A running total under a limit.
expect "Running total: refund 250" "$allow"
expect "Running total: refund 100 would make 550" "$deny" '"reasons":["refund-budget"]'
expect "Running total: an hour later" "$allow"
# Approval before payment; only an account a lookup returned.
expect "Approval first: finance-bot pays p-1 before" "$deny" \
  '"reasons":["pay-needs-approval","pay-looked-up-account"]'
expect "Approval first: the approvals tool answers" '{"event":"recorded"}'
expect "Looked-up account: p-1 is approved, but no lookup" "$deny" '"reasons":["pay-looked-up-account"]'
expect "Looked-up account: the lookup tool answers" '{"event":"recorded"}'
expect "Looked-up account: paying p-1 to acct-9" "$deny" '"reasons":["pay-looked-up-account"]'
expect "Looked-up account: paying p-1 to acct-7" "$allow" '"reasons":["pay"]'
expect "Approval first: p-2 was never approved" "$deny" '"reasons":["pay-needs-approval"]'
# A burst: throttled, then terminated, then nothing more in that session.
expect "Burst: fetch 3 in 10 seconds" "$allow"
expect "Burst: fetch 4 in 10 seconds" "$deny" '"response":"throttle","retry_after_ms":30000'
expect "Burst: fetch 5 in 10 seconds" "$deny" '"response":"throttle","retry_after_ms":30000'
expect "Burst: fetch 6 in 10 seconds" "$deny" '"fetch-terminate"' '"response":"terminate"'
expect_not "Burst: fetch 6 in 10 seconds" 'retry_after_ms'
expect "Burst: half an hour later" "$deny" '"reasons":[]' 'session terminated' '"response":"terminate"'
expect "Burst: the same agent in a new session" "$allow"
# A principal removed from its group mid-session.
expect "Group change: ops-bot (in Team ops)" "$allow"
expect "Group change: the identity provider" '{"signal":"applied"}'
expect "Group change: ops-bot's next request" "$deny" '"reasons":[]'
# The session's risk level.
expect "Risk: finance-bot looks up an account at normal risk" "$allow"
expect "Risk: the risk engine raises" '{"signal":"applied"}'
expect "Risk: the same lookup now needs a human" "$approval" '"high-risk-approval"' '"approvers":"security-team"'
expect "Risk: the signal named one session" "$allow"
# The first use of a tool in the window needs approval.
expect "First use: research-bot's first export" "$approval" '"first-export-approval"'
expect "First use: a second export" "$allow"
expect "First use: two days later" "$allow"
expect "First use: sixteen days later" "$approval" '"first-export-approval"'

# Every script line has a description, and there is one answer per line.
lines=$(grep -c . "$sessions/script.jsonl")
described=$(grep -c '"description": ' "$sessions/script.jsonl")
answers=$(grep -c . "$work/sessions.out")
[[ $lines -eq $described ]] || fail "$((lines - described)) script lines lack a description"
[[ $lines -eq $answers ]] || fail "$lines script lines but $answers answers"

# The example policies compile on their own, as the reference shows them.
out=$("$mandate" check --max-window 14d "$sessions/policies")
[[ $out == "13 policies OK" ]] || fail "check $sessions/policies said: $out"

# ---- examples/dogwood -------------------------------------------------------------------
dogwood=examples/dogwood
status=0
"$mandate" replay --policies "$dogwood/policies.dw" --schema "$dogwood/schema.cedarschema" --validate \
  "$dogwood/trace.log" >"$work/dogwood.out" 2>"$work/dogwood.err" || status=$?
[[ $status -eq 0 ]] || { cat "$work/dogwood.err" >&2; fail "replay of $dogwood exited with $status"; }
same_bytes "$work/dogwood.out" "$dogwood/expected.out"
grep -qx '@20 (time point 3): true' "$work/dogwood.out" || fail "the write after a successful read must be allowed"
grep -qx '@110 (time point 7): false' "$work/dogwood.out" || fail "a write after a read that found nothing must be denied"
grep -qx '@220 (time point 10): false' "$work/dogwood.out" || fail "the third write in a minute must be denied"
grep -qx '@3620 (time point 12): false' "$work/dogwood.out" || fail "a read more than an hour old must not count"

# A malformed trace is reported like a compiler error: file:line:col, the line, a caret.
head -n 2 "$dogwood/trace.log" >"$work/bad.log"
echo '@30 Bank::Action::"read"::request(amount: 5' >>"$work/bad.log"
status=0
"$mandate" replay --policies "$dogwood/policies.dw" --schema "$dogwood/schema.cedarschema" "$work/bad.log" \
  >/dev/null 2>"$work/bad.err" || status=$?
[[ $status -eq 1 ]] || fail "a malformed trace exited with $status, expected 1"
grep -q "^$work/bad.log:3:[0-9]*: error\[trace\]: " "$work/bad.err" || { cat "$work/bad.err" >&2; fail "no file:line:col trace diagnostic"; }
grep -q '^ *3 | @30 Bank::Action::"read"::request(amount: 5$' "$work/bad.err" || fail "the trace diagnostic does not quote the line"
grep -q '^ *| *^' "$work/bad.err" || fail "the trace diagnostic has no caret"

# ---- malformed session lines ------------------------------------------------------------
# Each bad line is answered by {"error": "...", "line": N} in its place, the good lines around
# it are still decided, nothing bad is allowed, and the exit status is 1.
request='"principal": {"type": "Agent", "id": "finance-bot"}, "action": {"type": "Action", "id": "lookup"}, "resource": {"type": "Tool", "id": "payments"}, "context": {"input": {}}'

# run_bad NAME BAD-LINE EXPECTED-MESSAGE-SUBSTRING
run_bad() {
  local name=$1 bad=$2 message=$3
  {
    echo "{\"session\": \"e\", \"time\": \"2026-03-02T09:00:00Z\", $request}"
    echo "$bad"
    echo "{\"session\": \"e\", \"time\": \"2026-03-02T09:00:10Z\", $request}"
  } >"$work/$name.jsonl"
  status=0
  "$mandate" eval --policies "$sessions/policies" --max-window 14d --entities "$sessions/entities.json" \
    --requests "$work/$name.jsonl" >"$work/$name.out" 2>/dev/null || status=$?
  [[ $status -eq 1 ]] || fail "$name: exit status $status, expected 1"
  [[ $(grep -c . "$work/$name.out") -eq 3 ]] || fail "$name: expected 3 answers, got: $(cat "$work/$name.out")"
  local first second third
  first=$(sed -n 1p "$work/$name.out")
  second=$(sed -n 2p "$work/$name.out")
  third=$(sed -n 3p "$work/$name.out")
  [[ $first == *"$allow"* && $third == *"$allow"* ]] || fail "$name: the good lines must still be decided"
  [[ $second == '{"error":"'*'","line":2}' ]] || fail "$name: expected an error object for line 2, got: $second"
  [[ $second == *"$message"* ]] || fail "$name: expected '$message' in: $second"
  [[ $second != *'"decision"'* ]] || fail "$name: a malformed line must not be decided: $second"
}

run_bad event-without-session \
  '{"time": "2026-03-02T09:00:05Z", "event": {"kind": "response", "action": {"type": "Action", "id": "lookup"}, "fields": {"output": {"account": "acct-7"}}}}' \
  'an event line needs a \"session\"'
run_bad event-without-action \
  '{"session": "e", "event": {"kind": "response", "fields": {"output": {"account": "acct-7"}}}}' \
  'an event needs an \"action\"'
# shellcheck disable=SC2016 # the backquotes are the message's own
run_bad unknown-signal \
  '{"time": "2026-03-02T09:00:05Z", "signal": {"type": "risk-went-up", "session": "e", "level": "high"}}' \
  'unknown signal type `risk-went-up`'
run_bad signal-without-target \
  '{"signal": {"type": "risk-level-change", "level": "high"}}' \
  'names neither a session nor a subject'

# A malformed "time" or "session" must be refused like the lines above: deciding the request at
# some other time, or outside its session, could let it through a window it should not pass.
run_bad malformed-time "{\"session\": \"e\", \"time\": \"2026-03-02T25:00:00Z\", $request}" '\"time\" must be an RFC 3339'
run_bad non-string-time "{\"session\": \"e\", \"time\": 1772442000, $request}" '\"time\" must be an RFC 3339'
run_bad non-string-session "{\"session\": 7, $request}" '\"session\" must be a non-empty string'

echo "sessions: ok"
