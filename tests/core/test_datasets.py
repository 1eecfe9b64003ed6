"""Benchmark loading: the real miniF2F-rocq file, name selection and clear errors."""

import pytest

from prover.datasets import DatasetError, load_benchmark, select
from prover.datasets.minif2f_rocq import parse_v_file


def test_minif2f_rocq_splits(data_dir):
    test = load_benchmark("minif2f-rocq", "test", data_dir)
    valid = load_benchmark("minif2f-rocq", "valid", data_dir)
    assert len(test) == 244 and len(valid) == 244
    assert all(t.system == "coq" and t.split == "test" for t in test)
    for t in test:
        assert t.statement.startswith(("Theorem", "Lemma")) and t.statement.rstrip().endswith(".")
        assert t.name in t.statement.split()[1]


def test_select_by_name_and_limit(data_dir):
    test = load_benchmark("minif2f-rocq", "test", data_dir)
    assert [t.name for t in select(test, ["mathd_algebra_107", "aime_1983_p1"])] == [
        "mathd_algebra_107",
        "aime_1983_p1",
    ]
    assert len(select(test, limit=3)) == 3
    with pytest.raises(DatasetError, match="no theorem named nope"):
        select(test, ["nope"])


def test_unknown_benchmark_and_split(data_dir):
    with pytest.raises(DatasetError, match="unknown benchmark"):
        load_benchmark("minif2f-agda", "test", data_dir)
    with pytest.raises(DatasetError, match="unknown split"):
        load_benchmark("minif2f-rocq", "train", data_dir)


def test_missing_data_dir_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_benchmark("minif2f-rocq", "test", tmp_path / "nowhere")


def test_malformed_jsonl_names_the_line(tmp_path):
    (tmp_path / "minif2f-rocq").mkdir()
    (tmp_path / "minif2f-rocq" / "minif2f.jsonl").write_text('{"name": "a"}\nnot json\n')
    with pytest.raises((DatasetError, KeyError)):
        load_benchmark("minif2f-rocq", "test", tmp_path)


def test_parse_v_file_matches_the_jsonl(data_dir):
    t = load_benchmark("minif2f-rocq", "test", data_dir)[0]
    text = f"{t.header}\n\n{t.statement}\nProof.\nAdmitted.\n"
    rec = parse_v_file(text, "test", "x.v")
    assert rec["name"] == t.name
    assert rec["formal_statement"] == t.statement
    assert rec["header"] == t.header.strip()


def test_coq_and_lean_records_get_the_informal_fields_by_name(data_dir):
    from prover.datasets import load_benchmark
    from prover.prompts import load_template

    rocq = {t.name: t for t in load_benchmark("minif2f-rocq", "valid", data_dir)}
    isa = {t.name: t for t in load_benchmark("minif2f-isabelle", "valid", data_dir)}
    lean = {t.name: t for t in load_benchmark("minif2f-lean4", "valid", data_dir)}
    name = "mathd_algebra_10"
    assert rocq[name].informal_statement == isa[name].informal_statement
    assert lean[name].informal_proof == isa[name].informal_proof and isa[name].informal_proof
    # the whole-proof prompt shows them
    prompt = load_template("coq_whole").render(theorem=rocq[name])
    assert isa[name].informal_statement.strip()[:40] in prompt
