"""miniF2F-isabelle: the formal statement of every one of the 488 theories, cut before its proof."""

from __future__ import annotations

import json
import re

from prover.assistants.isabelle import theory
from prover.datasets import load_benchmark
from prover.datasets.minif2f_isabelle import split_theory

PROOF_START = re.compile(r"(proof|by|sorry|oops|apply|using|unfolding|\.)")


def test_statement_extraction_on_all_theories(data_dir):
    theorems = load_benchmark("minif2f-isabelle", "all", data_dir)
    assert len(theorems) == 488
    assert sum(t.split == "test" for t in theorems) == 244
    raw = {
        r["name"]: r["isabelle_theory"]
        for r in map(json.loads, (data_dir / "minif2f-isabelle" / "minif2f.jsonl").open())
    }
    without_shows = 0
    for t in theorems:
        text = raw[t.name]
        assert re.match(rf"theorem\s+{t.name}\b", t.statement), t.name
        plain = theory.blank_strings(t.statement)
        assert not re.search(r"\b(sorry|proof|by|oops|apply)\b", plain), t.name
        assert "sorry" not in t.statement, t.name
        # header + statement is a prefix of the upstream theory, and a proof command follows.
        assert text.startswith(t.header.strip()), t.name
        after = text[text.index(t.statement) + len(t.statement) :].lstrip()
        assert PROOF_START.match(after), (t.name, after[:30])
        upstream_main = text[text.index(t.statement) :]
        upstream_statement = upstream_main[: len(upstream_main) - len(after)]
        if re.search(r"\bshows\b", theory.blank_strings(upstream_statement)):
            assert re.search(r"\bshows\b", theory.blank_strings(t.statement)), t.name
        else:
            # The other form: `theorem NAME: "proposition"` (optionally `(is ...)`).
            without_shows += 1
            assert re.match(rf'theorem\s+{t.name}\s*:\s*"', t.statement), t.name
        assert t.informal_statement and t.informal_proof is not None
    assert without_shows == 82
    helpers = {t.name: t.header for t in theorems}
    assert "definition inv_mod" in helpers["mathd_numbertheory_764"]
    assert "function digits" in helpers["amc12a_2020_p4"]


def test_statement_cut_ignores_keywords_in_comments_and_strings():
    text = (
        'theory T imports Main\nbegin\n(* theorem T: by *)\ntheorem T:\n  assumes "x = (by::nat)"\n'
        '  shows "x = by" (* proof *)\n  by simp\nend\n'
    )
    header, statement = split_theory(text, "T")
    assert header.rstrip().endswith("(* theorem T: by *)")
    assert statement.startswith("theorem T:") and statement.rstrip().endswith("(* proof *)")
