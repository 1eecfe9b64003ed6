"""Template candidates on real Coq: each family proposes, from a goal Coq printed, a tactic
Coq accepts on it; and the search proves with templates what it cannot prove without them.

The search tests drive it with a scripted stand-in for the model (tests/scripted.py) that
only ever proposes `idtac.` (a useless model): every tactic still runs in the real coqtop
and every proof is re-checked by coqc.
"""

from __future__ import annotations

import jinja2
import pytest

from prover.assistants.base import Finished, Progress, Status
from prover.assistants.coq import create_env
from prover.candidates import (
    Candidate,
    CandidateSources,
    fixed_source,
    knn_source,
    merge,
    normalise,
    templates,
)
from prover.candidates.goal import parse_goal
from prover.candidates.templates import Context
from prover.methods import Budget
from prover.methods.search import best_first_search, next_width
from prover.prompts import PromptTemplate
from prover.theorem import Theorem
from tests.scripted import ScriptedGenerator

REALS = "Require Import Reals Lra Lia Psatz ZArith Arith.\nOpen Scope R_scope."
NATS = "Require Import Arith Lia Psatz."
DOUBLE = NATS + (
    "\nFixpoint double (n : nat) : nat := match n with 0 => 0 | S k => S (S (double k)) end."
)
TRIPLE = REALS + "\nDefinition g (x : R) : R := 3 * x."
TEMPLATE = PromptTemplate("test", jinja2.Template("Goals:{{ state }}"), ("\n",))


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=10.0, portfolio=False)
    yield e
    e.close()


