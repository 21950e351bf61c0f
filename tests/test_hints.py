"""A failed block comes back to the model with what it needs for a better next attempt: the similar names of
a file it says is missing, or that a standard module needs only an import."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import zipfile

import pytest
from scripted import Scripted, approving, converse, given_block, run_given

from localinterp.claims import archive_unopened, group_totals_unsummed
from localinterp.hints import (
    CANNOT_MATCH,
    _converted,
    binary_as_text_hint,
    case_never_matches,
    closed_hint,
    command_text_run,
    conversion_hint,
    digit_test_skips,
    failure_hint,
    key_on_text_hint,
    list_keyed_hint,
    missing_command_hint,
    missing_file_hint,
    module_hint,
    named_otherwise,
    nothing_found_hint,
    python_bangs,
    range_and_count_mended,
    script_unrun,
    self_compared,
    set_by_a_failed_block,
    shell_bangs,
    shell_lines,
    split_query,
    stderr_unprinted,
    substring_overcount,
    unfiltered_find,
    ungrouped_aggregate,
    unlike_kind_hint,
    unprinted_result,
    unsaved_edit,
    unsummed_order,
    unused_query_hint,
    used_before_set,
    words_printed,
    written_hint,
)
from localinterp.session import MAX_CHECKS, Recheck


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
        "The price.json file does not exist.\n",  # the block's own message, after its existence test
    ):
        assert "similar name: prices.json" in missing_file_hint(shell, tmp_path), shell
    # In a script the request asks to fix, the misspelt name is the bug: the 1.5B, told only of
    # prices.json, moved it over summary.py.
    (tmp_path / "summary.py").write_text("import json\ndata = json.load(open('price.json'))\n")
    told = missing_file_hint(python, tmp_path, to_fix=["summary.py"])
    assert told.endswith(
        "prices.json. summary.py, the file to fix, names 'price.json' on line 2: correct the name in "
        "summary.py itself, and leave the data file where it is; this block does it and runs it:\n"
        "```python\nsource = open('summary.py').read().replace('price.json', 'prices.json')\n"
        "open('summary.py', 'w').write(source)\nimport subprocess\nsubprocess.run(['python3', 'summary.py'])\n```"
    )
    # A CompletedProcess printed whole shows the error escaped in its repr: the name is read there too
    # (the 1.5B printed one after `print(result)`: fix-name, held-out seed 31000).
    done = subprocess.run(
        [sys.executable, "summary.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert "\\'price.json\\'" in repr(done)
    assert failure_hint(f"{done!r}\n", tmp_path, to_fix=["summary.py"]) == told
    # It runs as given: the script is mended, and runs.
    ran = run_given(told, tmp_path)
    assert ran.returncode == 0 and "price.json" not in ran.stderr, ran.stderr
    assert "open('prices.json')" in (tmp_path / "summary.py").read_text()
    (tmp_path / "summary.py").write_text("import json\ndata = json.load(open('price.json'))\n")
    (tmp_path / "prices.csv").write_text("")  # two names close to it: the model must choose
    assert missing_file_hint(python, tmp_path, to_fix=["summary.py"]).endswith(
        "on line 2: correct the name in summary.py itself, and leave the data file where it is."
    )
    assert "the file to fix" not in missing_file_hint(python, tmp_path, to_fix=["notes.txt", "gone.py"])
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.log").write_text("")
    assert missing_file_hint("No such file or directory: 'logs/ap.log'", tmp_path) == (
        "There is no logs/ap.log; logs/ has a file with a similar name: app.log."
    )


def test_the_replies_after_a_handed_fix_are_blocks_begun_with_it(
    tmp_path,
):
    # Handed the block that mends summary.py, the 1.5B wrote its plan again from step 1 and, with it,
    # the failing block, until the turn ended (fix-name, held-out seed 33000).
    (tmp_path / "prices.json").write_text('{"a": 2}')
    (tmp_path / "summary.py").write_text("import json\ndata = json.load(open('price.json'))\nprint(data)\n")
    failing = "import json\ndata = json.load(open('price.json'))"
    fix = (
        "source = open('summary.py').read().replace('price.json', 'prices.json')\n"
        "open('summary.py', 'w').write(source)\nimport subprocess\nsubprocess.run(['python3', 'summary.py'])"
    )
    engine = Scripted(("python", failing), ("python", failing), ("python", fix), "Fixed: it prints {'a': 2}.")
    converse(engine, tmp_path, "summary.py crashes. Fix it and run it.")
    assert f"this block does it and runs it:\n```python\n{fix}\n```" in engine.seen[2][-1].content
    # After the hint that hands the block, and after the refusal with the block in it: a block, begun
    # with the handed one. Told so in a hint, the 0.5B wrote a page on the error and its own block
    # (json-nested, log-errors, rename: seeds 53000-55000).
    assert engine.forced == [False, True, True, False]
    assert engine.starts[1] == engine.starts[2] == f"```python\n{fix}\n"
    # Refused with no block to copy, the reply stays free (a plan may be what it needs).
    engine = Scripted(("python", "print(1/0)"), ("python", "print(1/0)"), "It has no value: 1/0 fails.")
    converse(engine, tmp_path, "What is one divided by zero?")
    assert engine.forced == [False, False, False] and not engine.replies


def test_a_program_run_with_its_output_captured_and_only_stdout_printed_is_told_of_stderr(tmp_path):
    # The 1.5B ran report.py with capture_output=True and printed result.stdout: the TypeError went to
    # result.stderr, the output was empty, and it never saw why the script crashed (fix-type, 33000).
    (tmp_path / "report.py").write_text(
        "total = 0\nfor line in ['1']:\n    total = total + line\nprint(total)\n"
    )
    run = (
        "import subprocess\n\ntry:\n    result = subprocess.run(['python3', 'report.py'], capture_output=True, "
        "text=True)\n    print(result.stdout)\nexcept Exception as e:\n    print(f'Error: {e}')"
    )
    fix = "open('report.py', 'w').write('print(1)\\n')\nimport subprocess\nsubprocess.run(['python3', 'report.py'])"
    engine = Scripted(("python", run), ("python", fix), "It prints 1 now.")
    converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    told = engine.seen[1][-1].content
    assert (
        "result.stdout is all your block printed, and it is empty: a program that fails writes its error to "
        "result.stderr, which nothing printed. Your block printing both:\n```python\n"
    ) in told
    (tmp_path / "report.py").write_text(
        "total = 0\nfor line in ['1']:\n    total = total + line\nprint(total)\n"
    )
    ran = run_given(told, tmp_path)
    assert "TypeError: unsupported operand type(s) for +: 'int' and 'str'" in ran.stdout
    # Printed stderr or the exit status, or printed anything at all: nothing to say.
    assert stderr_unprinted(run.replace("result.stdout", "result.stdout, result.stderr"), "") == ""
    assert stderr_unprinted(run, "3\n") == ""
    # Captured and not printed at all (fix-type, held-out seed 35000): both are printed.
    kept = "import subprocess\ntry:\n    r = subprocess.run(['python3', 'report.py'], capture_output=True)\nexcept OSError:\n    pass"
    told = stderr_unprinted(kept, "")
    assert told.startswith("your block kept the program's output in r and printed none of it: a program that")
    assert "TypeError" in run_given(told, tmp_path).stdout
    assert (
        "    r = subprocess.run(['python3', 'report.py'], capture_output=True)\n    print(r.stdout)\n    print(r.stderr)\n"
        in told
    )
    assert stderr_unprinted("r = subprocess.run(['ls'])\nprint(r.stdout)", "") == ""  # not captured


def test_a_substring_test_that_also_matches_inside_other_fields_is_given_the_field_test(tmp_path):
    # The 1.5B counted `'404' in line` in access.log, whose byte counts hold 404 too, and answered the
    # larger count (log-404, held-out seed 34000).
    (tmp_path / "access.log").write_text(
        '10.0.4.9 - - [01/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 404 778\n'
        '10.0.4.9 - - [01/Mar/2026:08:00:17 +0000] "GET /login HTTP/1.1" 200 1404\n'
        '10.0.1.7 - - [01/Mar/2026:08:00:34 +0000] "GET /missing HTTP/1.1" 404 2824\n'
        '10.0.1.7 - - [01/Mar/2026:08:00:51 +0000] "GET / HTTP/1.1" 500 4040\n'
    )
    code = (
        "with open('access.log', 'r') as file:\n    lines = file.readlines()\n"
        "count_404 = sum(1 for line in lines if '404' in line)\nprint(count_404)"
    )
    engine = Scripted(("python", code), ("python", "print(2)"), "2 requests.")
    converse(engine, tmp_path, "How many requests in access.log got a 404 status?", previews=True)
    told = engine.seen[1][-1].content
    assert (
        "'404' in line is true for 4 lines of access.log, but 404 is field [8] of line.split() (counting "
        "from 0) in only 2 of them; the other 2 hold it inside another field, as in: `10.0.4.9 - - "
        '[01/Mar/2026:08:00:17 +0000] "GET /login HTTP/1.1" 200 1404`. If the request means that field, '
        "test it; your block with that test:\n```python\n"
    ) in told
    assert "if line.split()[8] == '404')" in given_block(told)
    assert run_given(told, tmp_path).stdout == "2\n"
    # It quotes a line of the file: a cloud model (no previews) is not told.
    engine = Scripted(("python", code), "4 requests.", "4 requests.", "4 requests.")
    converse(engine, tmp_path, "How many requests in access.log got a 404 status?", previews=False)
    assert "4\n" in engine.seen[1][-1].content and "field [8]" not in engine.seen[1][-1].content
    # A text that is that field of every line holding it, or a field of too few of them: nothing to say.
    assert substring_overcount(code.replace("'404'", "'500'"), tmp_path) == ""
    assert substring_overcount(code.replace("'404'", "'GET'"), tmp_path) == ""
    # Its end tested: the status is never last (a byte count follows), and 1404 ends in 404 (log-404, the
    # 0.5B on this CPU, seed 47000, answered such a count).
    ends = code.replace("'404' in line", "line.strip().endswith('404')")
    said = substring_overcount(ends, tmp_path)
    assert said.startswith(
        "`line.strip().endswith('404')` is true for 1 line of access.log, but 404 is field [8] of "
        "line.split() (counting from 0) in 2 lines, and a line with it ends otherwise"
    )
    assert "if line.split()[8:9] == ['404'])" in said and run_given(said, tmp_path).stdout == "2\n"
    assert substring_overcount(code.replace("'404'", "'4'"), tmp_path) == ""
    # A field of the line tested, not the line; or another test that no line passes, said first: told of
    # the overcount, the 1.5B tested the field and kept `line.startswith('GET /login')` (log-404, 52000).
    assert substring_overcount(code.replace("in line)", "in line.split()[8])"), tmp_path) == ""
    never = code.replace("if '404' in line", "if line.startswith('GET /login') and '404' in line")
    assert substring_overcount(never, tmp_path) == ""
    said = nothing_found_hint("0\n", never, tmp_path, "How many requests in access.log got a 404 status?")
    assert "no line of access.log starts with 'GET /login'" in said


def test_an_absolute_path_that_missed_the_working_directory_is_given_the_relative_one(tmp_path):
    # The 0.5B dropped the last folder of the working directory from its absolute paths.
    work = tmp_path / "work"
    (work / "pics").mkdir(parents=True)
    (work / "config.json").write_text("{}")
    said = missing_file_hint(f"No such file or directory: '{tmp_path}/pics'", work)
    # Only the path to write is named: the 0.5B copied the wrong one when it was quoted back.
    assert (
        said
        == "pics is in the working directory, where blocks run: write 'pics' as the path, with nothing before it."
    )
    assert "write 'config.json' as the path" in missing_file_hint(
        f"No such file or directory: '{tmp_path}/config.json'", work
    )
    # Only names inside the working directory are offered, whatever the missing path says.
    assert missing_file_hint(f"No such file or directory: '{tmp_path}/work2/../nothing'", work) == ""


def test_a_block_that_missed_the_working_directory_is_given_back_with_relative_paths(tmp_path):
    # Told the path to write, the 0.5B wrote its block again with the absolute one until the turn ended
    # (log-errors, held-out seed 30000): it is handed its own block with the paths made relative.
    work = tmp_path / "work"
    work.mkdir()
    (work / "app.log").write_text("x ERROR a\nx INFO b\nx ERROR c\n")
    code = (
        f"with open('{tmp_path}/app.log') as f:\n    lines = f.read().splitlines()\n"
        f"print(sum('ERROR' in line for line in lines))\n"
        f"open('{work}/count.txt', 'w').write('done')"  # a path that was right stays right
    )
    failed = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True)
    told = missing_file_hint(failed.stderr, work, code)
    assert told.startswith(
        "app.log is in the working directory, where blocks run: write 'app.log' as the path"
    )
    assert given_block(told) == code.replace(f"{tmp_path}/app.log", "app.log").replace(f"{work}/", "") + "\n"
    ran = run_given(told, work)
    assert ran.stdout == "2\n" and (work / "count.txt").read_text() == "done"

    # A folder joined to names, and a shell's cd, become the working directory itself.
    (work / "pics").mkdir()
    joined = f"import os\nprint(os.listdir(os.path.join('{tmp_path}', 'pics')))"
    told = failure_hint(f"No such file or directory: '{tmp_path}/pics'", work, joined)
    assert "os.path.join('.', 'pics')" in given_block(told)
    shell = f"cd {tmp_path}/pics && ls | wc -l"
    told = failure_hint(f"cd: {tmp_path}/pics: No such file or directory", work, shell, language="bash")
    assert told.endswith("your block with that path:\n```bash\ncd pics && ls | wc -l\n```")
    # Through the loop, the block comes back fenced in its own language, and runs there as given.
    engine = Scripted(("shell", f"wc -l < {tmp_path}/app.log"), ("shell", "wc -l < app.log"), "3 lines.")
    converse(engine, work, "How many lines has app.log?", languages=("python", "shell"))
    assert "your block with that path:\n```shell\nwc -l < app.log\n```\n" in engine.seen[1][-1].content
    # A folder set once and built on is set to the working directory.
    base = f"base = '{tmp_path}'\nprint(open(f'{{base}}/app.log').read().count('ERROR'))"
    assert (
        run_given(
            missing_file_hint(f"No such file or directory: '{tmp_path}/app.log'", work, base), work
        ).stdout
        == "2\n"
    )
    # Only the sentence when the block spells the folder some other way.
    built = f"open(os.path.join('{tmp_path.parent}', '{tmp_path.name}', 'app.log'))"
    assert missing_file_hint(f"No such file or directory: '{tmp_path}/app.log'", work, built) == (
        "app.log is in the working directory, where blocks run: write 'app.log' as the path, with nothing "
        "before it."
    )


def test_a_shell_pattern_that_matched_nothing_here_is_pointed_at_the_one_folder_it_matches_in(tmp_path):
    # The 1.5B renamed `*.jpeg` in the working directory, the files being in pics, then ran
    # `ls -l -- *.jpeg` five times over (rename, held-out seed 33000).
    (tmp_path / "pics").mkdir()
    for name in ("a.jpeg", "b.jpeg", "c.jpeg", "d.jpeg", "e.png"):
        (tmp_path / "pics" / name).write_text("x")
    block = 'ls -- *.jpeg\nfor file in *.jpeg; do\n    mv "$file" "${file%.jpeg}.jpg"\ndone'
    failed = subprocess.run(["bash", "-c", block], cwd=tmp_path, capture_output=True, text=True)
    told = failure_hint(failed.stderr, tmp_path, block, language="bash")
    assert told.startswith(
        "*.jpeg matched no file in the working directory, where blocks run: its matches are in pics/ "
        "(pics/a.jpeg, pics/b.jpeg, pics/c.jpeg, ...), so write pics/*.jpeg; your block with it:\n```bash\n"
    ), told
    ran = subprocess.run(["bash", "-c", told.split("```bash\n")[1].split("```")[0]], cwd=tmp_path)
    assert ran.returncode == 0
    assert sorted(p.name for p in (tmp_path / "pics").iterdir()) == [
        "a.jpg",
        "b.jpg",
        "c.jpg",
        "d.jpg",
        "e.png",
    ]
    # Matches here, in no folder, or in more than one: nothing to point at.
    (tmp_path / "x.jpg").write_text("x")
    assert missing_file_hint("ls: cannot access '*.jpg': No such file or directory", tmp_path) == ""
    assert missing_file_hint("ls: cannot access '*.gif': No such file or directory", tmp_path) == ""
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "f.png").write_text("x")
    assert missing_file_hint("ls: cannot access '*.png': No such file or directory", tmp_path) == ""
    # A python block is told in a sentence.
    assert missing_file_hint("No such file or directory: '*.jpg'", tmp_path / "more", "glob('*.jpg')") == ""


def test_a_missing_path_the_block_raised_itself_is_found_in_its_code(tmp_path):
    # The 0.5B tested os.path.exists on its absolute path and raised its own error, naming no path.
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.json").write_text("{}")
    code = f"if not os.path.exists('{tmp_path}/config.json'):\n    raise FileNotFoundError('not there')"
    output = "FileNotFoundError: The config.json file does not exist in the specified directory."
    assert "write 'config.json' as the path" in missing_file_hint(output, work, code)
    # Only when the output says something was not found, and only for paths that are missing.
    assert missing_file_hint("42", work, code) == ""
    present = f"open('{work}/config.json')"
    assert missing_file_hint(output, work, present) == ""
    # A path too long for the system to look up (ENAMETOOLONG) is not called missing, and nothing raises.
    assert missing_file_hint(output, work, f"open('/{'a' * 5000}/config.json')") == ""


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
    # A module's name used as a value is the block's own variable, never set (the 0.5B's `print(token)`,
    # told to `import token`: env-var, seed 47000 on this CPU).
    unset = "NameError: name 'token' is not defined"
    assert module_hint(unset, "if found:\n    token = 1\nprint(token)") == ""
    assert module_hint(unset, "print(token.tok_name)").startswith("token is a module")
    assert module_hint("ERROR: No matching distribution found for pandas") == ""
    assert module_hint("ModuleNotFoundError: No module named 'pandas_sns'") == ""
    (tmp_path / "data.csv").write_text("")
    both = "No such file or directory: 'dta.csv'\nNameError: name 'tarfile' is not defined"
    assert failure_hint(both, tmp_path) == (
        "There is no dta.csv; the working directory has a file with a similar name: data.csv. "
        "tarfile is a module of Python's standard library: add `import tarfile` to the block."
    )


def test_a_result_that_found_nothing_is_looked_at_once_before_the_answer(tmp_path):
    # The 1.5B matched lines ending in " 404" (the size follows the status), printed 0 and answered
    # "no 404s" in every run.
    for found_nothing in (
        "0\n",
        "Total requests with a 404 status: 0\n",
        "[]\n",
        "count = 0\n",
        "set()\n",
        "None\n",
        "No customer with order totals found.\n",
        # Said in a sentence, the 0.5B's way (log-404 on this CPU, seed 46000).
        "There were 0 requests in access.log that got a 404 status.\n",
        "The IP address that made the most requests is - with 0 requests.\n",
    ):
        assert "print a few of the lines or records you meant to match" in nothing_found_hint(found_nothing)
    for found_some in (
        "42\n",
        "0\n1\n2\n3\n",
        "3.0\n",
        "",
        "10 requests\n",
        "Nonetheless\n",
        "Found 3\n",
        "There were 0.5 errors per hour.\n",
        "There were 04 lines.\n",
    ):
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


def test_a_condition_that_no_line_can_meet_is_named_with_a_line_as_it_is(tmp_path):
    # log-404 failed in all 9 held-out runs on an H100: `parts[2] == '404'` where the status is field 8,
    # `line.startswith('GET /img/logo.png')` on lines that start with the client's address. The generic
    # "print a few lines" let the model print them and answer the same zero.
    log = (
        '10.0.7.84 - - [01/Mar/2026:08:00:00 +0000] "GET /img/logo.png HTTP/1.1" 200 3765\n'
        '10.0.7.84 - - [01/Mar/2026:08:00:17 +0000] "GET /api HTTP/1.1" 404 6541\n'
    )
    (tmp_path / "access.log").write_text(log)
    opened = "lines = open('access.log').readlines()\n"
    field = nothing_found_hint("0\n", opened + "print(sum(l.split()[2] == '404' for l in lines))", tmp_path)
    assert field == (
        "It found nothing, and your condition cannot match: '404' is never field [2] of line.split() in "
        "access.log; it is field [8] (counting from 0), as in: "
        '`10.0.7.84 - - [01/Mar/2026:08:00:17 +0000] "GET /api HTTP/1.1" 404 6541` '
        "Fix the condition, then count again."
    )
    start = nothing_found_hint("0\n", opened + "n = [l for l in lines if l.startswith('GET /img')]", tmp_path)
    assert "no line of access.log starts with 'GET /img'; they start like this: `10.0.7.84 - - [" in start
    # A text the request names, further in the lines: the test that finds it, and the count that runs as
    # given (log-errors, held-out seed 29000: told only "no line starts with 'ERROR'", it tested line[0]).
    (tmp_path / "app.log").write_text("2026-04-07 12:00 ERROR worker 8\n2026-04-02 12:01 INFO worker 9\n")
    errors = nothing_found_hint(
        "0\n",
        "print(sum(1 for l in open('app.log') if l.startswith('ERROR')))",
        tmp_path,
        "How many ERROR lines?",
    )
    # Handed whole, after the sentence: told the call inside it, the 0.5B wrote its startswith block
    # again (log-errors, fresh seed 56000).
    assert errors.endswith(
        "It is further in: test `'ERROR' in line.split()`; this block counts the lines that have it:\n"
        "```python\nprint(sum(1 for line in open('app.log') if 'ERROR' in line.split()))\n```"
    )
    assert run_given(errors, tmp_path).stdout == "1\n"
    listed = nothing_found_hint(
        "[]\n",
        "print([l for l in open('app.log') if l.startswith('ERROR')])",
        tmp_path,
        "Show the ERROR lines.",
    )
    assert run_given(listed, tmp_path).stdout == "2026-04-07 12:00 ERROR worker 8\n"
    assert "further in" not in start  # 'GET /img' is not what the request asks about
    end = nothing_found_hint("[]\n", opened + "n = [l for l in lines if l.endswith(' 404')]", tmp_path)
    assert "no line of access.log ends with ' 404'" in end
    contains = nothing_found_hint("0\n", opened + "n = sum('HTTP/2' in l for l in lines)", tmp_path)
    assert "no line of access.log contains 'HTTP/2'" in contains
    # Where a number the request names sits in those lines: the condition the model needed.
    asked = "How many requests in access.log got a 404 status?"
    start = nothing_found_hint(
        "0\n", opened + "n = [l for l in lines if l.startswith('GET')]", tmp_path, asked
    )
    assert start.endswith(
        "In access.log, 404 is field [8] of line.split() (counting from 0), as in: "
        '`10.0.7.84 - - [01/Mar/2026:08:00:17 +0000] "GET /api HTTP/1.1" 404 6541` Fix the condition; this '
        "block counts the lines that have it:\n```python\n"
        "print(sum(1 for line in open('access.log') if line.split()[8:9] == ['404']))\n```"
    )
    # The block it gives runs as it is, in the folder, and finds the one line, short lines and all.
    (tmp_path / "access.log").write_text(log + "\n-\n")
    ran = run_given(start, tmp_path)
    assert ran.stdout == "1\n"
    # Asked which lines, not how many, it prints them.
    which = nothing_found_hint(
        "[]\n",
        opened + "n = [l for l in lines if l.startswith('GET')]",
        tmp_path,
        asked.replace("How many", "Which"),
    )
    ran = run_given(which, tmp_path)
    assert ran.stdout == log.splitlines()[1] + "\n"
    # Testing for the very value the request asks about, which the file holds, and counting none: the
    # condition is wrong for certain, and the session says so at every such zero (not once).
    sure = "n = [l for l in lines if l.startswith('GET') and l.split()[8] == '404']"
    assert nothing_found_hint("0\n", opened + sure, tmp_path, asked).startswith(CANNOT_MATCH + " no line")
    assert not start.startswith(CANNOT_MATCH)
    as_int = "n = sum(1 for l in lines if l.split()[0] == 'GET' and int(l.split()[-1]) == 404)"
    assert nothing_found_hint("0\n", opened + as_int, tmp_path, asked).startswith(CANNOT_MATCH + " 'GET'")
    # A condition the data can meet, or fields that come from the csv module, get the plain nudge.
    plain = "print a few of the lines or records you meant to match"
    assert plain in nothing_found_hint("0\n", opened + "n = sum(' 404 ' in l for l in lines)", tmp_path)
    (tmp_path / "items.csv").write_text("name,stock\nlamp,0\n")
    rows = "import csv\nrows = list(csv.reader(open('items.csv')))\nn = [r for r in rows if r[1] == 'none']"
    assert plain in nothing_found_hint("[]\n", rows, tmp_path)


def test_a_file_the_request_asks_for_is_shown_to_the_model_each_time_a_block_writes_it(tmp_path):
    # The 1.5B wrote sorted.txt with every duplicate, was told its block "printed nothing" and answered
    # "each name once": a block that writes a file prints nothing, so it never saw what it made.
    (tmp_path / "names.txt").write_text("kira\ndana\nkira\nalice\n")
    engine = Scripted(
        ("python", "with open('sorted.txt', 'w') as f:\n    f.writelines(sorted(open('names.txt')))"),
        (
            "python",
            "names = sorted(set(open('names.txt')))\nwith open('sorted.txt', 'w') as f:\n    f.writelines(names)",
        ),
        ("python", "print(open('names.txt').read().count('kira'))"),
        "sorted.txt has each name once.",
    )
    request = "Write the names from names.txt to sorted.txt, sorted, each name once."
    session, _chunks = converse(engine, tmp_path, request, previews=True)
    first = engine.seen[1][-1].content
    assert first.startswith("The python block ran without error and printed nothing.")
    assert "sorted.txt: a text file of 21 bytes, 4 lines (3 different); lines 1-3" in first
    assert "alice\ndana\nkira" in first and first.endswith(f"The request was: {request}")
    assert "sorted.txt: a text file of 16 bytes, 3 lines (all different):" in engine.seen[2][-1].content
    # A block that leaves the file as it was says nothing of it again.
    assert "Written so far" not in engine.seen[3][-1].content
    assert session.chat_messages()[3].content == first  # kept as it was seen
    # Like the previews, for local models only: a cloud endpoint gets no file content no code printed.
    (tmp_path / "sorted.txt").unlink()
    engine = Scripted(("python", "with open('sorted.txt', 'w') as f:\n    f.write('kira\\n')"), "Done.")
    converse(engine, tmp_path, request, previews=False)
    assert "printed nothing" in engine.seen[1][-1].content and "kira" not in engine.seen[1][-1].content


def test_only_files_the_request_asks_for_inside_the_working_directory_are_shown(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "outside.txt").write_text("secret\n")
    (work / "link.txt").symlink_to(tmp_path / "outside.txt")
    seen: dict = dict.fromkeys(["../outside.txt", "link.txt", "missing.txt", "out.json"])
    assert written_hint(seen, work) == ""
    (work / "out.json").write_text('[{"a": 1}]')
    said = written_hint(seen, work)
    assert (
        said.startswith("Written so far") and 'out.json: JSON of 10 bytes, shaped [1 × {"a": number}]' in said
    )
    assert written_hint(seen, work) == ""  # unchanged since it was shown


def test_a_string_asked_for_a_key_is_named_and_the_records_pointed_to(tmp_path):
    # The 1.5B kept the names of inventory.json's records, then asked each name for its stock, and rewrote
    # the same comprehension three times.
    (tmp_path / "inventory.json").write_text(
        '[{"item": "violet", "stock": 0}, {"item": "maple", "stock": 3}]'
    )
    engine = Scripted(
        (
            "python",
            "data = json.load(open('inventory.json'))\nitems = [r['item'] for r in data]\n"
            "print([item for item in items if item['stock'] == 0])",
        ),
        ("python", "print([r['item'] for r in data if r['stock'] == 0])"),
        "violet is out of stock.",
    )
    session, _chunks = converse(engine, tmp_path, "Which items of inventory.json have no stock?")
    told = engine.seen[1][-1].content
    assert "item = 'violet'  (str)" in told
    assert "item is a string ('violet'), not a dict, so it has no keys" in told
    assert [m.content for m in session.messages if m.role == "output"][-1] == "['violet']\n"
    # Other errors, and a string indexed by position, get nothing of the kind.
    assert key_on_text_hint("TypeError: list indices must be integers or slices, not str") == ""
    said = (
        "    s[i]\nValues on the failing line:\n  s = 'ab'  (str)\nTypeError: string indices must be integers"
    )
    assert key_on_text_hint(said) == ""


def test_a_silent_block_that_computed_its_answer_last_is_told_to_print_it(tmp_path):
    # The 1.5B ended its block with `most_requests_ip = max(...)`, printed nothing, and wrote the block
    # twice more, told to write step 3 of a plan it had done (log-top-ip, held-out seed 27000).
    (tmp_path / "access.log").write_text("10.0.0.1 GET\n10.0.0.2 GET\n10.0.0.1 GET\n")
    counted = (
        "counts = {}\nfor line in open('access.log'):\n    ip = line.split()[0]\n"
        "    counts[ip] = counts.get(ip, 0) + 1\nmost_requests_ip = max(counts, key=counts.get)"
    )
    engine = Scripted(
        ("python", counted), ("python", counted), ("python", "print(most_requests_ip)"), "10.0.0.1."
    )
    session, _chunks = converse(engine, tmp_path, "Which IP address made the most requests in access.log?")
    assert session.messages[2].context == (
        "It set most_requests_ip last, and nothing printed it: `print(most_requests_ip)` shows it."
    )
    again = session.messages[4]
    assert again.status == "repeated" and "print it (`print(most_requests_ip)`)" in again.content
    assert session.messages[6].content == "10.0.0.1\n"
    # The data read, or nothing computed: no such hint (a list made of the rows is a look worth printing).
    assert unprinted_result("with open('a') as f:\n    lines = f.readlines()") == ""
    assert unprinted_result("data = json.load(open('a.json'))") == ""
    assert unprinted_result("rows = list(csv.DictReader(open('a.csv')))") == "rows"
    assert unprinted_result("x = 5") == "" and unprinted_result("print(x)") == ""


def test_the_bytes_of_a_binary_file_decoded_to_be_hashed_are_told_to_be_hashed_as_they_are(tmp_path):
    # The 1.5B decoded secret.bin's bytes as UTF-8 to hash the text, and wrapped the error in a try, four
    # times, to the time limit (sha256, held-out seed 27000).
    import hashlib

    (tmp_path / "secret.bin").write_bytes(b"\x1d1\xf9\x02" * 64)
    decoded = (
        "import hashlib\nwith open('secret.bin', 'rb') as f:\n    binary_data = f.read()\n"
        "text = binary_data.decode('utf-8')\nprint(hashlib.sha256(text.encode()).hexdigest()[:16])"
    )
    engine = Scripted(
        ("python", decoded), ("python", "print(hashlib.sha256(binary_data).hexdigest()[:16])"), "Done."
    )
    session, _chunks = converse(
        engine, tmp_path, "What are the first 16 hex digits of the sha256 of secret.bin?"
    )
    assert session.messages[2].context == (
        "binary_data holds the bytes of a binary file, not text: decoding them fails and is not needed. Hash "
        "the bytes as they are: `hashlib.sha256(binary_data).hexdigest()`."
    )
    assert session.messages[4].content == hashlib.sha256(b"\x1d1\xf9\x02" * 64).hexdigest()[:16] + "\n"


def test_a_script_to_fix_changed_in_memory_only_is_told_the_call_that_saves_it(tmp_path):
    # The 1.5B read report.py's lines, set lines[2] to the corrected line, printed its own loop's total
    # and answered, three times (fix-type, held-out seed 27000).
    (tmp_path / "report.py").write_text("n = 0\nprint(n + '1')\n")
    edit = "with open('report.py') as f:\n    lines = f.readlines()\nlines[1] = 'print(n + 1)\\n'"
    save = "open('report.py', 'w').writelines(lines)\nimport subprocess\n_ = subprocess.run(['python3', 'report.py'])"
    engine = Scripted(("python", edit), ("python", save), "report.py prints 1.")
    session, _chunks = converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    assert session.messages[2].context == (
        "lines holds report.py's lines with your change, in memory: report.py itself is unchanged until you "
        "write lines back, `open('report.py', 'w').writelines(lines)`, then run it."
    )
    assert session.messages[4].content == "1\n"
    assert unsaved_edit(
        "s = open('report.py').read()\nfixed = s.replace('a', 'b')", ["report.py"]
    ).startswith("fixed holds report.py's text with your change")
    assert unsaved_edit(edit + "\nopen('report.py', 'w').writelines(lines)", ["report.py"]) == ""
    assert unsaved_edit(edit, ["other.py"]) == ""


def test_a_script_to_fix_that_no_block_ran_is_given_the_call_that_runs_it(tmp_path):
    # The 1.5B printed summary.py, wrote a traceback of its own invention beside it and created the
    # price.json it missed, with made-up prices (fix-name, held-out seed 30000): it never saw the error.
    (tmp_path / "summary.py").write_text("import json\ndata = json.load(open('price.json'))\n")
    (tmp_path / "prices.json").write_text("{}")
    show = "print(open('summary.py').read())"
    engine = Scripted(
        ("python", show), ("python", "import subprocess\nsubprocess.run(['python3', 'summary.py'])")
    )
    engine.replies += ["It cannot find price.json."] * (1 + MAX_CHECKS)  # checked: summary.py is unchanged
    session, _chunks = converse(engine, tmp_path, "summary.py crashes. Fix it and run it.")
    assert session.messages[2].context == (
        "No block has run summary.py yet: run it to see how it fails, `import subprocess; "
        "subprocess.run(['python3', 'summary.py'])`, and fix what its error names."
    )
    # The call runs as given, and its error then gets the hints an error gets (the similar name).
    assert "No such file or directory: 'price.json'" in session.messages[4].content
    assert "similar name: prices.json" in session.messages[4].context
    assert script_unrun(["summary.py"], ["# python3 summary.py would show it\nprint(1)"]) != ""
    for ran in ("python3 summary.py", "exec(open('summary.py').read())", "./summary.py"):
        assert script_unrun(["summary.py"], [ran]) == "", ran
    assert script_unrun(["prices.json"], [show]) == ""  # not a script: nothing to run


def test_a_loop_over_one_records_keys_is_named(tmp_path):
    # `items = data[0]`, then `for item in items`: the loop went over one record's keys, and told the
    # record had been lost, the 1.5B wrote the same block three times (out-of-stock, seed 26000).
    (tmp_path / "inventory.json").write_text(
        '[{"item": "pebble", "stock": 30}, {"item": "summit", "stock": 0}]'
    )
    one = (
        "data = json.load(open('inventory.json'))\nitems = data[0]\n"
        "print([item['item'] for item in items if item['stock'] == 0])"
    )
    engine = Scripted(("python", one), ("python", one.replace("data[0]", "data")), "summit is out of stock.")
    session, _chunks = converse(engine, tmp_path, "Which items of inventory.json have no stock?")
    assert session.messages[2].context == (
        "`for item in items` goes over the keys of one record (item = 'item'): items is a single dict, "
        "{'item': 'pebble', 'stock': 30}, not the list of records. Loop over the whole list you loaded "
        "(the json.load result itself, not one item of it)."
    )
    assert session.messages[4].content == "['summit']\n"


def test_a_model_that_answers_without_the_look_it_was_asked_for_is_asked_again_once(tmp_path):
    # Told its 0 deserved a look, the 1.5B answered "no ERROR lines" at once (log-errors, csv-count).
    (tmp_path / "app.log").write_text("2026-04-08 12:00 ERROR worker 7: disk\n2026-04-08 12:01 INFO ok\n")
    engine = Scripted(
        ("python", "print(sum(line.startswith('ERROR') for line in open('app.log')))"),
        "There are no ERROR lines.",
        ("python", "print(open('app.log').read().splitlines()[:5])"),
        ("python", "print(sum(' ERROR ' in line for line in open('app.log')))"),
        "There is 1 ERROR line.",
    )
    session, chunks = converse(engine, tmp_path, "How many ERROR lines are in app.log?")
    checks = [c for c in chunks if isinstance(c, Recheck)]
    assert [c.why for c in checks] == ["answered without the look at the data it was asked for"]
    assert engine.seen[2][-1].content.startswith(
        "You answered without looking. It found nothing, and your condition"
    )
    assert [m.role for m in session.messages][-4:] == ["output", "assistant", "output", "assistant"]
    assert not engine.replies
    # A count that found something is not doubted.
    engine = Scripted(
        ("python", "lines = [l for l in open('app.log') if ' ERROR ' in l]\nprint(lines, len(lines))"), "1."
    )
    session, chunks = converse(engine, tmp_path, "How many ERROR lines are in app.log?")
    assert not any(isinstance(c, Recheck) for c in chunks) and not engine.replies


def test_a_sql_query_set_and_never_run_is_named(tmp_path):
    # The 1.5B set `query` and fetched from a cursor that had run nothing: None, "No customer found".
    import sqlite3

    with sqlite3.connect(tmp_path / "shop.db") as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers (name) VALUES ('ada')")
    db.close()
    forgot = (
        "import sqlite3\ncursor = sqlite3.connect('shop.db').cursor()\n"
        '# Run a query for the first customer\nquery = """\nSELECT name FROM customers LIMIT 1\n"""\n'
        "row = cursor.fetchone()\n"
        "print(row[0] if row else 'No customer found')"
    )
    engine = Scripted(
        ("python", forgot),
        ("python", "print(cursor.execute('SELECT name FROM customers LIMIT 1').fetchone()[0])"),
        "The customer is ada.",
    )
    session, _chunks = converse(engine, tmp_path, "Which customer is first in shop.db?")
    told = engine.seen[1][-1].content
    assert "No customer found" in told
    # The line to add, and where: told only "pass it to cursor.execute(query)", the 1.5B wrote the same
    # block again (sqlite-join).
    assert (
        "The block sets query to a SQL query but never runs it: add the line `cursor.execute(query)` just "
        "before line 7 (`row = cursor.fetchone()`), so that there are rows to fetch; your block with it:\n"
    ) in told
    # The block given back whole (told the line alone, the 1.5B wrote its block again unchanged, twice:
    # sqlite-join, held-out seed 32000) runs as given, and finds the customer.
    assert given_block(told).replace("cursor.execute(query)\n", "") == forgot + "\n"
    ran = run_given(told, tmp_path)
    assert ran.stdout == "ada\n", ran.stderr
    assert "It found nothing" in told
    assert session.messages[-2].content == "ada\n"
    # Answered without acting on it, the model is asked again, with the query named.
    engine = Scripted(
        ("python", forgot),
        "There is no customer.",
        ("python", "print(cursor.execute('SELECT name FROM customers LIMIT 1').fetchone()[0])"),
        "The customer is ada.",
    )
    session, _chunks = converse(engine, tmp_path, "Which customer is first in shop.db?")
    pressed = engine.seen[2][-1].content
    assert pressed.startswith("You answered without looking. The block sets query to a SQL query but never")
    assert session.messages[-2].content == "ada\n"
    # The reply after the hint begins with the block it hands (above, the model answered anyway, as
    # scripted); the look asked again must be a block too.
    assert engine.forced == [False, True, True, False]
    assert unused_query_hint("q = f'SELECT {c} FROM t'\nrows = db.execute(q).fetchall()") == ""
    assert unused_query_hint("note = 'selected'\n") == ""
    no_fetch = "query = 'SELECT name FROM customers'\nfor row in cursor:\n    print(row)"
    assert unused_query_hint(no_fetch).endswith(
        "pass it to cursor.execute(query) (or conn.execute) before fetching rows."
    )


def test_a_block_that_ends_inside_a_triple_quoted_string_is_told_where_it_ends(tmp_path):
    # Filling in the block that writes summary.py back, the 1.5B closed its fence without the quotes.
    engine = Scripted(
        ("python", 'source = """print(1)\n'),
        ("python", 'source = """print(1)\n"""\nprint(source)'),
        "It prints print(1).",
    )
    converse(engine, tmp_path, "Put print(1) in a string.")
    told = engine.seen[1][-1].content
    assert "unterminated triple-quoted string literal" in told
    assert "The block ends inside a triple-quoted string: put the closing quotes on their own line" in told
    assert "closing quotes" not in failure_hint("SyntaxError: unterminated string literal", tmp_path)


