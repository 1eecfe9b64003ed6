"""A Coq goal as text, read into its hypotheses and conclusion, and the few shapes of a term
the templates look for (a conjunction, a disjunction, an existential, an equation, a
universally quantified equation).

Coq prints a goal as hypothesis lines (`x, y : R`, `h0 : x + y = 10`, long types wrapped
onto indented lines), a rule of `=` signs, and the conclusion. Only the first goal of a
state is read: it is the one the next tactic acts on. This is a reader of printed text, not
a Coq parser: a shape it does not recognise yields no template, never a wrong one (Coq
checks every candidate before it counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover.assistants.text import top_level

IDENT = r"[A-Za-z_][\w']*"
_HYP = re.compile(rf"^({IDENT}(?:\s*,\s*{IDENT})*)\s*(:=|:)\s?(.*)$")
_RULE = re.compile(r"^=+$")
_BINDER = re.compile(r"\b(forall|exists|fun)\b")
# the sorts of variables the templates reason about; a hypothesis has a Prop type instead
SORTS = frozenset({"R", "nat", "Z", "N", "Q", "positive", "bool"})


@dataclass(frozen=True)
class Hyp:
    name: str
    type: str
    defined: bool = False  # `x := value : T` (a local definition; not a variable to subst)


@dataclass(frozen=True)
class Goal:
    hyps: tuple[Hyp, ...]
    conclusion: str

    def names(self) -> set[str]:
        return {h.name for h in self.hyps}

    def variables(self, sort: str | None = None) -> list[str]:
        """Variables (not local definitions) whose type is `sort` (any of SORTS when None)."""
        return [
            h.name
            for h in self.hyps
            if not h.defined and (h.type == sort if sort else h.type in SORTS)
        ]

    def text(self) -> str:
        """Every hypothesis's type and the conclusion, as one text to search for terms."""
        return " ".join([*(h.type for h in self.hyps), self.conclusion])

    def fresh(self, base: str, taken: set[str] | None = None) -> str:
        """`base`, or `base0`, `base1`, ... : a name the goal does not use yet."""
        used = self.names() | (taken or set())
        if base not in used:
            return base
        return next(f"{base}{i}" for i in range(100) if f"{base}{i}" not in used)


def parse_goal(state_text: str) -> Goal | None:
    """The first goal of a printed state, or None when the text is not a Coq goal."""
    lines = state_text.splitlines()
    rule = next((i for i, line in enumerate(lines) if _RULE.match(line.strip())), None)
    if rule is None:
        return None
    hyps: list[Hyp] = []
    current: list[str] | None = None  # [names, kind, type text]
    entries: list[list[str]] = []
    for line in lines[:rule]:
        m = _HYP.match(line)
        if m and not line[:1].isspace():
            current = [m.group(1), m.group(2), m.group(3)]
            entries.append(current)
        elif current is not None and line.strip():
            current[2] += " " + line.strip()
    for names, kind, text in entries:
        defined = kind == ":="
        if defined:  # `x := value : T`: the type is after the last top-level colon
            parts = split_top(text, ":")
            text = parts[-1] if len(parts) > 1 else ""
        for name in re.split(r"\s*,\s*", names):
            hyps.append(Hyp(name, " ".join(text.split()), defined))
    conclusion: list[str] = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        conclusion.append(line.strip())
    return Goal(tuple(hyps), " ".join(conclusion))


def split_top(text: str, op: str) -> list[str]:
    """`text` split at each occurrence of `op` outside brackets and before any binder
    (`forall`/`exists`/`fun` reach to the end of the term, so what follows one is inside it)."""
    parts, start = [], 0
    for i in top_level(text):
        if i < start:  # inside the operator just split at
            continue
        if _BINDER.match(text, i) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_'")
        ):
            break
        if text.startswith(op, i) and _is_op_at(text, i, op):
            parts.append(text[start:i].strip())
            start = i + len(op)
    parts.append(text[start:].strip())
    return parts


def _is_op_at(text: str, i: int, op: str) -> bool:
    """`op` at `i` is that operator, not part of a longer one (`=` inside `<=`, `->` in `<->`)."""
    before = text[i - 1] if i else " "
    after = text[i + len(op)] if i + len(op) < len(text) else " "
    if op == "=":
        return before not in "<>:=!" and after not in ">="
    if op == "->":
        return before != "<"
    if op == ":":
        return after not in "=:>" and before != ":"
    return True


def strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and closing_paren(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def closing_paren(text: str) -> int:
    """The index of the parenthesis that closes the one `text` opens with; -1 if none does."""
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            return i
    return -1


@dataclass(frozen=True)
class Shape:
    """The outermost connective of a proposition and its parts."""

    kind: str  # and, or, iff, exists, forall_eq, eq, imp, forall, other
    parts: tuple[str, ...] = ()
    binders: tuple[str, ...] = ()  # exists / forall: the bound names
    binder_type: str = ""  # exists / forall: the type of the bound names, where printed


def shape(prop: str) -> Shape:
    prop = strip_parens(prop)
    for kw in ("exists", "forall"):
        if re.match(rf"{kw}\b", prop):
            head, _, body = prop[len(kw) :].partition(",")
            names = tuple(re.findall(IDENT, _binder_names(head)))
            typed = re.search(r":\s*([^()]+?)\s*\)?\s*$", head)
            btype = typed.group(1).strip() if typed else ""
            if kw == "exists":
                return Shape("exists", (body.strip(),), names, btype)
            inner = split_top(body, "->")
            eq = split_top(inner[-1], "=")
            if len(inner) == 1 and len(eq) == 2:
                return Shape("forall_eq", (eq[0], eq[1]), names)
            return Shape("forall", (body.strip(),), names)
    for op, kind in (("->", "imp"), ("<->", "iff"), ("\\/", "or"), ("/\\", "and"), ("=", "eq")):
        parts = split_top(prop, op)
        if len(parts) > 1 and all(parts):
            if kind in ("imp", "eq", "iff") and len(parts) > 2:
                parts = [parts[0], f" {op} ".join(parts[1:])]
            if kind in ("and", "or"):  # right-associative: A /\ B /\ C is A /\ (B /\ C)
                parts = [parts[0], f" {op} ".join(parts[1:])]
            return Shape(kind, tuple(parts))
    return Shape("other", (prop,))


def _binder_names(head: str) -> str:
    """The names of `x y : R` or `(x : R) (y : nat)` (the types removed)."""
    groups = re.findall(r"\(([^()]*)\)", head)
    if groups:
        return " ".join(g.split(":")[0] for g in groups)
    return head.split(":")[0]


def mentions(text: str, term: str) -> bool:
    """`term` occurs in `text` (as a whole identifier when it is one)."""
    if re.fullmatch(IDENT, term):
        return re.search(rf"(?<![\w']){re.escape(term)}(?![\w'])", text) is not None
    return " ".join(term.split()) in " ".join(text.split())


def head_symbol(term: str) -> str | None:
    """The function applied in `f x y` (None for anything else)."""
    m = re.match(rf"\s*({IDENT})\s+\S", strip_parens(term))
    return m.group(1) if m else None
