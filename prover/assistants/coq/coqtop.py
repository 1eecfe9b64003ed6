"""One `coqtop -emacs` process: send a sentence, read its reply up to the next prompt.

Debian ships no SerAPI or coq-lsp, but `coqtop -emacs` is enough: every sentence is
answered by text (goals, messages, `Error: ...`) and then a prompt line carrying the
state number (``<prompt>NAME < 7 |NAME| 0 < </prompt>``), which `BackTo 7.` returns to.
The proof stack between the bars tells which proofs are open.

A tactic can print anything, a prompt line included (`idtac "<prompt>..."`), so the text
alone cannot say where a reply ends. After every sentence the reader sends a query for a
fresh random name (`Check prover_end_<nonce>.`): Coq answers it with an error that echoes
the name, which no earlier output can contain. The sentence's own prompt is the last one
before that echo; the query changes no state.
"""

from __future__ import annotations

import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass

from prover.assistants.base import ProofEnvError
from prover.assistants.coq.toolchain import environment
from prover.assistants.process import (
    TAG_VARIABLE,
    ask_to_exit,
    child_setup,
    end_session,
    kill_strays,
    new_tag,
)

# After SIGINT, how long coqtop has to abandon the sentence before it is killed (Coq answers
# an interrupt within milliseconds when it checks for one at all).
INTERRUPT_GRACE_SECONDS = 0.5
_PROMPT = re.compile(r"<prompt>(\S+) < (\d+) \|([^|]*)\| (\d+) < </prompt>")
_TAGS = re.compile(r"</?(infomsg|warning|prompt)>")


class CoqtopDied(ProofEnvError):
    """coqtop crashed, was killed, or stopped answering; the caller restarts it."""


@dataclass(frozen=True)
class Reply:
    state: int  # the state number after the sentence (unchanged after an error)
    output: str  # what coqtop printed for the sentence, tags removed
    error: str | None  # Coq's error text, if the sentence failed
    proofs: tuple[str, ...]  # names of the open proofs, innermost first


class Coqtop:
    def __init__(
        self, args: tuple[str, ...] = (), memory_mb: int | None = 1024, program: str = "coqtop"
    ):
        self.args, self.memory_mb, self.program = args, memory_mb, program
        self.proc: subprocess.Popen | None = None
        self._workdir = tempfile.mkdtemp(prefix="prover-coqtop-")
        self.state = 0
        self._tag = new_tag()
        self._buf = b""

    def start(self, timeout: float = 30.0) -> Reply:
        self.close()
        os.makedirs(self._workdir, exist_ok=True)
        self._tag = new_tag()  # marks coqtop and every helper it starts (see kill_strays)

        try:
            self.proc = subprocess.Popen(
                [self.program, "-emacs", "-q", *self.args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=child_setup(self.memory_mb * 2**20 if self.memory_mb else None),
                cwd=self._workdir,  # lia/nra write cache files into the working directory
                env={**environment(), TAG_VARIABLE: self._tag},
            )
        except FileNotFoundError as e:
            raise ProofEnvError(
                f"{self.program} not found: run scripts/install_coq.sh (or apt-get install coq)"
            ) from e
        self._buf = b""
        return self._exchange("", timeout)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, sentence: str, timeout: float) -> Reply:
        """Run one sentence; `timeout` bounds the wait (then interrupt, then kill)."""
        if not self.alive:
            raise CoqtopDied("coqtop is not running")
        t0 = time.perf_counter()
        try:
            return self._exchange(" ".join(sentence.split()) + "\n", timeout)
        except TimeoutError:
            return self._interrupt(sentence, timeout)
        finally:
            if time.perf_counter() - t0 > 0.25 and self.alive:
                kill_strays(self._tag, spare=self.proc.pid)  # hammer's helpers (~2 ms scan)

    def _interrupt(self, sentence: str, timeout: float) -> Reply:
        # SIGINT makes Coq abandon the sentence ("User interrupt.") and stay usable.
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            # The interrupt may have hit the sentence or the end-of-reply query: ask a new one.
            reply = self._exchange("", INTERRUPT_GRACE_SECONDS)
        except TimeoutError:
            self.kill()
            raise CoqtopDied(
                f"coqtop hung on {sentence[:60]!r} and ignored an interrupt; killed"
            ) from None
        return Reply(
            reply.state,
            reply.output,
            f"Timeout! (no answer within {timeout:.0f} s, interrupted)",
            reply.proofs,
        )

    def _exchange(self, line: str, timeout: float) -> Reply:
        """Send `line` (maybe empty) and an end-of-reply query; return the reply to `line`."""
        if self.proc is None or self.proc.stdin is None:
            raise CoqtopDied("coqtop is not running")
        end = f"prover_end_{secrets.token_hex(8)}"
        try:
            self.proc.stdin.write(f"{line}Check {end}.\n".encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise CoqtopDied(f"coqtop exited ({self._exit_text()})") from e
        return self._read_reply(end.encode(), timeout)

    def _read_reply(self, end: bytes, timeout: float) -> Reply:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        answered = b"reference " + end + b" was not found"
        while True:
            i = self._buf.find(answered)
            if i >= 0 and b"</prompt>" in self._buf[i:]:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise CoqtopDied(
                    f"coqtop exited ({self._exit_text()}); last output: {self._buf[-300:].decode(errors='replace')!r}"
                )
            self._buf += chunk
        # Nothing before the first echo of the fresh name can contain it: the last prompt
        # before it is the one that ended the sentence's reply.
        stop = self._buf.rfind(b"</prompt>", 0, self._buf.find(end))
        after = self._buf.index(b"</prompt>", i) + len(b"</prompt>")
        raw = self._buf[: stop + len(b"</prompt>")].decode(errors="replace") if stop >= 0 else ""
        self._buf = self._buf[after:]
        m = _PROMPT.search(raw, max(raw.rfind("<prompt>"), 0))
        if not m or m.end() != len(raw):
            raise CoqtopDied(f"unexpected coqtop output: {raw[-200:]!r}")
        output = _TAGS.sub("", raw[: m.start()]).strip()
        self.state = int(m.group(2))
        proofs = tuple(p for p in m.group(3).split("|") if p)
        return Reply(self.state, output, _error_text(output), proofs)

    def _exit_text(self) -> str:
        if self.proc is None:
            return "not started"
        try:
            code = self.proc.wait(
                timeout=2
            )  # the pipe closes a moment before the exit status is known
        except subprocess.TimeoutExpired:
            return "still running"
        oom = b"out of memory" in self._buf
        if oom or (code < 0 and -code in (6, 9, 11)):
            cap = f" of {self.memory_mb} MiB" if self.memory_mb else ""
            return (
                f"out of memory: it hit the memory cap{cap}"
                if oom
                else f"killed by signal {-code}, probably the memory cap{cap}"
            )
        if code < 0:
            return f"killed by signal {-code}"
        return f"exit status {code}"

    def kill(self) -> None:
        """Kill coqtop and everything in its session (hammer's forks), even if coqtop is gone."""
        if self.proc is not None:
            end_session(self.proc, self._tag)
            self.proc = None  # its pid may be reused once reaped: never signal that group again

    def close(self) -> None:
        if self.proc is not None:
            ask_to_exit(self.proc, 2)
            self.kill()  # also any helper process coqtop left behind
        shutil.rmtree(self._workdir, ignore_errors=True)


def _error_text(output: str) -> str | None:
    i = output.find("Error:")
    if i < 0:
        return None
    return output[i:].strip()
