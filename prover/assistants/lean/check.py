"""What may enter a Lean proof (and a checked file's header): the filters.

Defence in depth, never the verdict. `refusal` lexes a proof exactly as Lean does
(prover.assistants.lean.lexer) and refuses words that cheat, run code or leave the proof; it saves Lean
a useless run and gives a readable reason. The verdict itself is prover.assistants.lean.audit: the file
is compiled to an .olean and a separate process replays its declarations through the kernel
and compares the theorem's type and axioms with the reference's, reading nothing the proof
can print. `header_refusal` refuses a header (of a file checked without a benchmark record)
that runs code while Lean elaborates it.

The refused words, and why each (a word inside a comment, string or name literal is text):
- `sorry`, `admit`, `stop` (closes goals with sorry), `sorryAx`: an unfinished proof.
- `axiom`, `opaque`, `ofReduceBool`, `ofReduceNat`, `trustCompiler`: new or compiler-trusting
  assumptions.
- `set_option` anywhere (`debug.skipKernelTC` skips the kernel, `pp.*` change what is
  printed, options reach elaborators in ways no list follows), except the resource limits
  `set_option maxRecDepth N in`, `maxHeartbeats N in` and `synthInstance.maxHeartbeats N in`
  with a decimal N > 0 (`maxHeartbeats 0` means no limit, and is refused); `debug` as any
  component of any name (`Lean.debug.skipKernelTC`, `` `debug.x ``).
- Metaprogramming, in any component of a name: `Elab`, `Meta`, `Environment`, `Kernel`,
  `Compiler`, `IR`, `addDecl`, `addDeclCore`, `addAndCompile`, `compileDecl`, `modifyEnv`,
  `setEnv`, `evalTactic`, `evalExpr`, `evalConst`,
  `MetaM`, `TacticM`, `TermElabM`, `CoreM`, `CommandElabM`, `MacroM`, `IO`, `EIO`, `BaseIO`,
  and any component starting with `unsafe` (`unsafeCast`, `unsafeBaseIO`).
- `by_elab`, `elab`, `elab_rules`, `macro`, `macro_rules`, `syntax`, `notation`, `infix`,
  `infixl`, `infixr`, `prefix`, `postfix`, `declare_syntax_cat`: new syntax or elaborators,
  which can give the statement's symbols, or later text, another meaning.
- `#...` commands (`#eval` runs code that can edit the environment, `#exit` stops checking,
  `#print` can print a fake audit) and `run_cmd`, `run_tac`, `run_elab`, `run_meta`: running
  metaprograms. `IO`: effects at elaboration time.
- `unsafe`, `implemented_by`, `extern`, `csimp`, `@[...]` and `attribute`: code the compiler
  (and so native_decide) trusts, or attributes that change reduction and instances (`local
  instance` shenanigans included).
- Command words `theorem`, `lemma`, `def`, `instance`, `example`, `abbrev`, `structure`,
  `class`, `inductive`, `namespace`, `section`, `end`, `variable`, `universe`, `import`,
  `initialize`, `mutual`, `noncomputable`, `private`, `protected`, `local`, `scoped`,
  `export`, `omit`, `include`, `deriving`: none can occur inside a tactic proof, so any of
  them means the text ends the theorem and goes on with new commands (a decoy `namespace X
  theorem NAME ...` after the proof). `open X in` is a tactic and is allowed (its words,
  `scoped` included, are namespaces); `open X` alone is a command and refused.
- `native_decide` (and `decide +native`) unless allowed: it trusts the compiler.
Lean's `#s` notation for `Finset.card` is refused along with the commands (write `s.card`).
"""

from __future__ import annotations

import re
from pathlib import Path

from prover.assistants.base import Verdict
from prover.assistants.filecheck import verdict_on_file
from prover.assistants.lean.lexer import LexError, Token, code_tokens, tokens
from prover.theorem import Theorem

# Words of the proof filter that the header filter refuses too: they run code while Lean
# elaborates the text, or make the compiler trust code.
_METAPROGRAMS = ("run_cmd", "run_tac", "run_elab", "run_meta")
_ELABORATORS = (
    "by_elab",
    "elab",
    "elab_rules",
    "macro",
    "macro_rules",
    "syntax",
    "declare_syntax_cat",
    "simproc",
    "dsimproc",
)
_TRUSTED_CODE = ("unsafe", "implemented_by", "extern")
_INITIALIZERS = ("initialize", "builtin_initialize")
# New notation only gives symbols another meaning: harmless in a header, refused in a proof.
_NOTATION = ("notation", "infix", "infixl", "infixr", "prefix", "postfix")

