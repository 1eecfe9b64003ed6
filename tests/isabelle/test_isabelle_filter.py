"""The Isabelle lexer reads as Isabelle reads, and the filter matches names as Isabelle resolves them."""

from __future__ import annotations

import pytest

from prover.assistants.isabelle import textfilter
from prover.assistants.isabelle.lexer import LexError, tokens


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in tokens(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An identifier starts with an ASCII letter: a number ends at its last digit.
        ("1sorry", [("number", "1"), ("word", "sorry")]),
        ("2.5x", [("number", "2.5"), ("word", "x")]),
        ("1.sorry", [("number", "1"), ("symbol", "."), ("word", "sorry")]),
        # `_` and `'` continue an identifier but do not start one.
        ("_sorry", [("symbol", "_"), ("word", "sorry")]),
        ("x_1' y", [("word", "x_1'"), ("word", "y")]),
        # Long identifiers: `.` followed by a letter; `..` is the proof command.
        ("Pure.tactic", [("word", "Pure.tactic")]),
        ("foo..bar", [("word", "foo"), ("symbol", "."), ("symbol", "."), ("word", "bar")]),
        ("x.1", [("word", "x"), ("symbol", "."), ("number", "1")]),
        # Symbols are tokens of their own; non-ASCII letters split words (conservative).
        ("\\<proof>", [("symbol", "\\<proof>")]),
        ("x\\<^sub>1", [("word", "x"), ("symbol", "\\<^sub>"), ("number", "1")]),
        ("\u03b1sorry", [("symbol", "\u03b1"), ("word", "sorry")]),
        # Vertical tab is a blank.
        ("a\x0bb", [("word", "a"), ("word", "b")]),
        # Strings (with escapes), alternative strings, verbatim, cartouches.
        ('"a\\"b" c', [("string", '"a\\"b"'), ("word", "c")]),
        ("`x` y", [("string", "`x`"), ("word", "y")]),
        ("{* sorry *} x", [("verbatim", "{* sorry *}"), ("word", "x")]),
        (
            "\\<open>a \u2039b\u203a\\<close> c",
            [("cartouche", "\\<open>a \u2039b\u203a\\<close>"), ("word", "c")],
        ),
        # Comments nest, and quotes inside them mean nothing; formal comments are dropped.
        ('(* (* " *) *) sorry', [("word", "sorry")]),
        ("\\<comment> \\<open>sorry\\<close> by", [("word", "by")]),
        ("\u2014 \u2039sorry\u203a by", [("word", "by")]),
        ("\\<^cancel>\u2039x\u203a by", [("word", "by")]),
    ],
)
def test_tokens_follow_isabelles_outer_lexer(text, expected):
    assert kinds(text) == expected


def test_string_content_decodes_escapes_and_keeps_symbols():
    (s,) = tokens('"t\\097ctic \\<alpha> \\\\ \\""')
    assert s.content == 'tactic \\<alpha> \\ "'


@pytest.mark.parametrize(
    "text", ["(* open", '"open', "\\<open> open", "{* open", "\\<foo", "\\< sorry >"]
)
def test_unterminated_or_malformed_text_does_not_lex(text):
    with pytest.raises(LexError):
        tokens(text)
    assert textfilter.refusals(text)[0].startswith("text that does not lex")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # Qualified names are matched by their last component.
        ("by (Pure.tactic \u2039Skip_Proof.cheat_tac @{context} 1\u203a)", "Pure.tactic"),
        ("by (Pure.raw_tactic \u2039K all_tac\u203a)", "Pure.raw_tactic"),
        ("apply (Tactic.tactic \u2039all_tac\u203a)", "Tactic.tactic"),
        ("using [[SMT.smt_oracle]] by smt", "SMT.smt_oracle"),
        ("using [[Goal.quick_and_dirty = true]] by auto", "Goal.quick_and_dirty"),
        # A name written as a string (Parse.xname accepts strings), escapes decoded.
        ('by ("tactic" \u2039all_tac\u203a)', '"tactic"'),
        ('by ("Pure.raw_tactic" \u2039K all_tac\u203a)', '"Pure.raw_tactic"'),
        ('by ("t\\097ctic" \u2039all_tac\u203a)', '"t\\097ctic"'),
        ('using [["smt_oracle"]] by smt', '"smt_oracle"'),
        ("using [[\u2039quick_and_dirty\u203a]] by auto", "\u2039quick_and_dirty\u203a"),
        # Words the old lexer glued to a number or an underscore.
        ("apply auto\nprefer 1sorry", "sorry"),
        ("apply auto _sorry", "sorry"),
        ("by auto 0oops", "oops"),
        # Verbatim text is read as source too.
        ("using {* x *} by auto {* sorry *}", "sorry"),
        # Antiquotations that compile ML or run a method, in any text.
        ("\\<comment> \u2039@{ML \u2039Skip_Proof.make_thm\u203a}\u203a by auto", "@{ML"),
        ('by auto\ntext \u2039@{lemma "False" by (tactic \u2039all_tac\u203a)}\u203a', "@{lemma"),
        ('have "x" using "\\<^ML>\u2039all_tac\u203a" by auto', "\\<^ML>"),
        # Theory-level commands after the proof (they could shadow the audited name).
        ("by eval\nlemmas toy.toy = TrueI", "lemmas"),
        ('by auto\ndefinition x where toy: "x = 1"', "definition"),
        ("by auto\nhide_fact toy", "hide_fact"),
        # The code generator's trust base.
        ('by auto\ncode_printing constant True \u21c0 (SML) "false"', "code_printing"),
        ("by auto\ncode_reflect X functions f", "code_reflect"),
        # A Unicode spelling the filter cannot classify.
        ("by auto \u220e", "U+220E"),
    ],
)
def test_filter_refuses_each_class(text, found):
    refused = textfilter.refusals(text)
    assert refused and found in refused[0], (text, refused)


