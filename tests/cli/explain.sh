#!/usr/bin/env bash
# Explanations through the CLI: `mandate eval --explain` (an "explanation" member on each
# decision line) and `mandate eval --format text` (each decision explained for people, with
# source excerpts) on the bundled examples, compared byte for byte with the golden files in
# tests/data/explain/. Run from the source root with relative paths, so the file names in the
# explanations do not depend on where the checkout is.
#
# To accept new output after a deliberate change, run with MANDATE_UPDATE_GOLDEN=1: the golden
# files are rewritten instead of compared (read the diff before committing).
set -euo pipefail
mandate=$1
root=$2
cd "$root"

golden_dir=tests/data/explain
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

updating=false
[[ ${MANDATE_UPDATE_GOLDEN:-} == 1 ]] && updating=true

# golden NAME ARGS...: `mandate eval ARGS...` must exit 0, write nothing to stderr, and print
# exactly $golden_dir/NAME (or, when updating, rewrites it).
golden() {
  local name=$1
  shift
  local status=0
  "$mandate" eval "$@" >"$work/$name" 2>"$work/$name.err" || status=$?
  [[ $status -eq 0 ]] || { cat "$work/$name.err" >&2; fail "$name: eval exited with $status"; }
  [[ ! -s "$work/$name.err" ]] || { cat "$work/$name.err" >&2; fail "$name: eval wrote to stderr"; }
  if $updating; then
    mkdir -p "$golden_dir"
    cp "$work/$name" "$golden_dir/$name"
    echo "rewrote $golden_dir/$name"
    return
  fi
  [[ -f "$golden_dir/$name" ]] || fail "missing $golden_dir/$name; run with MANDATE_UPDATE_GOLDEN=1"
  if ! cmp -s "$work/$name" "$golden_dir/$name"; then
    echo "output differs from $golden_dir/$name (MANDATE_UPDATE_GOLDEN=1 rewrites it):" >&2
    diff -u "$golden_dir/$name" "$work/$name" >&2 || true
    exit 1
  fi
}

people=(--policies examples/policies --entities examples/entities.json --requests examples/requests.jsonl)
agents=(--policies examples/policies --entities examples/entities.json --requests examples/agents/requests.jsonl
  --now 2026-11-28T14:00:00Z)
sessions=(--policies examples/sessions/policies --max-window 14d --entities examples/sessions/entities.json
  --requests examples/sessions/script.jsonl)

golden requests.jsonl "${people[@]}" --explain
golden requests.text "${people[@]}" --format text
golden agents.jsonl "${agents[@]}" --explain
golden agents.text "${agents[@]}" --format text
golden sessions.jsonl "${sessions[@]}" --explain
golden sessions.text "${sessions[@]}" --format text

