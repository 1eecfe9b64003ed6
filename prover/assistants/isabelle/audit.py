"""The oracle audit: which oracles a checked theorem rests on, read from Isabelle itself.

After the theory checks, a second theory in the same `use_theories` call imports it and runs
one ML-free diagnostic command, `thm_oracles THEORY.NAME` (Isabelle2020 and later; Pure's
thm_deps.ML, `Thm_Deps.pretty_thm_oracles`). Isabelle collects the oracles of the whole
derivation, transitively (lemmas of the header included), and prints them as one writeln
message, `Pretty.big_list "oracles:"`: the line ``oracles:`` then one item per oracle, indented
two spaces, each the oracle's name as its name space externs it (the shortest unique name,
`skip_proof`, or the long `Pure.skip_proof` with `names_long`) followed, where the proof
recording level keeps it, by ``: `` and the proposition the oracle produced, which may run
over further, deeper-indented lines. No oracle: the line ``oracles:`` alone.

The server reports each theory's messages in its own node, so the audit reads only the
audit theory's node: nothing the proof prints, in its own theory, can reach it.

The verdict from the list (oracle names as Isabelle declares them):
- none: proved;
- only the code generator's (`Code_Generator.holds_by_evaluation` from `eval`,
  `Code_Generator.normalization_by_evaluation` from `normalization`): proved_code_oracle,
  the analogue of Lean's native_decide (it trusts the code generator and the ML compiler);
- any other (`Pure.skip_proof` from `sorry` or quick_and_dirty, an `oracle` declaration,
  SMT's oracle under `smt_oracle`, ...): rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover.assistants.isabelle.lexer import LexError, tokens

AUDIT_PREFIX = "Oracle_Audit_"
HEADER = "oracles:"
# Accepted spellings: the base name only when it is unique (a second oracle of the same base
# name, from an `oracle` declaration, makes Isabelle print both qualified).
CODE_ORACLES = frozenset(
    {
        "holds_by_evaluation",
        "Code_Generator.holds_by_evaluation",
        "normalization_by_evaluation",
        "Code_Generator.normalization_by_evaluation",
    }
)
_BULLETS = ("\\<^item>", "\u2022", "-", "*")


class AuditError(ValueError):
    """The theorem cannot be audited (no name to audit by, or no audit output)."""


def fact_name(statement: str) -> str:
    """The fact name a `theorem NAME: ...` statement declares. Raises AuditError when the
    statement names none (an unnamed theorem cannot be looked up afterwards)."""
    try:
        toks = tokens(statement)
    except LexError as e:
        raise AuditError(f"the statement does not lex: {e}") from e
    if (
        len(toks) >= 2
        and toks[0].text in ("theorem", "lemma", "corollary", "proposition")
        and toks[1].kind == "word"
        and "." not in toks[1].text
    ):
        return toks[1].text
    raise AuditError(
        "the statement names no theorem (`theorem NAME: ...`), so it cannot be audited"
    )


def audit_theory(theory: str, fact: str) -> tuple[str, str]:
    """(name, text) of the theory that prints the oracles of `theory`'s fact `fact`."""
    name = AUDIT_PREFIX + theory
    text = f'theory {name} imports "{theory}"\nbegin\n\nthm_oracles {theory}.{fact}\n\nend\n'
    return name, text


def parse_oracles(message: str) -> list[str]:
    """The oracle names in a `thm_oracles` message (see the module docstring). Raises
    AuditError for text that is not such a message."""
    lines = message.splitlines()
    if not lines or lines[0].strip() != HEADER:
        raise AuditError(f"not a thm_oracles answer: {message[:200]!r}")
    body = [line for line in lines[1:] if line.strip()]
    if not body:
        return []
    indent = min(len(line) - len(line.lstrip()) for line in body)
    names = []
    for line in body:
        if len(line) - len(line.lstrip()) != indent:
            continue  # a proposition running over several lines
        item = line.strip()
        for bullet in _BULLETS:
            if item.startswith(bullet):
                item = item[len(bullet) :].strip()
        m = re.match(r"[^\s:]+", item)
        if m is None:
            raise AuditError(f"an oracle item without a name: {line!r}")
        names.append(m.group(0))
    return names


@dataclass(frozen=True)
class AuditResult:
    oracles: tuple[str, ...]
    code_oracle: bool  # every oracle is the code generator's (and there is at least one)
    refused: tuple[str, ...]  # oracles that reject the proof

    @property
    def ok(self) -> bool:
        return not self.refused


def judge(oracles: list[str]) -> AuditResult:
    refused = tuple(o for o in oracles if o not in CODE_ORACLES)
    return AuditResult(tuple(oracles), bool(oracles) and not refused, refused)
