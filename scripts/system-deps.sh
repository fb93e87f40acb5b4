#!/usr/bin/env bash
# Install the Debian packages the test suite needs (browser tests, Chinese fonts, kernel sandbox).
#
#   chromium        driven by Playwright in browser tests (`playwright install` cannot download here)
#   fonts-noto-cjk  so Chinese text renders in the browser and in matplotlib charts
#   bubblewrap      sandboxes trainee code during autograding
#   postgresql      a real server gradebook and workshop store: the suite starts its own server
#
# As root on a Debian-like system, missing packages are installed with apt-get. Otherwise the
# script prints what is missing and how to install it, and exits 0: the tests that need these
# packages then report the gap themselves.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk bubblewrap postgresql)

is_installed() {
    case "$1" in
        chromium) command -v chromium >/dev/null 2>&1 ;;
        bubblewrap) command -v bwrap >/dev/null 2>&1 ;;
        *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" ;;
    esac
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "system-deps: ${PACKAGES[*]} already installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING system-deps: missing ${missing[*]}; browser, font and sandbox tests may fail." >&2
    echo "  Install them as root: apt-get install -y ${missing[*]}" >&2
    exit 0
fi

echo "system-deps: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
