"""Claims in a model's final answer that nothing it ran supports.

Small models end a task with a confident sentence the conversation contradicts: an average after a block
that printed nothing, "written to sorted.txt" when no code wrote it. The session checks the answer once
per request against what the conversation holds (the request, the code, its real output, the files on
disk) and, when something is unsupported, gives the model one more step to run code that shows it.
scripts/eval_agent.py measures the effect (docs/EVAL.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# A number as written in prose: 1,234 or 3.5 or -2; only ones with two or more digits are checked, since
# "step 1" or "2 files" are as often counting words as results.
_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w])")
# A file name a user would write: a known extension, so that `df.head` is not one (nor `Node.js`: .js is
# left out, as prose names more frameworks than scripts).
_EXTENSIONS = (
    "txt|csv|tsv|json|jsonl|xml|html|md|log|py|sh|sql|db|sqlite|zip|gz|tar|tgz|bin|dat|out|yaml|yml|ini|"
    "cfg|toml|png|jpg|pdf"
)
_FILE = re.compile(rf"(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?:{_EXTENSIONS}))(?![\w])")
_FENCE = re.compile(r"```.*?(?:```|$)", re.DOTALL)
# A quoted single token, "bfkmqot" or `eu-west`: the shape of a value the answer reports (a password, a
# name, a key). Not a contraction's apostrophe: the quote may not follow a letter.
_QUOTED = re.compile(r"(?<![\w])([\"'`])([^\s\"'`]{3,60})\1(?![\w])")
# Words before a file name that make it the request's output: "convert a.csv to b.json", "write ... into
# c.txt", "save it as d.md", "create e.txt". (Within the same clause: no sentence end in between.)
_WRITE_INTENT = re.compile(
    r"\b(?:to|into|as|create|write|save|output|export|generate|produce)\b[^.!?\n]{0,60}$", re.I
)


def files_to_write(request: str, cwd: Path) -> list[str]:
    """Files a request asks to be written: named after a word of writing and not on disk when it was
    made. Checked again when the model ends its turn, since "done" with the file missing is a claim too."""
    wanted = []
    for match in _FILE.finditer(_FENCE.sub(" ", request)):
        name = match.group(1)
        if name not in wanted and _WRITE_INTENT.search(request[: match.start()]) and not _exists(cwd / name):
            wanted.append(name)
    return wanted


# A request to change a file it names: "fix report.py", "update a.txt and config.yaml", "edit the script
# run.sh", or the file said to be broken ("summary.py crashes. Fix it"). The verb must govern the name:
# in "fix it so that it prints the total of numbers.txt" numbers.txt is an input, not a file to change.
_CHANGE_BEFORE = re.compile(
    r"\b(?:fix|edit|update|change|modify|correct|repair|patch|debug)\s+"
    r"(?:(?:the|my|this|that|both|file|files|script|program|code|and|[\w.-]+\.\w+,?)\s+){0,4}$",
    re.I,
)
_BROKEN_AFTER = re.compile(
    r"^\s*(?:crashes|fails|is broken|errors|throws|raises|does(?:n't| not) (?:work|run)|has a bug)", re.I
)
_CHANGE_VERB = re.compile(r"\b(?:fix|repair|correct|debug|make it work)\b", re.I)


def files_to_change(request: str, cwd: Path) -> dict[str, bytes]:
    """Files on disk a request asks to be changed, with their contents when it was made. A model that
    "fixes" a script by writing a corrected copy in a block of its own leaves the file as it was: when it
    ends its turn with the file unchanged, that is a claim of done to check (`unchanged`)."""
    text = _FENCE.sub(" ", request)
    wanted: dict[str, bytes] = {}
    for match in _FILE.finditer(text):
        name = match.group(1)
        before, after = text[: match.start()], text[match.end() :]
        asked = _CHANGE_BEFORE.search(before) or (_BROKEN_AFTER.match(after) and _CHANGE_VERB.search(text))
        if name in wanted or not asked:
            continue
        try:
            wanted[name] = (cwd / name).read_bytes()
        except OSError:
            continue  # not there (or unreadable): nothing to compare with
    return wanted


def files_named(request: str, cwd: Path) -> list[str]:
    """The existing files a request names, relative to `cwd`: an answer about them that no code backs
    (no block ran at all) is a claim of its own (see `recheck_message`'s `unread`)."""
    from localinterp.previews import mentioned_files

    try:
        root = cwd.resolve()
        return [p.relative_to(root).as_posix() for p in mentioned_files(request, cwd) if p.is_file()]
    except OSError:
        return []


def unchanged(originals: dict[str, bytes], cwd: Path) -> list[str]:
    """The files of `originals` (files_to_change) whose contents are still what they were."""
    still = []
    for name, content in originals.items():
        try:
            if (cwd / name).read_bytes() == content:
                still.append(name)
        except OSError:
            continue  # gone or unreadable: changed, as far as a check can tell
    return still


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # unreadable is not ours to judge: never a claim


def _numbers(text: str) -> list[str]:
    return [m.group(0).replace(",", "") for m in _NUMBER.finditer(text)]


def _value(number: str) -> float | None:
    try:
        return float(number)
    except ValueError:
        return None


def _supported(number: str, seen: set[float]) -> bool:
    """Whether `number` matches a number seen, allowing the rounding the answer's decimals imply."""
    value = _value(number)
    if value is None:
        return True
    decimals = len(number.split(".")[1]) if "." in number else 0
    slack = 0.5 * 10**-decimals + 1e-9
    # 12.3 stated for 12.345 printed is fine; so is 0.25 stated as 25 (a percentage).
    return any(abs(value - x) <= slack or abs(value - 100 * x) <= slack for x in seen)


def _without(text: str, places: Iterable[str]) -> str:
    """`text` with each of `places` (paths) taken out, and their folder names where they stand alone (not
    inside a path: "multiply-1025/work/run.js" is a file name to check, not the place)."""
    for place in sorted(places, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(place)}(?![\w-])", " ", text)
    names = {part for place in places for part in Path(place).parts if len(part) > 1 and part != "/"}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w./-]){re.escape(name)}(?![\w/-]|\.\w)", " ", text)
    return text


