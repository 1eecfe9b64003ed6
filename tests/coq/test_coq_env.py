"""The Coq backend on the real coqtop/coqc: states, errors, backtracking, cheats, failures."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from prover.assistants.base import (
    Crashed,
    Failed,
    Finished,
    InvalidStatement,
    Progress,
    TimedOut,
)
from prover.assistants.coq import create_env
from prover.assistants.coq.check import RefusedTactic, tactic_sentences
from prover.datasets import load_benchmark, select
from prover.theorem import Theorem

ARITH = "Require Import Arith Lia."


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=3.0, memory_mb=1024)  # small cap: memory tests fail fast
    yield e
    e.close()


def thm(statement: str, header: str = ARITH, name: str = "t") -> Theorem:
    return Theorem(name=name, system="coq", statement=statement, header=header)


def test_open_run_and_finish_a_minif2f_theorem(env, data_dir):
    t = select(load_benchmark("minif2f-rocq", "test", data_dir), ["mathd_algebra_478"])[0]
    root = env.open(t)
    assert "volume" in root.text or "=" in root.text
    r = env.run_tactic(root, "intros.")
    assert isinstance(r, Progress) and r.state.key != root.key
    done = env.run_tactic(r.state, "subst. lra.")
    assert isinstance(done, Finished)
    verdict = env.verify(t, env.proof_text(["intros.", "subst. lra."]))
    assert verdict.ok, verdict.reason


def test_error_carries_coqs_message_and_leaves_the_state_usable(env):
    root = env.open(thm("Theorem t : forall n : nat, n + 0 = n."))
    bad = env.run_tactic(root, "apply no_such_lemma.")
    assert (
        isinstance(bad, Failed)
        and "no_such_lemma" in bad.message
        and "was not found" in bad.message
    )
    assert isinstance(env.run_tactic(root, "intros; lia."), Finished)


def test_backtracking_to_any_earlier_state(env):
    root = env.open(thm("Theorem t : forall a b : nat, a = b -> b = a."))
    a = env.run_tactic(root, "intros a b H.")
    b = env.run_tactic(root, "intros x.")  # another branch from the root
    deep = env.run_tactic(a.state, "symmetry.")  # back on the first branch: one replayed step
    assert isinstance(deep, Progress) and "a = b" in deep.state.text.splitlines()[-1]
    replayed = env.stats.replayed_tactics
    assert isinstance(env.run_tactic(b.state, "intros y H."), Progress)
    assert env.stats.replayed_tactics == replayed + 1  # only "intros x." re-ran
    assert isinstance(env.run_tactic(deep.state, "exact H."), Finished)


def test_bullets_and_multi_sentence_candidates(env):
    root = env.open(thm("Theorem t : forall a b : nat, a = b -> b = a /\\ a = b."))
    r = env.run_tactic(root, "intros a b H. split.\n- auto.")
    assert isinstance(r, Progress) and "unfocused" in r.state.text
    # The bullet's goal is closed ("This subproof is complete"): the env says so, not the text.
    assert r.state.subproof_done and not root.subproof_done
    done = env.run_tactic(r.state, "- auto.")
    assert isinstance(done, Finished) and done.state.subproof_done


def test_a_goal_solved_inside_an_open_brace_gives_a_proof_that_checks(env):
    """Coq says "No more goals." inside `{`, but Qed needs the brace closed."""
    t = thm("Theorem t : True.")
    done = env.run_tactic(env.open(t), "{ exact I.")
    assert isinstance(done, Finished)
    assert env.verify(t, env.proof_text(["{ exact I."])).ok
    # With other goals left, the state says so and the search goes on after `}`.
    t2 = thm("Theorem t : True /\\ True.")
    inner = env.run_tactic(env.open(t2), "split. { exact I.")
    assert isinstance(inner, Progress) and "unfocused" in inner.state.text
    tactics = ["split. { exact I.", "} { exact I."]
    assert isinstance(env.run_tactic(inner.state, tactics[1]), Finished)
    verdict = env.verify(t2, env.proof_text(tactics))
    assert verdict.ok, verdict.reason


def test_hammer_finds_its_helper_programs_and_fits_the_default_memory_cap():
    """CoqHammer shells out to htimeout/predict (not on PATH in Debian) and reserves ~2 GiB."""
    e = create_env(tactic_timeout=30.0)
    try:
        t = thm("Theorem t (x y : nat) : x + y = y + x.")
        r = e.run_tactic(e.open(t), "hammer.")
        assert isinstance(r, Finished), r.message
        verdict = e.verify(t, e.proof_text(["hammer."]))
        assert verdict.ok, verdict.reason
        reals = thm(
            "Theorem t (x : R) : 0 < x -> 0 < x * x.", "Require Import Reals. Open Scope R_scope."
        )
        r = e.run_tactic(e.open(reals), "intros; hammer.")
        assert "out of memory" not in r.message and "not found" not in r.message
        assert e.stats.restarts == 0
    finally:
        e.close()


def test_hammer_leaves_no_prover_running_after_its_timeout(data_dir):
    """hammer forks `predict` and the ATPs; cut off by `Timeout` it used to leave them
    computing, stealing the cores the model and the next tactics need."""
    import time

    from prover.assistants.process import tagged

    t = select(load_benchmark("minif2f-rocq", "test", data_dir), ["aime_1983_p1"])[0]
    e = create_env(tactic_timeout=10.0)  # the default; hammer reaches `predict` by then
    try:
        r = e.run_tactic(e.open(t), "hammer.")
        assert not r.ok
        pid, tag = e._top.proc.pid, e._top._tag
        for _ in range(3):  # helpers used to appear (and keep running) well after the reply
            time.sleep(0.5)
            left = [Path(f"/proc/{p}/comm").read_text().strip() for p in tagged(tag) if p != pid]
            assert not left, left
        e.close()
        assert tagged(tag) == []
    finally:
        e.close()


def test_portfolio_imports_leave_the_statements_meaning_alone(data_dir):
    """Imported after the header, Hammer's Tactics shadow names this statement relies on."""
    t = select(load_benchmark("minif2f-rocq", "test", data_dir), ["amc12a_2020_p4"])[0]
    e = create_env(memory_mb=1024)
    try:
        assert e.open(t).goals
    finally:
        e.close()


