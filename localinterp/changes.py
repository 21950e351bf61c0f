"""What a block changed in the working directory: files created, removed, renamed or rewritten.

A block that changes files usually prints nothing, so the model does not know what it did. The 1.5B ran
`gzip -d events.txt.gz` (which replaces the .gz with events.txt, silently), then `gzip -d events.txt.gz |
wc -l`, was told "No such file or directory ... 0" and answered that the file does not exist (gzip-lines:
2 of 3 runs). So the session compares the working directory before and after each block and tells the
model what changed, by name and size: never contents. Only names under the working directory, skipping
hidden entries and dependency folders, and nothing at all for a folder too big to compare cheaply.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from pathlib import Path

MAX_ENTRIES = 5000  # a larger working directory is not compared (each block would pay for the walk)
MAX_DEPTH = 4
MAX_NAMED = 8  # changes named; the rest are counted
_SKIPPED = frozenset({"node_modules", "__pycache__"})

# relative path -> (size, mtime in ns, is a folder)
Snapshot = dict[str, tuple[int, int, bool]]


def snapshot(root: Path) -> Snapshot | None:
    """The entries under `root` (to MAX_DEPTH), or None when there are more than MAX_ENTRIES or it
    cannot be read. Symbolic links are recorded, not followed."""
    found: Snapshot = {}
    pending = [(str(root), "", 0)]
    while pending:
        folder, prefix, depth = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or entry.name in _SKIPPED:
                        continue
                    name = prefix + entry.name
                    st = entry.stat(follow_symlinks=False)
                    is_dir = entry.is_dir(follow_symlinks=False)
                    found[name] = (st.st_size, st.st_mtime_ns, is_dir)
                    if len(found) > MAX_ENTRIES:
                        return None
                    if is_dir and depth + 1 < MAX_DEPTH:
                        pending.append((entry.path, name + "/", depth + 1))
        except OSError:
            if not prefix:
                return None
    return found


def describe(before: Snapshot | None, after: Snapshot | None, skip: frozenset[str] = frozenset()) -> str:
    """One line for the model: what changed from `before` to `after` ("" when nothing did, or either is
    None). Names in `skip` (shown to the model some other way) are left out."""
    if before is None or after is None:
        return ""
    created = _tops(k for k in after if k not in before and k not in skip)
    removed = _tops(k for k in before if k not in after and k not in skip)
    changed = [
        k
        for k, (size, mtime, is_dir) in after.items()
        if k in before and not is_dir and k not in skip and before[k][:2] != (size, mtime)
    ]
    # `mv a b` keeps a file's size and mtime: a removed and a created file with both the same is a rename.
    renamed = []
    for old in list(removed):
        same = [new for new in created if not after[new][2] and after[new][:2] == before[old][:2]]
        # Several alike (empty files made at once): the one whose name shares the longest beginning.
        match = max(same, key=lambda new: _shared(old, new), default=None)
        if match is not None and not before[old][2]:
            renamed.append(f"{old} -> {match}")
            removed.remove(old)
            created.remove(match)
    said = (
        [f"created {_sized(k, after)}" for k in created]
        + [f"renamed {pair}" for pair in renamed]
        + [f"changed {_sized(k, after)}" for k in changed]
        + [f"removed {k}{'/' if before[k][2] else ''}" for k in removed]
    )
    if not said:
        return ""
    return f"Files the block changed in the working directory: {_listed(said)}."


def _shared(a: str, b: str) -> int:
    """How many characters `a` and `b` begin with in common."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _tops(names: Iterable[str]) -> list[str]:
    """`names` without those inside a folder also listed: a new folder is one change, not its files."""
    chosen = sorted(names)
    listed = set(chosen)
    return [n for n in chosen if not any(parent in listed for parent in _parents(n))]


def _parents(name: str) -> list[str]:
    parts = name.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _sized(name: str, entries: Snapshot) -> str:
    """A file with its size, a folder with how many files it holds."""
    size, _mtime, is_dir = entries[name]
    if not is_dir:
        return f"{name} ({size:,} bytes)"
    files = sum(1 for k, entry in entries.items() if k.startswith(name + "/") and not entry[2])
    return f"{name}/ ({files} file{'' if files == 1 else 's'})"


