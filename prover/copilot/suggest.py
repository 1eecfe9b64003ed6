"""The copilot's answers: checked next-tactic suggestions, and a checked proof from the cursor.

`suggest` ranks the same candidate sources the search uses (prover.candidates): the quick
automation (the portfolio's fast tactics), templates over the goal's own hypotheses and
variables, the nearest-neighbour predictor when one is loaded, and the model; it runs each
distinct candidate on the real goal in the real assistant and reports what each leaves
(goals, or "proof complete") and where it came from, best first; failed ones are dropped
unless asked for. A request may name the sources it wants (`sources`). `prove` runs a
proving method from the goal at the cursor (the search with the same sources); its proof
is the assistant's word: the whole theorem (the proof so far, the new tactics and the
rest of the proof after the cursor) is re-checked from scratch with coqc.

Coq is checked here (a warm coqtop per header). Lean is checked by the Lean side: the
`suggest` tactic runs each candidate in the live tactic state, where the elaborator is, so
the server only proposes (`checked: false`), and only what passes prover.assistants.lean.check's
`refusal` (the filter a proof passes): a suggested `run_tac` would run code in the editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from prover.assistants.base import Finished, Progress, ProofState, TacticResult, Verdict
from prover.assistants.coq.env import CoqEnv
from prover.candidates import (
    Candidate,
    CandidateSource,
    CandidateSources,
    KnnPredictor,
    fixed_source,
    knn_source,
    merge,
    model_candidates,
    template_source,
)
from prover.copilot.coqfile import CursorError, ProofAtCursor, proof_at_cursor, rest_of_proof
from prover.copilot.protocol import (
    ErrorInfo,
    ProveAnswer,
    ProveRequest,
    SuggestAnswer,
    Suggestion,
    SuggestRequest,
)
from prover.copilot.session import Cancelled, CoqSession, Deadline, SessionPool
from prover.methods import Budget, ProofResult
from prover.models.base import (
    Generator,
    ModelUnavailable,
    SamplingParams,
    best_unique,
    sampling_params,
)
from prover.prompts import load_template
from prover.theorem import Theorem

COMPLETE = "proof complete"
_ADMIT = re.compile(r"(?<![\w'.])(admit|give_up)(?![\w'])")
AUTOMATION_PRIOR = -0.05  # a closing automation tactic is the simplest suggestion there is
AUTOMATION_SECONDS = 1.0  # per automation tactic: a failing nia/nra must not eat the request


class RequestError(ValueError):
    """A request the copilot cannot answer as asked (the protocol's models refuse malformed
    ones before they get here)."""


@dataclass
class Copilot:
    """What the server (and `prover suggest` in process) answers with: one model, warm sessions."""

    generator: Generator
    sessions: SessionPool
    max_tokens: int = 48
    portfolio: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=lambda: {"suggest": 0, "prove": 0})
    templates: bool = True  # template candidates in `suggest` (prover.candidates.templates)
    knn: KnnPredictor | None = None  # a kNN tactic predictor (Retriever.tactics), when loaded

    # --- suggest ---------------------------------------------------------------------
    def suggest(self, request: SuggestRequest, deadline: Deadline) -> SuggestAnswer:
        self.stats["suggest"] += 1
        if request.system == "lean":
            return self._suggest_lean(request, deadline)
        if request.system != "coq" or request.text is None:
            raise RequestError("Coq suggestions need 'text': the file's text up to the cursor")
        wanted = tuple(request.sources)
        try:
            proof = proof_at_cursor(request.text)
        except CursorError as e:
            return SuggestAnswer(ok=False, error=ErrorInfo(**e.as_dict()))
        session = self.sessions.get(proof.header)
        with session.lock:
            try:
                state = session.state_at(proof, deadline)
            except CursorError as e:
                return SuggestAnswer(ok=False, error=ErrorInfo(**e.as_dict()))
            goals = list(state.goals)
            if state.subproof_done:
                return SuggestAnswer(ok=True, goals=[], suggestions=[], note="no goals left here")
        sources = self._candidate_sources(wanted, proof.header, request.k)
        from_sources = [c for source in sources for c in source(state.text)]
        model: list[Candidate] = []
        if "model" in wanted:
            template = load_template("coq_tactic")
            prompt = template.render(state=state.text)
            deadline.check()
            model = self._model_candidates(prompt, request, deadline, template.stop)
        suggestions: list[Suggestion] = []
        with session.lock:
            state = session.state_at(proof, deadline)  # another request may have moved it
            for c in merge(model, from_sources):
                deadline.check()
                seconds = AUTOMATION_SECONDS if c.source == "automation" else deadline.left()
                result = session.env.run_tactic(
                    state, c.tactic, timeout=max(min(seconds, deadline.left()), 1.0)
                )
                suggestions.append(_suggestion(c.tactic, c.logprob, result, state, c.source))
        suggestions.sort(key=lambda s: (_RANK[s.status], -s.logprob))
        if not request.include_failed:
            suggestions = [s for s in suggestions if s.status != "failed"]
        return SuggestAnswer(ok=True, goals=goals, suggestions=suggestions)

    def _candidate_sources(
        self, wanted: tuple[str, ...], header: str, k: int
    ) -> list[CandidateSource]:
        """The enabled sources besides the model, for a file with this header."""
        from prover.assistants.registry import backend

        sources: list[CandidateSource] = []
        if "automation" in wanted and self.portfolio:
            quick = backend("coq").quick_portfolio(self.portfolio)
            sources.append(fixed_source(quick, AUTOMATION_PRIOR))
        if "template" in wanted and self.templates:
            sources.append(template_source(header))
        if "knn" in wanted and self.knn is not None:
            sources.append(knn_source(self.knn, k))
        return sources

    def _model_candidates(
        self, prompt: str, request: SuggestRequest, deadline: Deadline, stop: tuple[str, ...]
    ) -> list[Candidate]:
        """The model's distinct tactics, scored by length-normalised log-probability (the
        score the other sources' priors are set against)."""
        params = self._params(request, deadline, stop)
        return model_candidates(best_unique(self.generator.generate([prompt], params)[0]))

    def _suggest_lean(self, request: SuggestRequest, deadline: Deadline) -> SuggestAnswer:
        goal = request.goal
        if goal is None or not goal.strip():
            raise RequestError("Lean suggestions need 'goal': the pretty-printed tactic state")
        from prover.assistants.lean.check import refusal

        template = load_template("lean_tactic")
        prompt = template.render(state=goal)
        candidates = self._generate(prompt, request, deadline, template.stop)
        # The Lean side runs what it receives through evalTactic in the user's editor: every
        # suggestion passes the filter a proof passes (no run_tac, sorry, native_decide,
        # set_option, ...) before it leaves the server, and a refused one is never sent,
        # not even with include_failed.
        kept = {t: lp for t, lp in candidates.items() if refusal(t) is None}
        out = [Suggestion(tactic=t, status="unchecked", logprob=lp) for t, lp in kept.items()]
        return SuggestAnswer(
            ok=True,
            checked=False,
            goals=[goal],
            suggestions=out,
            refused=len(candidates) - len(kept),
        )

    def _generate(
        self, prompt: str, request: SuggestRequest, deadline: Deadline, stop: tuple[str, ...]
    ) -> dict[str, float]:
        """The model's distinct tactics for `prompt` with their log-probabilities, best first."""
        params = self._params(request, deadline, stop)
        candidates: dict[str, float] = {}
        for sample in best_unique(self.generator.generate([prompt], params)[0]):
            candidates.setdefault(sample.text.strip(), sample.logprob)
        candidates.pop("", None)
        return candidates

    def _params(
        self, request: SuggestRequest, deadline: Deadline, stop: tuple[str, ...]
    ) -> SamplingParams:
        return sampling_params(
            n=request.k,
            temperature=0.0,
            max_tokens=request.max_tokens or self.max_tokens,
            stop=stop or ("\n",),
            seconds_left=deadline.left(),
            beams=True,
        )

    # --- prove -----------------------------------------------------------------------
    def prove(self, request: ProveRequest, deadline: Deadline) -> ProveAnswer:
        self.stats["prove"] += 1
        if request.system != "coq":
            raise RequestError("the server proves Coq goals; Lean's prove? checks on the Lean side")
        try:
            proof = proof_at_cursor(request.text)
            rest_spans = rest_of_proof(request.rest)
            if rest_spans and rest_spans[0].text == "admit.":  # the hole being filled
                rest_spans = rest_spans[1:]
        except CursorError as e:
            return ProveAnswer(ok=False, error=ErrorInfo(**e.as_dict()))
        session = self.sessions.get("prove:" + proof.header)
        with session.lock:
            try:
                state = session.state_at(proof, deadline)
            except CursorError as e:
                return ProveAnswer(ok=False, error=ErrorInfo(**e.as_dict()))
            env = ContinuedProof(session, proof, tuple(s.text for s in rest_spans), state, deadline)
            limits = Budget(
                samples=request.samples,
                expansions=request.max_expansions,
                wall_limit=max(min(request.seconds, deadline.left() - 5.0), 0.5),
                tactic_timeout=session.env.tactic_timeout,
                max_tokens=request.max_tokens or self.max_tokens,
            )
            portfolio = self.portfolio if request.portfolio else ()
            candidates = CandidateSources(templates=self.templates, knn=self.knn)
            result = run_method(
                request.method, session.theorem, env, self.generator, limits, portfolio, candidates
            )
        answer = ProveAnswer(
            ok=True,
            status=result.status.value,
            reason=result.reason,
            expansions=result.expansions,
            seconds=round(result.wall_seconds, 3),
        )
        if result.status.value == "proved" and result.proof in env.found:
            answer.proof = env.found[result.proof]
            answer.whole_checked = env.whole_checked
            if not env.whole_checked:
                answer.note = (
                    "the goal was closed in coqtop; the rest of the proof still has admit, "
                    "so the whole theorem was not re-checked"
                )
        return answer