@pytest.mark.parametrize(
    "tactic",
    [
        "Admitted.",
        "admit.",
        "try admit.",
        "give_up.",
        "Axiom cheat : False.",
        "Parameter p : nat.",
        "Unset Guard Checking.",
        "Definition x := 1.",
        "Qed.",
        "Abort.",
        "Require Import Classical.",
        "intros n",
    ],
)
def test_non_tactics_are_refused_before_reaching_coq(env, tactic):
    root = env.open(thm("Theorem t : forall n : nat, n = n."))
    r = env.run_tactic(root, tactic)
    assert isinstance(r, Failed) and r.message.startswith("refused")
    with pytest.raises(RefusedTactic):
        tactic_sentences(tactic)


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ("intros. admit.", "not allowed"),
        ("Admitted.", "not allowed"),
        ("intros.\nQed.\nAxiom cheat : False.\nTheorem u : False.\nexact cheat.", "vernacular"),
        ("intros n. apply f_equal.", "coqc rejected"),
        ("(* all good *)", "empty"),
    ],
)
def test_verdict_rejects_cheats_and_wrong_proofs(env, proof, reason):
    v = env.verify(thm("Theorem t : forall n : nat, n = n + 0."), proof)
    assert not v.ok and reason in v.reason


def test_verdict_audits_axioms_beyond_the_header(env):
    header = "Require Import Reals.\nOpen Scope R_scope.\nParameter Rfloor : R -> Z.\nAxiom Rfloor_spec : forall x : R, IZR (Rfloor x) <= x."
    t = thm("Theorem t : forall x : R, IZR (Rfloor x) <= x.", header=header)
    ok = env.verify(t, "exact Rfloor_spec.")
    # The statement's own axioms are allowed, and named (by kernel name) for the results line.
    assert ok.ok and ok.axioms_beyond_stdlib == ("Prover.Check.Rfloor_spec",)
    classical = thm("Theorem t : forall P : Prop, P \\/ ~ P.", header="Require Import Arith.")
    # A proof cannot smuggle in an axiom (vernacular is refused) ...
    assert not env.verify(classical, "Axiom em : forall P : Prop, P \\/ ~ P. exact em.").ok


def test_invalid_statements(env):
    with pytest.raises(InvalidStatement, match="undefined_thing"):
        env.open(thm("Theorem t : undefined_thing = 1."))
    with pytest.raises(InvalidStatement, match="header"):
        env.open(thm("Theorem t : 1 = 1.", header="Require Import NoSuchLibrary."))
    # The env is still usable afterwards.
    assert isinstance(env.run_tactic(env.open(thm("Theorem t : 1 = 1.")), "reflexivity."), Finished)


