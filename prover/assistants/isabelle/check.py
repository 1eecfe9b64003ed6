"""`prover check FILE.thy`: the verdict on the main theorem of a complete Isabelle theory.

The file is split as the benchmark loader splits upstream theories (header up to `theorem
NAME`, the statement up to its first proof command, the proof up to the final `end`), and
the proof gets exactly the verdict a found proof gets (IsabelleEnv.verify: the lexer's
refusals, the statement kept, a from-scratch check in the MiniF2F session). With a benchmark
record, the file's header and statement must be the record's (whitespace and comments
aside), so a file that redefines a constant the statement uses, assumes more, or proves a
weaker statement is rejected with the reason. Without one, the header is untrusted: it
passes the same filter (no ML, oracle declarations, code_printing, smt_oracle,
quick_and_dirty, axioms or unfinished lemmas), and the oracle audit covers what it proves.

`static_check` is every part of that verdict that needs no Isabelle (`prover check
--static`); `refusal` is the same for a theorem and a proof text.
"""

from __future__ import annotations

from pathlib import Path

from prover.assistants.base import Verdict
from prover.assistants.filecheck import reference_problems, verdict_on_file
from prover.assistants.isabelle import textfilter, theory
from prover.assistants.isabelle.lexer import LexError, same_tokens, tokens
from prover.assistants.isabelle.theory import all_cheats, cheats
from prover.theorem import Theorem

# `cheats(text, part="proof")` / `all_cheats` are the text filter on a proof (or, with
# part="header", a header or statement) alone; `refusal` and `static_check` add the rest of
# what needs no Isabelle.
__all__ = [
    "NOT_A_VERDICT",
    "UnlexableFile",
    "all_cheats",
    "check_file",
    "cheats",
    "refusal",
    "split_file",
    "static_check",
    "theorem_names",
]


class UnlexableFile(ValueError):
    """The file does not lex as Isabelle source (an unterminated comment, string or
    cartouche, a malformed symbol): bad input to `check`, a refusal to `static_check`, since
    a text the filter cannot read is one it cannot pass."""


def theorem_names(text: str) -> list[str]:
    """The names of the `theorem`/`lemma` commands of a theory, in order."""
    toks = tokens(text)
    return [
        toks[k + 1].text
        for k, t in enumerate(toks[:-1])
        if t.text in ("theorem", "lemma") and toks[k + 1].kind == "word"
    ]


# What may end a statement in a file: a proof command (theory.PROOF_COMMANDS) or a word that
# leaves the proof unfinished, which the filter then refuses with its reason.
_PROOF_START = theory.PROOF_COMMANDS | {"sorry", "oops", "\\<proof>", "sledgehammer", ".."}


def split_file(text: str, name: str | None = None) -> tuple[Theorem, str]:
    """(header + statement as a Theorem, proof) of theorem `name` (or the file's last
    theorem when unnamed), split on the lexer's tokens: the statement ends at the first proof
    command outside comments, strings and cartouches. Raises ValueError for a text that is
    not such a theory."""
    try:
        toks = tokens(text)
    except LexError as e:
        raise UnlexableFile(f"the file does not lex as an Isabelle theory: {e}") from e
    names = theorem_names(text)
    if not names:
        raise ValueError("the file holds no `theorem` or `lemma`")
    name = name or names[-1]
    k = next(
        (
            k
            for k, t in enumerate(toks[:-1])
            if t.text in ("theorem", "lemma") and toks[k + 1].text == name
        ),
        None,
    )
    if k is None:
        raise ValueError(f"no theorem {name} in the theory; the file has: {', '.join(names)}")
    j = next((j for j in range(k + 2, len(toks)) if toks[j].text in _PROOF_START), None)
    if j is None:
        raise ValueError(f"theorem {name} has no proof command after its statement")
    if toks[-1].text != "end" or toks[-1].start <= toks[j].start:
        raise ValueError("the theory does not close with `end`")
    header = text[: toks[k].start].rstrip() + "\n"
    statement = text[toks[k].start : toks[j - 1].end]
    # Comments between the statement and the proof go with the proof: every character of
    # the file is in the header, the statement or the proof, so the filter reads it all.
    proof = text[toks[j - 1].end : toks[-1].start].strip()
    return Theorem(name=name, system="isabelle", statement=statement, header=header), proof


def check_file(path: Path, reference: Theorem | None, theorem_name: str | None) -> Verdict:
    """The verdict on a theory file (see the module docstring). Raises ValueError for bad
    input and ToolchainMissing where Isabelle is not installed."""
    import prover.assistants.isabelle

    text = Path(path).read_text(encoding="utf-8")
    theorem, proof = split_file(text, theorem_name or (reference.name if reference else None))
    return verdict_on_file(theorem, proof, reference, same_tokens, prover.assistants.isabelle)


def refusal(theorem: Theorem, proof: str) -> str | None:
    """Why the verdict refuses `proof` of `theorem` before asking Isabelle (the filter on the
    proof, statement and header, the statement kept, a proof command first, a theorem name
    to audit), or None when only Isabelle can decide."""
    return theory.precheck(theorem, proof).reason


NOT_A_VERDICT = "passed the static stage; this is not a verdict (Isabelle has not checked it)"


def static_check(
    path: Path, reference: Theorem | None = None, theorem_name: str | None = None
) -> Verdict:
    """`prover check FILE.thy --static`: the file split as `check_file` splits it, its header
    and statement compared with `reference`'s, and `refusal`; no Isabelle. ok=False with the
    reason when refused; ok=True with NOT_A_VERDICT (and, when the proof uses `eval` or
    `normalization`, that a verdict would be proved_code_oracle) otherwise; a file that does
    not lex is refused. Raises ValueError for a file that is not such a theory (no theorem,
    no proof command, no final `end`)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        theorem, proof = split_file(text, theorem_name or (reference.name if reference else None))
    except UnlexableFile as e:
        return Verdict(ok=False, reason=str(e))
    problems = reference_problems(theorem, reference, same_tokens)
    if problems:
        return Verdict(ok=False, reason=problems[0])
    why = refusal(theorem, proof)
    if why is not None:
        return Verdict(ok=False, reason=why)
    code = textfilter.code_oracle_methods(proof) + textfilter.code_oracle_methods(theorem.header)
    note = (
        f"; it uses {', '.join(dict.fromkeys(code))}: a proof that checks would be "
        "proved_code_oracle (it rests on the code generator's oracle)"
        if code
        else ""
    )
    return Verdict(ok=True, reason=NOT_A_VERDICT + note, details={"code_oracle_methods": code})
