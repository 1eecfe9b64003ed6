Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_abs_interval :
  forall x : R, Rabs (x - 1) < 2 -> -1 < x < 3.
Proof.
intros x H.
apply Rabs_def2 in H.
lra.
Qed.

(* The move it needs: case split on an absolute value. *)
