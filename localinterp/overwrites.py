"""Which of the user's files a block would destroy without being asked to: a file the request names, moved
over, copied over or deleted by a block, before that block runs.

Told that summary.py looked for price.json where prices.json was, the 1.5B ran
`shutil.move('prices.json', 'summary.py')` (fix-name, held-out seed 25000, with -y): the script it was
asked to fix was gone, and prices.json with it (under the script's name). Nothing after the run can bring either back, so the
block is read before it runs. Only what the code spells out literally is read (a string argument, a
word of a shell command): a name built at run time is not guessed at.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

# A request that asks for a move, a copy or a deletion itself is the user's word on it.
_ASKED = re.compile(
    r"\b(?:mov(?:e[sd]?|ing)|renam(?:e[sd]?|ing)|cop(?:y|ies|ied|ying)|replac(?:e[sd]?|ing)|"
    r"overwrit(?:e[sd]?|ten|ing)|delet(?:e[sd]?|ing)|remov(?:e[sd]?|ing)|eras(?:e[sd]?|ing)|mv|cp|rm)\b",
    re.I,
)
_MOVES = {"move", "copy", "copy2", "copyfile", "rename", "replace"}  # shutil's and os's (source, target)
_DELETES = {"remove", "unlink"}
_SHELL_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")


@dataclass(frozen=True)
class Overwrite:
    """`target`, a file the request names, would be replaced by `source` (a file of the user's, there
    before the request), or deleted when `source` is ""."""

    target: str
    source: str = ""

    def sentence(self) -> str:
        if self.source:
            return (
                f"it would replace {self.target}, a file the request names, with {self.source}: "
                f"{self.target}'s own text would be lost"
            )
        return f"it would delete {self.target}, a file the request names"

    def advice(self) -> str:
        """What the model is told to do instead."""
        if self.source:
            return (
                f"Leave {self.source} where it is and change what the request asks for inside {self.target}."
            )
        return f"Leave {self.target} in place: read it where it is, or change its text if the request asks."


def overwrite(
    request: str, language: str, code: str, cwd: Path, named: Iterable[str], there: Collection[str] | None
) -> Overwrite | None:
    """The first file of `named` (existing files the request names) that the block would move, copy
    another file over, or delete, where the request asked for none of that; None if there is none.

    `there`: the files under `cwd` when the request was sent (None: too many to list, all count). A
    source made since is the model's corrected copy being put in place, which is how a fix may be
    written: only a file that was there before the request counts as the user's."""
    if _ASKED.search(request):
        return None
    kept = {os.path.normpath(name) for name in named}
    if not kept:
        return None
    steps = _python_steps(code) if language == "python" else _shell_steps(code) if language == "shell" else []
    for source, target in steps:
        target = os.path.normpath(target)
        if target not in kept:
            continue
        if not source:
            if not writes(code, target):  # deleted and written again in one block: a rewrite
                return Overwrite(target)
            continue
        source = os.path.normpath(source)
        if source != target and (cwd / source).is_file() and (there is None or source in there):
            return Overwrite(target, source)
    return None


def files_there(cwd: Path) -> frozenset[str] | None:
    """The files under `cwd` now, as `overwrite` takes them (None: too many to list)."""
    from localinterp.changes import snapshot

    listed = snapshot(cwd)
    if listed is None:
        return None
    return frozenset(os.path.normpath(name) for name, (_size, _mtime, folder) in listed.items() if not folder)


def _python_steps(code: str) -> list[tuple[str, str]]:
    """(source, target) for each literal move/copy/rename, ("", target) for each literal deletion."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    steps: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name, owner = _called(node.func)
        args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if owner in ("os", "shutil", "") and len(args) == 2 == len(node.args) and name in _MOVES:
            if owner or name in ("move", "copy", "copy2", "copyfile"):  # a bare `rename` is anyone's
                steps.append((args[0], args[1]))
        elif owner in ("os", "") and name in _DELETES and len(args) == 1 == len(node.args):
            if owner or name == "remove":
                steps.append(("", args[0]))
        elif owner.startswith("Path:"):  # Path('a').rename('b'), Path('b').unlink()
            path = owner.removeprefix("Path:")
            if name in ("rename", "replace") and len(args) == 1 == len(node.args):
                steps.append((path, args[0]))
            elif name == "unlink" and not node.args:
                steps.append(("", path))
    return steps


def _called(func: ast.expr) -> tuple[str, str]:
    """(the called name, what it is called on): ("move", "shutil"), ("remove", ""), ("unlink", "Path:a.py");
    ("", "?") for anything else."""
    if isinstance(func, ast.Name):
        return func.id, ""
    if not isinstance(func, ast.Attribute):
        return "", "?"
    value = func.value
    if isinstance(value, ast.Name):
        return func.attr, value.id if value.id in ("os", "shutil") else "?"
    if (
        isinstance(value, ast.Call)
        and _called(value.func)[0] == "Path"
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return func.attr, f"Path:{value.args[0].value}"
    if isinstance(value, ast.Attribute) and value.attr == "Path":  # pathlib.Path
        return "Path", ""
    return "", "?"


def _shell_steps(code: str) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    for part in _SHELL_SEPARATORS.split(code):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            continue
        while words and words[0] in ("sudo", "command"):
            words = words[1:]
        if not words:
            continue
        args = [w for w in words[1:] if not w.startswith("-")]
        if words[0] in ("mv", "cp") and len(args) == 2:
            steps.append((args[0], args[1]))
        elif words[0] == "rm":
            steps.extend(("", arg) for arg in args)
    return steps


def writes(code: str, name: str) -> bool:
    """Whether the block writes `name` itself (`open('x', 'w')`, `> x`, `write_text`)."""
    quoted = rf"""["'](?:\./)?{re.escape(name)}["']"""
    return bool(
        re.search(rf"open\(\s*{quoted}\s*,\s*[\"'][wa]", code)
        or re.search(rf"Path\(\s*{quoted}\s*\)\.write_(?:text|bytes)", code)
        or re.search(rf">\s*(?:\./)?{re.escape(name)}(?:\s|$)", code)
    )
