"""Isabelle backend: informal-to-formal (DSP) proofs checked by the Isabelle server, and Sledgehammer."""

from __future__ import annotations

import shutil
from pathlib import Path

from prover.isabelle.env import IsabelleEnv, create
from prover.isabelle.server import isabelle_version

SESSION_DIR = Path(__file__).resolve().parents[2] / "isabelle"
INSTALL = (
    "Isabelle is not installed (no `isabelle` on PATH). Download Isabelle2022 (the version Llemma "
    "used) or a newer release from https://isabelle.in.tum.de/installation.html, unpack it, put "
    "its bin/ on PATH, then run `prover setup isabelle` to build the miniF2F session heap."
)


def create_env(**options) -> IsabelleEnv:
    options.setdefault("session", "MiniF2F")
    options.setdefault("session_dirs", [str(SESSION_DIR)])
    return create(**options)


def check_installation() -> str | None:
    if shutil.which("isabelle") is None:
        return INSTALL
    return None


def setup() -> int:
    import subprocess

    problem = check_installation()
    if problem:
        print(problem)
        return 1
    print(
        f"setup isabelle: {isabelle_version()}; building the MiniF2F session heap (first time: long)"
    )
    return subprocess.call(["isabelle", "build", "-b", "-d", str(SESSION_DIR), "MiniF2F"])
