/-
The miniF2F-lean4 header, elaborated once so `lake build` checks that Mathlib is usable.
-/
import Mathlib
set_option maxHeartbeats 400000
open BigOperators Real Nat Topology Rat
