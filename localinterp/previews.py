"""What the model is shown of the files a request names: their shape, not their data.

Small models guess a file's format (a CSV's header, a JSON's keys, the name inside a zip) and their code
then fails on the guess, so localinterp reads the files the user named (no code runs for it; only inside
the working directory, only a few kilobytes of each) and tells the model what they look like. It shows
the shape rather than an excerpt of the data: measured with scripts/eval_agent.py, a 1.5B model given the
first eight lines of a file pasted them into its code and summed, sorted or counted that excerpt as if it
were the whole file, or answered straight from it. So a JSON file is described by its keys and types, a
CSV by its columns, their kinds and its row count, a text file by its line count and first lines (saying how
many are not shown), an archive by a few member names. Scripts are the exception: their source is what a
request to fix them is about, so a short one is shown whole, with the command that runs it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import tarfile
import zipfile
from pathlib import Path
from typing import Any

MAX_FILES = 4
TEXT_LINES = 3  # first lines of a text file: enough to show its format, too few to pass for the data
LINE_CHARS = 160
MAX_MEMBERS = 5  # of an archive or a folder listing beyond which the model must list them itself
FOLDER_ENTRIES = 12
SCRIPT_CHARS = 2000  # a script up to this size is shown whole
MAX_CHOICES, CHOICE_CHARS = 5, 20  # a text field with at most 5 values of up to 20 characters: a category
COUNT_BYTES = 16 << 20  # lines are counted in files up to this size
JSON_BYTES = 1 << 20  # JSON files up to this size are parsed for their shape
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
SCRIPTS = {".py": "python3", ".sh": "bash", ".bash": "bash", ".js": "node", ".rb": "ruby", ".pl": "perl"}
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


def preview(path: Path, folder: Path, *, written: bool = False) -> str:
    """A few lines saying what `path` holds and how it is laid out, for the model. `written`: the file is
    one the model's code just wrote, so a text file also says how many of its lines are different."""
    rel = path.relative_to(folder.resolve()).as_posix()
    try:
        if path.is_dir():
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
            entries = "1 entry" if len(names) == 1 else f"{len(names)} entries"
            return f"{rel}/ holds {entries}: {_listed(names, FOLDER_ENTRIES)}"
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as e:
        return f"{rel}: cannot be read ({e.strerror or e})"
    for describe in (_archive, _sqlite):
        said = describe(path, rel, size, head)
        if said:
            return said
    # A compressed file is shown as binary, with no word of how to read it: told "read its text with
    # gzip.open('events.txt.gz', 'rt')", the 1.5B printed the whole text and answered a count from the
    # part it could see (gzip-lines: 0 of 3 runs, against 3 of 3 with `gzip -d` and `wc -l` before); the
    # hint after a failed read names the module instead (hints.binary_as_text_hint).
    if b"\0" in head or compression(head):
        return f"{rel}: a binary file of {size:,} bytes"
    suffix = path.suffix.lower()
    if suffix in SCRIPTS:
        return _script(path, rel, size, head)
    if suffix == ".json":
        said = _json(path, rel, size)
        if said:
            return said
    if suffix in (".csv", ".tsv"):
        said = _csv(path, rel, size, head, "\t" if suffix == ".tsv" else ",")
        if said:
            return said
    return _text(path, rel, size, head, distinct=written)


def previews_for(text: str, folder: Path) -> str:
    """The previews of every file `text` names, as one note for the model ("" when it names none)."""
    parts = [preview(p, folder) for p in mentioned_files(text, folder)]
    if not parts:
        return ""
    return (
        "(localinterp: what the files named above look like; their data is not shown: read it with code)\n"
        + "\n".join(parts)
    )


