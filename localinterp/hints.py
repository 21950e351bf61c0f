"""What localinterp adds to a block's output so that a small model's next step is better.

A model told `No such file or directory: 'price.json'` guesses again, or wraps the same open() in an
existence check, while prices.json sits in the same folder: the system message's listing names it, and
the 1.5B still does not connect the two (scripts/eval_agent.py, fix-name: 0 of 3 runs). So when the
output says a file is missing, the files of that folder with a similar name are named, the way Python
itself suggests a similar name after a NameError. Only names are read (no contents), only inside the
working directory.

An absolute path that missed the working directory is answered with the relative one to write in its
place (read from the block's code too, when the block raised its own "does not exist"), and with the
block itself, its paths made relative, when it is short enough to give back; a missing
file the request asks to write is one to create, not to look for. A number converted from a CSV's header
row (the header hint reads the first line of the CSV files the block names, or of those at the top of the
working directory), or from a field that holds something else, text added as numbers, a file or database
used after it was closed, an archive or compressed file read as text (with the module that reads it),
and a `return` outside a function are named with their usual fix. A block that prints a count of zero,
an empty list or "None" is asked to look at the data once before the model answers (Session.send asks
again, as a check, when the model answers without that look). A block that uses a standard module it
never imported, or a `pip install json`, is told that the module comes with Python (the 0.5B tried to
pip-install json, csv or os 22 times in one evaluation); a package that is not installed (pandas,
numpy) is answered with the standard module that does the task, and a pandas read_csv with the csv
module's block for the same file. A string asked for a key, and a SQL query set
but never run, are named. A file the request asks to write is shown to the model each time a block
writes it, since writing prints nothing. Values printed for a request about email addresses (IP
addresses, URLs) of which none has that shape are answered with one from the file the request names.
"""

from __future__ import annotations

import ast
import csv
import difflib
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from localinterp.claims import ADDRESSES, COUNTED, files_named, listed_folders
from localinterp.previews import (
    ARCHIVES,
    COMPRESSORS,
    MAX_ARCHIVES,
    SQLITE_MAGIC,
    archive_holding,
    archive_members,
    column_kind,
    compression,
    mentioned_files,
    run_command,
    text_of,
    text_reader,
)

# Python's `...: 'price.json'` (and `python3: can't open file '...'`), and the shells'
# `cat: price.json: No such file or directory`.
_MISSING = (
    re.compile(r"No such file or directory: '([^'\n]+)'"),
    re.compile(r"can't open file '([^'\n]+)'"),
    re.compile(r"(?:^|\s)'?([^\s:'\"]+)'?: No such file or directory", re.M),
    # A block's own message, after it caught the error: "Error: The file 'price.json' does not exist.",
    # "The price.json file does not exist." (fix-name, held-out seed 31000).
    re.compile(r"([\w./-]+\.\w+)['\"`]?(?: file)? (?:does not exist|doesn't exist|was not found|not found)"),
)
MAX_NAMES = 3
_UNDEFINED = re.compile(r"NameError: name '(\w+)' is not defined")
# pip's "No matching distribution found for json" and "Could not find a version that satisfies the
# requirement json (from versions: none)".
_NOT_ON_PYPI = re.compile(r"(?:No matching distribution found for|satisfies the requirement) ([\w.-]+)")


def _misplaced(name: str, root: Path, code: str = "", language: str = "python") -> str:
    """For a missing absolute path outside the working directory whose tail is inside it: the relative
    path to use, and `code` (the block, in `language`) with its paths made relative when it spells them.
    The 0.5B wrote /tmp/x/pics for /tmp/x/work/pics, the working directory it was given, 20 times in one
    evaluation (rename, json-nested: every run), and never found the difference."""
    parts = Path(name).parts
    if not Path(name).is_absolute() or len(parts) < 2:
        return ""
    for i in range(1, len(parts)):
        tail = Path(*parts[i:])
        try:
            if (root / tail).exists() and (root / tail).resolve().is_relative_to(root):
                # No path but the one to write: told "There is no /tmp/x/config.json; the working
                # directory /tmp/x/work has config.json: use that relative path", the 0.5B answered "the
                # correct path should be /tmp/x/config.json" and wrote it again (json-nested, log-errors:
                # 20 of 26 such runs), copying the paths it was shown.
                rel = tail.as_posix()
                said = (
                    f"{rel} is in the working directory, where blocks run: write '{rel}' as the path, with "
                    "nothing before it"
                )
                # Told the path to write, the 0.5B wrote its block again with the absolute path, until
                # the turn ended (log-errors, json-nested, rename: held-out seed 30000); a whole block
                # is what it copies (the 1.5B's log-404, sqlite-join).
                fixed = _relative_block(code, Path(*parts[:i]), root) if i > 1 else ""
                if not fixed:
                    return f"{said}."
                return f"{said}; your block with that path:{_fenced(fixed, language)}"
        except OSError:
            return ""
    return ""


def _relative_block(code: str, wrong: Path, root: Path) -> str:
    """`code` with every path under the folder `wrong` (and under `root`, the working directory, which may
    be inside `wrong`) written relative to it ("" when the block does not spell one, is too long to give
    back, or spells `wrong` some other way: inside an f-string, say)."""
    if not code.strip() or not _short(code):
        return ""
    fixed = code
    for folder in (root.as_posix(), wrong.as_posix()):  # root first: /tmp/x/work/a.csv is not /tmp/x's work/
        spelt = rf"(?<![\w./-]){re.escape(folder)}"
        fixed = re.sub(rf"{spelt}/+(?=[\w.-])", "", fixed)  # '/tmp/x/app.log' -> 'app.log'
        fixed = re.sub(rf"(['\"]){spelt}/*\1", r"\1.\1", fixed)  # os.path.join('/tmp/x', 'pics')
        fixed = re.sub(rf"{spelt}/*(?![\w./-])", ".", fixed)  # a shell's `cd /tmp/x`
    if fixed == code or wrong.as_posix() in fixed:
        return ""
    return fixed


def failure_hint(
    output: str,
    cwd: Path,
    code: str = "",
    to_write: Iterable[str] = (),
    to_fix: Iterable[str] = (),
    language: str = "python",
) -> str:
    """What to add to a failed block's `output` for the model ("" when there is nothing to say). `code`:
    the block that failed, in `language`, where a hint names its own variables; `to_write` and `to_fix`:
    the files the request asks to be written and to be changed (see missing_file_hint)."""
    # The driver's repr of a line's last field, `'amount\\n'`, undone, is a value across two lines that
    # conversion_hint cannot read (the header went unnamed: region-sales, the 0.5B on fresh seed 58000).
    raw, output = output, unescaped(output)
    said = (
        missing_file_hint(output, cwd, code, to_write, to_fix, language),
        module_hint(output, code),
        csv_line_keyed(output, code, cwd),
        indexed := csv_line_indexed(output, code, cwd),
        key_on_text_hint(output),
        list_keyed_hint(output, code),
        _unclosed(output),
        leading_zeros(output, code),
        "" if indexed else conversion_hint(raw, cwd, code),  # the characters converted: said above
        closed_hint(output),
        _return_outside(output, code),
        used_before_set(output, code),
        unset := never_set(output, code),
        "" if unset else named_otherwise(output, code),  # one block handed, not two
        _shell_in_python(output, code),
        _text_added(output, cwd, code),
        digit_test_skips(output, code, cwd),
        ungrouped_aggregate(output, code),
        split_query(output, code),
        command_text_run(output, code),
        binary_as_text_hint(output, cwd, code),
        _unzip_option_hint(output),
        _member_misspelt(output, cwd, code, language),
        missing_command_hint(output, cwd, code),
    )
    return " ".join(filter(None, said))


def unescaped(output: str) -> str:
    """`output` with the escapes of a printed repr undone where it shows one: told to print(result), the
    1.5B printed a whole CompletedProcess, whose stderr reads `...\\n  File ...\\nFileNotFoundError: [Errno
    2] No such file or directory: \\'price.json\\'\\n`, and no hint read the name in it (fix-name,
    held-out seed 31000)."""
    if "\\n" not in output and "\\'" not in output:
        return output
    return output.replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"')


# `float('price')` and `int('-')`: a text that is not a number, converted as one.
_NOT_A_NUMBER = re.compile(
    r"ValueError: (?:could not convert string to float|invalid literal for int\(\) with base 10): '(.*)'$",
    re.M,
)
_CSV_NAME = re.compile(r"[\w./-]+\.(?:csv|tsv)\b")
_READER = re.compile(r"\b(\w+)\s*=\s*csv\.reader\(")


def conversion_hint(output: str, cwd: Path, code: str = "") -> str:
    """For a block that converted a text that is not a number ("" for other errors): a CSV's column name
    is its header row, to be skipped; a value of a CSV's text column is that column's, to be kept as
    text; any other text is a field other than the one meant.

    A header row converted as data was the commonest error of both coder models in the kept runs (about
    100 times, csv-count, csv-value, region-sales...): told `could not convert string to float: 'price'`
    beside `row = ['name', 'price', 'qty']`, the 0.5B wrote the same loop again, or a try/except that
    counted every row, and the 1.5B rewrote it with the same bug. In access.log, `int('-')` was a split
    field counted from the wrong end (log-404, log-top-ip).
    """
    found = _NOT_A_NUMBER.findall(output)
    if not found:
        return ""
    value = re.sub(r"\\[nrt]", " ", found[-1]).strip()  # `'qty\n'`: the last field of a line split by hand
    if not value:
        return (
            "The text converted was empty: a blank line or an empty field. Skip those (`if not "
            "line.strip(): continue`) before converting."
        )
    for name, header in _headers(code, cwd):
        if value in header or value == ",".join(header):
            reader = _READER.search(code)
            fixed, skip = header_skipped(code, name, output)
            skip = skip or (
                f"call next({reader.group(1)}) once before the loop"
                if reader
                else "skip the first line (loop over lines[1:])"
            )
            # One fix, not two: offered next(reader) "or" csv.DictReader, the 1.5B did both, and its
            # next() then skipped the first product (csv-value).
            said = (
                f"'{value}' is a column name: the first row of {name} is its header ({', '.join(header)}), "
                f"not data. To skip it, {skip}."
            )
            # Told to skip it, the 0.5B wrote `if i == 1: continue` and the same error twice, then read
            # the file's first line alone (csv-to-json, H100 seed 42000): the block, with the skip in it.
            return f"{said} Your block with it:{_fenced(fixed.rstrip())}" if fixed else said
    column = _text_column(value, code, cwd)
    if column:
        # Told the field converted was not the one meant, the 0.5B wrote the same `name = float(parts[0])`
        # again (csv-value, seed 1000): the column, and the line without the conversion, are named.
        file, name, numbers = column
        number, line = _failing_line(_CONVERTED_AT, output, code)
        kept = _CONVERSION.sub(r"\1\2", line) if line else ""
        keep = f" (line {number}: `{kept}`)" if kept and kept != line else ""
        said = f" Its number columns are {', '.join(numbers)}." if numbers else ""
        told = (
            f"'{value}' is in the {name} column of {file}, which holds text: do not convert that field, "
            f"keep it as text{keep}.{said}"
        )
        if not keep or not _short(code):
            return told
        # Told the line, the 0.5B wrote its block again with the float() in it (csv-max, seed 47000 on
        # this CPU, after it had copied the block that skipped the header): the block, the line changed.
        lines = code.splitlines()
        old = lines[number - 1]
        lines[number - 1] = old[: len(old) - len(old.lstrip())] + kept
        return f"{told} Your block so:{_fenced(chr(10).join(lines).strip())}"
    return (
        f"'{value[:40]}' is not a number, so the field converted is not the one you meant, in at least one "
        "line. Print one line split the way the block splits it, with each field's index (for example "
        "`print(list(enumerate(line.split())))`), and take the field from that."
    )


# The block's line that failed (`File "<block 1>", line 15`), and a conversion written alone on a line:
# `name = float(parts[0])`.
_CONVERTED_AT = re.compile(r'File "<block \d+>", line (\d+)(?![\s\S]*File "<block)')
_CONVERSION = re.compile(r"^(\w+\s*=\s*)(?:float|int)\((.+)\)$")
_CSV_BYTES = 1 << 20  # CSV files up to this size are read for the column a text value is in


def _text_column(value: str, code: str, cwd: Path) -> tuple[str, str, list[str]] | None:
    """The CSV file the code names (else one at the top of `cwd`) with a text column holding `value`:
    the file, that column and the columns whose every value is a number; None when there is none."""
    for file, header in _headers(code, cwd):
        path = cwd / file
        try:
            if path.stat().st_size > _CSV_BYTES:
                continue
            with path.open(encoding="utf-8", errors="replace", newline="") as f:
                rows = list(csv.reader(f))[1:]
        except (OSError, csv.Error):
            continue
        # Numbers as the preview judged them for the model (previews.column_kind, blank fields left out).
        kinds = [column_kind([r[i] for r in rows if i < len(r) and r[i].strip()]) for i in range(len(header))]
        numeric = [kind in ("whole number", "number") for kind in kinds]
        for i, name in enumerate(header):
            if not numeric[i] and any(len(r) > i and r[i].strip() == value for r in rows):
                return file, name, [h for h, n in zip(header, numeric, strict=True) if n]
    return None


def _headers(code: str, cwd: Path) -> list[tuple[str, list[str]]]:
    """The first rows of the CSV files the code names (else those at the top of `cwd`), split."""
    try:
        root = cwd.resolve()
        named = [root / n for n in dict.fromkeys(_CSV_NAME.findall(code))]
        paths = [p for p in named if p.is_file()]
        if not paths:
            paths = sorted(root.glob("*.csv"))[:20] + sorted(root.glob("*.tsv"))[:20]
    except OSError:
        return []
    headers = []
    for path in paths:
        try:
            with path.open(encoding="utf-8", errors="replace") as f:
                first = f.readline(4096).strip()
        except OSError:
            continue
        delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
        fields = [field.strip().strip('"') for field in first.split(delimiter)]
        if fields and first:
            headers.append((path.name if path.parent == root else str(path), fields))
    return headers


_ADDED_TEXT = re.compile(r"TypeError: unsupported operand type\(s\) for \+=?: '(?:int|float)' and 'str'")
# The driver's entry for a list on the failing line: `  prices = ['price', '18.97', ...]  (list, 9 items)`.
_TEXT_LIST = re.compile(r"^  (\w+) = \['([^'\n]*)'(.*?)\]  \(list", re.M)


def _text_added(output: str, cwd: Path, code: str) -> str:
    # sum() over a CSV column read as text: the 0.5B converted the column with int() next (its prices
    # have decimals), kept the header row, and took len() of the reader (csv-mean: 0 of 3 runs).
    if not _ADDED_TEXT.search(output):
        return ""
    found = _TEXT_LIST.search(output)
    if not found:
        frame = _last_frame(output, cwd)
        if frame:
            # A script's traceback, printed by the block that ran it: the 1.5B rewrote report.py's other
            # lines three times with str.replace and never the one that failed (fix-type, seed 10000).
            where, number, line = frame
            said = f"Line {number} of {where}, `{line}`, adds text to a number"
            # Told to convert the text on that line, the 1.5B ran report.py again and again, its line
            # never changed (fix-type, held-out seeds 33000-35000): the block that changes it and runs it.
            kind = "float" if "'float' and 'str'" in output else "int"
            fixed = _converted(line, kind)
            command = run_command(where)
            try:
                once = (cwd / where).read_text(encoding="utf-8").count(line) == 1
            except (OSError, UnicodeDecodeError):
                once = False
            if not (fixed and command and once):
                return f"{said}: convert the text with int() or float() on that line."
            block = (
                f"source = open({where!r}).read().replace({line!r}, {fixed!r})\n"
                f"open({where!r}, 'w').write(source)\nimport subprocess\nsubprocess.run({command!r})"
            )
            return f"{said}: this block converts it with {kind}() in {where} and runs it:{_fenced(block)}"
        return "Text was added to a number: convert the text with float() first."
    name, first = found.group(1), found.group(2)
    said = f"{name} holds text, not numbers: convert each item with float() before adding them"
    for file, header in _headers(code, cwd):
        if first in header:
            return f"{said}, and leave out its first item, '{first}': that is the header row of {file}, not data."
    return said + "."


