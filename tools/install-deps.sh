#!/usr/bin/env bash
# Installs what building and testing Drayman needs on Debian 12: Debian packages (only those
# missing, so a ready machine does no network work) and the Python virtual environment.
# Usage: tools/install-deps.sh [--python | --fuzz]
#   --python also prepares .venv from tests/requirements.txt
#   --fuzz   also installs clang and its libFuzzer/sanitizer runtimes (make fuzz), nothing else
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ pkg-config ccache libboost1.81-dev libabsl-dev libgtest-dev
  libssl-dev nlohmann-json3-dev pybind11-dev liblzf-dev redis-server redis-tools python3-venv
  python3-dev prometheus prometheus-redis-exporter)
# The openssl command: tests/python/test_tls.py and bench/tls.py make their own certificates.
packages+=(openssl)
# Headless Chromium: tests/python/harness/test_dashboard_browser.py drives the dashboard in it
# over the DevTools protocol (no driver binary needed).
packages+=(chromium)
# curl: tests/python/test_http_acl.py checks the admin listener's Basic challenge with it.
packages+=(curl)
# clang 14 and compiler-rt (libclang_rt.fuzzer, ASan/UBSan runtimes) only for `make fuzz`:
# `make test` replays the fuzz corpus with the normal compiler.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang libclang-rt-14-dev)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
# Debian's redis-server package may start a daemon on 6379. It is the user's: it is never
# stopped here (Drayman's tests bind ephemeral ports; `make run` says when its port is taken).

if [ "${1:-}" = "--python" ]; then
  stamp=.venv/.requirements.stamp
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  if [ ! -f "$stamp" ] || ! cmp -s tests/requirements.txt "$stamp"; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r tests/requirements.txt
    cp tests/requirements.txt "$stamp"
  fi
fi