def test_a_csv_header_converted_as_a_number_is_named_with_the_way_to_skip_it(tmp_path):
    # The commonest error of both coder models: the header row's 'price' through float(). Told only the
    # error, the 0.5B wrote the same loop again, or a try/except that counted every row.
    (tmp_path / "products.csv").write_text("name,price,qty\napple,78.66,298\nstone,3.45,117\n")
    loop = (
        "import csv\nwith open('products.csv') as f:\n    rows = csv.reader(f)\n"
        "    print(sum(1 for row in rows if float(row[1]) > 30))"
    )
    engine = Scripted(
        ("python", loop),
        ("python", loop.replace("    print(", "    next(rows)\n    print(")),
        "1 product costs more than 30.",
    )
    session, _chunks = converse(engine, tmp_path, "How many products in products.csv cost more than 30?")
    told = engine.seen[1][-1].content
    assert "ValueError: could not convert string to float: 'price'" in told
    assert (
        "'price' is a column name: the first row of products.csv is its header (name, price, qty), not "
        "data. To skip it, call next(rows) once before the loop."
    ) in told
    assert [m.content for m in session.messages if m.role == "output"][-1] == "1\n"
    # A header line read by hand: its last field keeps the newline, or the whole line is converted.
    by_hand = "ValueError: invalid literal for int() with base 10: 'qty\\n'"
    assert "'qty' is a column name" in conversion_hint(by_hand, tmp_path, "lines = f.readlines()")
    assert "skip the first line (loop over lines[1:])" in conversion_hint(by_hand, tmp_path)
    whole = "ValueError: could not convert string to float: 'name,price,qty\\n'"
    assert "'name,price,qty' is a column name" in conversion_hint(whole, tmp_path)
    # Through failure_hint too, where the driver's repr of that last field is no escaped traceback: undone,
    # it hid the header from every hint (region-sales, the 0.5B on fresh seed 58000).
    split = (
        "with open('products.csv') as f:\n    data = f.readlines()\ntotal = 0\nfor row in data:\n"
        "    parts = row.split(',')\n    total += int(parts[2])\nprint(total)"
    )
    engine = Scripted(("python", split), "It failed.")
    session, _chunks = converse(engine, tmp_path, "What is the total qty in products.csv?")
    failed = session.messages[2]
    assert "base 10: 'qty\\n'" in failed.content
    assert failed.context.startswith("'qty' is a column name: the first row of products.csv is its header")
    assert run_given(failed.context, tmp_path).stdout == "415\n"


