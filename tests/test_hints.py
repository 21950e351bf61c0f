"""A failed block comes back to the model with what it needs for a better next attempt: the similar names of
a file it says is missing, or that a standard module needs only an import."""

from __future__ import annotations

from scripted import Scripted, converse

from localinterp.hints import failure_hint, missing_file_hint, module_hint, nothing_found_hint


def test_a_missing_file_is_answered_with_the_similar_names_beside_it(tmp_path):
    (tmp_path / "prices.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    python = "FileNotFoundError: [Errno 2] No such file or directory: 'price.json'"
    assert missing_file_hint(python, tmp_path) == (
        "There is no price.json; the working directory has a file with a similar name: prices.json."
    )
    for shell in (
        "cat: price.json: No such file or directory\n",
        "ls: cannot access 'price.json': No such file or directory\n",
        f"python3: can't open file '{tmp_path}/price.json': [Errno 2] No such file or directory\n",
    ):
        assert "similar name: prices.json" in missing_file_hint(shell, tmp_path), shell
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.log").write_text("")
    assert missing_file_hint("No such file or directory: 'logs/ap.log'", tmp_path) == (
        "There is no logs/ap.log; logs/ has a file with a similar name: app.log."
    )


def test_an_absolute_path_that_missed_the_working_directory_is_given_the_relative_one(tmp_path):
    # The 0.5B dropped the last folder of the working directory from its absolute paths.
    work = tmp_path / "work"
    (work / "pics").mkdir(parents=True)
    (work / "config.json").write_text("{}")
    said = missing_file_hint(f"No such file or directory: '{tmp_path}/pics'", work)
    assert (
        said
        == f"There is no {tmp_path}/pics; the working directory {work.resolve()} has pics: use that relative path."
    )
    assert "has config.json" in missing_file_hint(
        f"No such file or directory: '{tmp_path}/config.json'", work
    )
    # Only names inside the working directory are offered, whatever the missing path says.
    assert missing_file_hint(f"No such file or directory: '{tmp_path}/work2/../nothing'", work) == ""


def test_nothing_is_said_when_nothing_is_similar_or_the_folder_is_not_ours(tmp_path):
    (tmp_path / "prices.json").write_text("{}")
    assert missing_file_hint("No such file or directory: 'zebra.csv'", tmp_path) == ""
    assert missing_file_hint("No such file or directory: '/etc/passwd.bak'", tmp_path) == ""
    assert missing_file_hint("No such file or directory: '../prices.json'", tmp_path) == ""
    assert missing_file_hint("ZeroDivisionError: division by zero", tmp_path) == ""


def test_the_model_reads_the_hint_with_the_error_and_it_is_kept_as_it_was_seen(tmp_path):
    (tmp_path / "prices.json").write_text('{"a": 3}')
    engine = Scripted(
        ("python", "import json; json.load(open('price.json'))"),
        ("python", "import json; print(json.load(open('prices.json')))"),
        "It holds a: 3.",
    )
    session, _chunks = converse(engine, tmp_path, "What is in price.json?")
    told = engine.seen[1][-1].content
    assert "FileNotFoundError" in told and "similar name: prices.json" in told
    failed = session.messages[2]
    assert failed.status == "error" and failed.context and "prices.json" in failed.context
    # Files that appear later do not rewrite what the model was told before.
    (tmp_path / "price.json").write_text("{}")
    assert "similar name: prices.json" in session.chat_messages()[3].content


def test_a_standard_module_used_without_import_or_asked_of_pip_is_named_as_such(tmp_path):
    assert module_hint("NameError: name 'datetime' is not defined") == (
        "datetime is a module of Python's standard library: add `import datetime` to the block."
    )
    assert module_hint("ERROR: No matching distribution found for json\n") == (
        "json comes with Python (its standard library): import it; there is nothing to install."
    )
    assert "csv comes with Python" in module_hint(
        "ERROR: Could not find a version that satisfies the requirement csv (from versions: none)"
    )
    # A name of the block's own, or a real package pip could not reach, is not a standard module.
    assert module_hint("NameError: name 'content' is not defined") == ""
    assert module_hint("ERROR: No matching distribution found for pandas") == ""
    (tmp_path / "data.csv").write_text("")
    both = "No such file or directory: 'dta.csv'\nNameError: name 'tarfile' is not defined"
    assert failure_hint(both, tmp_path) == (
        "There is no dta.csv; the working directory has a file with a similar name: data.csv. "
        "tarfile is a module of Python's standard library: add `import tarfile` to the block."
    )


def test_a_result_that_found_nothing_is_looked_at_once_before_the_answer(tmp_path):
    # The 1.5B matched lines ending in " 404" (the size follows the status), printed 0 and answered
    # "no 404s" in every run.
    for found_nothing in ("0\n", "Total requests with a 404 status: 0\n", "[]\n", "count = 0\n", "set()\n"):
        assert "print a few of the lines or records you meant to match" in nothing_found_hint(found_nothing)
    for found_some in ("42\n", "0\n1\n2\n3\n", "3.0\n", "", "10 requests\n"):
        assert nothing_found_hint(found_some) == "", found_some
    (tmp_path / "access.log").write_text('1.2.3.4 "GET /x" 404 512\n1.2.3.4 "GET /" 200 90\n')
    engine = Scripted(
        ("python", "print(sum(line.endswith(' 404') for line in open('access.log')))"),
        ("python", "print(sum(line.split()[-2] == '404' for line in open('access.log')))"),
        ("python", "print(sum(line.split()[-2] == '500' for line in open('access.log')))"),
        "One request got a 404; none got a 500.",
    )
    session, _chunks = converse(engine, tmp_path, "How many requests in access.log got a 404 status?")
    assert "It found nothing" in engine.seen[1][-1].content
    assert [m.content for m in session.messages if m.role == "output"] == ["0\n", "1\n", "0\n"]
    # Once a request: the second zero is an answer, not a doubt; and what the model saw stays as it was.
    assert "It found nothing" not in engine.seen[3][-1].content
    assert "It found nothing" in session.chat_messages()[3].content
