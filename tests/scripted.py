"""A scripted engine and one request through a real Session with real runners: for tests of the loop's
own decisions (checks, hints, what runs), where the model's words are given rather than sampled."""

from __future__ import annotations

import subprocess
import sys

from localinterp.engine.types import CodeEnd, TurnEnd, TurnStats
from localinterp.runners import Runners
from localinterp.session import Approval, Session


class Scripted:
    """An engine whose replies are given: a block (language, code), one after some prose (language, code,
    prose), a final answer (text), or a TurnEnd as the engine would end it (a reply cut)."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.seen = []
        self.forced = []  # for each turn: whether the reply had to be a block (force_code)
        self.starts = []  # for each turn: the text the reply was begun with (start)

    def chat(self, messages, **kwargs):
        self.seen.append(messages)
        self.forced.append(kwargs.get("force_code", False))
        self.starts.append(kwargs.get("start", ""))
        reply = self.replies.pop(0)
        if isinstance(reply, TurnEnd):  # a reply as the engine ended it: cut, say
            yield reply
        elif isinstance(reply, tuple):
            language, code, *prose = reply
            yield CodeEnd(language, code)
            yield TurnEnd("block", TurnStats(), "".join(prose) + f"```{language}\n{code}\n```")
        else:
            yield TurnEnd("stop", TurnStats(), reply)


def converse(engine, folder, request: str, languages=("python",), **session_args):
    """One request through a real Session with real runners in `folder`: the session and its chunks."""
    runners = Runners(list(languages), cwd=str(folder))
    session = Session(engine, runners, **({"auto_run": True} | session_args))
    try:
        return session, list(session.send(request))
    finally:
        runners.close()


def approving(shown: list[tuple[str, str]], action: str = "run"):
    """An approval that answers `action` for every block and notes each block as it was shown:
    (language, code)."""

    def approve(language: str, code: str) -> Approval:
        shown.append((language, code))
        return Approval(action)

    return approve


def given_block(text: str) -> str:
    """The code of the first ```python block in `text` (a hint or a check that hands the model a block)."""
    return text.split("```python\n")[1].split("```")[0]


def run_given(text: str, folder) -> subprocess.CompletedProcess:
    """Run the block `text` hands the model, as given, in `folder`: a block handed over must work as it is."""
    return subprocess.run(
        [sys.executable, "-c", given_block(text)], cwd=folder, capture_output=True, text=True, check=False
    )
