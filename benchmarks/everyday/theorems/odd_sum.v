Require Import Arith.
Require Import Lia.

Definition g (n : nat) : nat := 3 * n + 2.

Fixpoint s (n : nat) : nat :=
  match n with
  | 0 => 0
  | S k => s k + (2 * k + 1)
  end.

Theorem everyday_odd_sum :
  forall n : nat, s n = n * n.
Proof.
induction n; simpl; nia.
Qed.

(* The move it needs: induction on a nat, then nia. *)
