"""A lexer of Isabelle's outer syntax: which words are commands and which are text.

A banned word inside a comment, a string or a cartouche is text; outside, it is a command or
a method. Blanking comments first and strings second (as a regex pass does) is wrong both
ways: a comment may hold a quote (`(* " *) sorry`) and a string may hold `(*`. This scans
once, left to right, as Isabelle's outer lexer does (Pure/Isar/token.ML):

- comments `(* ... *)`, nested;
- formal comments: `\\<comment>` (or `—`), `\\<^cancel>`, `\\<^marker>` followed by a cartouche;
- cartouches `\\<open> ... \\<close>` or `‹ ... ›`, nested;
- strings `"..."` and alternative strings `` `...` `` (backslash escapes), verbatim `{* ... *}`;
- symbols `\\<name>` as tokens of their own (`\\<proof>` is the command `sorry` spelled as a
  symbol);
- identifiers and long names (`HOL-Library.Sum_of_Squares` is a name made of several tokens;
  callers compare token texts), numbers, and every other character as a symbol.
"""

from __future__ import annotations

from dataclasses import dataclass

from prover.nesting import nested_end


class LexError(ValueError):
    """Unterminated comment, string or cartouche."""


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | cartouche | symbol
    text: str
    start: int
    end: int


_OPEN = ("\\<open>", "‹")
_CLOSE = ("\\<close>", "›")
_FORMAL_COMMENT = ("\\<comment>", "—", "\\<^cancel>", "\\<^marker>")


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_'."


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.out: list[Token] = []
        self.comments: list[tuple[int, int]] = []

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

    def run(self) -> list[Token]:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch in " \t\r\n\f":  # Isabelle's blanks
                self.i += 1
            elif self.at("(*"):
                self.comment()
            elif marker := self.at(*_FORMAL_COMMENT):
                start = self.i
                self.i += len(marker)
                while self.i < len(text) and text[self.i].isspace():
                    self.i += 1
                if self.at(*_OPEN):
                    self.cartouche()
                self.comments.append((start, self.i))
            elif self.at(*_OPEN):
                start, end = self.cartouche()
                self.out.append(Token("cartouche", text[start:end], start, end))
            elif ch in '"`':
                self.quoted(ch)
            elif self.at("{*"):
                end = text.find("*}", self.i)
                if end < 0:
                    raise LexError("unterminated verbatim {* ...")
                self.out.append(Token("string", text[self.i : end + 2], self.i, end + 2))
                self.i = end + 2
            elif self.at("\\<"):
                end = text.find(">", self.i)
                end = len(text) if end < 0 else end + 1
                self.out.append(Token("symbol", text[self.i : end], self.i, end))
                self.i = end
            elif _word_char(ch) and ch != ".":
                start = self.i
                while self.i < len(text) and _word_char(text[self.i]):
                    self.i += 1
                word = text[start : self.i].rstrip(".")
                self.i = start + len(word)
                self.out.append(Token("word", word, start, self.i))
            else:
                self.out.append(Token("symbol", ch, self.i, self.i + 1))
                self.i += 1
        return self.out


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
