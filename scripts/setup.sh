#!/usr/bin/env bash
# Installs every dependency tinynas needs on Debian 12 (bookworm), from the Debian archive only.
# Idempotent: packages already installed are skipped by apt. Needs root, or sudo.
#
#   scripts/setup.sh            # everything (build, tests, cross toolchain, QEMU, plots, ONNX)
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build clang-format
  libtorch-dev libopenblas0-openmp          # openblas: torch otherwise uses the 14x slower reference BLAS
  libgloo-dev                               # c10d's ProcessGroupGloo.hpp includes gloo's headers (data-parallel training)
  libjpeg-dev libpng-dev zlib1g-dev         # data sets: JPEG / PNG image folders, gzip (MNIST, .tar.gz)
  libeigen3-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcxxopts-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm python3-pyocd openocd   # openocd: tinynas bench on boards (all four)
  gnuplot-nox libonnx-dev libprotobuf-dev python3-onnx   # ONNX export: libonnx-dev lacks the protobuf headers
)

if [ "$(id -u)" -eq 0 ]; then
  sudo_cmd=()
elif command -v sudo >/dev/null 2>&1; then
  sudo_cmd=(sudo)
else
  echo "setup.sh: needs root or sudo to install packages with apt-get" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup.sh: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
