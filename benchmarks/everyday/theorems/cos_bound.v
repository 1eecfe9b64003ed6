Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_cos_bound :
  forall x : R, cos x - 1 <= 0.
Proof.
intros x.
destruct (COS_bound x).
lra.
Qed.

(* The move it needs: a library lemma about cos. *)
