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
ROLES = ("user", "assistant", "code", "output", "check")


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
        folder = conversations_dir()
        # The time stamp is the conversation's ID (conversation_id): never another's, so a second one in
        # the same second gets -2, -3, ... on its stamp.
        taken = {conversation_id(p) for p in folder.glob(f"{stamp}*.json")} if folder.is_dir() else set()
        n, ident = 1, stamp
        while ident in taken:
            n += 1
            ident = f"{stamp}-{n}"
        path = folder / f"{ident}_{slug}.json"
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


def to_messages(items: list[Any]) -> list[Message]:
    """Messages given by a caller: Message objects, or dicts with `role` and `content` (and optionally
    `language`, `status`, `context`). Anything else is one clear error, before the conversation changes."""
    if not isinstance(items, list | tuple):
        raise BadInput("messages must be a list of {'role', 'content'} dicts or Message objects.")
    out = []
    for i, item in enumerate(items, 1):
        if isinstance(item, Message):
            out.append(item)
            continue
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("content"), str)
            or item.get("role") not in ROLES
        ):
            hint = (
                " (set system_message for the system's)"
                if isinstance(item, dict) and item.get("role") == "system"
                else ""
            )
            raise BadInput(
                f"messages[{i - 1}] must be a dict with a role ({', '.join(ROLES)}) and a string content{hint}."
            )
        extra = {k: item[k] for k in ("language", "status", "context") if isinstance(item.get(k), str)}
        out.append(Message(item["role"], item["content"], **extra))
    return out


def saved() -> list[Path]:
    """Every saved conversation, the most recently saved first."""
    folder = conversations_dir()
    try:
        files = [p for p in folder.glob("*.json") if p.is_file()] if folder.is_dir() else []
    except OSError:
        return []
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)


def latest() -> Path | None:
    """The most recently saved conversation."""
    files = saved()
    return files[0] if files else None


def conversation_id(path: Path) -> str:
    """What the user types to pick a conversation: its file's time stamp (`2026-11-22_06-40-12`, or
    `...-2` for a second one in the same second); the rest of the name is its first words."""
    parts = path.stem.split("_", 2)
    return "_".join(parts[:2]) if len(parts) == 3 else path.stem


def find(wanted: str | None) -> Path:
    """The conversation `wanted` names (an ID or the start of one, a file name, or a path); the last one
    saved for None. One clear line when none or several match."""
    if wanted is None:
        path = latest()
        if path is None:
            raise BadInput("there is no saved conversation to resume.")
        return path
    as_path = Path(wanted).expanduser()
    if as_path.suffix == ".json" and as_path.is_file():
        return as_path
    matches = [p for p in saved() if p.stem == wanted or conversation_id(p) == wanted]
    matches = matches or [p for p in saved() if p.stem.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BadInput(f"no saved conversation is {wanted!r}; `localinterp history` lists them.")
    shown = ", ".join(conversation_id(p) for p in matches[:3])
    raise BadInput(f"{wanted!r} matches {len(matches)} conversations ({shown}, ...): give more of the ID.")


@dataclass(frozen=True)
class Entry:
    """One saved conversation, as the history listing shows it."""

    id: str
    path: Path
    saved: _dt.datetime
    model: str
    messages: int
    first: str  # the first thing the user said


def entries(search: str | None = None, limit: int | None = None) -> list[Entry]:
    """The saved conversations, newest first; with `search`, those where any message contains it (any
    case). A file that cannot be read is left out, not an error: the listing is for finding the others."""
    found: list[Entry] = []
    needle = search.lower() if search else None
    for path in saved():
        try:
            meta, messages = load(path)
            when = _dt.datetime.fromtimestamp(path.stat().st_mtime)
        except (BadInput, OSError):
            continue
        if needle and not any(needle in m.content.lower() for m in messages):
            continue
        first = next((m.content for m in messages if m.role == "user"), "")
        model = meta.get("model") if isinstance(meta.get("model"), str) else ""
        found.append(Entry(conversation_id(path), path, when, model or "", len(messages), first))
        if limit and len(found) >= limit:
            break
    return found