_WHY: dict[str, str] = {}
for _words, _why in [
    (("sorry", "admit", "stop", "sorryAx"), "an unfinished proof (sorry/admit/stop)"),
    (("axiom", "opaque"), "new axioms"),
    (("ofReduceBool", "ofReduceNat", "trustCompiler"), "trusting the compiler"),
    (
        ("set_option",),
        "set_option (only `set_option maxRecDepth N in`, `maxHeartbeats N in` with N > 0 "
        "and `synthInstance.maxHeartbeats N in` may enter a proof)",
    ),
    (_ELABORATORS + _NOTATION, "new syntax or elaborators"),
    (_METAPROGRAMS, "running metaprograms"),
    ((*_TRUSTED_CODE, "csimp", "attribute"), "unsafe code or attributes"),
    (
        (
            "theorem",
            "lemma",
            "def",
            "instance",
            "example",
            "abbrev",
            "structure",
            "class",
            "inductive",
            "namespace",
            "section",
            "end",
            "variable",
            "universe",
            "import",
            *_INITIALIZERS,
            "mutual",
            "noncomputable",
            "private",
            "protected",
            "local",
            "scoped",
            "export",
            "omit",
            "include",
            "deriving",
        ),
        "a new command after the proof (the proof must end with the theorem)",
    ),
]:
    for _w in _words:
        _WHY[_w] = _why
_NATIVE = "native_decide is off (it trusts the compiler); enable it with allow_native_decide"
# Found in any component of a dotted name (`Lean.ofReduceBool`, `Lean.Elab.Tactic.evalTactic`,
# `Lean.debug.skipKernelTC`): constants a proof may not name at all.
_COMPONENT_WHY: dict[str, str] = {}
for _words, _why in [
    (("sorryAx",), "an unfinished proof (sorryAx)"),
    (("ofReduceBool", "ofReduceNat", "trustCompiler"), "trusting the compiler"),
    # The compiler's own `unsafe axiom`s (Init/Prelude): `lcProof : α` for any Prop.
    (
        ("lcProof", "lcCast", "lcUnreachable", "lcErased", "lcAny"),
        "the compiler's unsafe axioms (lcProof proves anything)",
    ),
    (("debug",), "debug options (debug.skipKernelTC skips the kernel)"),
    (
        (
            "Elab",
            "Meta",
            "Environment",
            "Kernel",
            "Compiler",
            "IR",
            "addDecl",
            "addDeclCore",
            "addDeclWithoutChecking",
            "addAndCompile",
            "compileDecl",
            "modifyEnv",
            "setEnv",
            "evalTactic",
            "evalExpr",
            "evalConst",
            "evalTerm",
            "MetaM",
            "TacticM",
            "TermElabM",
            "CoreM",
            "CommandElabM",
            "MacroM",
            "IO",
            "EIO",
            "BaseIO",
        ),
        "metaprogramming (Lean's elaborator, kernel or environment, or IO)",
    ),
]:
    for _w in _words:
        _COMPONENT_WHY[_w] = _why
_OPEN_LIST = {"(", ")", ",", "→", "->", "hiding", "renaming", "scoped"}
# `set_option NAME N in`: the resource limits a proof may raise (they cannot change what is
# proved; the verdict's wall clock still bounds the run). `maxHeartbeats 0` means no limit at
# all and is refused, as is every other option (`debug.*` skips the kernel, `pp.*` changes
# what is printed, and options reach elaborators in ways no list can follow).
RESOURCE_OPTIONS = frozenset({"maxRecDepth", "maxHeartbeats", "synthInstance.maxHeartbeats"})


def _open_is_local(toks: list[Token], k: int) -> int | None:
    """`open X Y in tac` (a tactic): the index of its `in`; None for `open X` (a command)."""
    for j in range(k + 1, len(toks)):
        t = toks[j]
        if t.kind == "ident" and t.parts == ("in",):
            return j
        if t.kind == "ident" or (t.kind == "symbol" and t.text in _OPEN_LIST):
            continue
        return None
    return None


