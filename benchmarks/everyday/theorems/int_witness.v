Require Import ZArith.
Require Import Lia.
Open Scope Z_scope.

Theorem everyday_int_witness :
  exists x : Z, 3 * x + 5 = 17.
Proof.
exists 4.
reflexivity.
Qed.

(* The move it needs: a witness for an existential. *)
