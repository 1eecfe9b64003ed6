"""Coq backend: coqtop for tactic-by-tactic search, coqc for the final from-scratch verdict."""

from __future__ import annotations

import subprocess
from pathlib import Path

from prover.assistants.base import TACTIC_TIMEOUT
from prover.assistants.coq.check import check_file
from prover.assistants.coq.env import CoqEnv
from prover.assistants.coq.portfolio import PORTFOLIO_MEMORY_MB, PORTFOLIOS
from prover.assistants.coq.toolchain import INSTALL_HINT, check_installation

__all__ = [
    "INSTALL_HINT",
    "CoqEnv",
    "check_file",
    "check_installation",
    "create_env",
    "default_portfolio",
]


def create_env(
    tactic_timeout: float = TACTIC_TIMEOUT,
    memory_mb: int | None = None,
    portfolio: bool = True,
    automation: str = "default",
    **options,
) -> CoqEnv:
    """A CoqEnv; with `portfolio`, the header also imports what the `automation` portfolio's
    tactics need and coqtop's memory cap (default 1 GiB) is raised to what `hammer` needs."""
    if memory_mb is None:
        memory_mb = PORTFOLIO_MEMORY_MB if portfolio else 1024
    return CoqEnv(
        tactic_timeout=tactic_timeout,
        memory_mb=memory_mb,
        extra_header=_automation(automation)[1] if portfolio else "",
        **options,
    )


def default_portfolio(automation: str = "default") -> tuple[str, ...]:
    """The automation tactics of `automation` ("default" or "classic")."""
    return _automation(automation)[0]


def _automation(name: str) -> tuple[tuple[str, ...], str]:
    if name not in PORTFOLIOS:
        raise ValueError(f"unknown automation {name!r}; choose one of {', '.join(PORTFOLIOS)}")
    return PORTFOLIOS[name]


def setup() -> int:
    script = Path(__file__).resolve().parents[3] / "scripts" / "install_coq.sh"
    if script.exists():
        return subprocess.call(["bash", str(script)])
    problem = check_installation()
    print(problem or "Coq toolchain is installed.")
    return 1 if problem else 0
