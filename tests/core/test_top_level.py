"""The one bracket-depth scanner statements (corpus) and goals (candidates) split with."""

from prover.assistants.text import top_level
from prover.batch.summary import summarize
from prover.candidates.goal import split_top
from prover.corpus.statements import _top_level_index
from prover.results import ResultRecord


def test_top_level_skips_what_is_inside_brackets():
    text = "a (b : c) [d] {e} f"
    assert "".join(text[i] for i in top_level(text)) == "a    f"


def test_both_callers_split_only_outside_brackets():
    assert _top_level_index("(x : nat) : x = x := eq_refl", ":") == 10
    assert _top_level_index("(x := 1) : T := t", ":=") == 13
    assert _top_level_index("a :: b : T", ":") == 7
    assert split_top("(a -> b) -> c -> forall x, x -> x", "->") == [
        "(a -> b)",
        "c",
        "forall x, x -> x",
    ]


def test_a_batch_summary_sums_every_count_of_its_records():
    recs = [
        ResultRecord(
            name="a", system="coq", status="proved", expansions=3, tactic_calls=5, wall_seconds=2.0
        ),
        ResultRecord(
            name="b", system="coq", status="failed", expansions=4, tactic_calls=1, wall_seconds=1.0
        ),
    ]
    s = summarize(recs)
    assert (s.expansions, s.tactic_calls, s.wall_seconds) == (7, 6, 3.0)
    assert s.other_seconds == 3.0 and s.overhead_share == 1.0