def doubled_dots(before: Snapshot | None, after: Snapshot | None) -> str:
    """A sentence for files made from `before` to `after` whose names have two dots before their
    extension (`photo..jpg`): a rename that kept the old extension's dot ("" when there is none).

    Asked to rename .jpeg files to .jpg, the 1.5B wrote `file_name[:-4] + '.jpg'`, which keeps the dot
    of '.jpeg', and answered done at pics/vxfbnb..jpg (rename, held-out seed 28000)."""
    if before is None or after is None:
        return ""
    made = sorted(k for k, (_size, _mtime, is_dir) in after.items() if k not in before and not is_dir)
    odd = [k for k in made if re.search(r"[^./]\.\.\w+$", k)]
    if not odd:
        return _extension_added(before, after, made)
    ext = odd[0].rsplit(".", 1)[1]
    said = (
        f"{_listed(odd, ', ')} {'has' if len(odd) == 1 else 'have'} two dots before .{ext}: the old extension's "
        f"dot was kept. os.path.splitext(name)[0] + '.{ext}' gives the name with one."
    )
    # Told the sentence above, the 1.5B ran its block again, found no .jpeg left, and answered done at
    # three ..jpg names (rename, held-out seed 30000): the block that mends them is what it can copy.
    return _with_mend(said, odd, f"..{ext}", f"-{len(ext) + 2}", f".{ext}", "to one dot")


def _with_mend(said: str, names: list[str], ending: str, stop: str, new: str, how: str) -> str:
    """`said`, and when the `names` ending with `ending` are all in one folder, the block that renames
    each file there ending so to its path up to the slice end `stop`, plus `new`, and lists the folder."""
    folders = {k.rpartition("/")[0] for k in names if k.endswith(ending)}
    if len(folders) != 1:
        return said
    folder = folders.pop() or "."
    mend = (
        f"import os\nfor name in os.listdir({folder!r}):\n    if name.endswith({ending!r}):\n"
        f"        path = os.path.join({folder!r}, name)\n        os.rename(path, path[:{stop}] + {new!r})\n"
        f"print(sorted(os.listdir({folder!r})))"
    )
    return f"{said} This block renames them {how}:\n```python\n{mend}\n```"


# Extensions that wrap a whole name on purpose: `gzip a.txt` leaves a.txt.gz, a backup a.py.bak.
_WRAPPING = {"gz", "bz2", "xz", "zst", "lz4", "z", "zip", "tar", "tgz", "7z", "bak", "orig", "old", "tmp"}


def _extension_added(before: Snapshot, after: Snapshot, made: list[str]) -> str:
    """A sentence, with the block that mends them, for files renamed by adding the new extension to the
    whole old name (`a.jpeg` -> `a.jpeg.jpg`) ("" when there are none).

    Asked to rename pics' .jpeg files to .jpg, the 0.5B wrote `file + '.jpg'` and then ran the same
    block twice, renaming nothing more (rename, seed 47000 on this CPU)."""
    kept = [
        k
        for k in made
        if "." in k.rpartition("/")[2].rsplit(".", 1)[0]
        and k.rsplit(".", 1)[1].lower() not in _WRAPPING
        and (old := k.rsplit(".", 1)[0]) in before
        and old not in after
    ]
    if not kept:
        return ""
    both = "." + kept[0].rpartition("/")[2].split(".", 1)[1]  # ".jpeg.jpg"
    new = "." + both.rsplit(".", 1)[1]
    said = (
        f"{_listed(kept, ', ')} still {'holds' if len(kept) == 1 else 'hold'} the old extension before {new}: "
        f"{new} was added to the whole name. os.path.splitext(name)[0] + '{new}' gives the name without it."
    )
    return _with_mend(said, kept, both, f" -len({both!r})", new, "so")


def _listed(items: list[str], sep: str = "; ") -> str:
    """The first MAX_NAMED of `items`, and how many more."""
    more = len(items) - MAX_NAMED
    return sep.join(items[:MAX_NAMED]) + (f"{sep}and {more} more" if more > 0 else "")


# A path a command looked for and did not find: `ls: cannot access 'pics/*.jpeg': No such file or
# directory`, `cat: notes.txt: No such file or directory`.
_NOT_THERE = re.compile(r"^\w+: (?:cannot access )?'?([^':\n]+?)'?: No such file or directory$", re.M)


def gone_by_block(output: str, before: Snapshot | None, after: Snapshot | None) -> str:
    """A sentence for a command in a block that found no file where the block itself had just removed or
    renamed the files it names ("" otherwise): the error is the change done, not a failure.

    Asked to rename the .jpeg files in pics, the 1.5B renamed them, then listed pics/*.jpeg to check; the
    ls failed, and told only of the error, it made seven empty .jpeg files again with touch (rename, fresh
    seed 58000)."""
    if before is None or after is None:
        return ""
    for pattern in dict.fromkeys(_NOT_THERE.findall(output)):
        pattern = os.path.normpath(pattern.strip())
        gone = [name for name in before if name not in after and fnmatch.fnmatchcase(name, pattern)]
        if gone and not any(fnmatch.fnmatchcase(name, pattern) for name in after):
            return (
                f"`{pattern}` matched nothing because this block itself had just renamed or removed "
                f"{len(gone)} file{'s' if len(gone) > 1 else ''} it matched: that error shows the change "
                "done, not a failure. Do not make those files again."
            )
    return ""
