"""The Lean lexer on the constructs that decide what is code: comments, strings, chars, names."""

from __future__ import annotations

import pytest

from prover.lean.lexer import LexError, string_code, tokens


def texts(source: str) -> list[str]:
    return [t.text for t in tokens(source)]


def test_comments_nest_and_line_comments_end_at_newline():
    assert texts("a /- b /- c -/ d -/ e -- f\ng") == ["a", "e", "g"]
    assert texts("/-- doc -/ x /-! mod -/ y") == ["x", "y"]
    assert texts('"--" x') == ['"--"', "x"]  # `--` inside a string is text
    # As in Lean, a block comment does not know strings: it ends at the first `-/`.
    with pytest.raises(LexError, match="unterminated string"):
        tokens('/- "-/" -/ x')
    with pytest.raises(LexError, match="unterminated comment"):
        tokens("x /- /- -/ y")


def test_strings_escapes_raw_and_interpolation():
    toks = tokens(r'"a\"b" r"c\" r#"d"e"# x')
    assert [t.kind for t in toks] == ["string", "string", "string", "ident"]
    assert toks[0].text == r'"a\"b"' and toks[2].text == 'r#"d"e"#'
    assert texts('"line\\\n   gap" y') == ['"line\\\n   gap"', "y"]
    code = string_code(tokens('s!"n = {f sorry} \\{"')[1])
    assert [t.text for t in code] == ["f", "sorry"]
    with pytest.raises(LexError, match="unterminated string"):
        tokens('"open')


def test_chars_primes_and_image_notation():
    assert [t.kind for t in tokens("'a' '\\n' '\\''")] == ["char"] * 3
    assert texts("h' f '' s") == ["h'", "f", "''", "s"]


def test_names_escaped_dotted_and_positions():
    toks = tokens("x.«b c».d Nat.succ\n  exact?")
    assert toks[0].parts == ("x", "b c", "d") and toks[1].parts == ("Nat", "succ")
    assert toks[2].text == "exact?" and (toks[2].line, toks[2].column) == (2, 2)
    assert tokens("`foo ``bar")[0].kind == "name"
    assert tokens("#eval 1")[0].kind == "command"
    assert tokens("ℝ")[0].kind == "ident"
