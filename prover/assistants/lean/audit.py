"""The Lean verdict: compile to .olean, then replay it through the kernel in a separate process.

The filter (prover.assistants.lean.check.refusal) is defence in depth; this is what a verdict rests on.
A Lean metaprogram can add `theorem cheat : False` with `debug.skipKernelTC` set (the kernel
never sees it, and `#print axioms` lists nothing unusual), and a REPL's stdout carries
whatever the proof's code prints. So, as lean4checker and SafeVerify do:

1. In a fresh scratch folder, `lean -o Reference.olean` compiles the header and the
   reference statement with `sorry` (the benchmark's record, or the file's own statement);
   its sha256 is taken.
2. `lean -o Proof.olean` compiles header + statement + proof. A non-zero exit (any error) is
   a rejection; this output is the proof's to write into, so it is only ever quoted in a
   rejection's reason, never read for an acceptance.
3. A separate process, the project's own `prover_audit` (lean/ProverAudit/Main.lean), reads
   both .olean files as data, imports the proof's imports (Lean runs no initializer on
   import unless a program enables it, and this one does not), replays every constant the
   proof's file adds through the kernel (lean4checker's `replay'`, pinned at the toolchain's
   tag), and prints one JSON object of facts: the theorem's kind, whether its type and
   universe parameters equal the reference's (SafeVerify's comparison), its axioms by kernel
   name, the unsafe constants the file adds, whether the imports are the reference's, and
   the replay's error if the kernel refused a constant. The proof's code never runs in this
   process, so nothing it prints can reach that channel.
4. `decide` (below, tested here against stand-in reports) turns the facts into the verdict;
   the reference's digest must be unchanged.

What is trusted: the imported modules themselves (Mathlib as `prover setup lean` built it)
are loaded, not replayed, as lean4checker does by default; replaying Mathlib too (its
`--fresh` mode) would take hours per verdict. With `--benchmark` the imports are the record's;
without, the header's imports must be modules of the project's search path, and the header
passes prover.assistants.lean.check.header_refusal first.

Cost per verdict, by design (not measured here: Lean cannot be installed on this machine):
two `lean` compiles, each loading the header's imports (`import Mathlib`: a few seconds of
mapping .olean files) plus elaborating the statement (and the proof), then one audit process
that loads the same imports again and replays the file's handful of new constants (each
sent to the kernel once: milliseconds to seconds, about what the proof's own kernel check
took). So roughly 3x the import time plus 2x the proof's elaboration: on the order of
10-30 s per verdict with Mathlib, against one REPL command for the old in-process audit.
Only final proofs pay it; the search's tactic steps still run in the REPL.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from prover.assistants.base import Status, Verdict
from prover.assistants.process import run_in_session
from prover.theorem import Theorem

STANDARD_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})
NATIVE_AXIOMS = frozenset({"Lean.ofReduceBool", "Lean.ofReduceNat", "Lean.trustCompiler"})
AUDIT_BINARY = Path(".lake/build/bin/prover_audit")


@dataclass(frozen=True)
class AuditReport:
    """The facts `prover_audit` prints (one JSON object, keys as below)."""

    theorem: str
    kind: str
    replayed: int
    type_matches: bool
    level_params_match: bool
    imports_match: bool
    axioms: tuple[str, ...]
    unsafe_constants: tuple[str, ...]
    error: str | None


_FIELDS = {
    "theorem": str,
    "kind": str,
    "replayed": int,
    "type_matches": bool,
    "level_params_match": bool,
    "imports_match": bool,
    "axioms": list,
    "unsafe_constants": list,
}


def parse_report(stdout: str) -> AuditReport:
    """The audit's one JSON object; ValueError for anything else (fail closed)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise ValueError(f"the audit printed {len(lines)} lines, expected one JSON object")
    try:
        d = json.loads(lines[0])
    except json.JSONDecodeError as e:
        raise ValueError(f"the audit's answer is not JSON: {e}") from None
    if not isinstance(d, dict):
        raise ValueError("the audit's answer is not a JSON object")
    for key, kind in _FIELDS.items():
        if not isinstance(d.get(key), kind) or (kind is int and isinstance(d[key], bool)):
            raise ValueError(f"the audit's answer has no valid {key!r}")
    error = d.get("error")
    if error is not None and not isinstance(error, str):
        raise ValueError("the audit's answer has an invalid 'error'")
    for key in ("axioms", "unsafe_constants"):
        if not all(isinstance(a, str) for a in d[key]):
            raise ValueError(f"the audit's {key!r} are not names")
    return AuditReport(
        d["theorem"],
        d["kind"],
        d["replayed"],
        d["type_matches"],
        d["level_params_match"],
        d["imports_match"],
        tuple(d["axioms"]),
        tuple(d["unsafe_constants"]),
        error,
    )