def _converted(line: str, kind: str) -> str:
    """`line` (one statement, `total = total + x` or `total += x`) with the text added, x, converted by
    `kind` (int or float): `total = total + int(x)` ("" for any other line)."""
    if not line.isascii():
        return ""  # ast's offsets count bytes
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return ""
    stmt = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add):
        text = stmt.value
    elif (
        isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.BinOp)
        and isinstance(stmt.value.op, ast.Add)
    ):
        text = stmt.value.right
    else:
        return ""
    if text.end_col_offset is None:
        return ""
    return f"{line[: text.col_offset]}{kind}({line[text.col_offset : text.end_col_offset]}){line[text.end_col_offset :]}"


# Text asked of bytes: decoding them, or a str method given to them (`content.count('\n')` on a file
# read with 'rb').
_DIGIT_TESTS = frozenset({"isdigit", "isnumeric", "isdecimal"})
_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])")
# What a block prints or raises when the values it kept were none: an empty mean, a zero or "None" printed.
_NONE_KEPT = re.compile(r"ZeroDivisionError|StatisticsError|requires at least one data point")


def digit_test_skips(output: str, code: str, cwd: Path) -> str:
    """For a block that keeps only the values whose `.isdigit()` (isnumeric, isdecimal) is true, read from
    a file it names that holds numbers with a decimal point: why the numbers with a point were left out,
    with the block whose test takes the point out first ("" otherwise). A test of `row[1]` is checked
    against that column of the CSV file; a test of anything else only when the block kept nothing (a
    ZeroDivisionError, an empty mean, or a short output ending in 0, [] or None).

    Asked for the average price in products.csv, the 1.5B averaged
    `[float(row[1]) for row in reader if row[1].isdigit()]`: no price (83.14) is all digits, the list was
    empty, and it printed None (csv-mean, fresh seeds 56000 and 60000). Had a few prices been whole, it
    would have averaged those alone and answered that, unremarked."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    tests = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _DIGIT_TESTS
        and not node.args
        and not node.keywords
    ]
    if not tests:
        return ""
    lines = [line for line in output.splitlines() if line.strip()]
    kept_none = _NONE_KEPT.search(output) is not None or (
        bool(lines) and len(lines) <= 3 and _NOTHING.search(lines[-1]) is not None
    )
    # The file is named in the block, in open() or held in a variable first (`file_path = 'products.csv'`).
    for name in dict.fromkeys(a or b for a, b in _QUOTED.findall(code)):
        text = text_of(cwd, name)[:_CSV_BYTES]
        decimal = _decimal_tested(text, tests) if name.endswith(".csv") else None
        if decimal is None and kept_none:
            found = _DECIMAL.search(text)
            decimal = found.group(0) if found else None
        if decimal:
            break
    else:
        return ""
    fixed = code
    for node in sorted(tests, key=lambda n: (n.lineno, n.col_offset), reverse=True):  # later first
        assert isinstance(node.func, ast.Attribute)  # for the type checker: filtered above
        receiver = ast.get_source_segment(code, node.func.value)
        if receiver is None:
            return ""
        fixed = _replaced(fixed, node, f"{receiver}.replace('.', '', 1).{node.func.attr}()")
    test = tests[0].func.attr  # type: ignore[union-attr]
    said = (
        f"{decimal!r}.{test}() is False: {test}() is true only when every character is a digit, so your "
        f"block left out every number of {name} with a decimal point"
    )
    if not _short(fixed):
        return f"{said}. Test the number with its point taken out: `.replace('.', '', 1).{test}()`."
    return f"{said}. This block tests each number with its point taken out:{_fenced(fixed)}"


def _decimal_tested(text: str, tests: list[ast.Call]) -> str | None:
    """A number with a decimal point in a CSV column that one of `tests` tests by its index (`row[1]`)."""
    rows = list(csv.reader(text.splitlines()))
    for node in tests:
        receiver = node.func.value  # type: ignore[attr-defined]
        if not (
            isinstance(receiver, ast.Subscript)
            and isinstance(receiver.slice, ast.Constant)
            and isinstance(receiver.slice.value, int)
        ):
            continue
        index = receiver.slice.value
        for row in rows[1:]:
            if -len(row) <= index < len(row) and _DECIMAL.fullmatch(row[index].strip()):
                return row[index].strip()
    return None


_BYTES_AS_TEXT = re.compile(
    r"UnicodeDecodeError|TypeError: (?:argument should be integer or bytes-like object|a bytes-like object "
    r"is required), not 'str'"
)


def binary_as_text_hint(output: str, cwd: Path, code: str, language: str = "python") -> str:
    """For text read from a compressed file, an archive or a database the block names: the module (or,
    for a shell block, the command) that reads it ("" for other output, and for files of no such kind).

    The 0.5B read archive.zip and events.txt.gz with open(), decoded their bytes as UTF-8 and wrote the
    same block again after the UnicodeDecodeError (zip-secret, gzip-lines: both failed runs of the tenth
    session's evaluation that met one), and printed bundle.tar.gz with `cat` (tar-count): bytes shown as
    text come back as U+FFFD replacement characters.
    """
    if not _BYTES_AS_TEXT.search(output) and output.count("\ufffd") < _GARBLED:
        return ""
    shell = language in _SHELLS
    for path in mentioned_files(code, cwd):
        rel = path.relative_to(cwd.resolve()).as_posix()
        said = _command_for(path, rel) if shell else _reader_of(path, rel)
        kind = _kind_of(path)[0] if shell else ""
        catted = re.compile(rf"\bcat(\s+){re.escape(rel)}(?![\w.-])")
        if kind in COMPRESSORS and catted.search(code) and _short(code):
            # Told the command in a sentence, the 0.5B ran `cat events.txt.gz` again, and a block for nano,
            # in turn to the step limit (gzip-lines, fresh seed 60000): its block comes back mended.
            fixed = catted.sub(f"{COMPRESSORS[kind][1]}\\g<1>{rel}", code)
            return f"{said} Your block so:{_fenced(fixed.strip(), 'bash')}"
        if said:
            return said
    return "" if shell else _bytes_decoded(output, code)


# The Python driver's "Values on the failing line" entry for bytes: `  data = b'\x1d1\xf9...'  (bytes)`.
_BYTES_VALUE = re.compile(r"""^  (\w+) = b['"].*\(bytes\)$""", re.M)


def _bytes_decoded(output: str, code: str) -> str:
    """For bytes of a file of no known kind decoded as text: that they are not text and need no decoding,
    with the hash call when the block hashes them ("" when no bytes value is on the failing line).

    Asked for the sha256 of secret.bin, the 1.5B decoded its bytes as UTF-8 to hash the text, and wrapped
    the UnicodeDecodeError in a try, four times, to the time limit (sha256, held-out seed 27000)."""
    found = _BYTES_VALUE.search(output) if "UnicodeDecodeError" in output else None
    if not found:
        return ""
    name = found.group(1)
    said = f"{name} holds the bytes of a binary file, not text: decoding them fails and is not needed."
    algorithm = re.search(r"\bhashlib\.(\w+)\(", code)
    if algorithm:
        return said + f" Hash the bytes as they are: `hashlib.{algorithm.group(1)}({name}).hexdigest()`."
    return said + f" Work on {name} itself, as bytes."


_GARBLED = 3  # replacement characters in an output: bytes printed as text
_SHELLS = ("shell", "bash", "sh", "zsh")


def _kind_of(path: Path) -> tuple[str, list[str]]:
    """What `path` holds that is not text: ("zip" or "tar", its members), (a compression, []),
    ("sqlite", []), or ("", []) for anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return "", []
    found = archive_members(path)
    if found:
        return found
    packed = compression(head)
    if packed:
        return packed, []
    return ("sqlite", []) if head.startswith(SQLITE_MAGIC) else ("", [])


def _members(names: list[str]) -> str:
    more = ", ..." if len(names) > MAX_NAMES else ""
    return "" if len(names) == 1 else f" (its members: {', '.join(names[:MAX_NAMES])}{more})"


def _reader_of(path: Path, rel: str) -> str:
    kind, names = _kind_of(path)
    if kind in ("zip", "tar") and len(names) == 1:
        # Told the call, the 0.5B wrote its open('archive.zip', 'rb') block twice more (zip-secret, seed
        # 47000 on this CPU): the block that prints the one member.
        block = member_block(kind, rel, names[0])
        return f"{rel} is a {kind} archive, not text: this block prints its one member, {names[0]}:{_fenced(block)}"
    if kind in ("zip", "tar"):
        read = member_text(kind, rel, "MEMBER")
        return f"{rel} is a {kind} archive, not text: read a member's text with `{read}`{_members(names)}."
    if kind == "sqlite":
        return f"{rel} is a SQLite database, not text: query it with `sqlite3.connect('{rel}')`."
    if kind:
        return (
            f"{rel} is {kind}-compressed, not text: open it with `{text_reader(kind, rel)}` in place of "
            "open(), and read its lines from that."
        )
    return ""


def member_text(kind: str, rel: str, member: str) -> str:
    """The Python expression for the text of `member` of the archive `rel` (of `kind`, zip or tar)."""
    if kind == "zip":
        return f"zipfile.ZipFile('{rel}').read('{member}').decode()"
    return f"tarfile.open('{rel}').extractfile('{member}').read().decode()"


def member_block(kind: str, rel: str, member: str) -> str:
    """A Python block that prints the text of `member` of the archive `rel` (of `kind`, zip or tar)."""
    return f"import {'zipfile' if kind == 'zip' else 'tarfile'}\nprint({member_text(kind, rel, member)})"


def member_command(kind: str, rel: str, member: str) -> str:
    """The shell command that prints `member` of the archive `rel` (of `kind`, zip or tar): for a zip,
    unzip where it is installed, else Python's zipfile in one line (a GPU machine without unzip: told
    `unzip -p` each time, the 1.5B and the 0.5B ran into "unzip: command not found" to the round limit)."""
    if kind != "zip":
        return f"tar -xOf {rel} {member}"
    if shutil.which("unzip"):
        return f"unzip -p {rel} {member}"
    return f'python3 -c "import zipfile; print({member_text(kind, rel, member)})"'


def zip_list_command(rel: str) -> str:
    """The shell command that lists the members of the zip archive `rel`, with or without unzip."""
    return f"unzip -l {rel}" if shutil.which("unzip") else f"python3 -m zipfile -l {rel}"


def _command_for(path: Path, rel: str) -> str:
    kind, names = _kind_of(path)
    if kind == "zip":
        member = names[0] if len(names) == 1 else "MEMBER"
        return (
            f"{rel} is a zip archive, not text: list its members with `{zip_list_command(rel)}`, print one "
            f"with `{member_command(kind, rel, member)}`{_members(names)}."
        )
    if kind == "tar":
        return (
            f"{rel} is a tar archive, not text: list its members with `tar -tf {rel}`, print one with "
            f"`tar -xOf {rel} {names[0] if len(names) == 1 else 'MEMBER'}`{_members(names)}."
        )
    if kind == "sqlite":
        return (
            f"{rel} is a SQLite database, not text: query it with `sqlite3 {rel} 'SELECT ...'` (or Python's "
            "sqlite3 module, where that command is not installed)."
        )
    if kind:
        cat = COMPRESSORS[kind][1]
        return f"{rel} is {kind}-compressed, not text: read its text with `{cat} {rel}` in place of cat."
    return ""


# A traceback's frame with its source line: `  File "/w/report.py", line 4, in <module>\n    total = ...`.
_FRAME = re.compile(r'^  File "([^"\n]+)", line (\d+)[^\n]*\n    (\S[^\n]*)$', re.M)


def _last_frame(output: str, cwd: Path) -> tuple[str, int, str] | None:
    """The last frame of a script's traceback in `output`: the script (its path relative to `cwd` when
    inside it), the line's number and its source; None without one, and for a block's own traceback
    (where the driver's values on the failing line say more)."""
    frames = _FRAME.findall(output)
    if not frames or frames[-1][0].startswith("<"):
        return None
    name, number, line = frames[-1]
    path = Path(name)
    try:
        where = path.resolve().relative_to(cwd.resolve()).as_posix() if path.is_absolute() else name
    except (OSError, ValueError):
        where = name
    return where, int(number), line.strip()


def closed_hint(output: str) -> str:
    """For a file or database used after it was closed ("" for other errors).

    The 1.5B printed a CSV's rows inside its `with` block and looped over the reader again below it
    (csv-value), and closed its sqlite connection in one block and queried it in the next (sqlite-join:
    29 times in the kept runs), each time rewriting the rest of the block rather than the order.
    """
    if "ValueError: I/O operation on closed file" in output:
        return (
            "The file was closed when its `with` block ended: do all the reading inside that block (indent "
            "the loop under it), or keep the rows first (`rows = list(reader)` inside it) and loop over rows."
        )
    if "Cannot operate on a closed database" in output:
        return (
            "The connection was closed by an earlier close() (in this block or one before): connect again "
            "with sqlite3.connect(...) before the query, and close it only after the last one."
        )
    return ""


def _unclosed(output: str) -> str:
    # Filling in the block that writes a file back (claims' `source = """...`), the 1.5B ended its fence
    # right after the file's text, without the closing quotes, then wrote the same block again.
    if "SyntaxError: unterminated triple-quoted string literal" not in output:
        return ""
    return (
        "The block ends inside a triple-quoted string: put the closing quotes on their own line after "
        "the text, then the lines that use it."
    )


def _failing_line(error: re.Pattern[str], output: str, code: str) -> tuple[int, str]:
    """The number (0 when `error` is not in `output`) and the stripped text ("" when out of range) of the
    line of `code` that `error`'s first group names."""
    found = error.search(output)
    if not found:
        return 0, ""
    lines = code.splitlines()
    number = int(found.group(1))
    return number, lines[number - 1].strip() if 0 < number <= len(lines) else ""


# The block's own line that raised a NameError (the last "<block N>" frame before it).
_UNDEFINED_AT = re.compile(
    r'File "<block \d+>", line (\d+), in <module>\n(?:(?!  File ).*\n)*?NameError: name \'(\w+)\''
)


def _undefined_at(output: str, code: str) -> tuple[int, str, ast.Module, int] | None:
    """For a NameError on a top-level statement of the block: the line, the name, the block parsed and
    the index of that statement in its body (None otherwise)."""
    found = _UNDEFINED_AT.search(output)
    if not found:
        return None
    number, name = int(found.group(1)), found.group(2)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    body = tree.body
    failing = next((i for i, n in enumerate(body) if n.lineno <= number <= (n.end_lineno or n.lineno)), None)
    return None if failing is None else (number, name, tree, failing)


def used_before_set(output: str, code: str) -> str:
    """For a NameError on a top-level statement of the block whose name a later statement of the same
    block sets: the block with that statement moved to just after the one that sets it ("" otherwise).

    Told to inspect its input first, the 0.5B wrote `print(log_content)` above the `with open('app.log')`
    that set log_content, and wrote it again after the NameError (log-errors, GPU seeds 42000, 44000)."""
    found = _undefined_at(output, code)
    if found is None:
        return ""
    number, name, tree, failing = found
    body = tree.body
    setter = next(
        (
            j
            for j in range(failing + 1, len(body))
            if any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
                for n in ast.walk(body[j])
            )
        ),
        None,
    )
    if setter is None:
        return ""
    lines = code.splitlines()
    moved = body[failing]
    start, end = moved.lineno - 1, moved.end_lineno or moved.lineno
    after = body[setter].end_lineno or body[setter].lineno
    reordered = lines[:start] + lines[end:after] + lines[start:end] + lines[after:]
    return (
        f"{name} is used on line {number}, before line {body[setter].lineno} sets it: a block runs from the top. "
        f"This is your block with that line after it:{_fenced(chr(10).join(reordered).strip())}"
    )


