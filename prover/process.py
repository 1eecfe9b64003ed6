"""How proof-assistant child processes are started: own session, memory cap, no orphans.

Every child (coqtop, coqc, the Lean REPL) runs in its own session so a Ctrl-C at the terminal
reaches only the prover, which then shuts its children down itself; the kernel enforces the
memory cap; and the child is killed if the prover dies abruptly, so a killed run never leaves
a busy proof assistant behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def child_setup(
    memory_bytes: int | None = None, limit: int = resource.RLIMIT_AS
) -> Callable[[], None]:
    """A preexec_fn for subprocess.Popen (runs in the child between fork and exec)."""

    def setup() -> None:
        os.setsid()
        if memory_bytes:
            resource.setrlimit(limit, (memory_bytes, memory_bytes))
        with contextlib.suppress(OSError):  # Linux: die with the parent
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return setup
