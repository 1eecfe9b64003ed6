"""Splitting Coq text into sentences: the unit coqtop runs and the checks inspect."""

import pytest

from prover.assistants.coq.sentences import SentenceError, split_sentences


def test_periods_comments_strings_bullets_braces():
    text = "intros n. (* a (* nested *) comment. *) - simpl. + auto. rewrite Nat.add_0_r. { lia. } ** now apply H..."
    assert split_sentences(text) == [
        "intros n.",
        "-",
        "simpl.",
        "+",
        "auto.",
        "rewrite Nat.add_0_r.",
        "{",
        "lia.",
        "}",
        "**",
        "now apply H...",
    ]


def test_qualified_names_and_strings_do_not_end_sentences():
    text = 'Require Import Coq.Reals.Reals.\nOpen Scope R_scope.\nDefinition x := "a. b".'
    assert split_sentences(text) == [
        "Require Import Coq.Reals.Reals.",
        "Open Scope R_scope.",
        'Definition x := "a. b".',
    ]


def test_comments_cannot_hide_text_from_the_checks():
    assert split_sentences("(* Admitted. *) lia.") == ["lia."]


@pytest.mark.parametrize("text", ["intros n", "lia. (* unclosed", 'idtac "unclosed.'])
def test_unfinished_text_is_an_error(text):
    with pytest.raises(SentenceError):
        split_sentences(text)
