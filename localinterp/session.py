"""The conversation loop: the model writes, the user approves, the code runs, the output goes back, until
the model writes no more code or the user stops it.

The loop yields typed chunks (the engine's events, the runners' output, and the loop's own markers) and
never prints: the terminal UI, the Python API and the tests all consume the same stream.
"""

from __future__ import annotations

import datetime as _dt
import platform
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from localinterp.engine.context import truncate_middle
from localinterp.engine.types import DEFAULT_SAMPLING, ChatMessage, CodeEnd, Event, Sampling, TurnEnd
from localinterp.runners import Runners, shell_program
from localinterp.runners.base import Output, RunResult

MAX_STEPS = 12  # model turns per user message: a model that keeps writing code cannot loop forever
OUTPUT_CHARS_TO_MODEL = 6000  # a block's output as the model sees it (head and tail)
PERSISTENT = ("python", "shell")


@dataclass
class Message:
    """One entry of the conversation. `role`: system | user | assistant | code | output."""

    role: str
    content: str
    language: str | None = None
    status: str | None = None  # for output: ok | error | timeout | interrupted | crashed | declined

    def to_json(self) -> dict[str, Any]:
        """The saved form."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Approval:
    """What the user decided for a block: run | skip | always (run this and every later one), with the
    code to run (edited, perhaps)."""

    action: str
    code: str = ""


@dataclass(frozen=True)
class RunStart:
    """A block is about to run (after approval)."""

    language: str
    code: str


@dataclass(frozen=True)
class Declined:
    """The user declined a block; nothing ran."""

    language: str
    code: str


@dataclass(frozen=True)
class Unrunnable:
    """The model wrote a block no runner here can run (possible only without the grammar)."""

    language: str
    reason: str


@dataclass(frozen=True)
class Repeated:
    """The model wrote a block it already ran for this message; it was not run again and the loop ended
    (small models often repeat themselves instead of answering)."""

    language: str
    code: str


@dataclass(frozen=True)
class StepLimit:
    """The model kept writing code for MAX_STEPS turns; the loop handed control back."""

    steps: int


Chunk = Event | RunStart | Output | RunResult | Declined | Unrunnable | Repeated | StepLimit


class Engine(Protocol):
    """What the loop needs of a backend (local, cloud and legacy engines all fit)."""

    def chat(self, messages: list[ChatMessage], **kwargs: Any) -> Iterator[Event]: ...


Approver = Callable[[str, str], Approval]


def deny_all(_language: str, _code: str) -> Approval:
    """The default without a user to ask: nothing runs."""
    return Approval("skip")


def default_system_message(languages: tuple[str, ...]) -> str:
    """What the model is told about this machine and how to run code."""
    # The program that runs shell blocks, not the user's $SHELL: a zsh user's blocks still run in bash.
    shell = shell_program()
    persistent = [lang for lang in languages if lang in PERSISTENT]
    oneshot = [lang for lang in languages if lang not in PERSISTENT]
    lines = [
        "You are localinterp, an assistant that completes tasks by writing code that runs on the user's computer.",
        "To run code, write it in a fenced code block with its language, e.g. ```python ... ```.",
        "After each block you will see its output. Then continue: explain the result, or write the next block.",
        "When the task is done, answer without a code block.",
        f"Languages you can use: {', '.join(languages)}.",
    ]
    if persistent:
        lines.append(
            f"{' and '.join(persistent)} keep their state (variables, working directory) between blocks."
        )
    if oneshot:
        lines.append(f"{', '.join(oneshot)} start fresh for every block.")
    lines.append(
        f"System: {platform.system()} {platform.release()} ({platform.machine()}), shell {shell}, "
        f"working directory {Path.cwd()}, date {_dt.date.today().isoformat()}."
    )
    return "\n".join(lines)


@dataclass
class Session:
    """A conversation with one engine and one set of runners."""

    engine: Engine
    runners: Runners
    system_message: str = ""
    auto_run: bool = False
    approve: Approver = deny_all
    max_tokens: int = 1024
    sampling: Sampling = DEFAULT_SAMPLING
    on_change: Callable[[list[Message]], None] | None = None  # called after every new message (history)
    messages: list[Message] = field(default_factory=list)
    _always: bool = False

    def __post_init__(self) -> None:
        if not self.system_message:
            self.system_message = default_system_message(self.runners.languages)

    def chat_messages(self) -> list[ChatMessage]:
        """The conversation as the model sees it: code output comes back as a user message."""
        out = [ChatMessage("system", self.system_message)]
        for m in self.messages:
            if m.role in ("user", "assistant"):
                out.append(ChatMessage(m.role, m.content))
            elif m.role == "output":
                body = truncate_middle(m.content, OUTPUT_CHARS_TO_MODEL) or "(no output)"
                note = {"ok": "", "declined": " The user declined to run it."}.get(
                    m.status or "", f" ({m.status})"
                )
                out.append(ChatMessage("user", f"Output of the {m.language} block:{note}\n```\n{body}\n```"))
        return _merge_roles(out)

    def _add(self, message: Message) -> None:
        self.messages.append(message)
        if self.on_change:
            self.on_change(self.messages)

    def reset(self) -> None:
        """Forget the conversation (the runners keep their state; close them to reset that too)."""
        self.messages.clear()
        self._always = False
        if self.on_change:
            self.on_change(self.messages)

    def undo(self) -> list[Message]:
        """Remove the last user message and everything after it; returns what was removed."""
        removed = undo(self.messages)
        if removed and self.on_change:
            self.on_change(self.messages)
        return removed

    def send(self, text: str, *, stop: threading.Event | None = None) -> Iterator[Chunk]:
        """Add the user's message and run the loop, yielding every chunk."""
        self._add(Message("user", text))
        already_ran: set[tuple[str, str]] = set()
        for _step in range(MAX_STEPS):
            blocks: list[CodeEnd] = []
            end: TurnEnd | None = None
            for event in self.engine.chat(
                self.chat_messages(), max_tokens=self.max_tokens, sampling=self.sampling, stop=stop
            ):
                if isinstance(event, CodeEnd):
                    blocks.append(event)
                elif isinstance(event, TurnEnd):
                    end = event
                yield event
            if end is not None and end.text:
                self._add(Message("assistant", end.text))
            if end is None or end.reason in ("interrupted", "disconnected", "timeout") or not blocks:
                return
            ran = declined = False
            for block in blocks:
                if block.language not in self.runners.languages:
                    yield Unrunnable(block.language, f"no {block.language} runner on this machine")
                    continue
                if not block.closed:
                    yield Unrunnable(block.language, "the block was not finished")
                    continue
                code = block.code
                if (block.language, _gist(code)) in already_ran:
                    yield Repeated(block.language, code)
                    return
                if not (self.auto_run or self._always):
                    decision = self.approve(block.language, code)
                    if decision.action == "always":
                        self._always = True
                    elif decision.action != "run":
                        declined = True
                        yield Declined(block.language, code)
                        self._add(Message("output", "", block.language, "declined"))
                        break
                    code = decision.code or code
                already_ran.add((block.language, _gist(block.code)))
                yield RunStart(block.language, code)
                result: RunResult | None = None
                for item in self.runners.get(block.language).run(code, stop=stop):
                    if isinstance(item, RunResult):
                        result = item
                    yield item
                assert result is not None
                self._add(Message("output", result.output, block.language, result.status))
                ran = True
                if result.status == "interrupted":
                    return
            if declined or not ran or (stop is not None and stop.is_set()):
                return
        yield StepLimit(MAX_STEPS)


def undo(messages: list[Message]) -> list[Message]:
    """Remove the last user message and everything after it, in place; returns what was removed."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            removed = messages[i:]
            del messages[i:]
            return removed
    return []


def _gist(code: str) -> str:
    """The code without comments and blank space, to notice a block written again with a new comment."""
    return "\n".join(ln for ln in (re.sub(r"\s*#.*$", "", line).strip() for line in code.splitlines()) if ln)


def _merge_roles(messages: list[ChatMessage]) -> list[ChatMessage]:
    # Some chat templates insist that user and assistant alternate: join neighbours of the same role.
    out: list[ChatMessage] = []
    for m in messages:
        if out and out[-1].role == m.role and m.role != "system":
            out[-1] = ChatMessage(m.role, f"{out[-1].content}\n\n{m.content}")
        else:
            out.append(m)
    return out
