#!/usr/bin/env bash
# `mandate test` (issue 7, part 4): the bundled example tests pass, a wrong expectation fails
# with exit 1 and a FAIL line, --junit writes well-formed XML with the right counts, and a
# malformed test file exits 2 naming the file and the JSON path.
set -euo pipefail
mandate=$1
root=$2
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_runner: $*"; exit 1; }

# The examples pass, every case of both files.
cases=$(( $(wc -l <examples/requests.jsonl) + $(wc -l <examples/agents/requests.jsonl) ))
out=$("$mandate" test examples/tests) || fail "examples/tests failed: $out"
[[ $out == *"$cases passed, 0 failed"* ]] || fail "expected '$cases passed, 0 failed', got: $out"
[[ $out == *"PASS Bob opens the admin console from the internal network"* ]] || fail "no PASS line: $out"
# A single file works too.
"$mandate" test examples/tests/agents.test.json >/dev/null || fail "agents.test.json failed"

# A deliberately wrong expectation, in a copy: exit 1, a FAIL line with the explanation under it.
mkdir -p "$work/tests"
python3 - examples/tests/examples.test.json "$work/tests/wrong.test.json" "$root/examples" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
base = sys.argv[3]
d["policies"] = [base + "/policies"]; d["entities"] = base + "/entities.json"
d["schema"] = base + "/schema.cedarschema"
for c in d["cases"]:
    if c["name"].startswith("Bob opens the admin console from home"):
        c["expect"] = "allow"; c["reasons"] = ["admin-console-internal"]
json.dump(d, open(sys.argv[2], "w"))
PY
set +e
out=$("$mandate" test "$work/tests" --junit "$work/report.xml")
status=$?
set -e
[[ $status -eq 1 ]] || fail "a wrong expectation should exit 1, got $status: $out"
[[ $out == *"FAIL Bob opens the admin console from home: outside 10.0.0.0/8, so no permit: expected allow, got deny (reasons: none)"* ]] \
  || fail "no FAIL line: $out"
[[ $out == *"$(( $(wc -l <examples/requests.jsonl) - 1 )) passed, 1 failed"* ]] || fail "wrong summary: $out"
grep -q '^    ' <<<"$out" || fail "no indented explanation under the failure: $out"

# The JUnit report is well-formed, with the right counts.
python3 - "$work/report.xml" "$(wc -l <examples/requests.jsonl)" <<'PY' || fail "bad JUnit report: $(cat "$work/report.xml")"
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
root = doc.documentElement
assert root.tagName == "testsuites", root.tagName
assert root.getAttribute("tests") == sys.argv[2], root.getAttribute("tests")
assert root.getAttribute("failures") == "1", root.getAttribute("failures")
assert root.getAttribute("errors") == "0"
suites = doc.getElementsByTagName("testsuite")
assert len(suites) == 1 and suites[0].getAttribute("failures") == "1"
cases = doc.getElementsByTagName("testcase")
assert len(cases) == int(sys.argv[2]), len(cases)
failures = doc.getElementsByTagName("failure")
assert len(failures) == 1
assert "expected allow, got deny" in failures[0].getAttribute("message")
PY

# Names with markup are escaped in the report.
python3 - "$work/tests/wrong.test.json" "$work/tests/wrong.test.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = "<suite & \"quotes\">"
d["cases"][0]["name"] = "a <b> & 'c'"
json.dump(d, open(sys.argv[2], "w"))
PY
"$mandate" test "$work/tests" --junit "$work/report2.xml" >/dev/null && fail "expected exit 1"
python3 -c 'import sys, xml.dom.minidom; d = xml.dom.minidom.parse(sys.argv[1]); assert any(c.getAttribute("name") == "a <b> & '"'"'c'"'"'" for c in d.getElementsByTagName("testcase"))' \
  "$work/report2.xml" || fail "names not escaped: $(cat "$work/report2.xml")"

# A malformed test file: exit 2, naming the file (and the JSON path of what is wrong).
mkdir -p "$work/bad"
printf '{"policies": ["x"], "cases": [' >"$work/bad/broken.test.json"
set +e
err=$("$mandate" test "$work/bad/broken.test.json" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "malformed JSON should exit 2, got $status: $err"
[[ $err == *"broken.test.json:1:"*": error[test-file]: not valid JSON"* ]] || fail "no file:line:col diagnostic: $err"
[[ $err == *"| "*"^"* ]] || fail "the JSON diagnostic has no caret: $err"

printf '{"policies": ["%s/examples/policies"], "cases": [{"name": "a", "request": {}, "expect": "maybe"}]}' \
  "$root" >"$work/bad/shape.test.json"
set +e
err=$("$mandate" test "$work/bad/shape.test.json" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "a bad expect should exit 2, got $status: $err"
[[ $err == *"shape.test.json: error[test-file]: "*'$.cases[0].expect'* ]] || fail "message does not name the file and path: $err"

# Policies that do not compile: exit 2 with the compiler's diagnostics.
mkdir -p "$work/badpol"
echo 'permit(principal, action, resource) when { nonsense ( };' >"$work/badpol/p.cedar"
printf '{"policies": ["badpol"], "cases": []}' >"$work/badpol.test.json"
set +e
err=$("$mandate" test "$work/badpol.test.json" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "policies that do not compile should exit 2, got $status: $err"
[[ $err == *"p.cedar:1:"* ]] || fail "no rendered diagnostic: $err"

# A missing file: exit 2.
set +e
"$mandate" test "$work/nope.test.json" >/dev/null 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "a missing test file should exit 2, got $status"
echo "test_runner: ok"
