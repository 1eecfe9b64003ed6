Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_function_twice :
  forall f : R -> R, (forall x, f x = 3 * x - 2) -> f (f 1) = 1.
Proof.
intros f H.
rewrite !H.
lra.
Qed.

(* The move it needs: rewriting with a function's defining hypothesis. *)
