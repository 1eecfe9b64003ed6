"""One descriptor per proof assistant, in one place: what the CLI, runners and methods need.

Each `Backend` says its file suffix, default benchmark, how to read a theorem from a file,
its automation portfolio, its set-up, its typed configuration, and which seams it offers:
`ProofEnv` (step-wise: Coq, Lean) and the whole-text `Checker` (all three). Backend
packages are imported lazily, so `prover` works with only the Coq toolchain installed.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from prover.assistants.base import TACTIC_TIMEOUT
from prover.assistants.checker import IsabelleChecker, StepwiseChecker
from prover.assistants.text import (
    coq_extract,
    coq_is_hole,
    coq_sketch_steps,
    coq_steps,
    isabelle_extract,
    lean_extract,
    lean_is_hole,
    lean_sketch_steps,
    lean_steps,
)
from prover.theorem import SYSTEMS, Theorem


@dataclass(frozen=True)
class CoqConfig:
    memory_mb: int | None = (
        None  # coqtop's cap (default: 1 GiB, 3 GiB with the portfolio's imports)
    )
    portfolio_imports: bool = True  # import what the automation portfolio needs before the header
    max_crashes: int = 10
    portfolio: tuple[str, ...] | None = None  # the automation tactics (None: `automation`'s)
    # which automation: "default" (cheap closers first, then the hammers) or "classic" (the
    # first 18 tactics, all before the model); sets the tactics and the imports they need
    automation: str = "default"

    def __post_init__(self) -> None:
        from prover.assistants.coq.portfolio import PORTFOLIOS

        if self.automation not in PORTFOLIOS:
            raise ValueError(
                f"unknown automation {self.automation!r}; choose one of {', '.join(PORTFOLIOS)}"
            )

    def as_dict(self) -> dict[str, Any]:
        """The configuration as a results line's `config` holds it."""
        return asdict(self)

    def env_options(self, tactic_timeout: float) -> dict[str, Any]:
        """What prover.assistants.coq.create_env is called with (`portfolio` is the search's)."""
        return dict(
            tactic_timeout=tactic_timeout,
            memory_mb=self.memory_mb,
            portfolio=self.portfolio_imports,
            max_crashes=self.max_crashes,
            automation=self.automation,
        )


@dataclass(frozen=True)
class LeanConfig:
    backend: str = "repl"  # or "dojo"
    project_dir: str | None = None
    memory_cap_gb: float | None = 8.0
    allow_native_decide: bool = False
    repl_command: tuple[str, ...] | None = None
    portfolio: tuple[str, ...] | None = None  # the automation tactics (None: the default list)

    def as_dict(self) -> dict[str, Any]:
        """The configuration as a results line's `config` holds it."""
        return asdict(self)

    def env_options(self, tactic_timeout: float) -> dict[str, Any]:
        """What prover.assistants.lean.create_env is called with: every field, under its own
        name, but `portfolio` (the search's)."""
        options = {k: v for k, v in asdict(self).items() if k != "portfolio"}
        options["repl_command"] = list(self.repl_command) if self.repl_command else None
        return {"tactic_timeout": tactic_timeout, **options}