def test_a_csv_header_converted_in_a_loop_comes_back_with_the_loop_skipping_it(tmp_path):
    # Told to skip the header "(loop over lines[1:])", the 0.5B wrote `if i == 1: continue` and the same
    # error twice (csv-to-json, H100 seed 42000): its block comes back with the skip in place.
    (tmp_path / "people.csv").write_text("name,age\nann,31\nbo,7\n")
    code = (
        "with open('people.csv') as file:\n    people = []\n    for row in file:\n"
        "        values = row.strip().split(',')\n"
        "        people.append({'name': values[0], 'age': int(values[1])})\nprint(people)"
    )
    engine = Scripted(("python", code), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "Convert people.csv to people.json.")
    told = session.messages[2].context
    assert told.startswith(
        "'age' is a column name: the first row of people.csv is its header (name, age), not data. To skip "
        "it, call next(file) once before the loop. Your block with it:\n```python\n"
    )
    assert "    next(file)  # the header row\n    for row in file:" in told
    ran = run_given(told, tmp_path)
    assert ran.stdout == "[{'name': 'ann', 'age': 31}, {'name': 'bo', 'age': 7}]\n"
    # A loop over the file's lines read into a list skips them by slicing.
    listed = code.replace("    for row in file:", "    lines = file.readlines()\n    for row in lines:")
    output = "ValueError: invalid literal for int() with base 10: 'age'"
    said = conversion_hint(output, tmp_path, listed)
    assert "To skip it, loop over lines[1:]." in said and "    for row in lines[1:]:" in said
    assert run_given(said, tmp_path).stdout == ran.stdout
    # Rows read by a function of its own: the loop over the list whose item the failing line shows.
    read = (
        "import csv\ndef rows(path):\n    with open(path) as f:\n        return list(csv.reader(f))\n"
        "data = rows('people.csv')\nfor row in data:\n    print(row[0], int(row[1]))"
    )
    engine = Scripted(("python", read), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "Print the people in people.csv.")
    said = session.messages[2].context
    assert "To skip it, loop over data[1:]." in said and "\nfor row in data[1:]:\n" in said
    assert run_given(said, tmp_path).stdout == "ann 31\nbo 7\n"
    # A csv reader over a file opened by a name held in a variable takes next(), not [1:]: told to loop
    # over `reader[1:]`, the 1.5B met "'_csv.reader' object is not subscriptable" (csv-value, 57000).
    named = (
        "import csv\nfile_path = 'people.csv'\nwith open(file_path, mode='r', newline='') as file:\n"
        "    reader = csv.reader(file)\n    for row in reader:\n        print(row[0], int(row[1]))"
    )
    engine = Scripted(("python", named), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "Print the people in people.csv.")
    said = session.messages[2].context
    assert "To skip it, call next(reader) once before the loop." in said
    assert "    next(reader)  # the header row\n    for row in reader:\n" in said
    assert run_given(said, tmp_path).stdout == "ann 31\nbo 7\n"
    # No loop over the file's rows to change: the way is said, no block.
    assert "```" not in conversion_hint(
        output, tmp_path, "import csv\nrows = list(csv.reader(open('people.csv')))"
    )


