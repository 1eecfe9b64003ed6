/-
The prover copilot in Lean: `suggest` and `prove?` talk to `prover serve` over HTTP.

* `suggest` sends the goals (and the file up to the tactic) to the server's `/suggest`, runs
  every proposed tactic in the current tactic state, and offers the ones Lean accepted as
  clickable "Try these" suggestions, each with the goals it leaves.
* `prove?` searches for a whole proof: at each state it asks the server for tactics, keeps
  the ones Lean accepts, and goes depth-first within a budget of server calls. A proof is
  offered only once Lean has closed every goal with it; no step may use `sorry`.

The server is reached with `curl` (as llmstep runs a script), so nothing but core Lean is
needed. URL: `set_option prover.url "http://HOST:PORT"`, else `$PROVER_URL`, else
`http://127.0.0.1:8000`; a bearer token from `$PROVER_TOKEN`. A server that is down or slow
gives an error after `prover.timeout` seconds; it never hangs the editor.
-/
import Lean

open Lean Elab Tactic Meta

register_option prover.url : String := {
  defValue := ""
  descr := "URL of `prover serve` (empty: $PROVER_URL, else http://127.0.0.1:8000)"
}

register_option prover.timeout : Nat := {
  defValue := 60
  descr := "seconds to wait for `prover serve` per request"
}

register_option prover.depth : Nat := {
  defValue := 4
  descr := "most tactics in a proof `prove?` looks for"
}

register_option prover.suggestions : Nat := {
  defValue := 8
  descr := "tactics the server's model proposes per request"
}

namespace ProverCopilot

/-- Where `prover serve` listens: the option, else `$PROVER_URL`, else loopback port 8000. -/
def serverUrl : CoreM String := do
  let url := prover.url.get (← getOptions)
  if !url.isEmpty then return url
  return (← IO.getEnv "PROVER_URL").getD "http://127.0.0.1:8000"

/-- POST `body` as JSON to `route` with curl and parse the answer; errors name the server. -/
def post (route : String) (body : Json) : CoreM Json := do
  let url := (← serverUrl) ++ route
  let timeout := prover.timeout.get (← getOptions)
  let auth := match ← IO.getEnv "PROVER_TOKEN" with
    | some t => if t.isEmpty then #[] else #["-H", s!"Authorization: Bearer {t}"]
    | none => #[]
  let args := #["-sS", "--max-time", toString (timeout + 5), "-X", "POST",
    "-H", "Content-Type: application/json", "--data-binary", body.compress] ++ auth ++ #[url]
  let out ← IO.Process.output { cmd := "curl", args := args }
  if out.exitCode != 0 then
    throwError "prover: server {url} is down or slow: {out.stderr.trim}"
  match Json.parse out.stdout with
  | .error e => throwError "prover: the server's answer is not JSON ({e}): {out.stdout.take 200}"
  | .ok answer =>
    match answer.getObjValAs? Bool "ok" with
    | .ok false =>
      let msg := (answer.getObjValD "error").getObjValAs? String "message"
      throwError "prover: {msg.toOption.getD answer.compress}"
    | _ => return answer

/-- The proposed tactics of a `/suggest` answer, best first. -/
def tacticsOf (answer : Json) : Array String := Id.run do
  let some items := (answer.getObjValD "suggestions").getArr?.toOption | return #[]
  return items.filterMap fun s => (s.getObjValAs? String "tactic").toOption

