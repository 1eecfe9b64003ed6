"""Every option reaches what it configures, or is refused by name for a method that does not read it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.assistants.registry import CoqConfig
from prover.batch.config import EvalConfig
from prover.batch.worker import Worker
from prover.cli import app
from prover.methods import NAMES, Budget, method

runner = CliRunner()


@pytest.mark.parametrize(
    ("method_name", "flag", "value"),
    [
        ("copra", "--samples", "3"),
        ("copra", "--repair-rounds", "1"),
        ("portfolio", "--temperature", "0.5"),
        ("portfolio", "--max-expansions", "4"),
        ("search", "--repair-rounds", "2"),
        ("whole", "--max-expansions", "4"),
        ("portfolio", "--no-portfolio", None),
        ("whole", "--portfolio", None),
    ],
)
def test_an_option_the_method_does_not_read_is_refused_by_name(
    method_name, flag, value, data_dir, monkeypatch
):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    args = ["eval", "--benchmark", "minif2f-rocq", "--method", method_name, flag]
    result = runner.invoke(app, args + ([value] if value else []))
    assert result.exit_code == 2, result.output
    line = " ".join(result.output.split())
    assert f"{flag} is not used by method {method_name}" in line, line


def test_a_method_refuses_a_system_it_does_not_support(data_dir, monkeypatch):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    result = runner.invoke(app, ["eval", "--benchmark", "minif2f-rocq", "--method", "sledgehammer"])
    assert result.exit_code == 2 and "does not support coq" in " ".join(result.output.split())


def test_only_the_fields_a_method_reads_enter_its_config_id():
    base = EvalConfig("coq", "portfolio")
    assert EvalConfig("coq", "portfolio", Budget(samples=3, temperatures=(0.9,))).id == base.id
    assert EvalConfig("coq", "portfolio", Budget(wall_limit=5)).id != base.id
    assert set(EvalConfig("coq", "whole").as_dict()["budget"]) == method("whole").reads
    assert "repair_rounds" not in EvalConfig("coq", "search").as_dict()["budget"]
    assert EvalConfig("coq", "informal2formal").method == "sketch"  # the old name still works


def test_every_method_declares_what_it_reads():
    for name in NAMES:
        m = method(name)
        assert m.reads <= set(Budget.config_keys()) and m.systems
        assert "wall_seconds" in m.reads  # every method is bounded by the wall clock


def test_tactic_timeout_and_assistant_config_reach_the_env():
    worker = Worker(
        EvalConfig(
            "coq",
            "portfolio",
            Budget(tactic_timeout=7.0),
            assistant=CoqConfig(memory_mb=900, max_crashes=3, portfolio=("lia.",)),
        )
    )
    try:
        assert worker.env.tactic_timeout == 7.0
        assert worker.env.memory_mb == 900 and worker.env.max_crashes == 3
        assert worker.config.portfolio_tactics == ("lia.",)
    finally:
        worker.close()


class Recording:
    """Scripted stand-in for the model: records the sampling parameters it is called with."""

    def __init__(self):
        self.params = []

    def generate(self, prompts, params):
        from prover.models.base import Sample

        self.params.append(params)
        return [[Sample("idtac.", -1.0, 1)] for _ in prompts]


@pytest.mark.parametrize(
    ("method", "extra", "calls"),
    [
        ("search", ["--max-expansions", "2", "--no-portfolio"], 2),
        ("whole", ["--repair-rounds", "1"], 2),  # one proof, one repair
        ("sketch", ["--max-expansions", "1", "--no-portfolio"], 1),
    ],
)
def test_model_options_reach_the_generator(method, extra, calls, tmp_path, monkeypatch):
    import prover.models

    gen = Recording()
    monkeypatch.setattr(prover.models, "load_generator", lambda *a, **kw: gen)
    f = tmp_path / "t.v"
    f.write_text("Theorem t : forall n : nat, n = S n.\nProof.\nAdmitted.\n")
    args = ["prove", str(f), "--method", method, "--samples", "3", "--max-tokens", "17"]
    args += ["--temperature", "0.4", "--wall-seconds", "50", "--attempts", "1", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert len(gen.params) == calls
    first = gen.params[0]
    assert (first.n, first.max_tokens, first.temperature) == (3, 17, 0.4)
    assert all(0 < p.max_seconds <= 50 for p in gen.params)  # each call gets what is left


def test_the_old_isabelle_mode_name_still_works(data_dir, monkeypatch):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    args = ["eval", "--benchmark", "minif2f-isabelle", "--mode", "informal2formal"]
    result = runner.invoke(app, [*args, "--repair-rounds", "1"])
    assert result.exit_code == 2
    assert "--repair-rounds is not used by method sketch" in " ".join(result.output.split())


@pytest.mark.parametrize(
    "flag", [["--model", "x"], ["--runtime", "vllm"], ["--base-url", "http://h"]]
)
def test_model_options_are_refused_for_methods_without_a_model(flag, data_dir, monkeypatch):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    result = runner.invoke(
        app, ["eval", "--benchmark", "minif2f-rocq", "--method", "portfolio", *flag]
    )
    assert result.exit_code == 2
    assert f"{flag[0]} is not used by method portfolio" in " ".join(result.output.split())
