#!/usr/bin/env bash
# Installs the Debian 12 packages Mandate builds and tests with, but only those missing, so a
# machine that already has them needs neither root nor the network.
set -euo pipefail

packages=(
  build-essential cmake g++ tao-pegtl-dev libfmt-dev nlohmann-json3-dev libxxhash-dev
  doctest-dev libbenchmark-dev libcli11-dev pybind11-dev python3-dev python3-pytest
  libcpp-httplib-dev wrk
)

missing=()
for package in "${packages[@]}"; do
  # `dpkg -s` also knows removed packages whose config files remain; only "install ok installed"
  # means the package is really there.
  # Captured rather than piped into `grep -q`, which could SIGPIPE dpkg under pipefail.
  info=$(dpkg -s "$package" 2>/dev/null || true)
  if [[ $info != *$'\nStatus: install ok installed\n'* ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing packages and not root; run as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  sudo_cmd=()
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
