"""Lean 4 backend: the Lean REPL (default) or LeanDojo, in the pinned Lake project under lean/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from prover.lean.env import LeanReplEnv

PROJECT_DIR = Path(__file__).resolve().parents[2] / "lean"
REPL_BINARY = Path(".lake/packages/REPL/.lake/build/bin/repl")
ELAN_INSTALL = "curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh -s -- -y --default-toolchain none"


def project_dir() -> Path:
    return Path(os.environ.get("PROVER_LEAN_PROJECT", PROJECT_DIR))


def _lake() -> str | None:
    return shutil.which("lake") or (
        str(Path.home() / ".elan/bin/lake") if (Path.home() / ".elan/bin/lake").exists() else None
    )


def create_env(
    backend: str = "repl",
    tactic_timeout: float = 60.0,
    memory_gb: float | None = 8.0,
    allow_native_decide: bool = False,
    repl_command: list[str] | None = None,
    **options,
):
    """`backend` "repl" (default) or "dojo" (LeanDojo, for users with traced repositories)."""
    if backend == "dojo":
        from prover.lean.dojo import LeanDojoEnv

        return LeanDojoEnv(
            tactic_timeout=tactic_timeout, allow_native_decide=allow_native_decide, **options
        )
    proj = project_dir()
    command = repl_command or [_lake() or "lake", "env", str(proj / REPL_BINARY)]
    return LeanReplEnv(
        command=command,
        cwd=str(proj),
        tactic_timeout=tactic_timeout,
        memory_gb=memory_gb,
        allow_native_decide=allow_native_decide,
        **options,
    )


def check_installation() -> str | None:
    """A precise statement of what is missing, with the commands that fix it (None when ready)."""
    proj = project_dir()
    lake = _lake()
    if lake is None:
        return (
            "Lean is not installed (no `lake` on PATH). Install elan, then build the project: "
            f"`{ELAN_INSTALL}` and `prover setup lean`"
        )
    wanted = (
        (proj / "lean-toolchain").read_text().strip()
        if (proj / "lean-toolchain").exists()
        else None
    )
    if wanted is None:
        return f"{proj}/lean-toolchain is missing: set PROVER_LEAN_PROJECT to the prover's lean/ folder"
    if not (proj / ".lake" / "packages" / "mathlib" / ".lake" / "build").exists():
        return f"Mathlib is not built in {proj}: run `prover setup lean` (it runs `lake exe cache get` there)"
    if not (proj / REPL_BINARY).exists():
        return f"the Lean REPL is not built in {proj}: run `prover setup lean` (it runs `lake build repl`)"
    return None


def setup() -> int:
    """Install elan if missing, fetch Mathlib's cache, build the REPL; say what failed and how to fix it."""
    proj = project_dir()
    steps: list[tuple[str, list[str] | str]] = []
    if _lake() is None:
        steps.append(("install elan (the Lean toolchain manager)", ELAN_INSTALL))
    steps += [
        ("resolve the pinned dependencies", ["lake", "update"]),
        ("download Mathlib's prebuilt cache", ["lake", "exe", "cache", "get"]),
        ("build the Lean REPL", ["lake", "build", "repl"]),
        ("build the project (checks the miniF2F header)", ["lake", "build"]),
    ]
    env = {**os.environ, "PATH": f"{Path.home() / '.elan/bin'}:{os.environ.get('PATH', '')}"}
    for what, cmd in steps:
        print(f"setup lean: {what}: {cmd if isinstance(cmd, str) else ' '.join(cmd)}", flush=True)
        code = subprocess.call(cmd, cwd=proj, shell=isinstance(cmd, str), env=env)
        if code != 0:
            print(
                f"setup lean: failed to {what} (exit {code}). Fix that step and run `prover setup lean` again."
            )
            return code
    problem = check_installation()
    print(
        problem
        or f"setup lean: ready ({(proj / 'lean-toolchain').read_text().strip()}, Mathlib v4.24.0, REPL built)"
    )
    return 1 if problem else 0


def default_portfolio() -> tuple[str, ...]:
    return (
        "norm_num",
        "linarith",
        "nlinarith",
        "positivity",
        "omega",
        "simp",
        "decide",
        "ring_nf",
        "field_simp",
        "aesop",
    )


def theorem_from_file(path: Path):
    from prover.datasets.minif2f_lean4 import parse_lean_file

    return parse_lean_file(path.read_text(encoding="utf-8"), path.stem)
