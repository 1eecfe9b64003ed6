Require Import Reals.
Require Import Psatz.
Open Scope R_scope.

Theorem everyday_real_witness :
  exists x : R, 2 * x + 1 = 7.
Proof.
exists 3.
lra.
Qed.

(* The move it needs: a witness for an existential. *)
