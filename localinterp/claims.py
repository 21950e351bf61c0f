"""Claims in a model's final answer that nothing it ran supports.

Small models end a task with a confident sentence the conversation contradicts: an average after a block
that printed nothing, "written to sorted.txt" when no code wrote it. The session checks the answer once
per request against what the conversation holds (the request, the code, its real output, the files on
disk) and, when something is unsupported, gives the model one more step to run code that shows it. It
also checks what the answer gets wrong that the conversation can tell: a file written with repeated or
unsorted lines when the request asked otherwise, a file's size given as a count, a value the request asks
about that no block picked out, no date for a request that asks for one, a file's name given as the value
read from inside it.
scripts/eval_agent.py measures the effect (docs/EVAL.md).
"""

from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import importlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from localinterp.engine.languages import canonical

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
_CALL = re.compile(r"\w\(.*\)")  # a quoted call: code, not a value
# A name of two to four words in backticks, `John Doe`: the 0.5B's query printed "nils" and it answered
# "is named `John Doe`" (sqlite-join, held-out seed 30000). Backticks only: double quotes hold prose.
_QUOTED_NAME = re.compile(r"(?<![\w`])`([A-Za-z][\w.@-]*(?: [A-Za-z][\w.@-]*){1,3})`(?![\w`])")
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


# What a request asks of the lines of a file it wants written.
_ONCE = re.compile(
    r"\b(?:(?:each|every)\b[^.,;]{0,30}\bonce|only once|once each|unique|distinct|de-?duplicated?|"
    r"without (?:duplicates|repeats)|no (?:duplicates|repeats))\b",
    re.I,
)
_SORTED = re.compile(r"\b(?:sort|sorted|alphabetical|alphabetically|ascending|descending)\b", re.I)
_SORTED_BY = re.compile(r"\bsort(?:ed)?\b[^.;]{0,20}\bby\b", re.I)
_DESCENDING = re.compile(r"\b(?:descending|reverse|largest first|highest first|newest first)\b", re.I)
MAX_CHECKED = 1 << 20  # bytes of a written file read to compare with the request


def unlike_request(request: str, to_write: Iterable[str], cwd: Path, *, quote: bool = True) -> list[str]:
    """What the files a request asked to be written do not do that it asked for, one sentence each:
    lines repeated when it asked for each once, lines out of order when it asked for them sorted (the two
    lines quoted, unless `quote` is false: no code printed them, so a cloud model is not sent them).

    Shown sorted.txt as "17 lines (10 different)", the 1.5B answered "done" every time (sort-unique: 0 of
    3 runs in three evaluations): it saw the count and did not connect it with "each name once"."""
    words = _FILE.sub(" ", request)  # "write sorted.txt" asks for no sorting
    once, ordered = _ONCE.search(words), _SORTED.search(words)
    if _SORTED_BY.search(words) and not re.search(r"alphabetic|by name", words, re.I):
        ordered = None  # "sorted by length", "by date": an order this check cannot tell
    said = []
    for name in to_write:
        path = cwd / name
        try:
            if not path.is_file() or path.stat().st_size > MAX_CHECKED:
                continue
            text = path.read_text(errors="replace")
        except OSError:
            continue
        # The 1.5B created people.json with `pass` (told to write it, not read it), printed the JSON it
        # had built and answered that the JSON was written (csv-to-json, held-out seed 26000).
        if not text.strip():
            said.append(f"{name} is empty: write into it what the request asks for")
            continue
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except ValueError as e:
                said.append(f"{name} is not valid JSON ({e}): write it with json.dump")
                continue
            kind = _items_not_objects(data)
            if _OBJECTS.search(words) and kind:
                # The 1.5B wrote people.csv's rows as lists of values, shown "[8 × [2 × text]]", and
                # answered that the list of objects was written (csv-to-json, held-out seed 52000); it
                # wrote each row json.dumps'ed, a list of texts, and answered "done" (fresh seed 59000).
                first = json.dumps(data[0])  # type: ignore[index]
                first = f" (the first {first})" if quote and len(first) <= 60 else ""
                sentence = (
                    f"{name} holds a list of {kind}{first}, and the request asks for a list of objects: each "
                    "row a dict keyed by the column names"
                )
                source = next((n for n in _FILE.findall(request) if n.lower().endswith(".csv")), "")
                if source and (cwd / source).is_file():
                    sentence = _handing(sentence, _as_objects(source, name))
                said.append(sentence)
                continue
            short = _rows_left_out(request, name, data, cwd)
            if short:
                said.append(short)
            continue
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        kept = _condition_kept(words, lines)
        if kept:
            # Asked for the items whose stock is 0, the 0.5B wrote `willow 0` on every line, and, shown
            # the file, wrote it so again (out-of-stock: every seed of 53000-58000).
            said.append(
                _handing(
                    f"every line of {name} ends with {kept}, the value the request selects by, and the request "
                    f"asks for what has it, not the value: write each line without it",
                    _without_last(name, kept),
                )
            )
            continue
        if not once and not ordered:
            continue
        first = len(said)
        descending = bool(_DESCENDING.search(words))
        different = len(set(lines))
        if once and different < len(lines):
            # The fix named, not just the fault: told "only 10 different ones", the 1.5B printed
            # names.txt and answered "each name once" again (sort-unique: 0 of 3 runs).
            said.append(
                f"{name} has {len(lines)} lines but only {different} different ones, and the request asks "
                "for each one once: write each line only once (in Python, sorted(set(lines)); in a shell, "
                "sort -u)"
            )
        if ordered and lines:
            late = _out_of_order(lines, descending=descending)
            if late:
                pair = (
                    f" ({lines[late]}) comes after {lines[late - 1]}"
                    if quote
                    else f" comes after line {late}"
                )
                # Both asked: told only to sort, the 1.5B sorted the lines with their repeats back in
                # (sort-unique, held-out seed 29000), after it had removed them for the check before.
                how = " and keep each once (sorted(set(lines)); in a shell, sort -u)" if once else ""
                said.append(
                    f"{name} is not sorted: line {late + 1}{pair}; sort the lines before writing them{how}"
                )
        if len(said) > first:
            # The fix handed whole, after the last sentence about the file: told "sorted(set(lines))",
            # the 0.5B wrote its own block again, five times, to the step limit (sort-unique, all three
            # of its H100 runs, seeds 42000-44000).
            said[-1] = _handing(said[-1], relined(name, bool(once), bool(ordered), descending, lines))
    return said


# The value a request selects lines by: "whose stock is 0", "with status = failed".
_SELECTED_BY = r"\b(?:is|are|was|of|equals?|equal to|=+)\s+{value}(?![\w.])"
_LAST_FIELD = re.compile(r"^(.+?)[\s,:;=|-]+(\S+)$")


def _condition_kept(request: str, lines: list[str]) -> str:
    """The last field that every one of `lines` (two or more) ends with, where the request selects by that
    value ("whose stock is 0"): written beside each item it was not asked for ("" otherwise)."""
    fields = [_LAST_FIELD.match(line) for line in lines]
    if len(lines) < 2 or not all(fields):
        return ""
    values = {m.group(2) for m in fields if m}
    if len(values) != 1:
        return ""
    value = values.pop()
    return value if re.search(_SELECTED_BY.format(value=re.escape(value)), request, re.I) else ""


def _without_last(name: str, value: str) -> str:
    """The block that writes each line of `name` back without its last field `value`, and prints it."""
    return (
        f"import re\nlines = open({name!r}).read().splitlines()\n"
        f"kept = [re.sub(r'[\\s,:;=|-]+{re.escape(value)}$', '', line.strip()) for line in lines if line.strip()]\n"
        f"open({name!r}, 'w').write('\\n'.join(kept) + '\\n')\nprint(open({name!r}).read())"
    )


# A request for JSON objects ("a JSON list of objects", "as dicts"), not lists of values.
_OBJECTS = re.compile(r"\b(?:objects?|dicts?|dictionar(?:y|ies))\b", re.I)


def _rows_left_out(request: str, name: str, data: object, cwd: Path) -> str:
    """For JSON file `name`, written from a CSV file the request names as a list with fewer or more items
    than that file has data rows: one sentence, with the block that writes every row where the request
    asks for objects ("" otherwise).

    Having printed people[:5] of people.csv's seven rows, the 1.5B wrote those five into people.json by
    hand, as "sample data", and answered that it was written (csv-to-json, fresh seed 58000)."""
    source = next((n for n in _FILE.findall(request) if n.lower().endswith(".csv")), "")
    if not source or not isinstance(data, list):
        return ""
    try:
        with (cwd / source).open(encoding="utf-8", errors="replace", newline="") as f:
            rows = [row for row in csv.reader(f) if any(field.strip() for field in row)][1:]
    except (OSError, csv.Error):
        return ""
    if not rows or len(rows) == len(data):
        return ""
    sentence = (
        f"{name} holds {len(data)} item{'s' if len(data) != 1 else ''} and {source} has {len(rows)} data rows: "
        "write one item for every row, read from the file by code, not copied from an output"
    )
    return _handing(sentence, _as_objects(source, name)) if _OBJECTS.search(request) else sentence


def _items_not_objects(data: object) -> str:
    """What a JSON list holds where objects were asked for ("lists", "texts"; "" for anything else)."""
    if not isinstance(data, list) or not data:
        return ""
    if all(isinstance(row, list) and row for row in data):
        return "lists"
    return "texts" if all(isinstance(row, str) for row in data) else ""


def _as_objects(source: str, name: str) -> str:
    """The block that writes CSV file `source`'s rows to `name` as a JSON list of objects."""
    return (
        f"import csv, json\nrows = list(csv.DictReader(open({source!r}, newline='')))\n"
        f"json.dump(rows, open({name!r}, 'w'), indent=2)\nprint(open({name!r}).read())"
    )


def written_unlike(request: str, to_write: Iterable[str], cwd: Path) -> str:
    """What the files to write hold unlike the request asks, for a block that has just written one: the
    sentences of `unlike_request` that come with the block that mends the file, each followed by it ("" for
    none)."""
    said = []
    for sentence in unlike_request(request, to_write, cwd):
        sentence, fence, code = sentence.partition(_HANDED)
        if fence:
            said.append(f"{sentence}. Run this block to write it so:{_HANDED}{code}")
    return "\n".join(said)


def relined(name: str, once: bool, ordered: bool, descending: bool, lines: list[str]) -> str:
    """A block that writes `name`'s `lines` back each once and/or sorted (as numbers when every line is
    one, descending when asked so), and prints the file."""
    try:
        numbers = bool([float(ln) for ln in lines])
    except ValueError:
        numbers = False
    args = "".join((", key=float" if numbers else "", ", reverse=True" if descending else ""))
    # Three lines, the first doing the work: begun with a longer block's first line, the 0.5B left out
    # its write and printed the file as it was (sort-unique, seed 47000 on this CPU).
    read = f"line.strip() for line in open({name!r}) if line.strip()"
    if ordered and once:
        kept = f"sorted(set({read}){args})"
    elif ordered:
        kept = f"sorted(({read}){args})" if args else f"sorted({read})"
    else:
        kept = f"list(dict.fromkeys({read}))  # each once, in the order they came"
    return (
        f"lines = {kept}\nopen({name!r}, 'w').write('\\n'.join(lines) + '\\n')\nprint(open({name!r}).read())"
    )


