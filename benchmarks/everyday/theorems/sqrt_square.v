Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_sqrt_square :
  forall x : R, 0 <= x -> sqrt (x ^ 2) = x.
Proof.
intros x H.
apply sqrt_pow2.
exact H.
Qed.

(* The move it needs: a library lemma about sqrt. *)
