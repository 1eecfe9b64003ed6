"""The Lean lexer on the constructs that decide what is code: comments, strings, chars, names."""

from __future__ import annotations

import pytest

from prover.assistants.lean.lexer import LexError, string_code, tokens


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


# --- Lean's own rules (Lean.Parser.Basic, Init.Meta.Defs at v4.24.0), one test per rule ----
def kinds(source: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(source)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1run_tac", [("number", "1"), ("ident", "run_tac")]),
        ("0sorry", [("number", "0"), ("ident", "sorry")]),
        ("0x1set_option", [("number", "0x1"), ("ident", "set_option")]),
        ("0xdebug", [("number", "0xdeb"), ("ident", "ug")]),  # hex digits stop at `u`
        ("0b102", [("number", "0b10"), ("number", "2")]),
        ("0o78", [("number", "0o7"), ("number", "8")]),
        ("1_000_000x", [("number", "1_000_000"), ("ident", "x")]),
        ("1.5e10sorry", [("number", "1.5e10"), ("ident", "sorry")]),
        ("2E-3x", [("number", "2E-3"), ("ident", "x")]),
        ("2.sorry", [("number", "2."), ("ident", "sorry")]),  # the dot is always taken
        ("3.14", [("number", "3.14")]),
        (
            "h.1.exp",
            [("ident", "h"), ("symbol", "."), ("number", "1"), ("symbol", ".")]
            + [("ident", "exp")],
        ),  # after a glued dot: a field index, digits only
    ],
)
def test_numbers_end_where_lean_ends_them(source, expected):
    assert kinds(source) == expected


@pytest.mark.parametrize("source", ["2elab", "1e+", "0x", "0bz", "1_", "1__a", "1_run_tac"])
def test_malformed_numbers_are_errors_as_in_lean(source):
    with pytest.raises(LexError):
        tokens(source)


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("x⁻¹sorry", ["x", "sorry"]),  # superscripts are not digits to Lean
        ("x²y", ["x", "y"]),
        ("xᶜsorry", ["x", "sorry"]),  # modifier letters are not letters to Lean
        ("xˣsorry", ["x", "sorry"]),
        ("x٣y", ["x", "y"]),  # nor other scripts' digits and letters
        ("xиy", ["x", "y"]),
        ("α₁ xⱼ x_ᵢ ℝ 𝓞 ϕ ἀ", ["α₁", "xⱼ", "x_ᵢ", "ℝ", "𝓞", "ϕ", "ἀ"]),
        ("étonnant Ωmega", ["étonnant", "Ωmega"]),  # Latin-1, Greek
        ("x×y", ["x", "y"]),  # × and ÷ are excluded from Latin-1
        ("λx Πx Σx", ["x", "x", "x"]),  # λ, Π, Σ are symbols
        ("exact? simp! h'", ["exact?", "simp!", "h'"]),
    ],
)
def test_identifier_characters_are_leans(source, names):
    assert [t.text for t in tokens(source) if t.kind == "ident"] == names


def test_escaped_names_and_dots():
    assert tokens("a.«b.c».d")[0].parts == ("a", "b.c", "d")
    assert tokens("«multi\nline»")[0].parts == ("multi\nline",)
    assert kinds("h.1") == [("ident", "h"), ("symbol", "."), ("number", "1")]
    assert kinds("x.+") == [("ident", "x"), ("symbol", "."), ("symbol", "+")]
    with pytest.raises(LexError, match="«name»"):
        tokens("«open")


def test_raw_strings_have_no_escapes():
    assert kinds('1r"\\" sorry') == [("number", "1"), ("string", 'r"\\"'), ("ident", "sorry")]
    assert kinds('r#"a"b"# x') == [("string", 'r#"a"b"#'), ("ident", "x")]
    assert kinds('r##"a"#b"## x') == [("string", 'r##"a"#b"##'), ("ident", "x")]
    assert kinds("r #") == [("ident", "r"), ("symbol", "#")]  # not a raw string start
    assert kinds('xr"a"') == [("ident", "xr"), ("string", '"a"')]  # only at a token start


def test_string_escapes_are_leans():
    assert kinds('"\\x41\\u0041\\t\\r" x') == [("string", '"\\x41\\u0041\\t\\r"'), ("ident", "x")]
    for bad in ['"\\q"', '"\\x4"', '"\\u{41}"', '"\\u004"']:
        with pytest.raises(LexError):
            tokens(bad)
    with pytest.raises(LexError, match="second newline"):
        tokens('"a\\\n\n b"')


def test_interpolated_strings_read_both_ways():
    # Braces of an interpolated string are code, also when the string nests comments.
    toks = tokens('s!"a {f /- } -/ sorry} \\{ b" x')
    assert [t.text for t in toks[1].code] == ["f", "sorry"] and toks[-1].text == "x"
    assert tokens('"{"')[0].code == ()  # only a plain string: its brace is text
    with pytest.raises(LexError, match="interpolated"):
        tokens('s!"{ "a" ++ sorry }"')


def test_chars_as_lean_reads_them():
    assert kinds("'\"' x") == [("char", "'\"'"), ("ident", "x")]
    assert kinds("'\\x41'") == [("char", "'\\x41'")]
    for bad in ["'ab'", "' sorry", "'"]:
        with pytest.raises(LexError, match="character literal|end of the text"):
            tokens(bad)


def test_comments_as_lean_ends_them():
    assert texts("/-/-/ x") == ["x"]  # the character after `/-` is skipped
    assert texts("/--/ doc -/ y") == ["y"]
    assert texts("/-! a /- b -/ c -/ z") == ["z"]
    with pytest.raises(LexError, match="unterminated comment"):
        tokens("/-/")


def test_whitespace_is_ascii_as_in_lean():
    assert texts("a\r\nb") == ["a", "b"]
    with pytest.raises(LexError, match="tab"):
        tokens("a\tb")
    assert texts("-- a\ttab in a comment\nb") == ["b"]
    with pytest.raises(LexError, match="carriage"):
        tokens("a\rb")
    assert kinds("a\u00a0b")[1] == ("symbol", "\u00a0")  # not whitespace to Lean


def test_tokens_ending_in_a_quote_start_no_char_literal():
    assert texts("f⁻¹' {0}") == ["f", "⁻¹'", "{", "0", "}"]
    assert texts("∑' i, f i") == ["∑'", "i", ",", "f", "i"]
    assert texts("α ×' β") == ["α", "×'", "β"]
    # Elsewhere a quote after a symbol is a char literal, as in Lean: `('"')` hides nothing.
    assert texts("('\"') sorry") == ["(", "'\"'", ")", "sorry"]
