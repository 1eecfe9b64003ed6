"""Baselines inside the same harness, on the live Coq backend: COPRA-style agent, ReProver-style seq2seq."""

from __future__ import annotations

import pytest

from prover.assistants.base import Status
from prover.assistants.coq import create_env
from prover.methods import Budget, prove
from prover.methods.copra import _Frame, as_chat_model, render_messages
from prover.methods.search import best_first_search
from prover.models import load_generator
from prover.models.base import Sample, SamplingParams
from prover.theorem import Theorem
from tests.tiny_models import tiny_t5

THM = Theorem(
    "t", "coq", "Theorem t : forall a b : nat, a = b -> b + 0 = a.", "Require Import Arith Lia."
)


@pytest.fixture(scope="module")
def env():
    e = create_env(tactic_timeout=5.0)
    yield e
    e.close()


class ScriptedChat:
    """A scripted stand-in for a chat model (GPT-4 cannot be called here); it records what it was shown."""

    def __init__(self, replies: list[str]):
        self.replies, self.seen = list(replies), []

    def chat(self, messages, params: SamplingParams):
        self.seen.append(messages[-1]["content"])
        return [Sample(self.replies.pop(0), -1.0, 3)] if self.replies else []


def test_copra_backtracks_and_shows_errors_in_the_prompt(env):
    chat = ScriptedChat(
        [
            "intros a b H.",  # ok
            "apply no_lemma.",  # error: shown in the next prompt
            "exfalso.",  # ok, but a dead end (False cannot be shown)
            "apply x.",
            "apply y.",
            "apply z.",
            "apply w.",  # four failures: abandon, back to the parent
            "subst. lia.",  # proves it
        ]
    )
    r = prove(THM, "copra", Budget(expansions=20), env, chat)
    assert r.status is Status.PROVED, r.reason
    assert r.proof.split() == ["intros", "a", "b", "H.", "subst.", "lia."]
    assert "no_lemma" in chat.seen[2]  # the error message reached the model
    assert (
        "exfalso." in chat.seen[-1] and "dead end" in chat.seen[-1]
    )  # and so did the abandoned branch
    assert r.model_calls == 8


def test_copra_query_budget(env):
    chat = ScriptedChat(["idtac."] * 10)
    r = prove(THM, "copra", Budget(expansions=3), env, chat)
    assert r.status is Status.FAILED and r.model_calls <= 3


def test_copra_with_the_embedded_chat_model(env):
    model = as_chat_model(load_generator("embedded"))
    r = prove(THM, "copra", Budget(expansions=2, max_tokens=16), env, model)
    assert r.status in (Status.PROVED, Status.FAILED) and 1 <= r.model_calls <= 2
    prompt = render_messages(THM, [_Frame(env.open(THM), "")])[1]["content"]
    assert "Current goals" in prompt and "a = b -> b + 0 = a" in prompt


def test_reprover_style_seq2seq_model_in_the_same_search(env, tmp_path):
    """ReProver's generator is a ByT5 seq2seq model; a tiny random one (made here) drives the same search."""
    tiny_t5(tmp_path)
    gen = load_generator(str(tmp_path))
    r = best_first_search(
        THM,
        env,
        gen,
        Budget(samples=2, expansions=2, max_tokens=6),
        portfolio_tactics=("intros; lia.",),
    )
    # The portfolio proves it at the root whatever the random model says; the run is a real search.
    assert r.status is Status.PROVED and r.proof.strip() == "intros; lia."
    r = best_first_search(THM, env, gen, Budget(samples=2, expansions=2, max_tokens=6))
    assert r.status is Status.FAILED and r.model_calls >= 1
