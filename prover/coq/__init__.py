"""Coq backend: coqtop for tactic-by-tactic search, coqc for the final from-scratch verdict."""

from __future__ import annotations

import subprocess
from pathlib import Path

from prover.coq.check import check_file
from prover.coq.env import CoqEnv
from prover.coq.portfolio import DEFAULT_PORTFOLIO, PORTFOLIO_IMPORTS, PORTFOLIO_MEMORY_MB
from prover.coq.toolchain import INSTALL_HINT, check_installation

__all__ = [
    "INSTALL_HINT",
    "CoqEnv",
    "check_file",
    "check_installation",
    "create_env",
    "default_portfolio",
]


def create_env(
    tactic_timeout: float = 10.0,
    memory_mb: int | None = None,
    portfolio: bool = True,
    **options,
) -> CoqEnv:
    """A CoqEnv; with `portfolio`, the header also imports what the automation tactics need
    and coqtop's memory cap (default 1 GiB) is raised to what `hammer` needs."""
    if memory_mb is None:
        memory_mb = PORTFOLIO_MEMORY_MB if portfolio else 1024
    return CoqEnv(
        tactic_timeout=tactic_timeout,
        memory_mb=memory_mb,
        extra_header=PORTFOLIO_IMPORTS if portfolio else "",
        **options,
    )


def default_portfolio() -> tuple[str, ...]:
    return DEFAULT_PORTFOLIO


def setup() -> int:
    script = Path(__file__).resolve().parents[2] / "scripts" / "install_coq.sh"
    if script.exists():
        return subprocess.call(["bash", str(script)])
    problem = check_installation()
    print(problem or "Coq toolchain is installed.")
    return 1 if problem else 0
