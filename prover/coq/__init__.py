"""Coq backend: coqtop for tactic-by-tactic search, coqc for the final from-scratch verdict."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from prover.coq.env import CoqEnv
from prover.coq.portfolio import DEFAULT_PORTFOLIO, PORTFOLIO_IMPORTS

INSTALL_HINT = "run `bash scripts/install_coq.sh` (or: sudo apt-get install coq libcoq-coquelicot libcoq-hammer eprover z3 cvc4 coinor-csdp)"


def create_env(
    tactic_timeout: float = 10.0, memory_mb: int | None = 1024, portfolio: bool = True, **options
) -> CoqEnv:
    """A CoqEnv; with `portfolio`, the header also imports what the automation tactics need."""
    return CoqEnv(
        tactic_timeout=tactic_timeout,
        memory_mb=memory_mb,
        extra_header=PORTFOLIO_IMPORTS if portfolio else "",
        **options,
    )


def default_portfolio() -> tuple[str, ...]:
    return DEFAULT_PORTFOLIO


def check_installation() -> str | None:
    for tool in ("coqtop", "coqc"):
        if shutil.which(tool) is None:
            return f"{tool} not found: {INSTALL_HINT}"
    where = subprocess.run(["coqc", "-where"], capture_output=True, text=True).stdout.strip()
    contrib = Path(where) / "user-contrib"
    for lib in ("Coquelicot", "Hammer"):
        if not (contrib / lib).exists():
            return f"the Coq library {lib} is missing from {contrib}: {INSTALL_HINT}"
    return None


def setup() -> int:
    script = Path(__file__).resolve().parents[2] / "scripts" / "install_coq.sh"
    if script.exists():
        return subprocess.call(["bash", str(script)])
    problem = check_installation()
    print(problem or "Coq toolchain is installed.")
    return 1 if problem else 0
