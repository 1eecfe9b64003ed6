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
import subprocess
import tempfile
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


def group_members(pgid: int) -> list[int]:
    """Live PIDs in process group `pgid`, zombies left out (they hold no CPU or memory).

    Linux /proc; an empty list where /proc is absent."""
    members = []
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue  # the process ended while we looked
            fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (comm) "
            if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry))
    return members


def kill_strays(leader: int) -> int:
    """SIGKILL every process in `leader`'s group but the leader; return how many.

    CoqHammer forks coqtop to run its provers (eprover, z3, cvc4, Vampire) in parallel, and
    a `Timeout` that stops `hammer` leaves those forks computing for up to their own limit
    (20 s), stealing the cores the model and the next tactics need."""
    killed = 0
    for pid in group_members(leader):
        if pid != leader:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed


def run_in_session(
    args: list[str],
    timeout: float,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    memory_bytes: int | None = None,
) -> tuple[int | None, str]:
    """Run a command to completion in its own session; (exit code or None on timeout, output).

    Output goes to a file rather than a pipe: helpers the command forks (CoqHammer's provers)
    inherit its stdout, and reading a pipe to EOF would wait for them too. Whatever is left
    of the session when the command ends is killed."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=child_setup(memory_bytes),
        )
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.seek(0)
        return code, out.read().decode("utf-8", errors="replace")