def _resource_option(toks: list[Token], k: int) -> int | None:
    """`set_option maxRecDepth N in` at k: the index of its `in`; None for any other option."""
    if k + 3 >= len(toks):
        return None
    name, value, word = toks[k + 1], toks[k + 2], toks[k + 3]
    if name.kind != "ident" or ".".join(name.parts) not in RESOURCE_OPTIONS:
        return None
    digits = value.text.replace("_", "")
    if value.kind != "number" or not digits.isascii() or not digits.isdigit() or int(digits) == 0:
        return None
    return k + 3 if word.kind == "ident" and word.parts == ("in",) else None


def _name_refusal(t: Token) -> str | None:
    for part in t.parts:
        if part in _COMPONENT_WHY:
            return f"{_COMPONENT_WHY[part]}: `{t.text}` not allowed"
        if part.startswith("unsafe"):
            return f"unsafe code: `{t.text}` not allowed"
    return None


def _word_refusal(toks: list[Token], allow_native_decide: bool) -> str | None:
    k = 0
    while k < len(toks):
        t = toks[k]
        k += 1
        if t.kind == "command":
            return f"commands ({t.text}) not allowed in a proof"
        if t.kind == "symbol" and t.text == "@" and k < len(toks) and toks[k].text == "[":
            return "attributes (@[...]) not allowed in a proof"
        if t.kind == "name" and (why := _name_refusal(t)):
            return f"{why} in a proof"
        if t.kind != "ident":
            continue
        if t.parts == ("open",):
            end = _open_is_local(toks, k - 1)
            if end is None:
                return "`open` without `in` is a command; use `open X in tac`"
            # `open scoped Real in`: its words are namespaces, not commands; but no
            # metaprogramming namespace (`open Lean.Elab.Tactic in`).
            for opened in toks[k:end]:
                if opened.kind == "ident" and (why := _name_refusal(opened)):
                    return f"{why} in a proof"
            k = end + 1
            continue
        if t.parts == ("set_option",) and (end := _resource_option(toks, k - 1)) is not None:
            k = end + 1
            continue
        # Keywords are whole tokens (`h.end` is a name, not `end`); constants are found in
        # any component (`Lean.ofReduceBool`).
        if len(t.parts) == 1 and t.parts[0] in _WHY:
            return f"{_WHY[t.parts[0]]}: `{t.parts[0]}` not allowed in a proof"
        if why := _name_refusal(t):
            return f"{why} in a proof"
        if _is_native(t) and not allow_native_decide:
            return _NATIVE
    return None


def uses_native(text: str) -> bool:
    """Whether a proof asks for native_decide (`native_decide`, `decide +native`)."""
    try:
        toks = code_tokens(tokens(text))
    except LexError:
        return False
    return any(_is_native(t) for t in toks)


def _is_native(t: Token) -> bool:
    """`native_decide`, or the `native` of `decide +native`."""
    return t.kind == "ident" and (t.parts[-1] == "native_decide" or t.parts == ("native",))


def refusal(text: str, allow_native_decide: bool = False) -> str | None:
    """Why `text` (a tactic or a whole proof body) may not run, or None."""
    try:
        toks = tokens(text)
    except LexError as e:
        return f"the text does not lex as Lean: {e}"
    if not toks:
        return "empty tactic"
    return _word_refusal(code_tokens(toks), allow_native_decide)


# The header of a file checked without a benchmark record is the user's: these run code
# while Lean elaborates it (on the user's machine), or make the compiler trust code.
_HEADER_CODE = frozenset(_METAPROGRAMS + _ELABORATORS + _TRUSTED_CODE + _INITIALIZERS)
_HEADER_ATTRIBUTES = frozenset({"init", "builtin_init", "implemented_by", "extern", "export"})
# Options a header may set (any value): resource limits, linters and printing.
_HEADER_OPTIONS = ("maxHeartbeats", "maxRecDepth", "synthInstance.", "linter.", "pp.")
_HEADER_OPTIONS += ("autoImplicit", "relaxedAutoImplicit")


_STATEMENT_HOLES = frozenset({"sorry", "admit", "sorryAx"})


