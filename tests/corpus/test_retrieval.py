"""Retrieval over the corpus replayed in conftest.py, the prompt the search sends with it, and
the switch that turns it off, checked at the seam (the prompt the generator receives).

The model is the scripted stand-in (tests/scripted.py): it records each prompt it is sent
and answers nothing, which is all these tests read; every state still comes from real Coq.
"""

from __future__ import annotations

import pytest

from prover.batch.config import EvalConfig
from prover.batch.worker import Worker
from prover.corpus import load_tactics
from prover.methods import Budget
from prover.methods.search import best_first_search
from prover.prompts import load_template
from prover.retrieval import Retriever
from prover.retrieval.names import map_names
from prover.retrieval.prompt import prompt_fields
from prover.theorem import Theorem
from tests.scripted import ScriptedGenerator

pytestmark = pytest.mark.live

RABS = Theorem(
    name="t",
    system="coq",
    statement="Theorem t : forall a b : R, Rabs (a * b) <= Rabs a * Rabs b + 1.",
    header="Require Import Reals.\nOpen Scope R_scope.",
)


@pytest.fixture(scope="module")
def retriever(corpus):
    return Retriever.load(corpus.dir)


def test_a_corpus_state_finds_itself_and_its_tactic(corpus, retriever):
    rows = [r for r in load_tactics(corpus.dir) if r["file"] == "Reals/Rbasic_fun.v"]
    # A distinctive state: one whose text occurs once in the corpus.
    texts = [r["state"] for r in rows]
    row = next(r for r in rows if texts.count(r["state"]) == 1 and len(r["state"]) > 80)
    best = retriever.examples(row["state"], 3)
    assert best[0].state == row["state"] and best[0].tactic == row["tactic"]
    assert best[0].score >= best[-1].score > 0
    predicted = retriever.tactics(row["state"], 5)
    assert row["tactic"] in [t for t, _ in predicted]
    assert all(score <= 0 for _, score in predicted)
    assert retriever.stats.calls >= 2 and retriever.stats.seconds > 0


def test_lemmas_about_the_goal_come_first(retriever):
    names = [
        lem.name for lem in retriever.lemmas("x : R\n============================\n0 <= Rabs x", 5)
    ]
    assert "Rabs_pos" in names, names
    assert all("Rabs" in lem.statement for lem in retriever.lemmas("0 <= Rabs x", 3))


def test_the_index_is_built_once_and_loaded_after(corpus):
    again = Retriever.load(corpus.dir)
    assert not again.stats.index_built
    assert again.size == Retriever.load(corpus.dir).size
    assert list((corpus.dir / "index").iterdir())


def test_a_neighbours_tactic_speaks_the_goals_own_names():
    source = "x, y : R\nH0 : x = 2\nH1 : y = x + 1\n============================\ny = 3"
    target = "a, b : R\nHa : a = 2\nHb : b = a + 1\nn : nat\n============================\nb = 3"
    assert map_names("rewrite H0 in H1.", source, target) == "rewrite Ha in Hb."
    assert (
        map_names("apply Rle_trans with (Rabs x).", source, target)
        == "apply Rle_trans with (Rabs a)."
    )
    assert map_names("intros z Hz.", source, target) == "intros z Hz."  # new names stay
    # A hypothesis with no counterpart: no prediction rather than a wrong name.
    assert map_names("destruct H0.", source, "n : nat\n============================\nn = n") is None


