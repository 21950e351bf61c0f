"""Conversations saved as they go: one JSON file each, rewritten atomically after every message, so a
crash or kill -9 loses at most the message in flight. Only the conversation and the model reference are
saved: never an API key or a token."""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localinterp import __version__
from localinterp.errors import BadInput
from localinterp.fsutil import atomic_write
from localinterp.session import Message

FORMAT = "localinterp-conversation"
ROLES = ("user", "assistant", "code", "output")


def conversations_dir() -> Path:
    """Where conversations are saved."""
    from localinterp.settings import data_dir

    return data_dir() / "conversations"


@dataclass
class History:
    """One conversation's file."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, first_words: str = "", **meta: Any) -> History:
        """A file for a new conversation, named by time and its first words."""
        stamp = _dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        slug = re.sub(r"[^a-z0-9]+", "-", first_words.lower()).strip("-")[:40] or "chat"
        path = conversations_dir() / f"{stamp}_{slug}.json"
        n = 1
        while path.exists():  # never another conversation's file: two in one second get -2, -3, ...
            n += 1
            path = conversations_dir() / f"{stamp}_{slug}-{n}.json"
        created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        return cls(path, {"created": created, "localinterp": __version__, **meta})

    def save(self, messages: list[Message]) -> None:
        """Write the whole conversation, atomically."""
        data = {
            "format": FORMAT,
            "version": 1,
            "meta": self.meta,
            "messages": [m.to_json() for m in messages],
        }
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The user's conversations hold their files' contents: readable by them alone.
        atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False), private=True)


def load(path: Path) -> tuple[dict[str, Any], list[Message]]:
    """A saved conversation: its metadata and messages. One clear error for a file that is not one."""
    remedy = "Pick another one, or move this file out of the way."
    if path.exists() and not path.is_file():  # a FIFO would block the read forever
        raise BadInput(f"{path} is not a regular file, so not a saved conversation. {remedy}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"no saved conversation at {path}.") from None
    except (OSError, ValueError, RecursionError) as e:  # RecursionError: JSON nested 100,000 deep
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e)[:120]
        raise BadInput(f"{path} is not a readable conversation ({why}). {remedy}") from None
    raw = data.get("messages") if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise BadInput(f"{path} holds no message list. {remedy}")
    messages = []
    for i, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or item.get("role") not in ROLES
            or not isinstance(item.get("content"), str)
        ):
            raise BadInput(f"{path}: message {i + 1} is not a {{role, content}} record. {remedy}")
        messages.append(
            Message(
                item["role"],
                item["content"],
                *(
                    v if isinstance(v, str) else None
                    for v in (item.get(k) for k in ("language", "status", "context"))
                ),
            )
        )
    meta = data.get("meta", {}) if isinstance(data, dict) else {}
    return (meta if isinstance(meta, dict) else {}), messages


def latest() -> Path | None:
    """The most recently saved conversation."""
    folder = conversations_dir()
    files = [p for p in folder.glob("*.json") if p.is_file()] if folder.is_dir() else []
    return max(files, key=lambda p: p.stat().st_mtime) if files else None
