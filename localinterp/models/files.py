"""Which files of a listing make up one loadable model, and which quantization each one is.

The same rules serve a hub repo's file list, a local directory and the cache, so a model looks the same
wherever it is. Two split formats exist in the wild:

- llama.cpp's shards, `NAME-00001-of-00003.gguf`: llama.cpp loads them from the first shard;
- older "parts", `NAME.gguf-split-a`, `-split-b` (TheBloke's big models) or `NAME.gguf.part1of2`:
  plain byte splits of one file, which must be joined before llama.cpp can open it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

SHARD_RE = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
_SPLIT_LETTER_RE = re.compile(r"^(?P<base>.+\.gguf)-split-(?P<part>[a-z])$", re.IGNORECASE)
_SPLIT_PARTOF_RE = re.compile(r"^(?P<base>.+\.gguf)\.part(?P<part>\d+)of(?P<count>\d+)$", re.IGNORECASE)
_QUANT_RE = re.compile(
    r"(?<![A-Za-z0-9])((?:UD-)?(?:I?Q[1-8]|TQ[12])(?:_(?:[0-9]|K|XXS|XS|NL|[SMLX]{1,2}))*|BF16|F16|F32|MXFP4)"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def quant_from_name(name: str) -> str | None:
    """The quantization a file name announces (`Q4_K_M`, `IQ4_XS`, `F16`, ...), upper-cased, if any."""
    found = _QUANT_RE.findall(PurePosixPath(name).name) or _QUANT_RE.findall(name)
    return found[-1].upper() if found else None


@dataclass(frozen=True)
class FileGroup:
    """The file(s) of one loadable model: one file, llama.cpp shards, or byte-split parts to join.

    `paths` are relative to the listing's root (repo or directory), in load/join order.
    """

    name: str  # the file llama.cpp opens: the single file, the first shard, or the joined name
    paths: tuple[str, ...]
    sizes: tuple[int, ...]
    kind: str  # "single" | "shards" | "parts"
    quant: str | None

    @property
    def size(self) -> int:
        """Bytes over all files."""
        return sum(self.sizes)

    @property
    def needs_join(self) -> bool:
        """Whether the files are byte-split parts llama.cpp cannot open until joined."""
        return self.kind == "parts"


def group_files(files: Iterable[tuple[str, int]]) -> tuple[list[FileGroup], list[str]]:
    """Group (path, size) pairs into models; also say which split sets are incomplete."""
    singles: list[FileGroup] = []
    shards: dict[tuple[str, int], dict[int, tuple[str, int]]] = {}
    parts: dict[str, dict[str, tuple[str, int]]] = {}
    part_counts: dict[str, int] = {}
    for path, size in files:
        base = PurePosixPath(path).name
        parent = str(PurePosixPath(path).parent)
        if m := SHARD_RE.match(base):
            key = (f"{parent}/{m['stem']}", int(m["count"]))
            shards.setdefault(key, {})[int(m["no"])] = (path, size)
        elif m := _SPLIT_LETTER_RE.match(base):
            parts.setdefault(f"{parent}/{m['base']}", {})[m["part"].lower()] = (path, size)
        elif m := _SPLIT_PARTOF_RE.match(base):
            key = f"{parent}/{m['base']}"
            parts.setdefault(key, {})[f"{int(m['part']):05d}"] = (path, size)
            part_counts[key] = int(m["count"])
        elif base.lower().endswith(".gguf"):
            singles.append(FileGroup(path, (path,), (size,), "single", quant_from_name(path)))

    groups = list(singles)
    incomplete: list[str] = []
    for (stem, count), found in shards.items():
        ordered = [found.get(i) for i in range(1, count + 1)]
        if any(item is None for item in ordered):
            incomplete.append(f"{stem.removeprefix('./')} ({len(found)} of {count} shards)")
            continue
        items = [item for item in ordered if item is not None]
        groups.append(
            FileGroup(
                items[0][0],
                tuple(p for p, _ in items),
                tuple(s for _, s in items),
                "shards",
                quant_from_name(items[0][0]),
            )
        )
    for key, found in parts.items():
        order = sorted(found)
        expected = part_counts.get(key)
        letters_ok = expected is None and order == [chr(ord("a") + i) for i in range(len(order))]
        counted_ok = expected is not None and order == [f"{i:05d}" for i in range(1, expected + 1)]
        if not (letters_ok or counted_ok) or len(order) < 2:
            incomplete.append(f"{key.removeprefix('./')} ({len(order)} parts, not a complete set)")
            continue
        items = [found[k] for k in order]
        joined = key.removeprefix("./")
        groups.append(
            FileGroup(
                joined,
                tuple(p for p, _ in items),
                tuple(s for _, s in items),
                "parts",
                quant_from_name(joined),
            )
        )
    groups.sort(key=lambda g: g.name)
    return groups, incomplete
