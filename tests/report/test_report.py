"""Reports on real result files: a real portfolio run on Coq, plus files written by the real writer."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from prover.cli import app
from prover.evaluate import EvalConfig, run_eval
from prover.report import diff_runs, write_report
from prover.report.load import load_runs, read_llemma
from prover.report.stats import pass_rate_curve, wilson
from prover.results import ResultRecord, ResultsWriter, config_id
from prover.search import SearchConfig
from prover.theorem import Theorem


def test_wilson_interval_known_values():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-3) and hi == pytest.approx(0.7634, abs=1e-3)
    assert wilson(0, 20)[0] == 0.0 and wilson(0, 20)[1] == pytest.approx(0.1611, abs=1e-3)
    assert wilson(0, 0) == (0.0, 0.0)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    """A real (tiny) portfolio run on the live Coq backend."""
    out = tmp_path_factory.mktemp("runs") / "portfolio.jsonl"
    header = "Require Import Arith Lia."
    theorems = [
        Theorem("a", "coq", "Theorem a : forall n : nat, n + n = 2 * n.", header, "test"),
        Theorem("b", "coq", "Theorem b : forall n : nat, n < n.", header, "test"),
    ]
    run_eval(
        theorems,
        EvalConfig("coq", "portfolio", search=SearchConfig(portfolio=("lia.",))),
        out,
        progress=False,
    )
    return out


def synthetic(path, statuses: dict[str, str], cfg: dict) -> None:
    w = ResultsWriter(path)
    for i, (name, status) in enumerate(statuses.items()):
        w.append(
            ResultRecord(
                name=name,
                system="coq",
                status=status,
                method="search",
                model="m",
                expansions=i + 1,
                wall_seconds=float(i + 1),
                config=cfg,
                config_id=config_id(cfg),
            )
        )


def test_report_files_are_self_contained(real_run, tmp_path):
    other = tmp_path / "search.jsonl"
    synthetic(other, {"a": "proved", "b": "proved", "c": "failed"}, {"x": 1})
    html_path = write_report([real_run, other], tmp_path / "rep", diff=(str(real_run), str(other)))
    page = html_path.read_text()
    assert "portfolio" in page and "Published numbers" in page and "95% CI" in page
    assert not re.search(r"(src|href)=['\"]https?://", page)  # nothing loaded from the network
    assert page.count("data:image/png;base64,") == 2
    for png in ("pass_rate_vs_budget.png", "time_to_proof.png"):
        assert (tmp_path / "rep" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| portfolio | coq | portfolio |" in md and "20.9" in md  # our run and a published row
    assert "proved only by search: b" in md


def test_mixed_configs_are_grouped_and_warned(tmp_path, capsys):
    mixed = tmp_path / "mixed.jsonl"
    synthetic(mixed, {"a": "proved"}, {"x": 1})
    synthetic(mixed, {"b": "failed"}, {"x": 2})
    warnings: list[str] = []
    runs = load_runs([mixed], warnings)
    assert len(runs) == 2 and warnings and "mixes 2 configurations" in warnings[0]
    write_report([mixed], tmp_path / "rep")
    assert "mixes 2 configurations" in capsys.readouterr().err


def test_diff_and_llemma_harness_files(tmp_path):
    ours = tmp_path / "ours.jsonl"
    synthetic(ours, {"mathd_algebra_10": "proved", "imo_1959_p1": "failed"}, {"x": 1})
    llemma = tmp_path / "llemma.json"
    llemma.write_text(
        json.dumps(
            {
                "results": [
                    {"example": {"full_name": "mathd_algebra_10"}, "success": False},
                    {
                        "example": {"full_name": "imo_1959_p1"},
                        "success": True,
                        "proof": ["intro n", "omega"],
                    },
                ]
            }
        )
    )
    recs = read_llemma(llemma)
    assert [(r.name, r.status) for r in recs] == [
        ("mathd_algebra_10", "failed"),
        ("imo_1959_p1", "proved"),
    ]
    assert recs[1].proof == "intro n\nomega"
    runs = load_runs([ours, llemma], [])
    d = diff_runs(runs[0], runs[1])
    assert d.only_a == ["mathd_algebra_10"] and d.only_b == ["imo_1959_p1"] and d.warning


def test_pass_rate_curve_is_monotone(tmp_path):
    f = tmp_path / "r.jsonl"
    synthetic(f, {"a": "proved", "b": "proved", "c": "failed", "d": "proved"}, {"x": 1})
    curve = pass_rate_curve(load_runs([f], [])[0].records)
    ys = [y for _, y in curve]
    assert ys == sorted(ys) and ys[-1] == pytest.approx(0.75)


def test_report_command(real_run, tmp_path):
    result = CliRunner().invoke(app, ["report", str(real_run), "--out-dir", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "report.html").exists()
