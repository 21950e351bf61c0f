"""The code-block languages localinterp knows, the names models use for them, and which run here.

The engine's grammar admits only languages with a runner on this machine, so a model cannot write a block
that nothing could run.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A language: its canonical name, the fence tags models write for it, and the programs that run it."""

    name: str
    aliases: tuple[str, ...]
    programs: tuple[str, ...]  # any one of these on PATH makes it available


def languages_for(platform: str) -> tuple[Language, ...]:
    """The languages on `platform` (a `sys.platform` value): what "shell" means differs on Windows."""
    if platform == "win32":
        # cmd.exe, present on every Windows. Not bash even where one is on PATH: that is often WSL's,
        # which sees another machine's files. So the model is offered cmd's tags, not bash's.
        shell = Language("shell", ("shell", "cmd", "bat", "batch"), ("cmd",))
    else:
        shell = Language("shell", ("shell", "bash", "sh", "zsh"), ("bash", "sh"))
    return (
        Language("python", ("python", "py", "python3"), ()),  # always: localinterp itself runs on Python
        shell,
        Language("javascript", ("javascript", "js", "node"), ("node",)),
        Language("r", ("r",), ("Rscript",)),
        Language("ruby", ("ruby", "rb"), ("ruby",)),
        Language("powershell", ("powershell", "pwsh", "ps1"), ("pwsh", "powershell")),
        Language("applescript", ("applescript", "osascript"), ("osascript",)),
    )


LANGUAGES = languages_for(sys.platform)
_BY_TAG = {alias: lang.name for lang in LANGUAGES for alias in lang.aliases}

# Fences a model writes to quote output, data or an example: shown, never run. Without them in the
# grammar a model that opens a fence to quote something is forced into ```python and its prose is
# executed; `console` is a transcript ($ prompts and their output), not a script.
DISPLAY_TAGS = (
    "text", "txt", "plaintext", "output", "console", "log", "json", "csv", "tsv", "xml", "yaml", "yml",
    "toml", "ini", "diff", "markdown", "md", "html", "sql",
)  # fmt: skip
DISPLAY = "text"  # the language of an untagged fence


def is_display(language: str) -> bool:
    """Whether a block of `language` (as BlockParser names it) is for showing only."""
    return language == DISPLAY or language in DISPLAY_TAGS


def canonical(tag: str) -> str | None:
    """The canonical language for a fence tag (`py` -> python, `bash` -> shell), or None if unknown."""
    return _BY_TAG.get(tag.strip().lower())


def aliases(names: tuple[str, ...] | list[str]) -> list[str]:
    """Every fence tag that means one of `names`."""
    wanted = set(names)
    return [alias for lang in LANGUAGES if lang.name in wanted for alias in lang.aliases]


def available() -> tuple[str, ...]:
    """Languages that can run on this machine."""
    found = []
    for lang in LANGUAGES:
        if (
            (lang.name == "powershell" and sys.platform == "win32")
            or not lang.programs
            or any(shutil.which(p) for p in lang.programs)
        ):
            found.append(lang.name)
    return tuple(found)


def chosen(names: str | None) -> tuple[str, ...]:
    """The languages the model may use: those the user listed (the `languages` setting, comma-separated
    names or tags), else every one available here. A listed language not installed is one clear line."""
    here = available()
    if not names:
        return here
    from localinterp.errors import BadInput

    wanted = []
    for tag in (part.strip() for part in names.split(",")):
        name = canonical(tag) if tag else None
        if tag and name is None:
            raise BadInput(
                f"languages: {tag!r} is not a language localinterp runs; `localinterp languages` lists them."
            )
        if name and name not in wanted:
            wanted.append(name)
    missing = [name for name in wanted if name not in here]
    if missing:
        raise BadInput(
            f"languages: {', '.join(missing)} cannot run here (not installed); `localinterp languages` shows "
            "what is."
        )
    if not wanted:
        raise BadInput("languages: name at least one, such as python,shell.")
    return tuple(wanted)


def installed() -> list[tuple[str, str, bool]]:
    """Every language: its name, the program that would run its blocks here, and whether it can."""
    here = set(available())
    rows = []
    for lang in LANGUAGES:
        found = next((shutil.which(p) for p in lang.programs if shutil.which(p)), None)
        program = found or (
            "python3 (yours, else localinterp's)" if lang.name == "python" else lang.programs[0]
        )
        rows.append((lang.name, program, lang.name in here))
    return rows
