"""The `prover` command: prove one theorem, evaluate a benchmark, set up toolchains, report.

Errors a user can fix (missing file, unknown benchmark, missing toolchain, results file of
another configuration) print one line starting with ``error:`` and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from prover.datasets import DEFAULT_BENCHMARK, DatasetError, load_benchmark, select, system_of
from prover.evaluate import (
    METHODS,
    ConfigMismatch,
    EvalConfig,
    default_portfolio,
    run_eval,
    summarize,
)
from prover.search import SearchConfig, best_first_search, save_graph
from prover.theorem import SYSTEMS, Theorem

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Prove theorems with a language model; every proof is checked by Coq, Lean 4 or Isabelle.",
)
console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


# Options shared by `prove` and `eval`, declared once.
SystemOpt = Annotated[
    str | None,
    typer.Option(help=f"proof assistant: {', '.join(SYSTEMS)} (default: the benchmark's)"),
]
BenchmarkOpt = Annotated[
    str | None, typer.Option(help="minif2f-rocq, minif2f-lean4 or minif2f-isabelle")
]
DataDirOpt = Annotated[
    Path | None, typer.Option(help="folder holding <benchmark>/minif2f.jsonl (or $PROVER_DATA_DIR)")
]
MethodOpt = Annotated[str, typer.Option(help=f"{', '.join(METHODS)}")]
ModelOpt = Annotated[
    str,
    typer.Option(
        help="'embedded' (SmolLM2-135M, offline), a local HF dir, a hub id, or a served model name"
    ),
]
RuntimeOpt = Annotated[str, typer.Option(help="hf, vllm or openai")]
BaseUrlOpt = Annotated[
    str | None, typer.Option(help="OpenAI-compatible server URL (runtime openai)")
]
SamplesOpt = Annotated[int, typer.Option(help="candidates per expansion (one batched model call)")]
AttemptsOpt = Annotated[int, typer.Option(help="independent search attempts (temperatures cycle)")]
ExpansionsOpt = Annotated[int, typer.Option(help="expansions per attempt")]
WallOpt = Annotated[float, typer.Option(help="wall-clock seconds per theorem")]
TacticTimeoutOpt = Annotated[float, typer.Option(help="seconds per tactic in the proof assistant")]
PortfolioOpt = Annotated[bool, typer.Option(help="try the automation portfolio on every new state")]
TemperatureOpt = Annotated[
    list[float] | None,
    typer.Option("--temperature", help="sampling temperature (repeat for a list)"),
]
MaxTokensOpt = Annotated[int, typer.Option(help="max new tokens per candidate")]


def _resolve_system(system: str | None, benchmark: str | None) -> tuple[str, str]:
    try:
        if benchmark:
            bsys = system_of(benchmark)
            if system and system != bsys:
                raise fail(f"benchmark {benchmark} is for {bsys}, not {system}")
            return bsys, benchmark
    except DatasetError as e:
        raise fail(str(e)) from None
    system = system or "coq"
    if system not in SYSTEMS:
        raise fail(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    return system, DEFAULT_BENCHMARK[system]


def _require_toolchain(system: str) -> None:
    from prover.systems import check_installation

    problem = check_installation(system)
    if problem:
        raise fail(problem)


def _build_config(
    system,
    method,
    model,
    runtime,
    base_url,
    samples,
    attempts,
    max_expansions,
    wall_seconds,
    tactic_timeout,
    portfolio,
    temperature,
    max_tokens,
) -> EvalConfig:
    if method not in METHODS:
        raise fail(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method in ("informal2formal", "sledgehammer") and system != "isabelle":
        raise fail(f"method {method} needs --system isabelle")
    if method in ("search", "portfolio", "copra") and system == "isabelle":
        raise fail(
            "Isabelle runs whole proofs: use --method informal2formal or --method sledgehammer"
        )
    use_portfolio = portfolio or method == "portfolio"
    search = SearchConfig(
        samples=samples,
        attempts=attempts,
        max_expansions=max_expansions,
        wall_seconds=wall_seconds,
        temperatures=tuple(temperature or (0.0,)),
        max_tokens=max_tokens,
        portfolio=default_portfolio(system) if use_portfolio else (),
    )
    model_options = {"base_url": base_url} if base_url else {}
    return EvalConfig(
        system=system,
        method=method,
        model=model,
        runtime=runtime,
        search=search,
        env_options={"tactic_timeout": tactic_timeout},
        model_options=model_options,
    )


def _theorem_from_file(path: Path, system: str) -> Theorem:
    if not path.is_file():
        raise fail(f"file {path} not found")
    text = path.read_text(encoding="utf-8")
    if system == "coq" or path.suffix == ".v":
        from prover.datasets.minif2f_rocq import parse_v_file

        rec = parse_v_file(text, "", str(path))
        if rec is None:
            raise fail(f"{path}: no 'Theorem NAME : ...' or 'Lemma NAME : ...' found")
        return Theorem(
            name=rec["name"], system="coq", statement=rec["formal_statement"], header=rec["header"]
        )
    from prover.systems import backend_module

    parse = getattr(backend_module(system), "theorem_from_file", None)
    if parse is None:
        raise fail(
            f"reading {system} theorems from files is not supported; name a benchmark theorem instead"
        )
    return parse(path)


@app.command()
def prove(
    target: Annotated[
        str, typer.Argument(help="a .v/.lean/.thy file, or a theorem name in --benchmark")
    ],
    system: SystemOpt = None,
    benchmark: BenchmarkOpt = None,
    data_dir: DataDirOpt = None,
    method: MethodOpt = "search",
    model: ModelOpt = "embedded",
    runtime: RuntimeOpt = "hf",
    base_url: BaseUrlOpt = None,
    samples: SamplesOpt = 8,
    attempts: AttemptsOpt = 1,
    max_expansions: ExpansionsOpt = 32,
    wall_seconds: WallOpt = 600.0,
    tactic_timeout: TacticTimeoutOpt = 10.0,
    portfolio: PortfolioOpt = True,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = 48,
    save_tree: Annotated[
        Path | None, typer.Option(help="write the search tree as JSON here")
    ] = None,
) -> None:
    """Prove one theorem and print the checked proof (exit 0 proved, 1 not proved, 2 bad input)."""
    path = Path(target)
    looks_like_file = path.suffix in (".v", ".lean", ".thy") or "/" in target
    if looks_like_file:
        system = system or {".v": "coq", ".lean": "lean", ".thy": "isabelle"}.get(
            path.suffix, "coq"
        )
        theorem = _theorem_from_file(path, system)
    else:
        system, benchmark = _resolve_system(system, benchmark)
        try:
            theorem = select(load_benchmark(benchmark, "all", data_dir), [target])[0]
        except DatasetError as e:
            raise fail(str(e)) from None
    _require_toolchain(system)
    config = _build_config(
        system,
        method,
        model,
        runtime,
        base_url,
        samples,
        attempts,
        max_expansions,
        wall_seconds,
        tactic_timeout,
        portfolio,
        temperature,
        max_tokens,
    )
    from prover.evaluate import Worker

    console.print(
        f"proving [bold]{theorem.name}[/] with {system} ({config.method})", highlight=False
    )
    worker = Worker(config)
    try:
        if config.method in ("search", "portfolio"):
            result = best_first_search(
                theorem, worker.env, worker.generator if method == "search" else None, config.search
            )
            record = result.to_record(theorem, config.method, config.model, config.as_dict())
            if save_tree and result.graph is not None:
                save_graph(result.graph, save_tree)
        else:
            record = worker.prove(theorem)
    finally:
        worker.close()
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


@app.command("eval")
def eval_cmd(
    system: SystemOpt = None,
    benchmark: BenchmarkOpt = None,
    split: Annotated[str, typer.Option(help="test, valid or all")] = "test",
    limit: Annotated[int | None, typer.Option(help="only the first N theorems")] = None,
    names: Annotated[str | None, typer.Option(help="comma-separated theorem names")] = None,
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
    method: MethodOpt = "search",
    mode: Annotated[
        str | None,
        typer.Option(help="Isabelle: informal2formal or sledgehammer (alias of --method)"),
    ] = None,
    model: ModelOpt = "embedded",
    runtime: RuntimeOpt = "hf",
    base_url: BaseUrlOpt = None,
    samples: SamplesOpt = 8,
    attempts: AttemptsOpt = 1,
    max_expansions: ExpansionsOpt = 32,
    wall_seconds: WallOpt = 600.0,
    tactic_timeout: TacticTimeoutOpt = 10.0,
    portfolio: PortfolioOpt = True,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = 48,
) -> None:
    """Evaluate a benchmark split: one JSON line per theorem in --out, resumable, Ctrl-C safe."""
    system, benchmark = _resolve_system(system, benchmark)
    if mode:
        method = mode
    if system == "isabelle" and method == "search":
        method = "informal2formal"
    try:
        theorems = load_benchmark(benchmark, split, data_dir)
        theorems = select(theorems, [n.strip() for n in names.split(",")] if names else None, limit)
    except DatasetError as e:
        raise fail(str(e)) from None
    _require_toolchain(system)
    config = _build_config(
        system,
        method,
        model,
        runtime,
        base_url,
        samples,
        attempts,
        max_expansions,
        wall_seconds,
        tactic_timeout,
        portfolio,
        temperature,
        max_tokens,
    )
    console.print(
        f"{len(theorems)} theorems from {benchmark}/{split}, method {config.method}, "
        f"config {config.id}, {workers} worker(s) -> {out}",
        highlight=False,
    )
    try:
        if ray:
            from prover.distributed import run_eval_ray

            summary = run_eval_ray(
                theorems, config, out, workers=workers, address=None if ray == "local" else ray
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
        str(s["theorems"]),
        str(s["proved"]),
        str(s["failed"]),
        str(s["invalid_statement"]),
        str(s["error"]),
        f"{s['median_seconds']:.1f}",
        f"{100 * s['overhead_share']:.1f}%",
    )
    Console().print(table)
    if skipped:
        console.print(
            f"({skipped} theorem(s) were already in the results file and were not re-run)"
        )


@app.command()
def setup(system: Annotated[str, typer.Argument(help=f"{', '.join(SYSTEMS)}")] = "coq") -> None:
    """Install or check a proof assistant toolchain, saying exactly what is missing."""
    if system not in SYSTEMS:
        raise fail(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    from prover.systems import backend_module

    raise typer.Exit(backend_module(system).setup())


@app.command()
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


@app.command()
def serve(
    model: ModelOpt = "embedded",
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port (0 picks a free one)")] = 8000,
    threads: Annotated[int | None, typer.Option(help="torch CPU threads")] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="PROVER_TOKEN",
            help="bearer token clients must send (required unless bound to loopback)",
        ),
    ] = None,
    sessions: Annotated[int, typer.Option(help="warm Coq sessions kept (one per file header)")] = 3,
    tactic_timeout: TacticTimeoutOpt = 5.0,
) -> None:
    """Serve one model: the editor copilot (/suggest, /prove, /health) and an OpenAI-compatible API."""
    from prover.copilot import build_copilot
    from prover.copilot.server import InsecureBind, bind, create_app, require_token_for
    from prover.generator import ModelUnavailable
    from prover.models import load_generator

    try:
        require_token_for(host, token)
    except InsecureBind as e:
        raise fail(str(e)) from None
    if sessions < 1:
        raise fail("--sessions must be at least 1")
    try:
        generator = load_generator(model, runtime="hf", threads=threads)
    except ModelUnavailable as e:
        raise fail(str(e)) from None
    try:
        sock = bind(host, port)
    except OSError as e:
        raise fail(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    copilot = build_copilot(generator, sessions=sessions, tactic_timeout=tactic_timeout)
    shown = f"[{host}]" if ":" in host else host
    print(f"serving {model} at http://{shown}:{sock.getsockname()[1]}/v1", flush=True)
    from prover.copilot.server import run

    try:
        run(create_app(copilot, model, token), sock)
    finally:
        copilot.sessions.close()


@app.command()
def suggest(
    target: Annotated[
        str,
        typer.Argument(
            help="FILE.v[:LINE]: the cursor at the end of LINE (default: before the first admit/Admitted)"
        ),
    ],
    k: Annotated[int, typer.Option(help="candidates asked of the model")] = 8,
    max_tokens: MaxTokensOpt = 48,
    include_failed: Annotated[
        bool, typer.Option(help="also list the candidates Coq rejected")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    server: Annotated[
        str | None, typer.Option(help="ask a running `prover serve` at this URL instead")
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="PROVER_TOKEN", help="the server's bearer token")
    ] = None,
    model: ModelOpt = "embedded",
    timeout: Annotated[float, typer.Option(help="seconds for the whole answer")] = 60.0,
) -> None:
    """Checked next-tactic suggestions at a point of a Coq file (exit 0 answered, 1 the file
    does not check there or nothing was suggested, 2 bad input)."""
    from prover.copilot.cli import ask, cursor_text, print_answer

    try:
        text = cursor_text(target)
    except ValueError as e:
        raise fail(str(e)) from None
    body = {
        "system": "coq",
        "text": text,
        "k": k,
        "max_tokens": max_tokens,
        "include_failed": include_failed,
        "timeout": timeout,
    }
    try:
        answer = ask(body, server=server, token=token, model=model)
    except (RuntimeError, ValueError) as e:
        raise fail(str(e)) from None
    print_answer(answer, target.rsplit(":", 1)[0] if ":" in target else target, json_out)
    raise typer.Exit(0 if answer.get("ok") and answer.get("suggestions") else 1)


@app.command("copilot-path")
def copilot_path(
    editor: Annotated[str, typer.Argument(help="emacs (the Proof General package)")] = "emacs",
) -> None:
    """Print where the copilot's editor package is installed (for load-path / require)."""
    from prover.copilot import EMACS_PACKAGE

    if editor != "emacs":
        raise fail(
            f"unknown editor {editor!r}; Lean's tactics are in the lean/ project (ProverCopilot)"
        )
    print(EMACS_PACKAGE)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