def never_set(output: str, code: str) -> str:
    """For a NameError on a name the block never sets, used as a running value (`total += x`, `count >
    max_count`, `seen.append(x)`, `totals[k] = ...`): the block with the name set before the top-level
    statement that uses it ("" otherwise, or when its use tells no starting value).

    The 0.5B compared each count with a `max_count` it never set, and after the NameError wrote the same
    loop again (log-top-ip, seed 46000 on this CPU); it added to a `total` it never set (region-sales, H100
    seed 44000)."""
    found = _undefined_at(output, code)
    if found is None:
        return ""
    number, name, tree, at = found
    nodes = list(ast.walk(tree))
    failing = tree.body[at]
    # Set later in the loop that uses it (`max_count = count` under the `if` that failed) is the running
    # value's update; set above the line, or by a later statement (used_before_set), is another case.
    later = failing.end_lineno or failing.lineno
    imported = any(isinstance(n, ast.alias) and (n.asname or n.name.split(".")[0]) == name for n in nodes)
    if imported or any(
        (
            (isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load))
            or (isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name)
            or (isinstance(n, ast.arg) and n.arg == name)
        )
        and (n.lineno < number or n.lineno > later)
        for n in nodes
        if hasattr(n, "lineno")
    ):
        return ""
    start = _starting_value(name, nodes)
    if not start:
        return ""
    lines = code.splitlines()
    at = failing.lineno - 1
    fixed = "\n".join([*lines[:at], f"{name} = {start}", *lines[at:]]).strip()
    return (
        f"{name} is used on line {number} and never set in the block: set it first (`{name} = {start}`). "
        f"This is your block with that line:{_fenced(fixed)}"
    )


