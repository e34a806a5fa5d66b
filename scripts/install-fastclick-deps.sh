#!/usr/bin/env bash
# System setup for scripts/build-fastclick.sh on Debian 12 (README, "Testing against real FastClick"), idempotent, as root or
# through sudo: Debian's DPDK 22.11 and FastClick's build dependencies, a deb-src entry so that
# `apt-get source dpdk` finds testpmd's sources, and the rte_build_config.h link FastClick's
# configure looks for in /usr/include/dpdk/.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
apt_get() { $SUDO apt-get -o DPkg::Lock::Timeout=600 "$@"; }

PACKAGES=(libdpdk-dev dpdk dpdk-dev build-essential pkg-config libpcap-dev libnuma-dev
  python3-pyelftools libelf-dev zlib1g-dev libjansson-dev xz-utils)

# deb-src: the same mirrors and suites as the machine's deb entries (deb822 file or sources.list).
SRC_FILE=/etc/apt/sources.list.d/flowmage-deb-src.sources
need_update=0
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$SRC_FILE" >/dev/null
  elif grep -qsE '^deb ' /etc/apt/sources.list; then
    grep -E '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' | $SUDO tee /etc/apt/sources.list.d/flowmage-deb-src.list >/dev/null
  else
    echo "install-fastclick-deps: no Debian apt source found to derive a deb-src entry from" >&2
    exit 1
  fi
  need_update=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "$need_update" = 1 ] || [ "${#missing[@]}" -gt 0 ]; then apt_get update; fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_get install -y --no-install-recommends "${missing[@]}"
fi

# Debian keeps rte_build_config.h under the multiarch include dir; FastClick's configure reads the
# DPDK version from $(pkg-config --variable=includedir libdpdk)/rte_build_config.h.
INCLUDE_DIR=$(pkg-config --variable=includedir libdpdk)
if [ ! -e "$INCLUDE_DIR/rte_build_config.h" ]; then
  found=$(ls /usr/include/*-linux-gnu/dpdk/rte_build_config.h 2>/dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    echo "install-fastclick-deps: rte_build_config.h not found under /usr/include/*-linux-gnu/dpdk/" >&2
    exit 1
  fi
  $SUDO ln -sf "$found" "$INCLUDE_DIR/rte_build_config.h"
fi
echo "install-fastclick-deps: DPDK $(pkg-config --modversion libdpdk), deb-src and build dependencies ready"
