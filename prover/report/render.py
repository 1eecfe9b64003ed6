"""report.md and a self-contained report.html (plots inlined as data: URIs, no external assets)."""

from __future__ import annotations

import base64
import csv
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

from prover.report.diff import Diff
from prover.report.load import ReportInputError, Run
from prover.report.stats import budget_label, rate_within, solve_rate, time_summary

PUBLISHED_COLUMNS = (
    "system",
    "benchmark",
    "split",
    "method",
    "model",
    "budget",
    "solved_pct",
    "source",
)
EXPANSION_POINTS = (1, 4, 16, 64, 100)
SECOND_POINTS = (1, 10, 60, 600)


@dataclass
class Table:
    title: str
    head: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Report:
    warnings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    diffs: list[Diff] = field(default_factory=list)
    plots: list[tuple[str, Path]] = field(default_factory=list)


def read_published(path: Path) -> list[dict[str, str]]:
    """Rows of published.csv; a missing column is an error naming it."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in PUBLISHED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReportInputError(f"{path}: missing column(s) {', '.join(missing)}")
        return list(reader)


def _fmt_s(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.1f}"


def _sort_key(run: Run) -> tuple[str, ...]:
    return (run.system, run.method, run.model, budget_label(run.config, run.method), run.label)


def run_table(runs: list[Run]) -> Table:
    rows = []
    for run in sorted(runs, key=_sort_key):
        s, t = solve_rate(run.records), time_summary(run.records)
        rows.append(
            [
                run.label,
                run.system,
                run.method,
                run.model or "-",
                budget_label(run.config, run.method),
                run.splits,
                run.config_id,
                str(s.n),
                str(s.proved),
                s.pct(),
                s.interval(),
                str(s.invalid),
                str(s.errors),
                _fmt_s(t.median),
                _fmt_s(t.p90),
            ]
        )
    head = [
        "run",
        "system",
        "method",
        "model",
        "budget",
        "split",
        "config",
        "n",
        "proved",
        "%",
        "95% CI",
        "invalid",
        "error",
        "median s to proof",
        "p90 s to proof",
    ]
    note = (
        "Solve rate over every attempted theorem (invalid statements and errors count as "
        "unsolved); 95% Wilson score interval. Rows with different config digests are "
        "never merged."
    )
    return Table("Solve rates by system / method / model / budget", head, rows, note)


def axioms_table(runs: list[Run]) -> Table | None:
    """Proved rows that rely on axioms beyond the standard library (a header's own), if any:
    such a proof holds only as far as those axioms do, so the report names every one."""
    rows = [
        [run.label, r.name, r.status, ", ".join(r.axioms)]
        for run in sorted(runs, key=_sort_key)
        for r in run.records
        if r.axioms and r.status.startswith("proved")
    ]
    if not rows:
        return None
    note = (
        "Flagged: these proofs rely on axioms beyond the standard library (declared by the "
        "benchmark's header). An inconsistent header axiom would prove anything."
    )
    return Table(
        "Proofs relying on axioms beyond the standard library",
        ["run", "theorem", "status", "axioms"],
        rows,
        note,
    )


def budget_table(runs: list[Run]) -> Table:
    head = (
        ["run"] + [f"<= {k} exp." for k in EXPANSION_POINTS] + [f"<= {t} s" for t in SECOND_POINTS]
    )
    rows = [
        [run.label]
        + [f"{100 * rate_within(run.records, 'expansions', k):.1f}" for k in EXPANSION_POINTS]
        + [f"{100 * rate_within(run.records, 'seconds', t):.1f}" for t in SECOND_POINTS]
        for run in sorted(runs, key=_sort_key)
    ]
    return Table(
        "Pass rate (%) within a budget",
        head,
        rows,
        "Share of all attempted theorems proved using at most the given expansions or wall seconds.",
    )


def published_table(runs: list[Run], published: list[dict[str, str]]) -> Table:
    """Our runs and the published rows of the same proof assistant, side by side."""
    # The published file's columns in its order, with our runs' interval and sample size.
    *key, _solved_pct, source = PUBLISHED_COLUMNS
    head = [*key, "solved %", "95% CI", "n", source, "status"]
    rows = []
    systems = list(
        dict.fromkeys(
            [r.system for r in sorted(runs, key=_sort_key)]
            + [p.get("system", "") for p in published]
        )
    )
    for system in systems:
        for run in sorted((r for r in runs if r.system == system), key=_sort_key):
            s = solve_rate(run.records)
            rows.append(
                [
                    system,
                    "this report",
                    run.splits,
                    run.method,
                    run.model or "-",
                    budget_label(run.config, run.method),
                    s.pct(),
                    s.interval(),
                    str(s.n),
                    ", ".join(p.name for p in run.paths),
                    f"measured: {run.label}",
                ]
            )
        for p in published:
            if p.get("system", "") == system:
                rows.append(
                    [
                        p.get("system", ""),
                        p.get("benchmark", ""),
                        p.get("split", ""),
                        p.get("method", ""),
                        p.get("model", "") or "-",
                        p.get("budget", "") or "-",
                        p.get("solved_pct", ""),
                        "-",
                        "-",
                        p.get("source", ""),
                        p.get("status", "") or "",
                    ]
                )
    return Table(
        "Beside published numbers",
        head,
        rows,
        "Published figures carry their source and how far it was checked "
        "(benchmarks/minif2f/PUBLISHED.md). Compare like with like: the same benchmark "
        "version, split and budget.",
    )


def render_markdown(rep: Report) -> str:
    md = ["# Evaluation report", ""]
    md += [f"> **warning:** {w}" for w in rep.warnings] + ([""] if rep.warnings else [])
    for t in rep.tables:
        md += (
            [f"## {t.title}", ""]
            + ([t.note, ""] if t.note else [])
            + _md_table(t.head, t.rows)
            + [""]
        )
    for d in rep.diffs:
        md += [f"## Per-theorem diff: {d.a} vs {d.b}", ""]
        md += [f"> **warning:** {w}" for w in d.warnings] + ([""] if d.warnings else [])
        md += [
            f"- theorems in both: {d.common}",
            f"- proved only by {d.a} ({len(d.only_a)}): {', '.join(d.only_a) or '-'}",
            f"- proved only by {d.b} ({len(d.only_b)}): {', '.join(d.only_b) or '-'}",
            f"- status changes: {len(d.changed)}",
            f"- attempted only by {d.a}: {len(d.missing_in_b)}; only by {d.b}: {len(d.missing_in_a)}",
            "",
        ]
        if d.changed:
            md += _md_table(["theorem", d.a, d.b], [list(c) for c in d.changed]) + [""]
    for title, p in rep.plots:
        md += [f"## {title}", "", f"![{title}]({p.name})", ""]
    return "\n".join(md)


def render_html(rep: Report) -> str:
    e = html.escape
    page = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:1200px}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}"
        "th{background:#f3f3f3}.warn{color:#a60;font-weight:bold}.note{color:#555;font-size:13px}"
        "img{max-width:100%}",
        "</style></head><body>",
        "<h1>Evaluation report</h1>",
    ]
    page += [f"<p class='warn'>warning: {e(w)}</p>" for w in rep.warnings]
    for t in rep.tables:
        page += [f"<h2>{e(t.title)}</h2>"]
        if t.note:
            page.append(f"<p class='note'>{e(t.note)}</p>")
        page.append(_html_table(t.head, t.rows))
    for d in rep.diffs:
        page.append(f"<h2>Per-theorem diff: {e(d.a)} vs {e(d.b)}</h2>")
        page += [f"<p class='warn'>warning: {e(w)}</p>" for w in d.warnings]
        page.append(
            "<ul>"
            f"<li>theorems in both: {d.common}</li>"
            f"<li>proved only by {e(d.a)} ({len(d.only_a)}): {e(', '.join(d.only_a) or '-')}</li>"
            f"<li>proved only by {e(d.b)} ({len(d.only_b)}): {e(', '.join(d.only_b) or '-')}</li>"
            f"<li>status changes: {len(d.changed)}</li>"
            f"<li>attempted only by {e(d.a)}: {len(d.missing_in_b)}; only by {e(d.b)}: {len(d.missing_in_a)}</li>"
            "</ul>"
        )
        if d.changed:
            page.append(_html_table(["theorem", d.a, d.b], [list(c) for c in d.changed]))
    for title, p in rep.plots:
        data = base64.b64encode(p.read_bytes()).decode("ascii")
        page.append(f"<h2>{e(title)}</h2><img alt='{e(title)}' src='data:image/png;base64,{data}'>")
    page.append("</body></html>")
    return "\n".join(page)


def _md_cell(x: str) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(map(_md_cell, head)) + " |", "|" + "---|" * len(head)] + [
        "| " + " | ".join(map(_md_cell, r)) + " |" for r in rows
    ]


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{th}</tr>{trs}</table>"
