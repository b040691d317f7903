#!/usr/bin/env bash
# Run the checks of .pre-commit-config.yaml (flake8, isort, yapf and file
# hygiene) on every tracked file, as CI does. Fails, showing the diff, when a
# hook finds a problem or would change a file.
# Usage: tools/lint.sh   (GRASS_STACK / GRASS_VENV choose the environment)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source tools/stack.sh
bash tools/setup_env.sh
"$GRASS_VENV/bin/pre-commit" run --all-files --show-diff-on-failure
