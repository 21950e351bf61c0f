"""Split a streamed reply into prose and fenced code blocks, as it arrives.

The rule matches the grammar's (grammar.py): three backticks open a block, the tag up to the end of the
line names its language, and the next three backticks close it. Up to two trailing backticks are held back
until the next piece shows whether they start a fence, so no event ever has to be taken back.

A fence indented by N spaces (a block inside a list item: "1. Read the file:\n   ```python") has up to N
spaces taken off each of its lines, as CommonMark says: kept, every line after the first is an
"unexpected indent" to Python (the 0.5B wrote 18 such blocks in one evaluation and retried them as they
were).
"""

from __future__ import annotations

from localinterp.engine.languages import canonical
from localinterp.engine.types import CodeDelta, CodeEnd, CodeStart, Event, TextDelta

FENCE = "```"


def _split_tail(text: str) -> tuple[str, str]:
    """`text` without its trailing backticks (at most two), and those backticks."""
    n = len(text) - len(text.rstrip("`"))
    n = min(n, 2)
    return (text[: len(text) - n], text[len(text) - n :]) if n else (text, "")


class BlockParser:
    """Feed text pieces in order; get events. Call `close()` at the end of the reply."""

    def __init__(self) -> None:
        self._state = "prose"  # prose | tag | code
        self._held = ""
        self._tag = ""
        self._language = ""
        self._code: list[str] = []
        self._line = ""  # the prose since the last newline: all spaces when a fence is indented
        self._indent = 0  # the open block's fence indentation: spaces to take off each of its lines
        self._column = 0  # spaces taken off the current code line so far (a piece may end inside them)

    @property
    def in_code(self) -> bool:
        """Whether a block is open (its fence has been written, its closing fence not yet)."""
        return self._state != "prose"

    def feed(self, text: str) -> list[Event]:
        """Events for `text`, given everything fed before."""
        events: list[Event] = []
        s, self._held = self._held + text, ""
        i = 0
        while i < len(s):
            if self._state == "prose":
                j = s.find(FENCE, i)
                if j < 0:
                    body, self._held = _split_tail(s[i:])
                    if body:
                        self._prose(body)
                        events.append(TextDelta(body))
                    break
                if j > i:
                    self._prose(s[i:j])
                    events.append(TextDelta(s[i:j]))
                self._indent = len(self._line) if not self._line.strip(" ") else 0
                self._line = ""
                self._state, self._tag, i = "tag", "", j + len(FENCE)
            elif self._state == "tag":
                j = s.find("\n", i)
                if j < 0:
                    self._tag += s[i:]
                    break
                self._tag += s[i:j]
                self._language = canonical(self._tag) or self._tag.strip().lower() or "text"
                self._code, self._column = [], 0
                events.append(CodeStart(self._language))
                self._state, i = "code", j + 1
            else:
                j = s.find(FENCE, i)
                if j < 0:
                    body, self._held = _split_tail(s[i:])
                    body = self._dedent(body)
                    if body:
                        self._code.append(body)
                        events.append(CodeDelta(body))
                    break
                body = self._dedent(s[i:j])
                if body:
                    self._code.append(body)
                    events.append(CodeDelta(body))
                events.append(CodeEnd(self._language, _strip_newline("".join(self._code))))
                self._state, i = "prose", j + len(FENCE)
        return events

    def close(self) -> list[Event]:
        """Flush what was held back; a block still open ends unclosed."""
        events: list[Event] = []
        held, self._held = self._held, ""
        if self._state == "prose":
            if held:
                events.append(TextDelta(held))
        elif self._state == "tag":
            language = canonical(self._tag) or self._tag.strip().lower() or "text"
            events += [CodeStart(language), CodeEnd(language, "", closed=False)]
        else:
            held = self._dedent(held)
            if held:
                self._code.append(held)
                events.append(CodeDelta(held))
            events.append(CodeEnd(self._language, _strip_newline("".join(self._code)), closed=False))
        self._state = "prose"
        return events

    def _prose(self, text: str) -> None:
        cut = text.rfind("\n")
        self._line = text[cut + 1 :] if cut >= 0 else self._line + text

    def _dedent(self, text: str) -> str:
        """`text` of the open block with up to the fence's indentation taken off each line's start."""
        if not self._indent:
            return text
        out = []
        for ch in text:
            if ch == "\n":
                self._column = 0
            elif self._column < self._indent:
                if ch == " ":
                    self._column += 1
                    continue
                self._column = self._indent  # fewer spaces than the fence: the line is kept as it is
            out.append(ch)
        return "".join(out)


def _strip_newline(code: str) -> str:
    return code[:-1] if code.endswith("\n") else code


def closes_runnable(events: list[Event], languages: tuple[str, ...] | list[str]) -> bool:
    """Whether `events` close a block that can run here: where a turn that runs blocks one at a time ends."""
    return any(isinstance(e, CodeEnd) and e.closed and e.language in languages for e in events)
