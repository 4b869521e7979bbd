#!/usr/bin/env bash
# Installs the already-built library into a scratch prefix, then configures, builds and runs
# examples/consumer, a separate project that finds it with find_package(mandate).
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" -j2 >/dev/null
"$work/build/consumer" "$source_dir/examples/policies" "$source_dir/examples/entities.json"
