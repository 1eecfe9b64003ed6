"""Tactic templates over a state's own hypotheses and variables: what a Coq user reaches for
at once, and a small model rarely proposes.

Each family reads the first goal (prover.candidates.goal) and, where its shape is there,
instantiates one tactic with the goal's own names: destruct a conjunction, disjunction,
equivalence or existential hypothesis; `subst` a variable an equation defines; rewrite with
an equation or a function's defining hypothesis (`H : forall x, f x = ...`), in the goal and
in the other hypotheses; `unfold` a definition of the theorem's header (`simpl` for a
`Fixpoint`); `split` a conjunction; `intros`; `induction` on a nat variable (also as one
sentence with `simpl; nia`); `exists` with small numbers and the goal's own constants; the
squares of differences of variable pairs as facts for `nra` (Coq's `nra` takes no hint
list, so they are `pose proof (pow2_ge_0 (x - y))` sentences before it); `split_Rabs` and
the `Rabs` introduction lemmas; the library's bounds on `cos`, `sin` and `sqrt` as facts
before `nra`, and `sqrt_pow2`; for an existential, the witness that solves its equation.

Every candidate carries a fixed prior (`PRIORS`, a log-probability-like score per step,
comparable with the model's length-normalised log-probabilities) and source "template".
Coq checks each one before it counts: a template that does not fit is one failed tactic
call of a few milliseconds.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from prover.candidates.candidate import Candidate
from prover.candidates.goal import (
    IDENT,
    Goal,
    closing_paren,
    head_symbol,
    mentions,
    parse_goal,
    shape,
    split_top,
    strip_parens,
)

# The prior of each family: the score its candidates are ranked by. The model's candidates
# score their length-normalised log-probability (about -0.05 for a confident beam to -2).
# Set on the valid split (benchmarks/candidates/template_families.py --split valid
# --stride 2: 122 theorems, states up to 2 template steps deep) as log(accepted / proposed)
# - 0.3, at most -0.1; families proposed fewer than 10 times there keep a hand-set value (*).
PRIORS: dict[str, float] = {
    "intros": -0.1,  # 84 of 84 accepted
    "destruct_and": -0.3,  # * 3 of 3
    "destruct_exists": -0.3,  # * 2 of 2
    "split": -0.3,  # 11 of 11
    "subst": -0.3,  # 20 of 20
    "unfold": -0.3,  # 20 of 20
    "rewrite": -0.3,  # 23 of 23
    "induction": -0.32,  # 58 of 59
    "destruct_or": -0.4,  # * not proposed there
    "simpl": -0.5,  # * 0 of 3
    "rewrite_def": -0.59,  # 12 of 16
    "rabs_lemma": -0.6,  # * not proposed there
    "sqrt_pow2": -0.6,  # * not measured on valid yet
    "bounds": -1.0,  # * not measured on valid yet
    "simpl_lia": -0.6,  # * 0 of 3
    "exists": -0.76,  # 22 of 35
    "rewrite_in": -0.87,  # 22 of 39
    "induction_nia": -1.38,  # 20 of 59 (12 closed the goal)
    "split_rabs": -1.94,  # 7 of 36
    "nra_squares": -2.22,  # 5 of 34 (all 5 closed the goal)
}
MAX_TEMPLATES = 24  # per state: the first this many by prior
MAX_SQUARE_VARS = 4  # nra facts: pairs of at most this many variables (6 pairs)
MAX_WITNESSES = 6
MAX_BOUND_FACTS = 8  # library bounds before one nra: more slow it down past its use
_NUMBER = re.compile(r"(?<![\w'.])\d+(?![\w'.])")
_HEADER_DEF = re.compile(
    rf"^\s*(Definition|Fixpoint|Function|Let|CoFixpoint)\s+({IDENT})", re.MULTILINE
)
_COMPARISON = re.compile(r"<=|>=|<|>")

Family = Callable[[Goal, "Context"], list[tuple[str, str]]]


class Context:
    """What a family may read besides the goal: the header's definitions."""

    def __init__(self, header: str = ""):
        self.definitions: dict[str, str] = {
            m.group(2): m.group(1) for m in _HEADER_DEF.finditer(header)
        }


