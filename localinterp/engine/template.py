"""Chat templates: the Jinja template a GGUF carries, rendered in a sandbox, or a fallback when it has none.

A GGUF file is untrusted input and its template is code: it runs in Jinja's immutable sandbox, with only
the helpers chat templates commonly call (raise_exception, strftime_now), and within limits the sandbox
does not set: a string or number it builds may not exceed MAX_VALUE (`'a' * 10**10` would allocate 10 GB),
its output MAX_OUTPUT characters, its run MAX_SECONDS. Any failure is the file's fault: InvalidModelFile.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from localinterp.engine.types import ChatMessage
from localinterp.errors import InvalidModelFile

MAX_VALUE = 1 << 20  # characters of one string (or items of a list, digits of a number) a template builds
MAX_OUTPUT = 64 << 20  # characters of a rendered prompt: far more than any context window holds
MAX_SECONDS = 5.0  # a chat template renders in milliseconds

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

        template = _compile(self.source)
        deadline = time.monotonic() + MAX_SECONDS

        def watch(_frame: Any, _event: str, _arg: Any) -> Any:
            # Jinja compiles a template to Python: a trace on this thread sees every line it runs.
            if time.monotonic() > deadline:
                raise SecurityError(f"it ran longer than {MAX_SECONDS:g} s")
            return watch

        previous = sys.gettrace()
        sys.settrace(watch)
        try:
            out: list[str] = []
            size = 0
            for piece in template.generate(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                bos_token=self.bos_token,
                eos_token=self.eos_token,
                add_generation_prompt=add_generation_prompt,
            ):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise SecurityError(f"its output passed {MAX_OUTPUT:,} characters")
                out.append(piece)
            return "".join(out)
        except SecurityError as e:
            raise InvalidModelFile(
                f"the model's chat template tried something unsafe and was stopped ({e})."
            ) from None
        except TemplateError as e:
            raise InvalidModelFile(f"the model's chat template failed: {e}.") from None
        except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError) as e:
            raise InvalidModelFile(f"the model's chat template failed ({type(e).__name__}: {e}).") from None
        finally:
            sys.settrace(previous)


def _raise_exception(message: str) -> None:
    from jinja2.exceptions import TemplateError

    raise TemplateError(message)


def _strftime_now(fmt: str) -> str:
    return _dt.datetime.now().strftime(fmt)


_COMPILED: dict[str, Any] = {}


_WIDE = re.compile(r"\d{7,}")  # a width or precision of a million or more, in a format string


def _too_big(value: Any) -> bool:
    if isinstance(value, str | bytes | list | tuple):
        return len(value) > MAX_VALUE
    return isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_VALUE


@functools.cache
def _bounded_environment() -> type:
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):  # type: ignore[misc]
        """The immutable sandbox, with no operation allowed to build a value past MAX_VALUE."""

        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if (
                operator == "**"
                and isinstance(left, int)
                and isinstance(right, int)
                and right > 0
                and abs(left) > 1
                and right * abs(left).bit_length() > MAX_VALUE
            ):
                raise SecurityError("a number it computes is too large")
            if operator == "%" and isinstance(left, str) and _WIDE.search(left):
                raise SecurityError("a format width it asks for is too large")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if (
                        isinstance(seq, str | list | tuple)
                        and isinstance(times, int)
                        and len(seq) * times > MAX_VALUE
                    ):
                        raise SecurityError("a value it builds is too large")
            result = super().call_binop(context, operator, left, right)
            if _too_big(result):
                raise SecurityError("a value it builds is too large")
            return result

        def wrap_str_format(self, value: Any) -> Any:
            # The sandbox hands out its own wrapper of str.format: the format string is checked here.
            owner = getattr(value, "__self__", None)
            name = getattr(value, "__name__", "")
            if isinstance(owner, str) and name in ("format", "format_map") and _WIDE.search(owner):
                raise SecurityError("a format width it asks for is too large")
            return super().wrap_str_format(value)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            # str.ljust(10**10): a width is a size too.
            if any(
                isinstance(a, int) and not isinstance(a, bool) and a > MAX_VALUE
                for a in (*args, *kwargs.values())
            ):
                raise SecurityError("an argument it passes is too large")
            result = super().call(__context, __obj, *args, **kwargs)
            if _too_big(result):
                raise SecurityError("a value it builds is too large")
            return result

    return Bounded


def _compile(source: str) -> Any:
    if source not in _COMPILED:
        from jinja2.exceptions import TemplateError

        env = _bounded_environment()(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
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
