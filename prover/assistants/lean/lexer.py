r"""A lexer of Lean 4 source that reads the text as Lean v4.24.0 reads it.

The cheat filter (prover.assistants.lean.check) must see `sorry` in `exact sorry` and must not see it in
`-- sorry` or `"sorry"`. A filter that splits text differently from Lean can be blinded: if
it keeps eating letters after a digit, `1run_tac` hides `run_tac`, which Lean reads after the
number `1`. So every rule below is Lean's own, from `Lean.Parser.Basic` (whitespace,
tokenFnAux, numberFnAux, identFnAux, strLitFnAux, rawStrLitFnAux, charLitFnAux,
interpolatedStrFn) and `Init.Meta.Defs` (isIdFirst, isIdRest, isLetterLike,
isSubScriptAlnum) at the pinned toolchain:

- Whitespace is ASCII only: space, newline, CR LF. A tab or a lone CR outside a comment or
  string is an error in Lean ("tabs are not allowed"), so it is one here.
- `--` comments run to the newline; `/- ... -/` nests; the character after `/-` is skipped
  before counting starts (Lean's `finishCommentBlock` begins one character later), and
  `/--`, `/-!` (doc comments) nest the same way from after their third character.
- A token starting with an ASCII digit is a number: `0b`/`0o`/`0x` then at least one digit
  of that base; else decimal digits with `_` separators (each `_` followed by a digit), then
  an optional `.` (always taken) with digits, then an optional exponent `e`/`E`, a sign and
  at least one digit. The number ends there: `1run_tac` is `1` then `run_tac`, `0x1set_option`
  is `0x1` then `set_option`, `2elab` is an error (no exponent digits), as in Lean. `isDigit`
  is ASCII: `¹` or `٣` is never a digit. After a `.` glued to the token before it (`h.1.2`)
  digits are a field index: ASCII digits only, as Lean's `fieldIdx` reads them.
- `r"..."`, `r#"..."#`: raw strings, no escapes at all (`r"\"` is a complete string).
- `"..."`: escapes `\\ \" \' \n \t \r`, `\xHH`, `\uHHHH`, a backslash-newline gap; anything
  else after a backslash is an error. Whether a string is interpolated (`s!"{e}"`, `m!`,
  `throwError`, any syntax taking `interpolatedStr`) depends on the parser, not on the
  text, so a string is read both ways: as plain text, and with `{...}` as code (which may
  hold strings and comments of its own, and where `\\{` is an escape). If both readings
  end at the same place, the code inside the braces is kept as code (`Token.code`); if they
  end at different places, the text is refused as ambiguous.
- `'c'`, `'\\n'`: a char literal. A `'` not followed by `'` must be one, or Lean stops with
  "missing end of character literal"; `''` is a symbol (Mathlib's image notation).
- Identifiers: `isIdFirst` = ASCII letter, `_` or letter-like; `isIdRest` adds ASCII digits,
  `'`, `!`, `?` and subscripts. Letter-like is Greek (without λ Π Σ), Coptic, polytonic
  Greek, the letter-like symbols block (ℕ ℝ ...), mathematical alphanumerics, Latin-1
  letters (not × ÷) and Latin Extended-A; subscripts are ₀-₉, ₐ-ₜ, ᵢ-ᵪ and ⱼ. Nothing else:
  superscripts (`¹`), modifier letters (`ᶜ`, `ˣ`), Cyrillic, CJK are not name characters,
  so `x⁻¹sorry` and `xᶜsorry` end the name before `sorry`. Python's isalpha/isdigit are
  never used. Components are joined by `.` when a name character or `«` follows it;
  `«...»` is an escaped component.
- `` `name `` is a name literal (text, not code); `#word` a command; every other character is
  a symbol (`''` as one, and the tokens of QUOTE_TOKENS such as `⁻¹'`, whose quote starts no
  char literal).

Whatever Lean would reject lexically (an unterminated comment, string or escape, a bad
number, a bad char literal, a tab) is a LexError: a filter must not guess what follows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass


class LexError(ValueError):
    """The text is not lexically valid Lean (or reads two ways): refuse it."""


@dataclass(frozen=True)
class Token:
    kind: str  # ident | command | string | char | number | name | symbol
    text: str  # the source text of the token
    start: int
    end: int
    line: int
    column: int
    parts: tuple[str, ...] = ()  # ident/name: the components (a.«b c».d -> a, b c, d)
    code: tuple[Token, ...] = ()  # string: the tokens inside its `{...}` (interpolation)


# --- Lean's character classes (Init/Meta/Defs.lean at v4.24.0) ---------------------------
def is_ascii_digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _is_ascii_alpha(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def is_letter_like(ch: str) -> bool:
    v = ord(ch)
    return (
        (0x3B1 <= v <= 0x3C9 and v != 0x3BB)  # lower Greek but λ
        or (0x391 <= v <= 0x3A9 and v not in (0x3A0, 0x3A3))  # upper Greek but Π Σ
        or 0x3CA <= v <= 0x3FB  # Coptic
        or 0x1F00 <= v <= 0x1FFE  # polytonic Greek
        or 0x2100 <= v <= 0x214F  # letter-like symbols
        or 0x1D49C <= v <= 0x1D59F  # script, double-struck, Fraktur
        or (0xC0 <= v <= 0xFF and v not in (0xD7, 0xF7))  # Latin-1 letters
        or 0x100 <= v <= 0x17F  # Latin Extended-A
    )


def is_subscript_alnum(ch: str) -> bool:
    v = ord(ch)
    return 0x2080 <= v <= 0x2089 or 0x2090 <= v <= 0x209C or 0x1D62 <= v <= 0x1D6A or v == 0x2C7C


def is_id_first(ch: str) -> bool:
    return ch != "" and (_is_ascii_alpha(ch) or ch == "_" or is_letter_like(ch))


def is_id_rest(ch: str) -> bool:
    return ch != "" and (
        _is_ascii_alpha(ch)
        or is_ascii_digit(ch)
        or ch in "_'!?"
        or is_letter_like(ch)
        or is_subscript_alnum(ch)
    )


def _is_hex(ch: str) -> bool:
    return is_ascii_digit(ch) or "a" <= ch <= "f" or "A" <= ch <= "F"


_QUOTABLE = "\\\"'rnt"
# Tokens of Lean core and Mathlib that end in a quote. Lean takes the longest token at a
# position, so in `f⁻¹' s` the quote belongs to `⁻¹'` and starts no char literal. Only tokens
# known to exist are listed: a quote read as part of a token Lean does not have could hide
# code (`∑'"'...` would open a string where Lean reads the char literal `'"'`), while a
# missing one only makes honest text fail to lex.
QUOTE_TOKENS = ("⁻¹'", "×'", "Σ'", "∑'", "∏'", "⊕'")


class _Scanner:
    def __init__(self, text: str, start: int = 0, stop: int | None = None):
        self.text = text
        self.i = start
        self.stop = len(text) if stop is None else stop
        self.tokens: list[Token] = []
        self.glued = False  # no whitespace between the previous token and here
        self._line_starts: list[int] | None = None

    # --- positions ---------------------------------------------------------------------------
    def pos(self, offset: int) -> tuple[int, int]:
        if self._line_starts is None:
            self._line_starts = [0] + [k + 1 for k, ch in enumerate(self.text) if ch == "\n"]
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1]

    def fail(self, what: str, at: int | None = None) -> LexError:
        line, col = self.pos(self.i if at is None else at)
        return LexError(f"{what} at line {line}, column {col}")

    def add(self, kind: str, start: int, parts: tuple[str, ...] = (), code=()) -> None:
        line, column = self.pos(start)
        self.tokens.append(
            Token(kind, self.text[start : self.i], start, self.i, line, column, parts, tuple(code))
        )
        self.glued = True

    def at(self, k: int = 0) -> str:
        j = self.i + k
        return self.text[j] if j < self.stop else ""

    # --- whitespace and comments (Lean's `whitespace`) ---------------------------------------
    def whitespace(self) -> None:
        while self.i < self.stop:
            ch = self.text[self.i]
            if ch == "\t":
                raise self.fail("a tab (Lean: tabs are not allowed)")
            if ch == "\r":
                if self.at(1) != "\n":
                    raise self.fail("a lone carriage return")
                self.i += 1
            elif ch in " \n":
                self.i += 1
            elif ch == "-" and self.at(1) == "-":
                end = self.text.find("\n", self.i, self.stop)
                self.i = self.stop if end < 0 else end
            elif ch == "/" and self.at(1) == "-":
                self.block_comment()
            else:
                return
            self.glued = False

    def block_comment(self) -> None:
        start = self.i
        # `/-X`: X is skipped before counting (for `/--` and `/-!` X is the doc marker).
        self.i += 3
        depth = 1
        while self.i < self.stop:
            ch = self.text[self.i]
            if ch == "-" and self.at(1) == "/":
                self.i += 2
                depth -= 1
                if depth == 0:
                    return
            elif ch == "/" and self.at(1) == "-":
                self.i += 2
                depth += 1
            else:
                self.i += 1
        raise self.fail("unterminated comment", start)

    # --- literals ----------------------------------------------------------------------------
    def escape(self, in_string: bool, quotable: str = _QUOTABLE) -> None:
        """At a backslash: one escape as Lean's quotedCharCoreFn reads it."""
        self.i += 1
        ch = self.at()
        if ch == "":
            raise self.fail("a backslash at the end of the text")
        if ch in quotable:
            self.i += 1
        elif ch in "xu":
            n = 2 if ch == "x" else 4
            if not all(_is_hex(self.at(1 + k)) for k in range(n)):
                raise self.fail(f"invalid \\{ch} escape")
            self.i += 1 + n
        elif in_string and ch == "\n":  # a gap: whitespace holding exactly one newline
            self.i += 1
            while self.at() in (" ", "\t", "\r", "\n") and self.at() != "":
                if self.at() == "\n":
                    raise self.fail("a second newline in a string gap")
                self.i += 1
        else:
            raise self.fail(f"invalid escape sequence \\{ch}")

    def plain_string_end(self, start: int) -> int:
        """Where `"...` at `start` ends as a plain string literal (raises LexError)."""
        self.i = start + 1
        while self.i < self.stop:
            ch = self.text[self.i]
            if ch == "\\":
                self.escape(True)
            elif ch == '"':
                return self.i + 1
            else:
                self.i += 1
        raise self.fail("unterminated string", start)

    def interpolated_string(self, start: int) -> tuple[int, list[Token]]:
        """Where `"...` ends read as an interpolated string, and the code in its braces."""
        self.i = start + 1
        code: list[Token] = []
        while self.i < self.stop:
            ch = self.text[self.i]
            if ch == "\\":
                self.escape(True, _QUOTABLE + "{")
            elif ch == '"':
                return self.i + 1, code
            elif ch == "{":
                inner = _Scanner(self.text, self.i + 1, self.stop)
                inner.run(until_brace=True)
                code += inner.tokens
                self.i = inner.i + 1  # past the closing brace
            else:
                self.i += 1
        raise self.fail("unterminated string", start)

    def string(self) -> None:
        start = self.i
        plain: int | LexError
        try:
            plain = self.plain_string_end(start)
        except LexError as e:
            plain = e
        try:
            interpolated = self.interpolated_string(start)
        except LexError as e:
            interpolated = e
        if isinstance(plain, LexError) and isinstance(interpolated, LexError):
            raise plain
        if isinstance(interpolated, LexError):
            assert isinstance(plain, int)
            self.i, code = plain, []
        elif isinstance(plain, LexError) or plain == interpolated[0]:
            self.i, code = interpolated
        else:
            raise self.fail(
                "a string that ends in one place as plain text and in another as an "
                "interpolated string (its `{...}` holds a quote)",
                start,
            )
        self.add("string", start, code=code)

    def raw_string_start(self) -> bool:
        j = self.i + 1
        while j < self.stop and self.text[j] == "#":
            j += 1
        return j < self.stop and self.text[j] == '"'

    def raw_string(self) -> None:
        start = self.i
        self.i += 1
        hashes = 0
        while self.at() == "#":
            hashes += 1
            self.i += 1
        self.i += 1  # the opening quote
        close = '"' + "#" * hashes
        end = self.text.find(close, self.i, self.stop)
        if end < 0:
            raise self.fail("unterminated raw string", start)
        self.i = end + len(close)
        self.add("string", start)

    def char(self) -> None:
        start = self.i
        self.i += 1
        if self.at() == "":
            raise self.fail("a quote at the end of the text")
        if self.at() == "\\":
            self.escape(False)
        else:
            self.i += 1
        if self.at() != "'":
            raise self.fail("missing end of character literal", start)
        self.i += 1
        self.add("char", start)

    def number(self) -> None:
        start = self.i
        base = self.at(1).lower() if self.at() == "0" else ""
        if base in ("b", "o", "x"):
            ok = {"b": lambda c: c in "01", "o": lambda c: "0" <= c <= "7", "x": _is_hex}[base]
            self.i += 2
            self.digits(ok, need=True)
        else:
            self.i += 1
            self.digits(is_ascii_digit, need=False)
            if self.at() in (".", "e", "E"):
                if self.at() == ".":
                    self.i += 1
                    if is_ascii_digit(self.at()):
                        self.digits(is_ascii_digit, need=False)
                if self.at() in ("e", "E"):
                    self.i += 1
                    if self.at() in ("+", "-"):
                        self.i += 1
                    if not is_ascii_digit(self.at()):
                        raise self.fail("missing exponent digits in a scientific literal")
                    self.digits(is_ascii_digit, need=False)
        self.add("number", start)

    def digits(self, ok, need: bool) -> None:
        """Lean's takeDigitsFn: digits with `_` separators, each `_` followed by a digit."""
        while True:
            ch = self.at()
            if ch == "_":
                need = True
                self.i += 1
            elif ch != "" and ok(ch):
                need = False
                self.i += 1
            elif need:
                raise self.fail("a number that ends in `_` or has no digits")
            else:
                return

    def field_index(self) -> None:
        start = self.i
        while is_ascii_digit(self.at()):
            self.i += 1
        self.add("number", start)

    def name_parts(self) -> tuple[str, ...]:
        """Lean's identFnAux from the current position (a name character or `«`)."""
        parts: list[str] = []
        while True:
            if self.at() == "«":
                close = self.text.find("»", self.i + 1, self.stop)
                if close < 0:
                    raise self.fail("unterminated «name»")
                parts.append(self.text[self.i + 1 : close])
                self.i = close + 1
            else:
                j = self.i + 1
                while j < self.stop and is_id_rest(self.text[j]):
                    j += 1
                parts.append(self.text[self.i : j])
                self.i = j
            nxt = self.at(1)
            if self.at() == "." and (nxt == "«" or is_id_first(nxt)):
                self.i += 1
                continue
            return tuple(parts)

    # --- the token loop (Lean's tokenFnAux) --------------------------------------------------
    def run(self, until_brace: bool = False) -> list[Token]:
        depth = 0
        self.glued = False
        while True:
            self.whitespace()
            if self.i >= self.stop:
                if until_brace:
                    raise self.fail("unterminated `{` in an interpolated string")
                return self.tokens
            ch = self.text[self.i]
            start = self.i
            prev = self.tokens[-1] if self.tokens else None
            if until_brace and ch == "}" and depth == 0:
                return self.tokens
            if ch == '"':
                self.string()
            elif ch == "'" and self.at(1) != "'":
                self.char()
            elif is_ascii_digit(ch):
                field = (
                    self.glued
                    and prev is not None
                    and prev.text == "."
                    and len(self.tokens) > 1
                    and self.tokens[-2].end == prev.start
                )
                self.field_index() if field else self.number()
            elif ch == "`" and (self.at(1) == "«" or is_id_first(self.at(1))):
                self.i += 1
                self.add("name", start, self.name_parts())
            elif ch == "r" and self.raw_string_start():
                self.raw_string()
            elif ch == "«" or is_id_first(ch):
                self.add("ident", start, self.name_parts())
            elif ch == "#" and is_id_first(self.at(1)):
                self.i += 1
                while is_id_rest(self.at()):
                    self.i += 1
                self.add("command", start)
            elif ch == "'":  # `''`
                self.i += 2
                self.add("symbol", start)
            elif quoted := next((t for t in QUOTE_TOKENS if self.text.startswith(t, start)), ""):
                self.i += len(quoted)
                self.add("symbol", start)
            else:
                if until_brace:
                    depth += {"{": 1, "}": -1}.get(ch, 0)
                self.i += 1
                self.add("symbol", start)


def tokens(text: str) -> list[Token]:
    """The tokens of `text` (comments and whitespace dropped). Raises LexError."""
    return _Scanner(text).run()


def string_code(token: Token) -> list[Token]:
    """The code inside the `{...}` of a string token (what an interpolated string runs)."""
    return list(token.code)


def code_tokens(toks: list[Token]) -> list[Token]:
    """`toks` and, recursively, the code inside their strings' braces."""
    out: list[Token] = []
    for t in toks:
        out.append(t)
        if t.code:
            out += code_tokens(list(t.code))
    return out
