"""The copilot's wire protocol: what /suggest, /prove and /health take and answer.

Typed so that the server refuses a malformed request before any work (FastAPI answers 422
naming the field) and publishes the schema at /openapi.json. The JSON on the wire is the
one the clients already speak (the Emacs package, Lean's `suggest` tactic, `prover
suggest`): the same field names, and an optional field that does not apply is left out of
an answer rather than sent as null. Unknown request fields are ignored, so a newer client
still talks to an older server.

`seconds` (how long /prove may search) was called `budget` on the wire; `budget` is still
accepted, since "budget" elsewhere means the whole proving budget (samples, expansions,
wall clock), not a number of seconds.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_serializer, model_validator

from prover.candidates import SOURCES

MAX_TIMEOUT = 3600.0

Source = Literal["model", "knn", "template", "automation"]
assert set(Source.__args__) == set(SOURCES), "Source must list prover.candidates.SOURCES"

SuggestionStatus = Literal["proof complete", "open", "failed", "unchecked"]


class Request(BaseModel):
    """Fields every copilot request has. Strict: `"8"` is not a number of suggestions."""

    model_config = ConfigDict(strict=True, extra="ignore")

    timeout: float = Field(
        60.0,
        gt=0,
        le=MAX_TIMEOUT,
        description="Seconds for the whole answer; past it the request is cancelled (504).",
    )


class SuggestRequest(Request):
    """Next-tactic suggestions at the cursor. Coq sends the file up to the cursor (`text`),
    and the server checks each suggestion in coqtop; Lean sends the pretty-printed goal
    (`goal`) and checks the suggestions itself."""

    system: Literal["coq", "lean"] = "coq"
    text: str | None = Field(
        None, description="The file's text up to the cursor (needed for Coq; context for Lean)."
    )
    goal: str | None = Field(None, description="Lean: the pretty-printed tactic state.")
    k: int = Field(8, ge=1, le=32, description="Candidate tactics asked of the model.")
    sources: list[Source] = Field(
        default_factory=lambda: list(SOURCES),
        min_length=1,
        description="The candidate sources to rank (default: all).",
    )
    include_failed: bool = Field(False, description="Also list the candidates Coq rejected.")
    max_tokens: int | None = Field(
        None, ge=1, le=512, description="Max new tokens per completion (default: the server's)."
    )

    @model_validator(mode="after")
    def _what_the_system_needs(self) -> SuggestRequest:
        if self.system == "coq" and self.text is None:
            raise ValueError("Coq suggestions need 'text': the file's text up to the cursor")
        if self.system == "lean" and not (self.goal or "").strip():
            raise ValueError("Lean suggestions need 'goal': the pretty-printed tactic state")
        return self


class ProveRequest(Request):
    """A proof from the cursor: the search (or the portfolio) from the goal at the cursor;
    the proof found is re-checked with the rest of the file's proof after the cursor."""

    system: Literal["coq"] = Field(
        "coq", description="The server proves Coq goals; Lean's prove? checks on the Lean side."
    )
    text: str = Field(description="The file's text up to the cursor (the hole).")
    rest: str = Field("", description="The proof after the cursor, up to its Qed/Admitted.")
    method: Literal["search", "portfolio"] = "search"
    seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=AliasChoices("seconds", "budget"),
        description="Seconds the method may search (`budget` is the old name).",
    )
    samples: int = Field(8, ge=1, le=32, description="Model samples per expansion.")
    max_expansions: int = Field(16, ge=0, le=10_000)
    max_tokens: int | None = Field(None, ge=1, le=512)
    portfolio: bool = Field(True, description="Let the search try the automation portfolio.")


class Answer(BaseModel):
    """An answer: optional fields that are None are left out of the JSON (the clients test
    for a key's presence, and the answers never carried nulls for them)."""

    omitted_when_none: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _leave_out_none(self, handler: Any):  # unannotated: the schema stays the model's
        data = handler(self)
        for name in self.omitted_when_none:
            if data.get(name, 0) is None:
                del data[name]
        return data


class ErrorInfo(BaseModel):
    """Why there is no answer; `line`/`col` (1-based) say where the file stops checking."""

    message: str
    line: int | None = None
    col: int | None = None


class Suggestion(Answer):
    """One candidate tactic and what it leaves when run on the goal at the cursor."""

    omitted_when_none: ClassVar[tuple[str, ...]] = ("source", "goals", "error")

    tactic: str
    logprob: float = Field(description="Length-normalised log-probability, or a source's prior.")
    source: Source | None = None
    status: SuggestionStatus
    goals: list[str] | None = Field(None, description="The goals left (none when complete).")
    error: str | None = Field(None, description="Why the assistant rejected it.")


class SuggestAnswer(Answer):
    """The checked suggestions, best first; `ok: false` with `error` where the file does not
    check at the cursor."""

    omitted_when_none: ClassVar[tuple[str, ...]] = (
        "checked",
        "goals",
        "suggestions",
        "refused",
        "note",
        "error",
    )

    ok: bool
    checked: bool | None = Field(None, description="false: Lean checks them on its side.")
    goals: list[str] | None = None
    suggestions: list[Suggestion] | None = None
    refused: int | None = Field(None, description="Lean: candidates the proof filter refused.")
    note: str | None = None
    error: ErrorInfo | None = None


class ProveAnswer(Answer):
    """The method's status; with `proof` (the text to insert at the cursor) when proved."""

    omitted_when_none: ClassVar[tuple[str, ...]] = (
        "status",
        "reason",
        "expansions",
        "seconds",
        "proof",
        "whole_checked",
        "note",
        "error",
    )

    ok: bool
    status: str | None = None
    reason: str | None = None
    expansions: int | None = None
    seconds: float | None = Field(None, description="Wall-clock seconds the method took.")
    proof: str | None = None
    whole_checked: bool | None = Field(
        None, description="false: goal closed in coqtop; the rest still has admit."
    )
    note: str | None = None
    error: ErrorInfo | None = None


class ErrorAnswer(Answer):
    """A refused or failed request (HTTP 4xx/5xx); a malformed one (422) names the bad fields
    in `error.message`, and lists them in `detail` as FastAPI does."""

    omitted_when_none: ClassVar[tuple[str, ...]] = ("detail",)

    ok: Literal[False] = False
    error: ErrorInfo
    detail: list[dict[str, Any]] | None = None


class HealthAnswer(BaseModel):
    status: Literal["ok"] = "ok"
    model: str
    sessions: int = Field(description="Warm Coq sessions.")
    requests: dict[str, int] = Field(description="Requests answered, timed out, abandoned.")
    model_calls: int | None = Field(None, description="Model calls made (requests batch).")


def problems(errors: list[Any]) -> str:
    """Pydantic's errors as one line naming each bad field (`k: Input should be ...`): what
    the server's 422 says in `error.message` and `prover suggest` prints."""
    out = []
    for e in errors:
        field = ".".join(str(part) for part in e.get("loc", ()) if part != "body")
        out.append(f"{field}: {e.get('msg')}" if field else str(e.get("msg")))
    return "; ".join(out)


__all__ = [
    "MAX_TIMEOUT",
    "Answer",
    "ErrorAnswer",
    "ErrorInfo",
    "HealthAnswer",
    "ProveAnswer",
    "ProveRequest",
    "Request",
    "Source",
    "SuggestAnswer",
    "SuggestRequest",
    "Suggestion",
    "problems",
]
