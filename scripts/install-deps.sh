#!/usr/bin/env bash
# Installs the Debian packages cecert builds and tests with, skipping those already present.
# Usage: scripts/install-deps.sh [build|test|bench]   (each set includes the ones before it)
set -euo pipefail

build_packages=(pkg-config libhpdf-dev libqrencode-dev libsqlite3-dev libmicrohttpd-dev libsodium-dev zlib1g-dev tzdata)
test_packages=(sqlite3 zbar-tools poppler-utils qpdf chromium python3-pil)
bench_packages=(wrk nginx-light time)

wanted=("${build_packages[@]}")
case "${1:-build}" in
    build) ;;
    test) wanted+=("${test_packages[@]}") ;;
    bench) wanted+=("${test_packages[@]}" "${bench_packages[@]}") ;;
    *) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: installing ${missing[*]} needs root or sudo" >&2; exit 1; }
    sudo="sudo"
fi
echo "Installing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