_RANK = {COMPLETE: 0, "open": 1, "failed": 2}


def _suggestion(
    tactic: str, logprob: float, result: TacticResult, before: ProofState, source: str = "model"
) -> Suggestion:
    common = {"tactic": tactic, "logprob": logprob, "source": source}
    if not isinstance(result, Progress | Finished):
        return Suggestion(**common, status="failed", error=result.message)
    if result.state.key == before.key:
        return Suggestion(**common, status="failed", error="no progress: the goals are unchanged")
    if isinstance(result, Finished):
        return Suggestion(**common, status=COMPLETE, goals=[])
    goals = [] if result.state.subproof_done else list(result.state.goals)
    return Suggestion(**common, status=COMPLETE if not goals else "open", goals=goals)


class ContinuedProof:
    """A ProofEnv adapter that starts at the cursor instead of the statement.

    The search sees the goal at the cursor as its root. A finished proof is the proof so far,
    the search's tactics and the rest of the proof after the cursor; that whole text is what
    gets verified. With a rest, closing the focused goal (a bullet's or brace's) finishes.
    """

    system = "coq"

    def __init__(
        self,
        session: CoqSession,
        proof: ProofAtCursor,
        rest: tuple[str, ...],
        root: ProofState,
        deadline: Deadline,
    ):
        self.session, self.env = session, session.env
        self.prefix = [s.text for s in proof.tactics]
        self.rest, self.root, self.deadline = list(rest), root, deadline
        self.found: dict[str, str] = {}  # full proof text -> the text to insert at the cursor
        self.whole_checked = True
        self.stats = self.env.stats

    def open(self, theorem: Theorem) -> ProofState:
        return self.root

    def run_tactic(
        self, state: ProofState, tactic: str, timeout: float | None = None
    ) -> TacticResult:
        self.deadline.check()
        limit = self.deadline.left() if timeout is None else min(timeout, self.deadline.left())
        result = self.env.run_tactic(state, tactic, timeout=max(limit, 0.5))
        if isinstance(result, Progress) and result.state.subproof_done and self.rest:
            return Finished(result.state)
        return result

    def proof_text(self, tactics: list[str]) -> str:
        inserted = CoqEnv.proof_text(self.env, tactics)
        full = "\n".join([*self.prefix, inserted, *self.rest])
        self.found[full] = inserted
        return full

    def verify(self, theorem: Theorem, proof: str) -> Verdict:
        self.deadline.check()
        if any(_ADMIT.search(s) for s in self.rest):
            self.whole_checked = False
            return Verdict(ok=True, reason="rest of the proof has admit: not re-checked")
        return self.env.verify(theorem, proof)

    def close(self) -> None:  # the session owns the process
        pass


def run_method(
    method: str,
    theorem: Theorem | None,
    env: ContinuedProof,
    generator: Generator | None,
    budget: Budget,
    portfolio_tactics: tuple[str, ...],
    candidates: CandidateSources | None = None,
) -> ProofResult:
    """The copilot's one seam to the proving methods (`prover.methods.prove`): `search`
    (model + portfolio + the candidate sources) or `portfolio` (automation only), from the
    goal at the cursor."""
    from prover.assistants.base import Status
    from prover.methods import prove

    assert theorem is not None
    try:
        if method != "search":
            candidates = None  # only the search ranks candidate sources
        return prove(
            theorem, method, budget, env, generator, portfolio_tactics, candidates=candidates
        )
    except Cancelled as e:  # raised between steps; the method's own clock did not see it
        return ProofResult(Status.ERROR, reason=str(e))


__all__ = [
    "COMPLETE",
    "Copilot",
    "ContinuedProof",
    "ModelUnavailable",
    "RequestError",
    "run_method",
]
