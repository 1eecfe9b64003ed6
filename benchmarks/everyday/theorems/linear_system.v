Require Import ZArith.
Require Import Lia.
Open Scope Z_scope.

Theorem everyday_linear_system :
  forall a b : Z, a + b = 5 /\ a - b = 1 -> a * b = 6.
Proof.
intros a b [H1 H2].
assert (a = 3) by lia.
assert (b = 2) by lia.
subst.
reflexivity.
Qed.

(* The move it needs: destructing a conjunction, then solving. *)
