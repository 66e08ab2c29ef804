#!/usr/bin/env bash
# One command from a fresh Debian 12 checkout to a search result: installs the dependencies,
# builds, and runs the main job on the default config. Extra arguments go to `tinynas search`.
#   scripts/search.sh                      # tinynas search --sram 320K --flash 1M
#   scripts/search.sh --board stm32f412    # any other search options
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
if [ $# -eq 0 ]; then set -- --sram 320K --flash 1M; fi
exec build/cli/tinynas search "$@"
