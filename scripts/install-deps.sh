#!/usr/bin/env bash
# Installs the Debian 12 packages liqsim needs, only those that are missing (apt-get, Debian names).
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libboost-graph-dev libeigen3-dev libcli11-dev libhdf5-dev
          libtomlplusplus-dev zlib1g-dev libgtest-dev libbenchmark-dev libopenmpi-dev openmpi-bin
          python3-h5py python3-matplotlib python3-pandas python3-dev pybind11-dev chromium hyperfine)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "liqsim: installing missing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