def test_a_csv_line_asked_for_a_column_by_name_comes_back_read_by_dictreader(tmp_path):
    # The 0.5B read sales.csv's lines and took row['region'] from each; it was told nothing, wrapped the
    # key in int() and wrote the block again (region-sales: every H100 run, seeds 42000-44000).
    (tmp_path / "sales.csv").write_text("region,amount\nwest,237\neast,392\nwest,3\n")
    code = (
        "with open('sales.csv', 'r') as file:\n    data = [row for row in file]\ntotals = {}\n"
        "for row in data:\n    totals[row['region']] = totals.get(row['region'], 0) + int(row['amount'])\n"
        "print(totals)"
    )
    engine = Scripted(("python", code), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "Which region in sales.csv has the highest total amount?")
    told = session.messages[2].context
    assert told.startswith(
        "row is a line of sales.csv as text ('region,amount'), not a dict: a file's lines have no columns. "
        "csv.DictReader reads each row as a dict by column name (region, amount); your block with it:\n"
        "```python\nimport csv\n"
    )
    assert "    data = list(csv.DictReader(file))\n" in told
    assert run_given(told, tmp_path).stdout == "{'west': 240, 'east': 392}\n"
    # A loop over the open file itself is read through DictReader the same way.
    looped = "with open('sales.csv') as f:\n    for row in f:\n        print(row['region'])"
    engine = Scripted(("python", looped), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "List the regions in sales.csv.")
    assert "    for row in csv.DictReader(f):\n" in session.messages[2].context
    assert run_given(session.messages[2].context, tmp_path).stdout == "west\neast\nwest\n"


def test_a_csv_line_taken_apart_by_index_comes_back_split_by_csv_reader_past_its_header(tmp_path):
    # The 0.5B looped over sales.csv's open file and took int(row[1]): told 'e' is not a number, it wrote
    # the same block three times (region-sales, seed 48000 on this CPU).
    (tmp_path / "sales.csv").write_text("region,amount\nwest,237\neast,392\nwest,3\n")
    code = (
        "totals = {}\nwith open('sales.csv', 'r') as file:\n    for row in file:\n"
        "        totals[row[0]] = totals.get(row[0], 0) + int(row[1])\nprint(totals)"
    )
    engine = Scripted(("python", code), *["It failed."] * 3)
    session, _chunks = converse(engine, tmp_path, "Which region in sales.csv has the highest total amount?")
    told = session.messages[2].context
    assert told.startswith(
        "row is a line of sales.csv as text ('region,amount'): row[1] is one character of it, not a "
        "field. csv.reader splits each line into its fields (region, amount), and [1:] passes over its "
        "header row; your block with it:\n```python\nimport csv\n"
    )
    assert "not a number" not in told  # the characters converted are said once, above
    assert run_given(told, tmp_path).stdout == "{'west': 240, 'east': 392}\n"
    # Lines read into a list are split the same way; a file with no header row keeps its first.
    (tmp_path / "pairs.csv").write_text("west,237\neast,392\n")
    listed = (
        "with open('pairs.csv') as f:\n    lines = f.readlines()\nfor row in lines:\n    print(int(row[1]))"
    )
    engine = Scripted(("python", listed), *["It failed."] * 3)
    session, _chunks = converse(engine, tmp_path, "Add up pairs.csv's numbers.")
    assert "    lines = list(csv.reader(f))\n" in session.messages[2].context
    assert run_given(session.messages[2].context, tmp_path).stdout == "237\n392\n"


def test_a_field_that_is_not_a_number_asks_for_the_fields_with_their_indexes(tmp_path):
    # access.log's `- -` fields: int('-') from a field counted from the wrong end (log-404).
    said = conversion_hint("ValueError: invalid literal for int() with base 10: '-'", tmp_path)
    assert said.startswith("'-' is not a number, so the field converted is not the one you meant")
    assert "print(list(enumerate(line.split())))" in said
    assert "empty field" in conversion_hint("ValueError: could not convert string to float: ''", tmp_path)
    assert conversion_hint("ValueError: math domain error", tmp_path) == ""


def test_a_text_column_converted_as_a_number_is_named_with_the_line_to_keep(tmp_path):
    # The 0.5B converted products.csv's name column with float() and, told only that the field was not
    # the one meant, wrote the same block again (csv-value).
    (tmp_path / "products.csv").write_text("name,price,qty\napple,78.66,298\npear,1.5,3\n")
    code = (
        "with open('products.csv') as f:\n    next(f)\n    for row in f:\n        parts = row.split(',')\n"
        "        name = float(parts[0])\n        value = float(parts[1]) * int(parts[2])\n"
    )
    engine = Scripted(("python", code), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "What is the total stock value in products.csv?")
    told = session.messages[2].context
    assert told.startswith(
        "'apple' is in the name column of products.csv, which holds text: do not convert that field, keep "
        "it as text (line 5: `name = parts[0]`). Its number columns are price, qty. Your block so:\n```python\n"
    )
    # The block handed back is the model's own with that line changed, and it runs.
    assert "\n        name = parts[0]\n" in told and run_given(told, tmp_path).returncode == 0
    # A conversion inside a longer line is not rewritten; the column is still named.
    said = conversion_hint(
        "ValueError: could not convert string to float: 'pear'", tmp_path, "x = 2 * float(p[0])"
    )
    assert said == (
        "'pear' is in the name column of products.csv, which holds text: do not convert that field, keep it "
        "as text. Its number columns are price, qty."
    )