def statement_refusal(statement: str) -> str | None:
    """Why a file's own statement cannot be a reference (a `sorry` in a binder's default
    value, say), or None. The header filter runs on it too."""
    try:
        toks = code_tokens(tokens(statement))
    except LexError as e:
        return f"the statement does not lex as Lean: {e}"
    for t in toks:
        if t.kind == "ident" and any(p in _STATEMENT_HOLES for p in t.parts):
            return f"the statement uses `{t.text}`"
    return header_refusal(statement)


def header_refusal(text: str) -> str | None:
    """Why a file's header (everything before the theorem) may not be elaborated, or None.

    Refused: commands that run code at elaboration time (`#eval` and every other `#`
    command, `run_cmd`, `elab`, `macro`, `initialize`, ...), attributes that make the
    compiler trust code (`@[implemented_by]`, `@[extern]`, `@[init]`), metaprogramming and
    `debug` names, and options other than resource limits, linters and printing. Axioms,
    `sorry` and everything else are left to the kernel replay and the axiom audit.
    """
    try:
        toks = code_tokens(tokens(text))
    except LexError as e:
        return f"the header does not lex as Lean: {e}"
    in_attribute = 0
    for k, t in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if t.kind == "command":
            return f"the header runs a command ({t.text})"
        if k == 0 and t.kind == "ident" and t.parts == ("module",):
            # A module's private part (proofs) goes to another .olean the audit does not read.
            return "the file is a `module` (the module system is not supported)"
        if (
            t.kind == "symbol"
            and t.text in ("@", "attribute")
            and nxt is not None
            and nxt.text == "["
        ):
            in_attribute = 1
            continue
        if in_attribute and t.kind == "symbol" and t.text == "[":
            in_attribute += 1 if toks[k - 1].text not in ("@", "attribute") else 0
        elif in_attribute and t.kind == "symbol" and t.text == "]":
            in_attribute -= 1
        if t.kind not in ("ident", "name"):
            continue
        if t.kind == "ident" and t.parts == ("attribute",) and nxt is not None and nxt.text == "[":
            in_attribute = 1
            continue
        if in_attribute and t.parts[-1] in _HEADER_ATTRIBUTES:
            return f"the header gives code to the compiler (@[{t.parts[-1]}])"
        if t.kind == "ident" and len(t.parts) == 1 and t.parts[0] in _HEADER_CODE:
            return f"the header runs or trusts code (`{t.text}`)"
        if why := _name_refusal(t):
            return f"the header uses {why}"
        if t.kind == "ident" and t.parts == ("set_option",):
            option = ".".join(nxt.parts) if nxt is not None and nxt.kind == "ident" else ""
            if not option.startswith(_HEADER_OPTIONS):
                return (
                    f"the header sets option {option or '?'} (a header may set resource "
                    "limits, linter and pp options only)"
                )
    return None


def theorem_name(statement: str) -> str | None:
    """NAME in `theorem NAME ...` / `lemma NAME ...`, as written (e.g. `foo` or `«a b»`)."""
    try:
        toks = tokens(statement)
    except LexError:
        return None
    for k, t in enumerate(toks[:-1]):
        if t.kind == "ident" and t.parts in (("theorem",), ("lemma",)):
            nxt = toks[k + 1]
            return nxt.text if nxt.kind == "ident" else None
    return None


def _plain_name(name: str) -> str:
    """How Lean prints a declaration name: `«a»` escapes dropped where not needed."""
    return name[1:-1] if name.startswith("«") and re.fullmatch(r"«[A-Za-z_][\w']*»", name) else name


def _theorems(toks: list[Token]) -> list[int]:
    """Indices of `theorem`/`lemma` keywords followed by a name."""
    return [
        k
        for k, t in enumerate(toks[:-1])
        if t.kind == "ident"
        and t.parts in (("theorem",), ("lemma",))
        and toks[k + 1].kind == "ident"
    ]


_BRACKETS = {"(": ")", "[": "]", "{": "}", "⦃": "⦄", "⟨": "⟩"}


class FileRefused(ValueError):
    """A file that Lean would not accept as one theorem's proof: it does not lex, or it
    states the theorem under test twice (a decoy in a namespace or after the proof)."""


