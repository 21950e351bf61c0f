"""The conversation loop: the model writes, the user approves, the code runs, the output goes back, until
the model writes no more code or the user stops it.

The loop yields typed chunks (the engine's events, the runners' output, and the loop's own markers) and
never prints: the terminal UI, the Python API and the tests all consume the same stream.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import platform
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from localinterp.changes import Snapshot, describe, doubled_dots, gone_by_block, snapshot
from localinterp.claims import (
    about_files,
    aggregate_unbacked,
    archive_unopened,
    concatenated_total,
    corrected_copy,
    counted_by_eye,
    date_missing,
    date_unbacked,
    env_unread,
    extracted_unprinted,
    extreme_unbacked,
    files_named,
    files_to_change,
    files_to_write,
    group_totals_unsummed,
    hash_not_of_file,
    hash_uncomputed,
    hole_filled,
    lines_off_by_one,
    lines_read_off,
    listdir_unwalked,
    measures_for_counts,
    member_unread,
    names_as_values,
    names_compared,
    product_uncomputed,
    python_failed,
    recheck_message,
    row_value_as_total,
    runnable_tag,
    sizes_without_names,
    sql_unrun,
    still_failing,
    subfolders_unwalked,
    unchanged,
    unfilled,
    unlike_request,
    unpacked,
    unsupported,
    values_unused,
    written_unlike,
)
from localinterp.engine.context import truncate_middle
from localinterp.engine.languages import canonical, is_display
from localinterp.engine.types import DEFAULT_SAMPLING, ChatMessage, CodeEnd, Event, Sampling, TurnEnd
from localinterp.hints import (
    CANNOT_MATCH,
    WRITTEN,
    binary_as_text_hint,
    case_never_matches,
    digit_test_skips,
    failure_hint,
    missing_file_hint,
    nothing_found_hint,
    overwritten_in_loop,
    python_bangs,
    range_and_count_mended,
    script_unrun,
    self_compared,
    set_by_a_failed_block,
    shell_bangs,
    shell_lines,
    stderr_unprinted,
    substring_overcount,
    unfiltered_find,
    unlike_kind_hint,
    unprinted_result,
    unsaved_edit,
    unsummed_order,
    unused_query_hint,
    words_printed,
    written_hint,
)
from localinterp.overwrites import files_there, overwrite
from localinterp.runners import Runners, shell_program
from localinterp.runners.base import Output, RunResult
from localinterp.sandbox import Sandbox

MAX_STEPS = 12  # model turns per user message: a model that keeps writing code cannot loop forever
# Answers checked against the conversation per user message (claims.py): a second check catches a model
# that answered the first with a display-only fence and the same claim. A third is only for what the
# second did not say (see `said`): asked how many .txt files were under docs, the 1.5B was told to look,
# then to walk the subfolders, printed ten paths and answered 14, unchecked (count-txt, seed 26000).
MAX_CHECKS = 3
OUTPUT_CHARS_TO_MODEL = 6000  # a block's output as the model sees it (head and tail)
PERSISTENT = ("python", "shell")
LISTING_ENTRIES = 30  # names of the working directory shown to the model


@dataclass
class Message:
    """One entry of the conversation. `role`: system | user | assistant | code | output | check (the
    loop asking the model to back a claim its code did not print: claims.py)."""

    role: str
    content: str
    language: str | None = None
    # for output: ok | error | timeout | interrupted | crashed | declined | repeated (not run again) |
    # unfilled (not run: it holds a placeholder of a block to fill in, claims.unfilled) | kept (not run
    # unasked: it would move another file over, or delete, a file the request names, overwrites.py); for
    # assistant: how a reply was cut (length | repetition | context | interrupted | ...), None when it ended
    status: str | None = None
    # for user: previews of the files it names; for output: localinterp's hint (hints.py) on an error or
    # on a result that found nothing;
    # kept as the model saw them, so that its view of the past never changes
    context: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The saved form."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


# The statuses of an output message for a block that never ran: what they hold is localinterp's, not output.
NOT_RUN = frozenset({"declined", "repeated", "unfilled", "kept"})


@dataclass(frozen=True)
class Approval:
    """What the user decided for a block: run | skip | always (run this and every later one) | sandbox
    (run this and every later block in the workspace sandbox), with the code to run (edited, perhaps)."""

    action: str
    code: str = ""


@dataclass(frozen=True)
class RunStart:
    """A block is about to run (after approval), in `sandbox` (its label: "workspace sandbox", ...)."""

    language: str
    code: str
    sandbox: str = "no sandbox"


@dataclass(frozen=True)
class Declined:
    """The user declined a block; nothing ran."""

    language: str
    code: str


@dataclass(frozen=True)
class Unrunnable:
    """A block the model wrote that does not run: no runner here can run it (possible only without the
    grammar), it is unfinished, it holds a placeholder, or, run unasked, it would destroy a named file."""

    language: str
    reason: str


@dataclass(frozen=True)
class Repeated:
    """The model wrote a block it already ran for this message; it was not run again and the loop ended
    (small models often repeat themselves instead of answering), unless the reply had answered before
    the block: then that answer is checked (a Recheck may follow) as if the reply had ended there."""

    language: str
    code: str


@dataclass(frozen=True)
class Recheck:
    """The final answer stated things no code printed, left a file the request wanted written or changed
    missing or unchanged, or answered about a file the request named with no code run at all; the model
    gets one more step to show or do them."""

    claims: tuple[str, ...]
    why: str = ""  # when it is not claims: what the model was asked to do and did not


@dataclass(frozen=True)
class StepLimit:
    """The model kept writing code for MAX_STEPS turns; the loop handed control back."""

    steps: int


Chunk = Event | RunStart | Output | RunResult | Declined | Unrunnable | Repeated | Recheck | StepLimit


class Engine(Protocol):
    """What the loop needs of a backend (local, cloud and legacy engines all fit)."""

    def chat(self, messages: list[ChatMessage], **kwargs: Any) -> Iterator[Event]: ...


Approver = Callable[[str, str], Approval]


def deny_all(_language: str, _code: str) -> Approval:
    """The default without a user to ask: nothing runs."""
    return Approval("skip")


def default_system_message(
    languages: tuple[str, ...], cwd: str | None = None, sandbox: Sandbox | None = None
) -> str:
    """What the model is told about this machine and how to work.

    Small local models guess instead of looking (a file's contents, the name inside a zip, an environment
    variable's value) and then state the guess as a result. The rules below steer them to inspect first,
    to take facts only from what their code printed, and to finish with a short answer; scripts/eval_agent.py
    measures the effect.
    """
    # The program that runs shell blocks, not the user's $SHELL: a zsh user's blocks still run in bash.
    shell = shell_program()
    where = Path(cwd) if cwd else Path.cwd()
    persistent = [lang for lang in languages if lang in PERSISTENT]
    oneshot = [lang for lang in languages if lang not in PERSISTENT]
    lines = [
        # Measured (scripts/eval_agent.py, Qwen2.5-Coder-1.5B): a plan first, then code, doubled the tasks
        # solved against the same rules without it; small models otherwise answer from memory.
        "You are localinterp, an expert programmer who completes any task by running code on the user's "
        "computer.",
        "Start every answer with a short plan, then run code for its first step. Recap the plan briefly "
        "between blocks.",
        "To run code, write ONE fenced code block with its language, e.g. ```python ... ```, then stop: it "
        "runs at once and you are shown its real output. Then write the next block, or answer.",
        "Rules:",
        "- Look before you act: read a file, list a folder or inspect data with code before using it. "
        "Never guess a file's contents, a name inside an archive, or a value.",
        "- Only state facts that your code printed. Print every value you need to answer.",
        "- Paths are relative to the current directory below. Keep blocks short.",
        "- If a block fails, read the error, fix the cause and try a different approach; do not repeat it.",
        "- To show text, data or an example without running it, use ```text.",
        "- When the task is done, answer in one or two sentences without a code block.",
        f"Languages: {', '.join(languages)}.",
    ]
    if persistent:
        lines.append(
            f"{' and '.join(persistent)} keep their state (variables, imports, working directory) between blocks."
        )
    if oneshot:
        lines.append(f"{', '.join(oneshot)} start fresh for every block.")
    lines.append(
        f"System: {platform.system()} {platform.release()} ({platform.machine()}), shell {shell}, "
        f"date {_today().isoformat()}."
    )
    # "Current directory" and a path spelled out: after "Working directory: /tmp/x/work" the 0.5B wrote
    # /tmp/x/config.json for work/config.json (its largest failure: 27 of 70 failed runs in one
    # evaluation); not once with the folder named project, and in 2 of 36 runs (folder paths) with these
    # two lines (docs/EVAL.md).
    lines.append(f"Current directory: {where}")
    if sandbox is not None and sandbox.on:
        lines.append(sandbox.for_model(where))
    names = visible_names(where)
    if names is not None:
        lines.append(f"It contains: {directory_listing(names)}")
    if names:
        example = names[0].rstrip("/")
        lines.append(
            f"Blocks run there: name its files by their relative path, e.g. '{example}', not {where / example}."
        )
    return "\n".join(lines)


def _today() -> _dt.date:
    """Today, or the day of SOURCE_DATE_EPOCH (seconds since 1970, UTC) when it is set: the reproducible-
    builds convention, which scripts/eval_agent.py uses so that a run after midnight meets the same
    system message, and so the same conversation, as the run it is compared with."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return _dt.date.today()


def visible_names(folder: Path) -> list[str] | None:
    """The names in `folder` the model is shown (folders end with /, hidden ones left out), sorted; None
    when it cannot be read."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError:
        return None
    shown = []
    for p in entries:
        if p.name.startswith("."):
            continue
        try:
            shown.append(p.name + ("/" if p.is_dir() else ""))
        except OSError:
            continue
    return shown


def directory_listing(names: list[str], limit: int = LISTING_ENTRIES) -> str:
    """A short listing for the model: at most `limit` of `names`."""
    if not names:
        return "(nothing)"
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f", and {more} more" if more > 0 else "")


def output_for_model(message: Message, task: str = "") -> str:
    """A block's output as the model reads it, with what to do next. `task`: the user's request, restated
    so that a small model judges the output against it (it otherwise stops after a `pip install`)."""
    body = truncate_middle(message.content, OUTPUT_CHARS_TO_MODEL)
    language, status = message.language, message.status
    if status == "declined":
        return f"The user declined to run the {language} block. Ask what to do instead, or stop."
    if status == "repeated":
        return (
            f"Not run: you already ran this exact {language} code. {body} "
            "Write different code: inspect the input first (print it), then fix the cause."
        )
    if status == "unfilled":
        return (
            f"Not run: the {language} block still holds {body}, the part of the block given to you that "
            "you were to fill in. Write the real text in its place."
        ) + (f"\n{message.context}\n" if message.context else "")
    if status == "kept":
        return f"Not run: {body}"
    if status == "ok":
        asked = f" The request was: {_shorten(task)}" if task else ""
        if not body.strip():
            if not message.context or WRITTEN not in message.context:
                # Files it changed (changes.py) are no result to answer from: after a silent block that
                # had set a list, the "if the request is done" wording below led the 1.5B to answer an
                # average it never computed.
                return (
                    f"The {language} block ran without error but printed nothing (assigning a variable "
                    "prints nothing)."
                    + (f"\n{message.context}\n" if message.context else " ")
                    + "Its variables are kept: print the values you need."
                )
            # It wrote a file the request asks for (written_hint): what it holds is the output to judge.
            return (
                f"The {language} block ran without error and printed nothing.\n{message.context}\n"
                f"If the request is done, say so in one sentence and no code; otherwise write the next "
                f"block.{asked}"
            )
        return (
            f"Output of the {language} block:\n```\n{body}\n```\n"
            + (f"{message.context}\n" if message.context else "")
            + "If this output answers the request, reply with the answer in one sentence and no code; "
            f"otherwise write the next block.{asked}"
        )
    last = last_line(message.content)
    advice = (
        "Read the error, fix its cause and try again with different code; if it concerns a file or data you "
        "have not looked at yet, inspect that first."
    )
    if status in ("timeout", "interrupted"):
        advice = "It was stopped before it finished; make it faster or smaller."
    return (
        f"The {language} block failed ({status}). Its output:\n```\n{body or '(no output)'}\n```\n"
        + (f"The error: {last}\n" if last else "")
        + (f"{message.context}\n" if message.context else "")
        + advice
    )


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def last_line(text: str) -> str:
    """The last non-blank line of `text` (where Python and shells put the error), shortened."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line and not line.startswith("[the "):
            return line[:300]
    return ""


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
    # Show the model the files a request names (previews.py). Only for local models: a cloud endpoint
    # would receive file contents that no approved code ever read.
    previews: bool = False
    _always: bool = False
    _to_write: list[str] = field(default_factory=list)  # files the current request asks for (claims.py)
    _to_change: dict[str, bytes] = field(default_factory=dict)  # files it asks to change, as they were
    _named: list[str] = field(default_factory=list)  # existing files it names

    def __post_init__(self) -> None:
        if not self.system_message:
            self.system_message = default_system_message(
                self.runners.languages, self.runners.cwd, self.runners.sandbox
            )

    def chat_messages(self) -> list[ChatMessage]:
        """The conversation as the model sees it: code output comes back as a user message."""
        out = [ChatMessage("system", self.system_message)]
        task = ""
        for m in self.messages:
            if m.role in ("user", "assistant"):
                content = f"{m.content}\n\n{m.context}" if m.context else m.content
                out.append(ChatMessage(m.role, content))
                task = m.content if m.role == "user" else task
            elif m.role == "output":
                out.append(ChatMessage("user", output_for_model(m, task)))
            elif m.role == "check":
                out.append(ChatMessage("user", m.content))
        return _merge_roles(out)

    def _add(self, message: Message) -> None:
        self.messages.append(message)
        if self.on_change:
            self.on_change(self.messages)

    def reset(self) -> None:
        """Forget the conversation (the runners keep their state; close them to reset that too). What was
        saved stays saved: the history stops following this session until a new one is attached."""
        self.on_change = None
        self.messages.clear()
        self._always = False

    def undo(self) -> list[Message]:
        """Remove the last user message and everything after it; returns what was removed."""
        removed = undo(self.messages)
        if removed and self.on_change:
            self.on_change(self.messages)
        return removed

    def send(self, text: str, *, stop: threading.Event | None = None) -> Iterator[Chunk]:
        """Add the user's message and run the loop, yielding every chunk.

        Each step the model writes until it closes a runnable block (or ends its reply); that block is
        approved and run right then, and its real output goes back before the model writes on, so it never
        reasons from output it imagined. Display-only blocks (```text, ```json, untagged) are shown, never run.
        """
        cwd = Path(self.runners.cwd or ".")
        self._to_write = files_to_write(text, cwd)
        written: dict[str, tuple[int, int] | None] = dict.fromkeys(self._to_write)  # see written_hint
        asked = frozenset(os.path.normpath(name) for name in self._to_write)
        self._to_change = files_to_change(text, cwd)
        self._named = files_named(text, cwd)
        self._moved = False  # whether a block of this request changed the working directory (changes.py)
        there = files_there(cwd) if self._to_change or self._named else None  # see overwrite()
        context = None
        if (
            self.previews
        ):  # computed once: the model's view of this message must not change under the KV cache
            from localinterp.previews import previews_for

            context = previews_for(text, cwd) or None
        self._add(Message("user", text, context=context))
        first = len(self.messages) - 1
        repeats = _Repeats()
        checks = 0
        said: tuple[str, ...] = ()  # what the last check asked to be backed
        nudged = False
        unheeded = ""  # a hint (nothing found, a query never run) the model has not answered with a block yet
        # After a check when no code has run for the request, the reply is a block from its first token
        # (where the engine can constrain it): told to run code, the 0.5B answered three checks with the
        # same page of mental arithmetic, and the 1.5B with ```json fences of an invented config. Only
        # then: after code has run, the plan a reply starts with is where the 1.5B found the step it had
        # left out (forced, it printed people.json's content twice and never wrote the file).
        forced = False
        retold = False  # a check answered with a block already run, told once (see _RETOLD)
        read_code: list[str] = []  # the code of the blocks run for this request
        tried: list[tuple[str, str, str]] = []  # each block run: code, output, the block a hint handed
        prior = self.messages[-1]  # the message the model's reply answers
        for _step in range(MAX_STEPS):
            blocks: list[CodeEnd] = []
            end: TurnEnd | None = None
            for event in self.engine.chat(
                self.chat_messages(),
                max_tokens=self.max_tokens,
                sampling=self.sampling,
                stop=stop,
                until_block=True,
                force_code=forced,
                start=_handed_start(self.messages[-1], self.runners.languages) if forced else "",
            ):
                if isinstance(event, CodeEnd):
                    blocks.append(event)
                elif isinstance(event, TurnEnd):
                    end = event
                yield event
            forced = False  # set again below where the next reply must be a block
            if end is not None and end.text:
                # How a reply that did not end by itself was cut (length, repetition, context, interrupted,
                # ...), saved so: scripts/replay_eval.py replays it as it was cut.
                cut = None if end.reason in ("stop", "block") else end.reason
                self._add(Message("assistant", end.text, status=cut))
                prior = self.messages[-2]  # what the reply answers: a block it hands is run again (rerun)
                repeats.plan = repeats.plan or _plan_steps(end.text)
            if end is None or end.reason in ("interrupted", "disconnected", "timeout"):
                return
            ran = False
            implied = ""  # the output a repeated block stands for as the answer (see below)
            for block in blocks:
                if is_display(block.language):
                    continue
                if block.closed and not _gist(block.code):
                    # Only comments ("# No further action needed"): the 1.5B appends one to a finished
                    # answer; running it printed nothing, and the model went on answering that instead.
                    continue
                printed = [m.content for m in self.messages[first:] if m.role == "output"]
                if block.closed and _shown_only(block.language, block.code, printed):
                    # A value written out computes nothing: told its renamed files had two dots, the 1.5B
                    # wrote the names it wanted as a list in a python block, which echoed them, and
                    # answered "renamed" from that (rename, seed 30000). Nor does an output pasted as
                    # code (see _output_echoed). Shown, as a ```text block is.
                    continue
                command = shell_lines(block.code) if block.language == "python" else ""
                if command and "shell" in self.runners.languages and sys.platform != "win32":
                    # Run as what it is (approval shows it as shell), not failed as Python for the
                    # model to write again.
                    block = replace(block, language="shell", code=command)
                    yield Output("notice", _AS_SHELL)
                elif block.language == "shell" and sys.platform != "win32" and shell_bangs(block.code):
                    block = replace(block, code=shell_bangs(block.code))  # approved as it runs
                    yield Output("notice", _BANGS)
                elif block.language == "python" and python_bangs(block.code):
                    block = replace(block, code=python_bangs(block.code))  # approved as it runs
                    yield Output("notice", _PYTHON_BANGS)
                if block.language not in self.runners.languages:
                    yield Unrunnable(block.language, f"no {block.language} runner on this machine")
                    continue
                if not block.closed:
                    yield Unrunnable(block.language, "the block was not finished")
                    continue
                hole = unfilled(block.code)
                if hole:  # it would write the placeholder into the user's file: never run, said why
                    yield Unrunnable(block.language, f"it still holds the placeholder {hole}")
                    name, filled = hole_filled(block.code) if block.language == "python" else ("", "")
                    # Its own content, under the placeholder it kept, handed back without it: the reply
                    # begins with it (see _handed_start).
                    told = (
                        f"What you wrote under that placeholder is {name}'s content; the placeholder line only "
                        f"marked where it goes. Your block without it:\n```python\n{filled}\n```"
                        if filled
                        else None
                    )
                    self._add(Message("output", hole, block.language, "unfilled", context=told))
                    forced = forced or bool(filled)
                    ran = True
                    continue
                lost = overwrite(
                    text, block.language, block.code, cwd, [*self._to_change, *self._named], there
                )
                if lost and (self.auto_run or self._always):
                    # Run without asking, it would destroy what the user has: never run, the model told.
                    yield Unrunnable(block.language, lost.sentence())
                    self._add(
                        Message("output", f"{lost.sentence()}. {lost.advice()}", block.language, "kept")
                    )
                    ran = True
                    continue
                if lost:  # the user decides, told first what the block would do
                    yield Output("notice", f"[Careful: {lost.sentence()}.]\n")
                verdict = repeats.verdict(block.language, block.code)
                if verdict and self.previews:
                    handed = [code for _, code in _handed(prior, [block.language])]
                    verdict = (
                        "" if repeats.rerun(block.language, block.code, snapshot(cwd), handed) else verdict
                    )
                if verdict == _STOP:
                    if self.messages[-2].role != "check" or retold:
                        yield Repeated(block.language, block.code)
                        if ran:
                            return
                        # The block again after its output: what it printed is the answer it points at
                        # (the 0.5B's way of ending: emails, its set of whole lines printed as 25
                        # addresses), so it is checked with the prose before the block, if any. "The
                        # number of distinct words is 1." and then the `wc -l` it came from, again: the
                        # 1.5B answered so in unique-words on both held-out seeds, and ending the turn at
                        # the repeat let the answer pass unchecked. A check already answered with a block
                        # run before it (retold) is not asked again.
                        implied = "" if retold else self._last_output(first)
                        if not implied and not _answer_before(end.text):
                            return
                        break
                    # A check answered with a block already run: told to write out_of_stock.txt, the
                    # 1.5B ran its existence test again, and told to change summary.py, read it again
                    # (the turn ended there, both unsolved). It is told so once, and answers with code.
                    retold, forced, verdict = True, True, _RETOLD
                if verdict:  # not run again: the model is told why, and gets one more chance
                    self._add(Message("output", verdict, block.language, "repeated"))
                    ran = True
                    # Handed a block that fixes the failure, or told which step of its plan comes after
                    # a silent block, the 1.5B wrote its plan again from step 1 and, with it, the same
                    # block, until the turn ended (fix-name, held-out seed 33000; log-top-ip, 34000: all
                    # 13 replies to a silent block refused in the kept runs began "Plan: 1."). A reply
                    # that is a block from its first token starts at the handed block or the next step.
                    forced = forced or "```" in verdict or verdict.startswith(_AGAIN_SILENT)
                    continue
                code = block.code
                restarted = False
                if not (self.auto_run or self._always):
                    decision = self.approve(block.language, code)
                    if decision.action == "always":
                        self._always = True
                    elif decision.action == "sandbox":
                        confined = Sandbox("workspace", self.runners.sandbox.allow_net)
                        restarted = self.runners.set_sandbox(confined)
                    elif decision.action != "run":
                        yield Declined(block.language, code)
                        self._add(Message("output", "", block.language, "declined"))
                        return
                    code = decision.code or code
                yield RunStart(block.language, code, self.runners.sandbox.label())
                # Taken after approval, not reused from the last block's: the user may change files
                # while deciding, and those changes are not the block's (changes.py).
                before = snapshot(cwd) if self.previews else None
                result: RunResult | None = None
                if restarted:  # the model must not count on variables that are gone
                    yield Output("notice", _RESTARTED)
                for item in self.runners.get(block.language).run(code, stop=stop):
                    if isinstance(item, RunResult):
                        item = replace(item, output=_RESTARTED + item.output) if restarted else item
                        result = item
                    yield item
                assert result is not None
                # A script's traceback in an "ok" block's output (a subprocess the block ran) is a failure
                # to fix as much as the block's own (fix-type: report.py's TypeError, unhinted).
                failed = result.status == "error" or python_failed(result.output)
                if failed:
                    hint = failure_hint(
                        result.output, cwd, code, self._to_write, self._to_change, block.language
                    )
                    if block.language == "python":
                        hint = hint or set_by_a_failed_block(result.output, tried)
                else:
                    # A missing file the block caught and reported itself: the 1.5B wrapped summary.py's
                    # open('price.json') in a try, printed "does not exist" and never met prices.json.
                    hint = missing_file_hint(
                        result.output, cwd, code, self._to_write, self._to_change, block.language
                    )
                    hint = hint or binary_as_text_hint(result.output, cwd, code, block.language)
                    hint = hint or unlike_kind_hint(result.output, text, cwd, self._named)
                    hint = hint or hash_not_of_file(
                        text, code, result.output, cwd, self._named, block.language
                    )
                    hint = hint or sizes_without_names(text, result.output, cwd)
                    if block.language == "shell":
                        hint = hint or unfiltered_find(text, code)
                    if block.language == "python":
                        hint = (
                            hint
                            or case_never_matches(code)
                            or digit_test_skips(result.output, code, cwd)
                            or self_compared(code)
                            or unsummed_order(text, code)
                            or range_and_count_mended(text, code, result.output)
                            or listdir_unwalked(text, code)
                            or names_compared(text, code)
                            or overwritten_in_loop(text, code)
                            or group_totals_unsummed(text, code, cwd)
                            or unsaved_edit(code, self._to_change)
                            or stderr_unprinted(code, result.output)
                            or words_printed(text, code, result.output, cwd)
                            # It quotes a line of the file: local models only, as the previews are.
                            or (substring_overcount(code, cwd) if self.previews else "")
                        )
                # Asked for LI_EVAL_TOKEN in a folder holding a README.md, the 1.5B searched the README
                # for it, printed nothing, and wrote that block twice more (env-var, seed 22000 with
                # clutter); the check at an answer came too late. Said at the first block that misses.
                read_code.append(code)
                hint = hint or "".join(f"{s[0].upper()}{s[1:]}." for s in env_unread(text, read_code))
                if not failed and result.status == "ok" and not hint:
                    # The plain nudge once a request (a real "none" costs one look, not a loop); a
                    # condition shown to match no line, each time: the 1.5B moved its status test to
                    # the right field after the first and kept the startswith that matched nothing.
                    found = nothing_found_hint(result.output, code, cwd, text)
                    if found and (not nudged or found.startswith(CANNOT_MATCH)):
                        hint, nudged = found, True
                unused = unused_query_hint(code) if block.language == "python" else ""
                # What a written file holds is a preview too: for local models only (see `previews`), as
                # is what the block changed on disk (names and sizes; the files asked for are shown above).
                shown = written_hint(written, cwd) if self.previews else ""
                # And what it holds unlike the request, with the block that mends it, said as it is
                # written: the 0.5B never answered, so the check at an answer never came; it wrote the
                # same block again, its repeats of each name kept (sort-unique, every run).
                unlike = written_unlike(text, self._to_write, cwd) if shown else ""
                said_of = " ".join(filter(None, (unused, hint, unlike)))
                after = snapshot(cwd) if before is not None else None
                repeats.record(block.language, block.code, result, said_of, after)
                # What the model must act on before it answers: asked again as a check if it does not.
                unheeded = " ".join(filter(None, (unused, hint if result.status == "ok" else "")))
                # Said, not pressed: an answer after it is checked as any other (claims.py). A script to
                # fix that no block ran comes first: the 1.5B set lines and printed its variables instead,
                # then wrote `total = 125` over report.py's loop and never ran it (fix-type, seed 32000).
                hint = hint or script_unrun(self._to_change, read_code)
                if not hint and result.status == "ok" and not result.output.strip():
                    hint = extracted_unprinted(text, code, cwd)
                if (
                    not hint
                    and result.status == "ok"
                    and not result.output.strip()
                    and block.language == "python"
                ):
                    name = unprinted_result(code)
                    hint = (
                        f"It set {name} last, and nothing printed it: `print({name})` shows it."
                        if name
                        else ""
                    )
                # Before what it changed: the error it explains (an ls of the files it renamed) comes first.
                moved = "\n".join(
                    filter(
                        None, (gone_by_block(result.output, before, after), describe(before, after, asked))
                    )
                )
                odd = doubled_dots(before, after)  # pressed, as the hints above: a rename to redo
                # Pressed too: handed the mend beside the preview, the 1.5B answered "sorted and written"
                # twice and was let go (sort-unique, seeds 37000, 45000; it had mended the file itself
                # when shown only the preview).
                unheeded = " ".join(filter(None, (unheeded, odd, unlike)))
                self._moved = self._moved or before != after
                hint = "\n".join(filter(None, (unused, hint, moved, odd, shown, unlike)))
                self._add(
                    Message("output", result.output, block.language, result.status, context=hint or None)
                )
                handed = [c for t, c in _HANDED_BLOCK.findall(hint) if canonical(t) == block.language]
                tried.append((code, result.output, handed[-1] if handed else ""))
                ran = True
                if result.status == "interrupted":
                    return
            if stop is not None and stop.is_set():
                return
            # Told what failed with the whole block that mends it, the 0.5B wrote a page on the error and
            # a block of its own instead (json-nested, log-errors, rename, csv-value on seeds 53000-55000,
            # all unsolved; its own shell script again in sort-unique): the reply begins with the block.
            last = self.messages[-1]
            forced = forced or (ran and last.role == "output" and bool(_handed(last, self.runners.languages)))
            if not ran:
                if checks >= MAX_CHECKS or end.reason not in ("stop", "block", *_CUT_CHECKED):
                    return
                if unheeded:
                    # Told its "0" deserved a look, the 1.5B answered at once (log-errors, log-404, csv-count:
                    # "0", wrong, in the fifth session's runs), and answered "no customer" when told its
                    # query never ran: the look is asked again, as a check.
                    checks += 1
                    yield Recheck((), why="answered without the look at the data it was asked for")
                    self._add(Message("check", f"You answered without looking. {unheeded}"))
                    # A look needs no plan, and a free reply restated the answer (count-txt: 0 of 3
                    # runs free, 1 of 3 forced).
                    unheeded, forced = "", True
                    continue
                claims, same, unread, wrong, failing = self._unsupported(first, implied)
                if not claims and not same and not unread and not wrong and not failing:
                    return
                reasons = tuple(dict.fromkeys(claims + same + unread + wrong + list(failing)))
                if checks >= 2 and reasons == said:  # told twice: a model that cannot back it is let go
                    return
                checks, said = checks + 1, reasons
                yield Recheck(reasons)
                where = Path(
                    self.runners.cwd or Path.cwd()
                ).resolve()  # named in full: "." tells the model nothing
                # A file the request names, gone now, was removed by a block and is to be written back
                # (the 1.5B had moved prices.json over summary.py); one only the answer names is to be
                # found first (a zip's member).
                present = [*self._to_change, *self._named]
                asked = [*self._to_write, *present]
                # The files to write whose content a check names (unlike_request's sentences begin with
                # the name): they get a block to fill in.
                redo = [n for n in self._to_write if any(w.startswith(f"{n} ") for w in wrong)]
                worked = self._worked(first)
                copies = {n: corrected_copy(self._to_change[n], worked) for n in [*same, *failing]}
                told = recheck_message(
                    claims,
                    where,
                    same,
                    unread,
                    wrong,
                    asked,
                    failing,
                    redo,
                    present,
                    about_files(text),
                    copies,
                )
                if end.reason in _CUT_CHECKED:
                    told = f"{_CUT_SAID} {told}"
                self._add(Message("check", told))
                # The second check in a row is answered with a block too: checked once, the 1.5B wrote
                # its unbacked average again in ```json and ```text fences (csv-mean).
                again = len(self.messages) - first > 3 and self.messages[-3].role == "check"
                forced = again or not any(m.role == "output" for m in self.messages[first:])
                forced = forced or _ECHOED in wrong  # a free reply would say it again
                # Handed the corrected copy it had run, inside the block that writes it into report.py,
                # the 1.5B answered its total again in prose, and the turn ended (fix-type, held-out
                # seed 33000); told the same with the whole block that rewrites a file to write, it
                # answered "written" again (sort-unique, seeds 37000, 45000); handed the block printing
                # the row with the largest qty, the 0.5B answered the first row's name again (csv-max,
                # 55000). A check that hands a whole block is answered by it: the reply begins with it
                # (see _handed_start). Forced with no such start, the 1.5B had written its answer as a
                # value in a ```python fence (`40.68`: csv-mean 36000).
                forced = forced or bool(_handed(self.messages[-1], self.runners.languages))
        yield StepLimit(MAX_STEPS)

    def _worked(self, first: int) -> list[str]:
        """The code of the Python blocks run since message `first` that did not fail, oldest first."""
        rest = self.messages[first:]
        return [
            src
            for m, after in itertools.pairwise(rest)
            if m.role == "assistant" and after.role == "output" and after.status == "ok"
            if after.language == "python" and not python_failed(after.content)
            for tag, src in _TAGGED.findall(m.content)[-1:]
            if canonical(tag) == "python"
        ]

    def _last_output(self, first: int) -> str:
        """What the last block run since message `first` printed ("" for none, or for a failed one)."""
        outputs = [m for m in self.messages[first:] if m.role == "output" and m.status not in NOT_RUN]
        return outputs[-1].content if outputs and outputs[-1].status == "ok" else ""

    def _unsupported(
        self, first: int, implied: str = ""
    ) -> tuple[list[str], list[str], list[str], list[str], dict[str, str]]:
        """What the final answer (the last message, or `implied`: the output a repeated block stands for)
        claims that nothing since message `first` backs, the files the request asked to change that are
        still as they were, the files it named when no code ran at all, what else the answer or the files
        written get wrong (sentences), and the files to change that the last output shows failing (with
        where)."""
        request, *rest = self.messages[first:]
        if not rest or rest[-1].role != "assistant":
            return [], [], [], [], {}
        # The previews localinterp showed are not evidence: the answer must come from what code printed
        # (the system message says so, and a user checks the run, not our preview).
        cwd = Path(self.runners.cwd or ".")
        # The code it wrote, not the output it showed in ```text fences (claims.unsupported's claims).
        printed = [m.content for m in rest if m.role == "output" and m.status != "declined"]
        code = [
            src
            for m in rest[:-1]
            if m.role == "assistant"
            for tag, src in _TAGGED.findall(m.content)
            if runnable_tag(tag) and not _shown_only(tag, src, printed)
        ]
        given = [request.content, *code]
        places = (str(cwd), str(cwd.resolve()))  # where it works: named by the system message, not a claim
        # A value written out in a python block, or an output pasted as code, never run (see send), says
        # what a ```text fence says.
        last = _TAGGED.sub(
            lambda f: (
                f"```text\n{f.group(2)}```" if _shown_only(f.group(1), f.group(2), printed) else f.group(0)
            ),
            rest[-1].content,
        )
        if implied:  # with the prose before the block, unless that is only a plan ("1. Count them")
            last = f"{last}\n{implied}" if _answer_before(last) else implied
        claims = unsupported(
            last, given=given, printed=printed, cwd=cwd, to_write=self._to_write, places=places
        )
        # A file the request named that a block decompressed in place is no claim: its data is there.
        named = {*self._to_change, *self._named}
        claims = [c for c in claims if c not in named or not unpacked(c, cwd)]
        unread = [] if any(m.role == "output" for m in rest) else self._named
        wrong = self._mistakes(request, rest, cwd, last)
        outputs = [m.content for m in rest if m.role == "output"]
        shown = self._last_output(first)
        wrong += counted_by_eye(claims, shown, request.content, last, _shown_by(rest))
        wrong += row_value_as_total(request.content, last, shown)
        wrong += lines_read_off(request.content, last, shown, cwd)
        wrong += date_unbacked(request.content, last, claims, code, cwd, self._named)
        wrong += aggregate_unbacked(request.content, claims, cwd, self._named)
        wrong += extreme_unbacked(request.content, last, printed, cwd, self._named)
        failing = still_failing(self._to_change, outputs[-1]) if outputs else {}
        return claims, unchanged(self._to_change, cwd), unread, wrong, failing

    def _mistakes(self, request: Message, rest: list[Message], cwd: Path, last: str) -> list[str]:
        """What the answer `last` or the files written get wrong that the conversation (`rest`, since the
        request) can tell, one sentence each (claims.py has the checks that read files)."""
        wrong = unlike_request(request.content, self._to_write, cwd, quote=self.previews)
        wrong += measures_for_counts(last, request.content, cwd)
        wrong += lines_off_by_one(last, request.content, cwd)
        verb = _MOVING.search(request.content)
        if verb and self.previews and not self._moved:
            # Shown the folder's .jpeg files, the 1.5B listed them and answered "renamed" (rename).
            asked = verb.group(0).lower()
            wrong.append(
                f"no block you ran changed any file, and the request asks to {asked}: do it with code"
            )
        blocks = [b for m in rest if m.role == "assistant" for b in _TAGGED.findall(m.content)]
        wrong += values_unused(request.content, request.context or "", blocks)
        sources = [code for _language, code in blocks]  # each check below reads them all
        wrong += env_unread(request.content, sources)
        wrong += subfolders_unwalked(request.content, sources, cwd)
        wrong += archive_unopened(request.content, sources, cwd)
        # A read that found no file is no read: the 1.5B tried `cat nusxuda.txt` before its extraction
        # worked, and that block let its unread answer, "password", pass (zip-secret, fresh seed 60000).
        found = [
            code
            for m, after in itertools.pairwise(rest)
            if m.role == "assistant" and after.role == "output" and _NO_SUCH_FILE not in after.content
            for _language, code in _TAGGED.findall(m.content)[-1:]
        ]
        wrong += member_unread(request.content, found, cwd)
        wrong += hash_uncomputed(request.content, sources, cwd, self._named)
        wrong += sql_unrun(last, cwd, self._named)
        wrong += product_uncomputed(request.content, sources)
        outputs = [m for m in rest if m.role == "output"]
        wrong += concatenated_total(request.content, [m.content for m in outputs[-1:]], cwd, self._named)
        wrong += date_missing(request.content, last, sources, cwd, self._named)
        wrong += names_as_values(
            request.content, last, (m.content for m in outputs if m.status != "declined")
        )
        asked_files = self._to_write or self._to_change  # there, the files are the answer (checked above)
        if outputs and _silent(outputs[-1]) and _ECHO.search(last) and not asked_files:
            # Told its block printed nothing, the 0.5B answered with that sentence, and the turn ended
            # with the question unanswered (sha256: 3 of 3 runs; 9 runs in all in one evaluation).
            wrong.append(_ECHOED)
        return wrong


# A request whose result is a change on disk that no file name states ("rename every .jpeg file").
_MOVING = re.compile(r"\b(?:rename|move|delete)\b", re.I)
_TAGGED = re.compile(r"```(\w*)[^\n]*\n(.*?)```", re.DOTALL)  # a fence's language and code
_NO_SUCH_FILE = "No such file or directory"
# An answer that restates what localinterp said of a silent block instead of answering.
_ECHO = re.compile(r"printed nothing|prints nothing|no output|did not print|didn't print", re.I)
_ECHOED = (
    "your answer only says that the block printed nothing, which does not answer the request: print the "
    "values it asks for (the variables are kept)"
)


# A fenced block in what the model was told: its tag and code.
_HANDED_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _handed(message: Message, languages: Iterable[str]) -> list[tuple[str, str]]:
    """The whole blocks `message` hands the model to run, as (tag, code), in order: none still to fill in."""
    runnable = set(languages)
    return [
        (tag, code)
        for tag, code in _HANDED_BLOCK.findall(f"{message.content}\n{message.context or ''}")
        if canonical(tag) in runnable and code.strip() and not unfilled(code)
    ]


def _handed_start(message: Message, languages: Iterable[str]) -> str:
    """For a reply that must be a block, after `message` handed the model a whole block to run (a hint's,
    a check's, a refused repeat's; the last one): that block's fence and code, for the reply to begin
    with ("" when none is handed, or one still to fill in). The model closes the fence, or adds to it.

    Handed the block that corrects summary.py and runs it, in the hint and again when it wrote its own
    block a second time, the 0.5B wrote a block printing "The error occurred because 'price.json' does
    not exist", then the same, to the step limit (fix-name: every one of its H100 runs, seeds 42000-
    44000). Begun with the block's first line, it went on with `print(source)` in place of the line that
    writes it back (fix-name, seeds 48000 and 49000 on this CPU); begun with a rewrite's first line, it
    left out its write (sort-unique, 47000); begun with two lines, `with open(...) as file:` and the
    reader, it wrote the rest of the handed block out of the `with`, and the file was closed (csv-value,
    53000). So the whole block."""
    found = _handed(message, languages)
    if not found:
        return ""
    tag, code = found[-1]
    return f"```{canonical(tag)}\n{code.rstrip()}\n"  # a tag the grammar admits


def _answer_before(reply: str) -> bool:
    """Whether `reply` says something before its first fence that is not a plan ("Plan:", "1. ..."):
    an answer, whose claims can be checked."""
    prose = reply.split("```", 1)[0]
    prose = re.split(r"^\s*(?:\**plan\**:?|\d+\.\s)", prose, maxsplit=1, flags=re.I | re.M)[0]
    return bool(prose.strip())


def _silent(message: Message) -> bool:
    return message.status == "ok" and not message.content.strip()


_SILENT = "It ran without error but printed nothing; its variables are kept, so print the values you need."
_AGAIN_SILENT = "It ran without error but printed nothing, as it did before"
_RETOLD = (
    "This block ran before the check, unchanged, and running it again shows nothing new: write the block "
    "that does what the check asks."
)


def _shown_by(rest: list[Message]) -> tuple[str, str]:
    """The (language, code) of the block whose output is the last one in `rest` (("", "") if unknown):
    the last runnable block of the reply before it, as the model wrote it."""
    for i in range(len(rest) - 1, 0, -1):
        if rest[i].role == "output" and rest[i].status not in NOT_RUN and rest[i - 1].role == "assistant":
            blocks = [(tag, src) for tag, src in _TAGGED.findall(rest[i - 1].content) if runnable_tag(tag)]
            language = rest[i].language or ""
            return (language, blocks[-1][1]) if blocks else ("", "")
    return "", ""


# A reply cut for going in circles, or at the most tokens a reply may have, with no block run: checked as
# an answer is, not left as the last word. Asked for 40341 times 24902, the 0.5B wrote LaTeX until its
# tokens ran out, and the turn ended there with no answer (multiply, fresh seed 61000).
_CUT_CHECKED = ("length", "repetition")
_CUT_SAID = "Your reply was cut off: it ran on without a block that computes the answer."
_AS_SHELL = "[This ```python block holds shell commands, not Python: it runs as shell.]\n"
_BANGS = "[IPython's `!` before a command is not shell: it runs without it.]\n"
_PYTHON_BANGS = (
    "[IPython's `!command` lines are not Python: each runs through subprocess, as IPython would.]\n"
)
_RESTARTED = (
    "[Now in the workspace sandbox: the interpreters restarted, so variables and the working directory "
    "of earlier blocks are gone.]\n"
)


def undo(messages: list[Message]) -> list[Message]:
    """Remove the last user message and everything after it, in place; returns what was removed."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            removed = messages[i:]
            del messages[i:]
            return removed
    return []


_STOP = "stop"


class _Repeats:
    """Which blocks of one request not to run again.

    Only a block written again right after itself is a repeat: once another block has run, the state it
    reads may have changed (the 1.5B's `print(total)` failed, a block set `total`, and the same print was
    refused with the old NameError). And two blocks run again in turn with the same outcomes (A, B, A,
    then B) are a circle: the 0.5B alternated two failing blocks until the step limit (gzip-lines: every
    run), and the 1.5B answered a check with the two blocks it had run before it.
    """

    def __init__(self) -> None:
        # (language, gist) -> (status, last line of output) of the block run last; a status "silent" is
        # ok with nothing printed, "repeated" a block the model was told it had already run.
        self.last: dict[tuple[str, str], tuple[str, str]] = {}
        self.ran: list[tuple[tuple[str, str], tuple[str, str]]] = []  # every block run, with its outcome
        self.circled = False
        self.hint = ""  # what the model was told of the last block's output
        self.plan: list[str] = []  # the steps of the first plan the model wrote for the request
        self.after: dict[tuple[str, str], Snapshot | None] = {}  # the files as each block left them

    def rerun(self, language: str, code: str, now: Snapshot | None, handed: Iterable[str]) -> bool:
        """Whether a block localinterp handed (`handed`) is to run again although run before: the files
        changed since it ran (`now`), so it does something again. Handed the mend that wrote sorted.txt
        sorted, the 0.5B ran it, then ran its own script again, which appended the names back; handed the
        mend again and writing it, it was refused as a repeat (sort-unique, seed 53000)."""
        key = (language, _gist(code))
        before = self.after.get(key)
        return before is not None and now is not None and before != now and key[1] in map(_gist, handed)

    def verdict(self, language: str, code: str) -> str:
        """ "" to run the block; _STOP to end the turn; else what the model is told instead of running it."""
        key = (language, _gist(code))
        ran = self.ran
        if len(ran) >= 3 and key == ran[-2][0] and ran[-1] == ran[-3] and key not in self.last:
            if self.circled:  # told once already
                return _STOP
            self.circled = True
            status, last = ran[-2][1]
            self.last = {k: ("repeated", o[1]) for k, o in ran[-2:]}  # either block next ends the turn
            said = f"It printed: {last}" if status == "ok" else _said(status, last)
            return (
                "You ran it two blocks ago, and the block between them gave the same output both times: "
                f"you are going in a circle. {said}"
            )
        if key not in self.last:
            return ""
        status, last = self.last[key]
        if status in ("ok", "repeated"):  # nothing to gain, or repeated once already
            return _STOP
        # The error is said again (or that it printed nothing: a small model otherwise writes the same
        # silent block again), with what localinterp said of it: the 0.5B, told to write 'config.json' for
        # its absolute path, wrote the same block again, and "The error was" alone led it nowhere.
        self.last[key] = ("repeated", last)
        if status == "silent" and "```" in self.hint:
            # Told what its silent block wrote unlike the request, with the block that mends it, the 0.5B
            # wrote its block again (sort-unique): what it was told comes again, not its plan's next step.
            return f"{_AGAIN_SILENT}. {self.hint}"
        if status == "silent":
            return self._next_step(code if language == "python" else "")
        return " ".join(filter(None, (_said(status, last), self.hint)))

    def _next_step(self, code: str = "") -> str:
        # A silent block written again: the 1.5B read access.log into `lines` three times over, its plan's
        # "2. Parse each line ... count requests for each IP" never written (log-top-ip, held-out seed
        # 14000). It is pointed at that step: the one after as many steps as distinct blocks have run.
        done = len({key for key, _ in self.ran})
        step = self.plan[done] if done < len(self.plan) else ""
        nxt = f'the next step of your plan, "{step}"' if step else "the next step"
        said = f"{_AGAIN_SILENT}: its variables are kept, so running it again changes nothing. "
        # Its last line computed the answer and nothing printed it: pointed at step 3 of a plan it had
        # done, the 1.5B wrote the block a third time (log-top-ip, held-out seed 27000).
        name = unprinted_result(code)
        if name:
            return (
                said
                + f"It set {name} last: print it (`print({name})`), or write {nxt} in a block that prints."
            )
        return said + f"Write {nxt}, in a block that prints its result."

    def record(
        self, language: str, code: str, result: RunResult, hint: str = "", after: Snapshot | None = None
    ) -> None:
        """Note a block run, its outcome, `hint` (what the model was told of its output) and `after`, the
        files as it left them."""
        silent = result.status == "ok" and not result.output.strip()
        key = (language, _gist(code))
        self.after[key] = after
        self.last = {key: ("silent" if silent else result.status, last_line(result.output))}
        self.hint = hint
        self.ran.append((key, self.last[key]))


_STEP = re.compile(r"^\s*(?:step\s*)?(\d+)[.):]\s+(\S.*)$", re.I | re.M)


def _plan_steps(text: str) -> list[str]:
    """The numbered steps of a plan in `text` ("1. Read the file.", "2. Count ..."), in order."""
    steps = [(int(n), step.strip()) for n, step in _STEP.findall(text.split("```")[0])]
    if len(steps) < 2 or [n for n, _ in steps] != list(range(1, len(steps) + 1)):
        return []
    return [f"{n}. {step[:160]}" for n, step in steps]


def _said(status: str, last: str) -> str:
    return _SILENT if status == "silent" else f"The error was: {last}"


def _shown_only(tag: str, code: str, printed: Iterable[str]) -> bool:
    """Whether a fence tagged `tag` is shown and never run, though its language runs: a python block of
    one literal and nothing else, or an output already `printed` pasted as code (see _output_echoed)."""
    return (canonical(tag) == "python" and _only_a_value(code)) or _output_echoed(tag, code, printed)


# Lines an echoed block may begin with though they would run: the shell's own words.
_SHELL_OWN = (
    "cd export set unset source . [ [[ test echo printf read local declare alias eval exec exit return "
    "true false for while until if case function do done then else elif fi esac { }"
)
_SHELL_BUILTINS = frozenset(_SHELL_OWN.split())


def _output_echoed(tag: str, code: str, printed: Iterable[str]) -> bool:
    """Whether a python or shell block is, line for line (four in five, two lines at least), output already
    `printed` for this request, and cannot run as code: Python that does not parse, or shell whose every
    command is no command here.

    Having answered the meeting's date from notes.md, printed, the 1.5B pasted the file into a ```shell
    fence ("- yslxyk ezhkzk": "-: command not found" on every line), then into a ```python one (a
    SyntaxError), and ran the two in turn for nine blocks, 50 s, until it was stopped as going in a circle
    (meeting, fresh seed 61000)."""
    import ast
    import shutil

    lines = [ln.strip() for ln in code.splitlines() if ln.strip()]
    seen = {ln.strip() for out in printed for ln in out.splitlines() if ln.strip()}
    if len(lines) < 2 or 5 * sum(ln in seen for ln in lines) < 4 * len(lines):
        return False
    language = canonical(tag)
    if language == "python":
        try:
            ast.parse(code)
        except SyntaxError:
            return True
        return False
    if language == "shell":
        words = [ln.split()[0] for ln in lines if not ln.startswith("#")]
        return bool(words) and not any(w in _SHELL_BUILTINS or shutil.which(w) for w in words)
    return False


def _only_a_value(code: str) -> bool:
    """Whether `code` is one literal and nothing else (`['a.jpg', 'b.jpg']`, `42`, `"done"`)."""
    import ast

    try:
        tree = ast.parse(code)
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
            return False
        ast.literal_eval(tree.body[0].value)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return False
    return True


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
