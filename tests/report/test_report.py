"""Reports on result files written by the real writer, a real Coq portfolio run, and Llemma-layout files."""

from __future__ import annotations

import json
import math
import re
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prover.cli import app
from prover.report import ReportInputError, diff_runs, write_report
from prover.report.load import load_runs, read_llemma
from prover.report.render import read_published
from prover.report.stats import (
    budget_label,
    pass_rate_curve,
    quantile,
    rate_within,
    solve_rate,
    time_summary,
    wilson,
)
from prover.results import ResultRecord, ResultsWriter, config_id

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def search_cfg(samples=8, expansions=64, wall=600.0, **kw) -> dict:
    return {
        "system": "coq",
        "method": "search",
        "model": "m",
        "search": {
            "attempts": 1,
            "samples": samples,
            "max_expansions": expansions,
            "wall_seconds": wall,
            **kw,
        },
    }


def write_run(path, rows: dict[str, tuple[str, int, float]], cfg: dict, split="test") -> None:
    """rows: name -> (status, expansions, wall seconds), written with the real ResultsWriter."""
    w = ResultsWriter(path)
    for name, (status, exp, secs) in rows.items():
        w.append(
            ResultRecord(
                name=name,
                system=cfg["system"],
                status=status,
                split=split,
                proof="lia." if status == "proved" else None,
                expansions=exp,
                wall_seconds=secs,
                method=cfg["method"],
                model=cfg.get("model", ""),
                config=cfg,
                config_id=config_id(cfg),
            )
        )


def llemma_item(name, success, iteration=None, elapsed=None, reason="SearchEnded"):
    attempt = {"theorem": name, "success": success, "failure_reason": "" if success else reason}
    if success:
        attempt |= {
            "proof": ["intro n", "omega"],
            "score": 0.5,
            "iteration": iteration,
            "elapsed": elapsed,
            "temperature": [0.0],
            "trace": [],
        }
    return {
        "attempt_results": [attempt],
        "success": success,
        "example": {
            "full_name": name,
            "statement": f"theorem {name} : True",
            "split": "test",
            "file_path": "MiniF2F/Test.lean",
        },
    }


# --- statistics -------------------------------------------------------------------------


