Require Import Arith.
Require Import Lia.

Definition g (n : nat) : nat := 3 * n + 2.

Fixpoint s (n : nat) : nat :=
  match n with
  | 0 => 0
  | S k => s k + (2 * k + 1)
  end.

Theorem everyday_pow_grows :
  forall n : nat, n < 2 ^ n.
Proof.
induction n; simpl; lia.
Qed.

(* The move it needs: induction on a nat, then lia. *)
