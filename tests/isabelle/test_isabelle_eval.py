"""`prover eval`'s runner with the Isabelle backend, end to end on real miniF2F statements,
against the protocol stand-in (named in $PROVER_ISABELLE_SERVER, as a user would name a server)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from prover.batch.config import EvalConfig
from prover.batch.runner import run_eval
from prover.datasets import load_benchmark, select
from prover.methods import Budget
from prover.results import read_results
from tests.isabelle.isabelle_support import STANDIN, StandInControl

NAMES = ["mathd_numbertheory_764", "mathd_algebra_10", "amc12a_2020_p4"]


@pytest.fixture
def named_standin(tmp_path, monkeypatch):
    control = StandInControl(tmp_path / "config.json")
    proc = subprocess.Popen(
        [sys.executable, str(STANDIN), str(control.config)], stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline().strip()
    assert re.match(r'server ".*" = ', line), line
    monkeypatch.setenv("PROVER_ISABELLE_SERVER", line)
    yield control
    proc.kill()
    proc.wait()


def test_sledgehammer_eval_writes_one_checked_line_per_theorem(named_standin, data_dir, tmp_path):
    # amc12a_2020_p4's header defines `digits` with `by auto` and a termination proof.
    helper_proofs = ["auto", '(relation "measure id") auto']
    named_standin.configure(
        accept=["(simp add: algebra_simps)", *helper_proofs],
        suggest=["by (simp add: algebra_simps)"],
    )
    theorems = select(load_benchmark("minif2f-isabelle", "all", data_dir), NAMES)
    config = EvalConfig(system="isabelle", method="sledgehammer", budget=Budget(wall_limit=30))
    out = tmp_path / "runs.jsonl"
    summary = run_eval(theorems, config, out, progress=False)
    records = {r.name: r for r in read_results(out)}
    assert set(records) == set(NAMES) and summary.counts["proved"] == 3
    for r in records.values():
        assert r.method == "sledgehammer" and r.proof == "by (simp add: algebra_simps)"
        assert r.config_id == config.id
    # Each theorem: statement check, Sledgehammer run, candidate check, final verdict.
    assert named_standin.commands().count("use_theories") == 4 * len(NAMES)


def test_prove_command_on_an_isabelle_benchmark_theorem(named_standin, data_dir):
    from typer.testing import CliRunner

    from prover.cli import app

    named_standin.configure(
        accept=["(simp add: algebra_simps)"], suggest=["by (simp add: algebra_simps)"]
    )
    args = ["prove", "mathd_algebra_10", "--benchmark", "minif2f-isabelle"]
    args += ["--data-dir", str(data_dir), "--method", "sledgehammer", "--wall-seconds", "30"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '"status": "proved"' in result.output and "by (simp add: algebra_simps)" in result.output
    refused = CliRunner().invoke(app, [*args, "--samples", "2"])
    assert (
        refused.exit_code == 2 and "--samples is not used by method sledgehammer" in refused.output
    )
