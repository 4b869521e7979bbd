#!/usr/bin/env bash
# Load test of `mandate serve` with wrk (Debian: wrk), on loopback only, over the bundled
# examples: starts the server, runs wrk for a bounded time against POST /access/v1/evaluation,
# prints requests/s and latency percentiles, and stops the server.
#
#   bench/serve_load.sh [path/to/mandate] [seconds=10] [connections=8] [wrk-threads=2]
#
# Measure a Release build. Connections should not exceed the server's --threads (8 here): each
# worker thread serves one keep-alive connection at a time, so a ninth connection waits.
set -euo pipefail
mandate=${1:-build/tools/mandate/mandate}
seconds=${2:-10}
connections=${3:-8}
wrk_threads=${4:-2}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v wrk >/dev/null || { echo "serve_load: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Rotates through three example requests (allow, deny, require_approval), so the figures are
# not those of one cached path.
cat >"$work/post.lua" <<'LUA'
local bodies = {
  '{"subject":{"type":"User","id":"alice"},"action":{"name":"read"},"resource":{"type":"Customer","id":"acme"},"context":{"hour":10,"source_ip":"10.1.2.3","agent":{"__entity":{"type":"Agent","id":"support-bot"}}}}',
  '{"subject":{"type":"User","id":"bob"},"action":{"name":"read"},"resource":{"type":"Customer","id":"globex"},"context":{"hour":14,"source_ip":"10.20.30.40","agent":{"__entity":{"type":"Agent","id":"support-bot"}}}}',
  '{"subject":{"type":"User","id":"bob"},"action":{"name":"update_billing"},"resource":{"type":"Customer","id":"initech"},"context":{"hour":15,"source_ip":"10.20.30.40","agent":{"__entity":{"type":"Agent","id":"support-bot"}}}}',
}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/access/v1/evaluation", nil, bodies[(n % #bodies) + 1])
end
LUA

"$mandate" serve --policies examples/policies --entities examples/entities.json \
  --schema examples/schema.cedarschema --listen 127.0.0.1:0 --threads 8 \
  >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 100); do
  [[ -s $work/stdout ]] && break
  sleep 0.05
done
url=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$work/stdout" | head -1)
[[ -n $url ]] || { echo "serve_load: the server did not start:" >&2; cat "$work/stderr" >&2; exit 1; }
# Answers must be decisions, not errors, before anything is measured.
if command -v curl >/dev/null; then
  check=$(curl -s -H 'Content-Type: application/json' --data-binary "$(sed -n "2s/^  '\(.*\)',\$/\1/p" "$work/post.lua")" \
    "$url/access/v1/evaluation")
  [[ $check == *'"decision":true'* ]] || { echo "serve_load: unexpected answer: $check" >&2; exit 1; }
fi

echo "mandate serve at $url; wrk -t$wrk_threads -c$connections -d${seconds}s --latency"
wrk -t"$wrk_threads" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "$url"
echo
echo "server counters after the run:"
curl -sf "$url/metrics" 2>/dev/null | grep -E '^mandate_(decisions_total|http_responses_total\{code="(200|400|500)"\})' || true
