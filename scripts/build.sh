#!/usr/bin/env bash
# Configures and builds tinynas into build/ (or $BUILD_DIR). Extra arguments go to cmake configure.
#   scripts/build.sh                       # RelWithDebInfo
#   BUILD_DIR=build-asan scripts/build.sh -DTINYNAS_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" "$@"
else
  cmake -S . -B "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" --parallel "$(nproc)"