def decide(
    report: AuditReport, name: str, allow_native_decide: bool, seconds: float = 0.0
) -> Verdict:
    """The verdict on the audit's facts. Every condition must hold; anything else rejects."""

    def no(reason: str) -> Verdict:
        return Verdict(ok=False, reason=reason, axioms=report.axioms, seconds=seconds)

    if report.error:
        return no(f"the kernel replay refused the file: {report.error[:500]}")
    if report.theorem != name:
        return no(f"the audit reported on {report.theorem!r}, not on {name!r}")
    if report.replayed < 1:
        return no("the audit replayed no declaration of the file")
    if report.unsafe_constants:
        return no(f"the file adds unsafe constants: {', '.join(report.unsafe_constants[:5])}")
    if report.kind != "theorem":
        return no(f"{name} is a {report.kind or 'missing declaration'}, not a theorem")
    if not report.imports_match:
        return no("the file's imports are not the reference's")
    if not (report.type_matches and report.level_params_match):
        return no(f"the proved theorem's type is not the statement's ({name})")
    if "sorryAx" in report.axioms:
        return no("the proof depends on sorryAx")
    extra = [a for a in report.axioms if a not in STANDARD_AXIOMS | NATIVE_AXIOMS]
    if extra:
        return no(
            "the proof depends on axioms beyond propext, Classical.choice, Quot.sound: "
            + ", ".join(extra)
        )
    if any(a in NATIVE_AXIOMS for a in report.axioms):
        if not allow_native_decide:
            return no("the proof uses native_decide (Lean.ofReduceBool), which is off")
        return Verdict(ok=True, axioms=report.axioms, seconds=seconds, status=Status.NATIVE_DECIDE)
    return Verdict(ok=True, axioms=report.axioms, seconds=seconds)


_ERROR_LINE = re.compile(r"^[^\n]*:\d+:\d+: error: .*$", re.M)


def _first_error(output: str) -> str:
    m = _ERROR_LINE.search(output)
    return (m.group(0) if m else output.strip()[-300:])[:500]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class KernelChecker:
    """Compiles in a scratch folder and audits in a separate process (see the module doc).

    `compile_command` is run as `[*compile_command, "-R", DIR, "-o", OUT.olean, FILE.lean]` and
    `audit_command` as `[*audit_command, PROOF.olean, REFERENCE.olean, NAME]`, both in `cwd`
    (the Lake project, so `lake env` gives them its search path).
    """

    compile_command: list[str]
    audit_command: list[str]
    cwd: str | None = None
    timeout: float = 900.0  # each compile, and the audit
    env_vars: dict[str, str] = field(default_factory=dict)

    def verify(
        self,
        theorem: Theorem,
        proof: str,
        name: str,
        allow_native_decide: bool = False,
        reference: Theorem | None = None,
    ) -> Verdict:
        """The verdict on `proof` of `theorem`; `reference` (default: `theorem` itself) is
        the statement the proved theorem's type must equal."""
        t0 = time.perf_counter()
        reference = reference or theorem

        def no(reason: str) -> Verdict:
            return Verdict(ok=False, reason=reason, seconds=time.perf_counter() - t0)

        with tempfile.TemporaryDirectory(prefix="prover-lean-verdict-") as scratch:
            ref_dir, proof_dir = Path(scratch, "reference"), Path(scratch, "proof")
            ref_dir.mkdir()
            proof_dir.mkdir()
            ref_olean = ref_dir / "Reference.olean"
            statement = reference.statement.rstrip()
            code, out = self._compile(
                ref_dir / "Reference.lean",
                f"{reference.header.strip()}\n\n{statement} sorry\n",
                ref_olean,
            )
            if code != 0 or not ref_olean.exists():
                why = "timed out" if code is None else _first_error(out)
                return no(f"the reference statement does not compile: {why}")
            digest = _sha256(ref_olean)
            proof_olean = proof_dir / "Proof.olean"
            code, out = self._compile(
                proof_dir / "Proof.lean",
                f"{theorem.header.strip()}\n\n{theorem.statement}\n{proof}\n",
                proof_olean,
            )
            if code is None:
                return no(f"the compile timed out after {self.timeout:.0f} s")
            if code != 0 or not proof_olean.exists():
                return no(f"Lean rejected the proof: {_first_error(out)}")
            if _sha256(ref_olean) != digest:
                return no("the reference .olean changed while the proof was compiled")
            try:
                audit = subprocess.run(
                    [*self.audit_command, str(proof_olean), str(ref_olean), name],
                    cwd=self.cwd,
                    env={**os.environ, **self.env_vars},
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=self.timeout,
                    start_new_session=True,
                )
            except subprocess.TimeoutExpired:
                return no(f"the audit timed out after {self.timeout:.0f} s")
            except OSError as e:
                return no(f"the audit could not run: {e}")
            if audit.returncode != 0:
                return no(
                    f"the audit failed (exit {audit.returncode}): {audit.stderr.strip()[-300:]}"
                )
            try:
                report = parse_report(audit.stdout)
            except ValueError as e:
                return no(str(e))
            return decide(report, name, allow_native_decide, time.perf_counter() - t0)

    def _compile(self, source: Path, text: str, olean: Path) -> tuple[int | None, str]:
        source.write_text(text, encoding="utf-8")
        # `-R`: the module name comes from the file's own folder (Reference, Proof), not
        # from the Lake project the command runs in, which does not hold the file.
        return run_in_session(
            [*self.compile_command, "-R", str(source.parent), "-o", str(olean), str(source)],
            self.timeout,
            cwd=self.cwd,
            env={**os.environ, **self.env_vars},
        )
