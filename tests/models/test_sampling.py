"""Sampling parameters: refused when no runtime can honour them, built in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prover.methods.budget import Budget
from prover.models.base import Sample, SamplingParams, sampling_params

MODELS_DIR = Path(__file__).resolve().parents[2] / "prover" / "models"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"n": 0}, "n must be at least 1, got 0"),
        ({"n": -3}, "n must be at least 1, got -3"),
        ({"temperature": -0.1}, "temperature must be non-negative, got -0.1"),
        ({"top_p": 0.0}, "top_p must be in (0, 1], got 0.0"),
        ({"top_p": 1.5}, "top_p must be in (0, 1], got 1.5"),
        ({"top_p": -1.0}, "top_p must be in (0, 1], got -1.0"),
        ({"max_tokens": 0}, "max_tokens must be at least 1, got 0"),
        ({"max_seconds": -0.5}, "max_seconds must be non-negative, got -0.5"),
    ],
)
def test_values_no_runtime_honours_are_refused_in_one_line(fields, message):
    with pytest.raises(ValueError) as e:
        SamplingParams(**fields)
    assert str(e.value) == f"SamplingParams: {message}" and "\n" not in str(e.value)


def test_a_replaced_field_is_checked_too():
    from dataclasses import replace

    with pytest.raises(ValueError, match="n must be at least 1"):
        replace(SamplingParams(), n=0)


def test_the_edges_that_are_allowed():
    SamplingParams(n=1, temperature=0.0, top_p=1.0, max_tokens=1, max_seconds=0.0)
    SamplingParams(top_p=1e-6, max_seconds=None, seed=None)


def test_the_builder_names_each_rule():
    p = sampling_params(n=4, temperature=0.0, max_tokens=32, stop=("\n",), seconds_left=3.0)
    assert p == SamplingParams(
        n=4, temperature=0.0, max_tokens=32, stop=("\n",), beam_at_zero=False, max_seconds=3.0
    )
    beams = sampling_params(
        n=4, temperature=0.0, max_tokens=32, stop=(), seconds_left=None, seed=2, beams=True
    )
    assert beams.beam_at_zero and beams.seed == 2 and beams.max_seconds is None
    raised = sampling_params(
        n=1, temperature=0.2, max_tokens=8, stop=(), seconds_left=1.0, min_temperature=0.6
    )
    kept = sampling_params(
        n=1, temperature=0.8, max_tokens=8, stop=(), seconds_left=1.0, min_temperature=0.6
    )
    assert raised.temperature == 0.6 and kept.temperature == 0.8
    assert sampling_params(
        n=1, temperature=1.0, top_p=0.9, max_tokens=8, stop=(), seconds_left=None
    ) == SamplingParams(n=1, temperature=1.0, top_p=0.9, max_tokens=8, stop=(), beam_at_zero=False)
    with pytest.raises(ValueError, match="n must be at least 1"):
        sampling_params(n=0, temperature=0.0, max_tokens=8, stop=(), seconds_left=None)
    with pytest.raises(ValueError, match="temperature must be non-negative"):
        sampling_params(
            n=1, temperature=-1.0, max_tokens=8, stop=(), seconds_left=None, min_temperature=0.6
        )


def test_budget_sampling_is_the_builders():
    budget = Budget(samples=3, max_tokens=20, temperatures=(0.0, 0.4))
    assert budget.sampling(1, ("\n",), 5.0) == SamplingParams(
        n=3,
        temperature=0.4,
        max_tokens=20,
        stop=("\n",),
        beam_at_zero=False,
        seed=1,
        max_seconds=5.0,
    )
    assert budget.sampling(0, (), 0.0, n=1).n == 1  # a spent clock (Clock.left() is 0) is legal
    assert budget.sampling(0, (), 1.0).temperature == 0.0
    assert budget.sampling(0, (), 1.0, min_temperature=0.6).temperature == 0.6


def test_the_openai_routes_answer_400_to_parameters_no_runtime_honours():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from prover.models.serve import openai_router

    class Echo:
        def generate(self, prompts, params):
            return [[Sample("ok", -1.0, 1)] * params.n for _ in prompts]

    app = FastAPI()
    app.include_router(openai_router(Echo(), "echo"))
    client = TestClient(app)
    good = client.post("/v1/completions", json={"prompt": "a", "n": 2, "temperature": 0})
    assert good.status_code == 200 and len(good.json()["choices"]) == 2
    for body in ({"n": 0}, {"temperature": -1}, {"top_p": 0}, {"max_tokens": 0}, {"n": "x"}):
        r = client.post("/v1/completions", json={"prompt": "a", **body})
        assert r.status_code == 400, body
        assert r.json()["error"]["message"]


def _imports(path: Path) -> set[str]:
    """Every prover.models module `path` imports, at any level (function-level included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "prover.models":
                out |= {f"prover.models.{a.name}" for a in node.names}
            elif node.module.startswith("prover.models."):
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("prover.models.")}
    return out


def test_no_import_cycle_inside_the_models_package():
    graph = {
        f"prover.models.{f.stem}": _imports(f)
        for f in MODELS_DIR.glob("*.py")
        if f.stem != "__init__"
    }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cyclic = sorted(m for m in graph if reaches(m, m, {m}))
    assert not cyclic, f"modules on an import cycle: {cyclic}"


def test_the_models_import_nothing_above_them():
    """prover.prompts renders templates and imports the models; the models read its files as
    package data instead of importing it back."""
    allowed = ("prover.models",)
    for f in MODELS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("prover"):
                assert node.module.startswith(allowed), f"{f.name} imports {node.module}"
