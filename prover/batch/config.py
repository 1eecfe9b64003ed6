"""What a batch run is: the settings that decide what it can prove, and their digest.

`EvalConfig` tags every results line (`as_dict`, `id`): a results file is resumed only by a
run of the same configuration, so its dict must stay stable for every valid run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from prover.assistants.registry import AssistantConfig, backend
from prover.candidates import CandidateSources, KnnPredictor
from prover.methods import Budget, canonical, method
from prover.results import config_id

RETRIEVAL_METHODS = ("search",)  # methods whose prompts take retrieved examples and lemmas


@dataclass(frozen=True)
class ModelOptions:
    """The options of the model's runtime beyond the model and the runtime themselves.

    Each is read by some runtimes only. One given to a runtime that does not read it is
    refused (ValueError) rather than dropped, so a run never silently ignores what it was
    told (``--base-url`` with a local model would otherwise run the local model)."""

    base_url: str | None = None  # the OpenAI-compatible server

    READ_BY: ClassVar[dict[str, tuple[str, ...]]] = {"base_url": ("openai",)}

    def given(self) -> dict[str, Any]:
        """The options set, by name: what the generator is loaded with and the digest holds."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }

    def refusal(self, runtime: str) -> str | None:
        """Why these options do not go with `runtime` (None: they do)."""
        for name in self.given():
            readers = self.READ_BY[name]
            if runtime not in readers:
                return f"{name} is read by runtime {' or '.join(readers)} only, not {runtime}"
        return None


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides what a run can prove (its digest tags every results line).

    Only the budget fields the method reads enter the digest, so an option a method does
    not use can never make two equal runs look different."""

    system: str
    method: str = "search"
    budget: Budget = field(default_factory=Budget)
    portfolio: bool = True  # methods with the `portfolio` option: try the automation on every state
    templates: bool = True  # methods with the `templates` option: prover.candidates templates
    model: str = "embedded"
    runtime: str = "auto"  # CTranslate2 for causal models, transformers for seq2seq
    model_options: ModelOptions = field(default_factory=ModelOptions)
    assistant: AssistantConfig | None = None  # CoqConfig / LeanConfig / IsabelleConfig
    # Coq search: similar library states and lemmas from the proof corpus in every prompt.
    # Off by default: with the embedded 0.5B model it made each call about 2.5x slower and
    # Coq accepted no more of its tactics (benchmarks/corpus/README.md); on for a model
    # trained to read it.
    retrieval: bool = False
    # Search: the corpus's nearest-neighbour tactics (Retriever.tactics) among the candidates.
    # Off by default until an ablation shows it pays (Coq accepted 33% of its top-8 on 28
    # valid root goals, and every goal they closed was closed by `reflexivity.`).
    knn: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", canonical(self.method))
        problem = self.model_options.refusal(self.runtime)
        if problem:
            raise ValueError(problem)

    @property
    def uses_model(self) -> bool:
        return method(self.method).uses_model

    @property
    def retrieval_applies(self) -> bool:
        """Whether the `retrieval` switch means anything here (the Coq search's prompts)."""
        return self.system == "coq" and method(self.method).name in RETRIEVAL_METHODS

    @property
    def uses_retrieval(self) -> bool:
        return self.retrieval and self.retrieval_applies

    @property
    def uses_knn(self) -> bool:
        """kNN candidates: Coq, a method with candidate sources, and the switch on."""
        return self.knn and self.system == "coq" and "templates" in method(self.method).options

    @property
    def needs_corpus(self) -> bool:
        return self.uses_retrieval or self.uses_knn

    @property
    def portfolio_tactics(self) -> tuple[str, ...]:
        m = method(self.method)
        if m.name == "portfolio" or ("portfolio" in m.options and self.portfolio):
            return backend(self.system).portfolio(self.assistant)
        return ()

    def as_dict(self) -> dict[str, Any]:
        m = method(self.method)
        assistant = self.assistant or backend(self.system).config_type()
        d: dict[str, Any] = {
            "system": self.system,
            "method": m.name,
            "budget": self.budget.only(m.reads),
            "assistant": assistant.as_dict(),
        }
        if "portfolio" in m.options:
            d["portfolio"] = self.portfolio
        if self.retrieval_applies:
            d["retrieval"] = self.retrieval
        if "templates" in m.options:
            d["candidates"] = {"templates": self.templates, "knn": self.knn}
        if m.uses_model:
            d |= {
                "model": self.model,
                "runtime": self.runtime,
                "model_options": self.model_options.given(),
            }
        return d

    def candidate_sources(self, knn: KnnPredictor | None = None) -> CandidateSources | None:
        """The candidate sources of methods with the `templates` option (None for others).
        `knn`: a kNN predictor (`Retriever.tactics`) where one is loaded."""
        if "templates" not in method(self.method).options:
            return None
        return CandidateSources(templates=self.templates, knn=knn)

    @property
    def id(self) -> str:
        return config_id(self.as_dict())