def _out_of_order(lines: list[str], descending: bool) -> int:
    """The index of the first line out of order, in the ordering a person would mean that gets furthest
    (text, text ignoring case, numbers); 0 when the lines are in one of them."""
    keyed: list[list[str] | list[float]] = [lines, [ln.lower() for ln in lines]]
    with contextlib.suppress(ValueError):  # numbers are an ordering only when every line is one
        keyed.append([float(ln.replace(",", "")) for ln in lines])
    furthest = 0
    for values in keyed:
        pairs = enumerate(itertools.pairwise(values), 1)
        bad = next((i for i, (a, b) in pairs if (b > a if descending else b < a)), 0)
        if not bad:
            return 0
        furthest = max(furthest, bad)
    return furthest


def measures_for_counts(answer: str, request: str, cwd: Path) -> list[str]:
    """Numbers in `answer` that measure a file instead of counting what the request counts, one sentence
    each: a file's size in bytes, when the request asks how many of something that is not bytes, and
    the number of lines (or of different lines) of a file the request names whose lines hold several
    fields, when it asks how many of something that is not lines.

    Told the .gz had become events.txt, the 1.5B listed it (`ls -l events.txt`) and answered its size,
    11236, as its line count (gzip-lines: 2 of 3 runs); asked for the distinct words of a one-line
    words.txt, it ran `wc -l` and answered 1 (unique-words: both held-out seeds and one tuning run); it
    put whole lines of contacts.txt in a set and answered their number as the distinct addresses
    (emails). The numbers were printed, so nothing else caught them."""
    counted = COUNTED.search(request)
    if not counted:
        return []
    noun = counted.group(1).lower()
    from localinterp.changes import snapshot

    sizes = {}
    if not _SIZE_WORDS.search(request):
        sizes = {size: name for name, (size, _mtime, is_dir) in (snapshot(cwd) or {}).items() if not is_dir}
    # "How many requests are in access.log?" is answered by its lines; "...got a 404" is not, nor are
    # distinct values, nor words.
    picked = noun in _IN_LINES or noun in ADDRESSES or _PICKED.search(request[counted.start() :])
    named = files_named(request, cwd)
    lines = _line_counts(named, cwd) if picked and noun not in _LINE_NOUNS else {}
    chars = _char_counts(named, cwd) if noun not in _CHAR_NOUNS else {}
    # Asked for the distinct words, the 1.5B ran `wc -w` and answered every word's count (unique-words,
    # held-out seed 30000): the total, where some words come more than once.
    every = _word_totals(named, cwd) if noun == "words" and _DISTINCT.search(request) else {}
    said = []
    for number in dict.fromkeys(_numbers(_FENCE.sub(" ", answer))):
        value = _value(number)
        if value is None or value != int(value):
            continue
        if value >= 100 and int(value) in sizes:
            sentence = (
                f"{number} is the size of {sizes[int(value)]} in bytes, not a number of {noun}: "
                "count those with code"
            )
            # Told so in a sentence, the 0.5B printed its sentence with the size again, then a count of
            # lines (emails, word-count: fresh seed 60000): the block, where the request names one file.
            block = _counting_block(_kind(noun, request), named[0], request) if len(named) == 1 else ""
            said.append(_handing(sentence, block) if block else sentence)
        elif value >= 100 and int(value) in chars:
            # Asked for essay.txt's words, the 0.5B summed len(line) over its lines and answered that
            # (word-count, seed 1000): the characters without the newlines.
            name = chars[int(value)]
            how = _IN_LINES.get(noun, f"count the {noun} themselves")
            sentence = (
                f"{number} is the number of characters in {name}, not of {noun}: count the {noun} with code "
                f"({how.format(name=name)})"
            )
            block = _counting_block(_kind(noun, request), name, request)
            said.append(_handing(sentence, block) if block else sentence)
        elif int(value) in every:
            name = every[int(value)]
            said.append(
                f"{number} is the number of all the words in {name}, some of them more than once, and the "
                f"request counts the distinct ones: count each word once with code "
                f"({_IN_LINES['distinct words'].format(name=name)})"
            )
        elif int(value) in lines:
            name = lines[int(value)]
            kind = _kind(noun, request)
            measured = (
                f"{number} is the number of lines in {name}, whose lines hold several fields each, and the "
                f"request counts {noun}: count the {noun} themselves with code"
            )
            if kind in ADDRESSES:
                # Told the call that finds them inside this sentence, the 1.5B ran its own block, which
                # split each line at "@", twice, printed the file and answered 25 again (emails, fresh
                # seed 57000): the whole block, which a check's reply begins with.
                said.append(_handing(measured, _counting_block(kind, name, request)))
                continue
            how = _IN_LINES.get(kind, f"print a few of the {noun} you matched first")
            said.append(f"{measured} ({how.format(name=name)})")
    return said


def _counting_block(kind: str, name: str, request: str = "") -> str:
    """The block that prints how many of `kind` (an _IN_LINES or ADDRESSES key) file `name` holds, the
    distinct ones where `request` asks for those ("" for a kind with no such block)."""
    if kind in ADDRESSES:
        found = f"found = re.findall(r'{ADDRESSES[kind]}', open({name!r}).read())"
        total = "len(set(found))" if _DISTINCT.search(request) else "len(found)"
        return f"import re\n{found}\nprint({total})"
    if kind == "words":
        return f"print(len(open({name!r}).read().split()))"
    if kind == "distinct words":
        return f"print(len(set(open({name!r}).read().split())))"
    return ""


def _kind(noun: str, request: str) -> str:
    """The _IN_LINES key for a counted noun: "addresses" are emails or IPs by what the request says."""
    if noun in ("addresses", "emails", "mails"):
        if re.search(r"\be-?mail", request, re.I):
            return "emails"
        if re.search(r"\bIPs?\b|\bIPv4\b", request):
            return "ips"
    if noun == "words" and _DISTINCT.search(request):
        return "distinct words"
    return "ips" if noun == "ips" else noun


def lines_off_by_one(answer: str, request: str, cwd: Path) -> list[str]:
    """For a request that counts a named file's lines (a compressed one's once decompressed): a number
    in `answer` one more than its lines, one sentence ([] otherwise).

    The 1.5B read events.txt.gz with gzip.open, printed len(text.split('\\n')), 587 for 586 lines, and
    answered that (gzip-lines: 3 of 3 runs once the preview named gzip.open); split leaves an empty
    string after the last newline."""
    counted = COUNTED.search(request)
    if not counted or counted.group(1).lower() != "lines":
        return []

    numbers = {_value(n) for n in _numbers(_FENCE.sub(" ", answer))}
    said = []
    for name in files_named(request, cwd):
        read = _decompressed(cwd / name)
        if read is None:
            continue
        text = read[1]
        if len(text) > _LINES_BYTES or not text.endswith(b"\n"):
            continue
        lines = text.count(b"\n")
        if lines + 1 in numbers and lines not in numbers:
            said.append(
                f"{lines + 1} is one more than the lines of {name} ({lines}): split('\\n') leaves an empty "
                "string after the last newline; count with len(text.splitlines())"
            )
    return said


def lines_read_off(request: str, answer: str, output: str, cwd: Path) -> list[str]:
    """For a request that counts a named file's lines (once decompressed, in place or not), answered with
    a number that is not their count and that the last `output`, a listing of many lines, shows only
    inside a line: one sentence, with the block that counts them ([] otherwise).

    The 1.5B ran `gunzip events.txt.gz`, then `cat events.txt` (697 lines, their middle cut for the
    model), and answered 337, read off the line "event 337 ..." (gzip-lines, fresh seed 58000)."""
    counted = COUNTED.search(request)
    shown = [line.strip() for line in output.splitlines() if line.strip()]
    if not counted or counted.group(1).lower() != "lines" or len(shown) < 20:
        return []

    stated = [n for n in dict.fromkeys(_numbers(_FENCE.sub(" ", answer))) if _value(n) is not None]
    read_off = [
        n
        for n in stated
        if n not in shown and any(re.search(rf"(?<![\w.]){re.escape(n)}(?![\w.])", line) for line in shown)
    ]
    if not read_off:
        return []
    for name in _FILE.findall(request):
        name = name if _exists(cwd / name) else unpacked(name, cwd)  # gunzip left events.txt
        if not name:
            continue
        read = _decompressed(cwd / name)
        if read is None or len(read[1]) > _LINES_BYTES:
            continue
        module, text = read
        lines = text.count(b"\n") + (0 if text.endswith(b"\n") or not text else 1)
        if any(_value(n) == lines for n in stated):
            return []
        count = (
            f"import {module}\nprint(sum(1 for _ in {module}.open({name!r}, 'rt')))"
            if module
            else f"print(sum(1 for _ in open({name!r})))"
        )
        return [
            _handing(
                f"{read_off[0]} is read off a line the last output shows, not counted: the request counts the "
                f"lines of {name}, and a block is to print their number",
                count,
            )
        ]
    return []


def _decompressed(path: Path) -> tuple[str, bytes] | None:
    """The module that decompresses `path` ("" for a plain file) and its bytes, up to one more than
    _LINES_BYTES; None when it cannot be read."""
    from localinterp.previews import COMPRESSORS, compression

    try:
        with path.open("rb") as f:
            packed = compression(f.read(8))
        if not packed:
            return "", path.read_bytes()[: _LINES_BYTES + 1]
        module = COMPRESSORS[packed][0]
        with importlib.import_module(module).open(path, "rb") as f:
            return module, f.read(_LINES_BYTES + 1)
    except (OSError, EOFError, ValueError, KeyError):
        return None


def _line_counts(names: Iterable[str], cwd: Path) -> dict[int, str]:
    """The numbers of lines, and of different lines, of the text files `names` whose lines hold several
    fields (a file of one value a line is counted right by its lines), each with its file."""
    counts: dict[int, str] = {}
    for name in names:
        try:
            if (cwd / name).stat().st_size > _LINES_BYTES:
                continue
            text = (cwd / name).read_bytes()
        except OSError:
            continue
        rows = [row for row in text.splitlines() if row.strip()]
        fields = sum(len(re.split(rb"[\s,;]+", row.strip())) for row in rows)
        if b"\0" in text or not rows or fields < 2 * len(rows):
            continue
        for count in (text.count(b"\n"), len(text.splitlines()), len(set(text.splitlines()))):
            counts.setdefault(count, name)  # the first: what `wc -l` prints
    return counts


def _word_totals(names: Iterable[str], cwd: Path) -> dict[int, str]:
    """The numbers of words (all of them) of the text files `names` in which some word comes more than
    once, each with its file."""
    counts: dict[int, str] = {}
    for name in names:
        try:
            if (cwd / name).stat().st_size > _LINES_BYTES:
                continue
            words = (cwd / name).read_text(errors="replace").split()
        except OSError:
            continue
        if len(set(words)) < len(words):
            counts.setdefault(len(words), name)
    return counts


