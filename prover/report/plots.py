"""PNG plots (matplotlib, Agg backend: no display needed): pass rate vs budget, time to proof."""

from __future__ import annotations

from pathlib import Path

from prover.report.load import Run
from prover.report.stats import budget_limit, cumulative_curve, pass_rate_curve, times_to_proof


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(run: Run) -> str:
    """The run's label, with its method when the label does not already say it."""
    return (
        run.label
        if run.method and run.method in run.label
        else f"{run.label} ({run.method or '?'})"
    )


def plot_pass_rate(runs: list[Run], path: Path) -> Path:
    """One step curve per run, every method on the same axes: share of the run's theorems
    proved within b expansions / b seconds, carried to the budget the run was given."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, budget, label in (
        (axes[0], "expansions", "expansions (model calls per search)"),
        (axes[1], "seconds", "wall-clock seconds per theorem"),
    ):
        curves = [pass_rate_curve(run.records, budget) for run in runs]
        limits = [budget_limit(run.records, run.config, budget) for run in runs]
        right = max([*limits, *(c[-1][0] for c in curves)]) or 1.0
        for run, curve, limit in zip(runs, curves, limits, strict=True):
            # Each curve runs to its own budget (a run that stopped proving early stays at its
            # final rate up to where its budget ended), not to its last proof.
            xs, ys = zip(*curve, (max(limit, curve[-1][0]) or right, curve[-1][1]), strict=True)
            ax.step(xs, [100 * y for y in ys], where="post", label=_label(run))
        ax.set_xlabel(f"budget: {label}")
        ax.set_ylabel("proved (% of attempted)")
        ax.set_ylim(bottom=0)
        ax.set_xlim(left=0, right=right * 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Pass rate vs budget")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_time_to_proof(runs: list[Run], path: Path) -> Path:
    """Histogram (log-spaced bins) and cumulative share of proofs found by time t, per run."""
    plt = _pyplot()
    fig, (hist, cdf) = plt.subplots(1, 2, figsize=(11, 4.2))
    all_t = [t for run in runs for t in times_to_proof(run.records)]
    lo = max(min((t for t in all_t if t > 0), default=0.01), 1e-3)
    hi = max(all_t, default=1.0)
    n_bins = 20
    edges = (
        [lo * (hi / lo) ** (i / n_bins) for i in range(n_bins + 1)] if hi > lo else [lo / 2, hi * 2]
    )
    right = max(budget_limit(run.records, run.config, "seconds") for run in runs)
    for run in runs:
        t = [max(x, lo) for x in times_to_proof(run.records)]
        if not t:
            continue
        hist.hist(t, bins=edges, histtype="step", linewidth=1.5, label=_label(run))
        curve = cumulative_curve(run.records, right)
        xs, ys = zip(*curve, strict=True)
        cdf.step(xs, [100 * y for y in ys], where="post", marker=".", label=_label(run))
    for ax in (hist, cdf):
        ax.set_xscale("log")
        ax.set_xlabel("seconds to proof (log scale)")
        ax.grid(alpha=0.3)
        if all_t:
            ax.legend(fontsize=8)
    hist.set_ylabel("theorems proved")
    hist.set_title("time-to-proof histogram")
    cdf.set_ylabel("proved by time t (% of attempted)")
    cdf.set_ylim(bottom=0)
    cdf.set_title("cumulative")
    if not all_t:
        for ax in (hist, cdf):
            ax.text(0.5, 0.5, "no proofs", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_plots(runs: list[Run], out_dir: Path) -> list[tuple[str, Path]]:
    """All plots for a report as (title, path), in the order they appear."""
    return [
        ("Pass rate vs budget", plot_pass_rate(runs, out_dir / "pass_rate_vs_budget.png")),
        ("Time to proof", plot_time_to_proof(runs, out_dir / "time_to_proof.png")),
    ]
