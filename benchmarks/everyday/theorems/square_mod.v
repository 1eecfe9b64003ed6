Require Import ZArith.
Require Import Lia.
Open Scope Z_scope.

Theorem everyday_square_mod :
  forall x : Z, x mod 4 = 3 -> (x * x) mod 4 = 1.
Proof.
intros x H.
rewrite Z.mul_mod by lia.
rewrite H.
reflexivity.
Qed.

(* The move it needs: a library lemma about mod. *)
