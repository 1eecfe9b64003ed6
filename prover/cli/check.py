"""`prover check`: the verdict a found proof gets, on a proof file (or its static stage)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from prover.cli.configure import require_toolchain
from prover.cli.options import DataDirOpt, TheoremOpt, fail
from prover.datasets import DatasetError, load_benchmark, select, system_of
from prover.theorem import Theorem


def check(
    file: Annotated[Path, typer.Argument(help="a complete proof file: .v (.lean, .thy)")],
    theorem_name: TheoremOpt = None,
    benchmark: Annotated[
        str | None,
        typer.Option(
            help="the file must prove this benchmark's theorem: its header and statement "
            "must be the record's (the theorem is --theorem, or the file's name)"
        ),
    ] = None,
    data_dir: DataDirOpt = None,
    static: Annotated[
        bool,
        typer.Option(
            "--static",
            help="only the part of the verdict that needs no proof assistant (split, record "
            "comparison, filters): exit 1 refused, 0 passed this stage (not a verdict)",
        ),
    ] = False,
) -> None:
    """Check a proof file with the audit a found proof gets (exit 0 accepted, 1 rejected, 2 bad input)."""
    from prover.assistants.registry import backend, system_of_file

    system = system_of_file(file)
    if system is None:
        raise fail(f"{file}: expected a .v, .lean or .thy file")
    if not file.is_file():
        raise fail(f"file {file} not found")
    if not static and not backend(system).checks_files:
        raise fail(f"checking {system} files is not supported yet")
    reference = None
    if benchmark:
        name = theorem_name or file.stem
        try:
            if system_of(benchmark) != system:
                raise fail(f"benchmark {benchmark} is for {system_of(benchmark)}, not {system}")
            reference = select(load_benchmark(benchmark, "all", data_dir), [name])[0]
        except DatasetError as e:
            hint = "" if theorem_name else " (name the benchmark's theorem with --theorem)"
            raise fail(f"{e}{hint}") from None
    if static:
        _static_check(system, file, reference, theorem_name)
    require_toolchain(system)
    from prover.assistants.base import ProofEnvError, Status

    try:
        verdict = backend(system).check_file(file, reference, theorem_name)
    except ValueError as e:
        raise fail(f"{file}: {e}") from None
    except ProofEnvError as e:  # the toolchain is missing or failed: no verdict
        raise fail(str(e)) from None
    beyond = set(verdict.axioms_beyond_stdlib)
    native = verdict.ok and verdict.status is Status.NATIVE_DECIDE
    print(
        f"verdict: {'accepted' if verdict.ok else 'rejected'}"
        + (" (uses native_decide: trusts the compiler)" if native else "")
    )
    print(
        "axioms: "
        + (
            ", ".join(
                a + (" (beyond the standard library)" if a in beyond else "")
                for a in verdict.axioms
            )
            or "none"
        )
    )
    if verdict.reason:
        print(f"reason: {verdict.reason}")
    raise typer.Exit(0 if verdict.ok else 1)


def _static_check(system: str, file: Path, reference: Theorem | None, name: str | None) -> None:
    """`prover check --static`: print what the assistant-free stage refuses, then exit."""
    from prover.assistants.registry import backend

    run = backend(system).static_check
    if run is None:
        raise fail(f"--static is not available for {system} files")
    try:
        report = run(file, reference, name)
    except ValueError as e:
        raise fail(f"{file}: {e}") from None
    if report.theorem is not None:
        print(f"theorem: {report.theorem.name}")
    for why in report.refusals:
        print(f"refused: {why}")
    for note in report.notes:
        print(f"note: {note}")
    if report.refused:
        print("static: refused (no proof assistant was run)")
        raise typer.Exit(1)
    print(
        "static: passed this stage; this is NOT a verdict: no proof assistant has checked "
        f"the proof (run `prover check {file}` for the verdict)"
    )
    raise typer.Exit(0)
