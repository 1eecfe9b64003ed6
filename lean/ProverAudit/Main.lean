/-
`prover_audit PROOF.olean REFERENCE.olean THEOREM`: the facts a Lean verdict rests on.

The prover compiles the checked file (`lean -o PROOF.olean`) and the reference statement with
`sorry` (`lean -o REFERENCE.olean`) in a scratch folder, then runs this program as a separate
process. It reads both files as data, builds the environment the proof's file started from
(its imports; no initializer runs: this program never enables initializer execution, so
loading .olean files runs none of their code), replays every constant the file adds through
the kernel (lean4checker's `replay'`, pinned at the toolchain's tag in lakefile.toml), and
prints ONE line of JSON with what it found:

  theorem, kind            the declaration THEOREM in the replayed environment
  replayed                 how many constants the file adds
  type_matches             its type is the reference's, expression for expression
  level_params_match       and so are its universe parameters (SafeVerify's comparison)
  imports_match            the file imports exactly what the reference imports
  axioms                   the axioms it depends on, by kernel name
  unsafe_constants         constants the file adds that the kernel never checks (unsafe)
  error                    the kernel's (or the loader's) refusal, if any; null otherwise

The Python side (prover.assistants.lean.audit.decide) turns these facts into the verdict. Nothing the
proof's code printed while it was compiled can reach this output: that code never runs here.
-/
import Lean
import Lean4Checker.Replay

open Lean

namespace ProverAudit

/-- What the audit found, printed as one JSON object. -/
structure Report where
  thm : Name
  kind : String := ""
  replayed : Nat := 0
  typeMatches : Bool := false
  levelParamsMatch : Bool := false
  importsMatch : Bool := false
  axioms : Array Name := #[]
  unsafeConstants : Array Name := #[]
  error : Option String := none

def Report.json (r : Report) : Json :=
  Json.mkObj [
    ("theorem", toJson r.thm.toString),
    ("kind", toJson r.kind),
    ("replayed", toJson r.replayed),
    ("type_matches", toJson r.typeMatches),
    ("level_params_match", toJson r.levelParamsMatch),
    ("imports_match", toJson r.importsMatch),
    ("axioms", toJson (r.axioms.map (·.toString))),
    ("unsafe_constants", toJson (r.unsafeConstants.map (·.toString))),
    ("error", toJson r.error)]  -- `none` is JSON null

def kindOf : ConstantInfo → String
  | .thmInfo _ => "theorem"
  | .defnInfo _ => "def"
  | .axiomInfo _ => "axiom"
  | .opaqueInfo _ => "opaque"
  | .quotInfo _ => "quot"
  | .inductInfo _ => "inductive"
  | .ctorInfo _ => "constructor"
  | .recInfo _ => "recursor"

/-- The constants a module adds, by name. -/
def addedConstants (mod : ModuleData) : Std.HashMap Name ConstantInfo := Id.run do
  let mut out : Std.HashMap Name ConstantInfo := {}
  for name in mod.constNames, ci in mod.constants do
    out := out.insert name ci
  return out

/-- Load, replay, compare: the facts, or the first refusal in `error`. -/
def audit (proof reference : System.FilePath) (thm : Name) : IO Report := do
  let (mod, _) ← readModuleData proof
  let (ref, _) ← readModuleData reference
  let added := addedConstants mod
  let unsafes : Array Name :=
    added.fold (fun acc n ci => if ci.isUnsafe then acc.push n else acc) #[]
  let report : Report := {
    thm := thm,
    replayed := added.size,
    unsafeConstants := unsafes,
    importsMatch := mod.imports.map (·.module) == ref.imports.map (·.module) }
  -- The environment the file started from: its imports, as data.
  let env ← importModules mod.imports {} 0
  match ← EIO.toBaseIO (env.replay' added) with
  | .error e => return { report with error := some s!"kernel replay: {e}" }
  | .ok env =>
    let some ci := env.find? thm
      | return { report with error := some s!"{thm} is not declared by the file" }
    let some refCi := (addedConstants ref)[thm]?
      | return { report with error := some s!"the reference does not declare {thm}" }
    let (_, s) := ((CollectAxioms.collect thm).run env).run {}
    return { report with
      kind := kindOf ci,
      typeMatches := ci.type == refCi.type,
      levelParamsMatch := ci.levelParams == refCi.levelParams,
      axioms := s.axioms }

end ProverAudit

def main (args : List String) : IO UInt32 := do
  match args with
  | [proof, reference, thm] =>
    initSearchPath (← findSysroot)
    let report ← match ← EIO.toBaseIO (ProverAudit.audit proof reference thm.toName) with
      | .ok report => pure report
      | .error e =>
        pure ({ thm := thm.toName, error := some s!"could not load the files: {e}" } : ProverAudit.Report)
    IO.println report.json.compress
    return 0
  | _ =>
    IO.eprintln "usage: prover_audit PROOF.olean REFERENCE.olean THEOREM"
    return 2
