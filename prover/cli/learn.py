"""`prover learn`: expert iteration (search, keep the checked proofs, fine-tune)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from prover.cli.configure import require_toolchain
from prover.cli.options import (
    MODEL_HELP,
    DataDirOpt,
    ExpansionsOpt,
    PortfolioOpt,
    SamplesOpt,
    TacticTimeoutOpt,
    fail,
)
from prover.methods import Budget
from prover.methods.defaults import budget_defaults

# Expert iteration searches many theorems per round: a minute each (the sample
# budget), not the 10 minutes of a benchmark run.
LEARN_WALL_SECONDS = 60.0


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
    wall_seconds: Annotated[
        float, typer.Option(help="wall-clock seconds per theorem (search and evaluation)")
    ] = LEARN_WALL_SECONDS,
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
        "wall_seconds": wall_seconds,
        "samples": samples,
        "expansions": max_expansions,
        "tactic_timeout": tactic_timeout,
        "max_tokens": budget_defaults("search", "coq")["max_tokens"],
    }
    recipe = (
        train_config
        or Path(__file__).resolve().parents[2] / "training" / "configs" / "sft_cpu_smoke.yaml"
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
    require_toolchain("coq")
    try:
        done = run_learn(cfg)
    except (LearnError, DatasetError, FileNotFoundError) as e:
        raise fail(str(e)) from None
    for record in done:
        print(json.dumps(record))