def _char_counts(names: Iterable[str], cwd: Path) -> dict[int, str]:
    """The numbers of characters of the text files `names`, with and without their newlines, each with
    its file."""
    counts: dict[int, str] = {}
    for name in names:
        try:
            if (cwd / name).stat().st_size > _LINES_BYTES:
                continue
            text = (cwd / name).read_text(errors="replace")
        except OSError:
            continue
        for count in (len(text), len(text) - text.count("\n")):
            counts.setdefault(count, name)
    return counts


_CHAR_NOUNS = {"characters", "chars", "letters", "bytes"}  # counted right by characters (or by size)
# How to count what a line holds several of (and the distinct ones), in Python and in a shell.
_IN_LINES = {
    "words": "in Python, words = open({name!r}).read().split(), then len(words), or len(set(words)) for the "
    "distinct ones; in a shell, wc -w < {name}, or tr -s '[:space:]' '\\n' < {name} | sort -u | wc -l for "
    "the distinct ones",
    # Only the distinct form where the request asks for it: told both, the 0.5B printed len(words), the
    # first, for the distinct words (unique-words, seed 48000 on this CPU).
    "distinct words": "in Python, print(len(set(open({name!r}).read().split()))); in a shell, tr -s "
    "'[:space:]' '\\n' < {name} | sort -u | wc -l",
    "characters": "in Python, len(open({name!r}).read()); in a shell, wc -m < {name}",
}
# The shape of each kind of address: what a check's block finds in a file's lines (measures_for_counts)
# and what hints.unlike_kind_hint tests a printed value against.
ADDRESSES = {"emails": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "ips": r"\b\d{1,3}(?:\.\d{1,3}){3}\b"}
_LINES_BYTES = 16 << 20  # files up to this size are read for their line count
# What narrows a count to some of a file's lines, or to something inside them.
_PICKED = re.compile(
    r"\b(?:distinct|unique|different|that|which|who|whose|where|with|without|got|get|gets|has|have|"
    r"contain\w*|more|less|fewer|over|under|above|below)\b",
    re.I,
)
_DISTINCT = re.compile(r"\b(?:distinct|unique|different)\b", re.I)
_LINE_NOUNS = {"lines", "rows", "records", "entries", "bytes"}  # counted right by lines (or by size)


# A field's few values, as previews.py names them: `"paid" or "pending" or "refunded"`.
_CHOICES = re.compile(r'"[^"\n]{1,40}"(?: or "[^"\n]{1,40}")+')


def values_unused(request: str, context: str, code: Iterable[tuple[str, str]]) -> list[str]:
    """Values of a field (named in the preview `context`) that the request asks about and that no block
    of `code` ((language, source) pairs) looks for, one sentence each.

    Asked for the total of the paid orders, shown that status is "paid" or "pending" or "refunded", the
    1.5B summed every order and printed "The total amount of paid orders is: 3308.61" (json-sum). Told
    so, the 0.5B ran its block again: where the field's key is shown and a Python block loops over the
    records, that block comes back with the records of other values passed over (json-sum, 55000)."""
    words = _FILE.sub(" ", request)
    sources = list(code)
    said = []
    for match in _CHOICES.finditer(context):
        group = match.group(0)
        key = re.search(r'"([^"\n]+)": text \($', context[: match.start()])
        for value in re.findall(r'"([^"]+)"', group):
            if not re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", words, re.I):
                continue
            # A filter names the value as a string in Python or SQL; a shell pipeline may name it bare.
            quoted = re.compile(rf"""["']{re.escape(value)}["']""", re.I)
            bare = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])", re.I)
            if not any(
                (bare if lang in ("shell", "bash", "sh") else quoted).search(src) for lang, src in sources
            ):
                sentence = (
                    f'the request asks about "{value}" ({group}), but no block you ran picks those out: '
                    "keep only the records with that value before you count or add"
                )
                python = [src for lang, src in sources if canonical(lang) == "python"]
                kept = _only_records(python[-1], key.group(1), value) if python and key else ""
                said.append(_handing(sentence, kept) if kept else sentence)
    return said


def _only_records(code: str, key: str, value: str) -> str:
    """`code` with its first loop over records (`for order in data:`, or `... for o in data)`) passing
    over those whose `key` is not `value`; "" where it has none, or the result does not compile."""
    loop = re.search(r"^([ \t]*)for\s+(\w+)\s+in\s+[^\n]+:[ \t]*\n([ \t]+)", code, re.M)
    if loop and len(loop.group(3)) > len(loop.group(1)):
        record, indent = loop.group(2), loop.group(3)
        skip = f"{indent}if {record}.get({key!r}) != {value!r}:\n{indent}    continue\n{indent}"
        fixed = code[: loop.start(3)] + skip + code[loop.end(3) :]
    else:
        test = f".get({key!r}) == {value!r}"
        fixed = re.sub(r"\bfor\s+(\w+)\s+in\s+(\w+)\s*\)", rf"for \1 in \2 if \1{test})", code, count=1)
    if fixed == code:
        return ""
    try:
        compile(fixed, "<block>", "exec")
    except SyntaxError:
        return ""
    return fixed


# "the environment variable LI_TOKEN", "env var `HOME`", "the value of $PATH".
_ENV_ASKED = re.compile(r"\b(?:environment variable|env(?:ironment)? var)\s+[`'\"]?\$?([A-Za-z_]\w*)", re.I)


def env_unread(request: str, code: Iterable[str]) -> list[str]:
    """The environment variable a request asks about when no block of `code` read it from the
    environment, as one sentence ([] otherwise).

    Asked for LI_EVAL_TOKEN, the 1.5B read a .env file that does not exist (`cat .env`), and answered
    "not set in the specified file" (env-var: 1 of 3 runs); the other runs ran `env | grep` or
    os.getenv and answered."""
    asked = _ENV_ASKED.search(request)
    if not asked:
        return []
    name = re.escape(asked.group(1))
    # `env` and `set` as commands, not words of a path: the 1.5B ran `cat .../env-var-30028/work/LI_EVAL_TOKEN`
    # (its folder's name held "env-") and answered that no such file exists (env-var, seed 30000).
    command = r"(?<![\w./-])(?:printenv|env|set)(?![\w./-])"
    read = re.compile(rf"(?:\benviron\b|\bgetenv\b|{command})[^\n]*\b{name}\b|\${{?{name}\b")
    # Comments are no read: "# Open the environment variable file and search for LI_EVAL_TOKEN" above a
    # block that wrote a file with a made-up value and read it back passed as one (env-var, seed 11000).
    if any(read.search(re.sub(r"(?m)^\s*#.*$", "", src)) for src in code):
        return []
    return [
        f"the request asks for the environment variable {asked.group(1)}, but no block read it from the "
        f'environment: print it (os.environ.get({asked.group(1)!r}) in Python, echo "${asked.group(1)}" in a '
        "shell)"
    ]


# A question about a date: "on which date", "what date", "When is the meeting?".
_DATE_ASKED = re.compile(r"\b(?:which|what) date\b|(?:^|[.?!]\s+|,\s*)when (?:is|was|does|did|will)\b", re.I)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MONTHS += "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|yesterday"
# A date as prose or data writes one: 2026-03-14, 14/03, 14.03.2026, March 14, 14 Mar, Sunday.
_DATE = re.compile(
    rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}\b|\b(?:{_MONTHS})\b|\b(?:{_DAYS})\b",
    re.I,
)


def date_missing(
    request: str, answer: str, code: Iterable[str] = (), cwd: Path | None = None, named: Iterable[str] = ()
) -> list[str]:
    """The sentence for an answer with no date to a request that asks for one ([] otherwise), with the
    call that prints the line holding it where a file named (`named`) or opened by a block of `code` in
    `cwd` has a dated line that a word of the block's tests or of the request picks out.

    Asked on which date the meeting is, the 1.5B found the line, took its second word ("dntdto") and
    answered "The meeting is on dntdto." (meeting, fresh seed 10000): printed, so no claim was unbacked.
    Told to print the whole line, it wrote its `line.split('-')[2]` block again (seed 22000).
    """
    if not _DATE_ASKED.search(request) or _DATE.search(_FENCE.sub(" ", answer)):
        return []
    said = (
        "the request asks for a date, and your answer gives none: print the whole line of the data that "
        "holds the date, then answer with the date as it is written there"
    )
    call = _dated_line_call(request, list(code), cwd, named) if cwd is not None else ""
    return [f"{said}, e.g. with `{call}`" if call else said]


def date_unbacked(
    request: str,
    answer: str,
    claims: Iterable[str],
    code: Iterable[str],
    cwd: Path,
    named: Iterable[str] = (),
) -> list[str]:
    """For a request that asks for a date, answered with one whose numbers (`claims`) no code printed:
    the call that prints the line holding it, as date_missing gives ([] when there is no such call).

    Asked on which date the meeting is, the 1.5B printed the line two below the meeting's ("-"), answered
    a date it never printed, and told so, wrote the same block twice more (meeting, held-out seed 25000).
    """
    dated = _DATE.search(_FENCE.sub(" ", answer))
    if (
        not _DATE_ASKED.search(request)
        or not dated
        or not any(_DATE.search(c) or c.isdigit() for c in claims)
    ):
        return []
    call = _dated_line_call(request, list(code), cwd, named)
    if not call:
        return []
    return [f"print the line of the data that holds the date, e.g. with `{call}`, and answer from it"]


# Words that group a total ("which region has the highest total", "per month"): one call cannot say it.
_GROUPED = re.compile(r"\b(?:which|each|per|every|by|for all)\b", re.I)
_PRODUCT = re.compile(r"\btimes\b|\bmultipl\w*|[*×]")


def aggregate_unbacked(
    request: str, claims: Iterable[str], cwd: Path, named: Iterable[str] = ()
) -> list[str]:
    """For a request for one total or average over columns of a CSV file it names, answered with a
    number no code printed: the one-line call that prints it, from the file's own header ([] when the
    request names no numeric column of such a file, or groups the rows).

    Asked for the total stock value (price times qty, summed), the 1.5B printed the rows, answered an
    invented 10,284.96 with "the next block would be to calculate" it, and told so, printed the rows
    again, to the check limit (csv-value, held-out seed 26000)."""
    wanted = _AGGREGATE.search(request)
    if not wanted or not any(_value(c) is not None for c in claims):
        return []
    for name, rows in _csv_rows(named, cwd, 51):
        columns = _numbers_named(rows, request)
        if not columns:
            continue
        if len(columns) >= 2 and _PRODUCT.search(request):
            value = f"float(r[{columns[0]!r}]) * float(r[{columns[1]!r}])"
        else:
            value = f"float(r[{columns[0]!r}])"
        reader = _dict_reader(name)
        mean = wanted.group(0).lower() in ("average", "mean")
        how, modules = ("statistics.mean", "csv, statistics") if mean else ("sum", "csv")
        if _GROUPED.search(request):
            # Per group: asked which region has the highest total amount, the 1.5B printed the rows,
            # answered an invented total and, checked, printed them again from step 1 of its plan, in a
            # circle (region-sales, held-out seed 33000). Each group's result, largest first.
            groups = _texts_named(rows, request)
            if not groups:
                return []
            key = f"r[{groups[0]!r}]"
            lines = (
                f"import {modules}",
                f"rows = list({reader})",
                f"print(sorted((({how}({value} for r in rows if {key} == g), g) for g in {{{key} for r in "
                "rows}), reverse=True))",
            )
        else:
            lines = (f"import {modules}", f"print({how}({value} for r in {reader}))")
        return [
            _handing(
                "compute it with code (the block below), and answer from what it prints", "\n".join(lines)
            )
        ]
    return []