/-- The pretty-printed goals, one after another (what the server's prompt shows). -/
def goalsText (goals : List MVarId) : MetaM String := do
  let texts ← goals.mapM fun g => return toString (← ppGoal g)
  return "\n\n".intercalate texts

/-- Ask the server for tactics for the current goals (with the file up to `stx` as context). -/
def askServer (stx : Syntax) : TacticM (Array String) := do
  let map ← getFileMap
  -- The file's lines before the one holding the tactic: the proof so far, as context.
  let upTo := match stx.getPos? with
    | some pos => "\n".intercalate ((map.source.splitOn "\n").take ((map.toPosition pos).line - 1))
    | none => ""
  let goal ← goalsText (← getUnsolvedGoals)
  let opts ← getOptions
  let body := Json.mkObj [
    ("system", toJson "lean"),
    ("goal", toJson goal),
    ("text", toJson (upTo.takeRight 4000)),
    ("k", toJson (prover.suggestions.get opts)),
    ("timeout", toJson (prover.timeout.get opts))]
  return tacticsOf (← post "/suggest" body)

/-- Words a suggestion may not contain anywhere, matched on the raw text (so no lexing trick
such as `1run_tac` or `x⁻¹sorry` can hide one): escape hatches, and the metaprogramming entry
points that would run the server's text as code in this editor. The server already passes
every suggestion through the filter a proof passes (`prover.assistants.lean.check.refusal`); this is the
Lean side's own conservative gate, for a server that is not ours. -/
def refusedWords : List String :=
  ["sorry", "admit", "stop", "native", "run_tac", "run_cmd", "run_elab", "run_meta", "elab",
   "macro", "syntax", "notation", "set_option", "debug", "Lean", "Elab", "Meta", "Kernel",
   "Environment", "addDecl", "evalTactic", "IO", "unsafe", "implemented_by", "extern",
   "initialize", "ofReduce", "trustCompiler", "axiom", "opaque", "attribute", "import",
   "open", "#", "@["]

/-- Text that is never offered or run: see `refusedWords`. -/
def isCheat (tac : String) : Bool :=
  refusedWords.any fun w => (tac.splitOn w).length > 1

/-- Run `tac` on the current goals; `true` if Lean accepted it without `sorry`.
The state is left as the tactic left it (callers save and restore around it). -/
def runChecked (tac : String) : TacticM Bool := do
  if isCheat tac then return false
  let .ok stx := Parser.runParserCategory (← getEnv) `tactic tac | return false
  let goals ← getUnsolvedGoals
  try
    Term.withoutErrToSorry <| withoutRecover <| evalTactic stx
    for g in goals do
      if (← instantiateMVars (mkMVar g)).hasSorry then return false
    return true
  catch _ => return false

/-- The suggestions Lean accepts here, with what each leaves; the state is unchanged. -/
def checkAll (tactics : Array String) : TacticM (Array (String × String)) := do
  let mut accepted := #[]
  for tac in tactics do
    let saved ← saveState
    if ← runChecked tac then
      let left ← getUnsolvedGoals
      let shown ← goalsText left
      let note := if left.isEmpty then "proof complete"
        else s!"{left.length} goal(s) left:\n{shown}"
      accepted := accepted.push (tac, note)
    saved.restore
  -- Closing tactics first, then the model's order.
  return accepted.filter (·.2 == "proof complete") ++ accepted.filter (·.2 != "proof complete")

/-- `suggest`: the server's tactics that Lean accepts here, as clickable suggestions. -/
syntax (name := suggestTac) "suggest" : tactic

@[tactic suggestTac] def evalSuggest : Tactic := fun stx => do
  let tactics ← askServer stx
  let accepted ← checkAll tactics
  if accepted.isEmpty then
    throwError "prover: none of the {tactics.size} suggested tactic(s) works here"
  let suggestions : Array Lean.Meta.Tactic.TryThis.Suggestion := accepted.map fun (tac, note) =>
    { suggestion := tac, postInfo? := some s!"  -- {note}" }
  Lean.Meta.Tactic.TryThis.addSuggestions stx suggestions (header := "Checked suggestions:")

/-- Depth-first search over the server's tactics; every step is run by Lean. -/
partial def search (stx : Syntax) (depth : Nat) (calls : IO.Ref Nat) :
    TacticM (Option (List String)) := do
  if (← getUnsolvedGoals).isEmpty then return some []
  if depth == 0 || (← calls.get) == 0 then return none
  calls.modify (· - 1)
  for tac in ← askServer stx do
    let saved ← saveState
    if ← runChecked tac then
      if let some rest ← search stx (depth - 1) calls then
        return some (tac :: rest)
    saved.restore
  return none

/-- `prove?`: a whole proof from the server's tactics, each checked here; offered to click. -/
syntax (name := proveTac) "prove?" : tactic

@[tactic proveTac] def evalProve : Tactic := fun stx => do
  let depth := prover.depth.get (← getOptions)
  let calls ← IO.mkRef (4 * depth)
  match ← search stx depth calls with
  | some tactics =>
    Lean.Meta.Tactic.TryThis.addSuggestion stx { suggestion := "; ".intercalate tactics }
  | none => throwError "prover: no proof found within {depth} steps"

end ProverCopilot
