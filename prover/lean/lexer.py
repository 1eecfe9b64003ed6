"""A lexer of Lean 4 source, enough to know which words are code and which are comments or text.

The cheat filter (prover.lean.check) must see `sorry` in `exact sorry` and must not see it in
`-- sorry` or `"sorry"`; a regex cannot tell them apart once comments and strings interleave
(`/- -- -/ sorry`, `"--" sorry`, `/- /- -/ sorry -/`). This follows Lean's own tokenizer
(Lean.Parser.Basic: whitespace, identFn, strLitFn, charLitFn) for the parts that decide that:

- `--` line comments; `/- ... -/` block comments, nested (doc comments `/--`, `/-!` too);
- string literals with escapes (`\\"`, `\\\\`, `\\x..`, `\\u{..}`, a backslash-newline gap) and
  raw strings `r"..."`, `r#"..."#`; the `{...}` parts of a string are also scanned as code,
  because interpolated strings (`s!"{e}"`, `m!`, `throwError "..."`) run them;
- char literals `'a'`, `'\\n'` (and `''`, Mathlib's image notation, is a symbol, as in Lean);
- identifiers with dotted components, each plain or `«escaped»`, and a trailing `?`/`!`
  belongs to the name as in Lean's tactic names (`exact?`, `simp!` are separate tokens in
  Lean, but for refusing words the base name is what matters);
- `#word` commands, name literals `` `n ``, numbers and every other character as a symbol.

Unterminated comments or strings are errors: Lean would reject the text, and a filter must
not guess what follows.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from prover.nesting import nested_end


class LexError(ValueError):
    """The text is not lexically valid Lean (an unterminated comment, string or char)."""


@dataclass(frozen=True)
class Token:
    kind: str  # ident | command | string | char | number | name | symbol
    text: str  # the source text of the token
    start: int
    end: int
    line: int
    column: int
    parts: tuple[str, ...] = ()  # ident: the unescaped components (a.«b c».d -> a, b c, d)


def _is_id_first(ch: str) -> bool:
    # Lean: isLetterLike (Greek, Coptic, letter-like symbols, sub/superscripts) or a letter, `_`.
    if ch.isalpha() or ch == "_":
        return ch not in "λΠΣ"  # Lean excludes these from identifiers
    o = ord(ch)
    return 0x1D49C <= o <= 0x1D59F or 0x2100 <= o <= 0x214F or 0x1D00 <= o <= 0x1DBF


def _is_id_rest(ch: str) -> bool:
    if _is_id_first(ch) or ch.isdigit() or ch in "'!?":
        return True
    o = ord(ch)
    return 0x2080 <= o <= 0x209C or 0x1D62 <= o <= 0x1D6A or o == 0x2C7C  # subscripts


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.tokens: list[Token] = []
        self.line_starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.line_starts.append(k + 1)

    def pos(self, offset: int) -> tuple[int, int]:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.line_starts[lo]

    def add(self, kind: str, start: int, end: int, parts: tuple[str, ...] = ()) -> None:
        line, column = self.pos(start)
        self.tokens.append(Token(kind, self.text[start:end], start, end, line, column, parts))

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < len(self.text) else ""

    # --- pieces ---------------------------------------------------------------------------
    def block_comment(self) -> None:
        end = nested_end(self.text, self.i, ("/-",), ("-/",))
        if end < 0:
            raise LexError(f"unterminated comment starting at line {self.pos(self.i)[0]}")
        self.i = end

    def escape(self) -> None:
        """At a backslash inside a string or char literal: skip the escape sequence."""
        self.i += 1
        ch = self.peek()
        if ch == "":
            raise LexError("a backslash at the end of the text")
        if ch == "x":
            self.i += 3
        elif ch == "u":
            if self.peek(1) == "{":
                close = self.text.find("}", self.i)
                if close < 0:
                    raise LexError("unterminated \\u{...} escape")
                self.i = close + 1
            else:
                self.i += 5
        elif ch == "\n":  # a string gap: backslash, newline, then whitespace is skipped
            self.i += 1
            while self.peek() in (" ", "\t", "\r", "\n") and self.peek() != "":
                self.i += 1
        else:
            self.i += 1

    def string(self) -> None:
        start = self.i
        self.i += 1
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch == "\\":
                self.escape()
            elif ch == '"':
                self.i += 1
                self.add("string", start, self.i)
                return
            else:
                self.i += 1
        raise LexError(f"unterminated string starting at line {self.pos(start)[0]}")

    def raw_string(self) -> None:
        start = self.i
        self.i += 1  # r
        hashes = 0
        while self.peek() == "#":
            hashes += 1
            self.i += 1
        self.i += 1  # the opening quote
        close = '"' + "#" * hashes
        end = self.text.find(close, self.i)
        if end < 0:
            raise LexError(f"unterminated raw string starting at line {self.pos(start)[0]}")
        self.i = end + len(close)
        self.add("string", start, self.i)

    def char(self) -> bool:
        """A char literal at `'`; False when the quote is a symbol (`''`, or not a literal)."""
        start = self.i
        if self.peek(1) in ("'", ""):
            return False
        j = self.i + 1
        if self.text[j] == "\\":
            self.i = j
            self.escape()
            j = self.i
        else:
            j += 1
        if j < len(self.text) and self.text[j] == "'":
            self.i = j + 1
            self.add("char", start, self.i)
            return True
        self.i = start
        return False

    def ident(self) -> None:
        start = self.i
        parts: list[str] = []
        while True:
            if self.peek() == "«":
                close = self.text.find("»", self.i)
                if close < 0:
                    raise LexError(f"unterminated «name» at line {self.pos(self.i)[0]}")
                parts.append(self.text[self.i + 1 : close])
                self.i = close + 1
            else:
                j = self.i
                while j < len(self.text) and _is_id_rest(self.text[j]):
                    j += 1
                parts.append(self.text[self.i : j])
                self.i = j
            nxt = self.peek(1)
            if self.peek() == "." and (nxt == "«" or (nxt != "" and _is_id_first(nxt))):
                self.i += 1
                continue
            break
        self.add("ident", start, self.i, tuple(parts))

    def number(self) -> None:
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isalnum() or self.text[self.i] in "_"):
            self.i += 1
        if self.peek() == "." and self.peek(1).isdigit():
            self.i += 1
            while self.i < len(self.text) and self.text[self.i].isalnum():
                self.i += 1
        self.add("number", start, self.i)

    # --- the loop ----------------------------------------------------------------------------
    def run(self) -> list[Token]:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch.isspace():
                self.i += 1
            elif text.startswith("--", self.i):
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            elif text.startswith("/-", self.i):
                self.block_comment()
            elif ch == '"':
                self.string()
            elif ch == "r" and (
                self.peek(1) == '"'
                or (self.peek(1) == "#" and text[self.i + 1 :].lstrip("#")[:1] == '"')
            ):
                self.raw_string()
            elif ch == "'" and self.char():
                continue
            elif ch == "«" or _is_id_first(ch):
                self.ident()
            elif ch.isdigit():
                self.number()
            elif ch == "#" and _is_id_first(self.peek(1)):
                start = self.i
                self.i += 1
                while self.i < len(text) and _is_id_rest(text[self.i]):
                    self.i += 1
                self.add("command", start, self.i)
            elif ch == "`":
                start = self.i
                while self.peek() == "`":
                    self.i += 1
                if self.peek() == "(":  # a syntax quotation `(...): its contents are code
                    self.add("symbol", start, self.i)
                    continue
                if self.peek() == "«" or (self.peek() and _is_id_first(self.peek())):
                    self.ident()
                    name = self.tokens.pop()
                    self.add("name", start, self.i, name.parts)
                else:
                    self.add("symbol", start, self.i)
            else:
                self.i += 1
                self.add("symbol", self.i - 1, self.i)
        return self.tokens


def tokens(text: str) -> list[Token]:
    """The tokens of `text` (comments and whitespace dropped). Raises LexError."""
    return _Scanner(text).run()


def string_code(token: Token) -> list[Token]:
    """The code inside the `{...}` of a string token (what an interpolated string runs)."""
    if token.kind != "string" or token.text.startswith("r"):
        return []
    body = token.text[1:-1]
    found: list[Token] = []
    depth, start = 0, 0
    k = 0
    while k < len(body):
        ch = body[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "{":
            if depth == 0:
                start = k + 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                with contextlib.suppress(LexError):  # not code Lean could run either
                    found += tokens(body[start:k])
        k += 1
    return found