# Code that adds values up, one group or all: a running `+=`, sum(), a Counter, SQL's SUM.
_ADDS_UP = re.compile(r"\+=|\bsum\(|\bCounter\b|\bdefaultdict\b|\bgroupby\b|\bSUM\s*\(|\.get\([^)]*\)\s*\+")
# Code that picks one of its values: a comparison, max(), min() or a sort (a read of the rows picks none).
_PICKS = re.compile(r"[<>]|\b(?:max|min|sorted|sort)\(")


def group_totals_unsummed(request: str, code: str, cwd: Path) -> str:
    """For a request for the group with the highest (or lowest) total ("Which region in sales.csv has the
    highest total amount?"), where a CSV file it names has that group as a text column, and a block that
    picks a row but adds nothing up: it compared single rows, and the block adding each group's values
    ("" otherwise). Said at the block, where aggregate_unbacked speaks at an answer no code printed.

    Asked which region in sales.csv has the highest total amount, the 0.5B kept the row with the largest
    amount and answered its region and that one amount (region-sales, fresh seed 61000)."""
    wanted = _AGGREGATE.search(request)
    if not wanted or wanted.group(0).lower() in ("average", "mean") or not _GROUPED.search(request):
        return ""
    if _ADDS_UP.search(code) or not _PICKS.search(code):
        return ""
    for name, rows in _csv_rows(files_named(request, cwd), cwd):
        if not name.lower().endswith(".csv"):  # the block reads it with csv's default comma
            continue
        groups = _texts_named(rows, request)
        numbers = [
            c for i, c in enumerate(rows[0]) if _kind_of_column(rows[1:], i) in ("number", "whole number")
        ]
        values = _numbers_named(rows, request) or numbers
        if not groups or len(values) != 1:
            continue
        key, value = groups[0], values[0]
        extreme = "min" if _LOWEST.search(request) else "max"
        block = (
            f"import csv\ntotals = {{}}\nfor row in csv.DictReader(open({name!r}, newline='')):\n"
            f"    totals[row[{key!r}]] = totals.get(row[{key!r}], 0) + float(row[{value!r}])\n"
            f"best = {extreme}(totals, key=totals.get)\nprint(best, totals[best])"
        )
        most = "least" if extreme == "min" else "most"
        return (
            f"The request asks for the {key} whose {value} adds up to the {most}, and your block adds nothing "
            f"up: it compared single rows. Each {key}'s total is the sum of its rows' {value}; this block adds "
            f"them up:\n```python\n{block}\n```"
        )
    return ""


# "76444 times 13378", "12 multiplied by 7", "3 × 4", "6 * 7": a product of two numbers.
_PRODUCT_ASKED = re.compile(r"(\d[\d,.]*)(?:\s*(?:times|multiplied by|[*×])\s*|\s+x\s+)(\d[\d,.]*)", re.I)
_MULTIPLIES = re.compile(r"(?<![*/])\*(?![*=])|\bmath\.prod\b|\bmul\b|\bbc\b|\bexpr\b")


