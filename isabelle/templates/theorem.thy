theory Problem imports Complex_Main "HOL-Computational_Algebra.Computational_Algebra" "HOL-Number_Theory.Number_Theory"
begin

(* A miniF2F-style statement; the prover replaces the sorry with a checked proof. *)
theorem problem:
  fixes x :: real
  assumes h0: "3 * x + 2 = 11"
  shows "x = 3"
  sorry

end