def wilson_by_quadratic(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Independent formulation: the p with (k/n - p)^2 = z^2 p (1 - p) / n, as roots of a quadratic."""
    ph = k / n
    a, b, c = 1 + z * z / n, -(2 * ph + z * z / n), ph * ph
    d = math.sqrt(b * b - 4 * a * c)
    return (-b - d) / (2 * a), (-b + d) / (2 * a)


def test_wilson_interval_known_values():
    # Textbook values (Newcombe 1998 style): 5/10 -> [0.2366, 0.7634]; 0/20 -> [0, 0.1611].
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson(0, 20)[0] == 0.0 and wilson(0, 20)[1] == pytest.approx(0.1611, abs=1e-4)
    assert wilson(20, 20)[1] == 1.0 and wilson(20, 20)[0] == pytest.approx(0.8389, abs=1e-4)
    for k, n in [(64, 244), (1, 3), (56, 244), (7, 40)]:
        assert wilson(k, n) == pytest.approx(wilson_by_quadratic(k, n), abs=1e-12)
        lo, hi = wilson(k, n)
        assert lo < k / n < hi
    assert wilson(0, 0) == (0.0, 0.0)
    with pytest.raises(ValueError):
        wilson(5, 3)


def test_solve_rate_counts_invalid_and_errors_as_unsolved(tmp_path):
    f = tmp_path / "r.jsonl"
    write_run(
        f,
        {
            "a": ("proved", 1, 1.0),
            "b": ("proved_native_decide", 2, 2.0),
            "c": ("invalid_statement", 0, 0.1),
            "d": ("error", 0, 0.2),
            "e": ("failed", 64, 9.0),
        },
        search_cfg(),
    )
    s = solve_rate(load_runs([f], [])[0].records)
    assert (s.n, s.proved, s.invalid, s.errors) == (5, 2, 1, 1)
    assert s.rate == pytest.approx(0.4) and (s.low, s.high) == pytest.approx(wilson(2, 5))


def test_pass_rate_curve_and_time_summary(tmp_path):
    f = tmp_path / "r.jsonl"
    write_run(
        f,
        {
            "a": ("proved", 3, 5.0),
            "b": ("proved", 1, 0.5),
            "c": ("failed", 64, 60.0),
            "d": ("proved", 3, 20.0),
        },
        search_cfg(),
    )
    recs = load_runs([f], [])[0].records
    assert pass_rate_curve(recs, "expansions") == [(0.0, 0.0), (1.0, 0.25), (3.0, 0.75)]
    assert pass_rate_curve(recs, "seconds")[-1] == (20.0, 0.75)
    assert rate_within(recs, "expansions", 2) == 0.25 and rate_within(recs, "seconds", 10) == 0.5
    t = time_summary(recs)
    assert (t.proved, t.median, t.max) == (3, 5.0, 20.0)
    assert t.mean_all == pytest.approx((5 + 0.5 + 60 + 20) / 4)
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)  # numpy's linear method
    with pytest.raises(ValueError, match="unknown budget"):
        pass_rate_curve(recs, "tokens")


def test_budget_labels():
    assert budget_label(search_cfg(32, 100, 600.0), "search") == "1 x 32 x 100, 600 s"
    cfg = {"search": {"portfolio": ["lia.", "nia."], "wall_seconds": 60.0}}
    assert budget_label(cfg, "portfolio") == "2 tactics, 60 s"
    harness = {"num_samples": 32, "max_iters": 100, "temperatures": [0.0], "timeout": 600}
    assert budget_label(harness, "llemma-harness") == "1 x 32 x 100, 600 s"
    assert budget_label({}, "") == "-"


# --- grouping by configuration ----------------------------------------------------------


def test_mixed_configs_are_grouped_and_warned(tmp_path, capsys):
    mixed = tmp_path / "mixed.jsonl"
    write_run(mixed, {"a": ("proved", 1, 1.0)}, search_cfg(samples=8))
    write_run(mixed, {"b": ("failed", 64, 9.0), "c": ("proved", 2, 2.0)}, search_cfg(samples=16))
    warnings: list[str] = []
    runs = load_runs([mixed], warnings)
    assert sorted(len(r.records) for r in runs) == [1, 2]
    assert len({r.label for r in runs}) == 2 and all(r.config_id in r.label for r in runs)
    assert len(warnings) == 1 and "mixes 2 configurations" in warnings[0]
    write_report([mixed], tmp_path / "rep")
    assert "mixes 2 configurations" in capsys.readouterr().err
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "**warning:**" in md and "mixes 2 configurations" in md
    assert "1 x 8 x 64" in md and "1 x 16 x 64" in md  # one row per configuration


def test_same_config_across_files_is_one_run(tmp_path):
    cfg = search_cfg()
    a, b = tmp_path / "shard0.jsonl", tmp_path / "shard1.jsonl"
    write_run(a, {"x": ("proved", 1, 1.0), "y": ("failed", 64, 9.0)}, cfg)
    write_run(b, {"z": ("proved", 1, 1.0), "y": ("proved", 2, 2.0)}, cfg)
    warnings: list[str] = []
    runs = load_runs([a, b], warnings)
    assert len(runs) == 1 and sorted(r.name for r in runs[0].records) == ["x", "y", "z"]
    assert runs[0].by_name()["y"].status == "failed"  # first result kept, and said so
    assert any("already in" in w for w in warnings)


# --- Llemma harness files ---------------------------------------------------------------


def test_llemma_reader_real_layout(tmp_path):
    f = tmp_path / "results__llemma7b__0.json"  # published outputs carry no "args"
    f.write_text(
        json.dumps(
            {
                "results": [
                    llemma_item("mathd_algebra_478", True, iteration=1, elapsed=-8.3),
                    llemma_item("aime_1983_p1", False, reason="DojoHardTimeoutError"),
                    llemma_item("sum_pairs", False),
                ]
            }
        )
    )
    warnings: list[str] = []
    recs = read_llemma(f, warnings)
    assert [(r.name, r.status) for r in recs] == [
        ("mathd_algebra_478", "proved"),
        ("aime_1983_p1", "failed"),
    ]
    ok, bad = recs
    assert ok.proof == "intro n\nomega" and ok.expansions == 2 and ok.wall_seconds == 8.3
    assert bad.reason == "DojoHardTimeoutError" and bad.proof is None
    assert ok.model == "llemma7b" and ok.system == "lean" and ok.split == "test"
    assert warnings and "sum_pairs" in warnings[0]


def test_llemma_shards_with_args_form_one_run(tmp_path):
    args = {
        "model_name": "open-web-math/llemma_7b",
        "num_samples": 32,
        "max_iters": 100,
        "temperatures": [0.0],
        "timeout": 600,
    }
    for shard, items in enumerate([[llemma_item("t1", True, 0, -1.0)], [llemma_item("t2", False)]]):
        (tmp_path / f"results__llemma__{shard}.json").write_text(
            json.dumps({"results": items, "args": args | {"shard": shard}})
        )
    other = tmp_path / "results__llemma__9.json"
    other.write_text(
        json.dumps({"results": [llemma_item("t3", False)], "args": args | {"num_samples": 8}})
    )
    runs = load_runs(sorted(tmp_path.glob("*.json")), [])
    assert sorted(len(r.records) for r in runs) == [1, 2]
    assert {r.model for r in runs} == {"open-web-math/llemma_7b"}


def test_llemma_file_with_wrong_layout_is_a_clear_error(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"results": [{"name": "x", "ok": True}]}))
    with pytest.raises(ReportInputError, match="example.full_name"):
        load_runs([f], [])


# --- diffs ------------------------------------------------------------------------------


def test_diff_between_runs(tmp_path, capsys):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_run(
        a,
        {
            "t1": ("proved", 1, 1.0),
            "t2": ("failed", 64, 9.0),
            "t3": ("error", 0, 0.1),
            "t4": ("proved", 1, 1.0),
        },
        search_cfg(),
    )
    write_run(
        b,
        {
            "t1": ("failed", 64, 9.0),
            "t2": ("proved", 5, 3.0),
            "t3": ("failed", 64, 9.0),
            "t5": ("proved", 1, 1.0),
        },
        search_cfg(),
    )
    d = diff_runs(a, b)
    assert d.only_a == ["t1"] and d.only_b == ["t2"] and d.common == 3
    assert d.changed == [
        ("t1", "proved", "failed"),
        ("t2", "failed", "proved"),
        ("t3", "error", "failed"),
    ]
    assert d.missing_in_b == ["t4"] and d.missing_in_a == ["t5"] and not d.warnings
    c = tmp_path / "c.jsonl"
    write_run(c, {"t1": ("proved", 1, 1.0)}, search_cfg(samples=32))
    assert "different configurations" in diff_runs(a, c).warning
    assert "different configurations" in capsys.readouterr().err


def test_report_diff_against_llemma_file(tmp_path):
    ours = tmp_path / "ours.jsonl"
    cfg = search_cfg() | {"system": "lean"}
    write_run(
        ours, {"mathd_algebra_10": ("proved", 2, 3.0), "imo_1959_p1": ("failed", 64, 600.0)}, cfg
    )
    llemma = tmp_path / "results__llemma7b__0.json"
    llemma.write_text(
        json.dumps(
            {
                "results": [
                    llemma_item("mathd_algebra_10", False),
                    llemma_item("imo_1959_p1", True, 4, -23.7),
                ]
            }
        )
    )
    write_report([ours, llemma], tmp_path / "rep", diff=(str(ours), str(llemma)))
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "proved only by ours (1): mathd_algebra_10" in md
    assert re.search(r"proved only by \S+ \(1\): imo_1959_p1", md)
    assert "different configurations" in md
    with pytest.raises(ReportInputError, match="not among the given files"):
        write_report([ours], tmp_path / "rep2", diff=(str(ours), "nope.jsonl"))


# --- rendered files ---------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_report_files_are_self_contained(tmp_path):
    a, b = tmp_path / "search.jsonl", tmp_path / "portfolio.jsonl"
    write_run(
        a,
        {f"t{i}": ("proved" if i % 3 else "failed", i + 1, 0.5 * (i + 1)) for i in range(30)},
        search_cfg(),
    )
    pcfg = {
        "system": "coq",
        "method": "portfolio",
        "search": {"portfolio": ["lia."], "wall_seconds": 60.0},
    }
    write_run(
        b,
        {f"t{i}": ("proved" if i % 4 == 0 else "failed", 0, 0.2 * (i + 1)) for i in range(30)},
        pcfg,
    )
    html_path = write_report([a, b], tmp_path / "rep", diff=("search", "portfolio"))
    page = html_path.read_text()
    assert "95% CI" in page and "Beside published numbers" in page and "20.9" in page
    assert not re.search(r"""(src|href)\s*=\s*['"]?\s*(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page
    assert page.count("data:image/png;base64,") == 2
    for png in ("pass_rate_vs_budget.png", "time_to_proof.png"):
        w, h = png_size((tmp_path / "rep" / png).read_bytes())
        assert w > 500 and h > 300
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| search | coq | search | m | 1 x 8 x 64, 600 s | test |" in md
    assert "66.7 | [48.8, 80.8]" in md  # 20 of 30, with its Wilson interval
    assert "| portfolio | coq | portfolio | - | 1 tactics, 60 s |" in md
    # Our Coq runs sit in the same table as the published Coq row.
    beside = md[md.index("## Beside published numbers") :]
    assert "| coq | this report | test | search | m | 1 x 8 x 64, 600 s | 66.7 |" in beside
    assert "project figure" in beside and "20.9" in beside


def test_bad_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(ReportInputError, match="not found"):
        write_report([tmp_path / "missing.jsonl"], tmp_path / "rep")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ReportInputError, match="no results"):
        write_report([empty], tmp_path / "rep")
    pub = tmp_path / "pub.csv"
    pub.write_text("system,split\ncoq,test\n")
    with pytest.raises(ReportInputError, match="missing column"):
        read_published(pub)


def test_published_csv_has_a_source_for_every_row():
    from prover.report import PUBLISHED

    rows = read_published(PUBLISHED)
    assert rows
    for r in rows:
        assert r["source"].strip() and r["status"].strip(), r
        assert 0 < float(r["solved_pct"]) < 100


def test_published_numbers_ship_inside_the_package():
    """An installed wheel has no benchmarks/ folder: the table is the package's own data, and
    benchmarks/minif2f/published.csv (where the docs point) is the same file."""
    import prover.report
    from prover.report import PUBLISHED

    package = Path(prover.report.__file__).resolve().parent
    assert PUBLISHED.parent == package and PUBLISHED.is_file()
    in_repo = package.parents[1] / "benchmarks" / "minif2f" / "published.csv"
    assert in_repo.read_bytes() == PUBLISHED.read_bytes()
    pyproject = (package.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"report/published.csv"' in pyproject


# --- a real run ---------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("coqtop") is None, reason="Coq (coqtop) is not installed")
def test_report_command_on_a_real_coq_run(tmp_path):
    from prover.assistants.registry import CoqConfig
    from prover.batch.config import EvalConfig
    from prover.batch.runner import run_eval
    from prover.theorem import Theorem

    out = tmp_path / "portfolio.jsonl"
    header = "Require Import Arith Lia."
    theorems = [
        Theorem("a", "coq", "Theorem a : forall n : nat, n + n = 2 * n.", header, "test"),
        Theorem("b", "coq", "Theorem b : forall n : nat, n < n.", header, "test"),
    ]
    run_eval(
        theorems,
        EvalConfig("coq", "portfolio", assistant=CoqConfig(portfolio=("lia.",))),
        out,
        progress=False,
    )
    result = CliRunner().invoke(app, ["report", str(out), "--out-dir", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "r" / "report.md").read_text()
    assert "| portfolio | coq | portfolio | - | automation, 600 s | test |" in md
    assert "| 2 | 1 | 50.0 |" in md


def test_proofs_relying_on_header_axioms_are_flagged(tmp_path, capsys):
    f = tmp_path / "r.jsonl"
    cfg = search_cfg()
    w = ResultsWriter(f)
    for i, (name, axioms) in enumerate((("honest", []), ("from_cheat", ["Prover.Check.cheat"]))):
        w.append(
            ResultRecord(
                name=name,
                system="coq",
                status="proved",
                proof="lia.",
                expansions=i + 1,
                wall_seconds=i + 1.0,
                method="search",
                config=cfg,
                config_id=config_id(cfg),
                axioms=axioms,
            )
        )
    assert [r.axioms for r in load_runs([f], [])[0].records] == [[], ["Prover.Check.cheat"]]
    write_report([f], tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    section = md[md.index("Proofs relying on axioms beyond the standard library") :]
    assert "from_cheat" in section and "Prover.Check.cheat" in section
    assert "honest" not in section
    assert "rely on axioms beyond the standard library" in capsys.readouterr().err
