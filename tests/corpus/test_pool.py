"""Proofs found on the valid split join the example pool; the test split never does.

The proofs are replayed in the real coqtop (the states come from Coq, as the search sees
them); the corpus is a copy of the one conftest.py replayed, so the shared one is not changed.
"""

from __future__ import annotations

import json
import shutil

import pytest

from prover.corpus import LEMMAS, TACTICS
from prover.results import ResultRecord, ResultsWriter
from prover.retrieval import Retriever
from prover.retrieval.pool import SplitRefused, add_found_proofs
from prover.retrieval.retriever import FOUND

pytestmark = pytest.mark.live

VALID = ResultRecord(
    name="amc12a_2008_p2", system="coq", status="proved", split="valid", proof="intros x H.\nlra."
)


@pytest.fixture
def corpus_copy(corpus, tmp_path):
    for name in (TACTICS, LEMMAS):
        shutil.copy(corpus.dir / name, tmp_path / name)
    return tmp_path


def _results(path, *records):
    writer = ResultsWriter(path)
    for r in records:
        writer.append(r)
    return path


def test_a_valid_proof_joins_the_pool_with_the_states_coq_shows(corpus_copy, tmp_path, data_dir):
    failed = ResultRecord(name="mathd_algebra_104", system="coq", status="failed", split="valid")
    results = _results(tmp_path / "r.jsonl", VALID, failed)
    report = add_found_proofs(results, corpus_copy, data_dir=str(data_dir))
    assert (report.added_theorems, report.added_rows, report.not_proved) == (1, 2, 1)
    retriever = Retriever.load(corpus_copy)
    state = "x : R\nH : x * (1 / 2 + 2 / 3) = 1\n============================\nx = 6 / 7"
    best = retriever.examples(state, 1)[0]
    assert (best.state, best.tactic, best.theorem) == (state, "lra.", "amc12a_2008_p2")
    # Adding the same results again adds nothing.
    assert add_found_proofs(results, corpus_copy, data_dir=str(data_dir)).already == 1


@pytest.mark.parametrize("split", ["test", ""])
def test_a_test_split_record_is_refused_and_nothing_is_added(
    split, corpus_copy, tmp_path, data_dir
):
    # With no split in the record, the name alone (a test theorem) is enough to refuse it.
    test = ResultRecord(
        name="amc12b_2002_p2", system="coq", status="proved", split=split, proof="intros; lia."
    )
    results = _results(tmp_path / "r.jsonl", VALID, test)
    with pytest.raises(SplitRefused, match="test split"):
        add_found_proofs(results, corpus_copy, data_dir=str(data_dir))
    assert not (corpus_copy / FOUND).exists()


def test_an_extra_pool_file_joins_the_examples(corpus_copy, tmp_path):
    row = {
        "state": "x : R\n============================\nx = x",
        "tactic": "reflexivity.",
        "theorem": "mine",
        "file": "",
    }
    pool = tmp_path / "mine.jsonl"
    pool.write_text(json.dumps(row) + "\n")
    retriever = Retriever.load(corpus_copy, extra_pool=pool)
    assert retriever.examples(row["state"], 1)[0].theorem == "mine"
    with pytest.raises(FileNotFoundError):
        Retriever.load(corpus_copy, extra_pool=tmp_path / "absent.jsonl")
