#!/usr/bin/env bash
# Build (or check) the environment, then run the test suite.
# Usage: tools/run_tests.sh [pytest arguments]
#        GRASS_STACK=openmmlab tools/run_tests.sh   # on the OpenMMLab 1.x stack
# The tests run in parallel worker processes (pytest-xdist), one per CPU
# core; GRASS_TEST_WORKERS=N sets how many (0: all in this process).
# Exits non-zero when a test fails and also when pytest collects no test
# at all (its exit code 5): a run that passes with zero tests means the
# test discovery is broken, not that the code works.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/stack.sh
bash tools/setup_env.sh

status=0
"$GRASS_VENV/bin/python" -m pytest tests -n "${GRASS_TEST_WORKERS:-auto}" \
    "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "[run_tests] error: pytest collected no tests (exit code 5);" \
        "the test discovery is broken or the selection matches nothing" >&2
fi
exit "$status"
