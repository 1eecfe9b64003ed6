"""`--templates/--no-templates` reaches the search it configures, enters config_id, and is
refused by methods that do not read it.

The model is a scripted stand-in (a useless one: it proposes `idtac.` only) put where the
CLI loads its generator; the theorem is run in the real coqtop and re-checked by coqc.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from prover.cli import app
from prover.evaluate import EvalConfig
from prover.generator import Sample

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
    assert on.as_dict()["candidates"] == {"templates": True} and on.id != off.id
    assert on.candidate_sources().templates and not off.candidate_sources().templates
    assert EvalConfig("coq", "portfolio").candidate_sources() is None
    assert EvalConfig("coq", "portfolio", templates=False).id == EvalConfig("coq", "portfolio").id
