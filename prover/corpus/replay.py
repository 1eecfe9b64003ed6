"""Replay one library `.v` file through coqtop, recording the goals before every tactic.

The file's sentences go to a fresh coqtop one by one (its `Require`s load the installed
`.vo` files; see `prover.corpus.libraries`). Inside a proof, `Show.` reads the goals before
each tactic, printed exactly as the search's `ProofState.text` shows them (the same
`parse_goals`), so a corpus state and a search state compare as equal text.

A proof whose replay fails (a tactic errors or times out) is closed with `Admitted.`, so that
later proofs citing it still replay, and its rows are dropped: the corpus holds only whole
proofs Coq accepted. A file is skipped (with its reason) when coqtop dies, the file's time
runs out, or nothing in it replays.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field

from prover.assistants.base import ProofEnvError
from prover.assistants.coq.coqtop import Coqtop, CoqtopDied
from prover.assistants.coq.env import parse_goals
from prover.assistants.coq.sentences import SentenceError, split_sentences
from prover.corpus.libraries import Library
from prover.corpus.statements import (
    PROOF_END,
    PROOF_TERM,
    ModulePath,
    declaration,
    is_tactic,
    premises,
)

FILE_SECONDS = 300.0  # one file's replay, all sentences
SENTENCE_SECONDS = 60.0  # one sentence (a Qed can take a while: the kernel checks the term)
MEMORY_MB = 2048


@dataclass
class FileReplay:
    """What replaying one file gave: rows for tactics.jsonl and lemmas.jsonl, and counts."""

    library: str
    version: str
    file: str
    ok: bool = True
    reason: str = ""
    tactics: list[dict] = field(default_factory=list)
    lemmas: list[dict] = field(default_factory=list)
    proofs: int = 0  # proofs replayed whole (their rows are kept)
    proofs_failed: int = 0  # a sentence failed inside: closed with Admitted, rows dropped
    proofs_incomplete: int = 0  # Admitted/Abort in the source: rows dropped
    errors_outside: int = 0  # sentences outside proofs that failed
    seconds: float = 0.0
    # CPU seconds of coqtop and of this process for the file: what the replay costs on an
    # idle machine, whatever else the machine was running when it was measured
    cpu_seconds: float = 0.0

    def to_dict(self) -> dict:
        return self.__dict__.copy()

    @classmethod
    def from_dict(cls, d: dict) -> FileReplay:
        return cls(**d)


@dataclass
class _Proof:
    name: str
    opened_by: str  # the sentence that opened it (a declaration, or a Definition/Instance)
    rows: list[dict] = field(default_factory=list)


def replay_file(
    lib: Library,
    relpath: str,
    lemma_names: set[str],
    file_seconds: float = FILE_SECONDS,
    sentence_seconds: float = SENTENCE_SECONDS,
    memory_mb: int = MEMORY_MB,
) -> FileReplay:
    """Replay `relpath` of `lib`; never raises for a file that does not replay (ok=False)."""
    t0 = time.monotonic()
    cpu0 = _cpu()
    out = FileReplay(lib.name, lib.version, relpath)
    try:
        text = (lib.root / relpath).read_text(encoding="utf-8", errors="replace")
        sentences = split_sentences(text)
    except (OSError, SentenceError) as e:
        return _skipped(out, f"cannot read: {e}", t0)
    top = Coqtop(lib.coqtop_args(), memory_mb)
    try:
        _replay(top, lib, relpath, sentences, lemma_names, out, t0 + file_seconds, sentence_seconds)
    except _OutOfTime:
        return _skipped(out, f"timed out after {file_seconds:.0f} s", t0)
    except (CoqtopDied, ProofEnvError) as e:
        return _skipped(out, f"coqtop failed: {e}", t0)
    finally:
        top.close()
        out.cpu_seconds = round(_cpu() - cpu0, 3)
    if out.proofs == 0 and out.errors_outside:
        return _skipped(out, f"nothing replayed ({out.errors_outside} errors outside proofs)", t0)
    out.seconds = round(time.monotonic() - t0, 3)
    return out


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (coqtop, once closed)."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class _OutOfTime(Exception):
    pass


def _skipped(out: FileReplay, reason: str, t0: float) -> FileReplay:
    out.ok, out.reason = False, reason
    out.tactics, out.lemmas = [], []
    out.seconds = round(time.monotonic() - t0, 3)
    return out


def _replay(
    top: Coqtop,
    lib: Library,
    relpath: str,
    sentences: list[str],
    lemma_names: set[str],
    out: FileReplay,
    deadline: float,
    sentence_seconds: float,
) -> None:
    def send(sentence: str):
        left = deadline - time.monotonic()
        if left <= 0:
            raise _OutOfTime
        return top.send(sentence, min(sentence_seconds, left))

    top.start()
    modules = ModulePath()
    module = lib.module(relpath)
    proof: _Proof | None = None
    skipping = False  # after a failed proof: skip the source's sentences up to its end
    for sentence in sentences:
        if skipping:
            if PROOF_END.match(sentence):
                skipping = False
            continue
        if proof is None:
            modules.feed(sentence)
            reply = send(sentence)
            if reply.error:
                out.errors_outside += 1
            elif reply.proofs:
                proof = _Proof(reply.proofs[0], sentence)
            continue
        # Inside a proof.
        term = PROOF_TERM.match(sentence)
        steps = [f"exact ({term.group(1)}).", "Qed."] if term else [sentence]
        failed = False
        reply = None
        for step in steps:
            row = None
            if is_tactic(step):
                state = "\n\n".join(parse_goals(send("Show.").output))
                row = {
                    "library": lib.name,
                    "version": lib.version,
                    "file": relpath,
                    "theorem": proof.name,
                    "step": len(proof.rows),
                    "state": state,
                    "tactic": step,
                    "premises": premises(step, state, lemma_names),
                }
            reply = send(step)
            if reply.error:
                failed = True
                break
            if row is not None:
                proof.rows.append(row)
        assert reply is not None
        if failed:
            out.proofs_failed += 1
            if reply.proofs:
                # Keep the name for later proofs that cite it; drop this proof's rows.
                closing = send("Admitted.")
                if closing.error or closing.proofs:
                    send("Abort.")
            skipping = not PROOF_END.match(sentence)
            proof = None
            continue
        if reply.proofs:
            continue
        # The proof closed.
        ended = steps[-1]
        if ended.startswith(("Admitted", "Abort")):
            out.proofs_incomplete += 1
        else:
            out.proofs += 1
            out.tactics += proof.rows
        decl = declaration(proof.opened_by)
        if decl is not None and not ended.startswith("Abort"):
            out.lemmas.append(
                {
                    "library": lib.name,
                    "version": lib.version,
                    "file": relpath,
                    "name": decl.name,
                    "qualified": ".".join([module, *modules.modules, decl.name]),
                    "kind": decl.kind,
                    "statement": decl.statement,
                }
            )
        proof = None
