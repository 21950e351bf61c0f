"""When each model file was last used, for `localinterp models` (file access times are unreliable:
many disks are mounted noatime)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from localinterp.fsutil import atomic_write


def _record() -> Path:
    from localinterp.settings import cache_dir

    return cache_dir() / "usage.json"


def _load() -> dict[str, float]:
    try:
        data = json.loads(_record().read_text())
    except (OSError, ValueError):
        return {}
    return (
        {k: float(v) for k, v in data.items() if isinstance(v, (int, float))}
        if isinstance(data, dict)
        else {}
    )


def _save(data: dict[str, float]) -> None:
    atomic_write(_record(), json.dumps(data, indent=1, sort_keys=True))


def touch(path: Path) -> None:
    """Record that `path` was just used (pulled, planned, loaded)."""
    data = _load()
    data[str(Path(path).absolute())] = time.time()
    _save(data)


def last_used(path: Path) -> float | None:
    """When `path` was last used, as a Unix time, if ever."""
    return _load().get(str(Path(path).absolute()))


def forget(paths: list[Path]) -> None:
    """Drop removed files from the record."""
    data = _load()
    for p in paths:
        data.pop(str(Path(p).absolute()), None)
    _save(data)
