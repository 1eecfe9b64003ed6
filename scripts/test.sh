#!/usr/bin/env bash
# The test command: set up (idempotent), lint, then run the whole suite on the real Coq and model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install_test_tools.sh
bash scripts/install_editor_tools.sh  # Emacs + Proof General for the copilot's editor test
.venv/bin/ruff check .
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=25 "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
