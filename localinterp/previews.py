"""What the model is shown of the files a request names: the first lines of a text file, the member names of
an archive, the tables of a SQLite database.

Small models guess a file's format (a CSV's header, a JSON's keys, the name inside a zip) and their code
then fails on the guess. aider and Open Interpreter give the model what is in front of it; this gives a
local model a short look at the files the user named, read by localinterp itself (no code runs for it),
only inside the working directory and only a few hundred bytes of each.
"""

from __future__ import annotations

import re
import sqlite3
import tarfile
import zipfile
from pathlib import Path

PREVIEW_CHARS = 600  # of one text file
PREVIEW_LINES = 8
MAX_FILES = 4
MAX_MEMBERS = 12
_NAME = re.compile(r"[\w./-]+\.\w+|[\w./-]+/")


def mentioned_files(text: str, folder: Path) -> list[Path]:
    """Files and folders inside `folder` that `text` names (`data.csv`, `logs/app.log`, `docs/`)."""
    try:
        root = folder.resolve()
    except OSError:
        return []
    found: list[Path] = []
    for raw in _NAME.findall(text):
        name = raw.strip("./") if raw.startswith("./") else raw.rstrip(".")
        if not name or name.startswith("/") or ".." in Path(name).parts:
            continue
        path = root / name
        try:
            real = path.resolve()
            if (real == root or root in real.parents) and path.exists() and real not in found:
                found.append(real)
        except OSError:
            continue
        if len(found) >= MAX_FILES:
            break
    return found


def preview(path: Path, folder: Path) -> str:
    """A few lines saying what `path` holds, for the model."""
    rel = path.relative_to(folder.resolve()).as_posix()
    try:
        if path.is_dir():
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
            return f"{rel}/ holds {len(names)} entries: {_listed(names)}"
        size = path.stat().st_size
        head = path.open("rb").read(4096)
    except OSError as e:
        return f"{rel}: cannot be read ({e.strerror or e})"
    name = path.name.lower()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return f"{rel}: a zip archive of {size:,} bytes; members: {_listed(zf.namelist())}"
    if name.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")):
        try:
            with tarfile.open(path) as tf:
                return f"{rel}: a tar archive of {size:,} bytes; members: {_listed(tf.getnames())}"
        except (tarfile.TarError, OSError):
            pass
    if head.startswith(b"SQLite format 3\0"):
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            rows = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table'").fetchall()
            db.close()
            return f"{rel}: a SQLite database; its tables:\n" + "\n".join(r[0] for r in rows if r[0])
        except sqlite3.Error:
            pass
    if b"\0" in head or head.startswith(b"\x1f\x8b"):
        return f"{rel}: a binary file of {size:,} bytes"
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()[:PREVIEW_LINES]
    shown = "\n".join(line[:200] for line in lines)[:PREVIEW_CHARS]
    more = " (first lines)" if size > len(shown.encode()) else ""
    return f"{rel}: a text file of {size:,} bytes{more}:\n```text\n{shown}\n```"


def previews_for(text: str, folder: Path) -> str:
    """The previews of every file `text` names, as one note for the model ("" when it names none)."""
    parts = [preview(p, folder) for p in mentioned_files(text, folder)]
    if not parts:
        return ""
    return "(localinterp: a first look at the files named above; read them with code for more)\n" + "\n".join(
        parts
    )


def _listed(names: list[str]) -> str:
    more = len(names) - MAX_MEMBERS
    return ", ".join(names[:MAX_MEMBERS]) + (f", and {more} more" if more > 0 else "")