def test_a_statement_is_invalid_only_in_the_eyes_of_a_fresh_coqtop(env, monkeypatch):
    """A coqtop that has run tactics can fail valid input: in a batch, an interrupted
    `hammer` left a timer that fired in the next theorem's `Require` ("CoqHammer bug: please
    report: Control.Timeout"). That cannot be triggered on demand, so one header sentence of a
    used process is made to fail the same way; the statement must still open."""
    from prover.assistants.coq.coqtop import Reply

    env.run_tactic(env.open(thm("Theorem t : 0 = 0.")), "reflexivity.")
    header = "Require Import Arith Lia Bool."
    real_send, failed = env._top.send, []

    def send_failing_once(sentence: str, timeout: float) -> Reply:
        if sentence == header and not failed:
            failed.append(sentence)
            return Reply(env._top.state, "", "Error: Cannot find a physical path bound to Bool", ())
        return real_send(sentence, timeout)

    monkeypatch.setattr(env._top, "send", send_failing_once)
    restarts = env.stats.restarts
    root = env.open(thm("Theorem t : true = true.", header=header))
    assert failed and env.stats.restarts == restarts + 1
    assert isinstance(env.run_tactic(root, "reflexivity."), Finished)


def test_the_last_tactic_cannot_overrun_the_wall_clock():
    from prover.methods import Budget
    from prover.methods.search import best_first_search

    e = create_env(tactic_timeout=60.0, memory_mb=1024)
    try:
        hang = "do 2000000000 idtac."
        result = best_first_search(
            thm("Theorem t : forall n : nat, n = n."), e, None, Budget(wall_limit=3.0), (hang,)
        )
        assert result.status == "failed"
        assert result.wall_seconds < 30  # the tactic's own limit (60 s) was cut to the wall left
    finally:
        e.close()


def test_the_search_tree_caches_a_rejected_tactic_but_not_a_timed_out_one(env):
    """A rejection is a fact about the tactic on these goals; a timeout may not recur."""
    from prover.methods.budget import Clock
    from prover.methods.search import Tree

    tree = Tree(env, Clock(60.0))
    root = env.open(thm("Theorem t : forall n : nat, n = n."))
    calls = env.stats.tactic_calls
    bad = tree.run(root, "apply no_such_lemma.")
    assert isinstance(bad, Failed) and tree.run(root, "apply no_such_lemma.") is bad
    assert env.stats.tactic_calls == calls + 1
    slow = tree.run(root, "do 2000000000 idtac.", 1.0)
    assert isinstance(slow, TimedOut) and "Timeout" in slow.message
    assert isinstance(tree.run(root, "do 2000000000 idtac.", 1.0), TimedOut)
    assert env.stats.tactic_calls == calls + 3  # asked Coq again


def test_envs_close_themselves_in_a_with_block():
    with create_env(tactic_timeout=3.0) as e:
        assert isinstance(e.run_tactic(e.open(thm("Theorem t : 1 = 1.")), "reflexivity."), Finished)
        assert e._top.alive
    assert not e._top.alive


def test_hanging_tactic_times_out_and_env_stays_usable(env):
    root = env.open(thm("Theorem t : forall n : nat, n = n."))
    r = env.run_tactic(root, "do 2000000000 idtac.")
    assert isinstance(r, TimedOut) and "Timeout" in r.message
    assert isinstance(env.run_tactic(root, "intros; reflexivity."), Finished)


def test_runaway_tactic_hits_the_memory_cap_and_coqtop_is_restarted(env):
    root = env.open(thm("Theorem t : forall n : nat, n = n."))
    r = env.run_tactic(
        root, "let rec loop := idtac; loop in loop."
    )  # grows the stack without bound
    assert not r.ok
    # whichever comes first on this machine: the cap, Coq's stack limit or the tactic timeout
    assert any(m in r.message for m in ("restarted", "Stack overflow", "Timeout")), r.message
    assert isinstance(env.run_tactic(root, "intros; reflexivity."), Finished)


def test_killed_coqtop_is_restarted(env):
    root = env.open(thm("Theorem t : forall n : nat, n + 0 = n."))
    a = env.run_tactic(root, "intros n.")
    restarts = env.stats.restarts
    os.kill(env._top.proc.pid, signal.SIGKILL)
    env._top.proc.wait(timeout=10)
    # A coqtop found dead is restarted before the next tactic, and old handles still work:
    # the path is replayed in the new process.
    assert isinstance(env.run_tactic(a.state, "lia."), Finished)
    assert env.stats.restarts == restarts + 1


