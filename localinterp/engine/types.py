"""What the engine takes (chat messages) and what it yields (typed events), shared by every backend.

The interpreter loop consumes these events and never sees tokens; the local llama.cpp backend and an
OpenAI-compatible endpoint yield the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatMessage:
    """One message of the conversation as the model sees it."""

    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class Sampling:
    """Sampling settings; temperature 0 is greedy (deterministic)."""

    temperature: float = 0.2
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    repeat_last_n: int = 64
    seed: int = 0


@dataclass(frozen=True)
class TextDelta:
    """Prose from the model."""

    text: str


@dataclass(frozen=True)
class CodeStart:
    """A fenced code block begins; `language` is canonical (python, shell, javascript, ...)."""

    language: str


@dataclass(frozen=True)
class CodeDelta:
    """More code of the open block."""

    text: str


@dataclass(frozen=True)
class CodeEnd:
    """The block is complete (`closed`), or the reply ended inside it (only possible without a grammar)."""

    language: str
    code: str
    closed: bool = True


@dataclass(frozen=True)
class TurnStats:
    """What one reply cost."""

    prompt_tokens: int = 0  # the whole conversation as the model sees it
    reused_tokens: int = 0  # of those, already in the KV cache from earlier turns
    evaluated_tokens: int = 0  # prompt tokens actually computed this turn
    generated_tokens: int = 0
    time_to_first_token_s: float = 0.0
    generation_s: float = 0.0  # from the first generated token to the last

    @property
    def tokens_per_s(self) -> float:
        """Generation speed, after the first token."""
        if self.generation_s <= 0 or self.generated_tokens <= 1:
            return 0.0
        return (self.generated_tokens - 1) / self.generation_s


@dataclass(frozen=True)
class TurnEnd:
    """The reply is over. `reason`: stop (end of turn), length (max_tokens), context (window full),
    interrupted (Ctrl-C or a stop request), repetition (the model looped), block (a runnable block was
    closed and the caller asked to stop there, to run it)."""

    reason: str
    stats: TurnStats
    text: str = ""  # the whole reply, prose and fences, as the model wrote it


Event = TextDelta | CodeStart | CodeDelta | CodeEnd | TurnEnd


DEFAULT_SAMPLING = Sampling()
