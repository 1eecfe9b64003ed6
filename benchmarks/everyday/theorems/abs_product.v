Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_abs_product :
  forall x y : R, Rabs (x * y) <= 1 -> Rabs x * Rabs y <= 1.
Proof.
intros x y H.
rewrite <- Rabs_mult.
exact H.
Qed.

(* The move it needs: a library lemma about Rabs. *)
