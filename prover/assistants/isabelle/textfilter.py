"""The Isabelle text filter: what a proof (or an untrusted theory header) may not contain.

Decided on the text alone, before Isabelle is asked (the verdict's first stage, and all of
`prover check --static`). Each word is matched as Isabelle resolves it:

- a long name by its last component: methods, attributes and configuration options live in
  name spaces where `Pure.tactic`, `Pure.raw_tactic` or `SMT.smt_oracle` are the same entries
  as `tactic`, `raw_tactic` and `smt_oracle`;
- a string, alternative string or cartouche whose content is a name, because Isabelle's name
  references (`Parse.xname`: method and attribute names) accept strings: `by ("tactic" ...)`
  and `using [["quick_and_dirty"]]` are the method and the option; string escapes are decoded
  first (`"t\\097ctic"`);
- verbatim text `{* ... *}` is read as source too (Isabelle versions differ in whether it is
  text at all);
- inside every text (strings, cartouches, formal comments), document antiquotations that
  compile ML or run a proof method (`@{ML ...}`, `\\<^ML>...`, `@{lemma ... by ...}`).

The verdict does not rest on this filter alone: after the check, an oracle audit in a
separate theory lists every oracle the theorem rests on (prover.assistants.isabelle.audit).
"""

from __future__ import annotations

import re

from prover.assistants.isabelle.lexer import LexError, Token, scan

# Refused anywhere (proof or header), and why.
_REFUSED: dict[str, str] = {}


def _refuse(why: str, *words: str) -> None:
    for w in words:
        _REFUSED[w] = why


_refuse("an unfinished proof", "sorry", "oops", "\\<proof>", "…", "⋯", "sledgehammer")
_refuse("a new axiom", "axiomatization", "axioms", "defs", "unchecked")
_refuse(
    "a switch that skips proofs or turns a method into an oracle",
    "quick_and_dirty",
    "skip_proofs",
    "smt_oracle",
    "Skip_Proof",
    "cheat_tac",
    "make_thm",
    "make_thm_cterm",
)
_refuse("an oracle declaration", "oracle")
_refuse(
    "ML code (it can forge theorems and run anything on this machine)",
    "tactic",
    "raw_tactic",
    "ML",
    "ML_val",
    "ML_prf",
    "ML_command",
    "ML_file",
    "ML_file_debug",
    "ML_file_no_debug",
    "SML_file",
    "SML_file_debug",
    "SML_file_no_debug",
    "SML_import",
    "SML_export",
    "ML_export",
    "ML_import",
    "setup",
    "local_setup",
    "declaration",
    "syntax_declaration",
    "attribute_setup",
    "method_setup",
    "simproc_setup",
    "parse_translation",
    "parse_ast_translation",
    "print_translation",
    "print_ast_translation",
    "typed_print_translation",
    "congproc",
    "weak_congproc",
    "realizers",
    "realizability",
)
_refuse(
    "a change to the code generator (its oracle trusts the generated code)",
    "code_printing",
    "code_const",
    "code_type",
    "code_class",
    "code_instance",
    "code_module",
    "code_include",
    "code_reflect",
    "export_code",
    "generate_file",
    "export_generated_files",
    "compile_generated_files",
    "scala_build_generated_files",
    "export_classpath",
)
_refuse("a command that closes the theory or opens another", "theory", "end")

# Refused in a proof only: theory-level commands. A proof ends its theorem; one that goes on
# to declare names could shadow the theorem's name before the oracle audit reads it.
THEORY_COMMANDS = frozenset(
    {
        "lemma",
        "theorem",
        "corollary",
        "proposition",
        "schematic_goal",
        "lemmas",
        "declare",
        "definition",
        "abbreviation",
        "fun",
        "function",
        "primrec",
        "primcorec",
        "partial_function",
        "termination",
        "datatype",
        "codatatype",
        "record",
        "typedef",
        "type_synonym",
        "typedecl",
        "consts",
        "locale",
        "context",
        "class",
        "subclass",
        "instance",
        "instantiation",
        "interpretation",
        "global_interpretation",
        "sublocale",
        "bundle",
        "unbundle",
        "notepad",
        "named_theorems",
        "hide_fact",
        "hide_const",
        "hide_type",
        "hide_class",
        "alias",
        "type_alias",
        "inductive",
        "inductive_set",
        "coinductive",
        "coinductive_set",
        "overloading",
        "specification",
        "lift_definition",
        "setup_lifting",
        "quotient_type",
        "quotient_definition",
        "method",
        "notation",
        "no_notation",
        "type_notation",
        "no_type_notation",
        "syntax",
        "no_syntax",
        "translations",
        "no_translations",
        "nonterminal",
        "judgment",
        "experiment",
        "code_datatype",
        "code_identifier",
        "code_reserved",
        "adhoc_overloading",
        "no_adhoc_overloading",
        "default_sort",
        "open_bundle",
        "syntax_consts",
        "syntax_types",
        "extract",
        "extract_type",
    }
)

# Non-ASCII symbols that are outer-syntax keywords yet cannot cheat (locale and syntax
# arrows, `\<equiv>`, `\<subseteq>`); any other non-letter symbol outside text is refused,
# since one may be a Unicode spelling of a command (`\<proof>`).
_SAFE_SYMBOLS = frozenset("≡⊆⇀↽⇌")

