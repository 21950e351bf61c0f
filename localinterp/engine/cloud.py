"""An OpenAI-compatible Chat Completions endpoint, over plain HTTP (httpx), yielding the local engine's events.

OpenAI, OpenRouter, Groq, vLLM, llama.cpp's llama-server, llama-cpp-python's server and Ollama's /v1 all
speak this protocol. Replies stream as server-sent events; fenced code in the text and native tool calls
(a `run_code(language, code)` function) both become code-block events, so the interpreter loop cannot tell
which backend it is talking to. The API key goes in one header and nowhere else: not in errors, not in
logs, not in history.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from localinterp.engine.blocks import BlockParser, closes_runnable
from localinterp.engine.languages import canonical
from localinterp.engine.types import (
    DEFAULT_SAMPLING,
    ChatMessage,
    CodeDelta,
    CodeEnd,
    CodeStart,
    Event,
    Sampling,
    TextDelta,
    TurnEnd,
    TurnStats,
)
from localinterp.errors import AccessDenied, BadInput, CloudError

log = logging.getLogger("localinterp.cloud")
TOOL_NAME = "run_code"


@dataclass(frozen=True)
class Endpoint:
    """Where to send chats. `api_key` is never shown: not in repr, not in messages."""

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0  # between two pieces of the stream, not for the whole reply


def endpoint_from_env(base_url: str | None = None, model: str | None = None) -> Endpoint:
    """An endpoint from the arguments, then the api_base / api_model / api_key settings (their flags,
    LOCALINTERP_API_* or OPENAI_* variables, the config file: config.SETTINGS)."""
    from localinterp.config import resolve_config

    cfg = resolve_config({"api_base": base_url, "api_model": model})
    return endpoint(cfg.api_base, cfg.api_model, cfg.api_key)


def endpoint(base: str | None, name: str | None, key: str | None) -> Endpoint:
    """A checked endpoint: one clear line when the URL or the model name is missing or malformed."""
    if not base:
        raise BadInput(
            "no cloud endpoint: pass --api-base URL or set LOCALINTERP_API_BASE (e.g. https://api.openai.com/v1)."
        )
    if not base.startswith(("http://", "https://")):
        raise BadInput(f"--api-base {base} must start with http:// or https://.")
    if not name:
        raise BadInput("no cloud model: pass --api-model NAME or set LOCALINTERP_API_MODEL.")
    return Endpoint(base.rstrip("/"), name, key)


def run_code_tool(languages: Sequence[str]) -> dict[str, Any]:
    """The function a tool-calling model uses to run code."""
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": "Run code on the user's machine (they approve each run) and see its output.",
            "parameters": {
                "type": "object",
                "properties": {
                    "language": {"type": "string", "enum": list(languages)},
                    "code": {"type": "string", "description": "The complete program to run."},
                },
                "required": ["language", "code"],
            },
        },
    }


class CloudEngine:
    """Chats with an OpenAI-compatible endpoint; the same events as the local engine."""

    def __init__(
        self, endpoint: Endpoint, *, languages: Sequence[str] = ("python",), tools: bool = True
    ) -> None:
        import httpx

        self.endpoint = endpoint
        self.languages = tuple(languages)
        self.tools = tools
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(endpoint.read_timeout_s, connect=endpoint.connect_timeout_s),
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _request(
        self, messages: Sequence[ChatMessage], max_tokens: int, sampling: Sampling, force_code: bool
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.endpoint.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
        }
        if self.tools and self.languages:
            body["tools"] = [run_code_tool(self.languages)]
            if force_code:
                body["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        return body

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 1024,
        sampling: Sampling = DEFAULT_SAMPLING,
        stop: threading.Event | None = None,
        until_block: bool = False,
        force_code: bool = False,
        start: str = "",
    ) -> Iterator[Event]:
        """Stream the endpoint's reply as events, ending with one TurnEnd.

        Errors before anything arrives raise (CloudError, AccessDenied); a stream that breaks later ends
        the turn with reason "disconnected" or "timeout" and the reply so far kept. `until_block`: stop
        reading (reason "block") once a fenced runnable block is closed, as the local engine does.
        `force_code`: the reply must call the run_code tool (tool_choice), when tools are on. `start`
        cannot be honoured (a chat completions request cannot begin the assistant's reply): the reply is
        the endpoint's own.
        """
        import httpx

        url = f"{self.endpoint.base_url}/chat/completions"
        parser = BlockParser()
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        reason, generated, prompt_tokens = "stop", 0, 0
        started = time.perf_counter()
        first = 0.0
        where = self.endpoint.base_url
        try:
            with self._client.stream(
                "POST", url, json=self._request(messages, max_tokens, sampling, force_code)
            ) as r:
                if r.status_code != 200:
                    self._raise_for(r)
                for data in _sse_data(r.iter_lines()):
                    if stop is not None and stop.is_set():
                        reason = "interrupted"
                        break
                    if data == "[DONE]":
                        break
                    try:
                        chunk = json.loads(data)
                    except ValueError:
                        raise CloudError(f"{where} sent a malformed stream event: {data[:80]!r}.") from None
                    if chunk.get("error"):
                        raise CloudError(f"{where} reported an error mid-reply: {_message(chunk['error'])}.")
                    usage = chunk.get("usage") or {}
                    prompt_tokens = usage.get("prompt_tokens", prompt_tokens)
                    for choice in chunk.get("choices") or []:
                        delta = choice.get("delta") or {}
                        piece = delta.get("content")
                        if piece:
                            generated += 1
                            first = first or time.perf_counter()
                            text.append(piece)
                            events = parser.feed(piece)
                            yield from events
                            if until_block and closes_runnable(events, self.languages):
                                reason = "block"
                        for call in delta.get("tool_calls") or []:
                            first = first or time.perf_counter()
                            generated += 1
                            slot = calls.setdefault(call.get("index", 0), {"name": "", "arguments": ""})
                            fn = call.get("function") or {}
                            name = fn.get("name") or ""
                            if name != slot["name"]:  # some servers repeat the whole name in every piece
                                slot["name"] += name
                            slot["arguments"] += fn.get("arguments") or ""
                        finish = choice.get("finish_reason")
                        if finish == "length" and reason != "block":
                            reason = "length"
                    if reason == "block":  # the rest of the reply is not wanted: the block runs first
                        break
        except httpx.ConnectError as e:
            raise CloudError(f"cannot reach {where} ({e}). Check --api-base and the network.") from None
        except httpx.TimeoutException:
            if not first:
                raise CloudError(
                    f"{where} did not answer within {self.endpoint.read_timeout_s:g} s; it may be overloaded."
                ) from None
            reason = "timeout"
        except (httpx.RemoteProtocolError, httpx.ReadError) as e:
            if not first:
                raise CloudError(f"the connection to {where} broke before a reply ({e}).") from None
            log.warning("stream from %s broke: %s", where, e)
            reason = "disconnected"
        except KeyboardInterrupt:
            reason = "interrupted"
        yield from parser.close()
        reply = "".join(text)
        for _index, call in sorted(calls.items()):
            events, written = self._tool_events(call)
            yield from events
            reply += written
        now = time.perf_counter()
        yield TurnEnd(
            reason,
            TurnStats(
                prompt_tokens=prompt_tokens,
                evaluated_tokens=prompt_tokens,
                generated_tokens=generated,
                time_to_first_token_s=(first - started) if first else 0.0,
                generation_s=(now - first) if first else 0.0,
            ),
            reply,
        )

    def _tool_events(self, call: dict[str, str]) -> tuple[list[Event], str]:
        """A run_code call as code-block events, and as the fenced text the history keeps."""
        if call["name"] != TOOL_NAME:
            note = f"\n[the model called an unknown tool {call['name']!r}; nothing was run]\n"
            return [TextDelta(note)], note
        try:
            args = json.loads(call["arguments"] or "{}")
            language, code = str(args["language"]), str(args["code"])
        except (ValueError, KeyError, TypeError):
            note = (
                "\n[the model's run_code call was not valid JSON with language and code; nothing was run]\n"
            )
            return [TextDelta(note)], note
        name = canonical(language) or language.lower()
        events: list[Event] = [CodeStart(name), CodeDelta(code), CodeEnd(name, code)]
        return events, f"\n```{name}\n{code}\n```\n"

    def _raise_for(self, r: Any) -> None:
        r.read()
        try:
            detail = _message(r.json().get("error") or r.json().get("detail") or r.text)
        except ValueError:
            detail = r.text[:200]
        where = self.endpoint.base_url
        if r.status_code in (401, 403):
            raise AccessDenied(
                f"{where} refused the API key (HTTP {r.status_code}: {detail}). Set LOCALINTERP_API_KEY "
                "(or OPENAI_API_KEY) to a valid key."
            )
        if r.status_code == 404:
            raise CloudError(
                f"{where} has no chat completions for model {self.endpoint.model!r} (HTTP 404: {detail})."
            )
        raise CloudError(f"{where} answered HTTP {r.status_code}: {detail}.")


def _message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    return str(error)[:200]


def _sse_data(lines: Iterator[str]) -> Iterator[str]:
    """The `data:` payloads of a server-sent event stream (multi-line events joined)."""
    buf: list[str] = []
    for line in lines:
        if not line:
            if buf:
                yield "\n".join(buf)
                buf = []
            continue
        if line.startswith(":"):
            continue  # a comment / keep-alive
        if line.startswith("data:"):
            buf.append(line[5:].lstrip(" "))
    if buf:
        yield "\n".join(buf)