def test_a_file_or_database_used_after_it_was_closed_is_told_the_order_to_fix(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    engine = Scripted(
        ("python", "with open('a.csv') as f:\n    pass\nprint(f.read())"),
        ("python", "with open('a.csv') as f:\n    print(f.read())"),
        "It holds x and 1.",
    )
    converse(engine, tmp_path, "What is in a.csv?")
    assert "The file was closed when its `with` block ended" in engine.seen[1][-1].content
    sqlite = "sqlite3.ProgrammingError: Cannot operate on a closed database."
    assert closed_hint(sqlite).startswith("The connection was closed by an earlier close()")
    assert closed_hint("ValueError: I/O operation on a socket") == ""


def test_a_return_outside_a_function_is_told_to_print_the_value_instead(tmp_path):
    # The 0.5B wrote a function's body without its def, and the same block again when told the error.
    code = "prices = [1.5, 2.5]\naverage = sum(prices) / len(prices)\nreturn average\n"
    engine = Scripted(("python", code), ("python", code.replace("return average", "print(average)")), "2.0")
    session, _chunks = converse(engine, tmp_path, "What is the average of 1.5 and 2.5?")
    told = engine.seen[1][-1].content
    assert "SyntaxError: 'return' outside function" in told
    assert "`return` works only inside a function (def): replace `return average` on line 3 with " in told
    assert "`print(average)`" in told and session.messages[-2].content == "2.0\n"
    bare = "  File \"<block 1>\", line 1\nSyntaxError: 'return' outside function"
    assert (
        failure_hint(bare, tmp_path, "return")
        == "`return` works only inside a function (def): take it out of the block."
    )


def test_a_shell_command_written_as_python_is_told_where_it_runs(tmp_path):
    # The 1.5B wrote `python3 summary.py` in a ```python block four times and read the SyntaxError as a
    # fault of the script.
    (tmp_path / "summary.py").write_text("print('most expensive:', 60)\n")
    run = "import subprocess\nsubprocess.run(['python3', 'summary.py'])"
    engine = Scripted(("python", "python3 summary.py"), ("python", run), "It prints 60.")
    session, _chunks = converse(engine, tmp_path, "Run summary.py.")
    told = engine.seen[1][-1].content
    assert "SyntaxError: invalid syntax" in told
    assert (
        "`python3 summary.py` is a shell command, not Python: run it in a ```bash block; in Python, "
        "subprocess.run(['python3', 'summary.py'])." in told
    )
    assert session.messages[-2].content.startswith("most expensive: 60")
    piped = '  File "<block 2>", line 2\n    ls docs | wc -l\n            ^\nSyntaxError: invalid syntax'
    assert failure_hint(piped, tmp_path, "import os\nls docs | wc -l") == (
        "`ls docs | wc -l` is a shell command, not Python: run it in a ```bash block."
    )
    # Python's own syntax errors are not commands.
    assert failure_hint(piped.replace("line 2", "line 1"), tmp_path, "import os\nls docs | wc -l") == ""
    assert failure_hint(piped, tmp_path, "x = 1\ny = = 2") == ""


def test_a_python_block_of_shell_commands_runs_as_shell_and_is_approved_as_shell(tmp_path, monkeypatch):
    # The 1.5B wrote `echo "$LI_EVAL_TOKEN"` as Python, was told it is a shell command, and wrote it again.
    monkeypatch.setenv("LI_TOKEN", "k7q2")
    asked: list[tuple[str, str]] = []
    engine = Scripted(("python", '# the token\n!echo "$LI_TOKEN"'), "The token is k7q2.")
    session, chunks = converse(
        engine,
        tmp_path,
        "What is LI_TOKEN?",
        languages=("python", "shell"),
        auto_run=False,
        approve=approving(asked),
    )
    assert asked == [("shell", '# the token\necho "$LI_TOKEN"')]  # shown as what runs
    ran = session.messages[2]
    assert (ran.role, ran.language, ran.status, ran.content) == ("output", "shell", "ok", "k7q2\n")
    assert any(getattr(c, "stream", "") == "notice" and "runs as shell" in c.text for c in chunks)
    # Python, or Python with a command in it, stays Python (the hint above answers the second).
    assert shell_lines("ls") == ""  # a Python name
    assert shell_lines("import os\nls docs | wc -l") == ""
    assert shell_lines("cat notes.md | head -3\nwc -l notes.md") == "cat notes.md | head -3\nwc -l notes.md"
    # A script that names bash in its first line is one, whatever its commands (write-numbers, 0.5B,
    # seed 47000): it runs as shell and writes the file.
    script = '#!/bin/bash\nfor (( i=1; i<=3; i++ )); do\n    echo "$i"\ndone > numbers.txt'
    assert shell_lines(script) == script
    engine = Scripted(("python", script), "Written.")
    converse(engine, tmp_path, "Write 1 to 3 to numbers.txt.", languages=("python", "shell"))
    assert (tmp_path / "numbers.txt").read_text() == "1\n2\n3\n"
    assert shell_lines("#!/bin/bash\nprint('python after all')") == ""


def test_ipythons_bang_before_a_command_in_a_shell_block_is_taken_off_and_approved_so(tmp_path):
    # Told `python3 summary.py` is a shell command, the 1.5B wrote `!python3 summary.py` in a ```bash
    # block: "!python3: command not found", and it went on to install Python with sudo (seed 25000).
    (tmp_path / "hello.py").write_text("print('hi')\n")
    asked: list[tuple[str, str]] = []
    engine = Scripted(("shell", "# run it\n!python3 hello.py"), "It printed hi.")
    session, chunks = converse(
        engine,
        tmp_path,
        "Run hello.py.",
        languages=("python", "shell"),
        auto_run=False,
        approve=approving(asked),
    )
    assert asked == [("shell", "# run it\npython3 hello.py")]
    assert (session.messages[2].status, session.messages[2].content) == ("ok", "hi\n")
    assert any(getattr(c, "stream", "") == "notice" and "IPython's `!`" in c.text for c in chunks)
    # bash's negation (`! cmd`, with a space) and a `!` inside a line are shell, left as they are.
    assert shell_bangs("! grep -q x f && echo none\necho 'hi!'") == ""
    assert shell_bangs("  !ls -l\n!./run.sh") == "  ls -l\n./run.sh"


def test_ipythons_bang_lines_in_a_python_block_run_through_subprocess_and_are_approved_so(tmp_path):
    # The 1.5B wrote summary.py's fix and then `!python3 summary.py` in one ```python block: the
    # SyntaxError meant the fix was never written, twice, to the step limit (fix-name, seed 25000).
    (tmp_path / "hello.py").write_text("print('hi')\n")
    block = "open('hello.py', 'a').write('print(2)\\n')\n# run it\n!python3 hello.py"
    asked: list[tuple[str, str]] = []
    engine = Scripted(("python", block), "It printed hi and 2.")
    session, chunks = converse(engine, tmp_path, "Run hello.py.", auto_run=False, approve=approving(asked))
    runs = "import subprocess; _ = subprocess.run('python3 hello.py', shell=True)"
    assert asked == [("python", block.replace("!python3 hello.py", runs))]
    assert (session.messages[2].status, session.messages[2].content) == ("ok", "hi\n2\n")
    assert any(getattr(c, "stream", "") == "notice" and "`!command` lines" in c.text for c in chunks)
    # Python already, or not Python even so: left as it is.
    assert python_bangs("print('x')\nx = 1 if 2 != 3 else 0") == ""
    assert python_bangs("!ls\nprint(") == ""


def test_a_missing_file_the_block_reported_itself_is_answered_with_similar_names(tmp_path):
    # The 1.5B wrapped summary.py's open('price.json') in a try and printed its own "does not exist".
    (tmp_path / "prices.json").write_text('{"a": 2}')
    engine = Scripted(
        (
            "python",
            "import os\nif not os.path.exists('price.json'):\n    print(\"The file 'price.json' does not exist.\")",
        ),
        ("python", "print(max(json.load(open('prices.json')).values()))"),
        "The most expensive costs 2.",
    )
    converse(engine, tmp_path, "What is the highest price in price.json?")
    told = engine.seen[1][-1].content
    assert (
        "There is no price.json; the working directory has a file with a similar name: prices.json." in told
    )
    assert "It found nothing" not in told


def test_text_added_as_numbers_is_named_with_the_header_row_it_holds(tmp_path):
    # sum() over a CSV column read as text: the 0.5B converted it with int() next and kept the header.
    (tmp_path / "products.csv").write_text("name,price\nlamp,18.97\n")
    output = (
        "Values on the failing line:\n  prices = ['price', '18.97', '81.76', ...]  (list, 9 items)\n"
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
    )
    code = "import csv\nprices = [row[1] for row in csv.reader(open('products.csv'))]\nprint(sum(prices))"
    assert failure_hint(output, tmp_path, code) == (
        "prices holds text, not numbers: convert each item with float() before adding them, and leave out "
        "its first item, 'price': that is the header row of products.csv, not data."
    )
    plain = output.replace("'price', ", "")
    assert (
        failure_hint(plain, tmp_path, code)
        == "prices holds text, not numbers: convert each item with float() before adding them."
    )
    assert failure_hint("TypeError: unsupported operand type(s) for +: 'int' and 'str'", tmp_path) == (
        "Text was added to a number: convert the text with float() first."
    )


def test_a_missing_file_the_request_asks_to_write_is_one_to_write(tmp_path):
    # Asked to write people.json, the 1.5B opened it to read; told of people.csv, it parsed the CSV as JSON.
    (tmp_path / "people.csv").write_text("name\nada\n")
    output = "FileNotFoundError: [Errno 2] No such file or directory: 'people.json'"
    assert missing_file_hint(output, tmp_path, to_write=["people.json"]) == (
        "There is no people.json yet: the request asks you to write it, so create it with code "
        "(open('people.json', 'w')) instead of reading it."
    )
    assert "similar name: people.csv" in missing_file_hint(output, tmp_path)


def test_a_package_that_is_not_installed_is_answered_with_the_standard_module_for_the_task(tmp_path):
    # The 0.5B wrote its pandas block three times over after the ModuleNotFoundError (csv-mean).
    (tmp_path / "products.csv").write_text("name,price\nbolt,2.5\nnut,1.5\n")
    code = "import pandas as pd\ndf = pd.read_csv('products.csv')\nprint(df['price'].mean())"
    failed = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert "No module named 'pandas'" in failed.stderr  # -S: no site-packages, wherever the tests run
    told = failure_hint(failed.stderr, tmp_path, code)
    assert told.startswith("pandas is not installed in the Python that runs your blocks; read CSV files")
    # Given a block that only read the rows, the 0.5B printed them and went back to its pandas block
    # (csv-mean, GPU seeds 42000 and 44000): a column's mean, sum, max, min, count or nunique is its own
    # block with the csv module doing the same.
    assert "This is your block with the csv module in place of pandas:" in told
    assert run_given(told, tmp_path).stdout == "2.0\n"
    every = code.replace(
        "print(df['price'].mean())", "print(df['price'].sum(), df['name'].nunique(), len(df))"
    )
    assert run_given(failure_hint(failed.stderr, tmp_path, every), tmp_path).stdout == "4.0 2 2\n"
    # Any other use of pandas: the block that reads the file, to start from.
    grouped = code.replace("df['price'].mean()", "df.groupby('name')['price'].sum()")
    ran = run_given(failure_hint(failed.stderr, tmp_path, grouped), tmp_path)
    assert ran.stdout == "2 rows; the first: {'name': 'bolt', 'price': '2.5'}\n"
    # Without a read_csv of a named file, the module to use instead, in a sentence.
    assert module_hint("ModuleNotFoundError: No module named 'numpy'", "import numpy") == (
        "numpy is not installed in the Python that runs your blocks; use the statistics and math modules "
        "instead (statistics.mean, math.prod, sum, max)."
    )


def test_a_name_used_above_the_line_that_sets_it_is_given_the_block_with_the_two_in_order(tmp_path):
    # Told to inspect its input first, the 0.5B wrote `print(log_content)` above the open() that set it,
    # and after the NameError wrote the same block again (log-errors, GPU seeds 42000 and 44000).
    (tmp_path / "app.log").write_text("start\nERROR disk full\n")
    code = (
        "# Inspect the input first (print it)\nprint(log_content)\n\n# Fix the cause\n"
        "with open('app.log', 'r') as file:\n    log_content = file.read()"
    )
    engine = Scripted(("python", code), "Done.")
    session, _chunks = converse(engine, tmp_path, "Print the ERROR lines of app.log.")
    failed = session.messages[2]
    assert failed.status == "error" and "NameError: name 'log_content'" in failed.content
    assert failed.context.startswith(
        "log_content is used on line 2, before line 5 sets it: a block runs from the top. This is your "
        "block with that line after it:\n```python\n"
    )
    assert run_given(failed.context, tmp_path).stdout == "start\nERROR disk full\n\n"
    # A name no later line sets is not this case (nor a name set in a function only).
    assert used_before_set(failed.content, "print(log_content)\nx = 1") == ""


def test_a_running_value_never_set_is_given_the_block_that_sets_it_first(tmp_path):
    # The 0.5B compared each count with a max_count it never set, then wrote the same loop again after
    # the NameError (log-top-ip, seed 46000 on this CPU).
    code = (
        "counts = {'10.0.0.1': 3, '10.0.0.2': 5}\nfor ip, count in counts.items():\n"
        "    if count > max_count:\n        max_count = count\n        top = ip\nprint(top, max_count)"
    )
    engine = Scripted(("python", code), "Done.")
    session, _chunks = converse(engine, tmp_path, "Which IP made the most requests?")
    failed = session.messages[2]
    assert failed.status == "error" and "NameError: name 'max_count'" in failed.content
    assert failed.context.startswith(
        "max_count is used on line 3 and never set in the block: set it first (`max_count = 0`). This is "
        "your block with that line:\n```python\ncounts = {'10.0.0.1': 3, '10.0.0.2': 5}\nmax_count = 0\n"
    )
    assert run_given(failed.context, tmp_path).stdout == "10.0.0.2 5\n"

    # What the block does with it tells where it starts: a total, a list, a dict, a minimum.
    def told(block: str) -> str:
        engine = Scripted(("python", block), "Done.")
        session, _chunks = converse(engine, tmp_path, "Go.")
        return session.messages[2].context or ""

    assert "(`total = 0`)" in told("for x in [1, 2]:\n    total += x\nprint(total)")
    assert "(`seen = []`)" in told("for x in [1, 2]:\n    seen.append(x)\nprint(seen)")
    assert "(`by = {}`)" in told("for x in 'ab':\n    by[x] = 1\nprint(by)")
    assert "(`min_price = float('inf')`)" in told(
        "for p in [3, 1]:\n    if p < min_price:\n        min_price = p\nprint(min_price)"
    )
    # Nothing to go by (a call), or set above the line (another mistake): nothing said of it.
    assert "never set" not in told("print(helper(2))")
    assert "never set" not in told("if False:\n    total = 0\nfor x in [1]:\n    total += x")


def test_a_number_written_with_a_leading_zero_comes_back_without_it(tmp_path):
    # The 0.5B wrote datetime(2023, 11, 09), was told "use an 0o prefix" by Python, and wrote the same
    # line to the step limit (weekday: 2 of 3 H100 runs).
    code = (
        "from datetime import datetime\n# 2023-11-09\nday = datetime(2023, 11, 09)\n"
        "print(day.strftime('%A'), '2023-11-09')"
    )
    engine = Scripted(("python", code), "Done.")
    session, _chunks = converse(engine, tmp_path, "What day of the week was 2023-11-09?")
    failed = session.messages[2]
    assert "SyntaxError: leading zeros in decimal integer literals" in failed.content
    assert failed.context.startswith(
        "Python does not take a whole number written with a leading zero (09): write it without the zero "
        "(9); `0o` would make it octal. This is your block so:\n```python\n"
    )
    assert "day = datetime(2023, 11, 9)\n" in failed.context
    assert run_given(failed.context, tmp_path).stdout == "Thursday 2023-11-09\n"


def test_a_query_ordered_by_a_sum_it_never_grouped_comes_back_grouped(tmp_path):
    # The 0.5B wrote ORDER BY SUM(T2.total) without GROUP BY and, after "misuse of aggregate", printed a
    # result it had not fetched (sqlite-join on this CPU, seed 46000).
    db = sqlite3.connect(tmp_path / "shop.db")
    db.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL);"
        "INSERT INTO customers VALUES (1, 'ann'), (2, 'bo');"
        "INSERT INTO orders VALUES (1, 1, 50), (2, 2, 30), (3, 2, 40);"
    )
    db.commit()
    db.close()
    code = (
        "import sqlite3\ncursor = sqlite3.connect('shop.db').cursor()\nquery = 'SELECT name FROM customers "
        "AS T1 JOIN orders AS T2 ON T1.id = T2.customer_id ORDER BY SUM(T2.total) DESC LIMIT 1'\n"
        "cursor.execute(query)\nprint(cursor.fetchone()[0])"
    )
    engine = Scripted(("python", code), "Done.")
    session, _chunks = converse(
        engine, tmp_path, "In shop.db, which customer has the highest sum of order totals?"
    )
    failed = session.messages[2]
    assert "misuse of aggregate" in failed.content
    assert failed.context.startswith(
        "SUM() and the other aggregates add up groups of rows, and the query groups none: add `GROUP BY name` "
        "before ORDER BY, so each of them gets its own sum. Your block so:\n```python\n"
    )
    assert run_given(failed.context, tmp_path).stdout == "bo\n"
    assert ungrouped_aggregate("misuse of aggregate: SUM()", "q = 'SELECT SUM(x) FROM t GROUP BY y'") == ""


def _shop(folder):
    db = sqlite3.connect(folder / "shop.db")
    db.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL);"
        "INSERT INTO customers VALUES (1, 'ann'), (2, 'bo'), (3, 'cy');"
        "INSERT INTO orders VALUES (1, 1, 50), (2, 2, 30), (3, 2, 40), (4, 3, 10);"
    )
    db.commit()
    db.close()


_SPLIT = """import sqlite3

# Connect to the SQLite database
conn = sqlite3.connect('shop.db')
cursor = conn.cursor()

# Select all customers from the `customers` table
cursor.execute("SELECT name FROM customers")

# Join the `orders` table with the `customers` table on the `customer_id`
cursor.execute(\"\"\"
    SELECT c.name, SUM(o.total) as total_sum
    FROM customers c
    JOIN orders o ON c.id = o.customer_id
    GROUP BY c.name
\"\"\")
{between}
# Order the results by the sum in descending order
cursor.execute("ORDER BY total_sum DESC")

# Limit the result to the top 1 customer
top_customer = cursor.fetchone()

# Print the name of the top customer
print(top_customer[0])
"""


def test_a_count_answered_with_words_written_in_the_block_gets_the_block_that_counts(tmp_path):
    # Asked how many ERROR lines app.log holds, the 0.5B read the file into a variable, then printed
    # 'Error lines found', and ran the two blocks in turn until stopped as a circle (log-errors, fresh
    # seeds 57000 and 58000; these are its blocks).
    (tmp_path / "app.log").write_text(
        "2026-04-03 12:00 DEBUG worker 6: step 0\n2026-04-07 12:02 ERROR worker 6: step 2\n"
        "2026-04-08 12:03 ERROR worker 9: step 3\n"
    )
    read = "with open('app.log', 'r') as file:\n    log_content = file.read()"
    found = (
        "if 'ERROR' in log_content:\n    print('Error lines found')\nelse:\n    print('No ERROR lines found')"
    )
    count = "print(sum(1 for line in open('app.log') if 'ERROR' in line.split()))"
    engine = Scripted(("python", read), ("python", found), ("python", count), "2")
    session, _chunks = converse(engine, tmp_path, "How many ERROR lines are in app.log?")
    told = session.messages[4].context
    assert told == (
        "It printed only text written in the block, and the request asks how many: print the number itself; "
        "this block counts the lines of app.log that have ERROR:\n```python\n"
        "print(sum(1 for line in open('app.log') if 'ERROR' in line.split()))\n```"
    )
    assert engine.forced[2] and engine.starts[2] == f"```python\n{count}\n"
    assert session.messages[6].content == "2\n"
    # A number printed, a value in the print, or no count asked: nothing to say.
    asked = "How many ERROR lines are in app.log?"
    assert words_printed(asked, "print('found', 2)", "found 2\n", tmp_path) == ""
    assert words_printed(asked, "n = 0\nprint(f'none: {n}')", "none: zero\n", tmp_path) == ""
    assert words_printed("Which worker logged an ERROR?", found, "Error lines found\n", tmp_path) == ""
    # No word of the request in the file's lines: the sentence alone.
    said = words_printed("How many warnings are in app.log?", found, "Error lines found\n", tmp_path)
    assert said.endswith("print the number itself.")


def test_an_order_by_run_as_a_query_of_its_own_comes_back_at_the_end_of_its_query(tmp_path):
    # The 1.5B ran its SELECT ... GROUP BY, then `cursor.execute("ORDER BY total_sum DESC")`, and after
    # the syntax error wrote the same split block three times more (sqlite-join, fresh seeds 56000 and
    # 57000; this is its first block).
    _shop(tmp_path)
    engine = Scripted(("python", _SPLIT.format(between="")), "Done.")
    session, _chunks = converse(
        engine, tmp_path, "In shop.db, which customer has the highest sum of order totals? Give their name."
    )
    failed = session.messages[2]
    assert 'near "ORDER": syntax error' in failed.content
    assert failed.context.startswith(
        "sqlite runs each execute() as a whole query, and `ORDER BY total_sum DESC` alone is not one: it "
        "belongs at the end of the query it sorts or limits, in the same execute(). Your block so:\n```python\n"
    )
    given = given_block(failed.context)
    assert '    GROUP BY c.name\n    ORDER BY total_sum DESC\n""")\n\n# Limit the result' in given
    assert "# Order the results" not in given  # the clause's own line goes, with its comment
    assert run_given(failed.context, tmp_path).stdout == "bo\n"


