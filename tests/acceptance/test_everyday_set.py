"""The everyday set (benchmarks/everyday) is honest: each record's own proof gets the verdict
a found proof gets. The set measures whether the defaults reach for what a Coq user would (a
case split on Rabs, a library lemma, unfolding a header definition, induction then nia, a
witness); a statement that had no proof would make its misses meaningless."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prover.assistants.coq.check import verify
from prover.datasets.minif2f_rocq import load

SET = Path(__file__).parents[2] / "benchmarks" / "everyday" / "minif2f-rocq" / "minif2f.jsonl"


def records() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]


def test_the_set_loads_as_a_benchmark_and_never_as_test():
    theorems = load(SET, "all")
    assert len(theorems) == len(records()) >= 12
    assert {t.split for t in theorems} == {"valid"}
    assert len({t.name for t in theorems}) == len(theorems)


@pytest.mark.parametrize("record", records(), ids=lambda r: r["name"])
def test_each_proof_is_accepted(record):
    [theorem] = [t for t in load(SET, "all") if t.name == record["name"]]
    verdict = verify(theorem, record["proof"])
    assert verdict.ok, verdict