def archive_members(path: Path) -> tuple[str, list[str]] | None:
    """An archive's kind ("zip" or "tar") and its members' names; None for a file that is not one (or
    cannot be read)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return "zip", zf.namelist()
        if path.name.lower().endswith(ARCHIVES):
            with tarfile.open(path) as tf:
                return "tar", tf.getnames()
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError):
        pass
    return None


# Each compression's magic bytes. bzip2's fourth byte is its block size, a digit: "BZh" alone begins
# ordinary words.
_MAGIC = {b"\x1f\x8b": "gzip", **{b"BZh" + bytes([d]): "bz2" for d in b"123456789"}, b"\xfd7zXZ\x00": "xz"}
# Each compression's Python module (whose open(name, 'rt') reads its text) and shell command.
COMPRESSORS = {"gzip": ("gzip", "zcat"), "bz2": ("bz2", "bzcat"), "xz": ("lzma", "xzcat")}


def compression(head: bytes) -> str:
    """The compression ("gzip", "bz2", "xz") whose magic bytes begin `head`; "" for none."""
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), "")


def text_reader(kind: str, rel: str) -> str:
    """The Python call that reads the text of `rel`, compressed with `kind`."""
    return f"{COMPRESSORS[kind][0]}.open('{rel}', 'rt')"


MAX_ARCHIVES = 20  # of a folder's, opened to look for a member by name
SQLITE_MAGIC = b"SQLite format 3\0"  # how a SQLite database file begins


def text_of(cwd: Path, name: str) -> str:
    """The text of file `name` when it is a small text file inside `cwd` (what the model may see of the
    folder it works in, as previews are), else ""."""
    try:
        root = cwd.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > 8 * 1024 * 1024:
            return ""
        data = path.read_bytes()
    except OSError:
        return ""
    if b"\0" in data[:4096]:
        return ""
    return data.decode("utf-8", errors="replace")


def archive_holding(name: str, folder: Path) -> tuple[Path, str, str] | None:
    """The archive at the top of `folder` that holds a member named `name` (or ending in /name): the
    archive, its kind ("zip" or "tar") and the member's full name; None when none does."""
    try:
        archives = [p for p in sorted(folder.iterdir()) if p.name.lower().endswith(ARCHIVES)]
    except OSError:
        return None
    for archive in archives[:MAX_ARCHIVES]:
        found = archive_members(archive)
        member = next((m for m in found[1] if m == name or m.endswith("/" + name)), None) if found else None
        if found and member:
            return archive, found[0], member
    return None


def _archive(path: Path, rel: str, size: int, head: bytes) -> str:
    found = archive_members(path)
    if found is None:
        return ""
    kind, names = found
    # A few names show how members are named (the model otherwise invents them); counting them is the
    # model's job, with code.
    return f"{rel}: a {kind} archive of {size:,} bytes; members: {_listed(names, MAX_MEMBERS)}"


def _sqlite(path: Path, rel: str, size: int, head: bytes) -> str:
    if not head.startswith(SQLITE_MAGIC):
        return ""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return ""
    return f"{rel}: a SQLite database; its tables:\n" + "\n".join(r[0] for r in rows if r[0])


def run_command(rel: str) -> list[str]:
    """The command that runs the script `rel` (a path relative to the working directory); [] for a file
    that is not a script."""
    program = SCRIPTS.get(Path(rel).suffix.lower())
    if program is None:
        return []
    return ["python" if program == "python3" and os.name == "nt" else program, rel]


def _script(path: Path, rel: str, size: int, head: bytes) -> str:
    run = f"runs with: {' '.join(run_command(rel))}"
    if size <= SCRIPT_CHARS:
        source = head.decode("utf-8", errors="replace").rstrip("\n")
        return f"{rel}: a script of {size:,} bytes ({run}), whole:\n```text\n{source}\n```"
    lines, total = _first_lines(path, head, 20)
    return f"{rel}: a script of {size:,} bytes, {_count(total)} ({run}); lines 1-{len(lines)}:\n" + _fence(
        lines
    )


def _json(path: Path, rel: str, size: int) -> str:
    if size > JSON_BYTES:
        return ""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return ""
    return f"{rel}: JSON of {size:,} bytes, shaped {_shape(data)} (values not shown)"