def product_uncomputed(request: str, code: Iterable[str]) -> list[str]:
    """For a request for the product of two numbers when no block of `code` multiplies, or every block
    that does multiplies other numbers: one sentence, with the block that prints the product ([]
    otherwise).

    Asked for 76444 times 13378, the 1.5B wrote `result = num1 // num2` ("multiplication using integer
    division"), printed 5 and answered 5: printed, so backed (multiply, held-out seed 35000). Asked for
    84832 times 44181, the 0.5B multiplied 84832 by 44180, then the result by 44181 (fresh seed 57000)."""
    asked = _PRODUCT_ASKED.search(request)
    if not asked:
        return []
    numbers = [n.rstrip(".,").replace(",", "") for n in asked.groups()]  # "44181." ends a sentence
    pair = sorted(_value(n) or 0.0 for n in numbers)
    sources = [re.sub(r"(?m)#.*$", "", src) for src in code]
    others = [_factors_multiplied(src) for src in sources if _MULTIPLIES.search(src)]
    if any(found is None or pair in found for found in others):
        return []
    products = [" * ".join(map(_plain, factors)) for found in others if found for factors in found]
    shown = " and ".join(dict.fromkeys(products))
    why = (
        f"the blocks you ran multiplied other numbers ({shown})"
        if shown
        else "no block you ran multiplies: compute it with the * operator and print it"
    )
    sentence = f"the request asks for a product ({asked.group(0)}), and {why}"
    return [_handing(sentence, f"print({numbers[0]} * {numbers[1]})")]


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _factors_multiplied(src: str) -> list[list[float]] | None:
    """The numbers each multiplication in the Python block `src` multiplies, sorted, names followed to the
    numbers they were set to; None when one cannot be told (not Python, a factor read or computed, a
    multiplication by other means than *)."""
    if re.search(r"\bmath\.prod\b|\bmul\b|\bbc\b|\bexpr\b", src):
        return None
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    values = {
        target.id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def factors(node: ast.expr, depth: int = 0) -> list[float] | None:
        if depth > 20:
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            left, right = factors(node.left, depth + 1), factors(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.Name) and node.id in values:
            return factors(values[node.id], depth + 1)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return [float(node.value)]
        return None

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            numbers = factors(node)
            if numbers is None:
                return None
            found.append(sorted(numbers))
    return found


def concatenated_total(
    request: str, printed: Iterable[str], cwd: Path, named: Iterable[str] = ()
) -> list[str]:
    """For a request for a total (sum) of a file of numbers, one per line, when the `printed` output (the
    last) shows those numbers written one after another instead of added: one sentence ([] otherwise).

    Asked to fix report.py so that it prints the total of numbers.txt, the 1.5B made the total a text
    (`total = str(total) + str(int(line.strip()))`), ran it, printed "total: 05711699628453412217" (0,
    then 57, 11, 6, 99, ... end to end) and answered that (fix-type, held-out seed 45000): printed, so
    backed."""
    if not re.search(r"\b(?:total|sum)\b", request, re.I):
        return []
    outputs = list(printed)
    for name in named:
        path = cwd / name
        if not _exists(path) or path.stat().st_size > 100_000:
            continue
        try:
            lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            continue
        if len(lines) < 2 or not all(re.fullmatch(r"-?\d+(?:\.\d+)?", line) for line in lines):
            continue
        joined = "".join(lines)
        if any(joined in output for output in outputs):
            shown = joined if len(joined) <= 24 else f"{joined[:20]}..."
            return [
                f"{shown} is the numbers of {name} written one after another, not added: the total is a "
                "number, so convert each line with int() or float() before adding"
            ]
    return []


# A query in a ```sql fence (shown, never run): one statement that only reads.
_SQL_FENCE = re.compile(r"```sql[^\n]*\n(.*?)```", re.S | re.I)
_READS_ONLY = re.compile(r"^\s*(?:SELECT|WITH)\b", re.I)


def sql_unrun(answer: str, cwd: Path, named: Iterable[str] = ()) -> list[str]:
    """For an `answer` whose last ```sql fence holds one query that only reads, when the request names
    one SQLite database (`named`, in `cwd`): that SQL is only shown, and the block that runs the query on
    that database ([] otherwise).

    Asked which customer of shop.db spent the most, the 0.5B wrote its JOIN in a ```sql fence and ended
    its turn there (sqlite-join, seeds 30000, 47000, 49000 on this CPU); told to read shop.db with code,
    it opened it as text, or wrote a block that set the query and never ran it."""
    queries = _SQL_FENCE.findall(answer)
    databases = [n for n in named if _is_sqlite(cwd / n)]
    if not queries or len(databases) != 1:
        return []
    query = " ".join(queries[-1].split())  # on one line: a reply begun with two lines holds all of it
    if not _READS_ONLY.match(query) or "\\" in query or ";" in query.rstrip(";"):
        return []
    code = (
        f'import sqlite3\nquery = """{query}"""\n'
        f"for row in sqlite3.connect({databases[0]!r}).execute(query):\n    print(row)"
    )
    try:  # a query with quotes that end the string early: "... = "x"" followed by the closing quotes
        compile(code, "<block>", "exec")
    except SyntaxError:
        return []
    said = "your ```sql block was only shown: SQL does not run here on its own, only inside a ```python block"
    return [_handing(f"{said}; the block below runs that query on {databases[0]} and prints its rows", code)]


def _is_sqlite(path: Path) -> bool:
    from localinterp.previews import SQLITE_MAGIC

    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


# A digest a request asks for by its algorithm's name, and code that computes one.
_DIGEST = re.compile(r"\b(md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512)\b", re.I)
_HASHING = re.compile(r"\bhashlib\b|\b(?:md5|sha\d+)sum\b|\bshasum\b|\bopenssl\s+(?:dgst|md5|sha)")


def hash_uncomputed(request: str, code: Iterable[str], cwd: Path, named: Iterable[str] = ()) -> list[str]:
    """For a request for a file's md5/sha digest when no block of `code` computed one: the call that
    does, in Python and in a shell ([] otherwise).

    Asked for the first 16 hex digits of the sha256 of secret.bin, the 1.5B printed the file's first
    eight bytes in hex (`data.hex()[:16]`) and answered them (sha256, held-out seed 29000)."""
    found = _DIGEST.search(request)
    if not found or any(_HASHING.search(src) for src in code):
        return []
    algorithm = found.group(1).lower().replace("-", "")
    files = [n for n in named if _exists(cwd / n)]
    name = files[0] if files else "FILE"
    return [
        f"the request asks for the {found.group(1)} of {name}, and no block you ran computed one: in Python, "
        f"`import hashlib; print(hashlib.{algorithm}(open({name!r}, 'rb').read()).hexdigest())`; in a shell, "
        f"`{algorithm}sum {name}`"
    ]


# What a hash of nothing prints: the digests of no bytes and of one newline (`echo "$unset" | sha256sum`).
_EMPTY_DIGESTS = {
    name: tuple(hashlib.new(name, data).hexdigest() for data in (b"", b"\n"))
    for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
}
_HEX_RUN = re.compile(r"\b[0-9a-f]{16,}\b")
# A shell's hash command and what follows it up to the end of its pipeline stage.
_HASH_COMMAND = re.compile(r"\b(?:md5|sha\d+)sum\b|\bshasum\b")
_STAGE_END = re.compile(r"[|;&)]")


def hash_not_of_file(
    request: str, code: str, output: str, cwd: Path, named: Iterable[str] = (), language: str = "python"
) -> str:
    """For a block run for a request for a named file's md5/sha digest that hashed something else: the
    digest of empty input in its `output`, or (a shell block) a hash command fed its input, with the
    file named nowhere on its line; said with the block in `language` that hashes the file ("" otherwise).

    The 0.5B's first block for the sha256 of secret.bin is a bash script that reads the file into a
    variable and hashes that: `echo "$with_hex" | sha256sum` (the digest of one newline: seeds 48000,
    49000), `sha256sum <<< "$content"` (its first line: 30000), `sha256sum < content` (a file named
    content: 47000). Each printed a digest, or an error in an "ok" run, and it answered from it."""
    found = _DIGEST.search(request)
    files = [n for n in named if _exists(cwd / n)]
    if not found or not files:
        return ""
    algorithm = found.group(1).lower().replace("-", "")
    name = files[0]
    shell = canonical(language) == "shell"
    said = ""
    empty = _EMPTY_DIGESTS[algorithm]
    for run in _HEX_RUN.findall(output.lower()):
        if any(d.startswith(run) for d in empty):
            said = (
                f"{run} is the {found.group(1)} of empty input (no bytes, or one newline), not of {name}: "
                "the data your block hashed was empty"
            )
            break
    if not said and shell:
        spelt = [re.compile(rf"(?<![\w.-]){re.escape(f)}(?![\w.-])") for f in files]
        for number, line in enumerate(code.splitlines(), 1):
            command = _HASH_COMMAND.search(line)
            if not command or line.lstrip().startswith("#") or any(s.search(line) for s in spelt):
                continue
            stage = _STAGE_END.split(line[command.end() :], maxsplit=1)[0].split()
            # A plain argument is a file to hash (named by a variable, say); none, or a redirect, is its input.
            if all(word.startswith("-") for word in stage) or stage[0].startswith("<"):
                said = (
                    f"{command.group(0)} on line {number} (`{line.strip()}`) hashes what reaches its input "
                    f"there, not the bytes of {name}"
                )
                break
    if not said:
        return ""
    if shell:
        block = f"```shell\n{algorithm}sum {name}\n```"
    else:
        block = f"```python\nimport hashlib\nprint(hashlib.{algorithm}(open({name!r}, 'rb').read()).hexdigest())\n```"
    return f"{said}. This block hashes the file itself:\n{block}"


_HIGHEST = re.compile(r"\b(?:largest|highest|biggest|greatest|most|maximum|max)\b", re.I)
_LOWEST = re.compile(r"\b(?:smallest|lowest|least|fewest|minimum|min|cheapest)\b", re.I)


def extreme_unbacked(
    request: str, answer: str, printed: Iterable[str], cwd: Path, named: Iterable[str] = ()
) -> list[str]:
    """For "which row of a CSV has the largest (smallest) COLUMN", answered with no value of the file's
    text columns that code printed, or with the one of a row whose COLUMN is not the largest: the block
    that prints that row, handed ([] otherwise).

    Asked which product had the largest qty, the 1.5B printed every qty without its name and answered
    "'name' (index 0) with a quantity of 488": the header's word, and the number printed (csv-max,
    held-out seed 29000). The 0.5B ran the block a hint handed, which printed the first row, and answered
    with that row's name (csv-max, seed 55000)."""
    wanted = "max" if _HIGHEST.search(request) else "min" if _LOWEST.search(request) else ""
    if not wanted or not re.search(r"\b(?:which|what|who)\b", request, re.I) or _AGGREGATE.search(request):
        return []  # "the highest total": rows grouped first, not one row
    shown = "\n".join(printed)
    for name, rows in _csv_rows(named, cwd):
        asked = _numbers_named(rows, request)
        if not asked:
            continue
        data = rows[1:]
        kinds = [_kind_of_column(data, i) for i in range(len(rows[0]))]
        column = rows[0].index(asked[0])
        scored = [(r, _number(r[column])) for r in data if column < len(r)]
        scored = [(r, v) for r, v in scored if v is not None]
        if not scored:
            continue
        extreme = (max if wanted == "max" else min)(v for _, v in scored)
        # (a text value of a row, named in the answer and printed by code; the row's value of the column;
        # whether that is the extreme)
        given = [
            (text, r[column].strip(), v == extreme)
            for r, v in scored
            for i, k in enumerate(kinds)
            if k == "text" and i < len(r)
            for text in [r[i].strip()]
            if text and _names(answer, text) and text in shown
        ]
        if any(right for _, _, right in given):
            return []
        block = f"import csv\nprint({wanted}({_dict_reader(name)}, key=lambda r: float(r[{asked[0]!r}])))"
        side = "largest" if wanted == "max" else "smallest"
        said = (
            f"{given[0][0]}'s {asked[0]} is {given[0][1]}, not the {side} {asked[0]} in {name}"
            if given
            else f"no row of {name} that code printed is named in your answer"
        )
        return [_handing(f"{said}: print the row with the {side} {asked[0]} and answer from it", block)]
    return []


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _names(answer: str, label: str) -> bool:
    """Whether `answer` names `label` as a word (stone, not the stone of milestone)."""
    return re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", answer) is not None


def _kind_of_column(data: list[list[str]], i: int) -> str:
    from localinterp.previews import column_kind

    return column_kind([r[i] for r in data if i < len(r) and r[i].strip()])


def _numbers_named(rows: list[list[str]], request: str) -> list[str]:
    """The numeric columns of a CSV's `rows` (header first) that `request` names, in the request's order."""
    return _columns_named(rows, request, ("number", "whole number"))


def _texts_named(rows: list[list[str]], request: str) -> list[str]:
    """The text columns of a CSV's `rows` (header first) that `request` names, in the request's order."""
    return _columns_named(rows, request, ("text",))


def _columns_named(rows: list[list[str]], request: str, kinds: tuple[str, ...]) -> list[str]:
    named = []
    for i, column in enumerate(rows[0]):
        found = re.search(rf"\b{re.escape(column.strip())}\b", request, re.I) if column.strip() else None
        if found and _kind_of_column(rows[1:], i) in kinds:
            named.append((found.start(), column))
    return [column for _at, column in sorted(named)]


def _dict_reader(name: str) -> str:
    """The expression that reads CSV (TSV) file `name` as dicts, for a call given to the model."""
    return f"csv.DictReader(open({name!r}){', delimiter=chr(9)' if name.lower().endswith('.tsv') else ''})"


def _csv_rows(named: Iterable[str], cwd: Path, limit: int = 5000) -> Iterator[tuple[str, list[list[str]]]]:
    """(name, rows) for each CSV or TSV file of `named` with a header and data (the first `limit` rows)."""
    for name in named:
        if Path(name).suffix.lower() not in (".csv", ".tsv"):
            continue
        delimiter = "\t" if name.lower().endswith(".tsv") else ","
        try:
            with (cwd / name).open(newline="", encoding="utf-8", errors="replace") as f:
                rows = list(itertools.islice(csv.reader(f, delimiter=delimiter), limit))
        except (OSError, csv.Error):
            continue
        if len(rows) >= 2:
            yield name, rows


_TESTED = re.compile(r"""(['"])([^'"\n]{3,40})\1\s+in\b""")  # `'meeting' in line`


def _dated_line_call(request: str, code: list[str], cwd: Path, named: Iterable[str]) -> str:
    """A one-line print of the lines of a file that hold a date and a word that picks them out ("" when
    no file and word do): the word a block tested for first, else a word of the request, from its end
    (the subject: "on which date is the meeting?")."""
    from localinterp.hints import OPENED
    from localinterp.previews import text_of

    opened = [m.group(2) for src in code for m in OPENED.finditer(src)]
    words = [m.group(2).lower() for src in code for m in _TESTED.finditer(src)]
    words += [w.lower() for w in reversed(re.findall(r"[A-Za-z]{4,}", _FILE.sub(" ", request)))]
    for name in dict.fromkeys([*named, *opened]):
        lines = text_of(cwd, name).splitlines()
        dated = [line.lower() for line in lines if _DATE.search(line)]
        for word in dict.fromkeys(words):
            everywhere = all(word in line.lower() for line in lines)  # then it picks nothing out
            if any(word in line for line in dated) and not everywhere:
                return f"print([line.strip() for line in open({name!r}) if {word!r} in line.lower()])"
    return ""


# A request about files' names ("the name of the file inside", "which log file", "the largest file"):
# there a name is the answer.
_NAME_ASKED = re.compile(
    r"\bnames?\b|\b(?:which|what)\s+(?:\w+\s+){0,2}?(?:files?|folders?|members?)\b|"
    r"\b(?:largest|smallest|biggest|newest|oldest|longest|shortest)\b",
    re.I,
)


def names_as_values(request: str, answer: str, printed: Iterable[str]) -> list[str]:
    """Quoted values of `answer` that the output `printed` holds only as a file's name (its stem), for a
    request that does not ask for names: one sentence each.

    Asked for the password written in archive.zip's one member, the 1.5B printed the member list,
    ['jonlrml.txt'], and answered 'The password written in the file inside is "jonlrml".' (zip-secret,
    fresh seed 10000): the value was printed, so it passed as backed."""
    if _NAME_ASKED.search(request):
        return []
    text = "\n".join(printed)
    files = {m.group(1) for m in _FILE.finditer(text)}
    without = _FILE.sub(" ", text).lower()
    said = []
    for match in _QUOTED.finditer(_FENCE.sub(" ", answer)):
        value = match.group(2)
        named = sorted(f for f in files if Path(f).name.split(".")[0] == value)
        if named and value.lower() not in without:
            said.append(
                f"you gave '{value}', which the output shows only as the name of {named[0]}, not as anything "
                f"read from inside it: print what {named[0]} holds and answer from that"
            )
    return said


def folders_named(request: str, cwd: Path) -> list[str]:
    """The folders of `cwd` that the request names (`docs`, `logs/`), each once, in the request's order."""
    folders: list[str] = []
    for word in re.findall(r"[\w.-]+/?", _FILE.sub(" ", request)):
        name = word.rstrip("/")
        with contextlib.suppress(OSError):
            if name not in folders and name not in (".", "..") and (cwd / name).is_dir():
                folders.append(name)
    return folders


def subfolders_unwalked(request: str, code: Iterable[str], cwd: Path) -> list[str]:
    """When the request takes in a folder's subfolders and no block of `code` went into them, one
    sentence naming how ([] otherwise).

    Asked for the .txt files under docs, including subfolders, the 1.5B ran `ls -l docs | grep` and
    os.listdir('docs'), got 0 twice (docs holds only folders) and answered "no .txt files" (count-txt:
    2 of 3 tuning runs, and the held-out seed 8000). A first hint, given on the zero, named os.walk
    alone; the 1.5B wrote a comprehension that never looped over the files. The loop is written out."""
    if not _SUBFOLDERS.search(request):
        return []
    if any(_WALKS.search(src) for src in code):
        return []
    folders = folders_named(request, cwd)
    folder = folders[0] if folders else "."
    return [
        f"the request takes in the subfolders of {folder} too, and no block you ran went into them: in "
        f"Python, loop `for root, dirs, names in os.walk({folder!r}):` and inside it `for name in names:` "
        f"(os.path.join(root, name) is each file's path); in a shell, find {folder} -type f"
    ]


# `os.listdir(docs_dir)`: a folder's own entries, as a call whose argument is a name or a quoted path.
_LISTDIR = re.compile(r"""\bos\.listdir\(\s*([\w.]+|(['"])[^'"\n]+\2)\s*\)""")


def listdir_unwalked(request: str, code: str) -> str:
    """For a block that lists a folder with os.listdir when the request takes in its subfolders: that
    listdir stays in the folder, and the block with os.walk's files in its place ("" otherwise).

    Asked for the .txt files under docs, including subfolders, the 0.5B listed them with find, answered
    a count by eye, and told to count with code, counted `os.listdir(docs_dir)`: 0, three times (count-
    txt, seed 47000 on this CPU); a check at the answer came after the find, which had gone into them."""
    found = _LISTDIR.search(code)
    if not found or not _SUBFOLDERS.search(request) or _WALKS.search(code):
        return ""
    folder = found.group(1)
    walked = f"(name for _root, _dirs, names in os.walk({folder}) for name in names)"
    fixed = code.replace(found.group(0), walked, 1)
    return (
        f"os.listdir({folder}) lists only that folder's own entries, and the request takes in its "
        f"subfolders too: os.walk({folder}) goes into them. Your block so:\n```python\n{fixed.strip()}\n```"
    )


# `files = [f for f in os.listdir('files') if ...]`: a name set, on one line at the top of a block, to
# names listed from a folder (written as a name or a quoted path).
_LISTED_INTO = re.compile(
    r"""^(\w+)\s*=[^\n]*\bos\.listdir\(\s*([\w.]+|(['"])[^'"\n]+\3)\s*\)[^\n]*$""", re.M
)


def listed_folders(code: str) -> dict[str, tuple[str, int]]:
    """The names `code` sets to entries of a folder listed with os.listdir, each with that folder as the
    code writes it and the number of the line that sets it (the first line that does)."""
    found: dict[str, tuple[str, int]] = {}
    for match in _LISTED_INTO.finditer(code):
        line = match.group(0)
        if line.count("(") + line.count("[") == line.count(")") + line.count("]"):  # not continued below
            found.setdefault(match.group(1), (match.group(2), code.count("\n", 0, match.start()) + 1))
    return found


# max(files): listed names compared as they are.
_BY_NAME = re.compile(r"\b(max|min)\(\s*(\w+)\s*\)")
_SIZE_ASKED = re.compile(r"\b(?:largest|biggest|smallest|heaviest|lightest)\b|\bmost bytes\b", re.I)


def names_compared(request: str, code: str) -> str:
    """For a request for the largest (or smallest) file, a block that takes max() or min() of names it
    listed from a folder, with no key: that compares the names as text, and the block with the files'
    sizes as the key ("" otherwise).

    Asked which file in the folder files is the largest, the 0.5B took `max(files)` of os.listdir's
    names and answered the last in alphabetical order (largest-file, seeds 30000 and 49000)."""
    if not _SIZE_ASKED.search(request):
        return ""
    folders = listed_folders(code)
    for found in _BY_NAME.finditer(code):
        if found.group(2) not in folders:
            continue
        extreme, names = found.groups()
        folder = folders[names][0]
        keyed = f"{extreme}({names}, key=lambda name: os.path.getsize(os.path.join({folder}, name)))"
        fixed = f"{code[: found.start()]}{keyed}{code[found.end() :]}"
        number = code.count("\n", 0, found.start()) + 1
        order = "last" if extreme == "max" else "first"
        return (
            f"{found.group(0)} on line {number} compares the names in {names} as text (it picks the {order} "
            f"in alphabetical order), not the files' sizes: give it their size as the key. Your block so:"
            f"\n```python\n{fixed.strip()}\n```"
        )
    return ""


_WHICH_FILE = re.compile(r"\bwhich\s+(?:file|one)\b", re.I)


def sizes_without_names(request: str, output: str, cwd: Path) -> str:
    """For a request for the largest (or smallest) file of a folder it names, a block whose output is
    only numbers, one per line: the sizes without the names, with the block that prints the file's name
    ("" otherwise).

    Asked which file in the folder files is the largest, the 0.5B printed the size column of `ls -l`
    alone and answered one of the sizes, 41011, as the file (largest-file, fresh seed 61000)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not _SIZE_ASKED.search(request) or not _WHICH_FILE.search(request) or len(lines) < 2:
        return ""
    if not all(line.isdigit() for line in lines):
        return ""
    folders = folders_named(request, cwd)
    if len(folders) != 1:
        return ""
    extreme = "min" if re.search(r"\b(?:smallest|lightest)\b", request, re.I) else "max"
    block = (
        f"import os\nfolder = {folders[0]!r}\nprint({extreme}(os.listdir(folder), "
        "key=lambda name: os.path.getsize(os.path.join(folder, name))))"
    )
    return (
        "It printed only sizes, and the request asks which file: a size is not a file's name. This block "
        f"prints the name:\n```python\n{block}\n```"
    )


# "including subfolders", "recursively", "and all its subdirectories": a request about a whole tree.
_SUBFOLDERS = re.compile(r"\b(?:sub-?(?:folders?|director(?:y|ies)|dirs?)|recursive(?:ly)?)\b", re.I)
# Code that goes into subfolders: os.walk, Path.rglob, glob's **, find, ls -R, du, tree.
_WALKS = re.compile(
    r"\bos\.walk\b|\.rglob\(|\*\*|recursive\s*=\s*True|\bfind\s|\bls\b[^\n|;]*\s-\w*R|\bdu\b|\btree\b"
)


def counted_by_eye(
    claims: Iterable[str],
    output: str,
    request: str = "",
    answer: str = "",
    shown_by: tuple[str, str] = ("", ""),
) -> list[str]:
    """When a number the answer states and no code printed is the count of the items `output` (the last
    block's) shows, as a list or as lines, one sentence asking for the count to be printed ([] otherwise).
    A one-digit number is no claim of its own (`unsupported`), but it is the answer to a request for a
    count: then the ones in `answer` that `output` does not hold count too.

    Shown bundle.tar.gz's ten members as a list, the 1.5B answered 10, right, and told no code printed
    10, printed the list again (tar-count, held-out seed 22000): it had counted them by eye. With five
    members it answered 5, unchecked (seed 26000); told then to count "with code (len() of the list, or
    sum(1 for ...) over the lines)", it opened the archive as text. `shown_by`, the (language, code) of
    the block that printed `output`: a one-line shell command is given back with `| wc -l`."""
    claims = list(claims)
    if _HOW_MANY.search(request):
        digits = re.findall(r"(?<![\w.,])[2-9](?![\w.,]\w|\w)", answer)
        claims += [d for d in digits if not re.search(rf"(?<![\w.]){d}(?![\w.]|\.\d)", output)]
        # Spelt out: shown two paths from `find`, the 0.5B answered "there are two .txt files", which no
        # number check read (count-txt, H100 seed 43000).
        for word in _NUMBER_WORD.findall(answer):
            number = _NUMBER_WORDS[word.lower()]
            if not re.search(rf"(?<![\w.]){number}(?![\w.]|\.\d)", output):
                claims.append(f"{word} ({number})")
    sizes = {len([line for line in output.splitlines() if line.strip()])}
    for line in output.splitlines():
        if line[:1] in "[({" and line.rstrip()[-1:] in "])}":
            with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                value = ast.literal_eval(line.strip())
                if isinstance(value, (list, tuple, set, dict)):
                    sizes.add(len(value))
    how = "len() of the list, or sum(1 for ...) over the lines"
    language, code = shown_by
    commands = [
        line.strip() for line in code.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    if language == "shell" and len(commands) == 1 and "wc" not in commands[0]:
        # Both: the check asks for a ```python block, and told only `| wc -l`, the 1.5B ran the command
        # with subprocess and printed len(output.split('\n')), one too many (tar-count, seed 26000).
        run = f"subprocess.run({commands[0]!r}, shell=True, capture_output=True, text=True)"
        how = (
            f"in a ```bash block `{commands[0]} | wc -l`; in Python "
            f"`import subprocess; print(len({run}.stdout.splitlines()))`"
        )
    for claim in claims:
        number = _count_value(claim)
        if number is not None and number >= 2 and number == int(number) and int(number) in sizes:
            return [
                f"{claim} is how many items the last output shows, counted by eye: print the count with "
                f"code ({how}) and answer from that"
            ]
    # Miscounted: shown ten paths, one per line, the 1.5B answered 14 (count-txt, seed 26000). The
    # number is not given (it is code's to print), the way to count is.
    listed = [line for line in output.splitlines() if line.strip()]
    if (
        _HOW_MANY.search(request)
        and len(listed) >= 2
        and all(_value(line.strip()) is None for line in listed)
    ):
        for claim in claims:
            number = _count_value(claim)
            if number is not None and number >= 2 and number == int(number):
                return [
                    f"{claim} was counted by eye, and the last output lists items one per line, not their "
                    f"number: print the count with code ({how}) and answer from that"
                ]
    return []


_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
    if n >= 2
}
_NUMBER_WORD = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})\b", re.I)


def _count_value(claim: str) -> float | None:
    """The number a claim of counted_by_eye states: its digits, or a spelt-out count's ("two (2)")."""
    spelt = re.fullmatch(r"\w+ \((\d+)\)", claim)
    return float(spelt.group(1)) if spelt else _value(claim)


# A request for a count: "how many files", "count the words", "the number of rows".
_HOW_MANY = re.compile(r"\b(?:how many|count|number of)\b", re.I)

# A request for a value computed over rows: a total, a sum, an average.
_AGGREGATE = re.compile(r"\b(?:total|sum|average|mean)\b", re.I)


def row_value_as_total(request: str, answer: str, output: str) -> list[str]:
    """When a request asks for a total (sum, average) and the answer's number is only one row's value in
    the rows the last output printed (a list of rows, or rows one per line, whose first fields repeat:
    data, not totals), one sentence asking for the totals to be computed ([] otherwise).

    Asked which region of sales.csv has the highest total, the 1.5B printed the 46 rows and answered
    "east, 684": 684 is one east row's amount, printed, so the claim check passed it (region-sales,
    held-out seed 25000); printed one per line (`['north', '675']`), it answered the first row's amount
    (51000)."""
    if not _AGGREGATE.search(request):
        return []
    rows: list[tuple] = []
    for line in output.splitlines():
        line = line.strip()
        if (line[:1], line[-1:]) in (("[", "]"), ("(", ")")):
            with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                value = ast.literal_eval(line)
                if isinstance(value, list) and all(isinstance(r, (list, tuple)) and r for r in value):
                    rows += [tuple(r) for r in value]
                elif isinstance(value, (list, tuple)) and len(value) >= 2 and all(map(_scalar, value)):
                    rows.append(tuple(value))  # one row on its line
    if len(rows) < 5 or len({r[0] for r in rows}) == len(rows):
        return []
    fields = {str(x) for r in rows for x in r[1:]}
    for number in _NUMBER.findall(_FENCE.sub(" ", answer)):
        if len(number.strip("-")) >= 2 and number in fields:
            return [
                f"{number} is one row's value in the rows the last output printed, and the request asks for "
                "a total: compute the totals with code (add up the values for each group) and print them"
            ]
    return []


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float))


