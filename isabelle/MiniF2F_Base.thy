(* Loads everything the miniF2F statements import into the MiniF2F heap, so checking a
   generated theory never has to load these libraries from source. *)
theory MiniF2F_Base
  imports
    Complex_Main
    "HOL-Library.Code_Target_Numeral"
    "HOL-Library.Sum_of_Squares"
    "HOL-Computational_Algebra.Computational_Algebra"
    "HOL-Number_Theory.Number_Theory"
begin

end
