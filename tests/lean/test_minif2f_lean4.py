"""The miniF2F-lean4 loader on all 488 records, and the upstream-file parser `download` uses."""

from __future__ import annotations

from prover.datasets import load_benchmark
from prover.datasets.minif2f_lean4 import UPSTREAM_COMMIT, load, parse_lean_file


def test_all_records_load(data_dir):
    path = data_dir / "minif2f-lean4" / "minif2f.jsonl"
    every = load(path, "all")
    test, valid = load(path, "test"), load(path, "valid")
    assert len(every) == 488 and len(test) == 244 and len(valid) == 244
    assert {t.split for t in test} == {"test"} and {t.split for t in valid} == {"valid"}
    assert len({(t.split, t.name) for t in every}) == 488
    for t in every:
        assert t.system == "lean"
        assert t.statement.startswith(("theorem ", "lemma ")) and t.statement.endswith(":= by")
        assert f" {t.name}" in t.statement.split("\n")[0]
        assert t.header.startswith("import Mathlib") and "open BigOperators Real Nat" in t.header
        assert t.informal_statement and len(t.informal_statement) > 10
    assert load_benchmark("minif2f-lean4", "valid", data_dir)[0].split == "valid"


def test_upstream_file_round_trip(data_dir):
    """An upstream file is header + statement + ' sorry': parsing it gives the record back."""
    for t in load(data_dir / "minif2f-lean4" / "minif2f.jsonl", "all"):
        upstream = f"{t.header}\n\n{t.statement} sorry\n"
        parsed = parse_lean_file(upstream, t.name, t.split)
        assert (parsed.name, parsed.header, parsed.statement) == (t.name, t.header, t.statement)
    assert len(UPSTREAM_COMMIT) == 40
