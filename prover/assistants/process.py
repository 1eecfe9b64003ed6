"""How proof-assistant child processes are started: own session, memory cap, no orphans.

Every child (coqtop, coqc, the Lean REPL) runs in its own session so a Ctrl-C at the terminal
reaches only the prover, which then shuts its children down itself; the kernel enforces the
memory cap; and the child is killed if the prover dies abruptly, so a killed run never leaves
a busy proof assistant behind. Helpers a child starts on its own (CoqHammer's provers) carry
an environment tag, by which they are found and killed however they were reparented.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import tempfile
import uuid
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


TAG_VARIABLE = "PROVER_PROCESS_TAG"


def new_tag() -> str:
    """A fresh value for TAG_VARIABLE: every process started with it, and every process
    those start, carries it in its environment, whatever its parent or session."""
    return uuid.uuid4().hex


def tagged(tag: str) -> list[int]:
    """Live processes whose environment carries `tag` (Linux /proc; zombies have none)."""
    marker = f"{TAG_VARIABLE}={tag}".encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    env = f.read()
            except OSError:
                continue  # ended meanwhile, or not ours to read
            if marker in env.split(b"\0"):
                found.append(int(entry))
    return found


def kill_strays(tag: str, spare: int | None = None) -> int:
    """SIGKILL every process carrying `tag` but `spare`; return how many.

    CoqHammer forks coqtop and runs `predict` and its provers (eprover, z3, cvc4) under
    `htimeout`, in sessions of their own and often orphaned; a `Timeout` that stops `hammer`
    leaves them computing for up to their own limit (20 s), stealing the cores the model and
    the next tactics need. The environment tag finds them wherever they were reparented.
    They are stopped first, round after round until no new one appears (a stopped process
    cannot fork), then killed."""
    stopped: list[int] = []
    while True:
        new = [p for p in tagged(tag) if p != spare and p not in stopped]
        if not new:
            break
        for pid in new:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
    for pid in stopped:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(stopped)


def end_session(proc: subprocess.Popen, tag: str) -> None:
    """Kill a child started with `child_setup` and `tag`: its session, then whatever carries
    the tag outside it; reap the child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    kill_strays(tag)


def ask_to_exit(proc: subprocess.Popen, timeout: float) -> None:
    """Close a running child's input and give it `timeout` seconds to exit: a REPL ends
    cleanly at the end of its input. One that will not (or is already gone) is left to the
    caller's kill."""
    if proc.poll() is not None:
        return
    try:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=timeout)
    except Exception:
        pass


def run_in_session(
    args: list[str],
    timeout: float,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    memory_bytes: int | None = None,
) -> tuple[int | None, str]:
    """Run a command to completion in its own session; (exit code or None on timeout, output).

    Output goes to a file rather than a pipe: helpers the command forks (CoqHammer's provers)
    inherit its stdout, and reading a pipe to EOF would wait for them too. Whatever the
    command left running when it ends is killed."""
    with tempfile.TemporaryFile() as out:
        tag = new_tag()
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env={**(os.environ if env is None else env), TAG_VARIABLE: tag},
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
            end_session(proc, tag)
        out.seek(0)
        return code, out.read().decode("utf-8", errors="replace")