def named_otherwise(output: str, code: str) -> str:
    """For a NameError on a name the block never sets anywhere, where it sets exactly one other name that
    ends in the same word (`highest_total`, set as `max_total`): the block with that name on the failing
    line ("" otherwise).

    The 0.5B printed `${highest_total}` where it had set `max_total`, and after the NameError wrote the
    same block again, to the step limit (region-sales, fresh seed 58000)."""
    found = _undefined_at(output, code)
    if found is None:
        return ""
    number, name, tree, _at = found
    nodes = list(ast.walk(tree))
    stored = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    defined = {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {a.asname or a.name.split(".")[0] for a in nodes if isinstance(a, ast.alias)}
    if "_" not in name or name in stored or name in defined:
        return ""
    word = name.rsplit("_", 1)[1]
    others = [n for n in sorted(stored) if n != name and n.rsplit("_", 1)[-1] == word and "_" in n]
    lines = code.splitlines()
    if len(others) != 1 or not 0 < number <= len(lines):
        return ""
    lines[number - 1] = re.sub(rf"\b{re.escape(name)}\b", others[0], lines[number - 1])
    return (
        f"{name} is never set in the block; {others[0]} is the {word} it computes: use that name on line "
        f"{number}. Your block so:{_fenced(chr(10).join(lines).strip())}"
    )


def _starting_value(name: str, nodes: list[ast.AST]) -> str:
    """The value a running `name` starts from, read off how the block uses it ("" when its use tells
    none): a number added to, a list appended to, a set added to, a dict stored into, a maximum or
    minimum compared with."""

    def named(n: ast.AST) -> bool:
        return isinstance(n, ast.Name) and n.id == name

    for n in nodes:
        if isinstance(n, ast.AugAssign) and named(n.target):
            return "0"
        if isinstance(n, ast.Attribute) and named(n.value):
            if n.attr in ("append", "extend", "insert"):
                return "[]"
            if n.attr == "add":
                return "set()"
            if n.attr in ("get", "items", "keys", "values", "setdefault"):
                return "{}"
        if isinstance(n, ast.Subscript) and named(n.value) and isinstance(n.ctx, ast.Store):
            return "{}"
    if any(isinstance(n, ast.Compare) and any(named(x) for x in (n.left, *n.comparators)) for n in nodes):
        lowered = name.lower()
        if re.search(r"min|low|small|least|fewest|short", lowered):
            return "float('inf')"
        if re.search(r"max|high|large|most|top|best|long", lowered):
            return "0" if re.search(r"count|num|total|freq|hits", lowered) else "float('-inf')"
    return ""


def set_by_a_failed_block(output: str, tried: Sequence[tuple[str, str, str]]) -> str:
    """For a NameError on a name that an earlier block of the request sets on or after the line it
    failed at, so never set: that it never ran, with the block that sets it, fixed when a hint handed
    one ("" otherwise). `tried`: the blocks run before, in order, each (code, its output, the block a
    hint handed for it or "").

    Handed its json-sum block with `orders = data` in place of `orders = data['orders']`, the 0.5B ran
    only the block's last line, `total = sum(... for order in orders ...)`, met "name 'orders' is not
    defined", ran it again, printed data and answered its first amount (seed 47000 on this CPU)."""
    found = _UNDEFINED.search(output)
    if not found:
        return ""
    name = found.group(1)
    sets = re.compile(
        rf"^[ \t]*(?:{name}\s*(?:,[^=\n]*)?=(?!=)|for\s+{name}\s+in\b|with\b.*\bas\s+{name}\b)", re.M
    )
    for code, said, handed in reversed(tried):
        failed_at = _FAILED_AT.search(said)
        if not failed_at or "Error" not in said:
            continue
        lines = code.splitlines()
        line = int(failed_at.group(1))
        if not any(sets.match(ln) for ln in lines[line - 1 :]):
            continue
        fixed = handed if handed and sets.search(handed) else ""
        told = (
            f"{name} is set by a block you ran before, at or after its line {line}, where it failed: "
            f"nothing after a failing line runs, so {name} was never set. Run that whole block again with "
            "its error fixed, not only its last lines"
        )
        return f"{told}; this is it, fixed:{_fenced(fixed)}" if fixed else f"{told}."
    return ""


# `'str' object has no attribute 'output'` on the failing line `output = command.output`.
_TEXT_ATTRIBUTE = re.compile(r"AttributeError: 'str' object has no attribute '(\w+)'")


def command_text_run(output: str, code: str) -> str:
    """For a text holding a shell command asked for its output as an attribute (`command.output`,
    `.stdout`, `.run()`): that a text does not run, and the block with the line running it through
    subprocess ("" otherwise).

    The 0.5B set `command = "tar -tf bundle.tar.gz"`, took `command.output`, and wrote that line in
    every block to the step limit (tar-count, seed 47000 on this CPU)."""
    found = _TEXT_ATTRIBUTE.search(output)
    number, line = _failing_line(_FAILED_AT, output, code)
    if not found or not line:
        return ""
    for name, value in _STR_VALUE.findall(output):
        command = value[1:-1]
        taken = re.search(rf"\b{name}\.{found.group(1)}\b(?:\(\))?", line)
        first = command.split()[0] if command.split() else ""
        if not taken or not first or not shutil.which(first):
            continue
        ran = f"subprocess.run({name}, shell=True, capture_output=True, text=True).stdout"
        lines = code.splitlines()
        lines[number - 1] = lines[number - 1].replace(taken.group(0), ran, 1)
        fixed = "\n".join(lines).strip()
        if not re.search(r"^import subprocess\b", fixed, re.M):
            fixed = "import subprocess\n" + fixed
        return (
            f"{name} is a text, the command {command!r}: a text does not run, so it has no {found.group(1)}. "
            f"subprocess runs it and gives what it printed: `{ran}`. Your block so:{_fenced(fixed)}"
        )
    return ""


# A SyntaxError on a number written with a leading zero (`datetime(2023, 11, 09)`), at its line.
_LEADING_ZERO_AT = re.compile(
    r'File "<block \d+>", line (\d+)\n(?:.*\n)*?SyntaxError: leading zeros in decimal'
)
# The literal itself: digits after zeros, not part of a name, a float or another number.
_ZERO_LED = re.compile(r"(?<![\w.])0+([1-9]\d*|0)(?![\w.])")


def leading_zeros(output: str, code: str) -> str:
    """For a whole number written with a leading zero, as a date's month or day is: the block with the
    zeros dropped on the failing line, strings on it left as they are ("" otherwise).

    Asked what weekday 2023-11-09 was, the 0.5B wrote `datetime(2023, 11, 09)`, was told "use an 0o
    prefix" by Python itself, and wrote the same line in every block to the step limit (weekday: 2 of its
    3 H100 runs, seeds 42000, 44000)."""
    number, line = _failing_line(_LEADING_ZERO_AT, output, code)
    if not line:
        return ""
    # Only outside quotes: `'2023-11-09'` is a date as text and stays so.
    parts = re.split(r"""('[^'\n]*'|"[^"\n]*")""", code.splitlines()[number - 1])
    fixed_line = "".join(p if i % 2 else _ZERO_LED.sub(r"\1", p) for i, p in enumerate(parts))
    lines = code.splitlines()
    if fixed_line == lines[number - 1]:
        return ""
    lines[number - 1] = fixed_line
    return (
        f"Python does not take a whole number written with a leading zero (09): write it without the zero "
        f"(9); `0o` would make it octal. This is your block so:{_fenced(chr(10).join(lines).strip())}"
    )


# A query that orders by an aggregate of rows it never grouped: `... ORDER BY SUM(o.total) DESC`.
_ORDERED_BY_AGGREGATE = re.compile(
    r"\bSELECT\s+(?P<columns>.+?)\s+FROM\s+(?:(?!\bGROUP\s+BY\b).)+?(?P<order>\bORDER\s+BY\s+(?:SUM|COUNT|AVG|MAX|MIN|TOTAL)\s*\()",
    re.I | re.S,
)


def ungrouped_aggregate(output: str, code: str) -> str:
    """For SQLite's "misuse of aggregate" on a query ordered by SUM() (COUNT, AVG...) of rows it never
    grouped: the block with the query grouped by the columns it selects ("" otherwise).

    Asked which customer has the highest sum of order totals, the 0.5B joined the tables, wrote `ORDER BY
    SUM(T2.total) DESC LIMIT 1` without GROUP BY, and after the error printed a result it had not fetched
    (sqlite-join on this CPU, seed 46000; 2 of its 3 H100 runs missed the task too)."""
    if "misuse of aggregate" not in output:
        return ""
    found = _ORDERED_BY_AGGREGATE.search(code)
    if not found:
        return ""
    columns = [
        re.split(r"\s+AS\s+", c.strip(), flags=re.I)[0]
        for c in found.group("columns").split(",")
        if "(" not in c
    ]
    if not columns or any(not re.fullmatch(r"[\w.]+", c) for c in columns):
        return ""
    grouped = f"GROUP BY {', '.join(columns)} "
    fixed = code[: found.start("order")] + grouped + code[found.start("order") :]
    return (
        "SUM() and the other aggregates add up groups of rows, and the query groups none: add "
        f"`{grouped.strip()}` before ORDER BY, so each of them gets its own sum. Your block so:"
        f"{_fenced(fixed.strip())}"
    )


# A request for a sum (not "total", which names a column as often: "the order with the highest total").
_SUM_ASKED = re.compile(r"\b(?:sum|summed|in total|altogether|combined)\b", re.I)
# A query that picks rows by a column of single rows: no GROUP BY and no SUM( between FROM and ORDER BY.
_ORDERED_BY_COLUMN = re.compile(
    r"\bSELECT\s+(?P<columns>[^;]+?)\s+FROM\s+(?:(?!\bGROUP\s+BY\b|\bSUM\s*\().)+?"
    r"(?P<order>\bORDER\s+BY\s+(?P<column>[\w.]+))(?=\s+(?:DESC|ASC|LIMIT)\b|\s*[;'\"]|\s*$)",
    re.I | re.S,
)


def unsummed_order(request: str, code: str) -> str:
    """For a request that asks for a sum, where the block's query picks rows by a column of single rows
    (ORDER BY with no SUM and no GROUP BY): the block with the rows grouped by the columns it selects and
    ordered by that column's sum ("" otherwise).

    Asked which customer has the highest sum of order totals, the 0.5B joined customers to orders and
    ordered by `o.total`: it named the customer of the largest single order (sqlite-join, fresh seed
    61000)."""
    if not _SUM_ASKED.search(request):
        return ""
    found = _ORDERED_BY_COLUMN.search(code)
    if not found or "(" in found.group("columns"):
        return ""
    items = [c.strip() for c in found.group("columns").split(",")]
    columns = [re.split(r"\s+AS\s+", c, flags=re.I)[0] for c in items]
    column = found.group("column")
    # The column summed, where it is selected too, is selected as its sum: not a column to group by.
    grouped = [c for c in columns if c != column]
    if not grouped or any(not re.fullmatch(r"[\w.]+", c) for c in columns):
        return ""
    selected = ", ".join(f"SUM({column})" if c == column else i for c, i in zip(columns, items, strict=True))
    clause = f"GROUP BY {', '.join(grouped)} ORDER BY SUM({column})"
    fixed = (
        code[: found.start("columns")]
        + selected
        + code[found.end("columns") : found.start("order")]
        + clause
        + code[found.end("order") :]
    )
    return (
        f"The request asks for a sum, and your query sorts single rows by {column}: it picks the row with "
        f"the largest {column}, not the largest sum. `{clause}` sums each group's rows first. Your block "
        f"so:{_fenced(fixed.strip())}"
    )


# A clause run as a query of its own: `cursor.execute("ORDER BY total_sum DESC")`; those that go at the
# end of any SELECT (a WHERE or a GROUP BY would have to go inside it).
_CLAUSE = re.compile(r"\s*(?:ORDER\s+BY|LIMIT)\b", re.I)
_SQL_SYNTAX_AT = re.compile(
    r'File "<block \d+>", line (\d+), in <module>\n(?:(?!  File ).*\n)*?'
    r'sqlite3\.OperationalError: (?:near "\w+": syntax error|incomplete input)'
)
_SQL_KEYWORDS = "order by group limit having where asc desc and or not in is null like between offset"
_SQL_WORDS = frozenset(_SQL_KEYWORDS.split())


def split_query(output: str, code: str) -> str:
    """For a clause (ORDER BY, LIMIT) the block ran as a query of its own after the query it belongs
    to: the block with the clause at the end of that query ("" otherwise).

    Asked which customer has the highest sum of order totals, the 1.5B ran its SELECT ... GROUP BY, then
    `cursor.execute("ORDER BY total_sum DESC")`, and after the syntax error wrote the same split block
    three times more (sqlite-join, fresh seeds 56000 and 57000)."""
    found = _SQL_SYNTAX_AT.search(output)
    if not found:
        return ""
    number = int(found.group(1))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    queries = sorted((node for node in ast.walk(tree) if _executes_text(node)), key=lambda node: node.lineno)
    part = next(
        (
            q
            for q in queries
            if q.lineno <= number <= (q.end_lineno or q.lineno) and _CLAUSE.match(_sql_of(q))
        ),
        None,
    )
    if part is None:
        return ""
    clause = " ".join(_sql_of(part).split())
    names = {w for w in re.findall(r"[A-Za-z_]\w*", clause) if w.lower() not in _SQL_WORDS}
    before = [q for q in queries if q.lineno < part.lineno]
    whole = next(
        (
            q
            for q in reversed(before)
            if re.match(r"\s*SELECT\b", _sql_of(q), re.I)
            and not re.search(r"\b(?:ORDER\s+BY|LIMIT)\b", _sql_of(q), re.I)
            and all(re.search(rf"\b{re.escape(n)}\b", _sql_of(q)) for n in names)
        ),
        None,
    )
    merged = whole and _literal_with(code, whole.args[0], clause)
    if not whole or not merged:
        return ""
    statement = next((s for s in ast.walk(tree) if isinstance(s, ast.Expr) and s.value is part), None)
    between = [q for q in before if q.lineno > whole.lineno]
    lines = code.splitlines()
    if statement is not None and not between:
        # The clause joins its query where it is, and its own line goes, with the comment above it.
        first, last = statement.lineno - 1, statement.end_lineno or statement.lineno
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        if first > 0 and not lines[first - 1].strip() and last < len(lines) and not lines[last].strip():
            first -= 1
        rest = "\n".join(lines[:first] + lines[last:])
        fixed = _replaced(rest, whole.args[0], merged).splitlines()  # the query is above the lines cut
    else:
        # Another query ran in between: the whole query, with the clause, runs where the clause did.
        fixed = _replaced(code, part.args[0], merged).splitlines()
    return (
        f"sqlite runs each execute() as a whole query, and `{clause}` alone is not one: it belongs at the "
        "end of the query it sorts or limits, in the same execute(). Your block so:"
        f"{_fenced(chr(10).join(fixed).strip())}"
    )


def _executes_text(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "execute"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _sql_of(call: ast.Call) -> str:
    return call.args[0].value  # type: ignore[attr-defined]


def _literal_with(code: str, literal: ast.expr, clause: str) -> str:
    """The source of the string `literal` with `clause` added at its end ("" where its text is not
    plain: a prefix, an escape or a quote inside)."""
    source = ast.get_source_segment(code, literal) or ""
    quote = next((q for q in ('"""', "'''", '"', "'") if source.startswith(q)), "")
    text = literal.value  # type: ignore[attr-defined]
    if not quote or not source.endswith(quote) or source[len(quote) : -len(quote)] != text:
        return ""
    if "\n" not in text:
        return f"{quote}{text.rstrip()} {clause}{quote}"
    body, tail = text.rstrip(), text[len(text.rstrip()) :]
    indent = re.match(r"\s*", body.splitlines()[-1]).group(0)  # type: ignore[union-attr]
    return f"{quote}{body}\n{indent}{clause}{tail}{quote}"


def _replaced(code: str, node: ast.expr, source: str) -> str:
    """`code` with `node`'s source replaced by `source` (positions in characters of each line)."""
    lines = code.splitlines(keepends=True)

    def at(line: int, column: int) -> int:
        return sum(map(len, lines[: line - 1])) + len(lines[line - 1].encode()[:column].decode())

    start, end = at(node.lineno, node.col_offset), at(node.end_lineno or 0, node.end_col_offset or 0)
    return code[:start] + source + code[end:]


_OUTSIDE = re.compile(r"line (\d+)\n(?:.*\n)*?SyntaxError: \'return\' outside function")


def _return_outside(output: str, code: str) -> str:
    # The 0.5B wrote its first block as a function body without the def (`return average_price` at the
    # end), and when told the error, wrote the same block twice more (csv-mean: 0 of 3 runs).
    number, line = _failing_line(_OUTSIDE, output, code)
    if not number:
        return ""
    value = line[len("return") :].strip() if line.startswith("return") else ""
    if not value:
        return "`return` works only inside a function (def): take it out of the block."
    return (
        f"`return` works only inside a function (def): replace `{line}` on line {number} with "
        f"`print({value})`, so that the value is shown."
    )


_SYNTAX_AT = re.compile(r'File "<block \d+>", line (\d+)\n(?:.*\n)*?SyntaxError: invalid syntax')
# Commands a model writes as the line of a Python block: `python3 summary.py`, `ls -l docs`.
_SHELL_COMMANDS = (
    "python python3 pip pip3 ls cat cd grep wc echo find unzip tar gunzip zcat head tail sort uniq mkdir rm "
    "mv cp sqlite3 chmod du awk sed node bash sh"
)
_SHELL_WORDS = frozenset(_SHELL_COMMANDS.split())


def shell_lines(code: str) -> str:
    """The shell commands a ```python block holds instead of Python ("" if it is Python, or mixed): no
    line of it is Python (a SyntaxError), each begins with a command, and an IPython `!` before one is
    dropped. Asked for an environment variable's value, the 1.5B wrote `echo "$LI_EVAL_TOKEN"` as Python,
    was told it is a shell command, and wrote the same block again (env-var, held-out seed 20000).
    The session runs such a block as shell, shown so for approval."""
    lines = [line.strip() for line in code.splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    # A script that says it is one: `#!/bin/bash` over a bash loop (`for (( i=1; ... ))`) the 0.5B wrote
    # in a python fence, three times, each a SyntaxError (write-numbers, seed 47000 on this CPU).
    if commands and _SHELL_SHEBANG.match(code.lstrip()):
        try:
            compile(code, "<block>", "exec")
        except SyntaxError:
            return code.strip()
        return ""
    if not commands or any(line.split()[0].lstrip("!") not in _SHELL_WORDS for line in commands):
        return ""
    try:
        compile(code, "<block>", "exec")
    except SyntaxError:
        return "\n".join(line[1:] if line.startswith("!") else line for line in lines).strip()
    return ""  # `ls` alone is a Python name: its NameError gets the hint below


_SHELL_SHEBANG = re.compile(r"#!\s*/(?:usr/)?bin/(?:env\s+)?(?:ba|z|da|k)?sh\b")
_BANG = re.compile(r"^(\s*)!(?=[A-Za-z./_~])", re.M)
_BANG_LINE = re.compile(r"^(\s*)!([A-Za-z./_~].*?)\s*$", re.M)  # the whole line: `!python3 summary.py`


def shell_bangs(code: str) -> str:
    """A shell block's lines with IPython's `!` taken off the commands ("" when no line has one).

    Told `python3 summary.py` is a shell command, the 1.5B moved `!python3 summary.py` into a ```bash
    block, where it is a command named "!python3" (not found), and went on to install Python with sudo
    (fix-name, held-out seed 25000). A script never means that name: `! cmd`, with the space, is bash's
    negation and stays; history expansion is off in scripts."""
    return _BANG.sub(r"\1", code) if _BANG.search(code) else ""


def python_bangs(code: str) -> str:
    """A Python block with IPython's `!command` lines run through subprocess, as IPython runs them ("" when
    the block has none, or is not Python once they are replaced). Each stays on its own line, so the
    line numbers of a traceback are the model's own.

    Asked to fix summary.py, the 1.5B wrote the fix and then `!python3 summary.py` in one ```python
    block: the SyntaxError meant the fix was never written, twice, to the step limit (fix-name, seed
    25000). Open Interpreter runs Python in a Jupyter kernel, where that line works."""
    if not _BANG.search(code):
        return ""
    try:
        compile(code, "<block>", "exec")
        return ""  # Python already (`!` inside a string on a line of its own)
    except SyntaxError:
        pass
    rewritten = _BANG_LINE.sub(
        lambda m: f"{m.group(1)}import subprocess; _ = subprocess.run({m.group(2)!r}, shell=True)", code
    )
    try:
        compile(rewritten, "<block>", "exec")
    except SyntaxError:
        return ""
    return rewritten


def _shell_in_python(output: str, code: str) -> str:
    """For a shell command written as a line of Python (a SyntaxError there), where to run it.

    Asked to fix and run summary.py, the 1.5B wrote `python3 summary.py` in a ```python block four times,
    read the SyntaxError as a fault of the script and never ran it (fix-name, held-out seed 8000)."""
    _number, line = _failing_line(_SYNTAX_AT, output, code)
    words = line.split()
    if not words or words[0].lstrip("!") not in _SHELL_WORDS:
        return ""
    command = line.lstrip("!")
    plain = not re.search(r"[|<>;&$`*?\\\"']", command)  # no shell syntax: runs as a list of words
    via = f"; in Python, subprocess.run({command.split()!r})" if plain else ""
    return f"`{command}` is a shell command, not Python: run it in a ```bash block{via}."


# The Python driver's "Values on the failing line" entry for a string: `  item = 'violet'  (str)`.
_STR_VALUE = re.compile(r"^  (\w+) = ('.*'|\".*\")  \(str\)$", re.M)


# ... and for a dict: `  items = {'item': 'pebble', 'stock': 30}  (dict, 2 items)`.
_DICT_VALUE = re.compile(r"^  (\w+) = (\{.*\})  \(dict\b", re.M)


# `'The meeting' in line.lower()`: a quoted text tested against a lowercased (uppercased) string.
_CASED_IN = re.compile(r"""(['"])([^'"\n]+)\1\s+in\s+([\w.\[\]()]+?)\.(lower|upper|casefold)\(\)""")


def case_never_matches(code: str) -> str:
    """A test of `code` that can never be true because its text has letters of the case the string it
    looks in cannot have ("" when there is none).

    Told to print the meeting's line, the 1.5B wrote `if "The meeting is on" in line.lower():`, which
    printed nothing, and answered the date it had not printed (meeting, held-out seed 25000)."""
    for m in _CASED_IN.finditer(code):
        text, where, case = m.group(2), m.group(3), m.group(4)
        fixed = text.upper() if case == "upper" else text.lower()
        if fixed != text:
            return (
                f"`{m.group(0)}` is never true: {where}.{case}() has no "
                f"{'lowercase' if case == 'upper' else 'capital'} letters. Test for {fixed!r} instead."
            )
    return ""


# "How many .txt files": the kind of file a request counts, by its extension (group 1).
_KIND_COUNTED = re.compile(r"(?<![\w*])\.(\w{1,8}) files\b", re.I)
_FIND_FILES = re.compile(r"^(?P<find>[^\n#]*\bfind\s[^\n]*?-type\s+f\b)(?P<rest>[^\n]*)$", re.M)


def unfiltered_find(request: str, code: str) -> str:
    """For a request that counts the files of one extension ("How many .txt files ...") and a shell
    block whose `find ... -type f` picks files by no name: it counted every file, with the block picking
    that extension ("" otherwise).

    Asked how many .txt files are under docs, the 0.5B ran `find "$docs_dir" -type f | wc -l`, which
    counts the .md and .log files too, and answered that (count-txt, fresh seed 61000)."""
    kind = _KIND_COUNTED.search(request)
    found = _FIND_FILES.search(code)
    if not kind or not found or re.search(r"-i?(?:name|regex|path)\b", found.group(0)):
        return ""
    pattern = f"'*.{kind.group(1)}'"
    fixed = code[: found.end("find")] + f" -name {pattern}" + code[found.end("find") :]
    return (
        f"find -type f picks every file, and the request asks only for the .{kind.group(1)} files: "
        f"`-name {pattern}` picks those. Your block so:{_fenced(fixed.strip(), 'bash')}"
    )


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def self_compared(code: str) -> str:
    """For a block that tests a name against itself (`region == region`), which is always true: what it
    does, and where a comprehension's own `for` rebinds the name it meant to compare with, the block with
    that loop's item renamed ("" when there is none).

    Asked which region has the highest total, the 1.5B summed
    `amounts[i] for i, region in enumerate(regions) if region == region` for each region: every total was
    the sum of all amounts, and it answered one region with that sum (region-sales, fresh seed 61000)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq)
            and isinstance(node.left, ast.Name)
            and isinstance(node.comparators[0], ast.Name)
            and node.left.id == node.comparators[0].id
        ):
            continue
        name = node.left.id
        said = f"`{name} == {name}` compares {name} with itself: it is always True, so that test keeps everything"
        inner = next(
            (
                (comp, gen)
                for comp in ast.walk(tree)
                if isinstance(comp, _COMPREHENSIONS)
                for gen in comp.generators
                if any(node in ast.walk(test) for test in gen.ifs)
            ),
            None,
        )
        if inner is None:
            return f"{said}. Compare it with the value you meant."
        comp, gen = inner
        bound = [n for n in ast.walk(gen.target) if isinstance(n, ast.Name) and n.id == name]
        # Other uses of the name in that comprehension could mean either one: renamed, they are guessed at.
        uses = [n for n in ast.walk(comp) if isinstance(n, ast.Name) and n.id == name]
        names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
        outer = any(isinstance(n.ctx, ast.Store) and n.id == name and n not in bound for n in names) or any(
            isinstance(a, ast.arg) and a.arg == name for a in ast.walk(tree)
        )
        renamed = f"this_{name}"
        if len(bound) != 1 or len(uses) != 3 or not outer or renamed in {n.id for n in names}:
            return f"{said}. Compare it with the value you meant."
        said = f"{said}: the `for` of that comprehension binds {name} again, hiding the {name} outside it"
        fixed = code
        for target in sorted((bound[0], node.left), key=lambda n: (n.lineno, n.col_offset), reverse=True):
            fixed = _replaced(fixed, target, renamed)
        if not _short(fixed):
            return f"{said}. Name that loop's item {renamed} and compare `{renamed} == {name}`."
        return f"{said}. Your block with that loop's item named {renamed}:{_fenced(fixed)}"
    return ""


# A request for a sum over items: "the total stock value", "summed", "add up".
_SUMMED = re.compile(r"\b(?:total|sum|summed|add(?:ed)? up|altogether|combined)\b", re.I)


def overwritten_in_loop(request: str, code: str) -> str:
    """For a request for a total, a block that sets a name inside a loop from other values (`value =
    price * qty`), never adds to it, and uses it after the loop: that it then holds the last item's value
    only, and the block with it started at 0 and added to ("" otherwise).

    Asked for the total stock value (price times qty, summed) of products.csv, the 0.5B set
    `total_stock_value = price * qty` in its loop over the rows and printed it after: the last row's
    (csv-value, seed 49000 on this CPU), and answered that."""
    if not _SUMMED.search(request):
        return ""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    lines = code.splitlines()
    added = {
        n.target.id for n in ast.walk(tree) if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)
    }
    for loop in (n for n in ast.walk(tree) if isinstance(n, ast.For)):
        for node in ast.walk(loop):
            if not (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.BinOp)
                and isinstance(node.value.op, (ast.Mult, ast.Add))
                and node.lineno == node.end_lineno
            ):
                continue
            name = node.targets[0].id
            if name in added or any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value)):
                continue  # a running value already
            end = loop.end_lineno or loop.lineno
            if not any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and n.lineno > end
                for n in ast.walk(tree)
            ):
                continue
            line = lines[node.lineno - 1]
            set_at = re.match(rf"^(\s*){name}\s*=\s*", line)
            if not set_at:
                continue
            fixed = list(lines)
            fixed[node.lineno - 1] = f"{set_at.group(1)}{name} += {line[set_at.end() :]}"
            indent = lines[loop.lineno - 1][: loop.col_offset]
            fixed.insert(loop.lineno - 1, f"{indent}{name} = 0")
            return (
                f"`{line.strip()}` on line {node.lineno} sets {name} anew for each item of the loop, so after "
                f"it {name} holds the last one's value only, and the request asks for a total: start it at 0 "
                f"before the loop and add each one's (`{name} += ...`). Your block so:{_fenced(chr(10).join(fixed))}"
            )
    return ""


# Calls whose result is the data read, not a result computed from it: printing it answers nothing.
_READS = frozenset(
    {
        "open",
        "read",
        "readlines",
        "load",
        "loads",
        "reader",
        "DictReader",
        "connect",
        "cursor",
        "read_csv",
        "read_json",
    }
)


def unprinted_result(code: str) -> str:
    """The variable a Python block set in its last top-level statement, when that is a value computed
    from the data rather than the data read ("" otherwise): what a block that printed nothing computed.

    The 1.5B counted each IP of access.log, ended its block with `most_requests_ip = max(ip_counts,
    key=ip_counts.get)`, printed nothing, and wrote the block twice more, told to "write the next step
    of your plan" (log-top-ip, held-out seed 27000): the answer was in a variable it never printed. An
    assignment inside a `with open(...)` is the reading itself (`lines = f.readlines()`), not counted."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Assign) and len(last.targets) == 1:
        target, value = last.targets[0], last.value
    elif isinstance(last, (ast.AugAssign, ast.AnnAssign)) and last.value is not None:
        target, value = last.target, last.value
    else:
        return ""
    if not isinstance(target, ast.Name) or isinstance(value, ast.Constant):
        return ""
    called = value.func if isinstance(value, ast.Call) else None
    name = (
        called.attr
        if isinstance(called, ast.Attribute)
        else called.id
        if isinstance(called, ast.Name)
        else ""
    )
    return "" if name in _READS else target.id


# `result = subprocess.run([...], capture_output=True)` (or stderr=subprocess.PIPE): its error is kept
# in result.stderr, shown only if printed.
_CAPTURED = re.compile(
    r"\b(\w+)\s*=\s*subprocess\.run\((?=[^)]*\b(?:capture_output\s*=\s*True|stderr\s*=\s*subprocess\.PIPE))"
)


def stderr_unprinted(code: str, output: str) -> str:
    """For a block that ran a program with its output captured and printed nothing, or only an empty
    stdout: that a failing program writes its error to stderr, with the block printing both ("" when
    it printed something, or printed stderr or the exit status).

    The 1.5B ran report.py with capture_output=True and printed result.stdout (or nothing); the script's
    TypeError went to result.stderr, and the model never saw why it crashed (fix-type, held-out seeds
    33000, 34000 and 35000)."""
    if output.strip():
        return ""
    lines = code.splitlines()
    for name in dict.fromkeys(_CAPTURED.findall(code)):
        if re.search(rf"\b{name}\.(?:stderr|returncode)\b", code):
            continue
        printed = re.compile(rf"^(\s*)print\(\s*{name}\.stdout\b.*$")
        ran = re.compile(rf"^(\s*){name}\s*=\s*subprocess\.run\(.*\)\s*$")  # the call on one line
        for number, line in enumerate(lines):
            shown, started = printed.match(line), ran.match(line)
            if shown:
                said = f"{name}.stdout is all your block printed, and it is empty"
                add = [f"{shown.group(1)}print({name}.stderr)"]
            elif started and not re.search(rf"\b{name}\.stdout\b", code):
                said = f"your block kept the program's output in {name} and printed none of it"
                indent = started.group(1)
                add = [f"{indent}print({name}.stdout)", f"{indent}print({name}.stderr)"]
            else:
                continue
            said += f": a program that fails writes its error to {name}.stderr, which nothing printed"
            if not _short(code):
                return f"{said}: print({name}.stderr) too."
            whole = "\n".join([*lines[: number + 1], *add, *lines[number + 1 :]])
            return f"{said}. Your block printing both:{_fenced(whole)}"
    return ""


def unsaved_edit(code: str, to_change: Iterable[str]) -> str:
    """For a block that read a file the request asks to change and changed what it read in memory only
    (a line of its list replaced, its text `.replace`d) without writing it: the call that writes it back
    ("" otherwise).

    Told report.py was unchanged, the 1.5B read its lines, set `lines[2]` to the corrected line, printed
    the total its own loop gave and answered, three times (fix-type, held-out seed 27000)."""
    from localinterp.overwrites import writes

    opened = {m.group(2).removeprefix("./") for m in OPENED.finditer(code)}
    for name in to_change:
        if name not in opened or writes(code, name):
            continue
        for edit, held, write in _EDITS:
            found = edit.search(code)
            if found:
                var = found.group(1)
                return (
                    f"{var} holds {name}'s {held} with your change, in memory: {name} itself is unchanged "
                    f"until you write {var} back, `open({name!r}, 'w').{write}({var})`, then run it."
                )
    return ""


def script_unrun(to_change: Iterable[str], code: Iterable[str]) -> str:
    """For a request to fix a script when no block of `code` (those run for it so far) has run it: the
    call that runs it, to see how it fails ("" otherwise).

    Asked to fix summary.py, which crashes, the 1.5B printed it, wrote a traceback of its own invention
    beside it and created the price.json that traceback missed, with made-up prices (fix-name, held-out
    seed 30000); in other runs it read the script into a variable and wrote that block again. The error
    it never saw is what the fix-name hints answer (the similar name, the call that corrects it)."""
    code = [re.sub(r"(?m)^\s*#.*$", "", src) for src in code]
    for name in to_change:
        command = run_command(name)
        if not command:
            continue
        base = re.escape(Path(name).name)
        runs = rf"subprocess|system|popen|runpy|exec|python3?|bash|sh|node|ruby|perl|{re.escape(command[0])}"
        ran = re.compile(rf"(?:\b(?:{runs})\b[^\n]*|\./){base}\b")
        if not any(ran.search(src) for src in code):
            return (
                f"No block has run {name} yet: run it to see how it fails, "
                f"`import subprocess; subprocess.run({command!r})`, and fix what its error names."
            )
    return ""


# A file's text changed in memory: a line of its list replaced (`lines[2] = ...`), or its text replaced
# (`fixed = source.replace(...)`); with what it holds and the call that writes that back.
_EDITS = (
    (re.compile(r"^\s*(\w+)\[[^\]\n]+\]\s*=[^=]", re.M), "lines", "writelines"),
    (re.compile(r"^\s*(\w+)\s*=\s*\w+\.replace\(", re.M), "text", "write"),
)


# The driver's entry for a text on the failing line, once `unescaped`: its newline may be a real one.
_TEXT_VALUE = re.compile(r"^  (\w+) = (['\"])(.*?)\n?\2  \(str\)$", re.M)
# How a block reads a file's lines, given the name of the open file: `rows = [r for r in f]`,
# `lines = f.readlines()`, `data = f.read().splitlines()` (or `.split('\n')`), `rows = list(f)`, or a loop.
_LINES_OF = (
    r"^([ \t]*)(\w+)\s*=\s*(?:\[\s*(\w+)\s+for\s+\3\s+in\s+{h}\s*\]|{h}\.readlines\(\)|"
    r"{h}\.read\(\)\.(?:splitlines\(\)|split\(\s*(['\"])\\n\4\s*\))|list\(\s*{h}\s*\))[ \t]*$"
)
_LOOP_OVER = r"^([ \t]*)for\s+(\w+)\s+in\s+{h}\s*:"
_OPENED_AS = re.compile(r"""\bopen\(\s*(['"])([^'"\n]+\.csv)\1[^)\n]*\)\s*as\s+(\w+)""")


def _opened_csv(code: str, file: str) -> re.Match[str] | None:
    """The `open('<file>') as f` of `code` that opens the CSV file `file` (a path ending in its name)."""
    return next((m for m in _OPENED_AS.finditer(code) if Path(m.group(2)).name == Path(file).name), None)


def _loop_around(code: str, number: int) -> list[str]:
    """The name a `for ... in NAME:` loop of `code` goes over, for the innermost such loop holding line
    `number` ([] when there is none, or the code does not parse)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    loops = [
        n.iter.id
        for n in ast.walk(tree)
        if isinstance(n, ast.For)
        and isinstance(n.iter, ast.Name)
        and n.lineno <= number <= (n.end_lineno or n.lineno)
    ]
    return loops[-1:]


def header_skipped(code: str, file: str, output: str = "") -> tuple[str, str]:
    """`code` with the first row of `file` skipped before the loop over its rows, and how, in words:
    `next(rows)` before a loop over an open file or a csv.reader, `lines[1:]` for a loop over a list of
    its lines, or over the list whose item the failing line of `output` shows (("", "") when no such
    loop is found)."""
    opened = _opened_csv(code, file)
    handle = re.escape(opened.group(3)) if opened else ""
    reader = re.search(rf"^[ \t]*(\w+)\s*=\s*csv\.reader\(\s*{handle}\b", code, re.M) if opened else None
    listed = re.search(_LINES_OF.format(h=handle), code, re.M) if opened else None
    # The rows read some other way (a function returning list(reader), an earlier block's `data`): the
    # loop over a list that the failing line is in (csv-to-json, the 0.5B on this CPU, seed 47000).
    looped = _loop_around(code, _failing_line(_CONVERTED_AT, output, code)[0]) if output else []
    for name, is_list in (
        (reader and reader.group(1), False),
        (opened and opened.group(3), False),
        (listed and listed.group(2), True),
        *((name, not _an_iterator(name, code)) for name in looped[:1]),
    ):
        if not name:
            continue
        loop = re.search(_LOOP_OVER.format(h=re.escape(name)), code, re.M)
        if not loop:
            continue
        if is_list:
            fixed = code[: loop.start()] + loop.group(0)[:-1].rstrip() + "[1:]:" + code[loop.end() :]
            how = f"loop over {name}[1:]"
        else:
            skip = f"{loop.group(1)}next({name})  # the header row\n"
            fixed = code[: loop.start()] + skip + code[loop.start() :]
            how = f"call next({name}) once before the loop"
        try:
            compile(fixed, "<block>", "exec")
        except SyntaxError:
            return "", ""
        return fixed, how
    return "", ""


def _an_iterator(name: str, code: str) -> bool:
    """Whether `code` sets `name` to a csv reader or an open file, which take next() and no [1:]: told
    to loop over `reader[1:]` (its file opened by a name held in a variable), the 1.5B did, and met
    "'_csv.reader' object is not subscriptable" (csv-value, fresh seed 57000)."""
    name = re.escape(name)
    return bool(re.search(rf"^[ \t]*{name}\s*=\s*(?:csv\.\w*[rR]eader|open)\(|\bas\s+{name}\s*:", code, re.M))


def csv_line_keyed(output: str, code: str, cwd: Path) -> str:
    """For a line of a CSV file asked for a column by name (`row['region']` on `'west,237\\n'`): that the
    line is text, and the block reading the file with csv.DictReader ("" otherwise).

    The 0.5B read sales.csv's lines (`data = [row for row in file]`), took `row['region']`, and was told
    nothing (the hint for a value taken out of its record read the driver's text, its newline made real,
    as no text at all); it wrapped the key in int() and wrote the block again (region-sales: every one of
    its H100 runs, seeds 42000-44000)."""
    if "TypeError: string indices must be integers" not in output:
        return ""
    for name, _quote, value in _TEXT_VALUE.findall(output):
        keys = re.findall(rf"\b{name}\[\s*['\"]([^'\"\n]+)['\"]\s*\]", code)
        for file, header in _headers(code, cwd):
            if not keys or not set(keys) <= set(header) or value.count(",") != len(header) - 1:
                continue
            said = (
                f"{name} is a line of {file} as text ({value.strip()!r}), not a dict: a file's lines have no "
                f"columns. csv.DictReader reads each row as a dict by column name ({', '.join(header)})"
            )
            opened = _opened_csv(code, file)
            fixed = _dict_rows(code, opened.group(3)) if opened else ""
            return f"{said}; your block with it:{_fenced(fixed)}" if fixed else f"{said}."
    return ""


def csv_line_indexed(output: str, code: str, cwd: Path) -> str:
    """For a line of a CSV file taken apart by index where it failed (`row[1]` on `'region,amount\\n'`):
    that the index takes one character of the line, and the block reading the file's rows with
    csv.reader, past the header ("" otherwise).

    The 0.5B looped over sales.csv's open file, took `row[0]` as the region and `int(row[1])` as the
    amount, and told that 'e' is not a number, wrote the same block three times (region-sales, seed
    48000 on this CPU)."""
    if "Values on the failing line:" not in output:
        return ""
    for name, _quote, value in _TEXT_VALUE.findall(output):
        if not re.search(rf"\b{name}\[\s*-?\d+\s*\]", code):
            continue
        for file, header in _headers(code, cwd):
            opened = _opened_csv(code, file)
            if not opened or len(header) < 2 or value.count(",") != len(header) - 1:
                continue
            titled = all(column_kind([field]) == "text" for field in header)  # names, not data
            fixed = _split_rows(code, opened.group(3), "[1:]" if titled else "")
            if not fixed:
                continue
            past = ", and [1:] passes over its header row" if titled else ""
            return (
                f"{name} is a line of {file} as text ({value.strip()!r}): {name}[1] is one character of it, "
                f"not a field. csv.reader splits each line into its fields ({', '.join(header)}){past}; "
                f"your block with it:{_fenced(fixed)}"
            )
    return ""


def _split_rows(code: str, handle: str, rest: str) -> str:
    """`code` with the lines of the open file `handle` read as csv.reader rows, sliced with `rest` ("" when
    it reads them some other way)."""
    h = re.escape(handle)
    rows = f"list(csv.reader({handle})){rest}"
    fixed = re.sub(_LINES_OF.format(h=h), rf"\1\2 = {rows}", code, count=1, flags=re.M)
    if fixed == code:
        fixed = re.sub(_LOOP_OVER.format(h=h), rf"\1for \2 in {rows}:", code, count=1, flags=re.M)
    return _with_csv(fixed) if fixed != code else ""


def _with_csv(code: str) -> str:
    """`code` with `import csv` first where it lacks one ("" when it does not compile)."""
    if not re.search(r"^import csv\b", code, re.M):
        code = "import csv\n" + code
    try:
        compile(code, "<block>", "exec")
    except SyntaxError:
        return ""
    return code


def _dict_rows(code: str, handle: str) -> str:
    """`code` with the lines of the open file `handle` read as csv.DictReader rows ("" when it reads them
    some other way)."""
    h = re.escape(handle)
    fixed = re.sub(
        _LINES_OF.format(h=h), rf"\1\2 = list(csv.DictReader({handle}))", code, count=1, flags=re.M
    )
    if fixed == code:
        fixed = re.sub(
            _LOOP_OVER.format(h=h), rf"\1for \2 in csv.DictReader({handle}):", code, count=1, flags=re.M
        )
    return _with_csv(fixed) if fixed != code else ""


def key_on_text_hint(output: str) -> str:
    """For a string indexed with a key (`string indices must be integers`): which value is the string, and
    where the field is ("" when the output is another error).

    The 1.5B took the names out of inventory.json's records (`items = [r['item'] for r in data]`) and then
    asked each name for its stock; shown `item = 'violet'  (str)` it rewrote the same comprehension three
    times (out-of-stock: 0 of 3 runs, every run): what it had not seen is that the record was gone.
    """
    if "TypeError: string indices must be integers" not in output:
        return ""
    for name, value in _STR_VALUE.findall(output):
        # `items = data[0]` and then `for item in items`: the loop went over one record's keys (out-of-
        # stock, held-out seed 26000, three times with the hint below, which was about another mistake).
        for record, shown in _DICT_VALUE.findall(output):
            if f"{value}:" in shown and re.search(rf"\bfor\s+{name}\s+in\s+{record}\b", output):
                return (
                    f"`for {name} in {record}` goes over the keys of one record ({name} = {value}): {record} "
                    f"is a single dict, {shown}, not the list of records. Loop over the whole list you "
                    "loaded (the json.load result itself, not one item of it)."
                )
        if re.search(rf"\b{name}\[\s*['\"]", output):
            return (
                f"{name} is a string ({value}), not a dict, so it has no keys: it lost its other fields when "
                "it was taken out of its record. Read every field you need from the records themselves "
                "(the list or dict you loaded), not from a value taken out of them."
            )
    return ""


# The failing line of a block, in a traceback whose last frame is the block's own.
_FAILED_AT = re.compile(r'File "<block \d+>", line (\d+)(?![\s\S]*File "<block)')
_LIST_VALUE = re.compile(r"^  (\w+) = \[.*\(list, (\d+) items?\)$", re.M)


def list_keyed_hint(output: str, code: str) -> str:
    """For a list asked for a key (`list indices must be integers or slices, not str`): that the list
    is the records, and, when the failing line only takes that key (`orders = data['orders']`), the
    block with the list itself in its place ("" otherwise).

    The 1.5B loaded orders.json, a list of 22 records, took `data['orders']`, and wrote the same line
    again in every block to the step limit (json-sum, held-out seed 35000)."""
    if "TypeError: list indices must be integers or slices, not str" not in output:
        return ""
    number, line = _failing_line(_FAILED_AT, output, code)
    for name, count in _LIST_VALUE.findall(output):
        taken = re.search(rf"\b{name}\[\s*(['\"])([^'\"\n]+)\1\s*\]", line)
        if not taken:
            continue
        said = (
            f"{name} is a list of {count} items, not a dict, so it has no key {taken.group(2)!r}: the "
            f"items are {name} itself"
        )
        whole = re.fullmatch(rf"(\w+)\s*=\s*{re.escape(taken.group(0))}", line)
        # Or a loop over it: `for order in data['orders']:` (json-sum, the 0.5B on this CPU, seed 46000:
        # told to loop over data, it tested `'orders' in data` instead, to the step limit).
        loop = re.fullmatch(rf"for\s+(\w+(?:\s*,\s*\w+)*)\s+in\s+{re.escape(taken.group(0))}\s*:", line)
        lines = code.splitlines()
        if not (whole or loop) or not _short(code):
            return f"{said}: loop over {name}, or index it by position ({name}[0])."
        old = lines[number - 1]
        now = f"{whole.group(1)} = {name}" if whole else f"for {loop.group(1)} in {name}:"
        lines[number - 1] = old[: len(old) - len(old.lstrip())] + now
        fixed = "\n".join(lines)
        return f"{said}; your block with {now.rstrip(':')}:{_fenced(fixed)}"
    return ""


def module_hint(output: str, code: str = "") -> str:
    """One line for a standard module used without an import, or asked of pip, or a package that is not
    installed and has a standard module for the task (`code`: the block, whose read_csv is given back as
    the csv module's) ("" when none is)."""
    for name in _UNDEFINED.findall(output):
        # Used as a module (`json.load`), not as a value: the 0.5B's `print(token)`, its token never set,
        # was told to `import token` (env-var, seed 47000 on this CPU).
        if _standard(name) and (not code or re.search(rf"\b{name}\.\w", code)):
            return f"{name} is a module of Python's standard library: add `import {name}` to the block."
    for name in _NOT_ON_PYPI.findall(output):
        if _standard(name):
            return f"{name} comes with Python (its standard library): import it; there is nothing to install."
    absent = _NOT_INSTALLED.search(output)
    instead = _INSTEAD.get(absent.group(1)) if absent else None
    if absent and instead:
        said = f"{absent.group(1)} is not installed in the Python that runs your blocks; {instead}"
        # The 0.5B wrote its pandas block three times over after the ModuleNotFoundError (csv-mean,
        # held-out seed 30000): the block that reads the same file without pandas is what it can copy.
        read = _READ_CSV.search(code) if absent.group(1) == "pandas" else None
        if not read:
            return f"{said}."
        name = read.group(2)
        translated = pandas_as_csv(code)
        if translated:
            return f"{said}. This is your block with the csv module in place of pandas:{_fenced(translated)}"
        start = (
            f"import csv\nwith open({name!r}, newline='') as f:\n    rows = list(csv.DictReader(f))\n"
            "print(len(rows), 'rows; the first:', rows[0] if rows else None)"
        )
        return f"{said}. This block reads {name} so:{_fenced(start)}"
    return ""


_PANDAS_IMPORT = re.compile(r"^import pandas as (\w+)[ \t]*$", re.M)
_PANDAS_READ = re.compile(r"""^(\w+)\s*=\s*(\w+)\.read_csv\(\s*(['"])([^'"\n]+)\3\s*\)[ \t]*$""", re.M)
_COLUMN_REDUCED = re.compile(r"""\b(\w+)\[(['"])([^'"\n]+)\2\]\.(mean|sum|max|min|count|nunique)\(\)""")


def pandas_as_csv(code: str) -> str:
    """A block that reads one CSV with pandas and reduces its columns (`df['price'].mean()`, sum, max, min,
    count, nunique), with the csv module doing the same ("" for any other use of pandas): the 0.5B wrote
    its pandas block again after every ModuleNotFoundError, and given a block that only read the rows,
    printed them and went back to pandas (csv-mean, GPU seeds 42000 and 44000, and CPU seed 30000)."""
    imported = _PANDAS_IMPORT.search(code)
    read = _PANDAS_READ.search(code)
    if not imported or not read or read.group(2) != imported.group(1):
        return ""
    frame, name = read.group(1), read.group(4)
    values = {
        "mean": "statistics.mean({numbers})",
        "sum": "sum({numbers})",
        "max": "max({numbers})",
        "min": "min({numbers})",
        "count": "len({frame})",
        "nunique": "len(set(r[{column!r}] for r in {frame}))",
    }

    def reduced(match: re.Match[str]) -> str:
        if match.group(1) != frame:
            return match.group(0)
        column = match.group(3)
        numbers = f"float(r[{column!r}]) for r in {frame}"
        return values[match.group(4)].format(numbers=numbers, frame=frame, column=column)

    rows = f"with open({name!r}, newline='') as f:\n    {frame} = list(csv.DictReader(f))"
    marked = code.replace(read.group(0), "\0", 1).replace(
        imported.group(0), "import csv\nimport statistics", 1
    )
    body = _COLUMN_REDUCED.sub(reduced, marked)
    if re.search(rf"\b{re.escape(imported.group(1))}\.|\b{re.escape(frame)}\s*[.\[]", body):
        return ""  # pandas is used beyond what translates
    translated = body.replace("\0", rows).strip()
    try:
        compile(translated, "<block>", "exec")
    except SyntaxError:
        return ""
    return translated


_NOT_INSTALLED = re.compile(r"ModuleNotFoundError: No module named '(\w+)")
# Packages small models import for tasks the standard library does, with what does it there.
_INSTEAD = {
    "pandas": (
        "read CSV files with the csv module instead (csv.DictReader gives each row as a dict by column "
        "name, its values text: float(row['price']))"
    ),
    "numpy": "use the statistics and math modules instead (statistics.mean, math.prod, sum, max)",
    "requests": "use urllib.request instead (urllib.request.urlopen(url).read())",
    "dateutil": "use the datetime module instead (datetime.date.fromisoformat, datetime.strptime)",
    "pytz": "use the zoneinfo module instead (zoneinfo.ZoneInfo('Europe/Paris'))",
    "simplejson": "use the json module instead",
}
_READ_CSV = re.compile(r"""\bread_csv\(\s*(['"])([^'"\n]+)\1""")


# A short output whose last line is a count of zero or an empty collection ("0", "Total 404s: 0", "[]"),
# nothing at all ("None") or says nothing was found ("No customer found.").
_NOTHING = re.compile(
    # A sentence's full stop after it too: "The IP address that made the most requests is None." (the
    # 0.5B's, log-top-ip, fresh seed 60000: its `parts[1] == 'GET'` matched no line, unremarked).
    r"(?:^|[\s:=])(?:0(?:\.0+)?|\[\]|\{\}|set\(\)|''|\"\"|None)[.!]?\s*$|^no\b.{0,50}\bfound\b\W*$"
    # ... or says so in a sentence: "There were 0 requests in access.log that got a 404 status." (the
    # 0.5B's, log-404 on this CPU, seed 46000: its `endswith('404')` matched no line, unremarked).
    r"|^.{0,60}\b(?:were|are|is|was|found|has|have|had|got|with)\s+0(?![\w.,])",
    re.I,
)


def nothing_found_hint(output: str, code: str = "", cwd: Path | None = None, request: str = "") -> str:
    """A nudge for a block that ran and found nothing ("" otherwise).

    Asked how many requests got a 404, the 1.5B matched lines that end with " 404" (the size comes after
    the status), printed 0 and answered "no 404s" (log-404: 0 of 3 runs, every run): a condition that
    matches nothing is more often wrong than the data is empty, and a look at the data shows which. When
    the block's own condition can be checked against the text file it opened, the nudge says which part
    matches no line, with a line as it really is.
    """
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines or len(lines) > 3 or not _NOTHING.search(lines[-1]):
        return ""
    opened = _opened_rows(code, cwd) if code and cwd is not None else []
    unmet = _unmet_condition(code, opened, request)
    place = _where_requested(request, opened)
    if unmet:
        # The file holds the value the request asks about and the block tests for it, yet counts none:
        # the condition is wrong, not the data empty (said each time; see CANNOT_MATCH).
        # As a string or a number: `int(parts[-1]) == 404` tests for it as much as `== '404'` does (the
        # 1.5B's second zero in log-404, held-out seed 22000, went unremarked for want of the quotes).
        value = place.value if place else ""
        sure = bool(place) and re.search(rf"(?<![\w.]){re.escape(value)}(?![\w.])", code) is not None
        said = f"{CANNOT_MATCH if sure else 'It found nothing, and your condition cannot match:'} {unmet}"
        if not place:
            return said if said.endswith("```") else f"{said} Fix the condition, then count again."
        return f"{said} {place.sentence(shown=said)} Fix the condition;{place.block(request)}"
    look = (
        "It found nothing: if the data should have some, print a few of the lines or records you meant to "
        "match and compare them with your condition before you answer."
    )
    return f"{look} {place.sentence()} Or:{place.block(request)}" if place else look


def words_printed(request: str, code: str, output: str, cwd: Path) -> str:
    """For a block run for a count ("how many ...") whose every print() shows text written in the block
    and no number: what to print instead, with the block that counts the lines of a file the request
    names holding the word it names in capitals or quotes, where they hold it ("" otherwise).

    Asked how many ERROR lines app.log holds, the 0.5B read the file into a variable, then printed
    'Error lines found' (or 'Error lines in app.log:'), and ran the two blocks in turn until it was
    stopped as going in a circle (log-errors, fresh seeds 57000 and 58000)."""
    if not COUNTED.search(request) or not output.strip() or re.search(r"\d", output):
        return ""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    prints = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    ]
    if not prints or not all(_written(arg) for call in prints for arg in call.args):
        return ""
    said = "It printed only text written in the block, and the request asks how many: print the number itself"
    words = [a or b or c for a, b, c in re.findall(r"\b([A-Z]{3,})\b|'([^'\n]+)'|\"([^\"\n]+)\"", request)]
    for name in files_named(request, cwd):
        rows = text_of(cwd, name).splitlines()[:5000]
        for word in words:
            if any(word in row.split() for row in rows):
                count = f"print(sum(1 for line in open({name!r}) if {word!r} in line.split()))"
                return f"{said}; this block counts the lines of {name} that have {word}:{_fenced(count)}"
    return f"{said}."


def range_and_count_mended(request: str, code: str, output: str) -> str:
    """For a block whose range() stops a little off the bound the request says (`_range_mended`), or
    that was run for a count and printed the list it built (`_length_printed`): what is wrong, with the
    block mended for both ("" when neither is).

    Asked how many primes are smaller than 4002, the 0.5B looped over `range(2, 3998)`, which leaves out
    4001, a prime, printed the list of those it found, answered "20", read off the first of them, and
    told no code printed 20, ran the same block again (primes, fresh seed 61000)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    said = []
    ranged = _range_mended(request, code, tree)
    if ranged:
        said.append(ranged[0])
        code, tree = ranged[1], ast.parse(ranged[1])
    counted = _length_printed(request, code, tree, output)
    if counted:
        said.append(counted[0])
        code = counted[1]
    if not said:
        return ""
    return f"{' '.join(said)} Your block so:{_fenced(code.strip())}" if _short(code) else " ".join(said)


# A request's upper bound: "smaller than 4002" stops before it; "from 1 to 21" takes it in.
_BELOW = re.compile(r"\b(?:(?:smaller|less|lower|fewer)\s+than|below|under)\s+(\d+)(?![\w-]|\.\d)", re.I)
_UP_TO = re.compile(r"\b(?:\d+\s+to|up\s+to|through)\s+(\d+)(?![\w-]|\.\d)", re.I)


def _range_mended(request: str, code: str, tree: ast.Module) -> tuple[str, str] | None:
    """For a request with an upper bound and a range() whose stop, written as a number, is a little off
    it (within 10): a sentence and the code with the stop the request says."""
    below = _BELOW.search(request)
    upto = None if below else _UP_TO.search(request)
    if not below and not upto:
        return None
    bound = int((below or upto).group(1))  # type: ignore[union-attr]
    stop = bound if below else bound + 1
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "range"
            and 1 <= len(node.args) <= 3
        ):
            continue
        end = node.args[0] if len(node.args) == 1 else node.args[1]
        if isinstance(end, ast.Constant) and type(end.value) is int and 0 < abs(end.value - stop) <= 10:
            return (
                f"range(..., {end.value}) goes up to {end.value - 1}, and the request asks for the numbers "
                f"{'below' if below else 'up to'} {bound}: the range must stop at {stop}.",
                _replaced(code, end, str(stop)),
            )
    return None


def _length_printed(request: str, code: str, tree: ast.Module, output: str) -> tuple[str, str] | None:
    """For a count asked, a block whose last line prints one list it built and whose output ends with a
    list: a sentence and the code printing that list's len() instead."""
    last = output.rstrip().splitlines()[-1:] if output.strip() else []
    if not COUNTED.search(request) or not last or not last[0].endswith("]") or "[" not in last[0]:
        return None
    call = tree.body[-1].value if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
        return None
    names = [a.id for a in call.args if isinstance(a, ast.Name)]
    if len(names) != 1:
        return None
    return (
        f"It printed the list {names[0]}, and the request asks how many: print its length, not its items.",
        _replaced(code, call, f"print(len({names[0]}))"),
    )


def _written(node: ast.expr) -> bool:
    """Whether `node` is text written out in the code: a string, or an f-string with no value in it."""
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(part, ast.Constant) for part in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


@dataclass(frozen=True)
class _Place:
    """Where a number the request names sits in the lines of a file: field `index` of line.split()."""

    name: str
    value: str
    index: int
    example: str  # a line that has it there

    def sentence(self, shown: str = "") -> str:
        """Where it is, with the example line unless `shown` (what is said before) already holds it."""
        said = f"In {self.name}, {self.value} is field [{self.index}] of line.split() (counting from 0)"
        example = _shown(self.example)
        return f"{said}." if example in shown else f"{said}, as in: {example}"

    def block(self, request: str) -> str:
        """The clause that gives the block which counts the lines that have it (prints them, where the
        request does not count). Told the field alone, the 1.5B wrote its zero-counting block again word for word (log-404,
        seed 22000); given the call inside a sentence, it did so three times (log-404, held-out seeds
        27000 and 28000). A fenced block to copy is what it took from the checks that write a file. [8:9]
        is [] on a short line."""
        test = f"line.split()[{self.index}:{self.index + 1}] == [{self.value!r}]"
        if COUNTED.search(request):
            code = f"print(sum(1 for line in open({self.name!r}) if {test}))"
            return f" this block counts the lines that have it:{_fenced(code)}"
        code = f"for line in open({self.name!r}):\n    if {test}:\n        print(line, end='')"
        return f" this block prints the lines that have it:{_fenced(code)}"


# The start of a nothing-found hint that proves the condition wrong: the file holds what the request
# asks for, the block tests for that value, and a part of its condition matches no line. Said again at
# each such zero, where the plain nudge is said once (a real "none" costs one look, not a loop).
CANNOT_MATCH = "It found nothing, though the file holds what you test for: your condition cannot match:"
_REQUESTED_VALUE = re.compile(r"\b\d{2,}\b")


def _where_requested(request: str, opened: list[tuple[str, list[str]]]) -> _Place | None:
    """Where a number the request names sits in the lines of a text file the block opened (None when it
    is in none): asked for requests with a 404 status, the 1.5B filtered on the request's path or the
    wrong field in every held-out run; "404 is field [8] of line.split()" is the condition it needed."""
    for name, rows in opened:
        for value in dict.fromkeys(_REQUESTED_VALUE.findall(request)):
            places: dict[int, int] = {}
            for row in rows:
                for i, field in enumerate(row.split()):
                    if field.strip("\"'[](),;") == value:
                        places[i] = places.get(i, 0) + 1
            if places:
                index = max(places, key=lambda i: places[i])
                example = next(r for r in rows if len(r.split()) > index and value in r.split()[index])
                return _Place(name, value, index, example)
    return None


# `open('notes.md')`: the name of a file a block opens, group 2.
OPENED = re.compile(r"""open\(\s*(['"])([^'"\n]+)\1""")
_STARTS = re.compile(r"""\.startswith\(\s*(['"])([^'"\n]+)\1\s*\)""")
_ENDS = re.compile(r"""\.endswith\(\s*(['"])([^'"\n]+)\1\s*\)""")
_IN = re.compile(r"""(['"])([^'"\n]+)\1\s+in\s+[A-Za-z_]\w*\b(?!\s*\()""")
# `parts[2] == '404'`, `line.split()[8] == "404"`: a field by its place.
_FIELD = re.compile(r"""\[(-?\d+)\]\s*==\s*(['"])([^'"\n]+)\2""")
_SPLIT = re.compile(r"""\.split\(\s*(?:(['"])(.+?)\1)?\s*\)""")


def _opened_rows(code: str, cwd: Path) -> list[tuple[str, list[str]]]:
    """The non-blank lines (the first 5,000) of each small text file in `cwd` that `code` opens."""
    opened = []
    for name in dict.fromkeys(m.group(2) for m in OPENED.finditer(code)):
        rows = [line for line in text_of(cwd, name).splitlines() if line.strip()][:5000]
        if rows:
            opened.append((name, rows))
    return opened


def _unmet_condition(code: str, opened: list[tuple[str, list[str]]], request: str = "") -> str:
    """The first literal test in `code` that no line of a text file it opens can pass, said with a line
    of that file as it is (log-404: `line.startswith('GET /img/logo.png')` on lines that start with the
    client's address, and `parts[2] == '404'` where the status is field 8: every held-out run failed).
    A text the request names that the lines hold further in gets the test that finds it."""
    for name, rows in opened:
        example = _shown(rows[0])
        for m in _STARTS.finditer(code):
            text = m.group(2)
            if not any(r.lstrip().startswith(text) for r in rows):
                said = f"no line of {name} starts with {text!r}; they start like this: {example}"
                return said + _inside_test(text, name, rows, request)
        for m in _ENDS.finditer(code):
            if not any(r.rstrip().endswith(m.group(2)) for r in rows):
                return f"no line of {name} ends with {m.group(2)!r}; they end like this: {example}"
        for m in _IN.finditer(code):
            if not any(m.group(2) in r for r in rows):
                return f"no line of {name} contains {m.group(2)!r}; a line: {example}"
        split = _SPLIT.search(code)
        if split is None:  # fields from csv or json: not lines split here, so not checked
            continue
        sep = split.group(2) or None
        sep_text = f"line.split({sep!r})" if sep else "line.split()"
        for m in _FIELD.finditer(code):
            index, value = int(m.group(1)), m.group(3)
            fields = [r.split(sep) for r in rows]
            if any(-len(f) <= index < len(f) and f[index].strip() == value for f in fields):
                continue
            places = sorted({i for f in fields for i, x in enumerate(f) if x.strip() == value})
            if not places:
                return f"{value!r} is never a whole field of {sep_text} in {name}; a line: {example}"
            where = next(r for r, f in zip(rows, fields, strict=True) if value in (x.strip() for x in f))
            return (
                f"{value!r} is never field [{index}] of {sep_text} in {name}; it is field [{places[0]}] "
                f"(counting from 0), as in: {_shown(where)}"
            )
    return ""


def substring_overcount(code: str, cwd: Path) -> str:
    """For a block that tests `'404' in line` on a text file it opens, where the text is one field of
    most lines that hold it and sits inside another field of the rest: how many lines pass, how many hold
    it as that field, a line of the others, and the block testing the field ("" otherwise).

    The 1.5B counted `'404' in line` in access.log, whose byte counts hold 404 too (1404, 4049), and
    answered the larger count (log-404, held-out seed 34000)."""
    opened = _opened_rows(code, cwd)
    if _unmet_condition(code, opened):
        # Another test of the block passes no line: that one is said (nothing_found_hint). Told of the
        # overcount first, the 1.5B tested the field and kept `line.startswith('GET /login')`, which
        # no line passes (log-404, held-out seed 52000).
        return ""
    for name, rows in opened:
        for m in _IN.finditer(code):
            quote, text, line = m.group(1), m.group(2), m.group(0).split()[-1]
            if code[m.end() : m.end() + 1] in (".", "["):
                continue  # `'404' in line.split()[8]`: a part of the line, not the line
            if " " in text or not re.search(rf"\bfor\s+{re.escape(line)}\s+in\b", code):
                continue  # a phrase, or `'x' in lines` (a list's members): not a field of each line
            hits = [r.split() for r in rows if text in r]
            places = Counter(i for fields in hits for i, f in enumerate(fields) if f == text)
            if not places:
                continue
            field, whole = places.most_common(1)[0]
            others = [r for r in rows if text in r and (r.split()[field : field + 1] != [text])]
            if not others or whole < len(others):
                continue  # the text is a field of too few of its lines to say which field is meant
            said = (
                f"{text!r} in {line} is true for {len(hits)} lines of {name}, but {text} is field [{field}] "
                f"of {line}.split() (counting from 0) in only {whole} of them; the other {len(others)} hold it "
                f"inside another field, as in: {_shown(others[0])}. If the request means that field, test it"
            )
            test = f"{line}.split()[{field}] == {quote}{text}{quote}"
            if not _short(code):
                return f"{said}: `{test}`."
            fixed = code.replace(m.group(0), test)
            return f"{said}; your block with that test:{_fenced(fixed)}"
        # The same with the line's end: `line.strip().endswith('404')` passes the lines whose byte count
        # ends in 404 and misses every 404 status, which a byte count follows (log-404, the 0.5B on this
        # CPU, seed 47000: it printed 2 and answered it).
        for m in _ENDS_OF.finditer(code):
            line, quote, text = m.group(1), m.group(2), m.group(3)
            if " " in text or not re.search(rf"\bfor\s+{re.escape(line)}\s+in\b", code):
                continue
            ending = sum(1 for r in rows if r.rstrip().endswith(text))
            places = Counter(i for r in rows for i, f in enumerate(r.split()) if f == text)
            if not places:
                continue
            field, whole = places.most_common(1)[0]
            if whole == ending or whole < 2 * (sum(places.values()) - whole):
                continue  # it counts as the field does, or the text is no one field
            said = (
                f"`{m.group(0)}` is true for {ending} line{'' if ending == 1 else 's'} of {name}, but {text} "
                f"is field [{field}] of "
                f"{line}.split() (counting from 0) in {whole} lines, and a line with it ends otherwise, as in: "
                f"{_shown(next(r for r in rows if r.split()[field : field + 1] == [text]))}. If the request "
                "means that field, test it"
            )
            test = f"{line}.split()[{field}:{field + 1}] == [{quote}{text}{quote}]"
            if not _short(code):
                return f"{said}: `{test}`."
            return f"{said}; your block with that test:{_fenced(code.replace(m.group(0), test))}"
    return ""


# `line.strip().endswith('404')`, `line.endswith("404")`: the line tested and the text its end must be.
_ENDS_OF = re.compile(r"""\b([A-Za-z_]\w*)(?:\.r?strip\(\))?\.endswith\(\s*(['"])([^'"\n]+)\2\s*\)""")


def _inside_test(text: str, name: str, rows: list[str], request: str) -> str:
    """For a text the request names that lines of `name` hold but do not start with: the test that finds
    it and the call that counts those lines ("" when the request does not name it or no line holds it).

    Told no line of app.log starts with 'ERROR', the 1.5B tested `line[0] == "E"`, printed 0 twice and
    the turn ended (log-errors, held-out seed 29000)."""
    if text.lower() not in request.lower() or not any(text in r for r in rows):
        return ""
    whole = " " not in text.strip() and any(text in r.split() for r in rows)
    test = f"{text!r} in line.split()" if whole else f"{text!r} in line"
    # Told the call that counts them inside this sentence, the 0.5B wrote its startswith block again,
    # then one that read the first line alone (log-errors, fresh seed 56000): the block, to begin with.
    if COUNTED.search(request):
        code = f"print(sum(1 for line in open({name!r}) if {test}))"
        return f" It is further in: test `{test}`; this block counts the lines that have it:{_fenced(code)}"
    code = f"for line in open({name!r}):\n    if {test}:\n        print(line, end='')"
    return f" It is further in: test `{test}`; this block prints the lines that have it:{_fenced(code)}"


# Things a request counts or lists whose every value has a shape: one of them, the words of a request
# that ask for it, and the shape, as a pattern a block can use.
_KINDS = (
    ("an email address", re.compile(r"\be-?mails?\b", re.I), ADDRESSES["emails"]),
    ("an IP address", re.compile(r"\bIP(?:v4)?s?\b"), ADDRESSES["ips"]),
    ("a URL", re.compile(r"\b(?:URL|link)s?\b", re.I), r"\bhttps?://[^\s\"'<>]+"),
)
_QUOTED = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")


def unlike_kind_hint(output: str, request: str, cwd: Path, named: Iterable[str]) -> str:
    """What to say when a request asks about email addresses (IP addresses, URLs), the files it names
    hold some, and a block printed several values of which none has that shape ("" otherwise).

    Asked for the distinct addresses in contacts.txt, the 1.5B split each line at "@" and kept the part
    after it, printed ['example.com about nvmwzp', ...] when told to show what it matched, and answered
    the number of lines again (emails: every run on held-out seeds, GPU and CPU). Told to "print a few
    before you count them", it printed five and answered 5 (what to print for a count is said now), and
    given `re.findall(..., text)` it copied `text`, never set (the file is read in the example now)."""
    values = _printed_values(output)
    if len(values) < 2:
        return ""
    for kind, asked, shape in _KINDS:
        if not asked.search(request):
            continue
        pattern = re.compile(shape)
        if any(pattern.search(v) for v in values):
            return ""
        for name in named:
            for number, line in enumerate(text_of(cwd, name).splitlines()[:2000], 1):
                found = pattern.search(line)
                if found:
                    return (
                        f"None of the {len(values)} values printed is {kind}: in {name} one looks like "
                        f"`{found.group(0)}` (line {number}). Match them whole, e.g. found = "
                        f"re.findall(r'{shape}', open({name!r}).read()), then print found[:3] and what "
                        "the request asks of them (len(set(found)) is how many distinct ones there are)."
                    )
    return ""


def _printed_values(output: str) -> list[str]:
    """The values an output shows: the quoted strings of a printed list or set, else its non-blank lines;
    only those with a letter in them (a count is no value to judge)."""
    quoted = [a or b for a, b in _QUOTED.findall(output)]
    values = quoted if quoted else [ln.strip() for ln in output.splitlines() if ln.strip()]
    return [v for v in values if re.search(r"[A-Za-z]", v)]


def _shown(line: str) -> str:
    line = line.rstrip()
    return f"`{line[:120]}{'...' if len(line) > 120 else ''}`"


WRITTEN = "Written so far (localinterp read it; your code did not print it):"


def written_hint(seen: dict[str, tuple[int, int] | None], cwd: Path) -> str:
    """What the files a request asks to write now hold, for each one a block has just created or changed
    ("" when none has). `seen` maps each name (relative to `cwd`) to its size and mtime when last shown,
    and is updated.

    The 1.5B wrote sorted.txt with every name as often as names.txt had it, was told its block "printed
    nothing", and answered "sorted, each name once" (sort-unique: 0 of 3 runs): a block that writes a file
    prints nothing, so the model never saw what it made. It is shown the file as a preview (its shape and
    first lines; for text, how many lines are different) beside the request restated.
    """
    from localinterp.previews import preview

    try:
        root = cwd.resolve()
    except OSError:
        return ""
    parts = []
    for name, before in seen.items():
        path = root / name
        try:
            real = path.resolve()
            if not real.is_relative_to(root) or not real.is_file():
                continue
            st = real.stat()
        except OSError:
            continue
        if (st.st_size, st.st_mtime_ns) == before:
            continue
        seen[name] = (st.st_size, st.st_mtime_ns)
        parts.append(preview(real, root, written=True))
    if not parts:
        return ""
    return WRITTEN + "\n" + "\n".join(parts)


# `query = """SELECT ...` (any quotes, an f-string too): a name given a SQL statement.
_SQL_ASSIGNED = re.compile(
    r"""^[ \t]*(\w+)[ \t]*=[ \t]*[rRfFbBuU]{0,2}(?:\"\"\"|'''|"|')\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE)\b""",
    re.I | re.M,
)


def unused_query_hint(code: str) -> str:
    """For a block that sets a SQL query and never uses it ("" otherwise).

    The 1.5B wrote `query = "SELECT ..."`, then `cursor.fetchone()` without executing it, got None,
    printed "No customer found" and answered that (sqlite-join: 0 of 3 runs in one evaluation).
    """
    uncommented = re.sub(r"#[^\n]*", "", code)  # "# Execute a query ..." is not a use of `query`
    for name in _SQL_ASSIGNED.findall(uncommented):
        if len(re.findall(rf"\b{re.escape(name)}\b", uncommented)) == 1:
            # Told "pass it to cursor.execute(query) before fetching rows", the 1.5B wrote the same block
            # again twice (sqlite-join, fresh seed 10000): the line to add, and where, is what it copies.
            for number, line in enumerate(uncommented.splitlines(), 1):
                fetch = _FETCH.search(line)
                if fetch:
                    run = f"{fetch.group(1)}.execute({name})"
                    said = (
                        f"The block sets {name} to a SQL query but never runs it: add the line `{run}` just "
                        f"before line {number} (`{line.strip()}`), so that there are rows to fetch"
                    )
                    # Told the line and where, the 1.5B wrote its block again unchanged, twice (sqlite-join,
                    # held-out seed 32000): its own block with the line in is what it can copy.
                    lines = code.splitlines()
                    if not _short(code) or len(lines) != len(uncommented.splitlines()):
                        return f"{said}."
                    indent = line[: len(line) - len(line.lstrip())]
                    whole = "\n".join([*lines[: number - 1], indent + run, *lines[number - 1 :]])
                    return f"{said}; your block with it:{_fenced(whole)}"
            return (
                f"The block sets {name} to a SQL query but never runs it: pass it to cursor.execute({name}) "
                "(or conn.execute) before fetching rows."
            )
    return ""


_FETCH = re.compile(r"\b(\w+)\.fetch(?:one|all|many)\(")
_WHOLE_LINES = 40  # a block given back whole with a line added, up to this long


def _short(code: str) -> bool:
    """Whether `code` is short enough to hand back whole (_WHOLE_LINES)."""
    return len(code.splitlines()) <= _WHOLE_LINES


def _fenced(code: str, language: str = "python") -> str:
    """A block handed to the model, after the sentence that says what it does: the 1.5B copies a whole
    fenced block far more often than a call inside a sentence (log-404, sqlite-join, fix-type)."""
    return f"\n```{language}\n{code}\n```"


def _standard(name: str) -> bool:
    return name in sys.stdlib_module_names and not name.startswith("_")


# A block's own words for a file it did not find, without the name: "The config.json file does not
# exist in the specified directory." (raised after os.path.exists), "Error: file not found".
_NOT_FOUND = re.compile(r"FileNotFoundError|No such file|does not exist|not found", re.I)
# An absolute path written in the code as a string: '/tmp/x/config.json'.
_ABSOLUTE = re.compile(r"""["'](/[^"'\n]+)["']""")


def missing_file_hint(
    output: str,
    cwd: Path,
    code: str = "",
    to_write: Iterable[str] = (),
    to_fix: Iterable[str] = (),
    language: str = "python",
) -> str:
    """One line naming files like the ones `output` says are missing ("" when there is nothing to say).
    `code`: the block (in `language`), whose absolute paths outside the working directory are read too
    when the output says a file was not found without naming it, and given back relative when they
    missed the working directory by a folder. A missing file of `to_write` (the files the request
    asks to be written) is one to write, not to look for; one that a script of `to_fix` (the files the
    request asks to be changed) opens by name is a name to correct in that script."""
    try:
        root = cwd.resolve()
    except OSError:
        return ""
    output = unescaped(output)
    names = [name for pattern in _MISSING for name in pattern.findall(output)]
    if _NOT_FOUND.search(output):
        names += [p for p in _ABSOLUTE.findall(code) if not _exists(Path(p))]
    wanted = {os.path.normpath(n) for n in to_write}
    said: list[str] = []
    for name in names:
        if os.path.normpath(name) in wanted:
            # Asked to write people.json, the 1.5B opened it to read first; told of the similar
            # people.csv, it parsed the CSV as JSON and wandered for 78 s (csv-to-json).
            line = (
                f"There is no {name} yet: the request asks you to write it, so create it with code "
                f"(open({name!r}, 'w')) instead of reading it."
            )
        else:
            elsewhere = _glob_elsewhere if _GLOB.search(name) else _similar  # a pattern has no similar names
            line = _in_archive(name, root, language) or elsewhere(name, root, code, language)
            if not line and language == "python":
                line = _listed_without_folder(name, root, code)
            if line:
                line = " ".join(filter(None, (line, _named_in_script(name, root, to_fix))))
        if line and line not in said:
            said.append(line)
    return " ".join(said)


def _in_archive(name: str, root: Path, language: str = "python") -> str:
    """For a missing file that is a member of an archive at the top of `root`: the call (or, for a shell
    block, the command) that reads it ("" otherwise). An absolute `name` inside `root` is looked up by its
    path there: the 1.5B's `cat /tmp/x/work/scyxgiw.txt`, after an unzip that failed (zip-secret, held-out
    seed 33000).

    Told its answer named a member of archive.zip, the 1.5B opened jonlrml.txt as a file, three times,
    after the FileNotFoundError (zip-secret, seed 10000): nothing had said where the file was."""
    path = Path(name)
    if path.is_absolute():
        if not path.is_relative_to(root):
            return ""
        path = path.relative_to(root)
    found = archive_holding(path.as_posix(), root)
    if found is None:
        return ""
    archive, kind, member = found
    if language in _SHELLS:
        read = member_command(kind, archive.name, member)
        return f"{name} is not extracted: it is inside {archive.name}; read it from there with `{read}`."
    # A block, not the call alone: shown `zipfile.ZipFile('archive.zip').read('sumgazh.txt').decode()` in
    # the sentence, the 1.5B wrote open('sumgazh.txt') again, twice (zip-secret, seed 39000 without unzip).
    block = member_block(kind, archive.name, member)
    return f"{name} is not extracted: it is inside {archive.name}; this block reads it from there:{_fenced(block)}"


def _listed_without_folder(name: str, root: Path, code: str) -> str:
    """For a missing bare `name` that is a file in a folder the block listed with os.listdir: that the
    names come without their folder, and the block with the folder joined to them, on the line after the
    one that lists them ("" otherwise, or when the block joins that folder to names further down).

    The 0.5B listed files/ and took `max(files, key=os.path.getsize)`: getsize looked for each name in
    the working directory (largest-file, seeds 47000 and 48000), and nothing said where it was; it
    wrapped the call in an existence test, then ran the same block again."""
    if "/" in name or os.sep in name:
        return ""
    for names, (folder, number) in listed_folders(code).items():
        if folder[:1] in "'\"":
            where = folder[1:-1]
        else:  # a name set to a quoted path: `folder = 'files'`
            spelt = re.search(rf"""^{re.escape(folder)}\s*=\s*(['"])([^'"\n]+)\1\s*$""", code, re.M)
            if not spelt:
                continue
            where = spelt.group(2)
        lines = code.splitlines()
        below = "\n".join(lines[number:])
        if not _exists(root / where / name) or re.search(rf"os\.path\.join\(\s*{re.escape(folder)}", below):
            continue
        joined = f"{names} = [os.path.join({folder}, name) for name in {names}]  # with their folder"
        fixed = "\n".join([*lines[:number], joined, *lines[number:]])
        return (
            f"{name} is in {where.rstrip('/')}/: os.listdir({folder}) gives names without their folder, and "
            f"a name alone is looked for in the working directory. Your block with the folder joined to "
            f"them:{_fenced(fixed)}"
        )
    return ""


_GLOB = re.compile(r"[*?\[]")
_GLOB_FOLDERS = 200  # folders under the working directory looked through for a pattern's matches


def _glob_elsewhere(pattern: str, root: Path, code: str = "", language: str = "python") -> str:
    """For a shell pattern that matched no file (`ls: cannot access '*.jpeg'`) while the one folder under
    `root` it matches in is elsewhere: that folder, and a shell `code` with the pattern written inside it
    ("" otherwise).

    Asked to rename the .jpeg files in pics, the 1.5B ran `for f in *.jpeg` in the working directory and
    then `ls -l -- *.jpeg` five times over, the matches in pics never named (rename, held-out seed 33000).
    """
    if "/" in pattern:
        return ""
    folders: list[Path] = []
    try:
        if any(root.glob(pattern)):
            return ""
        for i, (top, dirs, _names) in enumerate(os.walk(root)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            if i >= _GLOB_FOLDERS or len(folders) > 1:
                break
            if top != str(root) and any(Path(top).glob(pattern)):
                folders.append(Path(top))
    except (OSError, ValueError):  # ValueError: a pattern pathlib refuses ("a**b")
        return ""
    if len(folders) != 1:
        return ""  # nowhere, or in several folders: which one is the model's to choose
    rel = folders[0].relative_to(root).as_posix()
    found = sorted(p.name for p in folders[0].glob(pattern))
    shown = ", ".join(f"{rel}/{n}" for n in found[:MAX_NAMES]) + (", ..." if len(found) > MAX_NAMES else "")
    said = (
        f"{pattern} matched no file in the working directory, where blocks run: its matches are in {rel}/ "
        f"({shown}), so write {rel}/{pattern}"
    )
    token = rf"(?<![\w./-]){re.escape(pattern)}(?![\w./-])"
    lines = code.splitlines()
    if language not in _SHELLS or not re.search(token, code) or not lines or not _short(code):
        return f"{said}."
    fixed = re.sub(token, lambda _: f"{rel}/{pattern}", code)
    return f"{said}; your block with it:{_fenced(fixed, language)}"


# zipfile's `KeyError: "There is no item named 'x.txt' in the archive"`, tarfile's "filename 'x.txt' not
# found".
_NO_MEMBER = re.compile(r"There is no item named '([^'\n]+)' in the archive|filename '([^'\n]+)' not found")


def _member_misspelt(output: str, root: Path, code: str = "", language: str = "python") -> str:
    """For a member an archive at the top of `root` does not have, when one member's name is close to
    it: that name, and `code` with it in place when it is short enough to give back ("" otherwise).

    The 1.5B printed archive.zip's one member, isczsjd.txt, then opened 'iszsjd.txt' and, after the
    KeyError, looked for that name on disk to the check limit (zip-secret, held-out seed 34000)."""
    missing = _NO_MEMBER.search(output)
    if not missing:
        return ""
    name = missing.group(1) or missing.group(2)
    try:
        archives = [p for p in sorted(root.iterdir()) if p.name.lower().endswith(ARCHIVES)][:MAX_ARCHIVES]
    except OSError:
        return ""
    for archive in archives:
        found = archive_members(archive)
        close = difflib.get_close_matches(name, found[1], n=2, cutoff=0.6) if found else []
        if len(close) != 1:
            continue
        said = f"{archive.name} has no member {name}; it has {close[0]}: that is the name to use"
        quoted = re.compile(rf"""(['"]){re.escape(name)}\1""")
        if not quoted.search(code) or not _short(code):
            return f"{said}."
        fixed = quoted.sub(lambda q, right=close[0]: f"{q.group(1)}{right}{q.group(1)}", code)
        return f"{said}; your block with it:{_fenced(fixed, language)}"
    return ""


# A shell's word for a command it cannot find: bash "line 2: unzip: command not found", dash "sh: 1:
# unzip: not found", zsh "command not found: unzip".
_NO_COMMAND = re.compile(
    r"(?:^|: )([a-z][\w.+-]*): (?:command )?not found$|command not found: ([a-z][\w.+-]*)$", re.M
)
# What Python's standard library does in place of a command a block ran.
_PYTHON_INSTEAD = {
    "unzip": "zipfile (zipfile.ZipFile('a.zip').namelist() lists the members, .read(NAME).decode() is one's text)",
    "zipinfo": "zipfile (zipfile.ZipFile('a.zip').namelist() lists the members)",
    "7z": "zipfile or tarfile",
    "sqlite3": "sqlite3 (sqlite3.connect('x.db').execute('SELECT ...').fetchall())",
    "jq": "json (json.load(open('x.json')))",
    "bc": "arithmetic (print(2 ** 64))",
    "xmllint": "xml.etree.ElementTree",
    "csvtool": "csv",
}


def missing_command_hint(output: str, cwd: Path, code: str) -> str:
    """For a block whose command is not installed here ("" otherwise): that nothing can be installed, and
    the Python module that does the same; for unzip, the block that prints the zip's members and, when it
    has one file, that file's text.

    On a GPU machine without unzip, the 1.5B and the 0.5B ran `unzip -p archive.zip NAME` as they were
    told, into "unzip: command not found" each time, to the round limit (zip-secret, 3 of 6 runs)."""
    match = _NO_COMMAND.search(output)
    name = match and (match.group(1) or match.group(2))
    if not name or not re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", code) or shutil.which(name):
        return ""
    said = f"{name} is not installed on this machine, and nothing can be installed: do it in Python"
    if name in _PYTHON_INSTEAD:
        said += f", with its {_PYTHON_INSTEAD[name]}"
    if name in ("unzip", "zipinfo", "7z"):
        from localinterp.previews import archive_members

        named = list(dict.fromkeys(re.findall(r"[\w./-]+\.zip\b", code)))
        if not named:  # `unzip --version`: the one zip here, if there is one
            here = sorted(p.name for p in cwd.glob("*.zip") if p.is_file())
            named = here if len(here) == 1 else []
        for archive in named:
            found = archive_members(cwd / archive) if (cwd / archive).is_file() else None
            if not found or found[0] != "zip":
                continue
            files = [m for m in found[1] if not m.endswith("/")]
            lines = ["import zipfile", f"archive = zipfile.ZipFile({archive!r})", "print(archive.namelist())"]
            if len(files) == 1:
                lines.append(f"print(archive.read({files[0]!r}).decode())")
            return f"{said}. This block does it for {archive}:{_fenced(chr(10).join(lines))}"
    return said + "."


# unzip takes the names after the archive as members to extract: `unzip archive.zip -o -d out` looks
# for a member called -o ("caution: filename not matched:  -o") and extracts nothing (zip-secret, the
# 1.5B on held-out seed 33000, three times).
_UNZIP_OPTION = re.compile(r"caution: filename not matched:\s+(-\w+)")


def _unzip_option_hint(output: str) -> str:
    """For an unzip given its options after the archive's name ("" otherwise)."""
    late = _UNZIP_OPTION.search(output)
    if not late:
        return ""
    return (
        f"unzip read {late.group(1)} as the name of a member to extract, because it came after the "
        f"archive's name, and extracted nothing: write options first (`unzip {late.group(1)} ARCHIVE`)."
    )


def _named_in_script(name: str, root: Path, to_fix: Iterable[str]) -> str:
    """Where a script the request asks to fix spells the missing `name`, as a sentence ("" if none does).

    Told "There is no price.json; the working directory has prices.json" while fixing summary.py, the
    1.5B moved prices.json over summary.py, or into a new folder, and never edited the script (fix-name:
    3 of 4 failed runs in the eighth session's evaluations, one of them destroying the script).
    """
    quoted = re.compile(rf"""(["']){re.escape(name)}\1""")
    for script in to_fix:
        try:
            text = (root / script).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if quoted.search(line):
                said = (
                    f"{script}, the file to fix, names {name!r} on line {number}: correct the name in "
                    f"{script} itself, and leave the data file where it is"
                )
                right = _one_close_name(name, root)
                if not right:
                    return f"{said}."
                # Told only to correct the name, the 1.5B read summary.py, checked for price.json and
                # read summary.py again, in a circle to the step limit (fix-name, held-out seed 22000);
                # given the calls inside the sentence, it printed summary.py and ran its own copy of it
                # again (held-out seed 27000). The whole block is what it copies (log-404's, fix-type's).
                command = run_command(script)
                run = f"\nimport subprocess\nsubprocess.run({command!r})" if command else ""
                fix = (
                    f"source = open({script!r}).read().replace({name!r}, {right!r})\n"
                    f"open({script!r}, 'w').write(source){run}"
                )
                return f"{said}; this block does it{' and runs it' if run else ''}:{_fenced(fix)}"
    return ""


def _one_close_name(name: str, root: Path) -> str:
    """The one file beside where `name` was looked for whose name is close to it, as a path like `name`
    ("" when there is none, or more than one: then the model must choose)."""
    wanted = Path(name)
    try:
        names = [p.name for p in (root / wanted.parent).iterdir() if not p.name.startswith(".")]
    except OSError:
        return ""
    close = difflib.get_close_matches(wanted.name, names, n=2, cutoff=0.6)
    return (wanted.parent / close[0]).as_posix() if len(close) == 1 else ""


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return True  # unreadable: not ours to call missing


def _similar(name: str, root: Path, code: str = "", language: str = "python") -> str:
    wanted = root / name
    try:
        folder = wanted.parent.resolve()
        if folder != root and root not in folder.parents:
            return _misplaced(name, root, code, language)  # outside the working directory: not ours to list
        if wanted.exists():
            return ""
        names = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return ""
    close = difflib.get_close_matches(wanted.name, names, n=MAX_NAMES, cutoff=0.6)
    if not close:
        return ""
    where = "the working directory" if folder == root else f"{folder.relative_to(root).as_posix()}/"
    similar = "a file with a similar name" if len(close) == 1 else "files with similar names"
    return f"There is no {name}; {where} has {similar}: {', '.join(close)}."
