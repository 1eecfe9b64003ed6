"""`prover check FILE`: the verdict on a theorem split out of a file, shared by the backends.

Each backend splits its own files (header, statement, proof) and says when two texts are the
same source; this compares them with a benchmark record where one is given and then gives
the proof exactly the verdict a found proof gets (the backend env's `verify`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from prover.assistants.base import ToolchainMissing, Verdict
from prover.theorem import Theorem


def reference_problems(
    found: Theorem, reference: Theorem | None, same_source: Callable[[str, str], bool]
) -> list[str]:
    """Where a file's header and statement differ from the benchmark's record (none without
    a record): the comparison the verdict and the static stage both make."""
    if reference is None:
        return []
    out = []
    if not same_source(found.header, reference.header):
        out.append(f"the file's header is not {reference.name}'s")
    if not same_source(found.statement, reference.statement):
        out.append(f"the file's statement of {found.name} is not the benchmark's")
    return out


def verdict_on_file(
    found: Theorem,
    proof: str,
    reference: Theorem | None,
    same_source: Callable[[str, str], bool],
    backend: ModuleType,
    **env_options: Any,
) -> Verdict:
    """With `reference`, the file's header and statement must be the record's (a redefined
    name, an added hypothesis, another theorem: rejected with the reason). Raises
    ToolchainMissing (with the install steps) where the assistant is not installed."""
    problems = reference_problems(found, reference, same_source)
    if problems:
        return Verdict(ok=False, reason=problems[0])
    problem = backend.check_installation()
    if problem:
        raise ToolchainMissing(problem)
    with backend.create_env(**env_options) as env:
        return env.verify(found, proof)
