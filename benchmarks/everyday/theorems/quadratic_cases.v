Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_quadratic_cases :
  forall x : R, x = 1 \/ x = 2 -> x ^ 2 - 3 * x + 2 = 0.
Proof.
intros x [H | H]; subst; ring.
Qed.

(* The move it needs: a case split on a disjunction. *)
