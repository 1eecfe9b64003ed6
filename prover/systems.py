"""Where the CLI and runners find a proof assistant backend by name.

Backends are imported lazily so that `prover` works with only the Coq toolchain
installed. Each backend package exposes `create_env(**options) -> ProofEnv` and
`check_installation() -> str | None` (None when usable, else what to do), and may expose
`check_file(path, reference, theorem_name) -> Verdict` (`prover check`: a whole proof file
with the audit a found proof gets; `reference` is a benchmark's Theorem whose header and
statement the file must keep; raises ValueError for a file it cannot check at all).
"""

from __future__ import annotations

import importlib
from typing import Any

from prover.proofenv import ProofEnv
from prover.theorem import SYSTEMS


def backend_module(system: str):
    if system not in SYSTEMS:
        raise ValueError(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    return importlib.import_module(f"prover.{system}")


def create_env(system: str, **options: Any) -> ProofEnv:
    return backend_module(system).create_env(**options)


def check_installation(system: str) -> str | None:
    return backend_module(system).check_installation()
