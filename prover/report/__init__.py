"""`prover report`: solve rates with Wilson intervals beside published numbers, plots, per-theorem diffs.

Writes report.md, a self-contained report.html (plots inlined as data URIs) and the PNGs.
Runs are grouped by configuration digest; files that mix configurations, and diffs between
runs of different configurations, are reported with a warning (in the report and on
stderr), never merged silently. Reads our results files and Llemma's harness outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from prover.report.diff import Diff, diff_runs
from prover.report.load import ReportInputError, Run, load_runs
from prover.report.plots import write_plots
from prover.report.render import (
    Report,
    axioms_table,
    budget_table,
    published_table,
    read_published,
    render_html,
    render_markdown,
    run_table,
)

# Shipped with the package (an installed wheel has no benchmarks/ folder beside it);
# benchmarks/minif2f/published.csv is a link to this file, documented there in PUBLISHED.md.
PUBLISHED = Path(__file__).resolve().parent / "published.csv"

__all__ = ["Diff", "ReportInputError", "Run", "diff_runs", "load_runs", "write_report"]


def _pick(spec: str, runs: list[Run]) -> Run:
    """A diff side: a run label, or one of the given files holding exactly one configuration."""
    by_label = [r for r in runs if r.label == spec]
    if by_label:
        return by_label[0]
    target = Path(spec).resolve()
    by_path = [r for r in runs if any(p.resolve() == target for p in r.paths)]
    if len(by_path) == 1:
        return by_path[0]
    if len(by_path) > 1:
        labels = ", ".join(r.label for r in by_path)
        raise ReportInputError(
            f"--diff {spec}: that file holds several runs; name one of: {labels}"
        )
    labels = ", ".join(r.label for r in runs)
    raise ReportInputError(f"--diff {spec}: not among the given files or run labels ({labels})")


def write_report(
    paths: list[Path],
    out_dir: Path,
    diff: tuple[str, str] | None = None,
    published: Path | None = None,
) -> Path:
    """Write report.md, report.html and the PNGs into out_dir; return the HTML path.

    `diff` names two runs (file paths among `paths`, or run labels) to compare per theorem;
    `published` defaults to the table shipped with the package, `PUBLISHED` (the file
    benchmarks/minif2f/published.csv links to; skipped if absent).
    Raises ReportInputError with a one-line message on unreadable or empty input.
    """
    rep = Report()
    runs = load_runs([Path(p) for p in paths], rep.warnings)
    if not runs:
        raise ReportInputError("no results in the given files")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pub_path = Path(published) if published else PUBLISHED
    if published and not pub_path.is_file():
        raise ReportInputError(f"published numbers file {pub_path} not found")
    pub = read_published(pub_path) if pub_path.is_file() else []
    for w in rep.warnings:
        print(f"warning: {w}", file=sys.stderr)

    rep.tables = [run_table(runs), budget_table(runs)]
    if pub:
        rep.tables.append(published_table(runs, pub))
    flagged = axioms_table(runs)
    if flagged is not None:
        rep.tables.append(flagged)
        rep.warnings.append(
            f"{len(flagged.rows)} proof(s) rely on axioms beyond the standard library (see the table)"
        )
        print(f"warning: {rep.warnings[-1]}", file=sys.stderr)
    if diff:
        rep.diffs.append(diff_runs(_pick(diff[0], runs), _pick(diff[1], runs)))
    rep.plots = write_plots(runs, out_dir)
    (out_dir / "report.md").write_text(render_markdown(rep), encoding="utf-8")
    out = out_dir / "report.html"
    out.write_text(render_html(rep), encoding="utf-8")
    return out
