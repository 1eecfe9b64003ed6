"""Expert iteration (`prover learn`): prove, keep the checked proofs, train on them, prove again.

One round, in one results folder (`out`):

1. **search** the training theorems with the current model (`round-R/search.jsonl`, a
   results file: resumable like any `prover eval` run). Training theorems come from the
   benchmark's valid split only; the test split is refused, and any theorem whose name or
   statement is a miniF2F test statement is dropped and counted.
2. **keep** every proof the verdict accepted (status proved) in `proofs.jsonl`, with the
   theorem's statement and header, the round and model that found it; PROVENANCE.json
   beside it says where each line came from.
3. **replay** those proofs through Coq into (state -> tactic) lines (`round-R/tactics.jsonl`).
4. **fine-tune** the current model on them (plus an optional corpus), with the SFT recipe
   of `train_config` (`round-R/train/`, resumable from its last checkpoint); a LoRA result is
   merged into a plain model (`round-R/model`).
5. **evaluate** the new model on a fixed sample (`round-R/eval.jsonl`); the base model's
   figure on the same sample is `eval-base.jsonl`.

Each finished round appends one line to `rounds.jsonl` (proved, loss, tokens, seconds); a
round with a line is not run again, so the command resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from prover.batch.runner import EvalConfig, run_eval
from prover.datasets import load_benchmark
from prover.methods import Budget
from prover.results import read_results
from prover.theorem import Theorem

BENCHMARK = "minif2f-rocq"


class LearnError(ValueError):
    """A request `prover learn` refuses (the test split, unknown names); the message says why."""


@dataclass
class LearnConfig:
    out: Path
    model: str = "smollm2"  # the starting model: a registry name, HF directory or checkpoint
    train_config: str = "training/configs/sft_cpu_smoke.yaml"  # the SFT recipe of each round
    rounds: int = 1
    split: str = "valid"
    names: list[str] | None = None  # training theorems by name (default: the split's stride sample)
    stride: int = 4  # every k-th name of the split (the names sort the hard ones first)
    limit: int | None = None
    eval_names: list[str] | None = None  # the fixed evaluation sample (default: stride 4, offset 2)
    eval_limit: int | None = None
    budget: Budget = field(default_factory=lambda: Budget(wall_limit=60.0, max_tokens=48))
    portfolio: bool = True
    steps: int | None = None  # fine-tuning steps per round (default: the recipe's max_steps)
    corpus: str | None = None  # a corpus dir / tactics.jsonl mixed into every round's data
    data_dir: str | None = None
    workers: int = 1


def _sample(theorems: list[Theorem], names, stride: int, offset: int, limit) -> list[Theorem]:
    if names:
        byname = {t.name: t for t in theorems}
        unknown = [n for n in names if n not in byname]
        if unknown:
            raise LearnError(f"not in the valid split: {', '.join(unknown[:5])}")
        chosen = [byname[n] for n in names]
    else:
        chosen = sorted(theorems, key=lambda t: t.name)[offset::stride]
    return chosen[:limit] if limit else chosen


def training_theorems(cfg: LearnConfig, test) -> tuple[list[Theorem], list[Theorem], int]:
    """(theorems to search, the fixed evaluation sample, how many were dropped as test)."""
    if cfg.split != "valid":
        raise LearnError(
            f"prover learn trains on the valid split only (asked for {cfg.split!r}); "
            "the test split is for the numbers we publish and is never searched for training data"
        )
    valid = load_benchmark(BENCHMARK, "valid", cfg.data_dir)
    clean = [t for t in valid if not test.theorem_is_test(t.name, t.statement)]
    dropped = len(valid) - len(clean)
    train = _sample(clean, cfg.names, cfg.stride, 0, cfg.limit)
    evaluation = _sample(clean, cfg.eval_names, cfg.stride, 2, cfg.eval_limit)
    return train, evaluation, dropped


def _eval_config(cfg: LearnConfig, model: str) -> EvalConfig:
    return EvalConfig(
        system="coq", method="search", budget=cfg.budget, portfolio=cfg.portfolio, model=model
    )


def _proved(path: Path) -> dict[str, str]:
    return {
        r.name: r.proof
        for r in read_results(path)
        if r.status.startswith("proved") and r.proof is not None
    }


def _done_rounds(out: Path) -> list[dict]:
    f = out / "rounds.jsonl"
    if not f.exists():
        return []
    return [json.loads(line) for line in f.read_text().splitlines() if line.strip()]


def learn(cfg: LearnConfig, progress: bool = True) -> list[dict]:
    """Run the rounds not yet recorded in `out/rounds.jsonl`; returns every round's line."""
    from training.config import SFTSource, TrainConfig
    from training.hygiene import TestSet
    from training.replay import ReplayedProof, write_tactics
    from training.train import train

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    test = TestSet.load(cfg.data_dir)
    theorems, evaluation, dropped = training_theorems(cfg, test)
    byname = {t.name: t for t in theorems}
    settings = {
        k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(cfg).items()
    }
    settings["budget"] = cfg.budget.as_config()  # under its config keys (`wall_seconds`)
    (out / "learn.json").write_text(json.dumps(settings, indent=2, default=str) + "\n")
    say = print if progress else (lambda *a, **k: None)
    rounds = _done_rounds(out)
    model = rounds[-1]["model"] if rounds else cfg.model

    base_eval = out / "eval-base.jsonl"
    if evaluation and not rounds:
        say(f"learn: evaluating the starting model {model} on {len(evaluation)} theorem(s)")
        run_eval(evaluation, _eval_config(cfg, model), base_eval, cfg.workers, progress=False)
    base_proved = len(_proved(base_eval)) if base_eval.exists() else None

    for r in range(len(rounds), cfg.rounds):
        rdir = out / f"round-{r}"
        rdir.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        say(f"learn: round {r}: searching {len(theorems)} valid theorem(s) with {model}")
        run_eval(
            theorems, _eval_config(cfg, model), rdir / "search.jsonl", cfg.workers, progress=False
        )
        found = _proved(rdir / "search.jsonl")
        t_search = time.perf_counter() - t0

        # Every proof found so far, in every round: the SFT data grows round by round.
        proofs_file = out / "proofs.jsonl"
        known = {}
        if proofs_file.exists():
            known = {
                (row := json.loads(line))["name"]: row
                for line in proofs_file.read_text().splitlines()
                if line.strip()
            }
        new = [n for n in found if n not in known]
        for name in new:
            t = byname[name]
            known[name] = {
                "name": name,
                "status": "proved",
                "statement": t.statement,
                "header": t.header,
                "proof": found[name],
                "split": t.split,
                "round": r,
                "model": model,
            }
        proofs_file.write_text("".join(json.dumps(v) + "\n" for v in known.values()))
        _write_proofs_provenance(out, cfg, known, dropped, test)

        t1 = time.perf_counter()
        tactics = rdir / "tactics.jsonl"
        n_tactics = write_tactics(
            (
                ReplayedProof(
                    Theorem(v["name"], "coq", v["statement"], v["header"]),
                    v["proof"],
                    library="prover-learn",
                    version=str(v["round"]),
                    file=BENCHMARK,
                )
                for v in known.values()
            ),
            tactics,
        )
        record: dict = {
            "round": r,
            "searched": len(theorems),
            "proved": len(found),
            "new_proofs": len(new),
            "total_proofs": len(known),
            "tactic_pairs": n_tactics,
            "model_before": model,
        }
        trained = None
        if known:
            sources = [
                SFTSource("learn-proofs", "proofs", str(proofs_file)),
                SFTSource("learn-tactics", "tactics", str(tactics)),
            ]
            if cfg.corpus:
                sources.append(SFTSource("corpus", "tactics", cfg.corpus))
            overrides = {"model": model, "out_dir": str(rdir / "train"), "sft": sources}
            if cfg.steps:
                overrides["max_steps"] = cfg.steps
            tcfg = TrainConfig.load(cfg.train_config)
            tcfg = dataclasses.replace(tcfg, **overrides)
            tcfg.save_every = min(tcfg.save_every, tcfg.max_steps)
            say(
                f"learn: round {r}: fine-tuning on {len(known)} proof(s), {n_tactics} tactic pair(s)"
            )
            trained = train(tcfg)
            model = _loadable(Path(trained["checkpoint"]), rdir / "model")
        t_train = time.perf_counter() - t1

        t2 = time.perf_counter()
        eval_file = rdir / "eval.jsonl"
        if evaluation:
            run_eval(evaluation, _eval_config(cfg, model), eval_file, cfg.workers, progress=False)
        losses = [h["loss"] for h in (trained or {}).get("history", [])]
        record |= {
            "trained": trained is not None,
            "loss_first": losses[0] if losses else None,
            "loss": losses[-1] if losses else None,
            "tokens": (trained or {}).get("tokens", 0),
            "model": model,
            "eval_theorems": len(evaluation),
            "eval_proved": len(_proved(eval_file)) if evaluation else None,
            "eval_base_proved": base_proved,
            "seconds": {
                "search": round(t_search, 1),
                "train": round(t_train, 1),
                "eval": round(time.perf_counter() - t2, 1),
            },
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        with (out / "rounds.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        say(f"learn: round {r}: {json.dumps(record)}")
        rounds.append(record)
    return rounds


def _loadable(checkpoint: Path, merged: Path) -> str:
    """A checkpoint the next round starts from: a LoRA adapter is merged into a plain model."""
    from prover.models.checkpoint import is_adapter, merge_adapter

    if not is_adapter(checkpoint):
        return str(checkpoint)
    if not (merged / "config.json").exists():
        shutil.rmtree(merged, ignore_errors=True)
        merge_adapter(checkpoint, merged)
    return str(merged)


def _write_proofs_provenance(out: Path, cfg: LearnConfig, known: dict, dropped: int, test) -> None:
    excluded = [n for n, v in known.items() if test.theorem_is_test(n, v["statement"])]
    if excluded:  # cannot happen: the theorems were filtered; refuse rather than train on them
        raise LearnError(f"miniF2F test statements among the proofs: {', '.join(excluded)}")
    provenance = {
        "what": "proofs the search found and the verdict accepted, by `prover learn`",
        "benchmark": f"{BENCHMARK} valid split (prover.datasets)",
        "run": {"out": str(out), "model": cfg.model, "train_config": cfg.train_config},
        "budget": cfg.budget.as_config(),
        "counts": {
            "proofs": len(known),
            "by_round": {
                str(r): sum(v["round"] == r for v in known.values())
                for r in sorted({v["round"] for v in known.values()})
            },
        },
        "minif2f_test_exclusion": {
            **test.summary(),
            "valid_theorems_dropped_as_test": dropped,
            "test_statements_in_proofs": 0,
        },
    }
    (out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
