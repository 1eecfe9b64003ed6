"""Batch runs on the live Coq backend: results lines, resume, Ctrl-C, config guard, workers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from prover import __version__
from prover.assistants.registry import CoqConfig
from prover.batch.config import EvalConfig
from prover.batch.runner import ConfigMismatch, run_eval
from prover.methods import Budget
from prover.results import read_results
from prover.theorem import Theorem

HEADER = "Require Import Arith Lia."
REPO = Path(__file__).resolve().parents[2]


def theorems() -> list[Theorem]:
    return [
        Theorem(
            "easy_lia", "coq", "Theorem easy_lia : forall n : nat, 2 * n = n + n.", HEADER, "test"
        ),
        Theorem("false_one", "coq", "Theorem false_one : forall n : nat, n = S n.", HEADER, "test"),
        Theorem(
            "broken", "coq", "Theorem broken : forall n : nat, n = not_defined.", HEADER, "test"
        ),
    ]


def portfolio_config(**kw) -> EvalConfig:
    return EvalConfig(
        system="coq",
        method="portfolio",
        budget=Budget(tactic_timeout=5.0, **kw),
        assistant=CoqConfig(portfolio=("lia.", "auto.")),
    )


def test_one_line_per_theorem_with_verdicts(tmp_path):
    out = tmp_path / "r.jsonl"
    summary = run_eval(theorems(), portfolio_config(), out, progress=False)
    got = {r.name: r for r in read_results(out)}
    assert {n: r.status for n, r in got.items()} == {
        "easy_lia": "proved",
        "false_one": "failed",
        "broken": "invalid_statement",
    }
    assert got["easy_lia"].proof.strip() == "lia."
    assert got["easy_lia"].checker_seconds > 0
    assert summary.counts["proved"] == 1 and not summary.interrupted
    # Each line says which code proved it (a row can take several sittings): this checkout's commit.
    codes = {r.extra["code"] for r in got.values()}
    assert len(codes) == 1
    code = codes.pop()
    if (REPO / ".git").exists():
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=REPO
        )
        assert code.startswith(f"{__version__}+{head.stdout.strip()[:12]}"), code
    else:
        assert code == __version__


def test_resume_skips_finished_and_never_overwrites(tmp_path):
    out = tmp_path / "r.jsonl"
    run_eval(theorems()[:1], portfolio_config(), out, progress=False)
    before = out.read_text()
    summary = run_eval(theorems(), portfolio_config(), out, progress=False)
    assert summary.skipped == 1 and len(summary.records) == 2
    assert out.read_text().startswith(before)
    assert sorted(r.name for r in read_results(out)) == ["broken", "easy_lia", "false_one"]


def test_ctrl_c_keeps_finished_results(tmp_path):
    out = tmp_path / "r.jsonl"

    def interrupt(_rec):
        raise KeyboardInterrupt

    summary = run_eval(theorems(), portfolio_config(), out, on_result=interrupt, progress=False)
    assert summary.interrupted
    assert [r.name for r in read_results(out)] == ["easy_lia"]
    # The same command resumes with the other two.
    summary = run_eval(theorems(), portfolio_config(), out, progress=False)
    assert summary.skipped == 1 and len(read_results(out)) == 3


def test_results_of_another_config_are_refused(tmp_path):
    out = tmp_path / "r.jsonl"
    run_eval(theorems()[:1], portfolio_config(), out, progress=False)
    with pytest.raises(ConfigMismatch, match="another configuration"):
        run_eval(theorems(), portfolio_config(wall_limit=1.0), out, progress=False)


def test_two_worker_processes(tmp_path):
    out = tmp_path / "r.jsonl"
    summary = run_eval(theorems(), portfolio_config(), out, workers=2, progress=False)
    assert sorted(r.status for r in read_results(out)) == ["failed", "invalid_statement", "proved"]
    assert len(summary.records) == 3


def test_a_header_axiom_the_proof_relies_on_is_in_its_results_line(tmp_path):
    header = "Require Import Arith Lia.\nAxiom add_zero_ax : forall n : nat, n + 0 = n."
    t = Theorem("uses_ax", "coq", "Theorem uses_ax : forall n : nat, n + 0 = n.", header, "test")
    config = EvalConfig(
        system="coq",
        method="portfolio",
        budget=Budget(tactic_timeout=5.0),
        assistant=CoqConfig(portfolio=("intros; apply add_zero_ax.",)),
    )
    out = tmp_path / "r.jsonl"
    run_eval([t], config, out, progress=False)
    rec = read_results(out)[0]
    assert rec.status == "proved", rec.reason
    assert any(a.endswith("add_zero_ax") for a in rec.axioms), rec.axioms
