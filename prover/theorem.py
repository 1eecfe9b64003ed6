"""The unit of work: one formal statement in one proof assistant."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEMS: tuple[str, ...] = ("coq", "lean", "isabelle")


@dataclass(frozen=True)
class Theorem:
    """A theorem to prove.

    `header` is everything the statement needs before it (imports, opens, helper
    definitions); `statement` is the declaration up to, not including, its proof
    (Coq: ``Theorem n : P.``; Lean: ``theorem n : P := by``; Isabelle: ``theorem n: ... shows ...``).
    Keeping them apart lets a backend elaborate the header once and reuse it.
    """

    name: str
    system: str
    statement: str
    header: str = ""
    split: str = ""
    informal_statement: str | None = None
    informal_proof: str | None = None
