"""Words of Coq goals and lemmas for lexical retrieval.

A goal's meaning is in its constants, notations and types (`Rabs`, `<=`, `R`, `Z.modulo`)
and in its shape, not in the names its proof picked for hypotheses and variables: those all
read as one placeholder `_`, so `x, y : R |- x + y <= Rabs x` and `a, b : R |- a + b <= Rabs a`
give the same words. For states (`goal_words`), the first goal's conclusion counts apart from
its context (its words are marked `|`) and also by adjacent pairs (`|_~+`, `|+~_`, `|<=~Rabs`),
which tell `x + y <= z` from `x <= y + z`; later goals count by their conclusion's words.
On held-out corpus states this made the nearest state's tactic right 3x as often as plain
words (see benchmarks/corpus/retrieval_eval.py).

Lemmas (`statement_words`) and the goal's words for lemma search (`plain_words`) are plain
words without marks or pairs; a lemma also counts by its name's `_`-separated parts, so
`Rabs_triang` meets a goal about `Rabs`.
"""

from __future__ import annotations

import re

from prover.corpus.statements import local_names

_WORD = re.compile(
    r"[A-Za-z_][\w']*(?:\.[A-Za-z_][\w']*)*|\d+|<->|->|<=|>=|<>|/\\|\\/|[-+*/^=<>~%()]"
)
_HYP_NAME = re.compile(r"^(?:H\w*|IH\w*|_\w*)$")
_BAR = "====="


def goal_words(text: str) -> list[str]:
    """The retrieval words of a goal state (the search's `ProofState.text`) for finding
    similar states."""
    local = set(local_names(text))
    out: list[str] = []
    for i, goal in enumerate(text.split("\n\n")):
        context, conclusion = _split(goal)
        if i == 0:
            for line in context.splitlines():
                out += _marked(_hypothesis_type(line), local, "", pairs=False)
            out += _marked(conclusion, local, "|", pairs=True)
        else:
            out += _marked(conclusion, local, "", pairs=False)
    return out


def plain_words(text: str) -> list[str]:
    """A goal's words for lemma search: no marks, no pairs, no local names."""
    local = set(local_names(text))
    out: list[str] = []
    for goal in text.split("\n\n"):
        context, conclusion = _split(goal)
        for line in [*context.splitlines(), conclusion]:
            out += _marked(_hypothesis_type(line), local, "", pairs=False)
    return out


def statement_words(name: str, statement: str) -> list[str]:
    """The retrieval words of a lemma: its statement's and its name's parts."""
    bound = set(re.findall(r"\b([a-z][\w']{0,2})\b", statement))  # short binder names
    parts = [p for p in re.split(r"[_.]", name) if len(p) > 1]
    return _marked(statement, bound, "", pairs=False) + parts + [name]


def _split(goal: str) -> tuple[str, str]:
    if _BAR not in goal:
        return "", goal
    context, _, rest = goal.partition(_BAR)
    return context, rest.split("\n", 1)[1] if "\n" in rest else ""


def _hypothesis_type(line: str) -> str:
    head, colon, typ = line.partition(":")
    if colon and head.strip() and not typ.startswith("="):
        return typ
    return line


def _marked(text: str, local: set[str], mark: str, pairs: bool) -> list[str]:
    words = ["_" if w in local or _HYP_NAME.match(w) else w for w in _WORD.findall(text)]
    out = []
    for w in words:
        if w not in ("_", "(", ")"):
            out.append(mark + w)
            if "." in w:
                out += [mark + p for p in w.split(".")]
    if pairs:
        out += [f"{mark}{a}~{b}" for a, b in zip(words, words[1:], strict=False)]
    return out
