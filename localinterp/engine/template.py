"""Chat templates: the Jinja template a GGUF carries, rendered in a sandbox, or a fallback when it has none.

A GGUF file is untrusted input and its template is code: it runs in Jinja's immutable sandbox, with only
the helpers chat templates commonly call (raise_exception, strftime_now).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from localinterp.engine.types import ChatMessage
from localinterp.errors import InvalidModelFile

# ChatML, which most instruct models since 2024 understand; used when the GGUF carries no template.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class ChatTemplate:
    """A compiled template and the special tokens it may refer to."""

    source: str
    bos_token: str
    eos_token: str
    is_fallback: bool

    def render(self, messages: Sequence[ChatMessage], *, add_generation_prompt: bool = True) -> str:
        """The prompt text for `messages`, ending where the assistant's reply starts."""
        from jinja2.exceptions import SecurityError, TemplateError

        try:
            return _compile(self.source).render(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=add_generation_prompt,
            )
        except SecurityError as e:
            raise InvalidModelFile(
                f"the model's chat template tried something unsafe and was stopped ({e})."
            ) from None
        except TemplateError as e:
            raise InvalidModelFile(f"the model's chat template failed: {e}.") from None


def _raise_exception(message: str) -> None:
    from jinja2.exceptions import TemplateError

    raise TemplateError(message)


def _strftime_now(fmt: str) -> str:
    return _dt.datetime.now().strftime(fmt)


_COMPILED: dict[str, Any] = {}


def _compile(source: str) -> Any:
    if source not in _COMPILED:
        from jinja2.exceptions import TemplateError
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        env.globals.update(raise_exception=_raise_exception, strftime_now=_strftime_now)
        try:
            _COMPILED[source] = env.from_string(source)
        except TemplateError as e:  # a syntax error in the file's template: the file's fault, not ours
            raise InvalidModelFile(f"the model's chat template does not compile ({e}).") from None
    return _COMPILED[source]


def chat_template(metadata: dict[str, Any], bos_token: str, eos_token: str) -> ChatTemplate:
    """The template from GGUF metadata (`tokenizer.chat_template`), or ChatML when there is none."""
    source = metadata.get("tokenizer.chat_template")
    if isinstance(source, str) and source.strip():
        _compile(source)
        return ChatTemplate(source, bos_token, eos_token, is_fallback=False)
    return ChatTemplate(FALLBACK_TEMPLATE, bos_token, eos_token, is_fallback=True)