# ---- what must hold whatever the goldens say ---------------------------------------------
# --explain only adds the "explanation" member, last: without it every line is the plain one.
without_explanation() { sed 's/,"explanation":{.*}}$/}/' "$1"; }
for pair in requests.jsonl:examples/expected.jsonl agents.jsonl:examples/agents/expected.jsonl \
  sessions.jsonl:examples/sessions/expected.jsonl; do
  name=${pair%%:*} plain=${pair#*:}
  diff <(without_explanation "$work/$name") "$plain" >/dev/null ||
    fail "$name: without its explanation, --explain output differs from $plain"
  # Every decision line has an explanation with a summary; acknowledgements have none.
  decisions=$(grep -c '^{"decision"' "$work/$name" || true)
  explained=$(grep -c ',"explanation":{.*"summary":"[^"]' "$work/$name" || true)
  [[ $decisions -eq $explained ]] || fail "$name: $decisions decisions but $explained explanations"
done
# --format json is the default.
diff <("$mandate" eval "${people[@]}" --format json) examples/expected.jsonl >/dev/null ||
  fail "--format json must print what eval prints by default"

# --format text: one block per script line, each opening with that line's description and
# ending with a blank line; event and signal lines are one line each.
check_blocks() {
  python3 - "$1" "$2" <<'PY'
import json, sys
name, script = sys.argv[1], sys.argv[2]
with open(script) as f:
    lines = [json.loads(line) for line in f if line.strip()]
with open(name) as f:
    blocks = f.read().split("\n\n")
if blocks and blocks[-1] == "":
    blocks.pop()
if len(blocks) != len(lines):
    sys.exit(f"FAIL: {name}: {len(lines)} script lines but {len(blocks)} blocks")
for entry, block in zip(lines, blocks):
    description = entry["description"]
    head = block.split("\n")
    if "event" in entry or "signal" in entry:
        ok = len(head) == 1 and head[0].endswith(": " + description)
    else:
        ok = len(head) >= 2 and head[0] == description
    if not ok:
        sys.exit(f"FAIL: {name}: the block for '{description}' reads:\n{block}")
PY
}
check_blocks "$work/requests.text" examples/requests.jsonl
check_blocks "$work/agents.text" examples/agents/requests.jsonl
check_blocks "$work/sessions.text" examples/sessions/script.jsonl

# A few verdicts read as they should.
grep -qF 'policy "support-read" (examples/policies/support.cedar:5) applied: Support staff read and list customer records that are not restricted' \
  "$work/requests.text" || fail "an allow must name its policy and its @reason"
# shellcheck disable=SC2016 # the backquotes are the explanation's own
grep -qF '= `resource.owner_team` is Group::"billing-admins"' "$work/requests.text" ||
  fail "a deny without a forbid must show the values its nearest miss saw"
grep -qF '      |        ^~~~' "$work/requests.text" || fail "the text format must show carets under the clause"
grep -qF 'deny: the delegation chain was refused (chain.expired)' "$work/agents.text" ||
  fail "a refused chain must say so"
grep -qF 'deny (decided by hop 1, Agent::"support-bot"): no permit applied' "$work/agents.text" ||
  fail "a chain's deny must name the hop that decided"
grep -qF 'policy "search-rate" (examples/sessions/policies/rates.mandate:6) applied: at most 3 searches a minute per agent' \
  "$work/sessions.text" || fail "a session's temporal forbid must be named"

# ---- grant requests ----------------------------------------------------------------------
# A request presenting a grant is explained through the chain the grant stands for, and a
# grant that is not known is explained as a refused chain.
at=2026-11-28T10:00:00Z
grants=$work/grants.json
issued=$("$mandate" grant issue --grants "$grants" --policies examples/policies --entities examples/entities.json \
  --now "$at" --principal 'User::"alice"' --agent 'Agent::"support-bot"' --task T-1 --scope 'Action::"reads"' \
  --resource 'Customer::"acme"' --duration 2h)
grant=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' <<<"$issued")
[[ -n $grant ]] || fail "grant issue said: $issued"
ask() {
  sed "s/GRANT/$1/" examples/agents/grant-request.json >"$work/grant-request.json"
  shift
  "$mandate" eval --policies examples/policies --entities examples/entities.json --grants "$grants" \
    --now "$at" --request "$work/grant-request.json" "$@"
}
out=$(ask "$grant" --explain)
[[ $out == '{"decision":"allow",'*',"explanation":{"summary":'*'"identities":[{"hop":0,'*'"decision":"allow"'*'{"hop":1,'*'"decision":"allow"'* ]] ||
  fail "a grant request's explanation must cover both hops: $out"
out=$(ask "$grant" --format text)
[[ $out == "The support bot reads a customer record for Alice, presenting its grant"$'\n'"allow (decided by hop 0, User::\"alice\")"* ]] ||
  fail "a grant request in text: $out"
out=$(ask nope --explain)
[[ $out == *'"explanation":{"summary":"deny: the delegation chain was refused (grant.unknown): grant nope is not known"'* ]] ||
  fail "an unknown grant's explanation: $out"

# ---- bad lines in text -------------------------------------------------------------------
# Each bad line is a block naming the line and the error; the good lines are still explained,
# and the exit status is 1 as in JSON.
{
  echo '{"principal": 1}'
  echo
  echo '{"description": "a good one", "principal": {"type": "User", "id": "alice"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 10, "source_ip": "10.1.2.3"}}'
  echo '{"description": "a bad event", "session": "s", "event": {"kind": "response"}}'
  echo 'not json'
} >"$work/bad.jsonl"
status=0
"$mandate" eval --policies examples/policies --entities examples/entities.json --requests "$work/bad.jsonl" \
  --format text >"$work/bad.text" 2>/dev/null || status=$?
[[ $status -eq 1 ]] || fail "bad lines in text: exit status $status, expected 1"
expected_bad='request 1
error: request: "principal" must be an entity reference like {"type": "User", "id": "alice"}, not a number

a good one
allow'
[[ $(head -n 5 "$work/bad.text") == "$expected_bad" ]] || fail "bad lines in text: $(cat "$work/bad.text")"
grep -qxF 'a bad event' "$work/bad.text" || fail "a bad event line must be named by its description"
grep -qxF 'error: an event needs an "action": {"type": .., "id": ..}' "$work/bad.text" ||
  fail "a bad event line's error in text"
grep -qxF 'request 5' "$work/bad.text" || fail "a line that is not JSON must be named by its line number"
if grep -q '^{' "$work/bad.text"; then fail "text output must hold no JSON lines: $(cat "$work/bad.text")"; fi
# In JSON, --explain leaves error lines as they are.
status=0
"$mandate" eval --policies examples/policies --entities examples/entities.json --requests "$work/bad.jsonl" \
  --explain >"$work/bad.jsonl.out" 2>/dev/null || status=$?
[[ $status -eq 1 ]] || fail "bad lines with --explain: exit status $status, expected 1"
[[ $(sed -n 1p "$work/bad.jsonl.out") == '{"error":"request: \"principal\" must be an entity reference like {\"type\": \"User\", \"id\": \"alice\"}, not a number","line":1}' ]] ||
  fail "an error line with --explain: $(sed -n 1p "$work/bad.jsonl.out")"

# An unknown format is a usage error.
status=0
"$mandate" eval "${people[@]}" --format yaml >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "--format yaml: exit status $status, expected 2"

$updating && echo "explain: goldens rewritten" || echo "explain: ok"
