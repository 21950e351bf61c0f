"""Keeping a conversation inside the context window.

Open Interpreter's local mode crashed with "Requested tokens exceed context window" after two or three
turns. Here the system message and the newest messages are always kept; the oldest others are dropped
(with a note saying so) until the conversation plus the reply's budget fits; a single message too long
for the window is cut in the middle. Long program output is cut before it ever becomes a message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from localinterp.engine.types import ChatMessage

DROPPED_NOTE = "[{n} earlier messages were dropped to fit the context window.]"


def truncate_middle(text: str, max_chars: int) -> str:
    """`text`, or its head and tail with a line saying how much was cut between them."""
    if len(text) <= max_chars:
        return text
    keep = max(max_chars - 80, 0)
    head, tail = text[: keep // 2], text[len(text) - (keep - keep // 2) :] if keep else ""
    cut = len(text) - len(head) - len(tail)
    lines = text[len(head) : len(text) - len(tail)].count("\n")
    return f"{head}\n[... {cut:,} characters ({lines:,} lines) cut ...]\n{tail}"


def fit_messages(
    messages: Sequence[ChatMessage], count: Callable[[Sequence[ChatMessage]], int], budget: int
) -> list[ChatMessage]:
    """The longest suffix of the conversation (after the system message) whose tokens fit `budget`."""
    msgs = list(messages)
    if count(msgs) <= budget:
        return msgs
    system = msgs[:1] if msgs and msgs[0].role == "system" else []
    rest = msgs[len(system) :]

    def with_note(kept: list[ChatMessage], dropped: int) -> list[ChatMessage]:
        # The note rides on the system message, or on the first kept message: some chat templates
        # (Gemma's) refuse a system role, and none refuses a longer message.
        note = DROPPED_NOTE.format(n=dropped)
        if system:
            return [ChatMessage("system", f"{system[0].content}\n\n{note}"), *kept]
        first = kept[0]
        return [ChatMessage(first.role, f"{note}\n\n{first.content}"), *kept[1:]]

    # Binary search on how many of the oldest messages to drop: token counts grow with what is kept.
    lo, hi = 1, len(rest) - 1  # drop at least one, keep at least the newest
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = with_note(rest[mid:], mid)
        if count(candidate) <= budget:
            best, hi = candidate, mid - 1
        else:
            lo = mid + 1
    if best is not None:
        return best
    # Only the newest message is left and it alone is too long: cut its middle until it fits.
    last = rest[-1] if rest else ChatMessage("user", "")
    dropped = max(len(rest) - 1, 0)
    text = last.content
    while True:
        kept = (
            with_note([ChatMessage(last.role, text)], dropped)
            if dropped
            else [*system, ChatMessage(last.role, text)]
        )
        if count(kept) <= budget or len(text) < 200:
            return kept
        text = truncate_middle(text, len(text) * 3 // 4)