def archive_unopened(request: str, code: Iterable[str], cwd: Path) -> list[str]:
    """When the request names an archive or compressed file on disk and no block of `code` opened one,
    one sentence naming how ([] otherwise): what the request asks is inside it.

    Asked how many files are inside bundle.tar.gz, the 1.5B ran `ls -l bundle.tar.gz | wc -l`, printed 1
    and answered 1 (tar-count, held-out seed 22000): the printed number backed the answer."""
    from localinterp.hints import zip_list_command

    if _ABOUT_ARCHIVE_ITSELF.search(request) or _MEMBER_ASKED.search(request):
        return []  # the second: member_unread says how to read the member itself
    code = list(code)
    for match in _FILE.finditer(request):
        name = match.group(1)
        kind = next((k for k in _ARCHIVES if name.lower().endswith(k[0])), None)
        if kind is None or not _exists(cwd / name):
            continue
        suffix, openers, python, shell = kind
        if any(re.search(openers, src) for src in code):
            return []
        shell = zip_list_command(name) if suffix == ".zip" else shell.format(name=name)
        return [
            f"the request asks about what is inside {name}, and no block you ran opened it (commands "
            f"like ls and wc see only the file itself): in Python, {python.format(name=name)}; in a "
            f"shell, {shell}"
        ]
    return []


