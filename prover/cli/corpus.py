"""`prover corpus build` and `prover corpus add-found`: the proof corpus from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from prover.cli.options import console, fail

corpus_app = typer.Typer(
    no_args_is_help=True,
    help="The proof corpus: Coq libraries' proofs replayed into (goal state, tactic) rows.",
)


@corpus_app.command("build")
def build(
    libraries: Annotated[
        str,
        typer.Option(
            help="comma-separated: coq-stdlib, coquelicot, flocq, mathcomp-ssreflect, "
            "or NAME=DIR[:PREFIX] for other sources"
        ),
    ] = "coq-stdlib",
    dirs: Annotated[
        str | None,
        typer.Option(
            help="comma-separated directories of each library to replay (e.g. Reals,ZArith); "
            "'all' for every file (default: the slice the prover's defaults use)"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="corpus directory (default: the prover's cache)")
    ] = None,
    limit_files: Annotated[int | None, typer.Option(help="replay at most N files")] = None,
    workers: Annotated[int, typer.Option(help="coqtop processes replaying files at once")] = 1,
    file_seconds: Annotated[
        float, typer.Option(help="a file still replaying after this long is skipped")
    ] = 300.0,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="folder holding minif2f-rocq/ (the test-split exclusion check)"),
    ] = None,
    retry_skipped: Annotated[
        bool, typer.Option(help="replay again the files an earlier build skipped")
    ] = False,
) -> None:
    """Replay library proofs through coqtop into tactics.jsonl, lemmas.jsonl, PROVENANCE.json.

    Resumable: files already replayed into the directory are kept; a file that fails to
    replay is skipped and counted. Proofs whose statement is a miniF2F test statement are left out."""
    from prover.corpus import build_corpus, minif2f_test_statements
    from prover.retrieval import build_index

    if workers < 1:
        raise fail("--workers must be at least 1")
    chosen = (
        None if dirs is None else (() if dirs == "all" else tuple(d for d in dirs.split(",") if d))
    )
    try:
        report = build_corpus(
            [n for n in libraries.split(",") if n],
            out_dir=out,
            dirs=chosen,
            limit_files=limit_files,
            workers=workers,
            file_seconds=file_seconds,
            test_statements=lambda: minif2f_test_statements(str(data_dir) if data_dir else None),
            retry_skipped=retry_skipped,
            index=build_index,
        )
    except ValueError as e:
        raise fail(str(e)) from None
    p = report.provenance
    c = p["counts"]
    console.print(
        f"corpus {report.out_dir}: {c['files_ok']} files ({c['files_skipped']} skipped), "
        f"{c['proofs']} proofs, {c['tactics']} tactics, {c['lemmas']} lemmas; "
        f"{report.files_done} file(s) replayed in {report.seconds:.0f} s, {report.files_reused} kept; "
        f"test statements excluded: {p['test_exclusion']['excluded_count']} "
        f"(checked against {p['test_exclusion']['checked_against']})",
        highlight=False,
    )
    print(report.out_dir)


@corpus_app.command("add-found")
def add_found(
    results: Annotated[Path, typer.Argument(help="a results file of the valid split")],
    corpus: Annotated[
        Path | None, typer.Option(help="corpus directory (default: the prover's cache)")
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="folder holding minif2f-rocq/")] = None,
) -> None:
    """Add the proofs found on the miniF2F valid split to the example pool (test split refused)."""
    from prover.retrieval.pool import SplitRefused, add_found_proofs

    if not results.is_file():
        raise fail(f"file {results} not found")
    try:
        report = add_found_proofs(results, corpus, data_dir=str(data_dir) if data_dir else None)
    except SplitRefused as e:
        raise fail(str(e)) from None
    print(json.dumps(report.__dict__))
