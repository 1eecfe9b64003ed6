"""LeanReplEnv on replayed real transcripts: search end to end, refusals, verdict audits, failures."""

from __future__ import annotations

import shutil
import sys

import jinja2
import pytest

from prover.lean import check_installation, create_env
from prover.lean.check import AuditAnswers, audit, parse_axioms, refusal
from prover.lean.env import LeanReplEnv
from prover.lean.repl import (
    CommandResponse,
    LeanRepl,
    Message,
    Pos,
    ReplDied,
    TacticResponse,
    parse_response,
)
from prover.methods import Budget
from prover.methods.search import best_first_search
from prover.prompts import PromptTemplate, load_template
from prover.proofenv import Outcome, ProofState, Status
from prover.theorem import Theorem
from tests.lean.conftest import replay_command
from tests.lean.replay_repl import objects
from tests.scripted import ScriptedGenerator

TEMPLATE = PromptTemplate("test", jinja2.Template("Goals:{{ state }}"), ("\n",))
STATEMENT = "theorem complex_and (p q r : Prop) (h1 : p ∧ q) (h2 : q → r) : p ∧ r := by"


def branching_env(data_dir) -> LeanReplEnv:
    path = data_dir / "lean-repl-transcripts-v4.24.0" / "proof_branching.in"
    return LeanReplEnv(command=replay_command(path), memory_gb=None, tactic_timeout=30)


def test_search_end_to_end_through_the_repl(data_dir):
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
    r = best_first_search(theorem, env, gen, Budget(samples=3, expansions=10), template=TEMPLATE)
    # The REPL said "Completed" after exact h1.right; the from-scratch check then runs in a
    # fresh process, which the recording does not cover, so the proof is (rightly) not trusted.
    path = [d["tactic"] for _, _, d in r.graph.edges(data=True)]
    assert [d.get("rejected", False) for _, _, d in r.graph.edges(data=True)] == [
        False,
        False,
        False,
        True,
    ]
    assert path == ["apply And.intro", "exact h1.left", "apply h2", "exact h1.right"]
    assert r.status is Status.FAILED and r.rejected and "replay" in r.rejected[0]
    # ... but the check it asked for is the whole proof as one command in a fresh process:
    sent = STATEMENT + "\\n  apply And.intro\\n  exact h1.left\\n  apply h2\\n  exact h1.right"
    assert f"{{'cmd': '{sent}" in r.rejected[0]
    assert r.tactic_calls == 6  # sorry and #eval were refused before reaching Lean
    assert r.replayed_tactics == 0
    env.close()


