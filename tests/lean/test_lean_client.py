"""The REPL client's bytes, memory and LeanDojo failures, against STAND-IN processes and
stand-in LeanDojo classes (neither Lean nor lean-dojo is installed on the CI machines)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from prover.assistants.base import (
    Crashed,
    Failed,
    Progress,
    ProofEnvError,
    ProofState,
    TimedOut,
    ToolchainMissing,
)
from prover.assistants.lean.dojo import LeanDojoEnv, version_problem
from prover.assistants.lean.env import LeanReplEnv
from prover.assistants.lean.repl import CommandResponse, LeanRepl, ReplDied, ReplTimedOut
from prover.theorem import Theorem

# Writes one REPL answer holding ℝ and ⊢ (3 bytes each in UTF-8) one byte per write.
BYTE_BY_BYTE = r"""
import sys, time
sys.stdin.readline(); sys.stdin.readline()
answer = '{"env": 0, "messages": [{"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": null, "data": "x : ℝ ⊢ x = x"}]}\n\n'
for b in answer.encode():
    sys.stdout.buffer.write(bytes([b])); sys.stdout.buffer.flush(); time.sleep(0.001)
time.sleep(5)
"""


def test_multibyte_characters_split_across_reads_decode():
    repl = LeanRepl([sys.executable, "-c", BYTE_BY_BYTE], memory_gb=None)
    resp = repl.request({"cmd": "x"}, timeout=20)
    repl.kill()
    assert isinstance(resp, CommandResponse)
    assert resp.messages[0].data == "x : ℝ ⊢ x = x"  # no U+FFFD


def test_restart_between_theorems_near_the_memory_cap(tmp_path, monkeypatch):
    """The stand-in holds 150 MB of heap; above 50% of a 0.25 GiB cap, the next theorem
    starts in a fresh process."""
    monkeypatch.setenv("PROTOCOL_REPL_LOG", str(tmp_path / "log.jsonl"))
    ballast = "x = bytearray(150 * 2**20); x[::4096] = b'1' * len(x[::4096]); "
    runner = f"{ballast}import runpy, sys; sys.argv = ['repl']; runpy.run_path({str(Path(__file__).with_name('protocol_repl.py'))!r}, run_name='__main__')"
    env = LeanReplEnv(command=[sys.executable, "-c", runner], memory_gb=0.25, restart_fraction=0.5)
    thm = Theorem("t", "lean", "theorem t : True := by")
    env.open(thm)
    assert env._repl.resident_bytes() > 150 * 2**20
    starts = env._repl.starts
    env.open(thm)
    assert env.stats.memory_restarts == 1 and env._repl.starts == starts + 1
    env.restart_fraction = 0.99
    env.open(thm)
    assert env.stats.memory_restarts == 1
    env.close()


def test_a_repl_killed_at_its_deadline_is_timed_out_and_one_that_died_crashed(
    tmp_path, monkeypatch
):
    """The env, which knows why the REPL went away, says so by the result's type."""
    monkeypatch.setenv("PROTOCOL_REPL_LOG", str(tmp_path / "log.jsonl"))
    stand_in = [sys.executable, str(Path(__file__).with_name("protocol_repl.py"))]
    env = LeanReplEnv(command=stand_in, memory_gb=None)
    root = env.open(Theorem("t", "lean", "theorem t : True := by"))

    def raises(error):
        def tactic(*args, **kwargs):
            raise error

        return tactic

    monkeypatch.setattr(env._repl, "tactic", raises(ReplTimedOut("no answer within 1 s")))
    slow = env.run_tactic(root, "simp")
    assert isinstance(slow, TimedOut) and "restarted" in slow.message
    monkeypatch.setattr(env._repl, "tactic", raises(ReplDied("the REPL exited")))
    assert isinstance(env.run_tactic(root, "simp"), Crashed)
    assert env.stats.restarts == 2
    env.close()


