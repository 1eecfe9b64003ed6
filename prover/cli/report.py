"""`prover report`: Markdown and HTML reports of results files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prover.cli.options import console, fail


def report(
    results: Annotated[
        list[Path], typer.Argument(help="results files (ours or Llemma harness JSON)")
    ],
    out_dir: Annotated[Path, typer.Option(help="where report.html, report.md and plots go")] = Path(
        "report"
    ),
    published: Annotated[
        Path | None,
        typer.Option(help="published numbers CSV (default: benchmarks/minif2f/published.csv)"),
    ] = None,
    diff: Annotated[
        tuple[str, str] | None, typer.Option(help="two of the given files to compare per theorem")
    ] = None,
) -> None:
    """Write Markdown + self-contained HTML reports with solve rates, plots and diffs."""
    for p in results:
        if not p.is_file():
            raise fail(f"results file {p} not found")
    from prover.report import ReportInputError, write_report

    try:
        html = write_report(results, out_dir, diff=diff, published=published)
    except ReportInputError as e:
        raise fail(str(e)) from None
    console.print(f"wrote {html}")
