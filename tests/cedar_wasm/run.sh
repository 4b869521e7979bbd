#!/usr/bin/env bash
# ctest entry of the cedar-wasm differential (see README.md beside this file):
#
#   run.sh CLI_PATH SOURCE_DIR BUILD_DIR
#
# Installs @cedar-policy/cedar-wasm (pinned by package-lock.json) into BUILD_DIR/cedar_wasm and
# replays through both Cedar and `mandate eval --mode cedar`:
#   1. the scenario in scenario/ (policies, entities, schema, requests), with the schema;
#   2. scenario/unvalidated.cedar, without a schema (runtime errors the validator would forbid);
#   3. when ../shared/conformance/cedar sits beside the source tree: the first 200 tests of
#      Cedar's generated corpus, and the 22 handwritten tests.
# Exit 77 (ctest's "skipped") when node or npm is missing or the npm registry cannot be reached;
# otherwise 0 only when every run agrees on every request.
set -uo pipefail

if (($# != 3)); then
  echo "usage: $0 CLI_PATH SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
cli=$1
src=$(cd "$2" && pwd)
build=$3
here=$src/tests/cedar_wasm
work=$build/cedar_wasm
corpus_limit=${CEDAR_WASM_CORPUS_LIMIT:-200}

skip() {
  echo "cedar-wasm differential: skipped: $*"
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || skip "npm is not installed (Debian: apt-get install npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
((node_major >= 18)) || skip "node $(node --version 2>/dev/null) is older than 18"
mkdir -p "$work"

status=0
differential() {
  echo "== $1"
  shift
  local rc=0
  node "$here/differential.mjs" --work "$work" --mandate "$cli" "$@" || rc=$?
  if ((rc == 77)); then exit 77; fi # the install could not reach the registry: already said why
  if ((rc != 0)); then status=1; fi
}

# Unpacks a corpus archive into the work folder once (a marker records which archive).
unpack() {
  local archive=$1 into=$2
  if [[ -f $into/.unpacked && $into/.unpacked -nt $archive ]]; then return 0; fi
  rm -rf "$into" && mkdir -p "$into" && tar -xzf "$archive" -C "$into" && echo "$archive" >"$into/.unpacked"
}

started=$SECONDS
differential "scenario (with its schema)" \
  --policies "$here/scenario/policies.cedar" --entities "$here/scenario/entities.json" \
  --schema "$here/scenario/schema.cedarschema" --requests "$here/scenario/requests.jsonl"
differential "scenario, schema-less part" \
  --policies "$here/scenario/unvalidated.cedar" --entities "$here/scenario/entities.json" \
  --requests "$here/scenario/unvalidated.jsonl"

shared=$src/../shared/conformance/cedar
if [[ -f $shared/corpus-tests-dev.tar.gz ]]; then
  if unpack "$shared/corpus-tests-dev.tar.gz" "$work/corpus"; then
    differential "Cedar corpus, first $corpus_limit tests" --corpus "$work/corpus" --limit "$corpus_limit"
  else
    echo "cannot unpack $shared/corpus-tests-dev.tar.gz"
    status=1
  fi
else
  echo "== Cedar corpus: not run ($shared/corpus-tests-dev.tar.gz is absent)"
fi
if [[ -f $shared/handwritten-tests.tar.gz ]]; then
  if unpack "$shared/handwritten-tests.tar.gz" "$work/handwritten"; then
    differential "Cedar handwritten tests" --corpus "$work/handwritten"
  else
    echo "cannot unpack $shared/handwritten-tests.tar.gz"
    status=1
  fi
fi

echo "cedar-wasm differential: all runs took $((SECONDS - started)) s"
exit $status
