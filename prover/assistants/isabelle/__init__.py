"""Isabelle backend: informal-to-formal (DSP) proofs checked by the Isabelle server, and Sledgehammer.

`create_env(**options)` gives an `IsabelleEnv` on the `MiniF2F` session defined in the
repository's isabelle/ROOT; `check_installation()` says what is missing (None when usable);
`setup()` is `prover setup isabelle`: it checks the installation and builds the session heap.
`check_file(path, reference, theorem_name)` is `prover check FILE.thy`; `static_check` (same
arguments) is every part of it that needs no Isabelle (`prover check --static`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from prover.assistants.isabelle.check import check_file, refusal, static_check
from prover.assistants.isabelle.client import isabelle_version
from prover.assistants.isabelle.env import IsabelleEnv, create

__all__ = [
    "IsabelleEnv",
    "check_file",
    "check_installation",
    "create_env",
    "refusal",
    "setup",
    "static_check",
]

SESSION = "MiniF2F"
SESSION_DIR = Path(__file__).resolve().parents[3] / "isabelle"
MIN_YEAR = 2022
INSTALL = (
    "Isabelle is not installed (no `isabelle` on PATH). Download Isabelle2022 (the version Llemma "
    "used) or Isabelle2024 from https://isabelle.in.tum.de/installation.html, unpack it, put its "
    "bin/ folder on PATH (e.g. `export PATH=$HOME/Isabelle2024/bin:$PATH`), then run "
    "`prover setup isabelle` to build the MiniF2F session heap "
    f"(`isabelle build -b -d {SESSION_DIR} {SESSION}`)."
)


SERVER_VARIABLE = "PROVER_ISABELLE_SERVER"


def server_options(spec: str) -> dict:
    """Options for an existing server: its name, or the line `isabelle server` printed
    (``server "NAME" = HOST:PORT (password "PW")``)."""
    m = re.match(r'server ".*" = (.*):(\d+) \(password "(.*)"\)', spec.strip())
    if m:
        return {"address": m.group(1), "port": int(m.group(2)), "password": m.group(3)}
    if not re.fullmatch(r"[\w.-]+", spec.strip()):
        raise ValueError(
            f"{SERVER_VARIABLE} must be a server name or the server's info line, not {spec!r}"
        )
    return {"name": spec.strip()}


def create_env(**options) -> IsabelleEnv:
    """An IsabelleEnv on the MiniF2F session. Without `port`/`password`/`name` options it uses
    the server named in $PROVER_ISABELLE_SERVER, else starts a private one."""
    options.setdefault("session", SESSION)
    options.setdefault("session_dirs", [str(SESSION_DIR)])
    spec = os.environ.get(SERVER_VARIABLE)
    if spec and not {"port", "password", "name", "server_command"} & options.keys():
        options.update(server_options(spec))
    return create(**options)


def _version_problem(version: str | None) -> str | None:
    m = re.search(r"Isabelle(\d{4})", version or "")
    if m is None:
        return f"`isabelle version` printed {version!r}, not an Isabelle release name. {INSTALL}"
    if int(m.group(1)) < MIN_YEAR:
        return f"{m.group(0)} is too old for this prover; install Isabelle{MIN_YEAR} or newer. {INSTALL}"
    return None


def heap_path(isabelle: str = "isabelle", session: str = SESSION) -> list[Path]:
    """Where the session's heap image lives (user heaps first, then the system's)."""
    out = subprocess.run(
        [isabelle, "getenv", "-b", "ISABELLE_HEAPS", "ISABELLE_HEAPS_SYSTEM", "ML_IDENTIFIER"],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split("\n")
    if len(out) < 3:
        return []
    heaps, system_heaps, ml_id = out[0].strip(), out[1].strip(), out[2].strip()
    return [Path(d) / ml_id / session for d in (heaps, system_heaps) if d]


def check_installation(isabelle: str = "isabelle") -> str | None:
    """None when Isabelle (>= 2022) is on PATH and the MiniF2F heap is built, or when a running
    server is named in $PROVER_ISABELLE_SERVER (it may live on another machine); else what to do."""
    if os.environ.get(SERVER_VARIABLE):
        return None
    if shutil.which(isabelle) is None:
        return INSTALL
    problem = _version_problem(isabelle_version(isabelle))
    if problem:
        return problem
    if not any(p.exists() for p in heap_path(isabelle)):
        return (
            f"the {SESSION} session heap is not built: run `prover setup isabelle` "
            f"(or `isabelle build -b -d {SESSION_DIR} {SESSION}`; the first build takes a while)"
        )
    return None


def setup() -> int:
    """`prover setup isabelle`: check Isabelle, build the MiniF2F heap; exit code."""
    if shutil.which("isabelle") is None:
        print(INSTALL)
        return 1
    version = isabelle_version()
    problem = _version_problem(version)
    if problem:
        print(problem)
        return 1
    print(
        f"setup isabelle: {version}; building the {SESSION} session heap (the first time is long)"
    )
    code = subprocess.call(["isabelle", "build", "-b", "-v", "-d", str(SESSION_DIR), SESSION])
    if code != 0:
        print(f"setup isabelle: `isabelle build` failed with exit code {code}")
        return code
    problem = check_installation()
    print(problem or f"setup isabelle: ready ({version}, session {SESSION})")
    return 0 if problem is None else 1