def _shape(value: Any, depth: int = 0, choices: dict[str, list[str]] | None = None) -> str:
    """The shape of a JSON value with none of its data: `{"id": number, "tags": [3 × text]}`; `choices`:
    the few values a key of a list's items takes (see `_choices`)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if depth >= 3:
        return "{…}" if isinstance(value, dict) else "[…]"
    if isinstance(value, dict):
        keys = list(value)
        shown = [
            f"{json.dumps(k)}: {_shape(value[k], depth + 1)}"
            + (f" ({_one_of(choices[k])})" if choices and k in choices else "")
            for k in keys[:12]
        ]
        if len(keys) > 12:
            shown.append(f"… {len(keys) - 12} more keys")
        return "{" + ", ".join(shown) + "}"
    if not value:
        return "[] (empty)"
    # Items of one list usually share a shape: show the first, with the keys later items add.
    first = value[0]
    if isinstance(first, dict):
        merged: dict[str, Any] = {}
        for item in value[:50]:
            if isinstance(item, dict):
                for k, v in item.items():
                    merged.setdefault(k, v)
        return f"[{len(value)} × {_shape(merged, depth + 1, _choices(value))}]"
    return f"[{len(value)} × {_shape(first, depth + 1)}]"


def _choices(items: list[Any]) -> dict[str, list[str]]:
    """The keys of `items` (dicts) whose text takes only a few short values, a category, with them.

    The values that select rows are what a request's condition names ("the paid orders"), and the 1.5B,
    shown only `"status": text`, summed every order (json-sum: 0 of 3 runs): a label is no data to copy.
    """
    seen: dict[str, set[str]] = {}
    times: dict[str, int] = {}
    other: set[str] = set()  # keys with a value that is not short text somewhere
    for item in items:
        for k, v in item.items() if isinstance(item, dict) else ():
            times[k] = times.get(k, 0) + 1
            if isinstance(v, str) and v.strip() and len(v) <= CHOICE_CHARS:
                seen.setdefault(k, set()).add(v)
            else:
                other.add(k)
    # Each value at least twice on average: names or ids are not a category, a label is.
    return {
        k: sorted(values)
        for k, values in seen.items()
        if k not in other and len(values) <= MAX_CHOICES and len(values) * 2 <= times[k]
    }


def _one_of(values: list[str]) -> str:
    return " or ".join(json.dumps(v) for v in values)


def _csv(path: Path, rel: str, size: int, head: bytes, delimiter: str) -> str:
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if size > len(head) and lines:
        lines = lines[:-1]  # the last line of a cut head is partial
    rows = list(csv.reader(lines[:51], delimiter=delimiter))
    if not rows or len(rows[0]) < 2:
        return ""
    total = _line_count(path)
    data_rows = f"{total - 1:,} data rows" if total is not None else "many data rows"
    # The kind of each column, not a row of data: the 1.5B shown a first row answered with its values.
    # A text column's few values are named when the whole file was read (see _choices).
    whole = size <= len(head) and len(lines) <= 51
    choices = _choices([dict(zip(rows[0], r, strict=False)) for r in rows[1:]]) if whole else {}
    columns = []
    for i, name in enumerate(rows[0]):
        kind = column_kind([r[i] for r in rows[1:] if i < len(r) and r[i].strip()])
        if kind == "text" and name in choices:
            kind += ": " + _one_of(choices[name])
        # The index too: the 1.5B took price, the second column, for row[2] ("the third column").
        columns.append(f"{name} ({kind}, index {i})")
    kind = "TSV" if delimiter == "\t" else "CSV"
    return f"{rel}: a {kind} file of {size:,} bytes, {data_rows}; columns: " + ", ".join(columns)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def column_kind(values: list[str]) -> str:
    """What a CSV column holds, judged from its first values: whole number, number, date or text."""
    if not values:
        return "empty"

    def all_parse(convert: type) -> bool:
        try:
            for v in values:
                convert(v)
        except ValueError:
            return False
        return True

    if all_parse(int):
        return "whole number"
    if all_parse(float):
        return "number"
    if all(_DATE.fullmatch(v.strip()) for v in values):
        return "date YYYY-MM-DD"
    return "text"


def _text(path: Path, rel: str, size: int, head: bytes, distinct: bool = False) -> str:
    lines, total = _first_lines(path, head, TEXT_LINES)
    count = _count(total)
    if distinct and total:
        different = _distinct_lines(path)
        if different is not None:
            count += " (all different)" if different == total else f" ({different:,} different)"
    if total is not None and total <= len(lines) and size <= len(head):
        return f"{rel}: a text file of {size:,} bytes, {count}:\n" + _fence(lines)
    rest = f"{total - len(lines):,} more not shown" if total is not None else "more not shown"
    return f"{rel}: a text file of {size:,} bytes, {count}; lines 1-{len(lines)} ({rest}):\n" + _fence(lines)


def _distinct_lines(path: Path) -> int | None:
    try:
        if path.stat().st_size > COUNT_BYTES:
            return None
        return len(set(path.read_bytes().splitlines()))
    except OSError:
        return None


def _first_lines(path: Path, head: bytes, n: int) -> tuple[list[str], int | None]:
    """The first `n` lines of the file (shortened) and how many lines it has (None: too big to count)."""
    lines = [_cut(ln) for ln in head.decode("utf-8", errors="replace").splitlines()[:n]]
    return lines, _line_count(path)


def _line_count(path: Path) -> int | None:
    try:
        if path.stat().st_size > COUNT_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)


def _cut(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + " … (line cut)"


def _count(total: int | None) -> str:
    if total is None:
        return "too long to count its lines"
    return f"{total:,} line{'' if total == 1 else 's'}"


def _fence(lines: list[str]) -> str:
    return "```text\n" + "\n".join(lines) + "\n```"


def _listed(names: list[str], limit: int) -> str:
    more = len(names) - limit
    return ", ".join(names[:limit]) + (", … (list them with code for the rest)" if more > 0 else "")
