"""`prover report`: solve rates with Wilson intervals beside published numbers, plots, per-theorem diffs.

Writes report.md, a self-contained report.html (plots inlined as data URIs) and the PNGs.
Runs are grouped by configuration digest; files that mix configurations, and diffs between
runs of different configurations, are reported with a warning, never merged silently.
"""

from __future__ import annotations

import base64
import csv
import html
import sys
from dataclasses import dataclass
from pathlib import Path

from prover.report.load import Run, load_runs
from prover.report.stats import PROVED, pass_rate_curve, solve_rate, times_to_proof

PUBLISHED = Path(__file__).resolve().parents[2] / "benchmarks" / "minif2f" / "published.csv"


@dataclass
class Diff:
    a: str
    b: str
    only_a: list[str]
    only_b: list[str]
    changed: list[tuple[str, str, str]]  # name, status in a, status in b
    missing: list[str]  # in one run only
    warning: str = ""


def diff_runs(a: Run, b: Run) -> Diff:
    ra, rb = a.by_name(), b.by_name()
    both = sorted(set(ra) & set(rb))
    warning = (
        ""
        if a.config_id == b.config_id
        else f"comparing different configurations ({a.config_id} vs {b.config_id})"
    )
    return Diff(
        a.label,
        b.label,
        only_a=[n for n in both if ra[n].status in PROVED and rb[n].status not in PROVED],
        only_b=[n for n in both if rb[n].status in PROVED and ra[n].status not in PROVED],
        changed=[(n, ra[n].status, rb[n].status) for n in both if ra[n].status != rb[n].status],
        missing=sorted(set(ra) ^ set(rb)),
        warning=warning,
    )


def _plots(runs: list[Run], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for run in runs:
        for ax, budget in zip(axes, ("expansions", "seconds"), strict=True):
            xs, ys = zip(*pass_rate_curve(run.records, budget), strict=True)
            ax.step(xs, [100 * y for y in ys], where="post", label=run.label)
    for ax, label in zip(axes, ("expansions", "wall seconds"), strict=True):
        ax.set_xlabel(f"budget ({label})")
        ax.set_ylabel("proved (%)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("pass rate vs budget")
    fig.tight_layout()
    paths.append(out_dir / "pass_rate_vs_budget.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    for run in runs:
        t = times_to_proof(run.records)
        if t:
            ax.step(
                t,
                [100 * (i + 1) / len(run.records) for i in range(len(t))],
                where="post",
                label=run.label,
            )
    ax.set_xscale("symlog")
    ax.set_xlabel("seconds to proof")
    ax.set_ylabel("proved (%)")
    ax.set_title("time to proof (cumulative)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out_dir / "time_to_proof.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def _published(path: Path | None) -> list[dict]:
    path = path or PUBLISHED
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_report(
    paths: list[Path],
    out_dir: Path,
    diff: tuple[str, str] | None = None,
    published: Path | None = None,
) -> Path:
    warnings: list[str] = []
    runs = load_runs([Path(p) for p in paths], warnings)
    if not runs:
        raise ValueError("no results in the given files")
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = _plots(runs, out_dir)
    diffs = []
    if diff:
        by_file = {str(Path(p)): [r for r in runs if str(r.path) == str(Path(p))] for p in diff}
        a, b = (by_file.get(str(Path(p))) for p in diff)
        if not a or not b:
            raise ValueError("--diff names must be among the given results files")
        diffs.append(diff_runs(a[0], b[0]))
        if diffs[-1].warning:
            warnings.append(diffs[-1].warning)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)

    rows = []
    for run in runs:
        s = solve_rate(run.records)
        statuses = {
            k: sum(r.status == k for r in run.records)
            for k in ("failed", "invalid_statement", "error")
        }
        rows.append(
            [
                run.label,
                run.system,
                run.method,
                run.model or "-",
                run.config_id,
                str(s["n"]),
                str(s["proved"]),
                f"{100 * s['rate']:.1f}",
                f"[{100 * s['low']:.1f}, {100 * s['high']:.1f}]",
                str(statuses["invalid_statement"]),
                str(statuses["error"]),
            ]
        )
    head = [
        "run",
        "system",
        "method",
        "model",
        "config",
        "n",
        "proved",
        "%",
        "95% CI",
        "invalid",
        "error",
    ]
    pub = _published(published)
    pub_head = [
        "system",
        "benchmark",
        "split",
        "method",
        "model",
        "budget",
        "solved_pct",
        "source",
        "status",
    ]

    md = ["# Evaluation report", ""]
    md += [f"> warning: {w}" for w in warnings] + ([""] if warnings else [])
    md += (
        _md_table(head, rows)
        + ["", "## Published numbers", ""]
        + _md_table(pub_head, [[r.get(k, "") for k in pub_head] for r in pub])
    )
    for d in diffs:
        md += ["", f"## Per-theorem diff: {d.a} vs {d.b}", ""]
        md += [
            f"- proved only by {d.a}: {', '.join(d.only_a) or '-'}",
            f"- proved only by {d.b}: {', '.join(d.only_b) or '-'}",
            f"- status changes: {len(d.changed)}",
            f"- in one run only: {len(d.missing)}",
        ]
        md += [""] + _md_table(["theorem", d.a, d.b], [list(c) for c in d.changed])
    md += ["", *[f"![{p.stem}]({p.name})" for p in pngs], ""]
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")

    page = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}",
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}.warn{color:#a60}</style></head><body>",
        "<h1>Evaluation report</h1>",
    ]
    page += [f"<p class='warn'>warning: {html.escape(w)}</p>" for w in warnings]
    page += [
        _html_table(head, rows),
        "<h2>Published numbers</h2>",
        _html_table(pub_head, [[r.get(k, "") for k in pub_head] for r in pub]),
    ]
    for d in diffs:
        page += [
            f"<h2>Per-theorem diff: {html.escape(d.a)} vs {html.escape(d.b)}</h2>",
            f"<p>proved only by {html.escape(d.a)}: {html.escape(', '.join(d.only_a) or '-')}<br>"
            f"proved only by {html.escape(d.b)}: {html.escape(', '.join(d.only_b) or '-')}</p>",
            _html_table(["theorem", d.a, d.b], [list(c) for c in d.changed]),
        ]
    for p in pngs:
        data = base64.b64encode(p.read_bytes()).decode()
        page.append(
            f"<h2>{html.escape(p.stem.replace('_', ' '))}</h2><img alt='{p.stem}' src='data:image/png;base64,{data}'>"
        )
    page.append("</body></html>")
    out = out_dir / "report.html"
    out.write_text("\n".join(page), encoding="utf-8")
    return out


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + [
        "| " + " | ".join(r) + " |" for r in rows
    ]


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{th}</tr>{trs}</table>"
