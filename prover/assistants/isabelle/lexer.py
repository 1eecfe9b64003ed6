"""A lexer of Isabelle's outer syntax: which words are commands and which are text.

A banned word inside a comment, a string or a cartouche is text; outside, it is a command or
a method. Blanking comments first and strings second (as a regex pass does) is wrong both
ways: a comment may hold a quote (`(* " *) sorry`) and a string may hold `(*`. This scans
once, left to right, following Isabelle's outer lexer (Pure/General/symbol_pos.ML,
Pure/Isar/token.ML, Pure/Isar/parse.ML):

- blanks: space, tab, newline, CR, form feed and vertical tab;
- comments `(* ... *)`, nested (quotes inside a comment mean nothing);
- formal comments: `\\<comment>` (or `—`, `―`), `\\<^cancel>`, `\\<^marker>` followed by a cartouche;
- cartouches `\\<open> ... \\<close>` or `‹ ... ›`, nested;
- strings `"..."` and alternative strings `` `...` ``, whose escapes are `\\"`, `\\\\` and
  `\\ddd` (a character by its three-digit decimal code: `"t\\097ctic"` names `tactic`);
  `Token.content` decodes them, since a string can be a name (`by ("tactic" ...)`);
- verbatim `{* ... *}` (not nested);
- symbols `\\<name>` / `\\<^name>` as tokens of their own (`\\<proof>` is the command `sorry`
  spelled as a symbol); a malformed one (`\\<` not followed by a name and `>`) is an error;
- identifiers: an ASCII letter, then letters, digits, `_` and `'`; a long identifier joins
  identifiers with `.` (`Pure.tactic` is the method `tactic`: callers match the last
  component, `Token.last`). An identifier never starts with a digit, `_` or `'`: Isabelle
  reads `1sorry` as the number 1 then the command `sorry`, and `_sorry` as `_` then `sorry`;
- numbers: digits, optionally `.digits`; every other character is a symbol of its own.

Where Isabelle reads more into a word than this lexer (letter symbols such as `\\<alpha>` or
`α`, subscripts `x\\<^sub>1` inside identifiers), this lexer splits the word, so a banned
word it finds may be part of a longer Isabelle identifier: the filter then refuses more than
it must, never less.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prover.assistants.text import nested_end


class LexError(ValueError):
    """Unterminated comment, string, cartouche or verbatim text, or a malformed symbol."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | number | string | verbatim | cartouche | symbol
    text: str
    start: int
    end: int

    @property
    def parts(self) -> list[str]:
        """A long name's components (`Pure.tactic` -> Pure, tactic); [text] otherwise."""
        return self.text.split(".") if self.kind == "word" else [self.text]

    @property
    def last(self) -> str:
        """The name Isabelle resolves a long name to (its last component)."""
        return self.parts[-1]

    @property
    def content(self) -> str:
        """The text a string, verbatim or cartouche token stands for (delimiters dropped,
        string escapes decoded); the token's text for other kinds."""
        if self.kind == "string":
            return _unescape(self.text[1:-1])
        if self.kind == "verbatim":
            return self.text[2:-2]
        if self.kind == "cartouche":
            inner = self.text
            opener = next(o for o in _OPEN if inner.startswith(o))
            closer = next(c for c in _CLOSE if inner.endswith(c))
            return inner[len(opener) : len(inner) - len(closer)]
        return self.text


_OPEN = ("\\<open>", "‹")
_CLOSE = ("\\<close>", "›")
# `\<comment>` in Unicode: U+2014 or U+2015 (either way a marker only hides the cartouche
# after it, which is text to Isabelle in any reading; its antiquotations are still checked).
_FORMAL_COMMENT = ("\\<comment>", "\u2014", "\u2015", "\\<^cancel>", "\\<^marker>")
BLANKS = " \t\n\r\f\x0b"
_SYMBOL = re.compile(r"\\<\^?[A-Za-z][A-Za-z0-9_']*>")
_ESCAPE = re.compile(r"\\(\d\d\d|.)", re.S)