# Methods whose theorems rest on the code generator's oracle (Code_Generator.
# holds_by_evaluation / normalization_by_evaluation): allowed, but reported as
# proved_code_oracle once the oracle audit confirms it.
CODE_ORACLE_METHODS = frozenset({"eval", "normalization", "approximation"})

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_']*(\.[A-Za-z][A-Za-z0-9_']*)*")
# Document antiquotations that compile ML or run a proof method.
_ANTIQUOTATION = re.compile(r"@\{\s*([A-Za-z][A-Za-z0-9_'.]*)|\\<\^([A-Za-z][A-Za-z0-9_'.]*)>")
_RUNNING_ANTIQUOTATIONS = frozenset({"lemma", "tactic", "method", "code"})


def _antiquotation_refusal(text: str) -> str | None:
    for m in _ANTIQUOTATION.finditer(text):
        name = (m.group(1) or m.group(2)).split(".")[-1]
        if name.startswith("ML") or name in _RUNNING_ANTIQUOTATIONS:
            return f"the antiquotation {m.group(0)} (it runs ML or a proof method)"
    return None


def _name_in_text(t: Token) -> str | None:
    """The name a string or cartouche stands for, when its content is one."""
    content = t.content.strip()
    return content if _NAME.fullmatch(content) else None


def _import_refusals(toks: list[Token]) -> list[str]:
    """Imports by file path (`"/home/x/Evil"`, `"~/Evil"`, `"../Evil"`): such a theory is
    loaded unfiltered, and its axioms are no oracle the audit would list. Session-qualified
    names (`"HOL-Library.Sum_of_Squares"`) and plain theory names are what a header imports."""
    words = [t.text for t in toks]
    if "imports" not in words:
        return []
    out = []
    for t in toks[words.index("imports") + 1 :]:
        if t.text in ("begin", "keywords", "abbrevs"):
            break
        name = t.content if t.kind == "string" else t.text
        if any(c in name for c in "/~$\\") or name.startswith("."):
            out.append(f"{t.text} (an import by file path: that theory would escape the filter)")
    return out


# Refused as any component of a long name, not only the last: every fact and method under
# Skip_Proof rests on its oracle (`Skip_Proof.skip_proof`, `Skip_Proof.cheat_tac`).
_REFUSED_NAMESPACES = frozenset({"Skip_Proof"})


def _refused_name(name: str) -> bool:
    parts = name.split(".")
    return parts[-1] in _REFUSED or any(p in _REFUSED_NAMESPACES for p in parts)


def _why(name: str) -> str:
    parts = name.split(".")
    if parts[-1] in _REFUSED:
        return _REFUSED[parts[-1]]
    if any(p in _REFUSED_NAMESPACES for p in parts):
        return _REFUSED["Skip_Proof"]
    return "a theory-level command after the proof"


def _token_refusal(t: Token, part: str) -> str | None:
    if t.kind == "word":
        if _refused_name(t.text) or (part == "proof" and t.last in THEORY_COMMANDS):
            return f"{t.text} ({_why(t.text)})"
    elif t.kind == "symbol":
        if t.text in _REFUSED:
            return f"{t.text} ({_why(t.text)})"
        if not t.text.isascii() and not t.text.isalpha() and t.text not in _SAFE_SYMBOLS:
            return (
                f"the symbol {t.text!r} (U+{ord(t.text[0]):04X}; a character Isabelle may "
                "read as a command, which the filter cannot classify)"
            )
    elif t.kind in ("string", "cartouche", "verbatim"):
        found = _antiquotation_refusal(t.content)
        if found:
            return found
        if t.kind == "verbatim":
            inner = refusals(t.content, part)
            if inner:
                return f"{inner[0]}, inside verbatim text {{* ... *}}"
        name = _name_in_text(t)
        if name and _refused_name(name):
            return f"{t.text} (a name written as text: {_why(name)})"
    return None


def refusals(text: str, part: str = "proof") -> list[str]:
    """Everything the filter refuses in `text`, in order, each as the text found and why
    (`Pure.tactic (ML code ...)`). `part` is "proof" (theory-level commands refused too) or
    "header" (also for a statement: its `theorem` keyword and context elements)."""
    if part not in ("proof", "header"):
        raise ValueError(f"part must be 'proof' or 'header', not {part!r}")
    try:
        scanner = scan(text)
    except LexError as e:
        return [f"text that does not lex ({e})"]
    toks = scanner.out
    found = []
    if part == "header" and toks and toks[0].text == "theory":
        found += _import_refusals(toks)
        toks = toks[1:]  # the header's own `theory NAME imports ... begin`
    found += [r for t in toks if (r := _token_refusal(t, part))]
    for start, end in scanner.formal:
        r = _antiquotation_refusal(text[start:end])
        if r:
            found.append(r)
    return found


def code_oracle_methods(text: str) -> list[str]:
    """The methods in `text` whose theorems rest on the code generator's oracle (`eval`,
    `normalization`, `approximation`, also written qualified or as a string)."""
    try:
        toks = scan(text).out
    except LexError:
        return []
    out = []
    for t in toks:
        name = t.last if t.kind == "word" else _name_in_text(t) if t.kind == "string" else None
        if name and name.split(".")[-1] in CODE_ORACLE_METHODS:
            out.append(t.text)
    return out
