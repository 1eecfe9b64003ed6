"""Where the Coq toolchain lives and the environment its processes need.

CoqHammer's tactic calls two helper programs, `htimeout` and `predict`, that Debian installs
outside PATH (in /usr/libexec/coq-hammer); without them every `hammer` fails with
"sh: htimeout: not found". Every coqtop and coqc the prover starts gets this environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = "run `bash scripts/install_coq.sh` (or: sudo apt-get install coq libcoq-coquelicot libcoq-hammer eprover z3 cvc4 coinor-csdp)"
HAMMER_TOOLS = Path("/usr/libexec/coq-hammer")


def environment() -> dict[str, str]:
    """os.environ with CoqHammer's helpers on PATH and a fixed locale (stable messages)."""
    env = {**os.environ, "LC_ALL": "C"}
    if HAMMER_TOOLS.is_dir() and str(HAMMER_TOOLS) not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = os.pathsep.join(p for p in (env.get("PATH", ""), str(HAMMER_TOOLS)) if p)
    return env


def check_installation() -> str | None:
    """None when coqtop, coqc and the libraries the benchmark and portfolio need are present."""
    for tool in ("coqtop", "coqc"):
        if shutil.which(tool) is None:
            return f"{tool} not found: {INSTALL_HINT}"
    where = subprocess.run(["coqc", "-where"], capture_output=True, text=True).stdout.strip()
    contrib = Path(where) / "user-contrib"
    for lib in ("Coquelicot", "Hammer"):
        if not (contrib / lib).exists():
            return f"the Coq library {lib} is missing from {contrib}: {INSTALL_HINT}"
    for helper in ("htimeout", "predict"):
        if shutil.which(helper, path=environment()["PATH"]) is None:
            return f"CoqHammer's helper {helper} is missing: {INSTALL_HINT}"
    return None