@pytest.mark.parametrize(
    "text",
    [
        "by simp",
        "by auto",
        "by (simp add: field_simps)",
        "by (auto simp: algebra_simps power2_eq_square)",
        "by (metis add.commute mult.assoc)",
        "by (smt (verit) add_pos_pos)",
        "by (smt (z3) mult_strict_mono)",
        "by sos",
        "by eval",
        "by normalization",
        "using assms by (simp add: eval_nat_numeral)",
        'proof -\n  have h: "x = 1" using assms by linarith\n  then show ?thesis by simp\nqed',
        "proof (induct n)\n  case 0\n  then show ?case by simp\nnext\n  case (Suc n)\n  then show ?case by auto\nqed",
        "apply (rule_tac x=1 in exI)\n  apply simp\n  done",
        "(* sorry, ML and tactic in a comment *) by auto",
        '\\<comment> \\<open>not a "sorry", no tactic\\<close>\nby auto',
        'using "tactic_lemma" by auto',  # a string that is not a refused name
        "using h0 h1 by (simp add: Pure.eq_reflection)",
        "by (simp add: x\\<^sub>1_def)",
        "by (auto simp: \u2039x = 1\u203a)",
    ],
)
def test_honest_proofs_pass_the_filter(text):
    assert textfilter.refusals(text) == []


def test_header_allows_its_own_theory_line_and_definitions_but_not_cheats():
    header = (
        "theory toy imports Complex_Main\nbegin\n"
        'definition f :: "nat \\<Rightarrow> nat" where "f n = n + 1"\n'
        'fun g :: "nat \\<Rightarrow> nat" where "g 0 = 0" | "g (Suc n) = g n"\n'
    )
    assert textfilter.refusals(header, "header") == []
    for extra, found in [
        ('code_printing constant HOL.False \\<rightharpoonup> (SML) "true"\n', "code_printing"),
        ("declare [[smt_oracle]]\n", "smt_oracle"),
        ("declare [[quick_and_dirty = true]]\n", "quick_and_dirty"),
        ("oracle cheat = \\<open>fn ct => ct\\<close>\n", "oracle"),
        ("ML \\<open>val x = 1\\<close>\n", "ML"),
        ('lemma h: "False" sorry\n', "sorry"),
        ("axiomatization where ax: False\n", "axiomatization"),
        ("context begin end\n", "end"),
    ]:
        refused = textfilter.refusals(header + extra, "header")
        assert refused and found in refused[0], extra
    for imports in ['"/tmp/Evil"', '"~/Evil"', '"../x/Evil"', '"$AFP/Evil"']:
        refused = textfilter.refusals(header.replace("Complex_Main", imports), "header")
        assert refused and "file path" in refused[0], imports
    for imports in ['"HOL-Library.Sum_of_Squares"', "HOL-Library.Code_Target_Numeral", "Main"]:
        assert textfilter.refusals(header.replace("Complex_Main", imports), "header") == []
    with pytest.raises(ValueError, match="part"):
        textfilter.refusals(header, "statement")


def test_code_oracle_methods_are_named_for_the_static_stage():
    assert textfilter.code_oracle_methods("by eval") == ["eval"]
    assert textfilter.code_oracle_methods("apply (HOL.normalization)\ndone") == [
        "HOL.normalization"
    ]
    assert textfilter.code_oracle_methods("by (simp add: eval_nat_numeral)") == []


def test_every_benchmark_theory_splits_as_the_loader_splits_and_passes_the_filter(data_dir):
    """The token-based file split agrees with the benchmark loader on all 488 upstream
    theories, and no benchmark header or statement trips the filter (so the header filter
    applies to trusted and untrusted headers alike without refusing a benchmark theorem)."""
    import json

    from prover.assistants.isabelle.check import refusal, split_file
    from prover.assistants.isabelle.lexer import same_tokens
    from prover.datasets import load_benchmark

    theorems = {t.name: t for t in load_benchmark("minif2f-isabelle", "all", data_dir)}
    rows = [json.loads(line) for line in (data_dir / "minif2f-isabelle" / "minif2f.jsonl").open()]
    assert len(rows) == len(theorems) == 488
    for r in rows:
        found, _ = split_file(r["isabelle_theory"], r["name"])
        t = theorems[r["name"]]
        assert same_tokens(found.header, t.header) and same_tokens(found.statement, t.statement)
        assert refusal(t, "by auto") is None, r["name"]


def test_the_upstream_proofs_pass_the_static_stage(data_dir, tmp_path):
    """The 488 upstream theory files as `prover check --static` reads them: the 147 with a
    proof (53 structured Isar proofs, 46 using eval) pass, the rest end in `sorry`."""
    import json

    from prover.assistants.isabelle.check import static_check

    passed, code, refused = 0, 0, set()
    for line in (data_dir / "minif2f-isabelle" / "minif2f.jsonl").open():
        r = json.loads(line)
        path = tmp_path / f"{r['name']}.thy"
        path.write_text(r["isabelle_theory"], encoding="utf-8")
        v = static_check(path, None, r["name"])
        if v.ok:
            passed += 1
            code += bool(v.details["code_oracle_methods"])
        else:
            refused.add(v.reason)
    assert (passed, code) == (147, 46)
    assert refused == {"the proof contains sorry (an unfinished proof)"}
