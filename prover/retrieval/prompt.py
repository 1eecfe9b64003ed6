"""What retrieval puts into a tactic prompt, within a character cap.

The Coq tactic template (`prover/prompts/coq_tactic.txt`) shows `examples` (similar states
with the tactic a library proof used there) and `lemmas` (names and statements) after its
static few-shot text and before the current goal: the static text stays the prompt's shared
prefix, which CTranslate2 keeps between calls, and only the retrieved part is read anew.

`prompt_fields` is the one function that fills those fields: the search calls it for every
state, and training renders its prompts through the same template with the same fields (or
none), so what the model is trained on and what it is asked cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from prover.retrieval.retriever import Example, Lemma, Retriever


@dataclass(frozen=True)
class RetrievalPrompt:
    """How much retrieved text a prompt gets. Every character costs: the retrieved text is not
    part of the cached prefix, and a Qwen-0.5B search call (8 beams, 2 busy CPU cores) took a
    median 2.5x as long with 1,200 characters of it (benchmarks/corpus/README.md)."""

    examples: int = 2
    lemmas: int = 3
    max_chars: int = 600  # all retrieved text together
    max_example_chars: int = 350  # one example's state and tactic (a longer one is passed over)
    max_lemma_chars: int = 120  # one lemma's name and statement


def prompt_fields(
    retriever: Retriever | None, goal: str, cap: RetrievalPrompt = RetrievalPrompt()
) -> dict[str, list]:
    """`examples` and `lemmas` for the template (both empty without a retriever)."""
    if retriever is None:
        return {"examples": [], "lemmas": []}
    left = cap.max_chars
    examples: list[Example] = []
    for e in retriever.examples(goal, cap.examples * 4):
        size = len(e.state) + len(e.tactic) + 20
        if e.state.strip() == goal.strip() or size > cap.max_example_chars or size > left:
            continue
        examples.append(e)
        left -= size
        if len(examples) == cap.examples:
            break
    lemmas: list[Lemma] = []
    for lemma in retriever.lemmas(goal, cap.lemmas * 3):
        size = len(lemma.name) + len(lemma.statement) + 4
        if size > cap.max_lemma_chars or size > left:
            continue
        lemmas.append(lemma)
        left -= size
        if len(lemmas) == cap.lemmas:
            break
    # Most similar last: nearest to the goal the model continues from.
    return {"examples": examples[::-1], "lemmas": lemmas}