def test_open_and_backtrack_on_immutable_states(data_dir):
    env = branching_env(data_dir)
    root = env.open(Theorem("complex_and", "lean", STATEMENT))
    assert root.goals == ("p q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p ∧ r",)
    a = env.run_tactic(root, "apply And.intro")
    assert (
        a.outcome is Outcome.OPEN
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


def recorded_command(data_dir, name: str, index: int) -> CommandResponse:
    text = (data_dir / "lean-repl-transcripts-v4.24.0" / f"{name}.expected.out").read_text()
    return parse_response(objects(text)[index])


def axioms_message(text: str) -> CommandResponse:
    """`#print axioms` answers in this message format (Lean's Elab/Print.lean; not recorded)."""
    return CommandResponse(env=9, messages=(Message("info", text, Pos(1, 0)),))


TYPE = CommandResponse(env=10, messages=(Message("info", "t : 1 = 1", Pos(2, 0)),))


def answers(check, axioms_text: str | None, proof_type=TYPE) -> AuditAnswers:
    axioms = axioms_message(axioms_text) if axioms_text is not None else None
    return AuditAnswers(check, axioms, proof_type, TYPE)


def test_audit_rejects_recorded_sorry_warnings(data_dir):
    sorry_v424 = recorded_command(data_dir, "self_proof_check", 1)  # "declaration uses 'sorry'"
    v = audit(answers(sorry_v424, "'ex' does not depend on any axioms"), "ex")
    assert not v.ok and "sorry" in v.reason
    newer = data_dir / "lean-repl-transcripts" / "self_proof_check.expected.out"
    backtick = parse_response(objects(newer.read_text())[1])  # "declaration uses `sorry`"
    assert any("`sorry`" in m.data for m in backtick.messages)
    assert not audit(answers(backtick, "'ex' does not depend on any axioms"), "ex").ok
    error = recorded_command(data_dir, "self_proof_check", 0)  # exact? failed
    assert not audit(AuditAnswers(error), "ex").ok


def test_audit_of_axioms():
    clean = CommandResponse(env=3)
    ok = audit(
        answers(clean, "'t' depends on axioms: [propext, Classical.choice, Quot.sound]"), "t"
    )
    assert ok.ok and ok.axioms == ("propext", "Classical.choice", "Quot.sound")
    assert audit(answers(clean, "'t' does not depend on any axioms"), "t").ok
    assert not audit(answers(clean, "'t' depends on axioms: [propext, sorryAx]"), "t").ok
    assert not audit(answers(clean, "'t' depends on axioms: [my_cheat]"), "t").ok
    # The audit must name the theorem itself, and its type must be the statement's.
    assert "not on 't'" in audit(answers(clean, "'X.t' does not depend on any axioms"), "t").reason
    other = CommandResponse(env=11, messages=(Message("info", "t : 1 = 2", Pos(2, 0)),))
    wrong_type = audit(answers(clean, "'t' does not depend on any axioms", other), "t")
    assert not wrong_type.ok and "type is not the statement's" in wrong_type.reason
    native = "'t' depends on axioms: [propext, Lean.ofReduceBool]"
    assert not audit(answers(clean, native), "t").ok
    allowed = audit(answers(clean, native), "t", allow_native_decide=True)
    assert allowed.ok and allowed.status is Status.NATIVE_DECIDE
    assert parse_axioms("unrelated info") is None
    assert not audit(answers(clean, None), "t").ok


def test_hang_crash_and_memory_cap_restart_the_process():
    """Misbehaving stand-in processes (a real Lean cannot run here): the client must recover."""
    hang = LeanRepl([sys.executable, "-c", "import time; time.sleep(60)"], memory_gb=None)
    with pytest.raises(ReplDied, match="no answer within"):
        hang.request({"cmd": "x"}, timeout=1)
    assert not hang.alive
    crash = LeanRepl(
        [sys.executable, "-c", "import sys; sys.stdin.readline(); sys.exit(3)"], memory_gb=None
    )
    with pytest.raises(ReplDied, match="exit"):
        crash.request({"cmd": "x"}, timeout=10)
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
    from prover.datasets import load_benchmark, select
    from prover.proofenv import InvalidStatement

    t = select(load_benchmark("minif2f-lean4", "test", data_dir), ["mathd_algebra_478"])[0]
    env = create_env()
    try:
        # sorry is refused before Lean sees it
        assert not env.verify(t, "  sorry").ok
        bad = Theorem("bad", "lean", "theorem bad : (1 : ℕ) = undefined_name := by", t.header)
        with pytest.raises(InvalidStatement):
            env.open(bad)
        root = env.open(t)
        assert env.run_tactic(root, "exact (by simp : 1 = 2)").outcome is Outcome.ERROR
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
        assert r.outcome is Outcome.FINISHED
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
    assert b.outcome is Outcome.OPEN and b.state.goals[0].endswith("⊢ r")
    died = env.run_tactic(b.state, "apply h2")
    assert died.outcome is Outcome.ERROR and "restarted" in died.message
    assert "exit status 1" in died.message and env.stats.restarts == 1
    # The same state, asked again: its path is replayed in the new process, then the tactic runs.
    c = env.run_tactic(b.state, "apply h2")
    assert c.outcome is Outcome.OPEN and c.state.goals[0].endswith("⊢ q")
    assert env.stats.replayed_tactics == 2
    done = env.run_tactic(c.state, "exact h1.right")
    assert done.outcome is Outcome.FINISHED and done.state.goals == ()
    env.close()


def test_unknown_proof_state_is_an_error_not_a_crash(data_dir):
    path = data_dir / "lean-repl-transcripts-v4.24.0" / "unknown_proof_state.in"
    env = LeanReplEnv(command=replay_command(path), memory_gb=None, tactic_timeout=30)
    root = env.open(Theorem("f", "lean", "def f : Nat := by"))
    assert root.goals == ("⊢ Nat",)
    # Force the recorded second request: a tactic on proofState 1, which does not exist.
    env._nodes[5] = (0, "x", 1)
    r = env.run_tactic(ProofState(5, ("⊢ Nat",)), "exact 42")
    assert r.outcome is Outcome.ERROR and r.message == "Unknown proof state."
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
                want = Outcome.FINISHED if resp.proof_status == "Completed" else Outcome.ERROR
                assert result.outcome is want, (out.name, resp.proof_status)
                found += want is Outcome.ERROR
    assert found >= 3  # "contains sorry" / "contains metavariable(s)" / kernel errors