# A request about what a file inside an archive says, and code that reads a member's text, or extracts
# the members and reads a file (`unzip a.zip && cat *.txt`, extractall() then open()).
_MEMBER_ASKED = re.compile(r"\b(?:written|says?|said|contents?|text|password|secret|message)\b", re.I)
_MEMBER_READ = re.compile(
    r"\.read\(|\.open\(|read_text\(|\bunzip\s+-\w*p|\btar\s+-?-?\w*O|\b7z\s+e\b[^\n]*-so"
)
_EXTRACTS = re.compile(r"\.extract|\bunzip\s+(?!-l\b)|\btar\s+-?-?\w*x|unpack_archive|\b7z\s+[xe]\b")
_READS_FILE = re.compile(r"\b(?:cat|head|tail|less|more|grep|awk|sed|strings)\b|\bopen\(")


def member_unread(request: str, code: Iterable[str], cwd: Path) -> list[str]:
    """When the request asks what a file inside an archive it names says and no block of `code` read a
    member's text (it listed them at most), one sentence with the call that prints it ([] otherwise).

    Asked for the password in archive.zip's one file, the 1.5B listed the members, then answered
    "password", never read (zip-secret, held-out seed 28000): a word, not a number, so no claim."""
    from localinterp.hints import member_block, member_command, member_text
    from localinterp.previews import archive_members

    if not _MEMBER_ASKED.search(request):
        return []
    code = list(code)
    if any(_MEMBER_READ.search(src) for src in code):
        return []
    # Extracted and never read: the 0.5B ran `unzip archive.zip`, wrote it again, and its listing
    # ("extracting: ncmwrhz.txt") was the answer (zip-secret, held-out seed 30000).
    extracted = any(_EXTRACTS.search(src) for src in code)
    if extracted and any(_READS_FILE.search(src) for src in code):
        return []
    for match in _FILE.finditer(request):
        name = match.group(1)
        found = archive_members(cwd / name) if _exists(cwd / name) else None
        if not found:
            continue
        kind, members = found
        files = [m for m in members if not m.endswith("/")]
        member = files[0] if len(files) == 1 else "MEMBER"
        if extracted and member != "MEMBER" and _exists(cwd / member):
            return [
                f"a block extracted {member} from {name}, and none printed what it says: in Python, "
                f"`print(open({member!r}).read())`; in a shell, `cat {member}`"
            ]
        shell = member_command(kind, name, member)
        if member == "MEMBER":  # several: no block to hand
            return [
                f"the request asks what the file inside {name} says, and no block you ran read it: in "
                f"Python, `print({member_text(kind, name, member)})`; in a shell, `{shell}`"
            ]
        return [
            _handing(
                f"the request asks what the file inside {name} says, and no block you ran read it (in Python, "
                f"the block below; in a shell, `{shell}`)",
                member_block(kind, name, member),
            )
        ]
    return []


def extracted_unprinted(request: str, code: str, cwd: Path) -> str:
    """For a block that extracted the one file of an archive the request names and asks what that file
    says, and printed nothing: the sentence handing the block that prints the file ("" otherwise).

    Its extraction silent, the 1.5B wrote the extracted file over with a text of its own, printed that
    and answered a password it had made up (zip-secret, fresh seed 57000): the file is read out before
    a guess can take its place."""
    from localinterp.previews import archive_members

    if not _MEMBER_ASKED.search(request) or not _EXTRACTS.search(code) or _MEMBER_READ.search(code):
        return ""
    for match in _FILE.finditer(request):
        name = match.group(1)
        found = archive_members(cwd / name) if _exists(cwd / name) else None
        files = [m for m in found[1] if not m.endswith("/")] if found else []
        if len(files) == 1 and _exists(cwd / files[0]):
            return _handing(
                f"The block extracted {files[0]} from {name} and printed nothing; the request asks what "
                "it says: the block below prints it.",
                f"print(open({files[0]!r}).read())",
            )
    return ""


# A request about the archive as a file, not about what it holds: "delete old.zip", "the size of a.tgz".
_ABOUT_ARCHIVE_ITSELF = re.compile(
    r"\b(?:delete|remove|rename|move|copy|compress|create|make|upload|send|size|bytes|checksum|sha\d*|md5|"
    r"modified|date|timestamp)\b",
    re.I,
)
# Archives and compressed files a request may ask about: (suffix, code that opens one, how in Python,
# how in a shell). Longer suffixes first: a .tar.gz is a tar archive, a lone .gz one compressed file.
_TAR_OPENERS = r"\btarfile\b|\btar\s+-?-?\w*[tx]|unpack_archive|\bbsdtar\b|\b7z\b"
_ARCHIVES = (
    (".tar.gz", _TAR_OPENERS, "tarfile.open({name!r}).getnames() lists its members", "tar -tzf {name}"),
    (".tgz", _TAR_OPENERS, "tarfile.open({name!r}).getnames() lists its members", "tar -tzf {name}"),
    (".tar", _TAR_OPENERS, "tarfile.open({name!r}).getnames() lists its members", "tar -tf {name}"),
    (
        ".zip",
        r"\bzipfile\b|\bunzip\b|\bzipinfo\b|unpack_archive|\bbsdtar\b|\b7z\b",
        "zipfile.ZipFile({name!r}).namelist() lists its members",
        "",  # hints.zip_list_command: unzip -l where unzip is installed
    ),
    (
        ".gz",
        r"\bgzip\b|\bgunzip\b|\bzcat\b|\bzgrep\b|\bzless\b",
        "gzip.open({name!r}, 'rt') reads it as text",
        "zcat {name}",
    ),
)


# A Python failure in an output: a traceback, or a script's syntax error, which comes without one (the
# 1.5B's fix of summary.py left it a SyntaxError; the block that ran it was "ok", and its "runs
# correctly" went unchecked: fix-name, seed 26000).
_FAILURE = re.compile(
    r"Traceback \(most recent call last\)"
    r'|^ *File "[^"\n]+", line \d+\n(?:.*\n){1,3}?(?:SyntaxError|IndentationError|TabError)\b',
    re.M,
)


def python_failed(output: str) -> bool:
    """Whether `output` shows Python failing: a traceback, or a script's syntax error."""
    return bool(_FAILURE.search(output))


def still_failing(to_change: Iterable[str], output: str) -> dict[str, str]:
    """The scripts of `to_change` (files the request asks to change) that the last `output` shows
    failing, a Python traceback through them, each with where and how ("line 1: NameError: ...").

    Its str.replace left report.py broken (NameError), and the 1.5B answered that "after running this
    corrected version, it should print the total" (fix-type, held-out seed 7000): the file had changed,
    so the unchanged-file check passed it."""
    if not python_failed(output):
        return {}
    error = _last_error(output)
    failing = {}
    for name in to_change:
        frames = re.findall(rf'File "(?:[^"\n]*/)?{re.escape(name)}", line (\d+)', output)
        if frames:
            failing[name] = f"line {frames[-1]}: {error}" if error else f"line {frames[-1]}"
    return failing


def _last_error(output: str) -> str:
    """The last line of a traceback's error (`NameError: name 'lines' is not defined`), "" if none."""
    found = re.findall(r"^([\w.]+(?:Error|Exception|Exit|Interrupt)\b.*)$", output, re.M)
    return found[-1].strip() if found else ""


# "How many lines", "count the words", "the number of rows": what a request asks to count.
# A request that counts something: "how many requests", "count the distinct words" (the noun, group 1).
COUNTED = re.compile(r"\b(?:how many|count(?: of)?(?: the)?|number of)\s+(?:\w+\s+){0,2}?([a-z]+s)\b", re.I)
_SIZE_WORDS = re.compile(
    r"\b(?:bytes?|sizes?|big|bigger|biggest|large|larger|largest|small|smaller|smallest|[kmg]i?b)\b", re.I
)


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
    prose = _without(_FENCE.sub(_shown, answer), places)
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
    quoted = [m.group(2) for m in _QUOTED.finditer(prose)] + _QUOTED_NAME.findall(prose)
    for value in quoted:
        if _FILE.fullmatch(value) or _NUMBER.fullmatch(value) or value in claims:
            continue  # files and numbers have their own rules
        if _CALL.search(value):
            continue  # `print(12345*6789)` in a plan: code it means to run, not a value it reports
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


def _shown(fence: re.Match[str]) -> str:
    """A fence as prose: the body of a display-only one (```text, untagged: what the model says the
    output is, so its numbers are claims; the 1.5B answered 12345 times 6789 with "Output:" and a ```text
    fence holding an invented 8000056785), nothing of a runnable one (its numbers are code)."""
    tag, _, body = fence.group(0)[3:].partition("\n")
    return " " if runnable_tag(tag) else " " + body.removesuffix("```") + " "


def runnable_tag(tag: str) -> bool:
    """Whether a fence tagged `tag` is code (```python, ```bash) rather than shown text."""
    return canonical(tag.strip()) is not None


# A request about files or folders, though it names none on disk ("the largest file in this folder").
_ABOUT_FILES = re.compile(r"\b(?:files?|folders?|director(?:y|ies)|dirs?)\b", re.I)


def about_files(request: str) -> bool:
    """Whether `request` speaks of files or folders."""
    return bool(_ABOUT_FILES.search(request))


