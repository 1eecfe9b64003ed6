"""Instruct models see their prompts inside their own chat template.

The prompt files (`prover.prompts`) are plain text, the same for every model. An instruct
model answers far better when that text arrives as a user turn of its chat template, so
`ChatPrompts` wraps any completion runtime: `generate` puts each prompt in a user turn, and
`chat` renders a whole conversation (the COPRA agent, the server's chat endpoint). The
template is the Jinja text the model's tokenizer ships, rendered the way transformers'
``apply_chat_template`` renders it, without importing transformers (the CTranslate2
runtime does not need it, and it costs seconds to import).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from prover.models.base import CompletionPrompt, Generator, Sample, SamplingParams


@dataclass(frozen=True)
class ChatTemplate:
    source: str
    special_tokens: dict[str, str]

    @classmethod
    def from_dir(cls, path: Path) -> ChatTemplate | None:
        """The template a tokenizer directory ships (chat_template.jinja or tokenizer_config.json)."""
        config_file = path / "tokenizer_config.json"
        config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else {}
        jinja_file = path / "chat_template.jinja"
        source = (
            jinja_file.read_text(encoding="utf-8")
            if jinja_file.exists()
            else config.get("chat_template")
        )
        if isinstance(source, list):  # several named templates: take the default one
            source = next((t["template"] for t in source if t.get("name") == "default"), None)
        if not source:
            return None
        special = {
            k: (v.get("content") if isinstance(v, dict) else v)
            for k, v in config.items()
            if k in ("bos_token", "eos_token", "pad_token", "unk_token") and v
        }
        return cls(source, special)

    @cached_property
    def _compiled(self):
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message: str):
            raise jinja2.exceptions.TemplateError(message)

        def tojson(x: Any, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
            return json.dumps(
                x,
                ensure_ascii=ensure_ascii,
                indent=indent,
                separators=separators,
                sort_keys=sort_keys,
            )

        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
        )
        env.filters["tojson"] = tojson
        env.globals["raise_exception"] = raise_exception
        return env.from_string(self.source)

    def render(self, messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
        return self._compiled.render(
            messages=messages, add_generation_prompt=add_generation_prompt, **self.special_tokens
        )


class ChatPrompts:
    """A runtime whose prompts (`wrap_prompts`) and conversations go through a chat template."""

    def __init__(self, inner: Generator, template: ChatTemplate, wrap_prompts: bool = True):
        self.inner, self.template, self.wrap_prompts = inner, template, wrap_prompts

    def generate(self, prompts: list[str], params: SamplingParams) -> list[list[Sample]]:
        return self.inner.generate([self.prepare(p) for p in prompts], params)

    def prepare(self, prompt: str) -> str:
        """The text the model receives for `prompt` (training renders its examples with it)."""
        if self.wrap_prompts and not isinstance(prompt, CompletionPrompt):
            return self.wrap(prompt)
        return prompt

    def wrap(self, prompt: str) -> str:
        """The prompt's last line (the cue it ends on, such as ``Tactic:``) opens the model's
        turn; everything before it is the user's turn. The answer then continues the cue, as
        a completion model's would, instead of starting a chatty reply."""
        stripped = prompt.rstrip("\n")
        body, _, cue = stripped.rpartition("\n")
        return (
            self.template.render([{"role": "user", "content": body}])
            + cue
            + prompt[len(stripped) :]
        )

    def chat(self, messages: list[dict[str, str]], params: SamplingParams) -> list[Sample]:
        return self.inner.generate([self.template.render(messages)], params)[0]

    def __getattr__(self, name: str) -> Any:  # stats, tokenizer, name, close ... of the runtime
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)
