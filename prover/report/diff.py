"""Per-theorem comparison of two runs: what one proved that the other did not, and every status change."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from prover.report.load import ReportInputError, Run, load_runs
from prover.report.stats import is_proved


@dataclass
class Diff:
    a: str
    b: str
    only_a: list[str]  # proved in a, attempted but not proved in b
    only_b: list[str]
    changed: list[tuple[str, str, str]]  # (theorem, status in a, status in b), any status change
    missing_in_b: list[str]  # attempted in a only
    missing_in_a: list[str]
    common: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str:
        return "; ".join(self.warnings)


def _as_run(x: Run | str | Path, warnings: list[str]) -> Run:
    if isinstance(x, Run):
        return x
    runs = load_runs([Path(x)], warnings)
    if len(runs) != 1:
        raise ReportInputError(
            f"{x} holds {len(runs)} configurations; compare runs, not the whole file"
        )
    return runs[0]


def diff_runs(a: Run | str | Path, b: Run | str | Path) -> Diff:
    """Compare two runs (or single-configuration results files) theorem by theorem.

    Runs of different configurations are still compared (that is often the point), but the
    Diff says so in `warnings`, and so does stderr.
    """
    warnings: list[str] = []
    ra_run, rb_run = _as_run(a, warnings), _as_run(b, warnings)
    ra, rb = ra_run.by_name(), rb_run.by_name()
    both = sorted(set(ra) & set(rb))
    if ra_run.config_id != rb_run.config_id:
        warnings.append(
            f"comparing runs of different configurations: {ra_run.label} ({ra_run.config_id}) "
            f"vs {rb_run.label} ({rb_run.config_id})"
        )
    if not both:
        warnings.append(f"{ra_run.label} and {rb_run.label} have no theorem in common")
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return Diff(
        a=ra_run.label,
        b=rb_run.label,
        only_a=[n for n in both if is_proved(ra[n]) and not is_proved(rb[n])],
        only_b=[n for n in both if is_proved(rb[n]) and not is_proved(ra[n])],
        changed=[(n, ra[n].status, rb[n].status) for n in both if ra[n].status != rb[n].status],
        missing_in_b=sorted(set(ra) - set(rb)),
        missing_in_a=sorted(set(rb) - set(ra)),
        common=len(both),
        warnings=warnings,
    )