def unsupported(
    answer: str,
    *,
    given: Iterable[str],
    printed: Iterable[str],
    cwd: Path,
    to_write: Iterable[str] = (),
    places: Iterable[str] = (),
) -> list[str]:
    """What `answer` claims (prose only: fenced blocks are skipped) that nothing backs: numbers found
    neither in `given` (the request, the code the model ran) nor in `printed` (the output of that code),
    quoted values found in neither, file names that are not on disk and that no output showed, and the
    files the request asked to be written (`to_write`) that are still not on disk, said or not. (A file
    the request names is not backed by being named: "written to sorted.txt" is exactly the claim to
    check.) `places` (the working directory's path, which the system message gives) are no claim in the
    answer and back none in `given`: the 1.5B answered "The distinct words in words.txt are 1031." with
    the number from its folder's name, li-eval/unique-words-1031, and the check let it pass."""
    places = list(places)
    prose = _without(_FENCE.sub(" ", answer), places)
    given = [_without(text, places) for text in given]
    printed_text = "\n".join(printed)
    seen = {v for v in (_value(n) for n in _numbers("\n".join(given) + "\n" + printed_text)) if v is not None}
    claims: list[str] = []
    for number in _numbers(prose):
        if len(number.lstrip("-").replace(".", "")) < 2 or number in claims:
            continue
        if not _supported(number, seen):
            claims.append(number)
    said = ("\n".join(given) + "\n" + printed_text).lower()
    for match in _QUOTED.finditer(prose):
        value = match.group(2)
        if _FILE.fullmatch(value) or _NUMBER.fullmatch(value) or value in claims:
            continue  # files and numbers have their own rules
        if value.lower() not in said:
            claims.append(value)
    for match in _FILE.finditer(prose):
        name = match.group(1)
        if name in claims or name in printed_text:
            continue
        if not _exists(cwd / name):
            claims.append(name)
    claims += [name for name in to_write if name not in claims and not _exists(cwd / name)]
    return claims


def recheck_message(
    claims: list[str], cwd: Path, untouched: Iterable[str] = (), unread: Iterable[str] = ()
) -> str:
    """What the model is told: which claims no code backed, which files the request wanted written are
    missing, which it wanted changed are `untouched` (see `unchanged`), which files it named were never
    read because no code ran at all (`unread`), and what to do."""
    same = [name for name in untouched if name not in claims]
    files = [c for c in claims if _FILE.fullmatch(c)]
    values = [c for c in claims if c not in files]
    parts = []
    # The 1.5B answered json-nested from a ```json fence it wrote itself (`cat config.json`, then an
    # invented file), and the 0.5B counted words from the three lines a preview showed: no code had run.
    unread = list(unread)
    if unread:
        parts.append(
            f"no code has run for this request, so nothing backs your answer: read {', '.join(unread)} "
            "with code and print what the answer needs"
        )
    if values:
        parts.append(
            f"you stated {', '.join(values)}, but no code printed {'it' if len(values) == 1 else 'them'}"
        )
    parts += [
        f"{name} does not exist in {cwd}: the request asks for it, so write it with code" for name in files
    ]
    parts += [f"{name} is unchanged: the request asks to change that file itself" for name in same]
    # The 1.5B answered with a ```json fence copying a file and took that for running code.
    text = (
        "Check your answer against the real output: "
        + "; ".join(parts)
        + ". Write a ```python block (```json and ```text blocks are only shown, never run) that works on "
        "the files themselves and prints the result, then answer from what it printed."
    )
    return text + (_rewrite_template(same[0]) if same else "")


def _rewrite_template(name: str) -> str:
    # Told only to save the corrected source into the file (with the call to use named), the 1.5B read
    # the file again, ran its corrected copy once more and answered (fix-type: 0 of 3 runs, twice
    # checked each): a block to fill in is what it copies.
    from localinterp.previews import run_command

    command = run_command(name)
    run = f"\nimport subprocess\nsubprocess.run({command!r})" if command else ""
    return (
        f" To change {name}, write its whole corrected content into it{' and run it' if run else ''}, "
        f'in one block like this:\n```python\nsource = """<the whole corrected content of {name}>\n'
        f'"""\nopen({name!r}, \'w\').write(source){run}\n```'
    )
