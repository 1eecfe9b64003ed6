"""Prompt templates, one file per proof assistant and mode (Jinja2, shipped in the package).

A template file starts with front matter lines ``# stop: <json list>`` giving the stop
strings (and ``# chat: false`` for a few-shot completion prompt that an instruct model must
continue as it is, not as a user turn of its chat template), followed by the template body (its final newline is dropped, as Jinja does by default; end the file with
a blank line to keep one). Keeping the stop strings beside the prompt keeps
the two from drifting apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from prover.models.base import CompletionPrompt

PROMPT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    body: jinja2.Template
    stop: tuple[str, ...]
    chat: bool = True  # False: rendered prompts are completions (`CompletionPrompt`)
    shared: str = ""  # the text before the template's first field, up to its last blank line

    def render(self, **fields: object) -> str:
        text = self.body.render(**fields)
        if self.chat:
            return text
        return CompletionPrompt(text, len(self.shared) if text.startswith(self.shared) else 0)


@lru_cache(maxsize=32)
def load_template(name: str, path: str | None = None) -> PromptTemplate:
    """Load `name` (e.g. ``coq_tactic``) from the package, or a user file at `path`."""
    file = Path(path) if path else PROMPT_DIR / f"{name}.txt"
    if not file.exists():
        raise FileNotFoundError(f"prompt template {file} not found")
    lines = file.read_text(encoding="utf-8").split("\n")
    stop: tuple[str, ...] = ()
    chat = True
    while lines and lines[0].startswith("# "):
        key, _, value = lines.pop(0)[2:].partition(":")
        if key.strip() == "stop":
            stop = tuple(json.loads(value))
        elif key.strip() == "chat":
            chat = json.loads(value) is not False
    env = jinja2.Environment(keep_trailing_newline=False, undefined=jinja2.StrictUndefined)
    source = "\n".join(lines)
    first_tag = min((i for t in ("{{", "{%", "{#") if (i := source.find(t)) >= 0), default=None)
    fixed = source[:first_tag]  # rendered as it is, in every prompt of the template
    shared = fixed[: fixed.rfind("\n\n") + 2] if "\n\n" in fixed else ""
    body = env.from_string(source)
    return PromptTemplate(name=name, body=body, stop=stop, chat=chat, shared=shared)