# (header, statement, tactics run first, the template expected, what Coq answers to it)
FAMILIES = {
    "intros": (REALS, "forall x : R, x = x", [], "intros.", Progress),
    "split": (REALS, "1 + 1 = 2 /\\ 2 * 2 = 4", [], "split.", Progress),
    "destruct_and": (
        REALS,
        "forall x y : R, x > 0 /\\ y > 0 -> x + y > 0",
        ["intros."],
        "destruct H as [Ha Hb].",
        Progress,
    ),
    "destruct_or": (
        REALS,
        "forall x : R, x = 1 \\/ x = 2 -> x > 0",
        ["intros."],
        "destruct H as [H | H].",
        Progress,
    ),
    "destruct_exists": (
        NATS,
        "forall n : nat, (exists k, n = 2 * k) -> exists m, n + n = 4 * m",
        ["intros."],
        "destruct H as [k Hk].",
        Progress,
    ),
    "subst": (
        REALS,
        "forall x y : R, x = 2 -> y = x + 1 -> y = 3",
        ["intros."],
        "subst x.",
        Progress,
    ),
    "rewrite": (
        REALS,
        "forall x y : R, x = 2 -> y = x + 1 -> y = 3",
        ["intros."],
        "rewrite H0.",
        Progress,
    ),
    "rewrite_in": (
        REALS,
        "forall x y : R, x = 2 -> y = x + 1 -> y = 3",
        ["intros."],
        "rewrite H in H0.",
        Progress,
    ),
    "rewrite_def": (
        REALS,
        "forall f : R -> R, (forall x, f x = 2 * x + 3) -> f 4 = 11",
        ["intros."],
        "rewrite !H.",
        Progress,
    ),
    "unfold": (TRIPLE, "g 2 = 6", [], "unfold g.", Progress),
    "simpl": (DOUBLE, "forall n, double n = 2 * n", ["induction n."], "simpl.", Progress),
    "simpl_lia": (
        DOUBLE,
        "forall n, double n = 2 * n",
        ["induction n.", "reflexivity."],
        "simpl; lia.",
        Finished,
    ),
    "induction": (NATS, "forall n : nat, 2 * n = n + n", ["intros."], "induction n.", Progress),
    "induction_nia": (
        NATS,
        "forall n : nat, 2 * n = n + n",
        ["intros."],
        "induction n; simpl; nia.",
        Finished,
    ),
    "exists": (NATS, "exists m : nat, m + 2 = 4", [], "exists 2%nat.", Progress),
    "nra_squares": (
        REALS,
        "forall x y : R, 2 * x * y <= x ^ 2 + y ^ 2",
        ["intros."],
        "pose proof (pow2_ge_0 (x - y)); nra.",
        Finished,
    ),
    "nia_squares": (
        REALS,
        "forall a b : Z, (2 * a * b <= a * a + b * b)%Z",
        ["intros."],
        "pose proof (Z.square_nonneg (a - b)); nia.",
        Finished,
    ),
    "split_rabs": (
        REALS,
        "forall x : R, Rabs (x - 1) < 2 -> x < 3",
        ["intros."],
        "split_Rabs; lra.",
        Finished,
    ),
    "bounds": (
        REALS,
        "forall x : R, cos x - 1 <= sqrt 2",
        ["intros."],
        "pose proof (COS_bound x); pose proof (sqrt_pos 2); nra.",
        Finished,
    ),
    "sqrt_pow2": (
        REALS,
        "forall x : R, 0 <= x -> sqrt (x ^ 2) = x",
        ["intros."],
        "rewrite (sqrt_pow2 x).",
        Progress,
    ),
    "rabs_lemma": (
        REALS,
        "forall x : R, -1 <= x <= 1 -> Rabs x <= 1",
        ["intros."],
        "apply Rabs_le.",
        Progress,
    ),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_yields_a_tactic_coq_accepts(env, family):
    header, statement, before, expected, outcome = FAMILIES[family]
    state = env.open(Theorem("t", "coq", f"Theorem t : {statement}.", header))
    for tactic in before:
        state = env.run_tactic(state, tactic).state
    proposed = templates(state.text, Context(header))
    assert expected in [c.tactic for c in proposed], (state.text, proposed)
    assert all(c.source == "template" and c.logprob < 0 for c in proposed)
    result = env.run_tactic(state, expected)
    assert isinstance(result, outcome), result.message
    if outcome is Progress:
        assert result.state.key != state.key  # it did something


def test_a_printed_goal_is_read_into_hypotheses_and_conclusion():
    text = (
        "x, y : R\nc := 3 : R\nh0 : x + y =\n     10\nH : exists k : nat, k = 2 /\\ k > 0\n"
        "============================\nx * y <= 25\n\nx = 1"
    )
    goal = parse_goal(text)
    assert [(h.name, h.type, h.defined) for h in goal.hyps] == [
        ("x", "R", False),
        ("y", "R", False),
        ("c", "R", True),
        ("h0", "x + y = 10", False),
        ("H", "exists k : nat, k = 2 /\\ k > 0", False),
    ]
    assert goal.conclusion == "x * y <= 25"  # the first goal only
    assert goal.variables("R") == ["x", "y"]  # c is a local definition, not a variable
    assert parse_goal("No more goals.") is None and templates("not a goal") == []
    # the existential's conjunction is inside it: destruct it whole, not as a conjunction
    tactics = [c.tactic for c in templates(text)]
    assert "destruct H as [k Hk]." in tactics and "subst c." not in tactics


def test_merge_dedupes_by_normalised_text_and_ranks_by_score():
    model = [Candidate("lia.", -0.9, "model"), Candidate("intros  x.", -0.1, "model")]
    other = [
        Candidate("lia", -0.2, "template"),
        Candidate("split.", -0.5, "template"),
        Candidate("intros x.", -0.05, "knn"),
    ]
    merged = merge(model, other)
    assert [(c.tactic, c.source) for c in merged] == [
        ("intros x.", "model"),  # the best score, attributed to the model that also had it
        ("lia", "model"),
        ("split.", "template"),
    ]
    assert [c.logprob for c in merged] == [-0.05, -0.2, -0.5]
    assert normalise(" lia. ") == normalise("lia") == "lia"
    with pytest.raises(ValueError, match="unknown candidate source"):
        Candidate("lia.", -1.0, "oracle")


def test_knn_and_fixed_sources_and_the_switchboard():
    calls = []

    def predict(goal: str, k: int) -> list[tuple[str, float]]:
        calls.append((goal, k))
        return [("auto.", -0.3), ("", -0.1), ("lia.", 0.5)]

    assert knn_source(predict, k=3)("G") == [
        Candidate("auto.", -0.3, "knn"),
        Candidate("lia.", 0.0, "knn"),  # a score above 0 is capped: it must rank as a log-prob
    ]
    assert calls == [("G", 3)]
    assert fixed_source(["lia."], -0.1)("anything") == [Candidate("lia.", -0.1, "automation")]
    assert CandidateSources(templates=False).for_theorem() == []
    assert len(CandidateSources(templates=True, knn=predict).for_theorem()) == 2


def test_model_width_doubles_on_duplicates_up_to_a_cap():
    assert next_width(8, 3, 8) == 16  # 3 distinct of 8: ask for more next time
    assert next_width(8, 4, 8) == 8
    assert next_width(32, 2, 8) == 32  # at most 4 x samples


USELESS = [("", [("idtac.", -0.1)])]  # a model that proposes nothing that helps


def test_only_beam_calls_widen_sampling_calls_keep_their_samples(env):
    """Beams that agree widen the next beam call; a sampling attempt (temperature above 0)
    asks for `samples` whatever the beams did: more samples at a low temperature gave the
    same few tactics for several times the seconds."""
    theorem = Theorem("t", "coq", "Theorem t : 1 = 2.", NATS)
    gen = ScriptedGenerator(USELESS)
    budget = Budget(samples=4, expansions=1, attempts=3, temperatures=(0.0, 0.0, 0.4))
    r = best_first_search(
        theorem, env, gen, budget, ("lia.",), template=TEMPLATE, candidates=CandidateSources()
    )
    assert r.status is Status.FAILED
    assert [(p.n, p.temperature) for p in gen.calls] == [(4, 0.0), (8, 0.0), (4, 0.4)]
    assert r.extra["model_widths"] == {4: 2, 8: 1}


EXISTS = "Theorem t : forall n : nat, (exists k, n = 2 * k) -> exists m, n + n = 4 * m."
FUNCTION = "Theorem t : forall f : R -> R, (forall x, f x = 2 * x + 3) -> f 4 = 11."


@pytest.mark.parametrize(
    ("header", "statement", "portfolio"),
    [(NATS, EXISTS, ("lia.", "intros; lia.")), (REALS, FUNCTION, ("lra.", "intros; lra."))],
)
def test_the_search_proves_with_templates_what_it_cannot_without(env, header, statement, portfolio):
    theorem = Theorem("t", "coq", statement, header)
    # two beam attempts: the useless model's agreeing beams widen the second one's call
    budget = Budget(samples=4, expansions=12, wall_limit=120, temperatures=(0.0, 0.0))

    def search(sources: CandidateSources):
        gen = ScriptedGenerator(USELESS)
        return best_first_search(
            theorem, env, gen, budget, portfolio, template=TEMPLATE, candidates=sources
        )

    off = search(CandidateSources(templates=False))
    assert off.status is Status.FAILED
    on = search(CandidateSources(templates=True))
    assert on.status is Status.PROVED, on.reason
    assert on.extra["proof_sources"]["template"] >= 2  # intros and the step that needs a name
    assert on.extra["candidates_run"]["template"] >= 2 and on.extra["candidates_run"]["model"]
    # the model present: the useless model's duplicates widened its next beam call
    assert on.extra.get("model_widths") or off.extra.get("model_widths")


def test_templates_alone_expand_without_a_model(env):
    theorem = Theorem("t", "coq", FUNCTION, REALS)
    r = best_first_search(
        theorem,
        env,
        None,
        Budget(expansions=8, wall_limit=60),
        ("lra.",),
        candidates=CandidateSources(),
    )
    assert r.status is Status.PROVED and r.model_calls == 0
    assert r.proof.split("\n")[:2] == ["intros.", "rewrite !H."]
    # the portfolio method (no sources) stays the automation alone
    alone = best_first_search(theorem, env, None, Budget(wall_limit=60), ("lra.",))
    assert alone.status is Status.FAILED and alone.expansions == 0


@pytest.mark.parametrize(
    ("header", "statement", "witness"),
    [
        (REALS, "Theorem t : exists x : R, 2 * x + 1 = 7.", "exists 3%R."),
        (REALS, "Theorem t : exists x : R, 3 * x = 2 /\\ 0 < x.", "exists (2/3)%R."),
        (NATS, "Theorem t : exists n : nat, 3 * n + 5 = 17.", "exists 4%nat."),
    ],
)
def test_an_existential_gets_the_witness_that_solves_its_equation(env, header, statement, witness):
    """The witness is none of the goal's numbers nor 0, 1, 2: it is solved for."""
    theorem = Theorem("t", "coq", statement, header)
    state = env.open(theorem)
    assert witness in [c.tactic for c in templates(state.text, Context(header))]
    r = best_first_search(
        theorem,
        env,
        None,
        Budget(expansions=4, wall_limit=60),
        ("lra.", "lia."),
        candidates=CandidateSources(),
    )
    assert r.status is Status.PROVED and r.proof.startswith(witness)


def test_no_witness_is_solved_from_what_is_not_plain_arithmetic():
    from prover.candidates.templates import _solved_witnesses

    assert _solved_witnesses("f x = 2", ("x",), "%R") == []
    assert _solved_witnesses("2 * x = 5", ("x",), "%Z") == []  # no integer solves it
    assert _solved_witnesses("x + 3 = 1", ("x",), "%nat") == []  # nor a natural
    assert _solved_witnesses("x * x = 4", ("x",), "%Z") == ["(-2)%Z", "2%Z"]
