#!/usr/bin/env bash
# Bounds as a user meets them (issue 10, part 3): an endless request line is refused by its size
# while the stream goes on, and entity data whose hierarchy is too deep is a `limit` diagnostic.
set -uo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cat >"$work/policy.cedar" <<'P'
@id("allow-read") permit (principal, action == Action::"read", resource);
P
read_request='{"principal":{"type":"User","id":"a"},"action":{"type":"Action","id":"read"},"resource":{"type":"Doc","id":"d"}}'

# A 20 MiB line (one request with a huge context), then an ordinary one: the first is refused
# by its size, without being parsed, and the second is still decided.
python3 - "$work/stream.jsonl" "$read_request" <<'PY'
import sys
path, ordinary = sys.argv[1], sys.argv[2]
with open(path, "w") as f:
    f.write(ordinary[:-1] + ', "context": {"pad": "' + "x" * (20 << 20) + '"}}\n')
    f.write(ordinary + "\n")
PY
"$mandate" eval --policies "$work/policy.cedar" --requests "$work/stream.jsonl" >"$work/out" 2>"$work/err"
status=$?
[[ $status -eq 1 ]] || fail "eval over a 20 MiB line exited $status, expected 1"
[[ $(wc -l <"$work/out") -eq 2 ]] || fail "expected two output lines, got: $(head -c 300 "$work/out")"
python3 - "$work/out" <<'PY' || fail "unexpected output: $(head -c 300 "$work/out")"
import json, sys
first, second = [json.loads(line) for line in open(sys.argv[1])]
assert first["line"] == 1 and "the limit is 16 MiB" in first["error"], first
assert str((20 << 20) + 150)[:3] in first["error"], first  # the real length, not the kept part
assert second["decision"] == "allow", second
PY

# The same through stdin, as a long-running process would read it.
"$mandate" eval --policies "$work/policy.cedar" --requests - <"$work/stream.jsonl" >"$work/out" 2>/dev/null
grep -q '"decision":"allow"' "$work/out" || fail "stdin stream did not go on after the long line"

# A request of exactly 16 MiB is read whether its line ends in LF or CRLF.
python3 - "$work/exact.jsonl" "$read_request" <<'PY'
import sys
path, ordinary = sys.argv[1], sys.argv[2]
head = ordinary[:-1] + ', "context": {"pad": "'
tail = '"}}'
line = head + "x" * ((16 << 20) - len(head) - len(tail)) + tail
assert len(line) == 16 << 20
with open(path, "w", newline="") as f:
    f.write(line + "\r\n" + line + "\n")
PY
"$mandate" eval --policies "$work/policy.cedar" --requests "$work/exact.jsonl" >"$work/out" 2>"$work/err" ||
  fail "a 16 MiB request was refused: $(head -c 300 "$work/out")"
[[ $(grep -c '"decision":"allow"' "$work/out") -eq 2 ]] || fail "16 MiB requests not both decided: $(head -c 300 "$work/out")"

# Interactive use: the refusal of a long line is answered at once, while stdin stays open.
coproc evaluator { "$mandate" eval --policies "$work/policy.cedar" --requests - 2>/dev/null; }
head -n 1 "$work/stream.jsonl" >&"${evaluator[1]}"
if IFS= read -r -t 30 answer <&"${evaluator[0]}"; then
  [[ $answer == *"the limit is 16 MiB"* ]] || fail "interactive refusal: $answer"
else
  fail "no answer to a long line within 30 s while stdin stayed open"
fi
exec {evaluator[1]}>&-
wait "$evaluator_PID" 2>/dev/null

# Entities whose hierarchy is 300 levels deep: refused with a positioned `limit` diagnostic.
python3 - "$work/deep.json" <<'PY'
import json, sys
entities = [{"uid": {"type": "G", "id": str(i)}, "attrs": {},
             "parents": [{"type": "G", "id": str(i - 1)}] if i else []} for i in range(300)]
with open(sys.argv[1], "w") as f:
    f.write("[\n" + ",\n".join(json.dumps(e) for e in entities) + "\n]\n")
PY
printf '%s\n' "$read_request" >"$work/one.jsonl"
"$mandate" eval --policies "$work/policy.cedar" --entities "$work/deep.json" --requests "$work/one.jsonl" \
  >"$work/out" 2>"$work/err"
status=$?
[[ $status -eq 2 ]] || fail "deep entities exited $status, expected 2"
grep -q "deep.json:259:.*error\[limit\]" "$work/err" || fail "no positioned limit diagnostic: $(head -c 400 "$work/err")"
grep -q 'G::"257" is more than 256 levels' "$work/err" || fail "diagnostic does not name the entity: $(head -c 400 "$work/err")"
[[ ! -s $work/out ]] || fail "something was decided on entities that did not load: $(cat "$work/out")"

if ((failures > 0)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "cli limits: ok"
