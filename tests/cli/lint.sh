#!/usr/bin/env bash
# `mandate lint`: the examples are clean, findings render like the compiler's with a summary
# line, exit codes follow --fail-level, --config and .mandate-lint.json set levels, json and
# sarif output parse, --list names every rule, and bad input exits 2.
set -euo pipefail
mandate=$1
root=$2
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "lint: $*"; exit 1; }
data=tests/data/lint

# The bundled examples: no findings at all, with and without the schema.
out=$("$mandate" lint examples/policies --schema examples/schema.cedarschema) || fail "examples: $out"
[[ $out == "no findings in 6 files" ]] || fail "examples should be clean, got: $out"

# Findings: rendered, then a summary; exit 1 at the default fail level (warning).
set +e
out=$("$mandate" lint "$data/risky.cedar")
status=$?
set -e
[[ $status -eq 1 ]] || fail "risky.cedar should exit 1, got $status: $out"
[[ $out == *"risky.cedar:5:1: warning[permit-unconstrained]:"* ]] || fail "no permit-unconstrained: $out"
[[ $out == *"warning[shadowed-by-forbid]"* ]] || fail "no shadowed-by-forbid: $out"
[[ $out == *"note[missing-reason]"* ]] || fail "no missing-reason: $out"
[[ $out == *"error[always-errors]"* ]] || fail "no always-errors: $out"
[[ $(tail -n1 <<<"$out") =~ ^[0-9]+\ errors?,\ [0-9]+\ warnings?,\ [0-9]+\ notes?\ in\ 1\ file$ ]] \
  || fail "bad summary line: $(tail -n1 <<<"$out")"

# --fail-level: none always passes; error fails only on errors.
"$mandate" lint "$data/risky.cedar" --fail-level none >/dev/null || fail "--fail-level none should exit 0"
"$mandate" lint "$data/notes-only.cedar" --fail-level warning >/dev/null || fail "notes only should pass at warning"
set +e
"$mandate" lint "$data/notes-only.cedar" --fail-level note >/dev/null
status=$?
set -e
[[ $status -eq 1 ]] || fail "notes should fail at --fail-level note, got $status"

# --config turns rules off and changes levels; .mandate-lint.json in the current directory too.
printf '{"rules": {"always-errors": "warning"}}' >"$work/config.json"
out=$("$mandate" lint "$data/risky.cedar" --config "$work/config.json" --fail-level error) \
  || fail "always-errors lowered to warning should pass --fail-level error: $out"
[[ $out == *"warning[always-errors]"* ]] || fail "the level did not change: $out"
cp "$data/notes-only.cedar" "$work/"
printf '{"rules": {"missing-reason": "off", "like-without-wildcard": "off"}}' >"$work/.mandate-lint.json"
out=$(cd "$work" && "$mandate" lint notes-only.cedar --fail-level note) || fail "the default config was not read: $out"
[[ $out == "no findings in 1 file" ]] || fail "expected no findings with the default config, got: $out"

# A bad config: exit 2 with a positioned diagnostic.
printf '{"rules": {\n  "no-such-rule": "off"}}' >"$work/bad.json"
set +e
out=$("$mandate" lint "$data/risky.cedar" --config "$work/bad.json" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "a bad config should exit 2, got $status"
[[ $out == *"bad.json:2:3: error[lint-config]: unknown lint rule \`no-such-rule\`"* ]] || fail "bad config message: $out"

# Policies that do not compile, and unreadable input: exit 2.
printf 'permit (principal, action, resource) when { x };\n' >"$work/broken.cedar"
set +e
out=$("$mandate" lint "$work/broken.cedar" 2>&1)
status=$?
set -e
[[ $status -eq 2 ]] || fail "a parse error should exit 2, got $status"
[[ $out == *"error[parse]"* ]] || fail "parse error not shown: $out"
set +e
"$mandate" lint "$work/missing.cedar" >/dev/null 2>&1
status=$?
set -e
[[ $status -eq 2 ]] || fail "a missing file should exit 2, got $status"

# Duplicate ids: reported as the rule, with the other findings, and exit 2 (the set does not compile).
set +e
out=$("$mandate" lint "$data/duplicate-ids.cedar")
status=$?
set -e
[[ $status -eq 2 ]] || fail "duplicate ids should exit 2, got $status"
[[ $out == *"duplicate-ids.cedar:5:1: error[duplicate-id]"* ]] || fail "no duplicate-id: $out"
[[ $out == *"warning[permit-any-action]"* ]] || fail "other rules should still run: $out"

# JSON and SARIF parse, and agree with each other.
"$mandate" lint "$data/risky.cedar" --format json --fail-level none >"$work/out.json"
"$mandate" lint "$data/risky.cedar" --format sarif --fail-level none >"$work/out.sarif"
python3 - "$work/out.json" "$work/out.sarif" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
log = json.load(open(sys.argv[2]))
assert findings and all({"rule", "level", "message", "file", "line", "column"} <= set(f) for f in findings), findings
assert log["version"] == "2.1.0"
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert len(run["results"]) == len(findings)
for f, r in zip(findings, run["results"]):
    assert r["ruleId"] == f["rule"] and rules[r["ruleIndex"]]["id"] == f["rule"]
    assert r["level"] == f["level"]
    region = r["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == f["line"] and region["startColumn"] == f["column"]
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "tests/data/lint/risky.cedar"
PY

# --list: every rule, in both formats.
list=$("$mandate" lint --list)
"$mandate" lint --list --format json >"$work/rules.json"
count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/rules.json")
[[ $(( $(wc -l <<<"$list") - 1 )) -eq $count ]] || fail "--list and --list --format json disagree"
[[ $count -ge 20 ]] || fail "expected at least 20 rules, got $count"
for id in $(python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))))' "$work/rules.json"); do
  [[ $list == *"$id"* ]] || fail "--list lacks $id"
done
echo "lint: ok"
