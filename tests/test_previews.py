"""What the model is told of the files a request names: their shape (keys, columns, line counts, member
names, a script's source), never an excerpt it could take for the whole data."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import os
import sqlite3
import tarfile
import zipfile
from pathlib import Path

from localinterp.previews import mentioned_files, preview, previews_for


def shown(folder: Path, name: str) -> str:
    return preview((folder / name).resolve(), folder)


def test_a_json_file_is_described_by_its_keys_and_types_and_none_of_its_values(tmp_path):
    orders = [{"id": i, "amount": 10.5 * i, "status": "paid" if i % 2 else "open"} for i in range(20)]
    orders[3]["note"] = "rush"  # a key only some items have is still named
    (tmp_path / "orders.json").write_text(json.dumps(orders, indent=1))
    text = shown(tmp_path, "orders.json")
    # A text field with a few repeated values is a category: its values are what a condition names ("the
    # paid orders"), so they are shown; one-off text and numbers are data, and are not.
    assert '[20 × {"id": number, "amount": number, "status": text ("open" or "paid"), "note": text}]' in text
    assert "31.5" not in text and "rush" not in text
    config = {"app": {"debug": False}, "database": {"host": "db", "port": 44392}, "tags": []}
    (tmp_path / "config.json").write_text(json.dumps(config))
    text = shown(tmp_path, "config.json")
    assert '"database": {"host": text, "port": number}' in text and '"tags": [] (empty)' in text
    assert "44392" not in text and "db" not in text.replace("config.json", "")


def test_a_csv_file_shows_its_columns_their_kinds_and_its_row_count_and_no_row(tmp_path):
    with (tmp_path / "people.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "age", "height", "born"])
        w.writerows([["leo", 71, 1.8, "1955-01-02"], ["ivan", 57, "", "1969-03-04"], ["nils", 24, 2, "x"]])
    text = shown(tmp_path, "people.csv")
    size = (tmp_path / "people.csv").stat().st_size
    assert text == (
        f"people.csv: a CSV file of {size} bytes, 3 data rows; columns: name (text, index 0), "
        "age (whole number, index 1), height (number, index 2), born (text, index 3)"
    )
    with (tmp_path / "sales.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "rep", "amount"])
        w.writerows([["North" if i % 3 else "South", f"rep{i}", i] for i in range(12)])
    assert 'region (text: "North" or "South", index 0), rep (text, index 1)' in shown(tmp_path, "sales.csv")
    (tmp_path / "t.tsv").write_text("day\tn\n2026-01-01\t3\n")
    assert "a TSV file" in shown(
        tmp_path, "t.tsv"
    ) and "day (date YYYY-MM-DD, index 0), n (whole number, index 1)" in shown(tmp_path, "t.tsv")


def test_a_text_file_shows_its_first_lines_and_says_how_many_are_not_shown(tmp_path):
    lines = [f"line {i}" for i in range(1, 41)]
    (tmp_path / "app.log").write_text("\n".join(lines) + "\n")
    text = shown(tmp_path, "app.log")
    assert "40 lines; lines 1-3 (37 more not shown)" in text
    assert "line 3\n" in text and "line 4\n" not in text
    (tmp_path / "short.txt").write_text("only\ntwo\n")
    assert "2 lines:\n```text\nonly\ntwo\n```" in shown(tmp_path, "short.txt")  # whole: nothing hidden
    (tmp_path / "wide.txt").write_text("word " * 100)
    assert "(line cut)" in shown(tmp_path, "wide.txt")  # a long line is not passed off as whole


def test_a_short_script_is_shown_whole_with_the_command_that_runs_it(tmp_path):
    source = "total = 0\nfor line in open('numbers.txt'):\n    total = total + line.strip()\nprint(total)"
    (tmp_path / "report.py").write_text(source + "\n")
    text = shown(tmp_path, "report.py")
    runs = "python report.py" if os.name == "nt" else "python3 report.py"
    assert "report.py: a script of" in text and f"(runs with: {runs})" in text
    assert source in text
    (tmp_path / "long.py").write_text("".join(f"x{i} = {i}\n" for i in range(400)))
    text = shown(tmp_path, "long.py")
    assert "400 lines" in text and "x19 = 19" in text and "x20 = 20" not in text


def test_archives_show_a_few_member_names_and_leave_counting_to_code(tmp_path):
    with zipfile.ZipFile(tmp_path / "one.zip", "w") as zf:
        zf.writestr("vjzxmtd.txt", "the password is hunter2\n")
    text = shown(tmp_path, "one.zip")
    assert "members: vjzxmtd.txt" in text and "hunter2" not in text
    for i in range(9):
        (tmp_path / f"part_{i}.dat").write_text("x")
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tf:
        for i in range(9):
            tf.add(tmp_path / f"part_{i}.dat", arcname=f"bundle/part_{i}.dat")
    text = shown(tmp_path, "bundle.tar.gz")
    assert "bundle/part_4.dat, … (list them with code for the rest)" in text
    assert "part_5" not in text and "9" not in text.replace(
        f"{(tmp_path / 'bundle.tar.gz').stat().st_size}", ""
    )


def test_a_database_shows_its_tables_and_binary_files_only_their_size(tmp_path):
    db = sqlite3.connect(tmp_path / "shop.db")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO customers (name) VALUES ('Ada')")
    db.commit()
    db.close()
    text = shown(tmp_path, "shop.db")
    assert "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)" in text and "Ada" not in text
    (tmp_path / "secret.bin").write_bytes(bytes(range(256)) * 4)
    assert shown(tmp_path, "secret.bin") == "secret.bin: a binary file of 1,024 bytes"


def test_a_compressed_file_is_shown_as_binary(tmp_path):
    # Told how to read events.txt.gz's text, the 1.5B printed all of it and answered from what it saw.
    lines = b"".join(b"event %d\n" % i for i in range(500))
    for name, pack in (
        ("events.txt.gz", gzip.compress),
        ("e.txt.bz2", bz2.compress),
        ("e.txt.xz", lzma.compress),
    ):
        (tmp_path / name).write_bytes(pack(lines))
        size = (tmp_path / name).stat().st_size
        assert shown(tmp_path, name) == f"{name}: a binary file of {size:,} bytes"
    # Ordinary text that begins like bzip2's magic is still text.
    (tmp_path / "notes.txt").write_text("BZh is how this line begins\n")
    assert "binary" not in shown(tmp_path, "notes.txt")


def test_only_files_inside_the_working_directory_that_the_request_names_are_previewed(tmp_path):
    inside = tmp_path / "work"
    inside.mkdir()
    (inside / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "outside.txt").write_text("private\n")
    request = "Compare data.csv with ../outside.txt and /etc/passwd and missing.txt."
    assert mentioned_files(request, inside) == [(inside / "data.csv").resolve()]
    note = previews_for(request, inside)
    assert note.startswith("(localinterp: what the files named above look like; their data is not shown")
    assert "private" not in note and "root:" not in note
    assert previews_for("What is 2 + 2?", inside) == ""


def test_a_folder_named_with_its_slash_is_listed_and_a_bare_word_is_not(tmp_path):
    # A bare word naming a folder ("under docs") was listed too, measured and taken out: the 1.5B then
    # listed the folder in Python first and answered without renaming or walking it (docs/EVAL.md).
    (tmp_path / "docs" / "section0").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("x")
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "1.jpeg").write_bytes(b"")
    assert previews_for("Count the files under docs/.", tmp_path).endswith(
        "\ndocs/ holds 2 entries: a.md, section0/"
    )
    assert previews_for("Rename the files in pics/.", tmp_path).endswith("pics/ holds 1 entry: 1.jpeg")
    assert previews_for("How many .txt files are there under docs?", tmp_path) == ""