def header_definitions(header: str) -> dict[str, str]:
    """Name -> kind (Definition, Fixpoint, ...) of what the header defines."""
    return Context(header).definitions


def template_source(header: str = "") -> Callable[[str], list[Candidate]]:
    """The template candidate source for one theorem (its header's definitions known)."""
    context = Context(header)

    def source(state_text: str) -> list[Candidate]:
        return templates(state_text, context)

    return source


def templates(state_text: str, context: Context | None = None) -> list[Candidate]:
    """Every template that fits the state's first goal, best prior first (at most MAX_TEMPLATES)."""
    return [Candidate(t, PRIORS[f], "template") for f, t in instantiate(state_text, context)]


def instantiate(state_text: str, context: Context | None = None) -> list[tuple[str, str]]:
    """(family, tactic) of every template that fits, best prior first (at most MAX_TEMPLATES)."""
    goal = parse_goal(state_text)
    if goal is None:
        return []
    context = context or Context()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for family in FAMILIES:
        for name, tactic in family(goal, context):
            if tactic not in seen:
                seen.add(tactic)
                out.append((name, tactic))
    out.sort(key=lambda ft: -PRIORS[ft[0]])  # stable: each family's own order is kept
    return out[:MAX_TEMPLATES]


# --- families --------------------------------------------------------------------------
def _intros(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    s = shape(goal.conclusion)
    if s.kind in ("forall", "forall_eq", "imp") or goal.conclusion.startswith("~"):
        return [("intros", "intros.")]
    return []


def _split(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    return [("split", "split.")] if shape(goal.conclusion).kind in ("and", "iff") else []


def _destruct(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    out = []
    taken: set[str] = set()

    def fresh(base: str) -> str:
        name = goal.fresh(base, taken)
        taken.add(name)
        return name

    for h in _props(goal):
        s = shape(h.type)
        if s.kind in ("and", "iff"):
            a, b = fresh(h.name + "a"), fresh(h.name + "b")
            out.append(("destruct_and", f"destruct {h.name} as [{a} {b}]."))
        elif s.kind == "or":
            out.append(("destruct_or", f"destruct {h.name} as [{h.name} | {h.name}]."))
        elif s.kind == "exists" and s.binders:
            names = [fresh(b) for b in s.binders]
            pattern = f"[{names[-1]} {fresh('H' + names[-1])}]"
            for name in reversed(names[:-1]):  # exists x y, P: [x [y Hy]]
                pattern = f"[{name} {pattern}]"
            out.append(("destruct_exists", f"destruct {h.name} as {pattern}."))
    return out


def _equations(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    """subst / rewrite with `H : lhs = rhs`, in the goal and in the other hypotheses."""
    out = []
    variables = set(goal.variables()) | {h.name for h in goal.hyps if _is_variable(h.type)}
    props = _props(goal)
    for h in props:
        s = shape(h.type)
        if s.kind != "eq":
            continue
        lhs, rhs = (strip_parens(p) for p in s.parts)
        for side, other in ((lhs, rhs), (rhs, lhs)):
            if side in variables and not mentions(other, side):
                out.append(("subst", f"subst {side}."))
                break
        if _NUMBER.fullmatch(lhs):
            continue  # rewriting a numeral would rewrite every occurrence of it
        if mentions(goal.conclusion, lhs):
            out.append(("rewrite", f"rewrite {h.name}."))
        elif not _NUMBER.fullmatch(rhs) and rhs not in variables and mentions(goal.conclusion, rhs):
            out.append(("rewrite", f"rewrite <- {h.name}."))
        for other_h in props:
            if other_h.name != h.name and mentions(other_h.type, lhs):
                out.append(("rewrite_in", f"rewrite {h.name} in {other_h.name}."))
    return out


def _function_definitions(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    """`H : forall x, f x = e`: rewrite every `f _` with it (once when `e` mentions `f`)."""
    out = []
    props = _props(goal)
    for h in props:
        s = shape(h.type)
        if s.kind != "forall_eq":
            continue
        f = head_symbol(s.parts[0])
        if f is None:
            continue
        recursive = mentions(s.parts[1], f)
        bang = "" if recursive else "!"
        if mentions(goal.conclusion, f):
            out.append(("rewrite_def", f"rewrite {bang}{h.name}."))
        users = [o.name for o in props if o.name != h.name and mentions(o.type, f)]
        for user in users:
            out.append(("rewrite_in", f"rewrite {bang}{h.name} in {user}."))
    return out


def _unfold(goal: Goal, ctx: Context) -> list[tuple[str, str]]:
    out = []
    for name, kind in ctx.definitions.items():
        in_goal = mentions(goal.conclusion, name)
        users = [h.name for h in _props(goal) if mentions(h.type, name)]
        if not in_goal and not users:
            continue
        if kind in ("Fixpoint", "Function", "CoFixpoint"):
            if in_goal:  # a recursive definition unfolds by computation, one step at a time
                out.append(("simpl", "simpl."))
                out.append(("simpl_lia", "simpl; lia."))
            continue
        if in_goal:
            out.append(("unfold", f"unfold {name}."))
        if users:
            out.append(("unfold", f"unfold {name} in *."))
    return out


def _induction(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    out = []
    for n in goal.variables("nat"):
        if mentions(goal.conclusion, n):
            out.append(("induction", f"induction {n}."))
            out.append(("induction_nia", f"induction {n}; simpl; nia."))
    return out


def _exists(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    s = shape(goal.conclusion)
    if s.kind != "exists":
        return []
    witnesses: list[str] = []
    text = goal.text()
    # a numeral in the type's scope (the goal may be read in another: R_scope for a nat)
    scope = {"nat": "%nat", "Z": "%Z", "R": "%R", "Q": "%Q", "N": "%N"}.get(s.binder_type, "")
    same_sort = goal.variables(s.binder_type) if s.binder_type else goal.variables()
    numbers = [n + scope for n in _NUMBER.findall(text)]
    solved = _solved_witnesses(s.parts[0], s.binders, scope) if scope else []
    for w in [*solved, f"0{scope}", f"1{scope}", *same_sort, f"2{scope}", *numbers]:
        if w not in witnesses:
            witnesses.append(w)
    return [("exists", f"exists {w}.") for w in witnesses[:MAX_WITNESSES]]


_ARITHMETIC = re.compile(r"^[\w\s+\-*/^().%']*$")


def _solved_witnesses(body: str, binders: tuple[str, ...], scope: str) -> list[str]:
    """The values of a single bound name that solve the body's first equation, as a user
    solves `2 * x + 1 = 7` before typing `exists 3`: only for plain arithmetic over numerals
    and variables, only exact values of the binder's sort, known by its numeral `scope`
    (integers for nat/Z, naturals non-negative, rationals for R). Sympy does the algebra;
    anything it cannot read gives []."""
    if len(binders) != 1:
        return []
    for part in split_top(body, "/\\"):
        sides = split_top(strip_parens(part), "=")
        if len(sides) == 2 and all(_ARITHMETIC.match(x) for x in sides):
            break
    else:
        return []
    try:
        import sympy

        def read(text: str):
            text = re.sub(r"%\w+", "", text).replace("^", "**")
            names = {n: sympy.Symbol(n) for n in re.findall(r"[A-Za-z_][\w']*", text)}
            return sympy.parse_expr(text, local_dict=names, evaluate=True)

        x = sympy.Symbol(binders[0])
        roots = sympy.solve(sympy.Eq(read(sides[0]), read(sides[1])), x)
    except Exception:  # noqa: BLE001 - sympy raises many kinds on text it cannot read
        return []
    out = []
    for r in roots if isinstance(roots, list) else []:
        if not (getattr(r, "is_Rational", False) and r.is_real):
            continue
        if scope in ("%nat", "%N") and not (r.is_integer and r >= 0):
            continue
        if scope == "%Z" and not r.is_integer:
            continue
        value = str(r.p) if r.q == 1 else f"{r.p}/{r.q}"
        out.append(f"({value}){scope}" if r < 0 or r.q != 1 else f"{value}{scope}")
    return out


def _squares(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    """The squares of differences of variable pairs, as facts before `nra` (reals) or
    `nia` (integers), when the goal or a hypothesis compares."""
    if not any(_COMPARISON.search(t) for t in [goal.conclusion, *(h.type for h in _props(goal))]):
        return []
    out = []
    for sort, lemma, closer in (("R", "pow2_ge_0", "nra"), ("Z", "Z.square_nonneg", "nia")):
        xs = [x for x in goal.variables(sort) if mentions(goal.conclusion, x)]
        xs = (xs or goal.variables(sort))[:MAX_SQUARE_VARS]
        if len(xs) < 2:
            continue
        facts = [f"pose proof ({lemma} ({a} - {b}))" for a, b in itertools.combinations(xs, 2)]
        out.append(("nra_squares", "; ".join([*facts, closer]) + "."))
        facts += [f"pose proof ({lemma} {x})" for x in xs]
        out.append(("nra_squares", "; ".join([*facts, closer]) + "."))
    return out


def _rabs(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    text = goal.text()
    if not mentions(text, "Rabs"):
        return []
    out = [("split_rabs", "split_Rabs."), ("split_rabs", "split_Rabs; lra.")]
    concl = strip_parens(goal.conclusion)
    if re.match(r"Rabs\b", concl):
        parts = split_top(concl, "<=")
        if len(parts) == 2:
            out.append(("rabs_lemma", "apply Rabs_le."))
        elif len(split_top(concl, "<")) == 2:
            out.append(("rabs_lemma", "apply Rabs_def1."))
    return out


def _arguments(text: str, fn: str) -> list[str]:
    """The arguments `fn` is applied to in `text`: an identifier, a numeral or a
    parenthesised term (`cos x`, `sqrt (x ^ 2)`), each once, in order."""
    out: list[str] = []
    for m in re.finditer(rf"(?<![\w'.]){fn}\s+", text):
        rest = text[m.end() :]
        if rest.startswith("("):
            end = closing_paren(rest)
            if end < 0:
                continue
            arg = rest[: end + 1]
        else:
            word = re.match(r"[\w'.]+", rest)
            if not word:
                continue
            arg = word.group(0)
        if arg not in out:
            out.append(arg)
    return out


def _bounds(goal: Goal, _ctx: Context) -> list[tuple[str, str]]:
    """The library's bounds on the functions the state applies, as facts before `nra`
    (`COS_bound`: -1 <= cos t <= 1, `SIN_bound`, `sqrt_pos`: 0 <= sqrt t), and `sqrt_pow2`
    to take a square out of a square root: what a user looks up before arithmetic."""
    text = goal.text()
    facts = [
        f"pose proof ({lemma} {arg})"
        for fn, lemma in (("cos", "COS_bound"), ("sin", "SIN_bound"), ("sqrt", "sqrt_pos"))
        for arg in _arguments(text, fn)
    ][:MAX_BOUND_FACTS]
    out = [("bounds", "; ".join([*facts, "nra"]) + ".")] if facts else []
    for arg in _arguments(goal.conclusion, "sqrt"):
        square = re.fullmatch(r"\((.+)\s*\^\s*2\)", arg)
        if square:
            out.append(("sqrt_pow2", f"rewrite (sqrt_pow2 {square.group(1).strip()})."))
    return out


FAMILIES: tuple[Family, ...] = (
    _intros,
    _split,
    _destruct,
    _equations,
    _function_definitions,
    _unfold,
    _induction,
    _exists,
    _squares,
    _rabs,
    _bounds,
)


def _props(goal: Goal) -> list:
    """The hypotheses that are facts (not variables, functions or local definitions)."""
    return [h for h in goal.hyps if not h.defined and not _is_variable(h.type)]


def _is_variable(type_text: str) -> bool:
    """A variable's type: a sort, or a function between sorts (`R -> R`)."""
    parts = [p.strip() for p in split_top(type_text, "->")]
    return all(p in _SORTS_AND_TYPES for p in parts)


_SORTS_AND_TYPES = frozenset({"R", "nat", "Z", "N", "Q", "positive", "bool", "Prop", "Set", "Type"})
