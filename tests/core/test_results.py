"""The results file: durable appends, torn-line tolerance, resume bookkeeping."""

from prover.results import ResultRecord, ResultsWriter, config_id, finished_names, read_results


def rec(name: str, status: str = "proved", cfg: dict | None = None) -> ResultRecord:
    cfg = cfg or {"a": 1}
    return ResultRecord(
        name=name, system="coq", status=status, config=cfg, config_id=config_id(cfg)
    )


def test_append_and_read_back(tmp_path):
    out = tmp_path / "r.jsonl"
    w = ResultsWriter(out)
    w.append(rec("a"))
    w.append(rec("b", "failed"))
    got = read_results(out)
    assert [(r.name, r.status) for r in got] == [("a", "proved"), ("b", "failed")]
    assert finished_names(out) == {"a", "b"}


def test_torn_last_line_is_ignored_and_repaired(tmp_path):
    out = tmp_path / "r.jsonl"
    ResultsWriter(out).append(rec("a"))
    with out.open("a") as f:
        f.write('{"name": "b", "sys')  # a kill in the middle of a write
    assert finished_names(out) == {"a"}
    ResultsWriter(out).append(rec("c"))  # a resumed run starts on a fresh line
    assert finished_names(out) == {"a", "c"}


def test_writer_never_truncates(tmp_path):
    out = tmp_path / "r.jsonl"
    ResultsWriter(out).append(rec("a"))
    ResultsWriter(out)
    assert finished_names(out) == {"a"}


def test_config_id_is_stable_and_sensitive():
    assert config_id({"x": 1, "y": [1, 2]}) == config_id({"y": [1, 2], "x": 1})
    assert config_id({"x": 1}) != config_id({"x": 2})
