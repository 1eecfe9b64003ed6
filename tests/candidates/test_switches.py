"""`--templates/--no-templates` reaches the search it configures, enters config_id, and is
refused by methods that do not read it.

The model is a scripted stand-in (a useless one: it proposes `idtac.` only) put where the
CLI loads its generator; the theorem is run in the real coqtop and re-checked by coqc.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.batch.config import EvalConfig
from prover.cli import app
from prover.models.base import Sample

runner = CliRunner()
RABS = """Require Import Reals Lra.
Open Scope R_scope.

Theorem t : forall x : R, Rabs (x - 1) < 2 -> x < 3.
Proof.
Admitted.
"""


class Useless:
    """Scripted stand-in for the model: `idtac.` for every prompt."""

    def __init__(self):
        self.calls = 0

    def generate(self, prompts, params):
        self.calls += 1
        return [[Sample("idtac.", -0.1, 2)] for _ in prompts]


@pytest.mark.parametrize(
    ("flag", "proved"), [(None, True), ("--templates", True), ("--no-templates", False)]
)
def test_the_templates_switch_reaches_the_search(flag, proved, tmp_path, monkeypatch):
    import prover.models

    gen = Useless()
    monkeypatch.setattr(prover.models, "load_generator", lambda *a, **kw: gen)
    f = tmp_path / "t.v"
    f.write_text(RABS)
    args = ["prove", str(f), "--samples", "2", "--max-expansions", "6", "--attempts", "1"]
    args += ["--wall-seconds", "90", "--no-portfolio"]  # no automation: templates or nothing
    result = runner.invoke(app, args + ([flag] if flag else []))
    assert result.exit_code == (0 if proved else 1), result.output
    assert gen.calls >= 1  # the model was asked either way: only the templates differ
    if proved:
        assert "split_Rabs; lra." in result.output


@pytest.mark.parametrize(
    ("method_name", "flag"), [("portfolio", "--no-templates"), ("whole", "--templates")]
)
def test_methods_without_templates_refuse_the_switch(method_name, flag, data_dir, monkeypatch):
    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    args = ["eval", "--benchmark", "minif2f-rocq", "--method", method_name, flag]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"{flag} is not used by method {method_name}" in " ".join(result.output.split())


def test_the_switch_enters_config_id_only_where_read():
    on, off = EvalConfig("coq", "search"), EvalConfig("coq", "search", templates=False)
    assert on.as_dict()["candidates"] == {"templates": True, "knn": False} and on.id != off.id
    assert on.candidate_sources().templates and not off.candidate_sources().templates
    assert EvalConfig("coq", "portfolio").candidate_sources() is None
    assert EvalConfig("coq", "portfolio", templates=False).id == EvalConfig("coq", "portfolio").id


def test_a_knn_predictor_plugs_into_the_worker_and_reaches_the_search():
    """The kNN plug point: `Worker.knn` (a `Retriever.tactics` once a corpus is loaded). Here
    a predictor that knows the one tactic that closes the goal; the model is useless."""
    from prover.assistants.registry import CoqConfig
    from prover.batch.worker import Worker
    from prover.methods import Budget
    from prover.theorem import Theorem

    asked: list[tuple[str, int]] = []

    def predict(goal: str, k: int) -> list[tuple[str, float]]:
        asked.append((goal, k))
        return [("intros x H; split_Rabs; lra.", -0.2)]

    config = EvalConfig(
        "coq",
        "search",
        Budget(samples=2, expansions=3, attempts=1, wall_limit=60, tactic_timeout=5),
        templates=False,
        assistant=CoqConfig(portfolio=("lra.",)),
    )
    theorem = Theorem("t", "coq", RABS.split("\n\n")[1].split("\nProof.")[0], RABS.split("\n\n")[0])
    worker = Worker(config)
    try:
        worker.generator = Useless()
        assert worker.result(theorem).status.value == "failed"  # no kNN: nothing proves it
        worker.knn = predict
        result = worker.result(theorem)
    finally:
        worker.close()
    assert result.status.value == "proved", result.reason
    assert result.proof.strip() == "intros x H; split_Rabs; lra."
    assert result.extra["proof_sources"] == {"knn": 1} and asked[0][1] == 8
