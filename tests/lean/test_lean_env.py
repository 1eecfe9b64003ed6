"""LeanReplEnv on replayed real transcripts: search end to end, refusals, failures."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import jinja2
import pytest

from prover.assistants.base import Crashed, Failed, Finished, Progress, ProofState, Status
from prover.assistants.lean import check_installation, create_env
from prover.assistants.lean.check import refusal
from prover.assistants.lean.env import LeanReplEnv
from prover.assistants.lean.repl import (
    LeanRepl,
    ReplDied,
    ReplTimedOut,
    TacticResponse,
    parse_response,
)
from prover.methods import Budget
from prover.methods.search import best_first_search
from prover.prompts import PromptTemplate, load_template
from prover.theorem import Theorem
from tests.lean.conftest import replay_command
from tests.lean.replay_repl import objects
from tests.scripted import ScriptedGenerator

TEMPLATE = PromptTemplate("test", jinja2.Template("Goals:{{ state }}"), ("\n",))
STATEMENT = "theorem complex_and (p q r : Prop) (h1 : p ∧ q) (h2 : q → r) : p ∧ r := by"


def branching_env(data_dir) -> LeanReplEnv:
    path = data_dir / "lean-repl-transcripts-v4.24.0" / "proof_branching.in"
    return LeanReplEnv(command=replay_command(path), memory_gb=None, tactic_timeout=30)


def test_search_end_to_end_through_the_repl(data_dir, tmp_path, monkeypatch):
    env = branching_env(data_dir)
    gen = ScriptedGenerator(
        [
            (
                "⊢ p ∧ r",
                [("apply And.intro", -0.1), ("sorry", -0.01), ("#eval IO.println 1", -0.01)],
            ),
            ("⊢ p\n", [("exact h1.left", -0.1)]),
            ("⊢ q", [("exact h1.right", -0.1)]),
            ("⊢ r", [("apply h2", -0.1)]),
        ]
    )
    theorem = Theorem("complex_and", "lean", STATEMENT, header="")
    # The from-scratch verdict compiles and audits in processes of its own (played by the
    # stand-in: Lean cannot run here), never in the recorded REPL.
    standin = [sys.executable, str(Path(__file__).parent / "standin_lean.py")]
    env.compile_command, env.audit_command = standin + ["compile"], standin + ["audit"]
    monkeypatch.setenv("STANDIN_LEAN_LOG", str(tmp_path / "calls.jsonl"))
    r = best_first_search(theorem, env, gen, Budget(samples=3, expansions=10), template=TEMPLATE)
    path = [d["tactic"] for _, _, d in r.graph.edges(data=True)]
    assert path == ["apply And.intro", "exact h1.left", "apply h2", "exact h1.right"]
    assert r.status is Status.PROVED, r.rejected
    assert r.proof == "  apply And.intro\n  exact h1.left\n  apply h2\n  exact h1.right"
    ran = (tmp_path / "calls.jsonl").read_text().splitlines()
    assert [json.loads(c)["args"][0] for c in ran] == ["compile", "compile", "audit"]
    assert r.tactic_calls == 6  # sorry and #eval were refused before reaching Lean
    assert r.replayed_tactics == 0
    env.close()


def test_open_and_backtrack_on_immutable_states(data_dir):
    env = branching_env(data_dir)
    root = env.open(Theorem("complex_and", "lean", STATEMENT))
    assert root.goals == ("p q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p ∧ r",)
    a = env.run_tactic(root, "apply And.intro")
    assert (
        isinstance(a, Progress)
        and len(a.state.goals) == 2
        and a.state.goals[0].startswith("case left")
    )
    env.close()


@pytest.mark.parametrize(
    "tactic",
    [
        "sorry",
        "admit",
        "exact sorry",
        "#exit",
        "#eval 1",
        "run_tac pure ()",
        "set_option maxHeartbeats 0 in simp",
        "exact (by native_decide)",
        "axiom x : False",
        "exact IO.Process.exit 0",
    ],
)
def test_cheating_tactics_are_refused(tactic):
    assert refusal(tactic) is not None
    assert refusal("simp [Nat.add_comm] -- a comment mentioning sorry") is None
    assert refusal("exact h.sorry_free") is None


# The verdict no longer reads REPL answers (prover.assistants.lean.audit: compile and replay in a
# separate process); its tests are tests/lean/test_lean_audit.py.


def test_hang_crash_and_memory_cap_restart_the_process():
    """Misbehaving stand-in processes (a real Lean cannot run here): the client must recover."""
    hang = LeanRepl([sys.executable, "-c", "import time; time.sleep(60)"], memory_gb=None)
    with pytest.raises(ReplTimedOut, match="no answer within"):
        hang.request({"cmd": "x"}, timeout=1)
    assert not hang.alive
    crash = LeanRepl(
        [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(3)"], memory_gb=None
    )
    with pytest.raises(ReplDied, match="exit") as died:
        crash.request({"cmd": "x"}, timeout=10)
    assert not isinstance(died.value, ReplTimedOut)
    hog = LeanRepl(
        [sys.executable, "-c", "import sys; sys.stdin.readline(); x = bytearray(2 * 2**30)"],
        memory_gb=0.5,
    )
    with pytest.raises(ReplDied):
        hog.request({"cmd": "x"}, timeout=20)


def test_lean_prompt_is_llemmas_format():
    t = load_template("lean_tactic")
    text = t.render(state="x : ℝ\n⊢ x = x")
    assert text.endswith("Tactic state:\n---\nx : ℝ\n⊢ x = x\n---\nNext tactic:\n---\n")
    assert "---" in t.stop


def test_minif2f_lean4_loader(data_dir):
    from prover.datasets import load_benchmark

    test = load_benchmark("minif2f-lean4", "test", data_dir)
    valid = load_benchmark("minif2f-lean4", "valid", data_dir)
    assert len(test) == 244 and len(valid) == 244
    assert all(
        t.statement.rstrip().endswith(":= by") and t.header.startswith("import Mathlib")
        for t in test + valid
    )


LIVE = pytest.mark.skipif(
    shutil.which("lake") is None or check_installation() is not None,
    reason="Lean is not installed here (or lean/ is not built); run `prover setup lean`",
)


@LIVE
def test_live_verify_rejects_sorry_and_bad_statements(data_dir):
    from prover.assistants.base import InvalidStatement
    from prover.datasets import load_benchmark, select

    t = select(load_benchmark("minif2f-lean4", "test", data_dir), ["mathd_algebra_478"])[0]
    env = create_env()
    try:
        # sorry is refused before Lean sees it
        assert not env.verify(t, "  sorry").ok
        bad = Theorem("bad", "lean", "theorem bad : (1 : ℕ) = undefined_name := by", t.header)
        with pytest.raises(InvalidStatement):
            env.open(bad)
        root = env.open(t)
        assert isinstance(env.run_tactic(root, "exact (by simp : 1 = 2)"), Failed)
    finally:
        env.close()


@LIVE
def test_live_repl_proves_a_minif2f_theorem(data_dir):
    assert check_installation() is None, check_installation()
    from prover.datasets import load_benchmark, select

    t = select(load_benchmark("minif2f-lean4", "test", data_dir), ["mathd_algebra_478"])[0]
    env = create_env()
    try:
        root = env.open(t)
        r = env.run_tactic(root, "norm_num [h₁, h₂, h₃]")
        assert isinstance(r, Finished)
        assert env.verify(t, env.proof_text(["norm_num [h₁, h₂, h₃]"])).ok
    finally:
        env.close()


def test_missing_lean_fails_fast_with_instructions(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    problem = check_installation()
    assert problem and "elan" in problem and "prover setup lean" in problem


def test_crash_mid_search_restarts_and_replays_the_path(data_dir, tmp_path):
    """The stand-in dies on the 4th request; the env restarts it and rebuilds the parent state.

    The rebuilt path (statement, apply And.intro, exact h1.left) is exactly what the
    recording holds, so the replay answers it with the real REPL's answers.
    """
    path = data_dir / "lean-repl-transcripts-v4.24.0" / "proof_branching.in"
    command = [*replay_command(path), "--crash-at", "3", str(tmp_path / "crashed")]
    env = LeanReplEnv(command=command, memory_gb=None, tactic_timeout=30)
    root = env.open(Theorem("complex_and", "lean", STATEMENT))
    a = env.run_tactic(root, "apply And.intro")
    b = env.run_tactic(a.state, "exact h1.left")
    assert isinstance(b, Progress) and b.state.goals[0].endswith("⊢ r")
    died = env.run_tactic(b.state, "apply h2")
    assert isinstance(died, Crashed) and "restarted" in died.message
    assert "exit status 1" in died.message and env.stats.restarts == 1
    # The same state, asked again: its path is replayed in the new process, then the tactic runs.
    c = env.run_tactic(b.state, "apply h2")
    assert isinstance(c, Progress) and c.state.goals[0].endswith("⊢ q")
    assert env.stats.replayed_tactics == 2
    done = env.run_tactic(c.state, "exact h1.right")
    assert isinstance(done, Finished) and done.state.goals == ()
    env.close()


def test_unknown_proof_state_is_an_error_not_a_crash(data_dir):
    path = data_dir / "lean-repl-transcripts-v4.24.0" / "unknown_proof_state.in"
    env = LeanReplEnv(command=replay_command(path), memory_gb=None, tactic_timeout=30)
    root = env.open(Theorem("f", "lean", "def f : Nat := by"))
    assert root.goals == ("⊢ Nat",)
    # Force the recorded second request: a tactic on proofState 1, which does not exist.
    env._nodes[5] = (0, "x", 1)
    r = env.run_tactic(ProofState(5, ("⊢ Nat",)), "exact 42")
    assert isinstance(r, Failed) and r.message == "Unknown proof state."
    env.close()


def test_goals_empty_without_completed_is_not_finished(data_dir):
    """Recorded: a tactic leaves no goals but metavariables; only "Completed" may finish."""
    root = data_dir / "lean-repl-transcripts-v4.24.0"
    found = 0
    for out in sorted(root.rglob("*.expected.out")):
        for obj in objects(out.read_text(encoding="utf-8")):
            resp = parse_response(obj)
            if isinstance(resp, TacticResponse) and not resp.goals:
                env = LeanReplEnv(command=["unused"], memory_gb=None)
                env._nodes[0] = (None, "", 0)
                result = env._result(0, "t", resp)
                want = Finished if resp.proof_status == "Completed" else Failed
                assert type(result) is want, (out.name, resp.proof_status)
                found += want is Failed
    assert found >= 3  # "contains sorry" / "contains metavariable(s)" / kernel errors