def test_the_search_prompt_carries_retrieved_examples_after_the_shared_prefix(retriever):
    from prover.assistants.coq import create_env

    env = create_env(tactic_timeout=5.0, portfolio=False)
    try:
        on, off = ScriptedGenerator([]), ScriptedGenerator([])
        budget = Budget(samples=2, expansions=1, attempts=1, wall_limit=60)
        best_first_search(RABS, env, on, budget, retriever=retriever)
        best_first_search(RABS, env, off, budget)
    finally:
        env.close()
    template = load_template("coq_tactic")
    with_retrieval, without = on.prompts[0], off.prompts[0]
    state = without.rsplit("Goal:\n", 1)[1].removesuffix("\nTactic:")
    fields = prompt_fields(retriever, state)
    assert fields["examples"] and fields["lemmas"]
    for e in fields["examples"]:
        assert f"Goal:\n{e.state}\nTactic: {e.tactic}\n" in with_retrieval
    assert "Library lemmas:" in with_retrieval and "Library lemmas:" not in without
    # The static few-shot text is still the shared prefix the CTranslate2 engine caches,
    # and the retrieved text comes after it.
    assert with_retrieval.shared == without.shared == len(template.shared) > 0
    assert with_retrieval[: with_retrieval.shared] == without[: without.shared]
    assert with_retrieval.endswith(without[without.shared :])


@pytest.mark.parametrize("retrieval", [True, False])
def test_the_retrieval_switch_reaches_the_prompt_and_the_config_id(retrieval, corpus, monkeypatch):
    monkeypatch.setenv("PROVER_CORPUS_CACHE", str(corpus.cache))
    config = EvalConfig(
        "coq",
        "search",
        Budget(samples=2, expansions=1, attempts=1, wall_limit=60),
        portfolio=False,
        retrieval=retrieval,
    )
    assert config.as_dict()["retrieval"] is retrieval
    assert (
        config.id
        != EvalConfig("coq", "search", config.budget, portfolio=False, retrieval=not retrieval).id
    )
    assert "retrieval" not in EvalConfig("coq", "portfolio").as_dict()  # other methods unchanged
    worker = Worker(config)
    try:
        assert (worker.retriever is not None) is retrieval
        worker.generator = gen = ScriptedGenerator([])
        worker.result(RABS)
    finally:
        worker.close()
    assert gen.prompts and ("Library lemmas:" in gen.prompts[0]) is retrieval


def test_no_retrieval_is_refused_where_it_means_nothing(data_dir, monkeypatch):
    from typer.testing import CliRunner

    from prover.cli import app

    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    result = CliRunner().invoke(
        app, ["eval", "--benchmark", "minif2f-rocq", "--method", "portfolio", "--no-retrieval"]
    )
    assert result.exit_code == 2
    assert "--no-retrieval is not used by method portfolio" in " ".join(result.output.split())


def test_a_missing_corpus_is_a_clear_error(tmp_path, data_dir, monkeypatch):
    from typer.testing import CliRunner

    from prover.cli import app

    monkeypatch.setenv("PROVER_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PROVER_CORPUS_CACHE", str(tmp_path))
    result = CliRunner().invoke(
        app,
        [
            *("eval", "--benchmark", "minif2f-rocq", "--limit", "1", "--retrieval"),
            *("--out", str(tmp_path / "r.jsonl")),
        ],
    )
    line = " ".join(result.output.split())
    assert result.exit_code == 2 and "prover corpus build" in line and "--no-retrieval" in line


@pytest.mark.parametrize("knn", [True, False])
def test_the_knn_switch_reaches_the_search_candidates_and_the_config_id(knn, corpus, monkeypatch):
    monkeypatch.setenv("PROVER_CORPUS_CACHE", str(corpus.cache))
    budget = Budget(samples=2, expansions=1, attempts=1, wall_limit=60)
    config = EvalConfig("coq", "search", budget, portfolio=False, templates=False, knn=knn)
    assert config.as_dict()["candidates"]["knn"] is knn
    assert config.id != EvalConfig("coq", "search", budget, portfolio=False, knn=not knn).id
    worker = Worker(config)
    try:
        assert (worker.knn is not None) is knn
        assert worker.retriever is None  # kNN alone does not change the prompt
        worker.generator = ScriptedGenerator([])
        result = worker.result(RABS)
    finally:
        worker.close()
    assert (result.extra.get("candidates_run", {}).get("knn", 0) > 0) is knn
