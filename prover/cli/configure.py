"""From a command's options to what it runs: the proof assistant, the theorem, the run's
`EvalConfig`. An option the run would not read is refused by name, never dropped."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

from prover.batch.config import EvalConfig, ModelOptions
from prover.cli.options import RunOptions, fail
from prover.datasets import DEFAULT_BENCHMARK, DatasetError, system_of
from prover.methods import method
from prover.methods.budget import BudgetError
from prover.methods.defaults import default_budget
from prover.theorem import SYSTEMS, Theorem


@dataclass(frozen=True)
class BudgetOptions:
    """The budget options a prove/eval command was given, by `Budget` field name; None: left
    out (the method's default applies: prover.methods.defaults)."""

    samples: int | None = None
    attempts: int | None = None
    expansions: int | None = None
    repair_rounds: int | None = None
    wall_seconds: float | None = None
    tactic_timeout: float | None = None
    temperatures: tuple[float, ...] | None = None
    max_tokens: int | None = None

    FLAGS: ClassVar[dict[str, str]] = {
        "expansions": "--max-expansions",
        "temperatures": "--temperature",
    }

    @classmethod
    def flag(cls, name: str) -> str:
        """The command-line flag of the field `name`."""
        return cls.FLAGS.get(name, "--" + name.replace("_", "-"))

    @classmethod
    def of(cls, run: RunOptions) -> BudgetOptions:
        """The budget options among a command's run options."""
        return cls(
            samples=run.samples,
            attempts=run.attempts,
            expansions=run.max_expansions,
            repair_rounds=run.repair_rounds,
            wall_seconds=run.wall_seconds,
            tactic_timeout=run.tactic_timeout,
            temperatures=None if run.temperature is None else tuple(run.temperature),
            max_tokens=run.max_tokens,
        )

    def given(self) -> dict[str, Any]:
        """The options given, by field name, in the order of the fields."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in values.items() if v is not None}


def resolve_system(system: str | None, benchmark: str | None) -> tuple[str, str]:
    """The proof assistant and the benchmark: each from the other, or the defaults."""
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


def require_corpus(config: EvalConfig) -> None:
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


def require_toolchain(system: str) -> None:
    from prover.assistants.registry import backend

    problem = backend(system).check_installation()
    if problem:
        raise fail(problem)


def _switch(name: str, value: bool | None, used: bool, where: str) -> None:
    """Refuse `--name` / `--no-name` where the run does not read it."""
    if value is not None and not used:
        flag = f"--{name}" if value else f"--no-{name}"
        raise fail(f"{flag} is not used by {where}")


def build_config(system: str, method_name: str | None, run: RunOptions) -> EvalConfig:
    """The run's configuration; an option the method does not read is refused by name."""
    name = method_name or ("sketch" if system == "isabelle" else "search")
    try:
        m = method(name)
    except ValueError as e:
        raise fail(str(e)) from None
    problem = m.refusal(system)
    if problem:
        raise fail(problem)
    assistant = _assistant_config(system, m, run.automation)
    _switch("portfolio", run.portfolio, "portfolio" in m.options, f"method {m.name}")
    retrieval_applies = EvalConfig(system, m.name).retrieval_applies
    _switch("retrieval", run.retrieval, retrieval_applies, f"method {m.name} on {system}")
    _switch("templates", run.templates, "templates" in m.options, f"method {m.name}")
    knn_applies = "templates" in m.options and system == "coq"
    _switch("knn", run.knn, knn_applies, f"method {m.name} on {system}")
    values = BudgetOptions.of(run).given()
    for key in values:
        if key not in m.reads:
            raise fail(f"{BudgetOptions.flag(key)} is not used by method {m.name}")
    model_given = {"--model": run.model, "--runtime": run.runtime, "--base-url": run.base_url}
    for flag, value in model_given.items():
        if value is not None and not m.uses_model:
            raise fail(f"{flag} is not used by method {m.name} (it uses no model)")
    chosen_runtime = run.runtime if run.runtime is not None else EvalConfig.runtime
    if run.base_url and chosen_runtime != "openai":
        raise fail(f"--base-url is used by --runtime openai only, not by runtime {chosen_runtime}")
    try:
        budget = default_budget(m.name, system, m.reads, **values)
    except BudgetError as e:
        raise fail(f"{BudgetOptions.flag(e.key)} {str(e).split(' ', 1)[1]}") from None
    chosen = {k: v for k, v in (("model", run.model), ("runtime", run.runtime)) if v is not None}
    return EvalConfig(
        system=system,
        method=m.name,
        budget=budget,
        portfolio=True if run.portfolio is None else run.portfolio,
        templates=EvalConfig.templates if run.templates is None else run.templates,
        knn=EvalConfig.knn if run.knn is None else run.knn,
        model_options=ModelOptions(base_url=run.base_url or None),
        assistant=assistant,
        retrieval=EvalConfig.retrieval if run.retrieval is None else run.retrieval,
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


def theorem_from_file(path: Path, system: str, theorem_name: str | None = None) -> Theorem:
    if not path.is_file():
        raise fail(f"file {path} not found")
    from prover.assistants.registry import backend

    try:
        return backend(system).theorem_from_file(path, theorem_name)
    except ValueError as e:
        raise fail(f"{path}: {e}") from None
