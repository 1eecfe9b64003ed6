Require Import Arith.
Require Import Lia.

Definition g (n : nat) : nat := 3 * n + 2.

Fixpoint s (n : nat) : nat :=
  match n with
  | 0 => 0
  | S k => s k + (2 * k + 1)
  end.

Theorem everyday_unfold_mod :
  forall n : nat, g n mod 3 = 2.
Proof.
intros n.
unfold g.
rewrite Nat.add_comm, Nat.mul_comm, Nat.mod_add; [reflexivity | lia].
Qed.

(* The move it needs: unfolding a definition of the header. *)
