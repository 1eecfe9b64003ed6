"""Reading source sentences: declarations, tactics, premises, the statement normal form."""

from __future__ import annotations

from prover.corpus.statements import (
    ModulePath,
    declaration,
    is_tactic,
    normalize_statement,
    premises,
)


def test_a_declaration_gives_its_statement_with_binders_as_forall():
    d = declaration("Lemma f (x : R) : 0 <= x * x.")
    assert (d.kind, d.name, d.statement) == ("Lemma", "f", "forall (x : R), 0 <= x * x")
    assert declaration("Theorem g : forall n, n = n := fun n => eq_refl.").statement == (
        "forall n, n = n"
    )
    assert declaration("#[global] Instance foo : bar.") is None
    assert declaration("Definition sq (x : nat) := x * x.") is None


def test_statements_compare_whatever_their_layout_and_name():
    a = "Theorem amc12b_2002_p2 (x : Z) (h0 : x = 4) :\n  (3 * x - 2) = 11."
    b = "Lemma copy (x:Z) (h0:x=4): (3*x-2) = 11."
    assert normalize_statement(a) == normalize_statement(b)
    assert normalize_statement(a) != normalize_statement(b.replace("11", "12"))


def test_tactics_are_told_from_bullets_braces_and_commands():
    assert is_tactic("intros x y.") and is_tactic("2: lia.") and is_tactic("(apply H).")
    for s in ("-", "++", "{", "}", "2:{", "Proof.", "Qed.", "Check x.", "Defined."):
        assert not is_tactic(s), s


def test_premises_are_library_names_not_hypotheses():
    state = "x : R\nRabs_pos : 0 <= x\n============================\n0 <= Rabs x"
    names = {"Rabs_pos", "Rle_trans", "add_comm"}
    assert premises("apply Rle_trans with (Rabs x).", state, names) == ["Rle_trans"]
    assert premises("exact Rabs_pos.", state, names) == []  # a hypothesis of that name
    assert premises("rewrite Nat.add_comm.", state, names) == ["Nat.add_comm"]


def test_modules_qualify_names_and_sections_do_not():
    path = ModulePath()
    for s in ("Module Nat.", "Section S.", "Module Type T.", "End T.", "End S."):
        path.feed(s)
    assert path.modules == ["Nat"]
    path.feed("End Nat.")
    assert path.modules == []
