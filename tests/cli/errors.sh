#!/usr/bin/env bash
# The CLI's failures, as a user meets them: one clear message on stderr and a non-zero exit,
# and in streaming mode an error object for the bad line while the stream goes on.
set -uo pipefail
mandate=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE STDERR_PATTERN -- COMMAND...
expect() {
  local code=$1 pattern=$2
  shift 3
  local out err status
  out=$("$@" 2>"$work/stderr")
  status=$?
  err=$(cat "$work/stderr")
  [[ $status -eq $code ]] || fail "$* exited $status, expected $code (stderr: $err)"
  [[ $err == *"$pattern"* ]] || fail "$*: stderr lacks '$pattern': $err"
  printf '%s' "$out" >"$work/stdout"
}

cat >"$work/policy.cedar" <<'P'
@id("allow-read") permit (principal, action == Action::"read", resource);
P
printf '{"principal":{"type":"User","id":"a"},"action":{"type":"Action","id":"read"},"resource":{"type":"Doc","id":"d"}}\n' >"$work/one.json"

# Bad flags and missing files.
expect 2 "--bogus" -- "$mandate" eval --policies "$work/policy.cedar" --request "$work/one.json" --bogus
expect 2 "" -- "$mandate"
expect 2 "cannot read '$work/missing.cedar': No such file or directory" -- \
  "$mandate" eval --policies "$work/missing.cedar" --request "$work/one.json"
expect 2 "cannot read '$work/missing.json'" -- \
  "$mandate" eval --policies "$work/policy.cedar" --request "$work/missing.json"
expect 0 "" -- "$mandate" --version
grep -q '^mandate 0\.1\.0' "$work/stdout" || fail "--version printed $(cat "$work/stdout")"

# A policy that does not compile: rendered diagnostics, exit 2, nothing decided.
printf 'permit (principal, action, resource) when { context.a == };\n' >"$work/broken.cedar"
expect 2 "broken.cedar:1:58: error[parse]: expected an expression" -- \
  "$mandate" eval --policies "$work/broken.cedar" --request "$work/one.json"
[[ ! -s $work/stdout ]] || fail "a broken policy set still printed decisions"
expect 1 "error[parse]" -- "$mandate" check "$work/broken.cedar"
expect 0 "" -- "$mandate" check "$work/policy.cedar"
grep -q "1 policy OK" "$work/stdout" || fail "check printed $(cat "$work/stdout")"

# Malformed entity JSON.
printf '[{"uid": {"type": "User", "id": "a"}, ' >"$work/entities.json"
expect 2 "error[json]" -- "$mandate" eval --policies "$work/policy.cedar" --entities "$work/entities.json" \
  --request "$work/one.json"

# Streaming: a bad line gets an error object, the lines around it are still decided.
{
  cat "$work/one.json"
  echo '{"principal": "not an entity"'
  echo '{"principal":{"type":"User","id":"a"},"action":{"type":"Action","id":"write"},"resource":{"type":"Doc","id":"d"}}'
} >"$work/stream.jsonl"
expect 1 "" -- "$mandate" eval --policies "$work/policy.cedar" --requests "$work/stream.jsonl"
mapfile -t lines <"$work/stdout"
[[ ${#lines[@]} -eq 3 ]] || fail "stream printed ${#lines[@]} lines, expected 3"
[[ ${lines[0]} == '{"decision":"allow",'* ]] || fail "line 1: ${lines[0]}"
[[ ${lines[1]} == '{"error":'*'"line":2}' ]] || fail "line 2: ${lines[1]}"
[[ ${lines[2]} == '{"decision":"deny",'* ]] || fail "line 3: ${lines[2]}"

# The same stream through stdin, as a subprocess would feed it.
out=$("$mandate" eval --policies "$work/policy.cedar" --requests - <"$work/stream.jsonl")
[[ $(wc -l <<<"$out") -eq 3 ]] || fail "stdin stream printed: $out"

# A request naming entities that do not exist is decided (deny or allow by scope), never a crash.
printf '{"principal":{"type":"Ghost","id":"x"},"action":{"type":"Action","id":"read"},"resource":{"type":"Nope","id":"y"}}\n' \
  >"$work/ghost.json"
printf '@id("g") permit (principal, action, resource) when { principal.level > 1 };\n' >"$work/ghost.cedar"
expect 0 "" -- "$mandate" eval --policies "$work/ghost.cedar" --request "$work/ghost.json"
grep -q '"decision":"deny"' "$work/stdout" || fail "ghost request: $(cat "$work/stdout")"
grep -q 'does not exist' "$work/stdout" || fail "ghost request lacks the error: $(cat "$work/stdout")"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "errors: ok"
