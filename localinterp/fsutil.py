"""Files written safely: never half-written under the real name, never outside the folder they belong in.

Names that come from outside (a hub's file listing, an export manifest, a models.toml, GGUF metadata, a saved
conversation) pass through `plain_name`, `relative_path` or `inside` before they become a path: a listing
that names `../../.bashrc` must not make localinterp delete or replace the user's file.
"""

from __future__ import annotations

import os
from pathlib import Path

from localinterp.errors import UnsafePath
from localinterp.safetext import has_control


def atomic_write(path: Path, data: bytes | str, *, private: bool = False) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it into place.

    `private`: the file is readable by the user alone (0600) from its first byte.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o600 if private else 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def plain_name(name: object, what: str) -> str:
    """`name` if it is one plain file or folder name (no separator, not `.`/`..`, no NUL), else UnsafePath."""
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or "/" in name
        or "\\" in name
        or has_control(name)  # a file name that would rewrite the terminal it is printed on
        or (os.name == "nt" and ":" in name)
    ):
        raise UnsafePath(f"{what} {name!r} is not a plain file name; refusing to use it as a path.")
    return name


def relative_path(path: object, what: str) -> str:
    """`path` if it is a relative POSIX path of plain names (`sub/file.gguf`), else UnsafePath."""
    if not isinstance(path, str) or not path or path.startswith("/"):
        raise UnsafePath(f"{what} {path!r} is not a relative path inside its folder; refusing to use it.")
    for part in path.split("/"):
        plain_name(part, what)
    return path


def inside(root: Path, path: str, what: str) -> Path:
    """`root / path` for a relative path from outside, checked again after resolving symlinks, so that
    neither `..` nor a link planted on the way leads out of `root`."""
    target = root / relative_path(path, what)
    real_root = Path(os.path.realpath(root))
    real_parent = Path(os.path.realpath(target.parent))
    if real_parent != real_root and real_root not in real_parent.parents:
        raise UnsafePath(
            f"{what} {path!r} leads outside {root} (through a symbolic link); refusing to use it."
        )
    return target
