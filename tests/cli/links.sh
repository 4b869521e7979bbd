#!/usr/bin/env bash
# `mandate eval --links`: templates linked from a file in the Cedar CLI's shape.
set -euo pipefail
mandate=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/templates.cedar" <<'P'
@id("share") permit (principal == ?principal, action == Action::"view", resource == ?resource);
P
cat >"$work/links.json" <<'L'
[{"template_id": "share", "link_id": "alice-doc", "args": {"?principal": "User::\"alice\"", "?resource": {"type": "Doc", "id": "d"}}}]
L
printf '%s\n' \
  '{"principal":{"type":"User","id":"alice"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"}}' \
  '{"principal":{"type":"User","id":"bob"},"action":{"type":"Action","id":"view"},"resource":{"type":"Doc","id":"d"}}' \
  >"$work/requests.jsonl"
out=$("$mandate" eval --policies "$work/templates.cedar" --links "$work/links.json" --requests "$work/requests.jsonl")
mapfile -t lines <<<"$out"
[[ ${lines[0]} == '{"decision":"allow","reasons":["alice-doc"]'* ]] || { echo "line 1: ${lines[0]}"; exit 1; }
[[ ${lines[1]} == '{"decision":"deny","reasons":[]'* ]] || { echo "line 2: ${lines[1]}"; exit 1; }
# Without the links the template decides nothing.
out=$("$mandate" eval --policies "$work/templates.cedar" --requests "$work/requests.jsonl")
[[ $(grep -c '"decision":"deny"' <<<"$out") -eq 2 ]] || { echo "unlinked: $out"; exit 1; }
# A link to an unknown template is refused with a diagnostic, exit 2.
echo '[{"template_id": "nope", "link_id": "x", "args": {}}]' >"$work/bad.json"
if "$mandate" eval --policies "$work/templates.cedar" --links "$work/bad.json" --requests "$work/requests.jsonl" \
  2>"$work/err"; then
  echo "a bad link was accepted"
  exit 1
fi
grep -q 'error\[link\]' "$work/err" || { cat "$work/err"; exit 1; }
echo "links: ok"
