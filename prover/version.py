"""Which code produced a results line: the package version and, in a git checkout, its commit.

A published row can take several sittings (the miniF2F test split at 120 s per theorem is
hours on two cores); a line's `extra["code"]` says which commit proved it, so a row whose
lines came from different code says so instead of mixing them silently. The config digest
covers the settings, not the code.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

from prover import __version__


@lru_cache(maxsize=1)
def code_version() -> str:
    """`0.1.0+<commit>` (with `-dirty` when tracked files differ from it) in a git checkout,
    `0.1.0` in an installed copy."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return __version__
    try:
        head = _git(root, "rev-parse", "--short=12", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.TimeoutExpired, subprocess.CalledProcessError):
        return __version__
    return f"{__version__}+{head}" + ("-dirty" if dirty else "")


def _git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return out.stdout.strip()
