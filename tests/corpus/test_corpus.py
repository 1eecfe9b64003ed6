"""The proof corpus on real Coq: a small library slice replayed in the test (conftest.py)."""

from __future__ import annotations

import json

import pytest

from prover.corpus import LEMMAS, PROVENANCE, TACTICS, build_corpus, load_lemmas, load_tactics
from prover.corpus.statements import local_names

pytestmark = pytest.mark.live


def test_rows_hold_the_state_before_each_tactic_premises_and_lemmas(corpus):
    out = corpus.dir
    rows = list(load_tactics(out))
    by_key = {(r["theorem"], r["step"]): r for r in rows}
    first = by_key[("planted_add_0", 0)]
    assert first["tactic"] == "intros n."
    assert first["state"] == "============================\nforall n : nat, n + 0 = n"
    second = by_key[("planted_add_0", 1)]
    assert second["tactic"] == "lia." and second["state"].startswith("n : nat\n=====")
    # Rbasic_fun: a tactic citing a library lemma names it as a premise, not the hypotheses.
    cited = [r for r in rows if r["file"] == "Reals/Rbasic_fun.v" and r["premises"]]
    assert len(cited) > 20
    assert all(p not in local_names(r["state"]) for r in cited for p in r["premises"])
    assert any("Rle_trans" in r["premises"] or "Rlt_le_trans" in r["premises"] for r in cited)
    lemmas = {lem["name"]: lem for lem in load_lemmas(out)}
    assert lemmas["Rabs_pos"]["statement"] == "forall x:R, 0 <= Rabs x"
    assert lemmas["Rabs_pos"]["qualified"] == "Coq.Reals.Rbasic_fun.Rabs_pos"
    assert lemmas["planted_uses_flaky"]["qualified"] == "Planted.Good.Inner.planted_uses_flaky"
    # The failed proof is dropped, and the later proof citing it still replays.
    assert not any(r["theorem"] == "planted_flaky" for r in rows)
    assert ("planted_uses_flaky", 0) in by_key


def test_the_rows_load_with_datasets(corpus):
    """Both JSONL files read with `datasets`, as the training side reads them (the train extra)."""
    out = corpus.dir
    datasets = pytest.importorskip("datasets")
    rows = list(load_tactics(out))
    ds = datasets.load_dataset("json", data_files=str(out / TACTICS), split="train")
    assert len(ds) == len(rows) and set(ds.column_names) >= {"state", "tactic", "premises"}
    lemmas = datasets.load_dataset("json", data_files=str(out / LEMMAS), split="train")
    assert "statement" in lemmas.column_names


def test_a_file_that_fails_is_skipped_and_counted(corpus):
    out, report = corpus.dir, corpus.report
    prov = json.loads((out / PROVENANCE).read_text())
    assert prov["counts"]["files_skipped"] == 1
    assert prov["skipped_files"][0]["file"] == "Bad.v"
    assert "nothing replayed" in prov["skipped_files"][0]["reason"]
    assert prov["counts"]["files_ok"] == 4
    assert prov["counts"]["proofs_failed"] == 1  # planted_flaky
    assert prov["libraries"]["coq-stdlib"] and prov["libraries"]["planted"] == "local"
    assert report.files_done == 3 and prov["build"]["seconds_this_build"] > 0


def test_a_planted_minif2f_test_statement_is_excluded(corpus):
    out = corpus.dir
    prov = json.loads((out / PROVENANCE).read_text())
    assert prov["test_exclusion"]["checked"] is True
    assert prov["test_exclusion"]["excluded"] == ["planted:Planted.v:planted_copy"]
    assert prov["test_exclusion"]["excluded_count"] == 1
    assert "planted_copy" not in (out / TACTICS).read_text()
    assert "planted_copy" not in (out / LEMMAS).read_text()


def test_a_second_build_keeps_the_files_done(corpus):
    out = corpus.dir
    before = (out / TACTICS).stat().st_mtime_ns
    again = build_corpus(
        ["coq-stdlib"],
        out_dir=out,
        dirs=("Arith/Between.v",),
        test_statements=corpus.test_statements,
        progress=False,
    )
    assert again.files_done == 0 and again.files_reused == 1
    # Nothing changed: the file (and the retrieval index keyed by it) is left as it was.
    assert (out / TACTICS).stat().st_mtime_ns == before


def test_skipped_files_are_replayed_again_only_when_asked(corpus):
    kept = build_corpus(
        [corpus.planted],
        out_dir=corpus.dir,
        dirs=(),
        test_statements=corpus.test_statements,
        progress=False,
    )
    assert kept.files_done == 0 and kept.files_reused == 3
    retried = build_corpus(
        [corpus.planted],
        out_dir=corpus.dir,
        dirs=(),
        test_statements=corpus.test_statements,
        progress=False,
        retry_skipped=True,
    )
    assert retried.files_done == 1  # Bad.v, skipped again
    assert retried.provenance["counts"]["files_skipped"] == 1


def test_the_default_slice_is_arithmetic_and_classical_reals():
    from prover.corpus import known_libraries

    files = known_libraries()["coq-stdlib"].files()
    assert "Reals/Rbasic_fun.v" in files and "ZArith/Zabs.v" in files
    assert not any(f.startswith(("Reals/Cauchy/", "Reals/Abstract/", "Lists/")) for f in files)