def split_file(text: str, name: str | None = None, stem: str | None = None) -> tuple[Theorem, str]:
    """(header + statement as a Theorem, proof) of theorem `name` in a Lean file.

    The statement runs from `theorem NAME` to its `:=` (and a `by` right after it); what is
    before is the header, what is after the proof. Without `name` the file must hold one
    theorem, or one named `stem` (the file's name). Raises ValueError (bad input) with the
    names found, FileRefused (a ValueError) for a file no honest proof looks like.
    """
    try:
        toks = tokens(text)
    except LexError as e:
        raise FileRefused(f"the file does not lex as Lean (Lean rejects it too): {e}") from e
    found = _theorems(toks)
    names = [_plain_name(toks[k + 1].text) for k in found]
    if name is None and len(found) > 1 and stem is not None and stem in names:
        name = stem
    if name is not None:
        found = [k for k in found if _plain_name(toks[k + 1].text) == _plain_name(name)]
        if not found:
            raise ValueError(f"no theorem {name} in the file; it has: {', '.join(names) or 'none'}")
        if len(found) > 1:
            raise FileRefused(
                f"the file states theorem {name} {len(found)} times (a decoy in another "
                "namespace or after the proof?)"
            )
    elif len(found) != 1:
        if not found:
            raise ValueError("the file holds no `theorem` or `lemma`")
        raise ValueError(f"the file holds several theorems ({', '.join(names)}): name one")
    k = found[-1]
    stack: list[str] = []
    for j in range(k + 2, len(toks) - 1):
        t = toks[j]
        if t.kind == "symbol" and t.text in _BRACKETS:
            stack.append(_BRACKETS[t.text])
        elif t.kind == "symbol" and stack and t.text == stack[-1]:
            stack.pop()
        elif not stack and t.text == ":" and toks[j + 1].text == "=" and toks[j + 1].start == t.end:
            end = toks[j + 1].end
            if j + 2 < len(toks) and toks[j + 2].kind == "ident" and toks[j + 2].parts == ("by",):
                end = toks[j + 2].end
            start = toks[k].start
            theorem = Theorem(
                name=_plain_name(toks[k + 1].text),
                system="lean",
                statement=text[start:end],
                header=text[:start].strip(),
            )
            return theorem, text[end:]
    raise ValueError(f"theorem {toks[k + 1].text} has no `:=` after its statement")


def same_source(a: str, b: str) -> bool:
    """Whether two Lean texts are the same tokens (whitespace and comments aside; a final
    `by` too, so a term-mode proof of a `:= by` statement states the same theorem)."""

    def words(text: str) -> list[str]:
        found = [t.text for t in tokens(text)]
        return found[:-1] if found[-1:] == ["by"] else found

    try:
        return words(a) == words(b)
    except LexError:
        return False


def check_file(path: Path, reference: Theorem | None, theorem_name: str | None) -> Verdict:
    """`prover check FILE.lean`: the verdict on one theorem of a complete Lean file.

    The file is split into header, statement and proof, and the proof gets exactly the check
    a found proof gets (LeanReplEnv.verify: refusal, then prover.assistants.lean.audit's compile to
    .olean and kernel replay in a separate process, compared with the statement). Without
    `reference` the header and statement are the user's and pass `header_refusal` and
    `statement_refusal` first. With `reference` (a benchmark record) the file's header and statement
    must be the record's, whitespace and comments aside: a file that redefines a name the
    statement uses, adds a hypothesis or states another theorem is rejected. native_decide
    is allowed and reported as proved_native_decide. Raises ValueError for a file that
    cannot be read as a proof, ToolchainMissing where Lean is not installed.
    """
    import prover.assistants.lean

    text = Path(path).read_text(encoding="utf-8")
    try:
        theorem, proof = split_file(
            text, theorem_name or (reference.name if reference else None), Path(path).stem
        )
    except FileRefused as e:
        return Verdict(ok=False, reason=str(e))
    # Without a record the header is the user's: what runs code is refused before Lean
    # elaborates anything (with one, the comparison below already pins it to the record's).
    why = header_refusal(theorem.header) or statement_refusal(theorem.statement)
    if why:
        return Verdict(ok=False, reason=why)
    return verdict_on_file(
        theorem,
        proof.strip("\n"),
        reference,
        same_source,
        prover.assistants.lean,
        allow_native_decide=True,
    )
