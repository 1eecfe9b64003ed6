import ProverLean.Basic