def test_a_split_clause_after_another_query_runs_with_its_whole_query_where_it_was(tmp_path):
    # Its fourth block printed another query between the two: the fetch reads the last query run, so
    # the whole query, with the clause, runs where the clause did.
    _shop(tmp_path)
    code = _SPLIT.format(between='\nprint(cursor.execute("SELECT name FROM customers"))\n').replace(
        '"ORDER BY total_sum DESC"', '"ORDER BY total_sum DESC LIMIT 1"'
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    output = done.stderr.replace('File "<string>"', 'File "<block 4>"')
    told = split_query(output, code)
    assert "`ORDER BY total_sum DESC LIMIT 1` alone is not one" in told
    assert run_given(told, tmp_path).stdout.endswith("\nbo\n")  # after the printed cursor
    # A clause no earlier SELECT can take (it names no column that query has), or a query that is
    # sorted already, is left to the model.
    assert split_query(output, code.replace("total_sum DESC LIMIT", "amount DESC LIMIT")) == ""
    assert split_query(output, code.replace("GROUP BY c.name", "GROUP BY c.name ORDER BY c.name")) == ""
    assert split_query("sqlite3.OperationalError: no such table: x", code) == ""


def test_a_name_never_set_where_one_alike_holds_the_value_comes_back_with_that_name(tmp_path):
    # The 0.5B printed `${highest_total}` where it had set `max_total`, and wrote the same block again to
    # the step limit (region-sales, fresh seed 58000).
    code = (
        "totals = {'north': 5, 'west': 9}\nmax_total = max(totals.values())\n"
        "highest_region = max(totals, key=totals.get)\n"
        "print(f'The region with the highest total is {highest_region} with a total of ${highest_total}.')"
    )
    engine = Scripted(("python", code), "It failed.")
    session, _chunks = converse(engine, tmp_path, "Which region has the highest total?")
    told = session.messages[2].context
    assert told.startswith(
        "highest_total is never set in the block; max_total is the total it computes: use that name on line 4. "
        "Your block so:\n```python\n"
    )
    assert (
        run_given(told, tmp_path).stdout == "The region with the highest total is west with a total of $9.\n"
    )
    # Two names alike, or none: nothing to choose.
    output = session.messages[2].content
    assert named_otherwise(output, code.replace("max_total =", "min_total = 0\nmax_total =")) == ""
    assert named_otherwise(output, code.replace("max_total", "biggest")) == ""


def test_a_name_a_failed_block_never_set_is_given_that_block_again_fixed(tmp_path):
    # Handed its block with `orders = data`, the 0.5B ran only the block's last line and met "name
    # 'orders' is not defined" (json-sum, seed 47000 on this CPU).
    (tmp_path / "orders.json").write_text('[{"amount": 2.5, "status": "paid"}, {"amount": 4, "status": "x"}]')
    first = (
        "import json\ndata = json.load(open('orders.json'))\norders = data['orders']\n"
        "print(sum(o['amount'] for o in orders if o['status'] == 'paid'))"
    )
    last = "print(sum(o['amount'] for o in orders if o['status'] == 'paid'))"
    engine = Scripted(("python", first), ("python", last), "Done.")
    session, _chunks = converse(
        engine, tmp_path, "What is the total amount of the paid orders in orders.json?"
    )
    told = session.messages[4].context
    assert told.startswith(
        "orders is set by a block you ran before, at or after its line 3, where it failed: nothing after a "
        "failing line runs, so orders was never set. Run that whole block again with its error fixed, not "
        "only its last lines; this is it, fixed:\n```python\n"
    )
    assert "\norders = data\n" in told and run_given(told, tmp_path).stdout == "2.5\n"
    # Without a fix handed for it, the block is named, not given.
    assert set_by_a_failed_block(
        "NameError: name 'total' is not defined",
        [("total = 1 / 0", 'File "<block 1>", line 1\nZeroDivisionError', "")],
    ).endswith("not only its last lines.")
    # A name the failed block set before its failing line is another mistake.
    assert (
        set_by_a_failed_block(
            "NameError: name 'x' is not defined",
            [("x = 1\ny = 1 / 0", 'File "<block 1>", line 2\nZeroDivisionError', "")],
        )
        == ""
    )


def test_a_shell_command_held_in_a_text_and_asked_for_its_output_is_run_through_subprocess(tmp_path):
    # The 0.5B set `command = "tar -tf bundle.tar.gz"`, took command.output, and wrote that line in every
    # block to the step limit (tar-count, seed 47000 on this CPU).
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tf:
        for name in ("a.txt", "b.txt"):
            (tmp_path / name).write_text("x\n")
            tf.add(tmp_path / name, arcname=name)
    code = 'command = "tar -tzf bundle.tar.gz"\noutput = command.output\nprint(output.count("\\n"))'
    engine = Scripted(("python", code), "Done.")
    session, _chunks = converse(engine, tmp_path, "How many files are inside bundle.tar.gz?")
    told = session.messages[2].context
    assert told.startswith(
        "command is a text, the command 'tar -tzf bundle.tar.gz': a text does not run, so it has no output. "
        "subprocess runs it and gives what it printed"
    )
    assert run_given(told, tmp_path).stdout == "2\n"
    # A text that is no command: not this hint's.
    assert (
        command_text_run(
            "AttributeError: 'str' object has no attribute 'output'", 'x = "hello there"\ny = x.output'
        )
        == ""
    )


def test_an_archive_or_compressed_file_read_as_text_is_told_the_module_that_reads_it(tmp_path):
    # The 0.5B decoded archive.zip's and events.txt.gz's bytes as UTF-8 and wrote the same block again
    # after the UnicodeDecodeError (zip-secret, gzip-lines).
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("vjzxmtd.txt", "password: kqzv\n")
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"a\nb\nc\n"))
    engine = Scripted(
        ("python", "content = open('archive.zip', 'rb').read()\nprint(content.decode('utf-8'))"),
        ("python", "content = open('events.txt.gz', 'rb').read()\nprint(content.count('\\n'))"),
        "Done.",  # neither opened as what it is: checked (claims.archive_unopened)
        ("python", "import gzip, zipfile\nprint(len(gzip.open('events.txt.gz', 'rt').readlines()))"),
        "Done.",
    )
    converse(engine, tmp_path, "Read archive.zip, then count the lines of events.txt.gz.")
    # One member: the block that prints it (told the call, the 0.5B wrote its block twice more: seed 47000).
    told = engine.seen[1][-1].content
    assert (
        "archive.zip is a zip archive, not text: this block prints its one member, vjzxmtd.txt:\n```python\n"
        "import zipfile\nprint(zipfile.ZipFile('archive.zip').read('vjzxmtd.txt').decode())\n```"
    ) in told
    assert run_given(told, tmp_path).stdout == "password: kqzv\n\n"
    # A str method given bytes fails without any decoding: the same file, the same answer.
    assert (
        "events.txt.gz is gzip-compressed, not text: open it with `gzip.open('events.txt.gz', 'rt')` in "
        "place of open(), and read its lines from that.\n"
    ) in engine.seen[2][-1].content
    decode = "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x8b in position 1: invalid start byte"
    with tarfile.open(tmp_path / "logs.tar", "w") as tf:
        for name in ("a.log", "b.log", "c.log", "d.log"):
            (tmp_path / name).write_text("x\n")
            tf.add(tmp_path / name, arcname=name)
    assert binary_as_text_hint(decode, tmp_path, "open('logs.tar').read().decode()") == (
        "logs.tar is a tar archive, not text: read a member's text with "
        "`tarfile.open('logs.tar').extractfile('MEMBER').read().decode()` (its members: a.log, b.log, "
        "c.log, ...)."
    )
    sqlite3.connect(tmp_path / "shop.db").execute("CREATE TABLE t (x)").connection.commit()
    assert "query it with `sqlite3.connect('shop.db')`" in binary_as_text_hint(
        decode, tmp_path, "open('shop.db')"
    )
    # Text in another encoding, or an error that is not about bytes, is not this hint's.
    (tmp_path / "latin.txt").write_bytes("café\n".encode("latin-1"))
    assert binary_as_text_hint(decode, tmp_path, "open('latin.txt').read()") == ""
    assert binary_as_text_hint("ValueError: bad", tmp_path, "open('archive.zip')") == ""


def test_a_script_that_fails_inside_a_block_that_ran_it_gets_the_same_hint(tmp_path):
    # The block ran report.py with subprocess and succeeded; the script's traceback was in its output,
    # and the 1.5B rewrote report.py's other lines three times, never the one that failed (fix-type).
    (tmp_path / "numbers.txt").write_text("66\n94\n")
    (tmp_path / "report.py").write_text(
        "total = 0\nfor line in open('numbers.txt'):\n    total = total + line.strip()\nprint('total:', total)\n"
    )
    run_it = "import subprocess\nsubprocess.run([sys.executable, 'report.py'])"
    engine = Scripted(("python", run_it), *["It still fails."] * MAX_CHECKS, "It still fails.")
    session, _chunks = converse(engine, tmp_path, "report.py crashes. Fix it, and run it.")
    first = session.messages[2]
    assert first.role == "output" and first.status == "ok" and "TypeError" in first.content
    # Told to convert it on that line, the 1.5B ran report.py again and again (fix-type, held-out seeds
    # 33000-35000): the block that converts it in report.py and runs it, which runs as given.
    assert first.context == (
        "Line 3 of report.py, `total = total + line.strip()`, adds text to a number: this block converts it "
        "with int() in report.py and runs it:\n```python\nsource = open('report.py').read().replace("
        "'total = total + line.strip()', 'total = total + int(line.strip())')\nopen('report.py', 'w')."
        "write(source)\nimport subprocess\nsubprocess.run(['python3', 'report.py'])\n```"
    )
    assert run_given(first.context, tmp_path).stdout == "total: 160\n"
    assert _converted("total += float(x) + y", "int") == "total += int(float(x) + y)"
    assert _converted("print(total + x)", "int") == ""
    # A line the script holds twice is not replaced blindly: the sentence.
    (tmp_path / "twice.py").write_text("t = 0\nt = t + 'a'\nt = t + 'a'\n")
    twice = subprocess.run([sys.executable, "twice.py"], cwd=tmp_path, capture_output=True, text=True)
    assert failure_hint(twice.stderr, tmp_path).endswith(
        "adds text to a number: convert the text with int() or float() on that line."
    )
    # In a block of its own, the driver's values name the list instead, or the hint stays general.
    bare = 'Traceback (most recent call last):\n  File "<block 2>", line 1, in <module>\n    n = 1 + "2"\n'
    bare += "TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
    assert failure_hint(bare, tmp_path) == "Text was added to a number: convert the text with float() first."


