"""The options the commands share, declared once, and `fail`: how a command says no.

Errors a user can fix print one line starting with ``error:`` and exit with status 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from prover.batch.config import EvalConfig
from prover.methods import ALIASES, NAMES
from prover.methods.defaults import default_budget
from prover.theorem import SYSTEMS

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
# prove/eval: None takes (and the help shows) prover.batch.config.EvalConfig's default; a
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
# left out takes the method's default (prover.methods.defaults). By `Budget` field name:
BUDGET_HELP = {
    "samples": "candidates per model call",
    "attempts": "attempts (search: restarts; whole/sketch: rounds of samples)",
    "expansions": "search: expansions per attempt; copra: queries",
    "repair_rounds": "whole: repair rounds per failed proof",
    "wall_seconds": "wall-clock seconds per theorem",
    "tactic_timeout": "seconds per proof-assistant call",
    "max_tokens": "max new tokens per completion",
}
# On/off options: None takes (and the help shows) EvalConfig's default. By its field name:
SWITCH_HELP = {
    "portfolio": "search/sketch: try the automation portfolio on every new state",
    "retrieval": "Coq search: similar library states and lemmas from the proof corpus in "
    "every prompt (`prover corpus build`)",
    "templates": "search: template candidates over each state's hypotheses and variables "
    "(prover.candidates), ranked with the model's",
    "knn": "Coq search: the proof corpus's nearest-neighbour tactics among the candidates "
    "(`prover corpus build`)",
}


def _budget_option(key: str) -> Any:
    """A budget option of prove/eval; its help shows the default an omitted one takes."""
    search = default_budget("search", "coq").get(key)
    whole = default_budget("whole", "coq").get(key)
    isabelle = default_budget("sketch", "isabelle").get(key)
    shown = f"{search:g}"
    if whole != search:
        shown += f"; whole, sketch: {whole:g}"
    if isabelle != whole:
        shown += f"; Isabelle: {isabelle:g}"
    return typer.Option(help=BUDGET_HELP[key], show_default=shown)


def _switch_option(key: str) -> Any:
    """An on/off option of prove/eval, shown on or off as EvalConfig's default is."""
    return typer.Option(
        help=SWITCH_HELP[key], show_default="on" if getattr(EvalConfig, key) else "off"
    )


SamplesOpt = Annotated[int | None, _budget_option("samples")]
AttemptsOpt = Annotated[int | None, _budget_option("attempts")]
ExpansionsOpt = Annotated[int | None, _budget_option("expansions")]
RepairOpt = Annotated[int | None, _budget_option("repair_rounds")]
WallOpt = Annotated[float | None, _budget_option("wall_seconds")]
TacticTimeoutOpt = Annotated[float | None, _budget_option("tactic_timeout")]
MaxTokensOpt = Annotated[int | None, _budget_option("max_tokens")]
PortfolioOpt = Annotated[bool | None, _switch_option("portfolio")]
RetrievalOpt = Annotated[bool | None, _switch_option("retrieval")]
TemplatesOpt = Annotated[bool | None, _switch_option("templates")]
KnnOpt = Annotated[bool | None, _switch_option("knn")]
AutomationOpt = Annotated[
    str | None,
    typer.Option(
        help="coq: the automation portfolio: default (cheap closers first, the hammers after "
        "the model's first expansions) or classic (the first 18 tactics, all before the model)",
        show_default="default",
    ),
]
TemperatureOpt = Annotated[
    list[float] | None,
    typer.Option("--temperature", help="sampling temperature (repeat for a list)"),
]
TheoremOpt = Annotated[
    str | None,
    typer.Option("--theorem", help="the theorem in the file (needed when it states several)"),
]


@dataclass(frozen=True)
class RunOptions:
    """The options of a run that `prove` and `eval` share, after --method: the model, the
    budget, the switches, by their flags' names. None: left out (the method's default
    applies, or it is refused where the method does not read it: prover.cli.configure)."""

    model: ProveModelOpt = None
    runtime: ProveRuntimeOpt = None
    base_url: BaseUrlOpt = None
    samples: SamplesOpt = None
    attempts: AttemptsOpt = None
    max_expansions: ExpansionsOpt = None
    repair_rounds: RepairOpt = None
    wall_seconds: WallOpt = None
    tactic_timeout: TacticTimeoutOpt = None
    portfolio: PortfolioOpt = None
    automation: AutomationOpt = None
    retrieval: RetrievalOpt = None
    templates: TemplatesOpt = None
    knn: KnnOpt = None
    temperature: TemperatureOpt = None
    max_tokens: MaxTokensOpt = None
