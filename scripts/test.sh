#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a tested build: installs the dependencies, builds,
# runs every test, then repeats the tests in an AddressSanitizer + UBSan build.
#   scripts/test.sh                 # everything (what CI runs)
#   SKIP_SANITIZE=1 scripts/test.sh # the plain build only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== build and test (build/)"
scripts/build.sh
ctest --test-dir build --output-on-failure --parallel "$(nproc)"

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== build and test with AddressSanitizer + UBSan (build-asan/)"
  # Optimised (the bit-exact engine tests run thousands of inferences) and without LibTorch: its
  # prebuilt libraries are not instrumented, and the supernet code is covered by the plain build.
  BUILD_DIR=build-asan scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTINYNAS_SANITIZE=ON \
    -DTINYNAS_BUILD_BENCH=OFF -DTINYNAS_WITH_TORCH=OFF
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure --parallel "$(nproc)"
fi
echo "== all tests passed"