def test_a_coqtop_dying_in_a_tactic_is_restarted_only_when_the_next_one_comes(env):
    """The restart (the header loaded again) is not paid by the tactic that killed coqtop:
    at a theorem's deadline it would overrun the wall clock."""
    root = env.open(thm("Theorem t : forall n : nat, n + 0 = n."))
    a = env.run_tactic(root, "intros n.")
    restarts = env.stats.restarts
    env._top.send = _dies(env._top.send)
    r = env.run_tactic(a.state, "lia.")
    assert isinstance(r, Crashed) and "restarted before the next tactic" in r.message
    assert env.stats.restarts == restarts and not env._top.alive
    env._top.__dict__.pop("send")
    assert isinstance(env.run_tactic(a.state, "lia."), Finished)
    assert env.stats.restarts == restarts + 1


def _dies(send):
    """Test double of one coqtop exchange that dies mid-tactic (a crash cannot be caused on
    demand by a tactic the env lets through)."""
    from prover.assistants.coq.coqtop import CoqtopDied

    def dying(sentence: str, timeout: float):
        if "lia" in sentence:
            raise CoqtopDied("killed by the test")
        return send(sentence, timeout)

    return dying


def test_a_theorem_that_keeps_killing_coqtop_is_an_error_and_the_batch_goes_on(tmp_path):
    from prover.assistants.registry import CoqConfig
    from prover.batch.config import EvalConfig
    from prover.batch.runner import run_eval
    from prover.methods import Budget
    from prover.results import read_results

    # Each bomb builds a 10^8-element list until the memory cap kills coqtop.
    bomb = "let x := eval vm_compute in (List.repeat 0 100000000) in idtac."
    header = "Require Import Arith Lia List."
    theorems = [
        thm("Theorem t : forall n : nat, n = n + 0.", header),
        thm("Theorem u : 1 + 1 = 2.", header, "u"),
    ]
    # Two crashes are survived (the tactic just fails) and lia then proves it ...
    tolerant = EvalConfig(
        "coq",
        "portfolio",
        budget=Budget(tactic_timeout=10.0),
        assistant=CoqConfig(max_crashes=2, memory_mb=1024, portfolio=(bomb, bomb, "lia.")),
    )
    run_eval(theorems[:1], tolerant, tmp_path / "a.jsonl", progress=False)
    assert read_results(tmp_path / "a.jsonl")[0].status == "proved"
    # ... a third makes the theorem an error with the reason, and the batch goes on.
    strict = EvalConfig(
        "coq",
        "portfolio",
        budget=Budget(tactic_timeout=10.0),
        assistant=CoqConfig(max_crashes=2, memory_mb=1024, portfolio=(bomb, bomb, bomb, "lia.")),
    )
    run_eval(theorems, strict, tmp_path / "b.jsonl", progress=False)
    got = {r.name: r for r in read_results(tmp_path / "b.jsonl")}
    assert got["t"].status == "error" and "coqtop died 3 times" in got["t"].reason
    assert "memory cap" in got["t"].reason
    assert got["u"].status == "error" and len(got) == 2  # each theorem judged alone; both written


def test_memory_cap_applies_to_coqtop():
    e = create_env(memory_mb=1024)
    try:
        e.open(thm("Theorem t : 1 = 1."))
        with open(f"/proc/{e._top.proc.pid}/limits") as f:
            line = next(line for line in f if line.startswith("Max address space"))
        assert str(1024 * 2**20) in line
    finally:
        e.close()


def test_out_of_memory_while_loading_is_an_error_not_an_invalid_statement():
    """Resource failures say nothing about the statement: retried in a fresh process, then `error`."""
    from prover.assistants.base import ProofEnvError

    e = create_env(memory_mb=1024)
    try:
        # The header itself exhausts memory every time: never `invalid_statement`.
        heavy = (
            "Require Import List.\nDefinition big := Eval vm_compute in List.repeat 0 100000000."
        )
        with pytest.raises(ProofEnvError) as info:
            e.open(thm("Theorem t : 1 = 1.", header=heavy))
        assert not isinstance(info.value, InvalidStatement)
        assert isinstance(e.run_tactic(e.open(thm("Theorem t : 1 = 1.")), "reflexivity."), Finished)
    finally:
        e.close()


def test_coqtop_does_not_outlive_a_killed_prover(tmp_path):
    """A prover killed with SIGKILL (no cleanup) must not leave a busy coqtop behind."""
    import subprocess
    import sys
    import time

    script = tmp_path / "victim.py"
    script.write_text(
        "import sys, time\n"
        "from prover.assistants.coq import create_env\n"
        "from prover.theorem import Theorem\n"
        "e = create_env()\n"
        "e.open(Theorem('t', 'coq', 'Theorem t : 1 = 1.', 'Require Import Arith.'))\n"
        "print(e._top.proc.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    victim = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    child = int(victim.stdout.readline())
    victim.kill()
    victim.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        time.sleep(0.1)
    assert (
        not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()
    )