def recheck_message(
    claims: list[str],
    cwd: Path,
    untouched: Iterable[str] = (),
    unread: Iterable[str] = (),
    wrong: Iterable[str] = (),
    asked: Iterable[str] = (),
    failing: Mapping[str, str] | None = None,
    rewrite: Iterable[str] = (),
    present: Iterable[str] = (),
    on_files: bool = True,
    copies: Mapping[str, str] | None = None,
) -> str:
    """What the model is told: which claims no code backed; which files the request asks for (`asked`:
    to write, or named) are missing, and which other files the answer named are not on disk; which it
    wanted changed are `untouched` (see `unchanged`) or `failing` when run (see `still_failing`), with
    a block to fill in for rewriting the first of them; which files it named were never read because no
    code ran at all (`unread`); what else is `wrong` (sentences that Session._mistakes gathers:
    `unlike_request`, `measures_for_counts`, `values_unused`, `env_unread`, `subfolders_unwalked` and its
    own); and what to do. `rewrite`: files the request asks to write that are written unlike it asks
    (`unlike_request`), given a block to fill in when no file to change is. `present`: the files of
    `asked` that were on disk when the request came (named or to change), said to be removed, not
    missing. `on_files`: whether the request is about files at all; a request that names none and
    speaks of none is asked for code that works the result out (told to work "on the files themselves",
    the 1.5B asked for 12345 times 6789 printed the unrelated a.txt of its folder). `copies`: for a file to
    change, the corrected copy of it that a block ran (`corrected_copy`), given whole in the block to
    write it."""
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
    wanted, there = set(asked), set(present)
    parts += [
        _removed(name, cwd)
        if name in there
        else f"{name} does not exist in {cwd}: the request asks for it, so write it with code"
        if name in wanted
        else _not_on_disk(name, cwd)
        for name in files
    ]
    parts += [f"{name} is unchanged: the request asks to change that file itself" for name in same]
    failing = dict(failing or {})
    parts += [
        f"{name} still fails when run ({where}), and the request asks for it to work"
        for name, where in failing.items()
    ]
    parts += list(wrong)
    # A sentence may end with the block that does what it asks: the block goes after the whole check, the
    # first one only (the 1.5B copies a fenced block; a call inside a sentence it passed over: region-sales
    # 33000, csv-mean 36000, zip-secret 44000 with the 0.5B).
    handed = by = ""
    for i, part in enumerate(parts):
        sentence, fence, block = part.partition(_HANDED)
        if fence:
            parts[i] = sentence
            if not handed:
                handed, by = block.split("```")[0].rstrip("\n"), sentence
    # The 1.5B answered with a ```json fence copying a file and took that for running code.
    on_files = on_files or bool(files or same or failing or unread or list(asked))
    work = "works on the files themselves" if on_files else "works the result out"
    text = (
        "Check your answer against the real output: "
        + "; ".join(parts)
        + ". Write a ```python block (```json and ```text blocks are only shown, never run) that "
        f"{work} and prints the result, then answer from what it printed."
    )
    to_rewrite = [*same, *failing]
    if to_rewrite:
        return text + _rewrite_template(to_rewrite[0], (copies or {}).get(to_rewrite[0], ""))
    rewrite = list(rewrite)
    if rewrite and not by.startswith(f"{rewrite[0]} "):  # a whole block for it beats one to fill in
        return text + _write_template(rewrite[0])
    return text + (f"{_HANDS_BLOCK}\n```python\n{handed}\n```" if handed else "")


# How a check's sentence hands the block that does what it asks (moved to the end by recheck_message),
# and what the check then says before it.
_HANDED = "\n```python\n"
_HANDS_BLOCK = " The block below does it:"


def _handing(sentence: str, code: str) -> str:
    """`sentence` with the block `code` handed after it (see recheck_message)."""
    return f"{sentence}{_HANDED}{code}\n```"


# What a decompressing command (gunzip, bunzip2, unxz, zstd -d --rm, ...) leaves in place of the file.
_PACKED = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".Z")


def unpacked(name: str, cwd: Path) -> str:
    """The file that decompressing `name` in place left in `cwd` (events.txt for events.txt.gz), or "".

    Asked for the lines of events.txt.gz, the 1.5B ran `gunzip events.txt.gz`, counted events.txt right
    and answered "events.txt.gz ... 601": the .gz named in the answer is gone, but its data is there;
    that is no claim to check (gzip-lines, held-out seed 18013)."""
    for suffix in _PACKED:
        if name.endswith(suffix) and len(name) > len(suffix) and _exists(cwd / name[: -len(suffix)]):
            return name[: -len(suffix)]
    return ""


def _removed(name: str, cwd: Path) -> str:
    """The sentence for a file the request named, there when it came, gone now (the 1.5B had moved
    prices.json over summary.py). Told it "does not exist: the request asks for it, so write it", the
    1.5B went looking for a gunzipped events.txt.gz instead (see `unpacked`)."""
    return (
        f"{name} was in {cwd} when the request came, and a block you ran removed it: write it back with code"
    )


def _not_on_disk(name: str, cwd: Path) -> str:
    """The sentence for a file an answer names that is neither on disk nor in any output.

    Asked for the password in archive.zip's one member, the 1.5B ran `ls archive.zip`, answered "secret"
    and, told the member "does not exist: the request asks for it, so write it", ran `ls` again until
    the loop stopped it (zip-secret, held-out seed 7000): the member is to be read, not written.
    """
    from localinterp.previews import archive_holding

    found = archive_holding(name, cwd)
    if found:
        archive, kind, _member = found
        return (
            f"{name} is inside {archive.name}, not extracted into {cwd}: read it from the archive "
            f"with code ({kind}file) and print it"
        )
    return f"{name} is not in {cwd} and no output showed it: find or make it with code before you name it"


# The holes of the blocks to fill in below: a block that still holds one would write it into the file.
_HOLES = (
    "<the lines {name} should hold, as the request asks>",
    "<the whole corrected content of {name}>",
    "<the value {name} should hold, as the request asks>",
)
_HOLE = re.compile("|".join(re.escape(h).replace(r"\{name\}", r"[^>\n]+") for h in _HOLES))


def unfilled(code: str) -> str:
    """The hole of a block to fill in (see _write_template) that `code` still holds, or "".

    Given the block to fill in, the 1.5B once wrote it as it was, placeholder and all: run, it put the
    placeholder into report.py in place of the script (fix-type, seed 25000, when its reply was started
    with the block's first line, an idea measured and dropped)."""
    found = _HOLE.search(code)
    return found.group(0) if found else ""


# `source = """<the whole corrected content of report.py>`: the hole of a rewrite, and the file it names.
_REWRITE_HOLE = re.compile(r'^(\w+) = """' + re.escape(_HOLES[1]).replace(r"\{name\}", r"([^>\n]+)"), re.M)


def hole_filled(code: str) -> tuple[str, str]:
    """For a block to fill in that rewrites a file, written with its placeholder kept and the content put
    after it: the file's name and the template's block with that content in the placeholder's place
    (("", "") otherwise: no content after it, or Python that does not compile).

    Handed the block to fill in for report.py, the 0.5B wrote the corrected script under the placeholder
    line, kept, and never closed the string: refused as unfilled each time, to the step limit (fix-type,
    seed 49000 on this CPU)."""
    found = _REWRITE_HOLE.search(code)
    if not found:
        return "", ""
    name = found.group(2)
    rest = code[found.end() :]
    content = rest.split('"""', 1)[0].lstrip("\n").rstrip()
    if not content.strip() or "\\" in content:
        return "", ""
    if name.endswith(".py"):
        try:
            compile(content, name, "exec")
        except SyntaxError:
            return "", ""
    return name, _rewrite_block(name, content)


def _rewrite_block(name: str, content: str) -> str:
    """The block that writes `content` into the file `name` and runs it where it is a script."""
    from localinterp.previews import run_command

    command = run_command(name)
    run = f"\nimport subprocess\nsubprocess.run({command!r})" if command else ""
    return f'source = """{content}\n"""\nopen({name!r}, \'w\').write(source){run}'


def _write_template(name: str) -> str:
    # Told sorted.txt had repeated lines and how to keep each once, the 1.5B deduplicated and sorted the
    # lines in memory, printed them and answered "written to sorted.txt" (sort-unique: every run of the
    # eleventh session's evaluation, 3 of 3, and the tenth's): the write was the step it left out.
    # Not handed for a file no block wrote: tried (twenty-fourth session), it left the 1.5B's write-numbers
    # unsolved (a block of one comment, twice) and lost it sort-unique on seed 61000 (it began its plan
    # again from step 1, in a circle).
    if name.lower().endswith(".json"):
        return (
            f" To write {name} again, in one block like this:\n```python\nimport json\n"
            f"data = {_HOLES[2].format(name=name)}\njson.dump(data, open({name!r}, 'w'), indent=2)\n"
            f"print(open({name!r}).read())\n```"
        )
    return (
        f" To write {name} again, in one block like this:\n```python\nlines = {_HOLES[0].format(name=name)}"
        f"\nopen({name!r}, 'w').write('\\n'.join(lines) + '\\n')\n"
        f"print(open({name!r}).read())\n```"
    )


def _rewrite_template(name: str, copy: str = "") -> str:
    # Told only to save the corrected source into the file (with the call to use named), the 1.5B read
    # the file again, ran its corrected copy once more and answered (fix-type: 0 of 3 runs, twice
    # checked each): a block to fill in is what it copies.
    from localinterp.previews import run_command

    run = " and run it" if run_command(name) else ""
    if copy:
        # Shown the block to fill in, the 1.5B read report.py and numbers.txt again and ran its corrected
        # copy once more, to the step limit (fix-type, held-out seed 31000): its own copy, filled in.
        return (
            f" To change {name}, write the corrected copy you ran, which worked, into it{run}, in one block:"
            f"\n```python\n{_rewrite_block(name, copy.rstrip())}\n```"
        )
    return (
        f" To change {name}, write its whole corrected content into it{run}, in one block like this:"
        f"\n```python\n{_rewrite_block(name, _HOLES[1].format(name=name))}\n```"
    )


def corrected_copy(original: bytes, worked: Iterable[str]) -> str:
    """The last of the blocks `worked` (Python blocks that ran without failing) that is a changed copy of
    a file whose content was `original`: the fix, run beside the file instead of in it ("" for none).
    A copy holding triple quotes or backslashes is left out: it would not survive a triple-quoted
    string."""
    import difflib

    from localinterp.hints import OPENED

    text = original.decode("utf-8", errors="replace").strip()
    opened = {m.group(2) for m in OPENED.finditer(text)}
    for code in reversed(list(worked)):
        code = code.strip()
        if not code or code == text or '"""' in code or "\\" in code:
            continue
        if difflib.SequenceMatcher(None, text, code).ratio() >= 0.75:
            return code
        # Or a rewrite of it: the files it opens, the same statements in other words (a `with` block,
        # comments): the 0.5B summed numbers.txt right in a block of its own, was handed report.py's
        # block to fill in, and wrote its own block again (fix-type, seed 47000 on this CPU).
        same = difflib.SequenceMatcher(None, _statements(text), _statements(code)).ratio()
        if opened and opened <= {m.group(2) for m in OPENED.finditer(code)} and same >= 0.5:
            return code
    return ""


def _statements(code: str) -> str:
    """`code` without its comments and blank lines."""
    return "\n".join(ln for ln in code.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
