"""The agent evaluation's tasks: requests a person makes of a code interpreter, each with data built from a
seed (so answers cannot be memorised) and a check that reads only what executed code printed and the files
left on disk, never the model's prose.

A task's `setup(folder, rng, values)` writes its data into `folder` and returns the check: a function of
the printed output (every code block's output of the conversation, joined) and the folder, returning True
when the task was done. `values` are the numbers and dates a prompt mentions, drawn from the same seed.
`env` adds environment variables for the chat process.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
import random
import re
import sqlite3
import string
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Check = Callable[[str, Path], bool]
Values = dict[str, object]

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
WORDS = [
    "apple",
    "river",
    "stone",
    "cloud",
    "maple",
    "ember",
    "orbit",
    "lantern",
    "harbor",
    "meadow",
    "quartz",
    "violet",
    "canyon",
    "falcon",
    "willow",
    "summit",
    "copper",
    "breeze",
    "thistle",
    "pebble",
]
NAMES = [
    "alice",
    "bruno",
    "chen",
    "dana",
    "eli",
    "farah",
    "goran",
    "hana",
    "ivan",
    "jules",
    "kira",
    "leo",
    "mona",
    "nils",
    "omar",
    "pia",
]


def numbers_in(text: str) -> list[float]:
    """Every number written in `text` (thousands separators allowed)."""
    found = []
    for raw in _NUMBER.findall(text):
        try:
            found.append(float(raw.replace(",", "")))
        except ValueError:
            continue
    return found


def has_number(text: str, value: float, tolerance: float = 0.01) -> bool:
    """Whether `text` prints `value` (to within rounding to two decimals, or 0.01 % of it)."""
    slack = max(tolerance, abs(value) * 1e-4)
    return any(abs(n - value) <= slack for n in numbers_in(text))


def has_text(text: str, wanted: str) -> bool:
    """Whether `text` contains `wanted`, ignoring case."""
    return wanted.lower() in text.lower()


@dataclass(frozen=True)
class Task:
    """One request, its data and its check."""

    name: str
    prompt: str
    setup: Callable[[Path, random.Random, Values], Check]
    env: Callable[[Values], dict[str, str]] = field(default=lambda _v: {})


def _word(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(n))


# -- files and data -----------------------------------------------------------------------------------


def _products(folder: Path, rng: random.Random) -> list[dict[str, object]]:
    names = rng.sample(WORDS, 8)
    rows = [{"name": n, "price": round(rng.uniform(0.5, 90), 2), "qty": rng.randint(1, 500)} for n in names]
    with (folder / "products.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "price", "qty"])
        w.writeheader()
        w.writerows(rows)
    return rows


def csv_mean(folder: Path, rng: random.Random, v: Values) -> Check:
    rows = _products(folder, rng)
    mean = sum(float(r["price"]) for r in rows) / len(rows)  # type: ignore[arg-type]
    return lambda out, _f: has_number(out, round(mean, 2))


def csv_max(folder: Path, rng: random.Random, v: Values) -> Check:
    rows = _products(folder, rng)
    best = max(rows, key=lambda r: r["qty"])  # type: ignore[arg-type, return-value]
    return lambda out, _f: has_text(out, str(best["name"]))


def csv_count_over(folder: Path, rng: random.Random, v: Values) -> Check:
    rows = _products(folder, rng)
    count = sum(1 for r in rows if float(r["price"]) > 30)  # type: ignore[arg-type]
    return lambda out, _f: has_number(out, count, 0)


def csv_total_value(folder: Path, rng: random.Random, v: Values) -> Check:
    rows = _products(folder, rng)
    total = sum(float(r["price"]) * int(r["qty"]) for r in rows)  # type: ignore[arg-type, call-overload]
    return lambda out, _f: has_number(out, round(total, 2), 0.05)


def json_paid_total(folder: Path, rng: random.Random, v: Values) -> Check:
    orders = [
        {
            "id": i,
            "amount": round(rng.uniform(5, 400), 2),
            "status": rng.choice(["paid", "pending", "refunded"]),
        }
        for i in range(1, rng.randint(15, 30))
    ]
    (folder / "orders.json").write_text(json.dumps(orders, indent=1))
    total = sum(float(o["amount"]) for o in orders if o["status"] == "paid")  # type: ignore[arg-type]
    return lambda out, _f: has_number(out, round(total, 2), 0.02)


def json_nested(folder: Path, rng: random.Random, v: Values) -> Check:
    port = rng.randint(1025, 65000)
    config = {
        "app": {"name": _word(rng), "debug": False},
        "database": {"host": "db.internal", "port": port, "user": _word(rng)},
        "cache": {"port": rng.randint(1025, 65000)},
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return lambda out, _f: has_number(out, port, 0)


def sqlite_count(folder: Path, rng: random.Random, v: Values) -> Check:
    countries = ["France", "Japan", "Brazil", "Kenya", "Canada"]
    db = sqlite3.connect(folder / "shop.db")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, country TEXT)")
    people = [(i, f"{rng.choice(NAMES)} {_word(rng, 4)}", rng.choice(countries)) for i in range(1, 61)]
    db.executemany("INSERT INTO customers VALUES (?, ?, ?)", people)
    db.commit()
    db.close()
    target = "Kenya"
    count = sum(1 for p in people if p[2] == target)
    return lambda out, _f: has_number(out, count, 0)


def sqlite_join(folder: Path, rng: random.Random, v: Values) -> Check:
    db = sqlite3.connect(folder / "shop.db")
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL)")
    names = rng.sample(NAMES, 6)
    db.executemany("INSERT INTO customers VALUES (?, ?)", list(enumerate(names, 1)))
    orders = [(i, rng.randint(1, 6), round(rng.uniform(10, 300), 2)) for i in range(1, 41)]
    db.executemany("INSERT INTO orders VALUES (?, ?, ?)", orders)
    db.commit()
    db.close()
    totals = Counter()
    for _i, cid, total in orders:
        totals[cid] += total
    best = max(totals, key=lambda c: totals[c])
    return lambda out, _f: has_text(out, names[best - 1])


def _access_log(folder: Path, rng: random.Random) -> list[tuple[str, int]]:
    ips = [f"10.0.{rng.randint(0, 9)}.{rng.randint(1, 254)}" for _ in range(6)]
    weights = [rng.randint(1, 9) for _ in ips]
    lines, entries = [], []
    start = dt.datetime(2026, 3, 1, 8, 0, 0)
    for i in range(rng.randint(150, 250)):
        ip = rng.choices(ips, weights)[0]
        status = rng.choices([200, 301, 404, 500], [70, 8, 15, 7])[0]
        path = rng.choice(["/", "/login", "/api/items", "/img/logo.png", "/missing"])
        when = (start + dt.timedelta(seconds=17 * i)).strftime("%d/%b/%Y:%H:%M:%S +0000")
        lines.append(f'{ip} - - [{when}] "GET {path} HTTP/1.1" {status} {rng.randint(200, 9000)}')
        entries.append((ip, status))
    (folder / "access.log").write_text("\n".join(lines) + "\n")
    return entries


def log_404(folder: Path, rng: random.Random, v: Values) -> Check:
    entries = _access_log(folder, rng)
    count = sum(1 for _ip, status in entries if status == 404)
    return lambda out, _f: has_number(out, count, 0)


def log_top_ip(folder: Path, rng: random.Random, v: Values) -> Check:
    entries = _access_log(folder, rng)
    counts = Counter(ip for ip, _s in entries).most_common()
    while len(counts) > 1 and counts[0][1] == counts[1][1]:  # a tie has no single answer: reroll
        entries = _access_log(folder, rng)
        counts = Counter(ip for ip, _s in entries).most_common()
    return lambda out, _f: has_text(out, counts[0][0])


def grep_errors(folder: Path, rng: random.Random, v: Values) -> Check:
    levels = rng.choices(["INFO", "WARNING", "ERROR", "DEBUG"], [50, 15, 10, 25], k=rng.randint(80, 160))
    lines = [
        f"2026-04-0{rng.randint(1, 9)} 12:{i % 60:02d} {lv} worker {rng.randint(1, 9)}: step {i}"
        for i, lv in enumerate(levels)
    ]
    (folder / "app.log").write_text("\n".join(lines) + "\n")
    count = levels.count("ERROR")
    return lambda out, _f: has_number(out, count, 0)


# -- archives -------------------------------------------------------------------------------------------


def zip_secret(folder: Path, rng: random.Random, v: Values) -> Check:
    secret = f"{_word(rng, 5)}-{rng.randint(1000, 9999)}"
    inner = f"{_word(rng, 7)}.txt"
    with zipfile.ZipFile(folder / "archive.zip", "w") as zf:
        zf.writestr(inner, f"the password is {secret}\n")
    return lambda out, _f: has_text(out, secret)


def tar_count(folder: Path, rng: random.Random, v: Values) -> Check:
    n = rng.randint(4, 15)
    with tarfile.open(folder / "bundle.tar.gz", "w:gz") as tf:
        for i in range(n):
            data = f"file {i}\n".encode()
            info = tarfile.TarInfo(f"bundle/part_{_word(rng, 4)}_{i}.dat")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return lambda out, _f: has_number(out, n, 0)


def gzip_lines(folder: Path, rng: random.Random, v: Values) -> Check:
    n = rng.randint(100, 900)
    with gzip.open(folder / "events.txt.gz", "wt") as f:
        for i in range(n):
            f.write(f"event {i} {rng.choice(WORDS)}\n")
    return lambda out, _f: has_number(out, n, 0)


# -- fixing scripts ---------------------------------------------------------------------------------------


def _runs_and_prints(folder: Path, script: str, expected: float, data: tuple[str, str]) -> bool:
    """Whether `script` now runs and prints `expected`, with its data file (name, text) as it was: a
    "fix" that moved the data over the script, or wrote invented data, is not one (the 1.5B did both in
    a fix-name run that the eighth session counted as solved)."""
    name, text = data
    try:
        if (folder / name).read_text() != text:
            return False
    except OSError:
        return False
    try:
        done = subprocess.run(
            [sys.executable, script], cwd=folder, capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and has_number(done.stdout, expected)


def fix_script(folder: Path, rng: random.Random, v: Values) -> Check:
    values = [rng.randint(1, 99) for _ in range(rng.randint(5, 12))]
    numbers = "\n".join(map(str, values)) + "\n"
    (folder / "numbers.txt").write_text(numbers)
    (folder / "report.py").write_text(
        "total = 0\n"
        "for line in open('numbers.txt'):\n"
        "    total = total + line.strip()\n"
        "print('total:', total)\n"
    )
    return lambda _out, f: _runs_and_prints(f, "report.py", sum(values), ("numbers.txt", numbers))


def fix_script_name(folder: Path, rng: random.Random, v: Values) -> Check:
    prices = {w: rng.randint(2, 60) for w in rng.sample(WORDS, 5)}
    data = json.dumps(prices)
    (folder / "prices.json").write_text(data)
    (folder / "summary.py").write_text(
        "import json\ndata = json.load(open('price.json'))\nprint('most expensive:', max(data.values()))\n"
    )
    return lambda _out, f: _runs_and_prints(f, "summary.py", max(prices.values()), ("prices.json", data))


# -- files and folders ---------------------------------------------------------------------------------------


def largest_file(folder: Path, rng: random.Random, v: Values) -> Check:
    files = folder / "files"
    files.mkdir()
    sizes = rng.sample(range(100, 50_000), 7)
    names = [f"{_word(rng, 5)}.bin" for _ in sizes]
    for name, size in zip(names, sizes, strict=True):
        (files / name).write_bytes(b"x" * size)
    return lambda out, _f: has_text(out, names[sizes.index(max(sizes))])


def count_txt(folder: Path, rng: random.Random, v: Values) -> Check:
    n = 0
    for d in range(rng.randint(2, 4)):
        sub = folder / "docs" / f"section{d}" / ("deep" if d % 2 else "")
        sub.mkdir(parents=True, exist_ok=True)
        for _ in range(rng.randint(1, 5)):
            (sub / f"{_word(rng)}.txt").write_text("notes\n")
            n += 1
        (sub / f"{_word(rng)}.md").write_text("# not a txt\n")
    return lambda out, _f: has_number(out, n, 0)


def rename_ext(folder: Path, rng: random.Random, v: Values) -> Check:
    pics = folder / "pics"
    pics.mkdir()
    names = [_word(rng) for _ in range(rng.randint(3, 7))]
    for name in names:
        (pics / f"{name}.jpeg").write_bytes(b"\xff\xd8fake")
    (pics / "keep.png").write_bytes(b"png")

    def check(_out: str, f: Path) -> bool:
        got = sorted(p.name for p in (f / "pics").iterdir())
        return got == sorted([*(f"{n}.jpg" for n in names), "keep.png"])

    return check


def write_numbers(_folder: Path, rng: random.Random, v: Values) -> Check:
    def check(_out: str, f: Path) -> bool:
        path = f / "numbers.txt"
        return path.is_file() and path.read_text().split() == [str(i) for i in range(1, int(v["n"]) + 1)]  # type: ignore[call-overload]

    return check


def csv_to_json(folder: Path, rng: random.Random, v: Values) -> Check:
    rows = [{"name": rng.choice(NAMES), "age": str(rng.randint(18, 90))} for _ in range(rng.randint(4, 9))]
    with (folder / "people.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "age"])
        w.writeheader()
        w.writerows(rows)

    def check(_out: str, f: Path) -> bool:
        try:
            data = json.loads((f / "people.json").read_text())
        except (OSError, ValueError):
            return False
        return (
            isinstance(data, list)
            and [{"name": str(d.get("name")), "age": str(d.get("age"))} for d in data if isinstance(d, dict)]
            == rows
        )

    return check


def sort_unique(folder: Path, rng: random.Random, v: Values) -> Check:
    names = [rng.choice(NAMES) for _ in range(rng.randint(15, 30))]
    (folder / "names.txt").write_text("\n".join(names) + "\n")

    def check(_out: str, f: Path) -> bool:
        path = f / "sorted.txt"
        return path.is_file() and path.read_text().split() == sorted(set(names))

    return check


def out_of_stock(folder: Path, rng: random.Random, v: Values) -> Check:
    items = [{"item": w, "stock": rng.choice([0, 0, rng.randint(1, 40)])} for w in rng.sample(WORDS, 10)]
    (folder / "inventory.json").write_text(json.dumps(items, indent=1))
    wanted = sorted(i["item"] for i in items if i["stock"] == 0)

    def check(_out: str, f: Path) -> bool:
        path = f / "out_of_stock.txt"
        return path.is_file() and sorted(path.read_text().split()) == wanted

    return check


# -- computing instead of guessing -------------------------------------------------------------------------


def date_diff(_folder: Path, rng: random.Random, v: Values) -> Check:
    return lambda out, _f: has_number(out, v["days"], 0)  # type: ignore[arg-type]


def weekday(_folder: Path, rng: random.Random, v: Values) -> Check:
    return lambda out, _f: has_text(out, dt.date.fromisoformat(str(v["a"])).strftime("%A"))


def multiply(_folder: Path, rng: random.Random, v: Values) -> Check:
    return lambda out, _f: has_number(out, v["x"] * v["y"], 0)  # type: ignore[operator]


def primes_below(_folder: Path, rng: random.Random, v: Values) -> Check:
    n = int(v["pn"])  # type: ignore[call-overload]
    sieve = bytearray([1]) * n
    sieve[:2] = b"\0\0"
    for i in range(2, int(n**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytearray(len(sieve[i * i :: i]))
    return lambda out, _f: has_number(out, sum(sieve), 0)


def digit_sum(_folder: Path, rng: random.Random, v: Values) -> Check:
    digits = str(math.factorial(int(v["fn"])))  # type: ignore[call-overload]
    return lambda out, _f: has_number(out, sum(int(c) for c in digits), 0)


def env_value(_folder: Path, rng: random.Random, v: Values) -> Check:
    return lambda out, _f: has_text(out, str(v["token"]))


def sha_prefix(folder: Path, rng: random.Random, v: Values) -> Check:
    data = rng.randbytes(4096)
    (folder / "secret.bin").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return lambda out, _f: has_text(out, digest[:16])


def duplicate_number(folder: Path, rng: random.Random, v: Values) -> Check:
    values = rng.sample(range(1000, 9999), 40)
    dup = rng.choice(values)
    values.insert(rng.randint(0, 40), dup)
    numbers = "\n".join(map(str, values)) + "\n"
    (folder / "numbers.txt").write_text(numbers)
    return lambda out, _f: has_number(out, dup, 0)


def unique_words_shell(folder: Path, rng: random.Random, v: Values) -> Check:
    words = [rng.choice(WORDS[: rng.randint(8, 20)]) for _ in range(rng.randint(60, 120))]
    (folder / "words.txt").write_text(" ".join(words) + "\n")
    return lambda out, _f: has_number(out, len(set(words)), 0)


def region_sales(folder: Path, rng: random.Random, v: Values) -> Check:
    regions = ["north", "south", "east", "west"]
    rows = [(rng.choice(regions), rng.randint(10, 999)) for _ in range(rng.randint(30, 60))]
    with (folder / "sales.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["region", "amount"])
        w.writerows(rows)
    totals = Counter()
    for region, amount in rows:
        totals[region] += amount
    best, total = totals.most_common(1)[0]
    return lambda out, _f: has_text(out, best) and has_number(out, total, 0)


def meeting_date(folder: Path, rng: random.Random, v: Values) -> Check:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
    notes = [f"- {_word(rng)} {_word(rng)}" for _ in range(rng.randint(5, 12))]
    notes.insert(
        rng.randint(0, len(notes)), f"- The meeting is on {day.isoformat()} in room {rng.randint(1, 40)}."
    )
    (folder / "notes.md").write_text("# Notes\n" + "\n".join(notes) + "\n")
    return lambda out, _f: has_text(out, day.isoformat())


def email_count(folder: Path, rng: random.Random, v: Values) -> Check:
    emails = [f"{n}.{_word(rng, 3)}@example.{rng.choice(['com', 'org'])}" for n in rng.sample(NAMES, 8)]
    lines = [
        f"{rng.choice(['Call', 'Mail', 'Ping'])} {rng.choice(emails)} about {_word(rng)}" for _ in range(25)
    ]
    (folder / "contacts.txt").write_text("\n".join(lines) + "\n")
    distinct = len({e for line in lines for e in re.findall(r"\S+@\S+", line)})
    return lambda out, _f: has_number(out, distinct, 0)


def word_count(folder: Path, rng: random.Random, v: Values) -> Check:
    words = [rng.choice(WORDS) for _ in range(rng.randint(200, 600))]
    text = ""
    for i, w in enumerate(words):
        text += w + ("\n" if i % 11 == 10 else " ")
    (folder / "essay.txt").write_text(text)
    return lambda out, _f: has_number(out, len(words), 0)


def draw(rng: random.Random) -> Values:
    """The values a prompt can mention ({a}, {b}, {x}, ...), drawn from the task's seed first."""
    a = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
    b = a + dt.timedelta(days=rng.randint(30, 3000))
    x, y = rng.randint(1000, 99999), rng.randint(1000, 99999)
    return {
        "a": a.isoformat(), "b": b.isoformat(), "days": (b - a).days, "x": x, "y": y,
        "pn": x % 4000 + 1000, "fn": y % 50 + 50, "n": rng.randint(12, 40),
        "token": f"{_word(rng, 4)}-{rng.randint(100000, 999999)}",
    }  # fmt: skip