def _unescape(body: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        return chr(int(e)) if len(e) == 3 else e

    # A symbol such as \<alpha> is not an escape: keep it whole.
    out, i = [], 0
    while i < len(body):
        sym = _SYMBOL.match(body, i)
        if sym:
            out.append(sym.group(0))
            i = sym.end()
            continue
        esc = _ESCAPE.match(body, i)
        if esc:
            out.append(one(esc))
            i = esc.end()
            continue
        out.append(body[i])
        i += 1
    return "".join(out)


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _quasi(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "_'")


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.out: list[Token] = []
        self.comments: list[tuple[int, int]] = []
        # Formal comments' spans: their text is document source (antiquotations run).
        self.formal: list[tuple[int, int]] = []

    def at(self, *prefixes: str) -> str | None:
        for p in prefixes:
            if self.text.startswith(p, self.i):
                return p
        return None

    def comment(self) -> None:
        end = nested_end(self.text, self.i, ("(*",), ("*)",))
        if end < 0:
            raise LexError("unterminated comment (* ...")
        self.comments.append((self.i, end))
        self.i = end

    def cartouche(self) -> tuple[int, int]:
        start, end = self.i, nested_end(self.text, self.i, _OPEN, _CLOSE)
        if end < 0:
            raise LexError("unterminated cartouche")
        self.i = end
        return start, end

    def quoted(self, quote: str) -> None:
        start = self.i
        self.i += 1
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch == "\\":
                self.i += 2
            elif ch == quote:
                self.i += 1
                self.out.append(Token("string", self.text[start : self.i], start, self.i))
                return
            else:
                self.i += 1
        raise LexError(f"unterminated string {quote}...")

    def emit(self, kind: str, start: int) -> None:
        self.out.append(Token(kind, self.text[start : self.i], start, self.i))

    def run(self) -> list[Token]:
        text = self.text
        n = len(text)
        while self.i < n:
            ch = text[self.i]
            start = self.i
            if ch in BLANKS:
                self.i += 1
            elif self.at("(*"):
                self.comment()
            elif marker := self.at(*_FORMAL_COMMENT):
                self.i += len(marker)
                while self.i < n and text[self.i] in BLANKS:
                    self.i += 1
                if self.at(*_OPEN):
                    self.cartouche()
                self.comments.append((start, self.i))
                self.formal.append((start, self.i))
            elif self.at(*_OPEN):
                self.cartouche()
                self.emit("cartouche", start)
            elif ch in '"`':
                self.quoted(ch)
            elif self.at("{*"):
                end = text.find("*}", self.i + 2)
                if end < 0:
                    raise LexError("unterminated verbatim {* ...")
                self.i = end + 2
                self.emit("verbatim", start)
            elif self.at("\\<"):
                m = _SYMBOL.match(text, self.i)
                if m is None:
                    raise LexError(f"malformed symbol {text[self.i : self.i + 12]!r}")
                self.i = m.end()
                self.emit("symbol", start)
            elif _letter(ch):
                while True:
                    while self.i < n and _quasi(text[self.i]):
                        self.i += 1
                    if self.i + 1 < n and text[self.i] == "." and _letter(text[self.i + 1]):
                        self.i += 1
                        continue
                    break
                self.emit("word", start)
            elif ch.isascii() and ch.isdigit():
                while self.i < n and text[self.i].isascii() and text[self.i].isdigit():
                    self.i += 1
                if (
                    self.i + 1 < n
                    and text[self.i] == "."
                    and text[self.i + 1].isascii()
                    and text[self.i + 1].isdigit()
                ):
                    self.i += 1
                    while self.i < n and text[self.i].isascii() and text[self.i].isdigit():
                        self.i += 1
                self.emit("number", start)
            else:
                self.i += 1
                self.emit("symbol", start)
        return self.out


def scan(text: str) -> _Scanner:
    """The scanner after a full pass (tokens, comment and formal-comment spans). Raises LexError."""
    scanner = _Scanner(text)
    scanner.run()
    return scanner


def tokens(text: str) -> list[Token]:
    """The tokens of `text`, comments and formal comments dropped. Raises LexError."""
    return _Scanner(text).run()


def blank_comments(text: str) -> str:
    """`text` with every comment replaced by spaces (offsets and newlines kept)."""
    scanner = _Scanner(text)
    try:
        scanner.run()
    except LexError:
        return text
    chars = list(text)
    for start, end in scanner.comments:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "
    return "".join(chars)


def same_tokens(a: str, b: str) -> bool:
    """Whether two texts are the same source, whitespace and comments aside."""
    return [t.text for t in tokens(a)] == [t.text for t in tokens(b)]
