"""`prover prove` (one theorem) and `prover eval` (a benchmark split, resumable)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from prover.batch.runner import ConfigMismatch, run_eval
from prover.batch.summary import summarize
from prover.cli.configure import (
    build_config,
    require_corpus,
    require_toolchain,
    resolve_system,
    theorem_from_file,
)
from prover.cli.group import takes
from prover.cli.options import (
    BenchmarkOpt,
    DataDirOpt,
    MethodOpt,
    RunOptions,
    SystemOpt,
    TheoremOpt,
    console,
    fail,
)
from prover.datasets import DatasetError, load_benchmark, select


@takes(RunOptions)
def prove(
    target: Annotated[
        str, typer.Argument(help="a .v/.lean/.thy file, or a theorem name in --benchmark")
    ],
    system: SystemOpt = None,
    benchmark: BenchmarkOpt = None,
    data_dir: DataDirOpt = None,
    method: MethodOpt = None,
    *,
    run: RunOptions,  # --model ... --max-tokens, the same options as eval's
    save_tree: Annotated[
        Path | None, typer.Option(help="search: write the search tree as JSON here")
    ] = None,
    theorem_name: TheoremOpt = None,
) -> None:
    """Prove one theorem and print the checked proof (exit 0 proved, 1 not proved, 2 bad input)."""
    from prover.assistants.registry import system_of_file

    path = Path(target)
    looks_like_file = path.suffix in (".v", ".lean", ".thy") or "/" in target
    if looks_like_file:
        system = system or system_of_file(path) or "coq"
        theorem = theorem_from_file(path, system, theorem_name)
    else:
        if theorem_name:
            raise fail("--theorem picks a theorem in a file; name benchmark theorems directly")
        system, benchmark = resolve_system(system, benchmark)
        try:
            theorem = select(load_benchmark(benchmark, "all", data_dir), [target])[0]
        except DatasetError as e:
            raise fail(str(e)) from None
    config = build_config(system, method, run)
    require_toolchain(system)
    require_corpus(config)
    from prover.batch.worker import Worker
    from prover.methods.tree import save_graph

    console.print(
        f"proving [bold]{theorem.name}[/] with {system} ({config.method})", highlight=False
    )
    with Worker(config) as worker:
        result = worker.result(theorem)
        record = worker.record(theorem, result)
    if save_tree and result.graph is not None:
        save_graph(result.graph, save_tree)
    print(
        json.dumps(
            {
                k: getattr(record, k)
                for k in ("name", "status", "reason", "expansions", "tactic_calls", "wall_seconds")
            }
        )
    )
    if record.status.startswith("proved") and record.proof is not None:
        print(record.proof)
        raise typer.Exit(0)
    raise typer.Exit(1)


@takes(RunOptions)
def eval_cmd(
    system: SystemOpt = None,
    benchmark: BenchmarkOpt = None,
    split: Annotated[str, typer.Option(help="test, valid or all")] = "test",
    limit: Annotated[int | None, typer.Option(help="only the first N theorems")] = None,
    names: Annotated[str | None, typer.Option(help="comma-separated theorem names")] = None,
    stride: Annotated[
        int | None,
        typer.Option(help="every K-th theorem in name order (a sample across the split)", min=1),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="results file (JSON lines); an existing one is resumed")
    ] = Path("results.jsonl"),
    workers: Annotated[int, typer.Option(help="worker processes (or Ray actors with --ray)")] = 1,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="run workers as Ray actors: 'local' or a cluster address (ray://host:10001, auto)",
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    method: MethodOpt = None,
    mode: Annotated[
        str | None,
        typer.Option(help="Isabelle: sketch (informal2formal) or sledgehammer (alias of --method)"),
    ] = None,
    *,
    run: RunOptions,  # --model ... --max-tokens, the same options as prove's
) -> None:
    """Evaluate a benchmark split: one JSON line per theorem in --out, resumable, Ctrl-C safe."""
    system, benchmark = resolve_system(system, benchmark)
    config = build_config(system, mode or method, run)
    try:
        theorems = load_benchmark(benchmark, split, data_dir)
        if stride:
            theorems = sorted(theorems, key=lambda t: t.name)[::stride]
        theorems = select(theorems, [n.strip() for n in names.split(",")] if names else None, limit)
    except DatasetError as e:
        raise fail(str(e)) from None
    require_toolchain(system)
    require_corpus(config)
    console.print(
        f"{len(theorems)} theorems from {benchmark}/{split}, method {config.method}, "
        f"config {config.id}, {workers} worker(s) -> {out}",
        highlight=False,
    )
    try:
        if ray:
            from prover.batch.ray import run_eval_ray

            summary = run_eval_ray(
                theorems,
                config,
                out,
                workers=workers,
                address=None if ray == "local" else ray,
                progress=True,
            )
        else:
            summary = run_eval(theorems, config, out, workers=workers)
    except ConfigMismatch as e:
        raise fail(str(e)) from None
    from prover.results import read_results

    wanted = {t.name for t in theorems}
    records = [r for r in read_results(out) if r.name in wanted]
    _print_summary(records, summary.skipped)
    if summary.interrupted:
        console.print(
            f"[yellow]interrupted[/]: {len(summary.records)} result(s) of this run are kept in {out}; "
            "run the same command again to resume.",
            highlight=False,
        )
        raise typer.Exit(130)


def _print_summary(records, skipped: int) -> None:
    s = summarize(records)
    table = Table(title="summary")
    for col in (
        "theorems",
        "proved",
        "failed",
        "invalid",
        "error",
        "median s",
        "outside model+checker",
    ):
        table.add_column(col, justify="right")
    table.add_row(
        str(s.theorems),
        str(s.proved),
        str(s.failed),
        str(s.invalid_statement),
        str(s.error),
        f"{s.median_seconds:.1f}",
        f"{100 * s.overhead_share:.1f}%",
    )
    Console().print(table)
    wall = s.wall_seconds
    if wall > 0:
        parts = (
            ("model", s.model_seconds),
            ("proof assistant", s.checker_seconds),
            ("other", s.other_seconds),
        )
        console.print(
            f"time: {wall:.0f} s over {s.theorems} theorem(s); "
            + ", ".join(f"{name} {sec:.0f} s ({100 * sec / wall:.0f}%)" for name, sec in parts),
            highlight=False,
        )
    if skipped:
        console.print(
            f"({skipped} theorem(s) were already in the results file and were not re-run)"
        )