TASKS: tuple[Task, ...] = (
    Task("csv-mean", "What is the average price in products.csv?", csv_mean),
    Task("csv-max", "Which product in products.csv has the largest qty?", csv_max),
    Task("csv-count", "How many products in products.csv cost more than 30?", csv_count_over),
    Task(
        "csv-value",
        "What is the total stock value (price times qty, summed) in products.csv?",
        csv_total_value,
    ),
    Task("json-sum", "What is the total amount of the paid orders in orders.json?", json_paid_total),
    Task("json-nested", "Which port does the database use according to config.json?", json_nested),
    Task("sqlite-count", "How many customers in the sqlite database shop.db are from Kenya?", sqlite_count),
    Task(
        "sqlite-join",
        "In shop.db, which customer has the highest sum of order totals? Give their name.",
        sqlite_join,
    ),
    Task("log-404", "How many requests in access.log got a 404 status?", log_404),
    Task("log-top-ip", "Which IP address made the most requests in access.log?", log_top_ip),
    Task("log-errors", "How many ERROR lines are in app.log?", grep_errors),
    Task("zip-secret", "Unzip archive.zip and tell me the password written in the file inside.", zip_secret),
    Task("tar-count", "How many files are inside bundle.tar.gz?", tar_count),
    Task("gzip-lines", "How many lines does events.txt.gz have once decompressed?", gzip_lines),
    Task(
        "fix-type",
        "report.py crashes. Fix it so that it prints the total of numbers.txt, and run it.",
        fix_script,
    ),
    Task("fix-name", "summary.py crashes. Fix it and run it.", fix_script_name),
    Task("largest-file", "Which file in the folder files is the largest?", largest_file),
    Task("count-txt", "How many .txt files are there under docs, including subfolders?", count_txt),
    Task("rename", "Rename every .jpeg file in the pics folder to end in .jpg instead.", rename_ext),
    Task(
        "write-numbers",
        "Create numbers.txt containing the whole numbers from 1 to {n}, one per line.",
        write_numbers,
    ),
    Task(
        "csv-to-json",
        "Convert people.csv to people.json: a JSON list of objects with the same keys and values as strings.",
        csv_to_json,
    ),
    Task(
        "sort-unique",
        "Write the names from names.txt to sorted.txt, sorted alphabetically, each name once, one per line.",
        sort_unique,
    ),
    Task(
        "out-of-stock",
        "Write the items of inventory.json whose stock is 0 to out_of_stock.txt, one per line.",
        out_of_stock,
    ),
    Task("date-diff", "How many days are there between {a} and {b}?", date_diff),
    Task("weekday", "What day of the week was {a}?", weekday),
    Task("multiply", "What is {x} times {y}?", multiply),
    Task("primes", "How many prime numbers are smaller than {pn}?", primes_below),
    Task("digit-sum", "What is the sum of the digits of {fn} factorial?", digit_sum),
    Task(
        "env-var",
        "What is the value of the environment variable LI_EVAL_TOKEN?",
        env_value,
        env=lambda v: {"LI_EVAL_TOKEN": str(v["token"])},
    ),
    Task("sha256", "What are the first 16 hex digits of the sha256 of secret.bin?", sha_prefix),
    Task("duplicate", "One number appears twice in numbers.txt. Which one?", duplicate_number),
    Task("unique-words", "Using a shell command, count the distinct words in words.txt.", unique_words_shell),
    Task(
        "region-sales",
        "Which region in sales.csv has the highest total amount, and what is that total?",
        region_sales,
    ),
    Task("meeting", "According to notes.md, on which date is the meeting?", meeting_date),
    Task("emails", "How many distinct email addresses appear in contacts.txt?", email_count),
    Task("word-count", "How many words does essay.txt contain?", word_count),
)


def prepare_task(task: Task, folder: Path, seed: int) -> tuple[str, Check, dict[str, str]]:
    """Build `task`'s data in `folder` from `seed`: its prompt, check and extra environment."""
    rng = random.Random(seed)
    values = draw(rng)
    check = task.setup(folder, rng, values)
    return task.prompt.format(**values), check, task.env(values)