def test_a_tactic_past_the_heartbeat_limit_is_an_error_not_a_restart(tmp_path, monkeypatch):
    """In tactic mode Lean stops a slow tactic itself (the REPL runs tactics under Lean's
    default heartbeat limit whatever the header sets; see prover.assistants.lean.env): that answer is a
    timed-out tactic (never remembered as failed), and the process, with its imported header,
    stays."""
    monkeypatch.setenv("PROTOCOL_REPL_LOG", str(tmp_path / "log.jsonl"))
    stand_in = [sys.executable, str(Path(__file__).with_name("protocol_repl.py"))]
    env = LeanReplEnv(command=stand_in, memory_gb=None)
    root = env.open(Theorem("t", "lean", "theorem t : True := by"))
    slow = env.run_tactic(root, "SLOW")
    assert isinstance(slow, TimedOut) and "maximum number of heartbeats" in slow.message
    assert env.stats.restarts == 0 and env._repl.starts == 1
    assert isinstance(env.run_tactic(root, "simp"), Progress)
    env.close()


class DojoTacticTimeoutError(Exception):
    """Stand-in for lean_dojo's exception of the same name (matched by name)."""


class DojoCrashError(Exception):
    """Stand-in for lean_dojo's exception of the same name."""


class TacticState:
    """Stand-in for lean_dojo.TacticState."""

    def __init__(self, pp: str, id: int = 0):
        self.pp, self.id = pp, id


class StandInDojo:
    """Stand-in for lean_dojo.Dojo: records its timeouts; scripted tactic failures."""

    entered: list[StandInDojo] = []
    fail_enter = False

    def __init__(self, entry, timeout: int):
        self.entry, self.timeout, self.exits = entry, timeout, 0
        self.proc = types.SimpleNamespace(timeout=timeout)
        self.start_timeout = timeout

    def __enter__(self):
        if StandInDojo.fail_enter:
            raise RuntimeError("Timeout during initialization")
        StandInDojo.entered.append(self)
        return self, TacticState("⊢ True")

    def __exit__(self, *exc):
        self.exits += 1

    def run_tac(self, state, tactic):
        if tactic == "slow":
            raise DojoTacticTimeoutError()
        if tactic == "crash":
            raise DojoCrashError("Unexpected EOF")
        return TacticState("⊢ True", state.id + 1)


@pytest.fixture
def fake_lean_dojo(monkeypatch):
    module = types.SimpleNamespace(
        __version__="2.2.0",
        Dojo=StandInDojo,
        LeanGitRepo=lambda url, commit: (url, commit),
        Theorem=lambda repo, path, name: (repo, path, name),
    )
    monkeypatch.setitem(sys.modules, "lean_dojo", module)
    StandInDojo.entered, StandInDojo.fail_enter = [], False
    return module


def test_leandojo_timeouts_crashes_and_start_up(fake_lean_dojo):
    env = LeanDojoEnv(tactic_timeout=7, startup_timeout=900)
    root = env.open(Theorem("t", "lean", "theorem t : True := by", split="test"))
    dojo = StandInDojo.entered[0]
    assert dojo.start_timeout == 900  # start-up under its own, long limit
    assert dojo.timeout == 7 and dojo.proc.timeout == 7  # then each tactic under its own
    slow = env.run_tactic(root, "slow")
    assert isinstance(slow, TimedOut) and "timeout" in slow.message
    crash = env.run_tactic(root, "crash")
    assert isinstance(crash, Crashed) and "restarted" in crash.message
    assert env.crashes == 1 and len(StandInDojo.entered) == 2 and dojo.exits == 1
    assert isinstance(env.run_tactic(root, "trivial"), Progress)  # the new Dojo answers
    env.close()
    env.close()  # twice is fine


def test_leandojo_failed_start_leaves_close_safe(fake_lean_dojo):
    StandInDojo.fail_enter = True
    env = LeanDojoEnv()
    with pytest.raises(ProofEnvError, match="could not open"):
        env.open(Theorem("t", "lean", "theorem t : True := by", split="test"))
    env.close()
    assert isinstance(env.run_tactic(ProofState(None, ()), "simp"), Failed)


def test_unsupported_leandojo_release_is_refused(fake_lean_dojo):
    fake_lean_dojo.__version__ = "1.7.1"
    with pytest.raises(ToolchainMissing, match="lean-dojo 1.7.1 is not supported"):
        LeanDojoEnv().open(Theorem("t", "lean", "theorem t : True := by", split="test"))
    assert version_problem("2.1.3") is None and version_problem("3.0.0") is not None
