#!/usr/bin/env bash
# Audit durability (issue 10, part 6): `mandate eval --audit FILE --requests -` is killed with
# SIGKILL at random points while it decides a stream of requests, again and again on the same
# trail. Afterwards every line of the trail must be a whole, parseable record (checked by
# `mandate audit report`, which refuses a malformed line), and every decision the process had
# printed before it died must be in the trail, in order: a decision is recorded before it is
# released.
#
#   audit_kill.sh MANDATE_CLI SOURCE_DIR
set -euo pipefail
mandate=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$mandate" "$root" "$work" <<'PY'
import json, os, random, signal, subprocess, sys, threading, time

mandate, root, work = sys.argv[1:4]
examples = os.path.join(root, "examples")
trail = os.path.join(work, "audit.log")
requests = []
with open(os.path.join(examples, "requests.jsonl")) as f:
    for line in f:
        if line.strip():
            requests.append(json.dumps({k: v for k, v in json.loads(line).items() if k != "description"}))

def fail(message):
    print(f"audit_kill: FAIL: {message}")
    sys.exit(1)

rng = random.Random(20261129)
reported_total = 0
for trial in range(15):
    before = open(trail).read().splitlines() if os.path.exists(trail) else []
    child = subprocess.Popen(
        [mandate, "eval", "--policies", os.path.join(examples, "policies"),
         "--entities", os.path.join(examples, "entities.json"),
         "--audit", trail, "--now", "2026-11-28T12:00:00Z", "--requests", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def feed():
        try:
            for i in range(4000):
                child.stdin.write((requests[i % len(requests)] + "\n").encode())
                if i % 50 == 0:
                    child.stdin.flush()
            child.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    time.sleep(rng.uniform(0.02, 0.4))
    child.send_signal(signal.SIGKILL)
    printed = child.stdout.read().decode(errors="replace")
    child.wait()
    feeder.join(timeout=5)
    # Only whole lines count as reported: the last one may have been cut by the kill.
    reported = [json.loads(l)["decision"] for l in printed.split("\n")[:-1] if l.strip()]
    after = open(trail).read().splitlines() if os.path.exists(trail) else []
    if after[:len(before)] != before:
        fail(f"trial {trial}: earlier records changed")
    recorded = []
    for number, line in enumerate(after[len(before):], start=len(before) + 1):
        try:
            recorded.append(json.loads(line)["decision"])
        except (ValueError, KeyError) as e:
            fail(f"trial {trial}: line {number} of the trail is not a whole record ({e}): {line[:120]!r}")
    if recorded[:len(reported)] != reported:
        fail(f"trial {trial}: {len(reported)} decisions printed, but the trail's first {len(reported)} "
             f"new records differ or are missing ({len(recorded)} recorded)")
    reported_total += len(reported)

lines = open(trail).read().splitlines()
if reported_total < 100:
    fail(f"only {reported_total} decisions were printed before the kills: the test did not exercise much")
print(f"audit_kill: {reported_total} printed decisions over 15 kills, all among {len(lines)} whole records")
PY

# The real reader agrees: every line of the trail parses (a malformed line makes it exit 1).
"$mandate" audit report --policies "$root/examples/policies" --entities "$root/examples/entities.json" \
  --log "$work/audit.log" >/dev/null || { echo "audit_kill: FAIL: mandate audit report refused the trail"; exit 1; }
echo "audit_kill: ok"