def test_an_archive_printed_by_a_shell_block_is_told_the_command_that_reads_it(tmp_path):
    # The 0.5B ran `cat bundle.tar.gz`, got its bytes as replacement characters, and wrote it again.
    folder = tmp_path / "bundle"
    folder.mkdir()
    for i in range(6):
        (folder / f"part_{i}.dat").write_bytes(bytes(range(200, 256)) * 4)
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tf:
        tf.add(folder, arcname="bundle")
    engine = Scripted(
        ("shell", "cat bundle.tar.gz"), ("shell", "tar -tf bundle.tar.gz | wc -l"), "7 entries."
    )
    session, _chunks = converse(engine, tmp_path, "How many files are in bundle.tar.gz?", ("python", "shell"))
    garbled = session.messages[2]
    assert garbled.status == "ok" and garbled.content.count("\ufffd") >= 3
    assert garbled.context.startswith(
        "bundle.tar.gz is a tar archive, not text: list its members with `tar -tf bundle.tar.gz`, print one "
        "with `tar -xOf bundle.tar.gz MEMBER` (its members: bundle, bundle/part_"
    )
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"a\nb\n" * 100))
    said = binary_as_text_hint("\ufffd" * 5, tmp_path, "cat events.txt.gz | wc -l", "shell")
    # The block comes back mended: told the command in a sentence, the 0.5B ran `cat events.txt.gz` again,
    # and a block for nano, in turn to the step limit (gzip-lines, fresh seed 60000).
    assert said == (
        "events.txt.gz is gzip-compressed, not text: read its text with `zcat events.txt.gz` in place of cat. "
        "Your block so:\n```bash\nzcat events.txt.gz | wc -l\n```"
    )
    ran = subprocess.run(
        ["bash", "-c", said.split("```bash\n")[1].split("```")[0]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ran.stdout.strip() == "200"
    # A command that is not cat: the sentence alone.
    said = binary_as_text_hint("\ufffd" * 5, tmp_path, "head events.txt.gz", "shell")
    assert said.endswith("in place of cat.")
    assert binary_as_text_hint("caf\ufffd\n", tmp_path, "cat events.txt.gz", "shell") == ""  # one odd byte


def test_a_missing_file_that_is_inside_an_archive_is_told_how_to_read_it_from_there(tmp_path):
    # Told its answer named a member of archive.zip, the 1.5B opened jonlrml.txt as a file, three times.
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("jonlrml.txt", "password: kqzvbt\n")
    with tarfile.open(tmp_path / "logs.tar.gz", "w:gz") as tf:
        (tmp_path / "a.log").write_text("x\n")
        tf.add(tmp_path / "a.log", arcname="logs/app.log")
    missing = "FileNotFoundError: [Errno 2] No such file or directory: '{}'"
    # The block that reads it (shown the call inside the sentence, the 1.5B opened the member as a file
    # again, twice: zip-secret, seed 39000 on a machine without unzip).
    told = missing_file_hint(missing.format("jonlrml.txt"), tmp_path)
    assert told == (
        "jonlrml.txt is not extracted: it is inside archive.zip; this block reads it from there:\n```python\n"
        "import zipfile\nprint(zipfile.ZipFile('archive.zip').read('jonlrml.txt').decode())\n```"
    )
    assert run_given(told, tmp_path).stdout == "password: kqzvbt\n\n"
    told = missing_file_hint(missing.format("app.log"), tmp_path)
    assert told.startswith(
        "app.log is not extracted: it is inside logs.tar.gz; this block reads it from there:"
    )
    assert run_given(told, tmp_path).stdout == "x\n\n"
    assert "similar name" in missing_file_hint(missing.format("a.logs"), tmp_path)  # not a member
    assert missing_file_hint(missing.format("/elsewhere/jonlrml.txt"), tmp_path) == ""  # not this folder's


@pytest.mark.skipif(shutil.which("unzip") is None, reason="needs the unzip command (.ci/run installs it)")
def test_an_unzip_given_options_after_the_archive_is_told_to_write_them_first(tmp_path):
    # The 1.5B's `unzip archive.zip -o -d work/` extracted nothing (unzip took -o for a member), and its
    # `cat` of the absolute path inside the working directory failed, three times (zip-secret, 33000).
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("jonlrml.txt", "password: kqzvbt\n")
    block = f"unzip archive.zip -o -d {tmp_path}/\ncat {tmp_path}/jonlrml.txt"
    failed = subprocess.run(["bash", "-c", block], cwd=tmp_path, capture_output=True, text=True)
    told = failure_hint(failed.stdout + failed.stderr, tmp_path, block, language="bash")
    # The shell block is told the command that reads the member, and why nothing was extracted.
    assert told == (
        f"{tmp_path}/jonlrml.txt is not extracted: it is inside archive.zip; read it from there with "
        "`unzip -p archive.zip jonlrml.txt`. unzip read -o as the name of a member to extract, because it "
        "came after the archive's name, and extracted nothing: write options first (`unzip -o ARCHIVE`)."
    )
    read = subprocess.run(
        ["bash", "-c", "unzip -p archive.zip jonlrml.txt"], cwd=tmp_path, capture_output=True
    )
    assert read.stdout == b"password: kqzvbt\n"


def without_unzip(tmp_path, monkeypatch) -> None:
    """PATH of a machine without unzip: bash, cat, ls and python3 only (the lent GPU machine's image)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("bash", "cat", "ls"):
        (bin_dir / name).symlink_to(shutil.which(name))
    (bin_dir / "python3").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(bin_dir))


def test_a_command_that_is_not_installed_is_told_so_and_unzip_is_given_the_python_that_reads_the_zip(
    tmp_path, monkeypatch
):
    # On a machine without unzip, the 1.5B and the 0.5B ran `unzip -p archive.zip NAME` as the hints told
    # them, into "unzip: command not found", to the round limit (zip-secret, GPU seeds 39000, 43000, 44000).
    work = tmp_path / "work"
    work.mkdir()
    with zipfile.ZipFile(work / "archive.zip", "w") as zf:
        zf.writestr("sumgazh.txt", "password: kqzvbt\n")
    without_unzip(tmp_path, monkeypatch)
    block = "unzip -p archive.zip sumgazh.txt\ncat sumgazh.txt"
    failed = subprocess.run(["bash", "-c", block], cwd=work, capture_output=True, text=True)
    assert "unzip: command not found" in failed.stderr
    told = failure_hint(failed.stdout + failed.stderr, work, block, language="bash")
    # The member's shell command is Python's too, and the hint hands the block that reads the zip.
    python_member = (
        """python3 -c "import zipfile; print(zipfile.ZipFile('archive.zip').read('sumgazh.txt').decode())\""""
    )
    assert told.startswith(
        f"sumgazh.txt is not extracted: it is inside archive.zip; read it from there with `{python_member}`. "
        "unzip is not installed on this machine, and nothing can be installed: do it in Python, with its "
        "zipfile (zipfile.ZipFile('a.zip').namelist() lists the members, .read(NAME).decode() is one's "
        "text). This block does it for archive.zip:\n```python\n"
    )
    assert run_given(told, work).stdout == "['sumgazh.txt']\npassword: kqzvbt\n\n"
    shell = subprocess.run(["bash", "-c", python_member], cwd=work, capture_output=True, text=True)
    assert shell.stdout == "password: kqzvbt\n\n"
    listed = archive_unopened("How many files are in archive.zip?", ["ls -l archive.zip"], work)
    assert listed[0].endswith("in a shell, python3 -m zipfile -l archive.zip")
    assert (
        "sumgazh.txt"
        in subprocess.run(
            ["bash", "-c", "python3 -m zipfile -l archive.zip"], cwd=work, capture_output=True, text=True
        ).stdout
    )
    # The 0.5B then checked `unzip --version`, again and again: the one zip here is read all the same.
    told = failure_hint("/dev/fd/7: line 1: unzip: command not found\n", work, "unzip --version", "bash")
    assert run_given(told, work).stdout == "['sumgazh.txt']\npassword: kqzvbt\n\n"
    # Any command: that it is missing, and what in Python does its work; none for a command that ran.
    said = missing_command_hint("sh: 1: jq: not found\n", work, "jq '.orders' data.json")
    assert said == (
        "jq is not installed on this machine, and nothing can be installed: do it in Python, with its json "
        "(json.load(open('x.json')))."
    )
    assert (
        missing_command_hint("bash: line 1: cat: command not found\n", work, "cat a.txt") == ""
    )  # it is here
    assert missing_command_hint("Error: file not found\n", work, "print('Error: file not found')") == ""


def test_a_member_name_an_archive_does_not_have_is_given_the_close_one_in_the_block(tmp_path):
    # The 1.5B printed archive.zip's one member, isczsjd.txt, opened 'iszsjd.txt', and after the KeyError
    # looked for that name on disk to the check limit (zip-secret, held-out seed 34000).
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("isczsjd.txt", "password: kqzv\n")
    code = (
        "import zipfile\nwith zipfile.ZipFile('archive.zip') as z:\n"
        "    print(z.namelist())\n    print(z.open('iszsjd.txt').read().decode())"
    )
    failed = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    told = failure_hint(failed.stderr, tmp_path, code)
    assert told.startswith(
        "archive.zip has no member iszsjd.txt; it has isczsjd.txt: that is the name to use; your block with "
        "it:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "['isczsjd.txt']\npassword: kqzv\n\n"
    # A tar archive's KeyError too; a name close to none of the members, nothing.
    with tarfile.open(tmp_path / "logs.tar", "w") as tf:
        (tmp_path / "app.log").write_text("x\n")
        tf.add(tmp_path / "app.log", arcname="app.log")
    (tmp_path / "app.log").unlink()
    assert failure_hint("KeyError: \"filename 'ap.log' not found\"", tmp_path).startswith(
        "logs.tar has no member ap.log; it has app.log"
    )
    assert failure_hint("KeyError: \"There is no item named 'zzz.bin' in the archive\"", tmp_path) == ""


def test_a_list_asked_for_a_key_is_given_the_block_with_the_list_itself(tmp_path):
    # The 1.5B loaded orders.json, a list of records, took `data['orders']`, and wrote that line again in
    # every block to the step limit (json-sum, held-out seed 35000).
    (tmp_path / "orders.json").write_text('[{"amount": 2.5, "status": "paid"}, {"amount": 4, "status": "x"}]')
    code = (
        "import json\n\nwith open('orders.json') as f:\n    data = json.load(f)\n\norders = data['orders']\n"
        "print(sum(o['amount'] for o in orders if o['status'] == 'paid'))"
    )
    engine = Scripted(("python", code), ("python", "print(2.5)"), "2.5")
    converse(engine, tmp_path, "What is the total amount of the paid orders in orders.json?")
    told = engine.seen[1][-1].content
    assert (
        "data is a list of 2 items, not a dict, so it has no key 'orders': the items are data itself; your "
        "block with orders = data:\n```python\n"
    ) in told
    assert run_given(told, tmp_path).stdout == "2.5\n"
    # The key taken inside a longer expression: the sentence alone.
    inline = (
        "import json\ndata = json.load(open('orders.json'))\nprint(sum(o['amount'] for o in data['orders']))"
    )
    engine = Scripted(("python", inline), ("python", "print(2.5)"), "2.5")
    converse(engine, tmp_path, "What is the total amount of the paid orders in orders.json?")
    assert (
        "data is a list of 2 items, not a dict, so it has no key 'orders': the items are data itself: loop "
        "over data, or index it by position (data[0])."
    ) in engine.seen[1][-1].content
    assert list_keyed_hint("TypeError: string indices must be integers", inline) == ""
    # A loop over the key: the loop over the list itself (json-sum, the 0.5B on this CPU, seed 46000).
    looped = (
        "import json\ndata = json.load(open('orders.json'))\ntotal = 0\nfor order in data['orders']:\n"
        "    if order['status'] == 'paid':\n        total += order['amount']\nprint(total)"
    )
    engine = Scripted(("python", looped), ("python", "print(2.5)"), "2.5")
    converse(engine, tmp_path, "What is the total amount of the paid orders in orders.json?")
    told = engine.seen[1][-1].content
    assert "the items are data itself; your block with for order in data:\n```python\n" in told
    assert run_given(told, tmp_path).stdout == "2.5\n"


def test_values_printed_for_email_addresses_that_are_none_are_shown_what_one_looks_like(tmp_path):
    # The 1.5B split each line of contacts.txt at "@", kept the part after it, printed
    # ['example.com about nvmwzp', ...] when told to show what it matched, and answered the number of
    # lines again (emails: every run on held-out seeds).
    (tmp_path / "contacts.txt").write_text(
        "Ping goran.qhw@example.com about nvmwzp\nMail dana.odv@example.org\nCall goran.qhw@example.com\n"
    )
    request = "How many distinct email addresses appear in contacts.txt?"
    printed = "['example.com about nvmwzp', 'example.org']\n"
    hint = unlike_kind_hint(printed, request, tmp_path, ["contacts.txt"])
    assert hint == (
        "None of the 2 values printed is an email address: in contacts.txt one looks like "
        "`goran.qhw@example.com` (line 1). Match them whole, e.g. found = "
        "re.findall(r'[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+', open('contacts.txt').read()), then print found[:3] and what the request "
        "asks of them (len(set(found)) is how many distinct ones there are)."
    )
    # Said where the model reads it: beside the block's output.
    engine = Scripted(
        ("python", "print([l.split('@')[1].strip() for l in open('contacts.txt')])"),
        ("python", "import re\nprint(len(set(re.findall(r'\\S+@\\S+', open('contacts.txt').read()))))"),
        "There are 2 distinct addresses.",
    )
    converse(engine, tmp_path, request)
    assert "None of the 3 values printed is an email address: in contacts.txt" in engine.seen[1][-1].content
    # Addresses printed, a count printed, or a request about something else: nothing to say.
    assert (
        unlike_kind_hint("['goran.qhw@example.com', 'x@example.org']", request, tmp_path, ["contacts.txt"])
        == ""
    )
    assert unlike_kind_hint("25\n", request, tmp_path, ["contacts.txt"]) == ""
    assert unlike_kind_hint(printed, "How many lines are in contacts.txt?", tmp_path, ["contacts.txt"]) == ""
    # A file with no address in it gives no example, and so no hint.
    (tmp_path / "plain.txt").write_text("no addresses here\n")
    assert (
        unlike_kind_hint(printed, "How many email addresses are in plain.txt?", tmp_path, ["plain.txt"]) == ""
    )


def test_printed_values_that_are_no_ip_address_are_shown_one_from_the_log(tmp_path):
    (tmp_path / "access.log").write_text('10.0.3.7 - - [01/Mar/2026] "GET / HTTP/1.1" 200 512\n')
    request = "Which IP address made the most requests in access.log?"
    hint = unlike_kind_hint("GET\n/login\n", request, tmp_path, ["access.log"])
    assert hint.startswith(
        "None of the 2 values printed is an IP address: in access.log one looks like `10.0.3.7`"
    )
    assert unlike_kind_hint("10.0.3.7 12\n10.0.1.2 3\n", request, tmp_path, ["access.log"]) == ""


def test_a_capitalised_text_looked_for_in_a_lowercased_line_is_named_as_never_true(tmp_path):
    # The 1.5B's `if "The meeting is on" in line.lower():` printed nothing, and it answered a date it
    # had never printed (meeting, held-out seed 25000).
    (tmp_path / "notes.md").write_text("# Notes\n- The meeting is on 2026-06-27.\n")
    never = 'for line in open("notes.md"):\n    if "The meeting is on" in line.lower():\n        print(line)'
    engine = Scripted(("python", never), ("python", never.replace("The", "the")), "On 2026-06-27.")
    session, _chunks = converse(engine, tmp_path, "According to notes.md, on which date is the meeting?")
    assert (
        '`"The meeting is on" in line.lower()` is never true: line.lower() has no capital letters. '
        "Test for 'the meeting is on' instead."
    ) in engine.seen[1][-1].content
    assert session.messages[4].content == "- The meeting is on 2026-06-27.\n\n"
    assert "never true" in case_never_matches("if 'error' in lines[i].strip().upper(): pass")
    assert case_never_matches("if 'the x' in line.lower() or 'X1' in line: pass") == ""


def test_a_value_set_anew_in_each_turn_of_a_loop_for_a_total_comes_back_added_up(tmp_path):
    # The 0.5B set `total_stock_value = price * qty` in its loop over products.csv's rows and printed it
    # after the loop: the last row's value, answered as the total (csv-value, seed 49000 on this CPU).
    from localinterp.hints import overwritten_in_loop

    (tmp_path / "products.csv").write_text("name,price,qty\napple,2.5,4\npear,1.0,3\n")
    code = (
        "with open('products.csv') as file:\n    next(file)\n    for row in file:\n"
        "        price = float(row.split(',')[1])\n        qty = int(row.split(',')[2])\n"
        "        value = price * qty\nprint(value)"
    )
    engine = Scripted(("python", code), *["The total is 3.0."] * 3)
    asked = "What is the total stock value (price times qty, summed) in products.csv?"
    session, _chunks = converse(engine, tmp_path, asked)
    told = session.messages[2].context
    assert told.startswith(
        "`value = price * qty` on line 6 sets value anew for each item of the loop, so after it value holds "
        "the last one's value only, and the request asks for a total: start it at 0 before the loop and add "
        "each one's (`value += ...`). Your block so:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "13.0\n"
    # A running total, a value not used after the loop, or a request for no total: nothing to say.
    assert overwritten_in_loop(asked, code.replace("value = price", "value = value + price")) == ""
    assert overwritten_in_loop(asked, code.replace("print(value)", "print('done')")) == ""
    assert overwritten_in_loop("What does the last row cost?", code) == ""


def test_numbers_kept_only_when_all_digits_are_given_the_test_that_takes_the_point_out(tmp_path):
    # Asked for the average price, the 1.5B kept the prices whose isdigit() was true: no price of
    # products.csv was, the list was empty and it printed None, then answered from nothing (csv-mean,
    # fresh seeds 56000 and 60000; this is the shape of its block).
    (tmp_path / "products.csv").write_text("name,price,qty\nlamp,83.14,3\nmug,24.50,12\n")
    code = (
        "import csv\nfile_path = 'products.csv'\nwith open(file_path, newline='') as f:\n"
        "    reader = csv.reader(f)\n    next(reader)\n"
        "    prices = [float(row[1]) for row in reader if row[1].isdigit()]\n"
        "average = sum(prices) / len(prices) if prices else None\nprint(average)"
    )
    engine = Scripted(("python", code), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "What is the average price in products.csv?")
    assert session.messages[2].content == "None\n"
    told = session.messages[2].context
    assert told.startswith(
        "'83.14'.isdigit() is False: isdigit() is true only when every character is a digit, so your block "
        "left out every number of products.csv with a decimal point. This block tests each number with its "
        "point taken out:\n```python\n"
    )
    assert "if row[1].replace('.', '', 1).isdigit()]" in told
    assert run_given(told, tmp_path).stdout == "53.82\n"
    # With a whole price among them, it averages that one alone, and is told the same.
    (tmp_path / "products.csv").write_text("name,price,qty\nlamp,83.14,3\nmug,24.50,12\nfan,40,1\n")
    engine = Scripted(("python", code), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "What is the average price in products.csv?")
    assert session.messages[2].content == "40.0\n"
    assert "so your block left out every number of products.csv with a decimal point" in (
        session.messages[2].context
    )
    assert run_given(session.messages[2].context, tmp_path).stdout == "49.21333333333333\n"
    # Divided by the empty list's length, the block fails, and the failure gets the same block.
    divided = code.replace(" if prices else None", "").replace("row[1].isdigit()", "row[1].strip().isdigit()")
    (tmp_path / "products.csv").write_text("name,price,qty\nlamp,83.14,3\nmug,24.50,12\n")
    engine = Scripted(("python", divided), "It failed.", "It failed.", "It failed.")
    session, _chunks = converse(engine, tmp_path, "What is the average price in products.csv?")
    failed = session.messages[2]
    assert "ZeroDivisionError" in failed.content
    assert "if row[1].strip().replace('.', '', 1).isdigit()]" in failed.context
    assert run_given(failed.context, tmp_path).stdout == "53.82\n"
    # A column of whole numbers tested, a value found where the test is not of a column, or no test of
    # digits: nothing to say.
    qty = code.replace("row[1].isdigit()", "row[2].isdigit()")
    assert digit_test_skips("7.5\n", qty, tmp_path) == ""
    by_name = code.replace("row[1].isdigit()", "row[1].strip().isdigit()")
    assert digit_test_skips("49.2\n", by_name, tmp_path) == ""
    assert digit_test_skips("None\n", code.replace(" if row[1].isdigit()", ""), tmp_path) == ""


def test_a_name_compared_with_itself_is_named_and_a_comprehensions_own_loop_item_renamed(tmp_path):
    # Asked which region has the highest total, the 1.5B's comprehension rebound `region` in its own
    # `for`, so `region == region` kept every amount: each region's total was the sum of all, and it
    # answered one region with that sum (region-sales, fresh seed 61000; this is its block).
    (tmp_path / "sales.csv").write_text("region,amount\nwest,10\neast,300\nwest,20\neast,5\n")
    code = (
        "import csv\nwith open('sales.csv', 'r') as file:\n    reader = csv.reader(file)\n"
        "    next(reader)  # Skip header row\n    data = list(reader)\n"
        "regions = [row[0] for row in data]\namounts = [int(row[1]) for row in data]\n"
        "region_totals = {region: sum(amounts[i] for i, region in enumerate(regions) if region == region) "
        "for region in set(regions)}\n"
        "max_region = max(region_totals, key=region_totals.get)\n"
        "print(f'{max_region} {region_totals[max_region]}')"
    )
    engine = Scripted(("python", code), "west 335", "west 335", "west 335")
    session, _chunks = converse(
        engine, tmp_path, "Which region in sales.csv has the highest total amount, and what is that total?"
    )
    assert session.messages[2].content.endswith(" 335\n")  # the sum of every amount
    told = session.messages[2].context
    assert told.startswith(
        "`region == region` compares region with itself: it is always True, so that test keeps everything: "
        "the `for` of that comprehension binds region again, hiding the region outside it. Your block with "
        "that loop's item named this_region:\n```python\n"
    )
    assert "for i, this_region in enumerate(regions) if this_region == region)" in told
    assert run_given(told, tmp_path).stdout == "east 305\n"
    # Compared outside a comprehension, or where the comprehension uses the name again: said, no block.
    assert self_compared("x = 1\nif x == x:\n    print(x)") == (
        "`x == x` compares x with itself: it is always True, so that test keeps everything. Compare it with "
        "the value you meant."
    )
    again = code.replace("amounts[i] for", "amounts[i] * len(region) for")
    assert "```" not in self_compared(again)
    # Two names compared, or a name not equal to itself (a NaN test): nothing to say.
    assert self_compared(code.replace("if region == region", "if r == region")) == ""
    assert self_compared("x = float('nan')\nprint(x != x)") == ""


def test_a_sum_asked_of_a_query_that_sorts_single_rows_gets_the_query_grouped_and_summed(tmp_path):
    # Asked which customer has the highest sum of order totals, the 0.5B ordered the joined rows by
    # o.total and named the customer of the largest single order (sqlite-join, fresh seed 61000; this is
    # its block, handed to it by a check from its ```sql fence).
    _shop(tmp_path)
    code = (
        'import sqlite3\nquery = """SELECT c.name FROM customers c JOIN orders o ON c.id = o.customer_id '
        'ORDER BY o.total DESC LIMIT 1"""\nfor row in sqlite3.connect(\'shop.db\').execute(query):\n'
        "    print(row)"
    )
    asked = "In shop.db, which customer has the highest sum of order totals? Give their name."
    engine = Scripted(("python", code), "ann", "ann", "ann")
    session, _chunks = converse(engine, tmp_path, asked)
    assert session.messages[2].content == "('ann',)\n"  # 50, one order; bo's two come to 70
    told = session.messages[2].context
    assert told.startswith(
        "The request asks for a sum, and your query sorts single rows by o.total: it picks the row with the "
        "largest o.total, not the largest sum. `GROUP BY c.name ORDER BY SUM(o.total)` sums each group's "
        "rows first. Your block so:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "('bo',)\n"
    # A total of one row asked, a query grouped or summed already: nothing to say.
    assert unsummed_order("Which order has the highest total?", code) == ""
    grouped = code.replace("ORDER BY o.total", "GROUP BY c.name ORDER BY SUM(o.total)")
    assert unsummed_order(asked, grouped) == ""
    # The column it sorts by, selected too, is selected as its sum.
    both = unsummed_order(asked, code.replace("SELECT c.name", "SELECT c.name, o.total"))
    assert "SELECT c.name, SUM(o.total) FROM" in both and "GROUP BY c.name ORDER BY SUM(o.total)" in both
    assert run_given(both, tmp_path).stdout == "('bo', 70.0)\n"
    assert unsummed_order(asked, code.replace("SELECT c.name", "SELECT SUM(o.total)")) == ""


def test_files_of_one_kind_counted_with_a_find_that_picks_every_file_get_its_name_test(tmp_path):
    # Asked how many .txt files are under docs, the 0.5B counted `find "$docs_dir" -type f`: the .md
    # files too (count-txt, fresh seed 61000; this is its block, its absolute path made this folder's).
    for name in ("docs/a.txt", "docs/sub/b.txt", "docs/sub/c.md", "docs/d.log"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    code = (
        '#!/bin/bash\n\n# Define the path to the docs directory\ndocs_dir="docs"\n\n'
        '# Use find command to list all files\nfind "$docs_dir" -type f | wc -l'
    )
    asked = "How many .txt files are there under docs, including subfolders?"
    engine = Scripted(("shell", code), "4", "4", "4")
    session, _chunks = converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert session.messages[2].content.strip() == "4"
    told = session.messages[2].context
    assert told.startswith(
        "find -type f picks every file, and the request asks only for the .txt files: `-name '*.txt'` "
        "picks those. Your block so:\n```bash\n"
    )
    assert "find \"$docs_dir\" -type f -name '*.txt' | wc -l" in told
    given = told.split("```bash\n")[1].split("```")[0]
    ran = subprocess.run(["bash", "-c", given], cwd=tmp_path, capture_output=True, text=True)
    assert ran.stdout.strip() == "2"
    # A find that picks by name already, or a request that counts every file: nothing to say.
    assert unfiltered_find(asked, code.replace("-type f", "-type f -name '*.txt'")) == ""
    assert unfiltered_find("How many files are there under docs?", code) == ""


_PRIMES = '''def is_prime(n):
    """Check if a number is prime."""
    if n <= 1:
        return False
    if n <= 3:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    i = 5
    while i * i <= n:
        if n % i == 0 or n % (i + 2) == 0:
            return False
        i += 6
    return True

def find_primes_below_4002():
    """Find all prime numbers smaller than 4002."""
    primes = []
    for num in range(2, 3998):
        if is_prime(num):
            primes.append(num)
    return primes

# Find and print the prime numbers
prime_numbers = find_primes_below_4002()
print(prime_numbers)'''


def test_a_range_stopping_short_of_the_bound_and_a_list_printed_for_a_count_are_mended_together(tmp_path):
    # Asked how many primes are smaller than 4002, the 0.5B looped over range(2, 3998), which leaves out
    # 4001, printed the list, answered "20" and ran the block again (primes, fresh seed 61000; its block).
    asked = "How many prime numbers are smaller than 4002?"
    engine = Scripted(("python", _PRIMES), "20", "20", "20")
    session, _chunks = converse(engine, tmp_path, asked)
    assert session.messages[2].content.startswith("[2, 3, 5, 7, 11, ")
    told = session.messages[2].context
    assert told.startswith(
        "range(..., 3998) goes up to 3997, and the request asks for the numbers below 4002: the range must "
        "stop at 4002. It printed the list prime_numbers, and the request asks how many: print its length, "
        "not its items. Your block so:\n```python\n"
    )
    given = given_block(told)
    assert "    for num in range(2, 4002):\n" in given and given.endswith("print(len(prime_numbers))\n")
    assert run_given(told, tmp_path).stdout == "551\n"
    # Either alone: a range right, or a count printed; "from 1 to N" takes N in.
    right = _PRIMES.replace("3998", "4002")
    said = range_and_count_mended(asked, right, "[2, 3, 5]\n")
    assert said.startswith("It printed the list prime_numbers") and "range(2, 4002)" in said
    counted = _PRIMES.replace("print(prime_numbers)", "print(len(prime_numbers))")
    said = range_and_count_mended(asked, counted, "550\n")
    assert said.startswith("range(..., 3998) goes up to 3997") and "print(len(prime_numbers))" in said
    ones = "total = 0\nfor n in range(1, 21):\n    total += n\nprint(total)"
    said = range_and_count_mended("Add up the whole numbers from 1 to 21.", ones, "210\n")
    assert "the request asks for the numbers up to 21: the range must stop at 22." in said
    assert run_given(said, tmp_path).stdout == "231\n"
    # Nothing to mend: a range far from the bound, no bound, or a list not asked to be counted.
    assert range_and_count_mended(asked, _PRIMES.replace("3998", "100"), "42\n") == ""
    assert range_and_count_mended("List the primes.", _PRIMES, "[2, 3]\n") == ""
    assert range_and_count_mended("What is 40341 times 24902?", "print(40341 * 24902)", "1\n") == ""


def test_the_group_with_the_highest_total_picked_by_its_largest_row_gets_the_block_adding_them(tmp_path):
    # Asked which region has the highest total amount, the 0.5B kept the row with the largest amount and
    # answered its region and that amount (region-sales, fresh seed 61000; its block, after the hint that
    # skipped the header).
    (tmp_path / "sales.csv").write_text("region,amount\nwest,998\neast,300\neast,400\nwest,10\neast,500\n")
    code = (
        "with open('sales.csv', 'r') as file:\n    lines = file.readlines()\n\ntotal_amount = 0\n"
        "region_with_highest_total = None\n\nfor line in lines[1:]:\n    parts = line.split(',')\n"
        "    region = parts[0]\n    amount = int(parts[1])\n"
        "    if region_with_highest_total is None or amount > total_amount:\n"
        "        total_amount = amount\n        region_with_highest_total = region\n\n"
        "print(f'{region_with_highest_total} {total_amount}')"
    )
    asked = "Which region in sales.csv has the highest total amount, and what is that total?"
    engine = Scripted(("python", code), "west, 998", "west, 998", "west, 998")
    session, _chunks = converse(engine, tmp_path, asked)
    assert session.messages[2].content == "west 998\n"
    told = session.messages[2].context
    assert told.startswith(
        "The request asks for the region whose amount adds up to the most, and your block adds nothing up: "
        "it compared single rows. Each region's total is the sum of its rows' amount; this block adds them "
        "up:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "east 1200.0\n"
    lowest = group_totals_unsummed(asked.replace("highest", "lowest"), code, tmp_path)
    assert run_given(lowest, tmp_path).stdout == "west 1008.0\n"
    # A block that adds up, a request for one row, or a group the file has no column for: nothing to say.
    summed = "import csv\nt = {}\nfor r in csv.DictReader(open('sales.csv')):\n    t[r['region']] = 0\n"
    assert group_totals_unsummed(asked, summed + "t['x'] += 1", tmp_path) == ""
    assert group_totals_unsummed("Which sale in sales.csv has the highest amount?", code, tmp_path) == ""
    assert group_totals_unsummed("Which city in sales.csv has the highest total?", code, tmp_path) == ""
    read = "import csv\nprint(list(csv.reader(open('sales.csv')))[1:])"  # a look at the rows picks none
    assert group_totals_unsummed(asked, read, tmp_path) == ""


def test_nothing_found_said_in_a_sentence_with_a_full_stop_is_looked_at(tmp_path):
    # The 0.5B kept the lines whose parts[1] was 'GET' (it is '-'), counted none, printed "The IP address
    # that made the most requests is None." and answered that (log-top-ip, fresh seed 60000; its test).
    (tmp_path / "access.log").write_text(
        '10.0.0.7 - - [24/Nov/2026:10:00:00] "GET /a HTTP/1.1" 200 512\n'
        '10.0.0.9 - - [24/Nov/2026:10:00:01] "GET /b HTTP/1.1" 404 128\n'
    )
    code = (
        "with open('access.log') as f:\n    log_data = f.readlines()\nips = []\nfor line in log_data:\n"
        "    parts = line.split()\n    if len(parts) >= 3 and parts[1] == 'GET':\n        ips.append(parts[0])\n"
        "print(f'The IP address that made the most requests is {max(ips, default=None)}.')"
    )
    asked = "Which IP address made the most requests in access.log?"
    said = nothing_found_hint("The IP address that made the most requests is None.\n", code, tmp_path, asked)
    assert "'GET' is never a whole field of line.split() in access.log" in said
    assert (
        nothing_found_hint("The IP address that made the most requests is 10.0.0.7.\n", code, tmp_path) == ""
    )
