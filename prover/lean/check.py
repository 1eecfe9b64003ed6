"""What may enter a Lean proof, and the audit of a from-scratch check.

A tactic is refused before it reaches Lean when it could cheat (`sorry`, `admit`, new
axioms) or step outside the proof (running IO, commands, changing options, `#exit`). A
finished proof is re-elaborated as one command in a fresh environment; it fails if Lean
reports an error, if any message says the declaration uses sorry (both quote styles of
Lean versions), or if `#print axioms` lists anything beyond propext, Classical.choice and
Quot.sound. `native_decide` trusts the compiler (Lean.ofReduceBool): it gets a verdict of
its own and is refused unless allowed.
"""

from __future__ import annotations

import re

from prover.lean.repl import CommandResponse, ErrorResponse, Response
from prover.proofenv import Status, Verdict

STANDARD_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
NATIVE_AXIOMS = frozenset({"Lean.ofReduceBool", "Lean.trustCompiler"})

_FORBIDDEN = [
    (re.compile(r"(?<![\w.'])sorry(?![\w'])"), "sorry"),
    (re.compile(r"(?<![\w.'])admit(?![\w'])"), "admit"),
    (re.compile(r"#\w+"), "commands (#eval, #exit, #print, ...)"),
    (
        re.compile(r"(?<![\w.'])(run_cmd|run_tac|run_elab|run_meta)(?![\w'])"),
        "running metaprograms",
    ),
    (re.compile(r"\bIO\.|\bIO\b"), "IO"),
    (
        re.compile(r"(?<![\w.'])(axiom|unsafe|implemented_by|extern|opaque)(?![\w'])"),
        "axioms and unsafe code",
    ),
    (re.compile(r"(?<![\w.'])set_option(?![\w'])"), "set_option"),
    (
        re.compile(
            r"(?<![\w.'])(elab|macro|syntax|macro_rules|elab_rules|initialize|builtin_initialize)(?![\w'])"
        ),
        "new syntax or elaborators",
    ),
    (re.compile(r"ofReduceBool|trustCompiler"), "trusting the compiler"),
    (re.compile(r"@\["), "attributes"),
]
_NATIVE = re.compile(r"(?<![\w.'])native_decide(?![\w'])")
_SORRY_WARNING = re.compile(r"declaration uses ['`]sorry['`]")
_THEOREM_NAME = re.compile(r"^\s*(?:theorem|lemma|example)\s+([^\s:({\[]+)", re.M)


def refusal(tactic: str, allow_native_decide: bool = False) -> str | None:
    """Why `tactic` may not run, or None."""
    code = re.sub(r"--[^\n]*", "", tactic)  # line comments
    code = re.sub(r"/-.*?-/", "", code, flags=re.S)  # block comments
    for pattern, what in _FORBIDDEN:
        if pattern.search(code):
            return f"{what} not allowed in a proof"
    if not allow_native_decide and _NATIVE.search(code):
        return "native_decide is off (it trusts the compiler); enable it with allow_native_decide"
    if not code.strip():
        return "empty tactic"
    return None


def theorem_name(statement: str) -> str | None:
    m = _THEOREM_NAME.search(statement)
    return m.group(1) if m else None


def parse_axioms(text: str) -> list[str] | None:
    """Axioms from the info message of `#print axioms NAME` (None if it is not one)."""
    if "does not depend on any axioms" in text:
        return []
    m = re.search(r"depends on axioms:\s*\[(.*?)\]", text, re.S)
    if not m:
        return None
    return [a.strip() for a in m.group(1).split(",") if a.strip()]


def audit(
    check: Response,
    axioms: Response | None,
    allow_native_decide: bool = False,
    seconds: float = 0.0,
) -> Verdict:
    """The verdict on a fresh check of the whole proof and on `#print axioms` run after it."""

    def no(reason: str, found: tuple[str, ...] = ()) -> Verdict:
        return Verdict(ok=False, reason=reason, axioms=found, seconds=seconds)

    if isinstance(check, ErrorResponse):
        return no(f"the REPL refused the check: {check.message}")
    if not isinstance(check, CommandResponse):
        return no("unexpected answer to the check")
    for m in check.messages:
        if _SORRY_WARNING.search(m.data):
            return no("the declaration uses sorry")
    if check.errors:
        return no(f"Lean rejected the proof: {check.errors[0].data.strip()[:500]}")
    if check.sorries:
        return no("the proof leaves a sorry")
    if axioms is None or not isinstance(axioms, CommandResponse):
        return no("could not list the axioms the proof depends on")
    found: list[str] | None = None
    for m in axioms.messages:
        found = parse_axioms(m.data)
        if found is not None:
            break
    if found is None:
        return no("could not read the #print axioms output")
    extra = [a for a in found if a not in STANDARD_AXIOMS | NATIVE_AXIOMS]
    if "sorryAx" in found:
        return no("the proof depends on sorryAx", tuple(found))
    if extra:
        return no(
            f"the proof depends on axioms beyond propext, Classical.choice, Quot.sound: {', '.join(extra)}",
            tuple(found),
        )
    if any(a in NATIVE_AXIOMS for a in found):
        if not allow_native_decide:
            return no(
                "the proof uses native_decide (Lean.ofReduceBool), which is off", tuple(found)
            )
        return Verdict(ok=True, axioms=tuple(found), seconds=seconds, status=Status.NATIVE_DECIDE)
    return Verdict(ok=True, axioms=tuple(found), seconds=seconds)