@dataclass(frozen=True)
class IsabelleServerConfig:
    """Which Isabelle server to use. None given: the one named in $PROVER_ISABELLE_SERVER,
    else a private one started for the env (prover.assistants.isabelle.create_env)."""

    name: str | None = None  # a named server (`isabelle server -n NAME`)
    address: str | None = None  # with port and password: a running server
    port: int | None = None
    password: str | None = None
    server_command: tuple[str, ...] | None = None  # the command that starts or finds one

    def given(self) -> dict[str, Any]:
        """The fields set, by name: what the env is created with and the config dict holds."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.server_command is not None:
            values["server_command"] = list(self.server_command)
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class IsabelleConfig:
    check_timeout: float = 120.0  # the final from-scratch check
    server: IsabelleServerConfig = field(default_factory=IsabelleServerConfig)

    def as_dict(self) -> dict[str, Any]:
        """The configuration as a results line's `config` holds it: the server's fields that
        are set (an untouched server is `{}`)."""
        return {"check_timeout": self.check_timeout, "server": self.server.given()}

    def env_options(self, tactic_timeout: float) -> dict[str, Any]:
        """What prover.assistants.isabelle.create_env is called with: the server fields given
        (none given lets the env find or start its server). Isabelle checks whole theories,
        so there is no per-tactic limit to pass."""
        return {"check_timeout": self.check_timeout, **self.server.given()}


AssistantConfig = CoqConfig | LeanConfig | IsabelleConfig


@dataclass(frozen=True)
class Backend:
    system: str
    package: str  # prover.<system>: create_env, check_installation, setup
    suffix: str
    default_benchmark: str
    config_type: type
    stepwise: bool  # offers the ProofEnv seam
    steps: Callable[[str], list[str]] | None
    sketch_steps: Callable[[str], list[str]] | None
    is_hole: Callable[[str], bool] | None
    extract: Callable[[str], str]
    # Automation too slow to run on every search state (it runs at the root only).
    slow_tactics: frozenset[str] = frozenset()
    # `prover check --static`: (file, benchmark record or None, theorem name or None) ->
    # prover.assistants.staticcheck.StaticReport; the assistant-free part of the verdict.
    static_check: Callable[[Path, Theorem | None, str | None], Any] | None = None

    def module(self):
        return importlib.import_module(self.package)

    def portfolio(self, config: AssistantConfig | None = None) -> tuple[str, ...]:
        """The automation tactics: the config's own list, else the backend's default."""
        chosen = getattr(config, "portfolio", None)
        if chosen is not None:
            return tuple(chosen)
        default = getattr(self.module(), "default_portfolio", lambda: ())
        automation = getattr(config, "automation", None)
        return default(automation) if automation else default()

    def quick_portfolio(self, tactics: tuple[str, ...]) -> tuple[str, ...]:
        """What the search runs on every state below the root: `tactics` without the slow
        ones, each once (`intros; t` does what `t` does on a state with nothing to introduce,
        and a state below the root is past its introductions far more often than not)."""
        quick: list[str] = []
        for tactic in tactics:
            core = _INTROS.sub("", tactic)
            if core not in quick and not set(re.findall(r"\w+", core)) & self.slow_tactics:
                quick.append(core)
        return tuple(quick)

    def check_installation(self) -> str | None:
        return self.module().check_installation()

    def setup(self) -> int:
        return self.module().setup()

    def create_env(
        self, config: AssistantConfig | None = None, tactic_timeout: float = TACTIC_TIMEOUT
    ):
        """The assistant's env (a ProofEnv where `stepwise`; Isabelle's whole-theory env)."""
        config = config or self.config_type()
        if not isinstance(config, AssistantConfig):
            raise TypeError(f"{type(config).__name__} is not a {self.system} configuration")
        return self.module().create_env(**config.env_options(tactic_timeout))

    def checker(self, env: Any):
        """The whole-text `Checker` over an env this backend created."""
        if self.stepwise:
            assert self.steps is not None
            return StepwiseChecker(env, self.steps)
        return IsabelleChecker(env)

    def theorem_from_file(self, path: Path, name: str | None = None) -> Theorem:
        """The theorem `name` (or the file's only one) in a proof file; ValueError says why not."""
        text = path.read_text(encoding="utf-8")
        if self.system == "coq":
            from prover.assistants.coq.check import parse_proof_file

            pf = parse_proof_file(text, name)  # ProofFileError is a ValueError
            return Theorem(pf.name, "coq", pf.statement, pf.header)
        if self.system == "lean":
            if name is not None:
                raise ValueError("--theorem is not supported for lean files yet")
            from prover.datasets.minif2f_lean4 import parse_lean_file

            return parse_lean_file(text, path.stem)
        raise ValueError(
            f"reading {self.system} theorems from files is not supported; name a benchmark theorem instead"
        )

    @property
    def checks_files(self) -> bool:
        """Whether the backend can give `prover check`'s verdict on a whole proof file."""
        return hasattr(self.module(), "check_file")

    def check_file(self, path: Path, reference: Theorem | None, name: str | None):
        """`prover check`: the verdict on a whole proof file (see prover.assistants.filecheck)."""
        return self.module().check_file(path, reference, name)


def _static(name: str) -> Callable[[Path, Theorem | None, str | None], Any]:
    def run(path: Path, reference: Theorem | None, theorem_name: str | None):
        from prover.assistants import staticcheck

        return getattr(staticcheck, name)(path, reference, theorem_name)

    return run


BACKENDS: dict[str, Backend] = {
    "coq": Backend(
        "coq", "prover.assistants.coq", ".v", "minif2f-rocq", CoqConfig, True,
        coq_steps, coq_sketch_steps, coq_is_hole, coq_extract,
        frozenset({"hammer", "sauto", "sfirstorder", "hauto"}), _static("coq_static"),
    ),
    "lean": Backend(
        "lean", "prover.assistants.lean", ".lean", "minif2f-lean4", LeanConfig, True,
        lean_steps, lean_sketch_steps, lean_is_hole, lean_extract,
        frozenset({"aesop", "hammer", "duper"}), _static("lean_static"),
    ),
    "isabelle": Backend(
        "isabelle", "prover.assistants.isabelle", ".thy", "minif2f-isabelle", IsabelleConfig, False,
        None, None, None, isabelle_extract, frozenset(), _static("isabelle_static"),
    ),
}  # fmt: skip


_INTROS = re.compile(r"^\s*intros?\s*;\s*")


def backend(system: str) -> Backend:
    if system not in BACKENDS:
        raise ValueError(f"unknown proof assistant {system!r}; choose one of {', '.join(SYSTEMS)}")
    return BACKENDS[system]


def system_of_file(path: Path) -> str | None:
    return next((b.system for b in BACKENDS.values() if b.suffix == path.suffix), None)
