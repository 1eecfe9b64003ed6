"""Map a neighbour's tactic onto the current goal's own names (Tactician's kNN needs it).

A library tactic `apply Rle_trans with (Rabs r1); auto.` or `rewrite H0 in H1.` names the
hypotheses and variables of *its* goal. Each such name is matched to a name of the current
goal's context whose type reads most alike (same type text first, then the most shared
words, then the nearest position), one to one; a tactic with a local name that has no
counterpart is dropped. Names the tactic introduces (`intros x Hx`) are not in the
neighbour's context and stay as they are.
"""

from __future__ import annotations

import re

_HYP = re.compile(r"^([A-Za-z_][\w']*(?:\s*,\s*[A-Za-z_][\w']*)*)\s*:(?!=)\s*(.*)$")
_IDENT = re.compile(r"(?<![\w'.])([A-Za-z_][\w']*)(?![\w'])(?!\.[A-Za-z_])")
_WORD = re.compile(r"[A-Za-z_][\w'.]*|\d+|[^\s\w]+")


def context(state: str) -> list[tuple[str, str]]:
    """(name, type) of each hypothesis and variable of the first goal, in order."""
    out: list[tuple[str, str]] = []
    for line in state.splitlines():
        if line.startswith("====="):
            break
        m = _HYP.match(line.strip())
        if m:
            out += [(n.strip(), m.group(2).strip()) for n in m.group(1).split(",")]
    return out


def map_names(tactic: str, source_state: str, target_state: str) -> str | None:
    """`tactic` (written for `source_state`) with its local names renamed to
    `target_state`'s; None when one has no counterpart there."""
    source = context(source_state)
    if not source:
        return tactic
    source_names = {n for n, _ in source}
    used = [m.group(1) for m in _IDENT.finditer(tactic) if m.group(1) in source_names]
    if not used:
        return tactic
    target = context(target_state)
    position = {n: i for i, (n, _) in enumerate(source)}
    types = dict(source)
    taken: set[str] = set()
    renaming: dict[str, str] = {}
    for name in dict.fromkeys(used):
        choice = _best(
            name, types[name], position[name] / max(len(source), 1), target, taken, source_names
        )
        if choice is None:
            return None
        renaming[name] = choice
        taken.add(choice)
    return _IDENT.sub(lambda m: renaming.get(m.group(1), m.group(1)), tactic)


def _best(
    name: str,
    typ: str,
    where: float,
    target: list[tuple[str, str]],
    taken: set[str],
    source_names: set[str],
) -> str | None:
    words = set(_WORD.findall(_anonymise(typ, source_names)))
    target_names = {n for n, _ in target}
    best, best_key = None, None
    for i, (cand, ctyp) in enumerate(target):
        if cand in taken:
            continue
        cwords = set(_WORD.findall(_anonymise(ctyp, target_names)))
        same = _anonymise(typ, source_names) == _anonymise(ctyp, target_names)
        overlap = len(words & cwords) / max(len(words | cwords), 1)
        if not same and overlap == 0:
            continue
        key = (same, overlap, -abs(i / max(len(target), 1) - where), cand == name)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    return best


def _anonymise(typ: str, names: set[str]) -> str:
    """A type with the context's own names replaced by one placeholder (`x <= y` ~ `a <= b`)."""
    return " ".join(_IDENT.sub(lambda m: "_" if m.group(1) in names else m.group(1), typ).split())
