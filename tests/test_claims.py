"""The final-answer check: a number or file the answer states that nothing ran backs, or a file the request
asked to be written or changed that is missing or unchanged, earns the model one more step (at most
twice per request); what the conversation supports passes untouched."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from scripted import Scripted, converse, given_block, run_given

from localinterp.claims import (
    _without_last,
    about_files,
    extracted_unprinted,
    files_to_change,
    hole_filled,
    lines_read_off,
    listdir_unwalked,
    recheck_message,
    relined,
    unchanged,
    unfilled,
    unlike_request,
    unpacked,
    unsupported,
)
from localinterp.session import NOT_RUN, Message, Recheck, Unrunnable, _handed_start


def check(answer: str, printed: str = "", given: str = "", cwd: Path = Path("/nonexistent")) -> list[str]:
    return unsupported(answer, given=[given], printed=[printed], cwd=cwd)


def test_a_value_no_code_printed_is_unsupported():
    assert check("The average price is 42.17.", printed="") == ["42.17"]
    assert check("The average price is 42.17.", printed="42.1666\n") == []  # rounded, as printed
    assert check("It is 1,234,567 bytes.", printed="1234567") == []
    assert check("Disk use is 25 %.", printed="0.25") == []  # a share printed, a percentage stated


def test_numbers_from_the_request_or_the_code_and_small_counts_are_not_claims():
    assert check("12345 times 6789 is 83810205.", printed="83810205", given="12345*6789") == []
    assert check("Step 1 read the file; I found 3 rows.", printed="") == []
    assert check("Run this:\n```python\nprint(99 * 12)\n```", printed="") == []  # code, not a claim


def test_output_shown_in_a_display_fence_is_claimed_like_prose():
    # The 1.5B answered "What is 12345 times 6789?" with a plan, "Output:" and an invented ```text fence.
    answer = 'Plan:\n1. Run `python -c "print(12345*6789)"`.\n\nOutput:\n```\n8000056785\n```'
    assert "8000056785" in check(answer, given="What is 12345 times 6789?")
    # and the call quoted in its plan is code, not a value it reports
    request = "What is 12345 times 6789?"
    assert check(answer.replace("```\n", "```text\n", 1), given=request, printed="8") == ["8000056785"]
    assert check("The log says:\n```text\n404: 37\n```", printed="404: 37\n") == []  # as printed


def test_a_file_said_to_be_written_must_exist_or_have_been_shown(tmp_path):
    (tmp_path / "sorted.txt").write_text("a\n")
    assert check("The names are in sorted.txt.", cwd=tmp_path) == []
    assert check("I wrote them to unique.txt.", cwd=tmp_path, given="write them to unique.txt") == [
        "unique.txt"
    ]
    # a member of an archive, shown by `unzip -l`, is not on disk and need not be
    assert check("The zip holds secret.txt.", printed="  12  secret.txt", cwd=tmp_path) == []
    assert check("Use df.head or Node.js for that.", cwd=tmp_path) == []  # not file names


def test_the_message_names_each_claim_and_says_what_to_do(tmp_path):
    text = recheck_message(["42.17", "unique.txt"], tmp_path, untouched=["report.py"], asked=["unique.txt"])
    assert "you stated 42.17, but no code printed it" in text
    assert f"unique.txt does not exist in {tmp_path}: the request asks for it, so write it with code" in text
    assert "report.py is unchanged: the request asks to change that file itself" in text
    # The 1.5B, told only to save the corrected source, read the file again: it is given a block to fill.
    assert text.endswith(
        'in one block like this:\n```python\nsource = """<the whole corrected content of report.py>\n'
        "\"\"\"\nopen('report.py', 'w').write(source)\nimport subprocess\nsubprocess.run(['python3', 'report.py'])\n```"
    )
    assert "subprocess" not in recheck_message([], tmp_path, untouched=["notes.txt"])  # not a script
    # A model that answered with a ```json fence took it for running code: the message says it is not.
    assert "```json and ```text blocks are only shown, never run" in text
    assert recheck_message(["42.17"], tmp_path).endswith("then answer from what it printed.")


def test_a_request_about_no_file_is_asked_to_work_the_result_out_not_to_read_files(tmp_path):
    # Told to work "on the files themselves", the 1.5B asked for a product printed the a.txt of its folder.
    assert about_files("Which file in the folder files is the largest?")
    assert not about_files("What is 12345 times 6789?")
    text = recheck_message(["8000056785"], tmp_path, on_files=False)
    assert "that works the result out and prints the result" in text and "files" not in text
    assert "works on the files themselves" in recheck_message(["42"], tmp_path)
    # a file to write, or one the answer names, is about files whatever the request's words
    assert "files themselves" in recheck_message(["7"], tmp_path, asked=["out.txt"], on_files=False)
    assert "files themselves" in recheck_message(["a.csv"], tmp_path, on_files=False)


def test_a_named_file_the_request_does_not_ask_for_is_to_be_found_not_written(tmp_path):
    # Told the zip's member "does not exist: the request asks for it, so write it", the 1.5B ran
    # `ls archive.zip` again until the loop stopped it.
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("inner/lshdvxa.txt", "password: bfkmqot\n")
    (tmp_path / "broken.zip").write_bytes(b"PK not a zip")
    text = recheck_message(["lshdvxa.txt", "notes.txt"], tmp_path)
    assert (
        f"lshdvxa.txt is inside archive.zip, not extracted into {tmp_path}: read it from the archive with "
        "code (zipfile) and print it" in text
    )
    assert f"notes.txt is not in {tmp_path} and no output showed it: find or make it with code" in text
    assert "the request asks for it" not in text
    # A file to write that is not there yet is to be written.
    assert "summary.py does not exist in" in recheck_message(["summary.py"], tmp_path, asked=["summary.py"])


def test_a_file_the_request_named_and_a_block_removed_is_said_removed(tmp_path):
    # The 1.5B moved prices.json over summary.py: told prices.json "does not exist: the request asks for
    # it, so write it" is what it needed, but the same words sent it looking for a gunzipped .gz.
    text = recheck_message(["prices.json"], tmp_path, asked=["prices.json"], present=["prices.json"])
    assert (
        f"prices.json was in {tmp_path} when the request came, and a block you ran removed it: write it back "
        "with code" in text
    )
    assert "does not exist" not in text


def test_a_named_archive_decompressed_in_place_is_no_claim(tmp_path):
    # The 1.5B ran `gunzip events.txt.gz`, counted events.txt right (601) and answered "events.txt.gz ...
    # once decompressed is 601": checked for naming the .gz, it went on and the turn ended unsolved.
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"a\nb\n"))
    request = "How many lines does events.txt.gz have once decompressed?"
    engine = Scripted(
        ("shell", "gunzip events.txt.gz"),
        ("shell", "wc -l events.txt"),
        "events.txt.gz has 2 lines once decompressed.",
    )
    session, chunks = converse(engine, tmp_path, request, languages=("shell",))
    assert not any(isinstance(c, Recheck) for c in chunks)
    assert unpacked("events.txt.gz", tmp_path) == "events.txt" and unpacked("events.txt", tmp_path) == ""
    # The .gz gone with nothing in its place is still a file the answer names that is not there. (Gone
    # by a name spelled out, `rm events.txt.gz`, the block would not run: test_overwrites.py.)
    (tmp_path / "events.txt").unlink()
    engine = Scripted(("shell", "find . -name '*.gz' -delete"), *["events.txt.gz has 2 lines."] * 3)
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"a\nb\n"))
    session, chunks = converse(engine, tmp_path, request, languages=("shell",))
    checks = [m.content for m in session.messages if m.role == "check"]
    assert checks and "events.txt.gz was in" in checks[0]


def test_a_file_the_request_asks_to_fix_is_remembered_as_it_was(tmp_path):
    (tmp_path / "report.py").write_text("print(1 + '1')\n")
    (tmp_path / "notes.txt").write_text("x\n")
    before = {"report.py": b"print(1 + '1')\n"}
    assert files_to_change("report.py crashes. Fix it so that it prints 2, and run it.", tmp_path) == before
    assert files_to_change("Fix report.py.", tmp_path) == before
    assert files_to_change("Please update notes.txt and report.py to say hello.", tmp_path) == {
        "notes.txt": b"x\n",
        **before,
    }
    assert files_to_change("Edit the script report.py.", tmp_path) == before
    # an input the fixed script reads is not a file to change
    assert (
        files_to_change("report.py crashes. Fix it so that it prints the total of notes.txt.", tmp_path)
        == before
    )
    assert files_to_change("Why does report.py crash?", tmp_path) == {}  # a question, not a fix
    assert files_to_change("report.py crashes; what does notes.txt say?", tmp_path) == {}
    assert files_to_change("Fix missing.py.", tmp_path) == {}  # nothing on disk to compare


def test_a_file_still_as_it_was_is_unchanged(tmp_path):
    (tmp_path / "report.py").write_text("old\n")
    before = files_to_change("Fix report.py.", tmp_path)
    assert unchanged(before, tmp_path) == ["report.py"]
    (tmp_path / "report.py").write_text("new\n")
    assert unchanged(before, tmp_path) == []
    (tmp_path / "report.py").unlink()
    assert unchanged(before, tmp_path) == []  # gone is a change, not a claim


def test_an_unbacked_answer_gets_one_more_step_and_then_the_loop_ends(tmp_path):
    engine = Scripted(
        ("python", "total = 6 * 7"),  # assigns, prints nothing
        "The total is 42.",  # unbacked
        ("python", "print(total)"),
        "The total is 42.",  # now printed
    )
    session, chunks = converse(engine, tmp_path, "What is the total?")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("42",)]
    roles = [m.role for m in session.messages]
    assert roles == ["user", "assistant", "output", "assistant", "check", "assistant", "output", "assistant"]
    assert "you stated 42, but no code printed it" in engine.seen[2][-1].content
    assert not engine.replies


def test_a_model_that_insists_is_pressed_twice_and_no_more(tmp_path):
    engine = Scripted("The answer is 17.", "The answer is 17.", "The answer is 17.")
    session, chunks = converse(engine, tmp_path, "Pick a number.")
    assert sum(isinstance(c, Recheck) for c in chunks) == 2
    assert engine.forced == [False, True, True]  # no code ran: after a check the reply must be a block
    assert [m.role for m in session.messages] == [
        "user",
        "assistant",
        "check",
        "assistant",
        "check",
        "assistant",
    ]
    assert not engine.replies


def test_a_check_answered_without_code_is_answered_with_a_block_the_second_time(tmp_path):
    # After code had run, the 1.5B answered its check with ```json and ```text fences of the same average.
    engine = Scripted(
        ("python", "prices = [1.0, 2.0]"),
        "The average is 41.50.",
        "```text\nThe average is 41.50.\n```\nAnswer: the average is 41.50.",
        ("python", "print(sum(prices) / len(prices))"),
        "The average is 1.5.",
    )
    _session, chunks = converse(engine, tmp_path, "What is the average price?")
    assert sum(isinstance(c, Recheck) for c in chunks) == 2
    assert engine.forced == [False, False, False, True, False]  # the first check's reply stays free
    assert not engine.replies


def test_a_script_fixed_in_a_block_of_its_own_instead_of_in_the_file_earns_a_step(tmp_path):
    # The 1.5B read report.py, then ran a corrected copy of it and answered: the file stayed broken.
    broken = (
        "total = 0\nfor line in open('n.txt'):\n    total = total + line.strip()\nprint('total:', total)\n"
    )
    fixed = broken.replace("line.strip()", "int(line)")
    (tmp_path / "n.txt").write_text("3\n4\n")
    (tmp_path / "report.py").write_text(broken)
    engine = Scripted(
        ("python", fixed),
        "Fixed: it prints total: 7.",
        (
            "python",
            f"source = {fixed!r}\nopen('report.py', 'w').write(source)\nimport subprocess\nsubprocess.run(['python3', 'report.py'])",
        ),
        "report.py now prints total: 7.",
    )
    session, chunks = converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("report.py",)]
    # Handed the block that writes the copy that worked, the reply is that block from its first token
    # (told so in a free reply, the 1.5B answered its total again in prose: fix-type, held-out 33000).
    assert engine.forced == [False, False, True, False]
    told = engine.seen[2][-1].content
    assert "report.py is unchanged" in told
    assert session.messages[-2].role == "output" and "total: 7" in session.messages[-2].content  # as told
    assert (tmp_path / "report.py").read_text() == fixed and not engine.replies
    # The block to write it is given whole, with the copy that worked in it (shown the block to fill in,
    # the 1.5B ran its copy again, to the step limit: fix-type, held-out seed 31000); it runs as given.
    assert "write the corrected copy you ran, which worked, into it and run it" in told
    (tmp_path / "report.py").write_text(broken)
    ran = run_given(told, tmp_path)
    assert ran.stdout == "total: 7\n" and (tmp_path / "report.py").read_text() == fixed
    from localinterp.claims import corrected_copy

    looks = ["print(open('report.py').read())", "print(open('n.txt').read())", broken]
    assert corrected_copy(broken.encode(), looks) == ""  # reading it, or running it as it is, is no fix
    assert corrected_copy(broken.encode(), [fixed, *looks]) == fixed.strip()
    # A rewrite of it counts too: the files it opens, its statements in other words (the 0.5B's fix-type,
    # seed 47000 on this CPU, was handed the block to fill in and wrote its own again).
    script = "total = 0\nfor line in open('numbers.txt'):\n    total = total + line.strip()\nprint('total:', total)"
    rewrite = (
        "# Read the numbers\nwith open('numbers.txt', 'r') as file:\n    total = 0\n    for line in file:\n"
        "        # Add each\n        total += int(line.strip())\n\n# Print it\nprint('total:', total)"
    )
    assert corrected_copy(script.encode(), [rewrite]) == rewrite
    assert corrected_copy(script.encode(), ["print(open('numbers.txt').read())"]) == ""
    assert corrected_copy(script.encode(), [rewrite.replace("numbers.txt", "other.txt")]) == ""


def test_a_quoted_value_no_output_showed_is_unsupported():
    # The 1.5B's answer after `ls archive.zip` had printed only the archive's name.
    assert check('The password is "bfkmqot".', printed="archive.zip\n") == ["bfkmqot"]
    assert check("The password is `bfkmqot`.", printed="bfkmqot\n") == []
    assert check("Found the 'database' section's `port`.", given='cfg["database"]["port"]') == []
    assert check("It's done; the user's file is fine.") == []  # apostrophes are not quotes
    # A name of a few words in backticks: the 0.5B's query printed "nils" and it answered `John Doe`.
    assert check("The customer is named `John Doe`.", printed="nils\n") == ["John Doe"]
    assert check("The customer is `Ada Lovelace`.", printed="('Ada Lovelace', 812.5)\n") == []
    assert check("Counted with `wc -l` and `sort | uniq -c`.", given="wc -l < a.txt") == []
    assert check('He said "the run went well", then left.') == []  # prose in double quotes is no value


def test_the_same_silent_block_again_is_not_run_but_answered(tmp_path):
    engine = Scripted(
        ("python", "content = open('config.json').read()"),  # prints nothing
        ("python", "content = open('config.json').read()"),  # the same again
        ("python", "print(content)"),
        "It is {'a': 1}.",
    )
    (tmp_path / "config.json").write_text('{"a": 1}')
    session, chunks = converse(engine, tmp_path, "What does config.json hold?")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["ok", "repeated", "ok"]
    assert "printed nothing" in outputs[1].content and outputs[2].content == '{"a": 1}\n'
    assert not any(type(c).__name__ == "Repeated" for c in chunks)


def test_a_silent_block_written_again_is_pointed_at_the_next_step_of_the_models_plan(tmp_path):
    # The 1.5B planned "1. Read access.log. 2. Count requests for each IP. 3. ...", read the file into
    # `lines` and wrote that same block twice more (log-top-ip, held-out seed 14000): the turn ended
    # without an answer. Told only that its block printed nothing, it had nothing to go on.
    plan = "Plan:\n1. Read the log.\n2. Count the requests of each IP address.\n3. Print the busiest.\n"
    read = "lines = open('access.log').readlines()"
    engine = Scripted(
        ("python", read, plan),
        ("python", read, plan),
        (
            "python",
            "from collections import Counter\nprint(Counter(l.split()[0] for l in lines).most_common(1))",
        ),
        "10.0.0.1 made the most requests.",
    )
    (tmp_path / "access.log").write_text("10.0.0.1 - GET /\n10.0.0.1 - GET /x\n10.0.0.2 - GET /\n")
    session, _chunks = converse(engine, tmp_path, "Which IP address made the most requests in access.log?")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["ok", "repeated", "ok"]
    assert outputs[1].content == (
        "It ran without error but printed nothing, as it did before: its variables are kept, so running it "
        'again changes nothing. Write the next step of your plan, "2. Count the requests of each IP '
        'address.", in a block that prints its result.'
    )
    # And the reply is a block from its first token: all 13 replies to such a refusal in the kept runs
    # began "Plan: 1." and wrote the same block again (log-top-ip, held-out seed 34000).
    assert engine.forced == [False, False, True, False]


def test_a_failed_block_runs_again_once_another_block_has_changed_what_it_reads(tmp_path):
    # The 1.5B's `print(total)` failed, a block then set total, and the same print was refused with the
    # old NameError although it would now work.
    engine = Scripted(
        ("python", "print('total:', total)"),
        ("python", "total = 7"),
        ("python", "print('total:', total)"),
        ("python", "print('total:', total)"),  # right after itself: a repeat
        "The total is 7.",
    )
    session, chunks = converse(engine, tmp_path, "Print the total.")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["error", "ok", "ok"]
    assert outputs[2].content == "total: 7\n"
    assert [type(c).__name__ for c in chunks].count("Repeated") == 1


def test_two_blocks_run_in_turn_with_the_same_outputs_are_a_circle_told_once_then_ended(tmp_path):
    # The 0.5B alternated two failing blocks until the step limit; only a block right after itself was
    # a repeat.
    a, b = "print(int('x'))", "print('retrying')"
    engine = Scripted(
        ("python", a), ("python", b), ("python", a), ("python", b), ("python", a), ("python", b)
    )
    session, chunks = converse(engine, tmp_path, "Convert x.")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["error", "ok", "error", "repeated"]
    assert "going in a circle. It printed: retrying" in outputs[3].content
    assert "going in a circle" in engine.seen[4][-1].content
    # Told once; the next block of the circle (a, whose neighbour b was not run again) ends the turn.
    assert [type(c).__name__ for c in chunks].count("Repeated") == 1 and len(engine.replies) == 1


def test_a_handed_block_runs_again_once_the_files_changed_since_it_ran(tmp_path):
    # The 0.5B ran the handed mend (sorted.txt sorted, each name once), then its own script again, which
    # appended the names back; handed the mend again and writing it, it was refused as going in a circle,
    # and the turn ended with sorted.txt wrong (sort-unique, seed 53000).
    (tmp_path / "names.txt").write_text("kira\nivan\nkira\n")
    append = ("shell", "sort names.txt >> sorted.txt\necho sorted")
    mend = ("python", relined("sorted.txt", once=True, ordered=True, descending=False, lines=[]))
    engine = Scripted(append, append, mend, append, append, mend, "sorted.txt holds ivan and kira.")
    request = "Write the names from names.txt to sorted.txt, sorted alphabetically, each name once."
    session, _chunks = converse(engine, tmp_path, request, ("python", "shell"), previews=True)
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["ok", "ok", "ok", "ok"]
    assert (tmp_path / "sorted.txt").read_text() == "ivan\nkira\n" and not engine.replies


def test_an_answer_followed_by_a_block_already_run_is_checked_as_if_it_ended_there(tmp_path):
    # The 1.5B answered "The number of distinct words is 1." and wrote its `wc -l` block again: the turn
    # ended at the repeat, and the answer passed unchecked (unique-words, both held-out seeds).
    (tmp_path / "words.txt").write_text("maple quartz ember maple\n")
    count_lines = ("shell", "wc -l words.txt")
    engine = Scripted(
        count_lines,
        (*count_lines, "The number of distinct words in words.txt is 1.\n\nPlan:\n1. Count them.\n"),
        ("shell", "tr -s ' ' '\\n' < words.txt | sort -u | wc -l"),
        "words.txt has 3 distinct words.",
    )
    session, chunks = converse(engine, tmp_path, "Count the distinct words in words.txt.", ("shell",))
    kinds = [type(c).__name__ for c in chunks]
    assert kinds.count("Repeated") == 1 and kinds.index("Repeated") < kinds.index("Recheck")
    assert "1 is the number of lines in words.txt, whose lines hold" in engine.seen[2][-1].content
    assert [m.content.strip() for m in session.messages if m.role == "output"] == ["1 words.txt", "3"]
    assert not engine.replies
    # With only a plan before it, the repeat stands for its output as the answer (the 0.5B's way of ending:
    # emails, its set of whole lines printed as 25 addresses): checked as that, and the turn ends at the
    # repeat when the check finds nothing.
    engine = Scripted(
        count_lines,
        (*count_lines, "Plan:\n1. Count the lines.\n"),
        ("shell", "tr -s ' ' '\\n' < words.txt | sort -u | wc -l"),
        ("shell", "tr -s ' ' '\\n' < words.txt | sort -u | wc -l", "Plan:\n1. Count them.\n"),
        "unused",
    )
    _session, chunks = converse(engine, tmp_path, "Count the distinct words in words.txt.", ("shell",))
    kinds = [type(c).__name__ for c in chunks]
    assert kinds.count("Recheck") == 1 and kinds.count("Repeated") == 2
    assert "1 is the number of lines in words.txt, whose lines hold" in engine.seen[2][-1].content
    assert kinds[-1] == "Repeated" and engine.replies == ["unused"]
    # A failed block is no answer: written a third time (told its error again at the second), the turn
    # ends there, as before.
    failing = ("shell", "wc -l word.txt")
    engine = Scripted(failing, failing, (*failing, "Plan:\n1. Count the lines.\n"), "unused")
    session, chunks = converse(engine, tmp_path, "Count the distinct words in words.txt.", ("shell",))
    assert [m.status for m in session.messages if m.role == "output"] == ["error", "repeated"]
    assert type(chunks[-1]).__name__ == "Repeated" and engine.replies == ["unused"]


def test_a_block_run_again_after_a_block_that_changed_its_output_is_not_a_circle(tmp_path):
    engine = Scripted(
        ("python", "n = 1"),
        ("python", "print(n)"),
        ("python", "n = 2"),
        ("python", "print(n)"),
        "n is 2.",
    )
    session, chunks = converse(engine, tmp_path, "Set n.")
    assert [m.content for m in session.messages if m.role == "output"] == ["", "1\n", "", "2\n"]
    assert not any(type(c).__name__ == "Repeated" for c in chunks)


def test_the_files_a_request_asks_for_are_those_named_after_a_word_of_writing_and_not_yet_there(tmp_path):
    from localinterp.claims import files_to_write

    (tmp_path / "people.csv").write_text("a\n")
    (tmp_path / "names.txt").write_text("a\n")
    assert files_to_write("Convert people.csv to people.json, keys as strings.", tmp_path) == ["people.json"]
    assert files_to_write("Write the names from names.txt to sorted.txt, each once.", tmp_path) == [
        "sorted.txt"
    ]
    assert files_to_write("Create numbers.txt with 1 to 10. Save a copy as backup/n.txt", tmp_path) == [
        "numbers.txt", "backup/n.txt"
    ]  # fmt: skip
    assert files_to_write("What is in report.pdf?", tmp_path) == []  # a missing input is not an output
    assert files_to_write("Append a line to names.txt.", tmp_path) == []  # there already


def test_an_answer_that_ends_the_turn_without_the_file_asked_for_gets_one_more_step(tmp_path):
    # The 1.5B on csv-to-json: it printed the JSON, never wrote the file, and did not claim to.
    (tmp_path / "people.csv").write_text("name,age\nada,36\n")
    engine = Scripted(
        ("python", "import csv, json; print(json.dumps(list(csv.DictReader(open('people.csv')))))"),
        "Here is the JSON above.",
        (
            "python",
            "import csv, json; json.dump(list(csv.DictReader(open('people.csv'))), open('people.json', 'w'))",
        ),
        "Written.",
    )
    _session, chunks = converse(engine, tmp_path, "Convert people.csv to people.json.")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("people.json",)]
    assert f"people.json does not exist in {tmp_path}" in engine.seen[2][-1].content
    assert (tmp_path / "people.json").exists() and not engine.replies


def test_a_value_read_only_from_a_preview_must_still_be_printed_by_code(tmp_path):
    # localinterp shows the model the first lines of the files a request names; an answer read from that
    # preview is checked like any other: only what code printed backs it.
    (tmp_path / "notes.txt").write_text("meeting moved to 2026-03-14\n")
    engine = Scripted(
        "The meeting is on 2026-03-14.", ("shell", "grep meeting notes.txt"), "It is on 2026-03-14."
    )
    session, chunks = converse(
        engine,
        tmp_path,
        "When is the meeting, according to notes.txt?",
        languages=["python", "shell"],
        previews=True,
    )
    assert "2026-03-14" in (session.messages[0].context or "")  # the preview showed it
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("2026", "03", "14", "notes.txt")]
    assert [m.role for m in session.messages][-3:] == ["assistant", "output", "assistant"]


def test_an_answer_about_a_named_file_when_no_code_ran_earns_a_step(tmp_path):
    # The 1.5B wrote ```json fences (`cat config.json`, then a config of its own) and answered from them;
    # with no number in its prose there was no claim to check, and no code had read the file.
    (tmp_path / "config.json").write_text('{"database": {"port": 6543}}')
    engine = Scripted(
        "Plan: read it.\n```json\ncat config.json\n```\nThat is the port the database uses.",
        ("python", "print(json.load(open('config.json'))['database']['port'])"),
        "The database uses port 6543.",
    )
    session, chunks = converse(engine, tmp_path, "Which port does the database use according to config.json?")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("config.json",)]
    told = engine.seen[1][-1].content
    assert (
        "no code has run for this request, so nothing backs your answer: read config.json with code" in told
    )
    assert [m.role for m in session.messages] == [
        "user",
        "assistant",
        "check",
        "assistant",
        "output",
        "assistant",
    ]
    # Once code has run, an answer with nothing to check is left alone.
    engine = Scripted(("python", "print(open('config.json').read())"), "That is the port the database uses.")
    _session, chunks = converse(
        engine, tmp_path, "Which port does the database use according to config.json?"
    )
    assert not any(isinstance(c, Recheck) for c in chunks)


def test_the_working_directory_the_system_message_gives_is_not_a_claim(tmp_path):
    # The 1.5B quoted its working directory, which only the system message had told it.
    engine = Scripted(f"The files are in `{tmp_path}`.")
    session, chunks = converse(engine, tmp_path, "Where are the files?")
    assert str(tmp_path) in session.system_message and not any(isinstance(c, Recheck) for c in chunks)
    # Nor does it back a number: the 1.5B answered a count with the number in its folder's name.
    work = tmp_path / "unique-words-1031"
    work.mkdir()
    engine = Scripted(f"The folder {work.name} has 1031 distinct words.", "I cannot tell.")
    _session, chunks = converse(engine, work, "Count the distinct words in words.txt.")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("1031",)]
    assert unsupported("1031", given=[f"open('{work}/w.txt')"], printed=[], cwd=work, places=[str(work)])
    # A path inside it is still a value to check: the 0.5B quoted a script there that does not exist.
    said = unsupported(
        f"Run `{work.name}/work/{work.name}.js`.", given=[], printed=[], cwd=work, places=[str(work)]
    )
    assert f"{work.name}/work/{work.name}.js" in said


def test_a_block_of_nothing_but_comments_is_not_run_and_ends_the_turn(tmp_path):
    # The 1.5B closed a right answer with "```shell\n# No further action needed\n```"; run, it printed
    # nothing, and the model then answered that instead of the task.
    engine = Scripted(("python", "print(6 * 7)"), ("shell", "# No further action needed."))
    session, chunks = converse(engine, tmp_path, "What is 6 times 7?", languages=("python", "shell"))
    assert [m.role for m in session.messages] == ["user", "assistant", "output", "assistant"]
    assert not any(isinstance(c, Recheck) for c in chunks) and not engine.replies


def test_a_reply_the_engine_cut_is_saved_with_how_and_checked_as_an_answer(tmp_path):
    # SmolLM2 said the same sentences over and over until the engine cut it (repetition): the saved
    # message says how it ended, so scripts/replay_eval.py replays it so, and it is checked as an answer
    # is, with a word on the cut: a reply cut short is no last word on the request.
    from localinterp.engine.types import TurnEnd, TurnStats

    looped = TurnEnd("repetition", TurnStats(), "It is set to 4821. It is set to 4821.")
    engine = Scripted(looped, "I cannot tell.")
    session, chunks = converse(engine, tmp_path, "What is the value of LI_EVAL_TOKEN?")
    assert session.messages[1].to_json() == {
        "role": "assistant",
        "content": "It is set to 4821. It is set to 4821.",
        "status": "repetition",
    }
    assert any(isinstance(c, Recheck) for c in chunks)
    told = session.messages[2]
    assert told.role == "check"
    assert told.content.startswith(
        "Your reply was cut off: it ran on without a block that computes the answer. "
    )
    assert "you stated 4821, but no code printed it" in told.content
    # A reply that ended by itself is checked without that word.
    engine = Scripted("It is set to 4821.", "I cannot tell.")
    session, chunks = converse(engine, tmp_path, "What is the value of LI_EVAL_TOKEN?")
    assert session.messages[1].status is None and any(isinstance(c, Recheck) for c in chunks)
    assert not session.messages[2].content.startswith("Your reply was cut off")


def test_a_product_worked_by_hand_until_the_tokens_ran_out_gets_the_block_that_computes_it(tmp_path):
    # Asked for 40341 times 24902, the 0.5B wrote LaTeX (`40341 \times (25000 - 2) = ...`) until its
    # tokens ran out and never wrote a block; the turn ended there, unanswered (multiply, fresh seed 61000).
    from localinterp.engine.types import TurnEnd, TurnStats

    worked = "40341 \\times 24902 = 40341 \\times (25000 - 2)\n" * 20
    engine = Scripted(
        TurnEnd("length", TurnStats(), worked), ("python", "print(40341 * 24902)"), "1004571582"
    )
    session, _chunks = converse(engine, tmp_path, "What is 40341 times 24902?")
    check = session.messages[2]
    assert check.role == "check" and check.content.startswith("Your reply was cut off")
    assert engine.forced[1] and engine.starts[1] == "```python\nprint(40341 * 24902)\n"
    assert session.messages[4].content == "1004571582\n" and not engine.replies


def test_a_python_block_that_is_only_a_value_is_shown_not_run(tmp_path):
    # Told its renamed files had two dots, the 1.5B wrote the names it wanted as a list in a python block;
    # run, it echoed them, and the model answered "renamed" from that (rename, seed 30000).
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a..jpg").write_bytes(b"x")
    engine = Scripted(
        ("python", "['a.jpg']", "The file is renamed to a.jpg."),
        ("python", "import os\nos.rename('pics/a..jpg', 'pics/a.jpg')\nprint(os.listdir('pics'))"),
        "pics/a.jpg is there now.",
    )
    session, chunks = converse(engine, tmp_path, "Rename pics/a..jpg to pics/a.jpg.")
    outputs = [m.content for m in session.messages if m.role == "output"]
    assert outputs == ["['a.jpg']\n"] and sum(isinstance(c, Recheck) for c in chunks) == 1
    assert not engine.replies and (tmp_path / "pics" / "a.jpg").exists()
    # With nothing but the block (its reply to a check, in that run), the value is checked as a ```text
    # fence's is: a.jpg is not there.
    (tmp_path / "pics" / "a.jpg").rename(tmp_path / "pics" / "a..jpg")
    engine = Scripted(("python", "['a.jpg']"), "Renamed.", "Renamed.", "Renamed.")
    session, chunks = converse(engine, tmp_path, "Rename pics/a..jpg to pics/a.jpg.")
    checks = [c for c in chunks if isinstance(c, Recheck)]
    assert checks and "a.jpg" in checks[0].claims
    assert not any(m.role == "output" and m.status not in NOT_RUN for m in session.messages)


def test_an_output_pasted_as_code_that_cannot_run_is_shown_not_run(tmp_path):
    # Having answered the meeting's date from notes.md, printed, the 1.5B pasted the file into a ```shell
    # fence ("-: command not found" on every line), then into a ```python one with a date's leading zero
    # dropped (a SyntaxError), and ran them in turn for nine blocks (meeting, fresh seed 61000).
    notes = (
        "# Notes\n- yslxyk ezhkzk\n- nnwpwp dqqsjx\n- The meeting is on 2026-10-08 in room 1.\n"
        "- irgpyj omxwoe\n- aikjvv qqtrre\n"
    )
    (tmp_path / "notes.md").write_text(notes)
    answer = "The meeting is on 2026-10-08 in room 1.\n"
    engine = Scripted(("python", "print(open('notes.md').read())"), ("shell", notes.strip(), answer))
    session, chunks = converse(
        engine, tmp_path, "When is the meeting, according to notes.md?", languages=("python", "shell")
    )
    assert [m.role for m in session.messages] == ["user", "assistant", "output", "assistant"]
    assert not any(isinstance(c, Recheck) for c in chunks) and not engine.replies
    pasted = notes.strip().replace("2026-10-08", "2026-10-8")
    engine = Scripted(("python", "print(open('notes.md').read())"), ("python", pasted, answer))
    session, chunks = converse(engine, tmp_path, "When is the meeting, according to notes.md?")
    assert [m.role for m in session.messages] == ["user", "assistant", "output", "assistant"]
    # Printed lines that run as code do run: a script printed, then run as its lines; so does a block
    # that is mostly new.
    (tmp_path / "run.sh").write_text("echo one\necho two\n")
    engine = Scripted(("shell", "cat run.sh"), ("shell", "echo one\necho two"), "It prints one and two.")
    session, _chunks = converse(engine, tmp_path, "What does run.sh print?", languages=("python", "shell"))
    assert [m.content for m in session.messages if m.role == "output"] == [
        "echo one\necho two\n",
        "one\ntwo\n",
    ]
    fresh = "- yslxyk ezhkzk\nprint(1)\nprint(2)\nprint(3)"
    engine = Scripted(("python", "print(open('notes.md').read())"), ("python", fresh), *["Done."] * 4)
    session, _chunks = converse(engine, tmp_path, "When is the meeting, according to notes.md?")
    assert session.messages[4].status == "error"  # its SyntaxError, run and told


def test_a_written_file_with_repeats_or_out_of_order_is_named_when_the_request_asked_otherwise(tmp_path):
    from localinterp.claims import unlike_request

    (tmp_path / "sorted.txt").write_text("bruno\nbruno\nchen\nana\n")
    asked = "Write the names from names.txt to sorted.txt, sorted alphabetically, each name once."
    said = unlike_request(asked, ["sorted.txt"], tmp_path)
    assert [s.split("\n```")[0] for s in said] == [
        "sorted.txt has 4 lines but only 3 different ones, and the request asks for each one once: write "
        "each line only once (in Python, sorted(set(lines)); in a shell, sort -u)",
        # Both asked, both said: told only to sort, the 1.5B put the repeats back (seed 29000).
        "sorted.txt is not sorted: line 4 (ana) comes after chen; sort the lines before writing them and keep "
        "each once (sorted(set(lines)); in a shell, sort -u)",
    ]
    # The last sentence about the file hands the block that mends it, and that block does.
    assert run_given(said[1], tmp_path).returncode == 0
    assert (tmp_path / "sorted.txt").read_text() == "ana\nbruno\nchen\n"
    # For a cloud model, whose previews are off, the lines are not quoted: no code printed them.
    (tmp_path / "sorted.txt").write_text("bruno\nbruno\nchen\nana\n")
    assert unlike_request(asked, ["sorted.txt"], tmp_path, quote=False)[1].startswith(
        "sorted.txt is not sorted: line 4 comes after line 3; sort the lines before writing them"
    )
    # Any order a person would mean passes: text ignoring case, numbers, descending when asked so.
    (tmp_path / "a.txt").write_text("apple\nBanana\ncherry\n")
    (tmp_path / "n.txt").write_text("2\n10\n33\n")
    (tmp_path / "d.txt").write_text("9\n3\n1\n")
    assert unlike_request("Write them to a.txt and n.txt, sorted.", ["a.txt", "n.txt"], tmp_path) == []
    assert unlike_request("Save d.txt sorted in descending order.", ["d.txt"], tmp_path) == []
    # Sorted by something the check cannot see (length, date): not judged; by name it is.
    assert unlike_request("Save d.txt sorted by length.", ["d.txt"], tmp_path) == []
    assert unlike_request("Save d.txt sorted by name.", ["d.txt"], tmp_path) != []
    said = unlike_request("Save d.txt sorted.", ["d.txt"], tmp_path)
    assert [s.split("\n```")[0] for s in said] == [
        "d.txt is not sorted: line 2 (3) comes after 9; sort the lines before writing them"
    ]
    # Numbers sort as numbers; asked for each once alone, the order they came in is kept.
    assert run_given(said[0], tmp_path).returncode == 0
    assert (tmp_path / "d.txt").read_text() == "1\n3\n9\n"
    (tmp_path / "o.txt").write_text("pia\nbo\npia\n")
    said = unlike_request("Write o.txt with each name once.", ["o.txt"], tmp_path)
    assert run_given(said[0], tmp_path).returncode == 0
    assert (tmp_path / "o.txt").read_text() == "pia\nbo\n"
    # Nothing asked of the lines, a JSON file, or "once" meaning "after": nothing to say.
    (tmp_path / "out.json").write_text("[\n1,\n1\n]\n")
    assert unlike_request("Write sorted.txt, one per line.", ["sorted.txt"], tmp_path) == []
    assert unlike_request("Write out.json with each value once.", ["out.json"], tmp_path) == []
    assert unlike_request("Once decompressed, write it to sorted.txt.", ["sorted.txt"], tmp_path) == []


def test_a_file_written_with_repeats_earns_a_step_with_the_repeats_named(tmp_path):
    # The 1.5B wrote names.txt's 17 lines sorted, 7 of them repeats, and answered "done" (sort-unique).
    (tmp_path / "names.txt").write_text("kira\nivan\nkira\n")
    engine = Scripted(
        ("python", "open('sorted.txt', 'w').writelines(sorted(open('names.txt')))"),
        "The python block ran without error and printed nothing.",
        ("python", "open('sorted.txt', 'w').write(''.join(sorted(set(open('names.txt')))))"),
        "Done: sorted.txt holds ivan and kira.",
    )
    request = "Write the names from names.txt to sorted.txt, sorted alphabetically, each name once."
    _session, chunks = converse(engine, tmp_path, request)
    assert sum(isinstance(c, Recheck) for c in chunks) == 1
    told = engine.seen[2][-1].content
    assert "sorted.txt has 3 lines but only 2 different ones, and the request asks for each one once" in told
    assert (tmp_path / "sorted.txt").read_text() == "ivan\nkira\n" and not engine.replies
    # The write is the step the 1.5B left out (it printed the names sorted and each once, and answered
    # "written"), and the 0.5B wrote its own block again: the block that mends the file ends the check.
    assert told.endswith(
        " The block below does it:\n```python\nlines = sorted(set(line.strip() for line in open('sorted.txt') "
        "if line.strip()))\nopen('sorted.txt', 'w').write('\\n'.join(lines) + '\\n')\n"
        "print(open('sorted.txt').read())\n```"
    )
    # Told so, the 1.5B answered "written" again (seeds 37000, 45000): the reply begins with that block.
    assert engine.forced[2] and engine.starts[2].startswith("```python\nlines = sorted(set(line.strip()")


def test_json_written_as_lists_when_objects_were_asked_for_is_named_with_its_mend(tmp_path):
    # The 1.5B wrote people.csv's rows to people.json as lists of values, shown "[8 × [2 × text]]", and
    # answered that the list of objects was written (csv-to-json, held-out seed 52000).
    (tmp_path / "people.csv").write_text("name,age\nnils,87\nivan,20\n")
    lists = (
        "import json\nlines = open('people.csv').read().split()\n"
        "json.dump([l.split(',') for l in lines[1:]], open('people.json', 'w'))"
    )
    request = (
        "Convert people.csv to people.json: a JSON list of objects with the same keys and values as strings."
    )
    mend = (
        "import csv, json\nrows = list(csv.DictReader(open('people.csv', newline='')))\n"
        "json.dump(rows, open('people.json', 'w'), indent=2)\nprint(open('people.json').read())"
    )
    engine = Scripted(("python", lists), ("python", mend), "people.json holds two objects.")
    session, _chunks = converse(engine, tmp_path, request, previews=True)
    told = session.messages[2].context
    assert (
        'people.json holds a list of lists (the first ["nils", "87"]), and the request asks for a list of '
        "objects: each row a dict keyed by the column names. Run this block to write it so:\n"
    ) in told
    # The reply begins with the block handed with it, which writes the objects.
    assert given_block(told) == mend + "\n" and not engine.replies
    assert engine.forced[1] and engine.starts[1] == f"```python\n{mend}\n"
    assert json.loads((tmp_path / "people.json").read_text()) == [
        {"name": "nils", "age": "87"},
        {"name": "ivan", "age": "20"},
    ]
    # A cloud model is not sent the values.
    (tmp_path / "people.json").write_text('[["nils", "87"]]')
    assert unlike_request(request, ["people.json"], tmp_path, quote=False)[0].startswith(
        "people.json holds a list of lists, and"
    )
    # Each row json.dumps'ed first, a list of texts: the 1.5B answered "done" (csv-to-json, fresh 59000).
    (tmp_path / "people.json").write_text(json.dumps([json.dumps({"name": "nils", "age": "87"})] * 2))
    said = unlike_request(request, ["people.json"], tmp_path, quote=False)[0]
    assert said.startswith("people.json holds a list of texts, and") and "csv.DictReader" in said
    # Objects written, or no objects asked for: nothing to say.
    (tmp_path / "people.json").write_text('[{"name": "nils", "age": "87"}, {"name": "ivan", "age": "20"}]')
    assert unlike_request(request, ["people.json"], tmp_path) == []
    (tmp_path / "people.json").write_text('[["nils", "87"]]')
    assert unlike_request("Write people.json as a JSON list.", ["people.json"], tmp_path) == []


def test_items_written_with_the_value_they_were_selected_by_come_back_with_the_block_that_drops_it(tmp_path):
    # Asked for the items whose stock is 0, the 0.5B wrote `willow 0` on every line and, shown the file,
    # wrote it so again (out-of-stock: every seed of 53000-58000; this is its block).
    (tmp_path / "inventory.json").write_text(
        '[{"item": "willow", "stock": 0}, {"item": "fern", "stock": 4}, {"item": "maple", "stock": 0}]'
    )
    block = (
        "import json\nwith open('inventory.json', 'r') as file:\n    data = json.load(file)\n"
        "filtered_items = [item for item in data if item['stock'] == 0]\n"
        "with open('out_of_stock.txt', 'w') as file:\n    for item in filtered_items:\n"
        "        file.write(f\"{item['item']} {item['stock']}\\n\")"
    )
    request = "Write the items of inventory.json whose stock is 0 to out_of_stock.txt, one per line."
    mend = _without_last("out_of_stock.txt", "0")
    engine = Scripted(("python", block), ("python", mend), "Done.")
    session, _chunks = converse(engine, tmp_path, request, previews=True)
    written = session.messages[2].context
    assert written.endswith(
        "every line of out_of_stock.txt ends with 0, the value the request selects by, and the request asks "
        f"for what has it, not the value: write each line without it. Run this block to write it so:\n```python\n{mend}\n```"
    )
    assert engine.forced[1] and engine.starts[1] == f"```python\n{mend}\n"
    assert session.messages[4].content == "willow\nmaple\n\n" and not engine.replies
    assert (tmp_path / "out_of_stock.txt").read_text() == "willow\nmaple\n"
    # Names alone, values that differ, or a request that selects by no such value: nothing to say.
    assert unlike_request(request, ["out_of_stock.txt"], tmp_path) == []
    (tmp_path / "out_of_stock.txt").write_text("willow 0\nmaple 3\n")
    assert unlike_request(request, ["out_of_stock.txt"], tmp_path) == []
    (tmp_path / "out_of_stock.txt").write_text("willow 0\nmaple 0\n")
    assert (
        unlike_request("Write each item and its stock to out_of_stock.txt.", ["out_of_stock.txt"], tmp_path)
        == []
    )


def test_a_line_count_read_off_a_printed_line_is_checked_with_the_block_that_counts(tmp_path):
    # The 1.5B ran `gunzip events.txt.gz`, then `cat events.txt`, and answered 337, read off the line
    # "event 337 ..." of 697 (gzip-lines, fresh seed 58000).
    text = "".join(f"event {i} stone\n" for i in range(40))
    with gzip.open(tmp_path / "events.txt.gz", "wt") as f:
        f.write(text)
    asked = "How many lines does events.txt.gz have once decompressed?"
    engine = Scripted(
        ("shell", "gunzip events.txt.gz"),
        ("shell", "cat events.txt"),
        "The number of lines in events.txt.gz is 37.",
        ("python", "print(sum(1 for _ in open('events.txt')))"),
        "40",
    )
    converse(engine, tmp_path, asked, languages=("python", "shell"))
    told = engine.seen[3][-1].content
    assert (
        "37 is read off a line the last output shows, not counted: the request counts the lines of "
        "events.txt, and a block is to print their number"
    ) in told
    assert told.endswith("```python\nprint(sum(1 for _ in open('events.txt')))\n```")
    assert engine.forced[3] and not engine.replies
    # Still compressed: counted through gzip. The count itself, or a short output: nothing to say.
    (tmp_path / "events.txt").unlink()
    with gzip.open(tmp_path / "events.txt.gz", "wt") as f:
        f.write(text)
    said = lines_read_off(asked, "It has 37 lines.", text, tmp_path)
    assert run_given(said[0], tmp_path).stdout == "40\n"
    assert lines_read_off(asked, "It has 40 lines.", text, tmp_path) == []
    assert lines_read_off(asked, "It has 37 lines.", "event 37 stone\n", tmp_path) == []
    assert lines_read_off("Which event is in events.txt.gz?", "Event 37.", text, tmp_path) == []


def test_a_json_file_written_with_fewer_items_than_its_csv_has_rows_is_checked(tmp_path):
    # Having printed people[:5] of seven rows, the 1.5B wrote those five into people.json by hand as
    # "sample data" and answered that it was written (csv-to-json, fresh seed 58000).
    (tmp_path / "people.csv").write_text("name,age\npia,56\nbruno,52\nchen,70\n")
    (tmp_path / "people.json").write_text('[{"name": "pia", "age": "56"}, {"name": "bruno", "age": "52"}]')
    request = (
        "Convert people.csv to people.json: a JSON list of objects with the same keys and values as strings."
    )
    said = unlike_request(request, ["people.json"], tmp_path)
    assert said[0].startswith(
        "people.json holds 2 items and people.csv has 3 data rows: write one item for every row, read from "
        "the file by code, not copied from an output\n```python\nimport csv, json\n"
    )
    run_given(said[0], tmp_path)
    assert json.loads((tmp_path / "people.json").read_text())[2] == {"name": "chen", "age": "70"}
    assert unlike_request(request, ["people.json"], tmp_path) == []  # every row now
    # Asked for no objects: said, with no block.
    (tmp_path / "people.json").write_text("[1]")
    assert "```" not in unlike_request("Convert people.csv to people.json.", ["people.json"], tmp_path)[0]


def test_a_file_written_unlike_the_request_is_named_with_its_mend_as_it_is_written(tmp_path):
    # The 0.5B wrote sorted.txt with names.txt's repeats, then the same block again and again, and never
    # answered, so the check at an answer never came (sort-unique: every one of its H100 runs).
    (tmp_path / "names.txt").write_text("kira\nivan\nkira\n")
    block = ("python", "open('sorted.txt', 'w').writelines(sorted(open('names.txt')))")
    mend = relined("sorted.txt", once=True, ordered=True, descending=False, lines=[])
    engine = Scripted(block, block, ("python", mend), "Done.")
    request = "Write the names from names.txt to sorted.txt, sorted alphabetically, each name once."
    session, _chunks = converse(engine, tmp_path, request, previews=True)
    written = session.messages[2]
    assert "sorted.txt has 3 lines but only 2 different ones" in written.context
    assert written.context.endswith(f"Run this block to write it so:\n```python\n{mend}\n```")
    assert (tmp_path / "sorted.txt").read_text() == "ivan\nkira\n"
    # Written again, it is not run: told what it was told, with the block, and the reply that must be a
    # block begins with that block, whole.
    again = session.messages[4]
    assert again.status == "repeated" and again.content.startswith("It ran without error but printed nothing")
    assert "Run this block to write it so:\n```python\nlines = " in again.content
    assert engine.forced[2] and engine.starts[2] == f"```python\n{mend}\n"
    # So does the reply right after the hint: the 0.5B ran its own script again instead (sort-unique,
    # seeds 53000-55000); and the first reply is free.
    assert engine.starts[:2] == ["", engine.starts[2]] and engine.forced[1] and not engine.replies
    # Answered instead, as the 1.5B did ("sorted and written", seeds 37000, 45000): asked again, the
    # reply a block begun with the mend.
    (tmp_path / "sorted.txt").unlink()
    engine = Scripted(block, "Done: sorted and written.", ("python", mend), "Done.")
    session, _chunks = converse(engine, tmp_path, request, previews=True)
    told = engine.seen[2][-1]
    assert told.role == "user" and told.content.startswith("You answered without looking. sorted.txt has 3")
    assert engine.forced[2] and engine.starts[2].startswith("```python\nlines = sorted(set(line.strip()")
    assert (tmp_path / "sorted.txt").read_text() == "ivan\nkira\n" and not engine.replies
    # None for a block still to fill in, or in a language with no runner.
    hole = "```python\nlines = <the lines a.txt should hold, as the request asks>\nprint(lines)\n```"
    assert _handed_start(Message("check", f"Write it.{hole}"), ["python"]) == ""
    commented = "```python\n# read it\nprint(open('a.txt').read())\n```"
    assert _handed_start(Message("output", "", "python", "ok", context=commented), ["python"]) == (
        "```python\n# read it\nprint(open('a.txt').read())\n"
    )
    assert _handed_start(Message("output", "", "python", "ok", context=commented), ["shell"]) == ""


def test_a_folder_listed_without_its_subfolders_is_given_the_walk_when_the_request_takes_them_in(tmp_path):
    # Told to count with code, the 0.5B counted os.listdir(docs_dir): 0, three times (count-txt, seed
    # 47000 on this CPU); it had gone into the subfolders with find before, so no check said so.
    for path in ("docs/a/x.txt", "docs/a/deep/y.txt", "docs/b/z.md"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x\n")
    code = 'import os\ndocs_dir = "docs"\nprint(sum(1 for f in os.listdir(docs_dir) if f.endswith(".txt")))'
    engine = Scripted(("python", code), *["There are 2."] * 4)
    session, _chunks = converse(engine, tmp_path, "How many .txt files are under docs, including subfolders?")
    told = session.messages[2].context
    assert told.startswith(
        "os.listdir(docs_dir) lists only that folder's own entries, and the request takes in its subfolders "
        "too: os.walk(docs_dir) goes into them. Your block so:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "2\n"
    # Asked about the folder alone, or walking already: nothing to say.
    assert listdir_unwalked("How many .txt files are in docs?", code) == ""
    assert listdir_unwalked("Count them, subfolders too.", code + "\nos.walk('docs')") == ""


def test_a_file_size_answered_as_a_count_is_named(tmp_path):
    from localinterp.claims import measures_for_counts

    (tmp_path / "events.txt").write_bytes(b"x\n" * 5618)  # 11236 bytes, 5618 lines
    asked = "How many lines does events.txt.gz have once decompressed?"
    said = "The file events.txt exists, so the number of lines is 11236."
    assert measures_for_counts(said, asked, tmp_path) == [
        "11236 is the size of events.txt in bytes, not a number of lines: count those with code"
    ]
    assert measures_for_counts("It has 5618 lines.", asked, tmp_path) == []
    # A count of addresses answered with the file's size gets the block that finds them: told so in a
    # sentence, the 0.5B printed its sentence with the size again, twice (emails, fresh seed 60000).
    (tmp_path / "contacts.txt").write_text("ann a@x.org 1\nbo b@y.com 2\nann a@x.org 3\n" * 10)
    size = (tmp_path / "contacts.txt").stat().st_size
    emails = "How many distinct email addresses are in contacts.txt?"
    [told] = measures_for_counts(f"There are {size} addresses.", emails, tmp_path)
    assert told.startswith(f"{size} is the size of contacts.txt in bytes, not a number of addresses")
    assert run_given(told, tmp_path).stdout == "2\n"
    # Asked about size, or not asked to count anything: a size is the answer.
    assert measures_for_counts("It is 11236 bytes.", "How big is events.txt, in bytes?", tmp_path) == []
    assert measures_for_counts("It is 11236.", "What is in events.txt?", tmp_path) == []


def test_a_line_count_answered_as_a_count_of_what_the_lines_hold_is_named(tmp_path):
    # The 1.5B ran `wc -l` on a one-line words.txt and answered 1 distinct word; it put whole lines of
    # contacts.txt in a set and answered their number as the distinct addresses.
    from localinterp.claims import measures_for_counts

    (tmp_path / "words.txt").write_text("maple quartz ember maple\nember stone\n")
    asked = "Using a shell command, count the distinct words in words.txt."
    said = measures_for_counts("The number of distinct words in `words.txt` is 2.", asked, tmp_path)
    assert said == [
        "2 is the number of lines in words.txt, whose lines hold several fields each, and the request "
        "counts words: count the words themselves with code (in Python, print(len(set(open('words.txt')"
        ".read().split()))); in a shell, tr -s '[:space:]' '\\n' < words.txt | sort -u | wc -l)"
    ]
    assert measures_for_counts("There are 4 distinct words.", asked, tmp_path) == []
    # Every word counted, the repeated ones again (`wc -w`: 6), is not the distinct ones either.
    said = measures_for_counts("words.txt has 6 distinct words.", asked, tmp_path)
    assert said == [
        "6 is the number of all the words in words.txt, some of them more than once, and the request "
        "counts the distinct ones: count each word once with code (in Python, print(len(set(open("
        "'words.txt').read().split()))); in a shell, tr -s '[:space:]' '\\n' < words.txt | sort -u | wc -l)"
    ]
    # Each runs as given, and counts each word once.
    python, shell = said[0].split("in Python, ")[1].split("; in a shell, ")
    run = subprocess.run([sys.executable, "-c", python], cwd=tmp_path, capture_output=True, text=True)
    assert run.stdout == "4\n"
    run = subprocess.run(shell.rstrip(")"), shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert run.stdout.strip() == "4"
    assert measures_for_counts("It has 6 words.", "How many words are in words.txt?", tmp_path) == []
    (tmp_path / "contacts.txt").write_text(
        "Mail a@x.org about q\nMail b@x.org about r\nMail a@x.org about s\n"
    )
    said = measures_for_counts(
        "3 distinct addresses.", "How many distinct email addresses appear in contacts.txt?", tmp_path
    )
    # With the block that finds them: told only to count the addresses themselves, the 1.5B printed five
    # whole lines and answered 25 again, twice (emails, held-out seed 26000); told the call inside the
    # sentence, it ran its own block again (57000). The block runs as given.
    assert said == [
        "3 is the number of lines in contacts.txt, whose lines hold several fields each, and the request "
        "counts addresses: count the addresses themselves with code\n```python\nimport re\n"
        r"found = re.findall(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+', open('contacts.txt').read())"
        "\nprint(len(set(found)))\n```"
    ]
    assert run_given(said[0], tmp_path).stdout == "2\n"
    told = recheck_message([], tmp_path, wrong=said)
    assert told.endswith(
        "then answer from what it printed. The block below does it:\n```python\nimport re\n"
        r"found = re.findall(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+', open('contacts.txt').read())"
        "\nprint(len(set(found)))\n```"
    )
    said = measures_for_counts("3 of them.", "How many distinct IP addresses are in contacts.txt?", tmp_path)
    assert "re.findall(r'\\b\\d{1,3}(?:\\.\\d{1,3}){3}\\b'" in said[0]
    said = measures_for_counts("3 of them.", "How many emails are in contacts.txt?", tmp_path)
    assert run_given(said[0], tmp_path).stdout == "3\n"  # every one, not the distinct ones
    said = measures_for_counts("3 of them.", "How many different addresses are in contacts.txt?", tmp_path)
    assert said[0].endswith("(print a few of the addresses you matched first)")
    # Lines are what is counted (each line one request, or one value), or the file is not the request's:
    # a line count is the answer.
    (tmp_path / "access.log").write_text("1.2.3.4 GET / 404\n1.2.3.5 GET / 200\n")
    (tmp_path / "names.txt").write_text("kira\ndana\n")
    assert measures_for_counts("It has 2.", "How many requests are in access.log?", tmp_path) == []
    assert measures_for_counts("It has 2.", "How many lines of access.log have GET?", tmp_path) == []
    assert measures_for_counts("2 names.", "How many different names are in names.txt?", tmp_path) == []
    assert measures_for_counts("2 words.", "Count the words in notes.txt.", tmp_path) == []
    assert (
        "access.log" in measures_for_counts("2.", "How many requests in access.log got a 404?", tmp_path)[0]
    )


def test_a_check_answered_with_the_block_run_before_it_is_told_so_once(tmp_path):
    # Told to write out_of_stock.txt, the 1.5B ran its existence test again and the turn ended there.
    look = "import os\nprint(os.path.exists('out.txt'))"
    engine = Scripted(
        ("python", look),
        "The file does not exist.",
        ("python", look),  # the check answered with the same block
        ("python", "open('out.txt', 'w').write('x\\n')"),
        "Written out.txt.",
    )
    session, chunks = converse(engine, tmp_path, "Write x to out.txt.")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["ok", "repeated", "ok"]
    assert "running it again shows nothing new" in outputs[1].content
    assert engine.forced == [False, False, False, True, False]  # the reply after that is a block
    assert (tmp_path / "out.txt").exists() and not engine.replies
    # Twice: the turn ends.
    engine = Scripted(("python", look), "No file.", ("python", look), ("python", look), "unused")
    _session, chunks = converse(engine, tmp_path / "..", "Write x to another.txt.")
    assert type(chunks[-1]).__name__ == "Repeated" and engine.replies == ["unused"]


def test_a_failed_block_written_again_is_told_its_hint_again(tmp_path):
    # The 0.5B, told to write config.json for its absolute path, wrote the same block again.
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.json").write_text('{"port": 5432}')
    wrong = f"print(open('{tmp_path}/config.json').read())"
    engine = Scripted(
        ("python", wrong),
        ("python", wrong),
        ("python", "print(open('config.json').read())"),
        "The port is 5432.",
    )
    session, _chunks = converse(engine, work, "What does config.json hold?")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["error", "repeated", "ok"]
    fix = "write 'config.json' as the path"
    assert fix in outputs[0].context and fix in outputs[1].content


def test_an_answer_that_only_says_the_block_printed_nothing_is_asked_for_the_values(tmp_path):
    # Told its block printed nothing, the 0.5B answered with that sentence (sha256: every run).
    (tmp_path / "secret.bin").write_bytes(b"\0" * 16)
    engine = Scripted(
        ("python", "import hashlib\ndigest = hashlib.sha256(open('secret.bin', 'rb').read()).hexdigest()"),
        "The Python block ran without error but printed nothing.",
        ("python", "print(digest[:16])"),
        "They are 374708fff7719dd5.",
    )
    _session, chunks = converse(
        engine, tmp_path, "What are the first 16 hex digits of the sha256 of secret.bin?"
    )
    assert sum(isinstance(c, Recheck) for c in chunks) == 1
    assert "your answer only says that the block printed nothing" in engine.seen[2][-1].content
    assert engine.forced == [False, False, True, False] and not engine.replies


def test_a_value_the_request_asks_about_that_no_block_looks_for_is_named_with_the_block_that_does(tmp_path):
    from localinterp.claims import values_unused

    context = 'orders.json: JSON shaped [18 × {"amount": number, "status": text ("paid" or "pending")}]'
    asked = "What is the total amount of the paid orders in orders.json?"
    summed_all = "total = sum(o['amount'] for o in data)\nprint(f'The total of paid orders is {total}')"
    sentence = (
        'the request asks about "paid" ("paid" or "pending"), but no block you ran picks those out: keep only '
        "the records with that value before you count or add"
    )
    assert values_unused(asked, context, [("python", summed_all)]) == [
        f"{sentence}\n```python\ntotal = sum(o['amount'] for o in data if o.get('status') == 'paid')\n"
        "print(f'The total of paid orders is {total}')\n```"
    ]
    # Told so without the block, the 0.5B ran its loop again (json-sum, seed 55000): the loop comes back
    # passing over the other records, and runs.
    (tmp_path / "orders.json").write_text(
        '[{"amount": 2.5, "status": "paid"}, {"amount": 4, "status": "pending"}, {"amount": 1, "status": "paid"}]'
    )
    loop = (
        "import json\nwith open('orders.json') as f:\n    data = json.load(f)\ntotal = 0\n"
        "for order in data:\n    # add it\n    total += order['amount']\nprint(total)"
    )
    said = values_unused(asked, context, [("python", loop), ("shell", "ls")])
    assert said[0].startswith(f"{sentence}\n```python\n") and run_given(said[0], tmp_path).stdout == "3.5\n"
    assert "for order in data:\n    if order.get('status') != 'paid':\n        continue\n    # add" in said[0]
    # No Python block, or none that loops over records: the sentence alone.
    assert values_unused(asked, context, [("shell", "cat orders.json")]) == [sentence]
    assert values_unused(asked, context, [("python", "print(open('orders.json').read())")]) == [sentence]
    filtered = "print(sum(o['amount'] for o in data if o['status'] == 'paid'))"
    assert values_unused(asked, context, [("python", summed_all), ("python", filtered)]) == []
    assert (
        values_unused(asked, context, [("shell", "jq '.[] | select(.status==\"paid\")' orders.json")]) == []
    )
    assert values_unused(asked, context, [("shell", "grep -c paid orders.json")]) == []
    # A value the request does not name, or a file name that contains it, asks for nothing.
    assert values_unused("What is the total amount in orders.json?", context, [("python", summed_all)]) == []
    assert values_unused("Sum paid.json.", context, [("python", summed_all)]) == []


def test_a_rename_answered_when_no_block_changed_a_file_earns_a_step(tmp_path):
    # Shown the folder's .jpeg files, the 1.5B listed them and answered "renamed".
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.jpeg").write_bytes(b"x")
    engine = Scripted(
        ("python", "import os\nprint(os.listdir('pics'))"),
        "The .jpeg files in the pics folder are renamed to end in .jpg.",
        ("python", "import os\nos.rename('pics/a.jpeg', 'pics/a.jpg')\nprint(os.listdir('pics'))"),
        "Renamed a.jpeg to a.jpg.",
    )
    request = "Rename every .jpeg file in the pics folder to end in .jpg instead."
    _session, chunks = converse(engine, tmp_path, request, previews=True)
    assert sum(isinstance(c, Recheck) for c in chunks) == 1
    assert "no block you ran changed any file, and the request asks to rename" in engine.seen[2][-1].content
    assert (tmp_path / "pics" / "a.jpg").exists() and not engine.replies


def test_an_environment_variable_never_read_from_the_environment_is_asked_for(tmp_path, monkeypatch):
    from localinterp.claims import env_unread

    monkeypatch.setenv("LI_EVAL_TOKEN", "abc-123")  # the runners' shell inherits it

    asked = "What is the value of the environment variable LI_EVAL_TOKEN?"
    # The 1.5B read a .env file that is not there and answered "not set in the specified file".
    assert env_unread(asked, ["cat .env\ngrep -i 'LI_EVAL_TOKEN' .env"]) == [
        "the request asks for the environment variable LI_EVAL_TOKEN, but no block read it from the "
        "environment: print it (os.environ.get('LI_EVAL_TOKEN') in Python, echo \"$LI_EVAL_TOKEN\" in a shell)"
    ]
    for read in ("env | grep LI_EVAL_TOKEN", "print(os.getenv('LI_EVAL_TOKEN'))", 'echo "${LI_EVAL_TOKEN}"'):
        assert env_unread(asked, [read]) == [], read
    assert env_unread("What is in .env?", ["cat .env"]) == []
    # A folder whose name holds "env" is no read of the environment (its working folder was env-var-30028).
    assert env_unread(asked, ["cat /tmp/env-var-30028/work/LI_EVAL_TOKEN"]) != []
    assert env_unread(asked, ["set | grep LI_EVAL_TOKEN", "printenv LI_EVAL_TOKEN"]) == []
    # A comment that names the variable beside "environment" is not a read (the 1.5B wrote a file with a
    # made-up value under such a comment and read it back).
    commented = (
        "# Open the environment variable file and search for LI_EVAL_TOKEN\nopen('env_vars.txt').read()"
    )
    assert env_unread(asked, [commented]) != []
    engine = Scripted(
        ("shell", "cat .env"),
        "LI_EVAL_TOKEN is not set in the file.",
        ("shell", "echo $LI_EVAL_TOKEN"),
        "It is abc-123.",
    )
    _session, chunks = converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert sum(isinstance(c, Recheck) for c in chunks) == 1 and not engine.replies
    # In a folder with a README.md, the 1.5B searched it for the variable, printed nothing, and wrote
    # that block twice more: the block that misses is told at once, with its output.
    (tmp_path / "README.md").write_text("# Garden planner\n")
    search = "text = open('README.md').read()\nif 'LI_EVAL_TOKEN' in text:\n    print(text)"
    engine = Scripted(("python", search), ("python", "print(os.environ['LI_EVAL_TOKEN'])"), "abc-123")
    session, chunks = converse(engine, tmp_path, asked)
    assert session.messages[2].context == (
        "The request asks for the environment variable LI_EVAL_TOKEN, but no block read it from the "
        "environment: print it (os.environ.get('LI_EVAL_TOKEN') in Python, echo \"$LI_EVAL_TOKEN\" in a "
        "shell)."
    )
    assert session.messages[4].context is None and not any(isinstance(c, Recheck) for c in chunks)


def test_a_request_over_subfolders_answered_without_going_into_them_is_told_how(tmp_path):
    # The 1.5B listed docs (which holds only folders) with ls and os.listdir, got 0 and answered it.
    from localinterp.claims import subfolders_unwalked

    (tmp_path / "docs" / "section0").mkdir(parents=True)
    asked = "How many .txt files are there under docs, including subfolders?"
    listed = ["ls -l docs | grep '\\.txt$' | wc -l", "files = os.listdir('docs')"]
    assert subfolders_unwalked(asked, listed, tmp_path) == [
        "the request takes in the subfolders of docs too, and no block you ran went into them: in Python, "
        "loop `for root, dirs, names in os.walk('docs'):` and inside it `for name in names:` "
        "(os.path.join(root, name) is each file's path); in a shell, find docs -type f"
    ]
    for walked in (
        "for root, dirs, names in os.walk('docs'):",
        "find docs -name '*.txt'",
        "ls -R docs",
        "Path('docs').rglob('*.txt')",
        "glob.glob('docs/**/*.txt', recursive=True)",
    ):
        assert subfolders_unwalked(asked, [*listed, walked], tmp_path) == [], walked
    assert subfolders_unwalked("How many .txt files are in docs?", listed, tmp_path) == []


def test_a_script_to_fix_that_still_fails_on_its_last_run_is_not_done(tmp_path):
    # Its str.replace left report.py broken, and the 1.5B answered that it "should print the total": the
    # file had changed, so the unchanged-file check passed it.
    (tmp_path / "numbers.txt").write_text("9\n57\n")
    (tmp_path / "report.py").write_text("total = 0\nfor line in open('numbers.txt'):\n    total += line\n")
    run = "import subprocess\nsubprocess.run(['python3', 'report.py'])"
    engine = Scripted(
        ("python", "text = open('report.py').read().replace('total = 0', 'total = n')"),
        ("python", "open('report.py', 'w').write(text)"),
        ("python", run),
        "report.py is fixed: it should print the total now.",
        ("python", "open('report.py', 'w').write('print(sum(int(x) for x in open(\\'numbers.txt\\')))\\n')"),
        ("python", run + "\n"),
        "report.py prints 66.",
    )
    session, chunks = converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    told = engine.seen[4][-1].content
    assert "report.py still fails when run (line 1: NameError: name 'n' is not defined)" in told
    assert 'source = """<the whole corrected content of report.py>' in told  # the block to fill in
    assert sum(isinstance(c, Recheck) for c in chunks) == 1 and not engine.replies
    assert session.messages[-2].content.startswith("66\n")  # fixed and run: nothing more to say


def test_a_script_left_with_a_syntax_error_is_not_done_either(tmp_path):
    # Its fix nested one print in another; run by subprocess, summary.py's SyntaxError (no traceback) was
    # in an "ok" block's output, and "runs correctly" went unchecked (fix-name, seed 26000).
    from localinterp.claims import python_failed

    (tmp_path / "summary.py").write_text("print('most:', max([2, 3]))\n")
    broke = (
        "s = open('summary.py').read().replace(\"print('most\", \"print(print('most\")\n"
        "open('summary.py', 'w').write(s)\nimport subprocess\n_ = subprocess.run(['python3', 'summary.py'])"
    )
    engine = Scripted(("python", broke), *["It runs correctly now."] * 3)
    converse(engine, tmp_path, "summary.py crashes. Fix it and run it.")
    told = engine.seen[2][-1].content
    assert "summary.py still fails when run (line 1: SyntaxError: '(' was never closed)" in told
    assert python_failed('  File "x.py", line 2\n    def f(:\n          ^\nSyntaxError: invalid syntax\n')
    assert not python_failed("SyntaxError is a class of exceptions\n")


def test_a_block_that_still_holds_the_placeholder_it_was_given_to_fill_in_never_runs(tmp_path):
    # Copied as it was given, the block to fill in wrote "<the whole corrected content of report.py>" into
    # report.py in place of the script (fix-type, seed 25000, with an idea since dropped).
    script = "total = 0\nfor line in open('numbers.txt'):\n    total = total + line.strip()\nprint(total)\n"
    (tmp_path / "numbers.txt").write_text("9\n57\n")
    (tmp_path / "report.py").write_text(script)
    copied = (
        'source = """<the whole corrected content of report.py>\n"""\n'
        "open('report.py', 'w').write(source)\nimport subprocess\nsubprocess.run(['python3', 'report.py'])"
    )
    fixed = copied.replace(
        "<the whole corrected content of report.py>", script.replace("line.strip()", "int(line)")
    )
    engine = Scripted(("python", copied), ("python", fixed), "report.py prints 66.")
    session, chunks = converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    assert [c.reason for c in chunks if isinstance(c, Unrunnable)] == [
        "it still holds the placeholder <the whole corrected content of report.py>"
    ]
    told = engine.seen[1][-1].content
    assert told.startswith("Not run: the python block still holds <the whole corrected content of report.py>")
    assert (
        session.messages[4].content.startswith("66\n") and "int(line" in (tmp_path / "report.py").read_text()
    )
    # Written under the placeholder it kept, the string left open (the 0.5B, fix-type, seed 49000 on this
    # CPU, to the step limit): handed back without it, filled, and the reply begun with it.
    kept = 'source = """<the whole corrected content of report.py>\n' + script.replace(
        "line.strip()", "int(line)"
    )
    engine = Scripted(("python", kept), ("python", fixed), "report.py prints 66.")
    (tmp_path / "report.py").write_text(script)
    session, _chunks = converse(engine, tmp_path, "report.py crashes. Fix it and run it.")
    told = engine.seen[1][-1].content
    assert (
        "What you wrote under that placeholder is report.py's content; the placeholder line only marked"
        in told
    )
    assert engine.forced[1] and engine.starts[1] == f"```python\n{given_block(told)}"
    assert run_given(told, tmp_path).returncode == 0 and "int(line)" in (tmp_path / "report.py").read_text()
    assert subprocess.run([sys.executable, "report.py"], cwd=tmp_path, capture_output=True).stdout == b"66\n"
    # Content that does not compile, or none: the placeholder is said alone.
    assert hole_filled('source = """<the whole corrected content of report.py>\nfor x in\n"""') == ("", "")
    assert hole_filled('source = """<the whole corrected content of report.py>\n"""') == ("", "")
    # Both holes are known; code with comparisons is not a hole.
    assert unfilled("lines = <the lines out.txt should hold, as the request asks>\n") != ""
    assert unfilled("print(1 < 2 > 0)\nx = '<the whole thing>'") == ""


def test_an_answer_without_a_date_to_a_question_about_one_is_checked(tmp_path):
    from localinterp.claims import date_missing

    # The 1.5B took the second word of the meeting's line and printed it: a backed value, not a date.
    (tmp_path / "notes.md").write_text(
        "# Notes\n- dntdto smtehu\n- The meeting is on 2026-04-02 in room 7.\n"
    )
    engine = Scripted(
        ("python", "line = open('notes.md').read().splitlines()[2]\nprint(line.split()[1])"),
        "The meeting is on The.",
        ("python", "print(open('notes.md').read().splitlines()[2])"),
        "The meeting is on 2026-04-02.",
    )
    asked = "According to notes.md, on which date is the meeting?"
    _session, chunks = converse(engine, tmp_path, asked)
    (checked,) = [c.claims for c in chunks if isinstance(c, Recheck)]
    assert checked == tuple(date_missing(asked, "on The.", [], tmp_path, ["notes.md"]))
    told = engine.seen[2][-1].content
    assert "the request asks for a date, and your answer gives none" in told
    assert not engine.replies
    # With the call that prints the dated line, picked out by the request's subject: told only to print
    # the whole line, the 1.5B wrote its `line.split('-')[2]` block again (meeting, seed 22000).
    call = "print([line.strip() for line in open('notes.md') if 'meeting' in line.lower()])"
    assert f"e.g. with `{call}`" in told
    ran = subprocess.run([sys.executable, "-c", call], cwd=tmp_path, capture_output=True, text=True)
    assert ran.stdout == "['- The meeting is on 2026-04-02 in room 7.']\n"
    # The word its block tested for comes first; a word on every line picks nothing out; no file, no call.
    tested = ["for line in open('notes.md'):\n    if 'room' in line:\n        print(line.split()[1])"]
    assert "if 'room' in line.lower()" in date_missing(asked, "The.", tested, tmp_path, ["notes.md"])[0]
    (tmp_path / "all.md").write_text("meeting 2026-01-01\nmeeting soon\n")
    assert "e.g." not in date_missing("When is the meeting?", "Soon.", [], tmp_path, ["all.md"])[0]
    assert "e.g." not in date_missing(asked, "The.", [], tmp_path, ["gone.md"])[0]
    # A date no code printed gets the same call: told only "no code printed it", the 1.5B wrote the
    # block that printed "-" twice more (meeting, seed 25000).
    from localinterp.claims import date_unbacked

    on = "It is on 2026-04-02."
    assert date_unbacked(asked, on, ["2026", "04", "02"], [], tmp_path, ["notes.md"]) == [
        f"print the line of the data that holds the date, e.g. with `{call}`, and answer from it"
    ]
    assert date_unbacked(asked, on, ["room"], [], tmp_path, ["notes.md"]) == []  # its date was printed
    assert date_unbacked(asked, "On 27.", ["27"], [], tmp_path, ["notes.md"]) == []  # date_missing's
    engine = Scripted(
        ("python", "print(open('notes.md').read().split()[5])"),
        "It is on 2026-04-02.",
        ("python", call),
        "It is on 2026-04-02.",
    )
    converse(engine, tmp_path, asked)
    assert f"e.g. with `{call}`, and answer from it" in engine.seen[2][-1].content
    assert date_unbacked("What is the total?", on, ["2026"], [], tmp_path, ["notes.md"]) == []
    # Dates as people write them pass, and so does any answer to a request that asks for no date.
    for answer in ("It is on 2026-04-02.", "On 2 April.", "March 4th", "On 4/3.", "Next Tuesday."):
        assert date_missing(asked, answer) == [], answer
    assert date_missing("When is the meeting?", "In room 7.") != []
    assert date_missing("How many days are between 2026-01-01 and 2026-03-01?", "59 days.") == []
    assert date_missing("Count the lines. When done, print the total.", "12 lines.") == []


def test_a_file_name_given_as_the_value_read_from_inside_it_is_checked(tmp_path):
    from localinterp.claims import names_as_values

    # The 1.5B printed archive.zip's member list and answered the member's name as its password.
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("jonlrml.txt", "password: kqzvbt\n")
    engine = Scripted(
        ("python", "import zipfile\nprint(zipfile.ZipFile('archive.zip').namelist())"),
        'The password written in the file inside is "jonlrml".',
        ("python", "print(zipfile.ZipFile('archive.zip').read('jonlrml.txt').decode())"),
        'The password is "kqzvbt".',
    )
    asked = "Unzip archive.zip and tell me the password written in the file inside."
    _session, chunks = converse(engine, tmp_path, asked)
    assert len([c for c in chunks if isinstance(c, Recheck)]) == 1 and not engine.replies
    assert (
        "you gave 'jonlrml', which the output shows only as the name of jonlrml.txt, not as anything read "
        "from inside it: print what jonlrml.txt holds and answer from that"
    ) in engine.seen[2][-1].content
    # A name is the answer when the request asks for one, and a value printed on its own is backed.
    listing = ["['jonlrml.txt']\n"]
    for name_asked in (
        "What is the name of the file inside archive.zip?",
        "Which log file in logs/ is the newest?",
        "What is the largest file in files?",
    ):
        assert names_as_values(name_asked, '"jonlrml"', listing) == [], name_asked
    inside = "What is the password written in the file inside archive.zip?"
    assert names_as_values(inside, 'It is "jonlrml".', listing) != []
    assert names_as_values(asked, 'It is "jonlrml".', ["['jonlrml.txt']\njonlrml\n"]) == []


def test_a_character_count_answered_as_a_count_of_words_is_named(tmp_path):
    from localinterp.claims import measures_for_counts

    # The 0.5B summed len(line) over essay.txt's lines and answered the characters as its words.
    text = "".join(f"lantern harbor apple quartz {i}\n" for i in range(40))
    (tmp_path / "essay.txt").write_text(text)
    asked = "How many words does essay.txt contain?"
    without_newlines = len(text) - 40
    assert measures_for_counts(f"The essay.txt file contains {without_newlines} words.", asked, tmp_path) == [
        f"{without_newlines} is the number of characters in essay.txt, not of words: count the words with "
        "code (in Python, words = open('essay.txt').read().split(), then len(words), or len(set(words)) for "
        "the distinct ones; in a shell, wc -w < essay.txt, or tr -s '[:space:]' '\\n' < essay.txt | sort -u "
        "| wc -l for the distinct ones)\n```python\nprint(len(open('essay.txt').read().split()))\n```"
    ]
    # The essay's size answered as its words gets the same block: told so in a sentence, the 0.5B printed
    # its sentence with the size again (word-count, fresh seed 60000).
    size = (tmp_path / "essay.txt").stat().st_size
    [told] = measures_for_counts(f"The essay has {size} words.", asked, tmp_path)
    assert told.startswith(
        f"{size} is the size of essay.txt in bytes, not a number of words: count those with"
    )
    assert run_given(told, tmp_path).stdout == "200\n"
    assert measures_for_counts("It has 200 words.", asked, tmp_path) == []
    # Characters are the answer when the request counts them.
    chars = "How many characters does essay.txt contain?"
    assert measures_for_counts(f"It has {without_newlines} characters.", chars, tmp_path) == []


def test_a_line_count_one_too_many_is_named_with_the_way_to_count(tmp_path):
    import gzip

    from localinterp.claims import lines_off_by_one

    # The 1.5B printed len(text.split('\n')) of the decompressed events.txt.gz: one more than its lines.
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"".join(b"event %d\n" % i for i in range(586))))
    read = "import gzip\ntext = gzip.open('events.txt.gz', 'rt').read()\n"
    engine = Scripted(
        ("python", read + "print(len(text.split('\\n')))"),
        "The number of lines in events.txt.gz is 587.",
        ("python", "print(len(text.splitlines()))"),
        "It has 586 lines.",
    )
    asked = "How many lines does events.txt.gz have once decompressed?"
    _session, chunks = converse(engine, tmp_path, asked)
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [
        (
            "587 is one more than the lines of events.txt.gz (586): split('\\n') leaves an empty string after "
            "the last newline; count with len(text.splitlines())",
        )
    ]
    assert not engine.replies
    # A plain file is counted the same way; the right count, or a request for no lines, passes.
    (tmp_path / "log.txt").write_text("a\nb\n")
    assert lines_off_by_one("3 lines.", "How many lines are in log.txt?", tmp_path) != []
    assert lines_off_by_one("2 lines.", "How many lines are in log.txt?", tmp_path) == []
    assert lines_off_by_one("3 words.", "How many words are in log.txt?", tmp_path) == []


def test_an_answer_about_an_archive_that_no_block_opened_is_told_how_to_open_it(tmp_path):
    # Asked how many files are inside bundle.tar.gz, the 1.5B ran `ls -l bundle.tar.gz | wc -l`, printed
    # 1 and answered 1: the printed number backed the answer, so only the unopened archive can tell.
    import tarfile

    from localinterp.claims import archive_unopened

    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as tar:
        for i in range(3):
            (tmp_path / f"part{i}.dat").write_text("x")
            tar.add(tmp_path / f"part{i}.dat", arcname=f"bundle/part{i}.dat")
    asked = "How many files are inside bundle.tar.gz?"
    engine = Scripted(
        ("shell", "ls -l bundle.tar.gz | wc -l"),
        "There is 1 file inside bundle.tar.gz.",
        ("shell", "tar -tzf bundle.tar.gz | wc -l"),
        "There are 3 files inside bundle.tar.gz.",
    )
    _session, chunks = converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert sum(isinstance(c, Recheck) for c in chunks) == 1 and not engine.replies
    assert (
        "the request asks about what is inside bundle.tar.gz, and no block you ran opened it (commands like "
        "ls and wc see only the file itself): in Python, tarfile.open('bundle.tar.gz').getnames() lists its "
        "members; in a shell, tar -tzf bundle.tar.gz"
    ) in engine.seen[2][-1].content
    # Any way of opening it will do, and a request about the file itself, or a file not there, is no case.
    assert archive_unopened(asked, ["import tarfile\nt = tarfile.open(name)"], tmp_path) == []
    assert archive_unopened("Delete bundle.tar.gz.", ["import os"], tmp_path) == []
    assert archive_unopened("How many lines are in gone.gz?", ["print(1)"], tmp_path) == []
    (tmp_path / "events.txt.gz").write_bytes(gzip.compress(b"a\nb\n"))
    lines = archive_unopened("How many lines does events.txt.gz have?", ["wc -l events.txt.gz"], tmp_path)
    assert lines and "gzip.open('events.txt.gz', 'rt') reads it as text; in a shell, zcat" in lines[0]
    assert archive_unopened("Lines in events.txt.gz?", ["zcat events.txt.gz | wc -l"], tmp_path) == []


def test_a_count_read_off_a_printed_list_is_asked_to_be_printed(tmp_path):
    # Shown bundle.tar.gz's members as a list, the 1.5B answered 10 and, told no code printed 10,
    # printed the list again: it had counted by eye, and nothing said so.
    from localinterp.claims import counted_by_eye

    names = [f"p{i}.dat" for i in range(12)]
    engine = Scripted(
        ("python", f"print({names!r})"),
        "There are 12 files.",
        ("python", f"print(len({names!r}))"),
        "There are 12 files.",
    )
    _session, chunks = converse(engine, tmp_path, "How many files are listed?")
    assert sum(isinstance(c, Recheck) for c in chunks) == 1 and not engine.replies
    assert (
        "you stated 12, but no code printed it; 12 is how many items the last output shows, counted by "
        "eye: print the count with code (len() of the list, or sum(1 for ...) over the lines) and answer "
        "from that"
    ) in engine.seen[2][-1].content
    assert counted_by_eye(["12"], "x\n" * 12) != []  # lines
    assert counted_by_eye(["11"], f"{names!r}\n") == [] and counted_by_eye(["12"], "[1, 2") == []
    # A one-digit count is no claim of its own, but it is the answer to "how many" (tar-count, seed 26000:
    # five members listed, "5" answered): unless the output printed it, or the request asks no count.
    listed = "bundle/part_a_0.dat\nbundle/part_b_1.dat\nbundle/part_c_2.dat\nbundle/part_d_3.dat\n"
    asked, answer = "How many files are inside bundle.tar.gz?", "There are 4 files inside bundle.tar.gz."
    assert counted_by_eye([], listed, asked, answer) != []
    assert counted_by_eye([], listed + "4\n", asked, answer) == []
    assert counted_by_eye([], listed, "What is in bundle.tar.gz?", answer) == []
    assert counted_by_eye([], listed, asked, "Version 4.2 lists them.") == []
    # Miscounted (ten paths, "14"): the way to count is given, not the number.
    paths = "".join(f"docs/s{i}/x.txt\n" for i in range(10))
    assert counted_by_eye(["14"], paths, "How many .txt files are under docs?", "14 files.") == [
        "14 was counted by eye, and the last output lists items one per line, not their number: print the "
        "count with code (len() of the list, or sum(1 for ...) over the lines) and answer from that"
    ]
    assert counted_by_eye(["14"], paths + "10\n", "How many .txt files are under docs?", "14 files.") == []
    # Spelt out, as the 0.5B answered two paths from `find` (count-txt, H100 seed 43000).
    two = "docs/section0/zjvsjo.txt\ndocs/section1/deep/draitx.txt\n"
    asked = "How many .txt files are there under docs, including subfolders?"
    assert counted_by_eye([], two, asked, "There are two .txt files under docs.") == [
        "two (2) is how many items the last output shows, counted by eye: print the count with code (len() "
        "of the list, or sum(1 for ...) over the lines) and answer from that"
    ]
    assert counted_by_eye([], two + "2\n", asked, "There are two .txt files under docs.") == []
    assert counted_by_eye([], two, "What is under docs?", "There are two .txt files under docs.") == []
    # Told to count "with code (len() of the list ...)", the 1.5B opened the archive as text (seed 26000):
    # a one-line shell command that listed them is given back, counted.
    engine = Scripted(("shell", "# list it\nprintf 'a\\nb\\nc\\n'"), *["There are 3 files."] * 3)
    converse(engine, tmp_path, "How many files are listed?", languages=("shell",))
    told = engine.seen[2][-1].content
    assert (
        "counted by eye: print the count with code (in a ```bash block `printf 'a\\nb\\nc\\n' | wc -l`; "
        in told
    )
    # and the Python way, which the check's "Write a ```python block" leads to, counts right as given.
    call = told.split("in Python `")[1].split("`")[0]
    counted = subprocess.run([sys.executable, "-c", call], cwd=tmp_path, capture_output=True, text=True)
    assert counted.stdout == "3\n"


def test_an_unbacked_total_of_csv_columns_is_given_the_call_that_prints_it(tmp_path):
    # The 1.5B printed the rows, answered an invented 10,284.96 and, told so, printed the rows again to
    # the check limit (csv-value, held-out seed 26000).
    from localinterp.claims import aggregate_unbacked

    (tmp_path / "products.csv").write_text("name,price,qty\nquartz,34.42,196\nsummit,87.6,137\n")
    asked = "What is the total stock value (price times qty, summed) in products.csv?"
    engine = Scripted(
        ("python", "import csv\nprint(list(csv.reader(open('products.csv'))))"),
        "The total stock value is 10,284.96.",
        (
            "python",
            "import csv; print(sum(float(r['price']) * float(r['qty']) for r in csv.DictReader(open('products.csv'))))",
        ),
        "The total stock value is 18747.52.",
    )
    converse(engine, tmp_path, asked)
    told = engine.seen[2][-1].content
    # The block goes after the whole check (the 1.5B copies a fenced block, not a call in a sentence).
    assert "compute it with code (the block below), and answer from what it prints" in told
    assert told.index("The block below does it:\n```python\n") > told.index(
        "then answer from what it printed."
    )
    assert run_given(told, tmp_path).stdout == "18747.52\n" and not engine.replies
    mean = aggregate_unbacked(
        "What is the average price in products.csv?", ["61"], tmp_path, ["products.csv"]
    )
    assert "statistics.mean(float(r['price']) for r in" in mean[0]
    # Grouped by a column the request names, each group's result, largest first: asked which region has
    # the highest total amount, the 1.5B answered an invented total and printed the rows again, in a
    # circle (region-sales, held-out seed 33000).
    (tmp_path / "sales.csv").write_text("region,amount\nwest,252\neast,956\nwest,885\neast,49\nnorth,10\n")
    for asked_by, printed in (
        (
            "Which region in sales.csv has the highest total amount?",
            "[(1137.0, 'west'), (1005.0, 'east'), (10.0, 'north')]",
        ),
        (
            "Which region in sales.csv has the highest average amount?",
            "[(568.5, 'west'), (502.5, 'east'), (10.0, 'north')]",
        ),
    ):
        grouped = aggregate_unbacked(asked_by, ["1594"], tmp_path, ["sales.csv"])
        ran = run_given(grouped[0], tmp_path)
        assert ran.stdout == printed + "\n", ran.stderr
    # Grouped by no text column the request names, or no numeric column named, or backed: nothing to give.
    assert (
        aggregate_unbacked(
            "Which row has the highest total qty in products.csv?", ["9"], tmp_path, ["products.csv"]
        )
        == []
    )
    assert (
        aggregate_unbacked("What is the total of name in products.csv?", ["9"], tmp_path, ["products.csv"])
        == []
    )
    assert aggregate_unbacked(asked, [], tmp_path, ["products.csv"]) == []


def test_a_file_inside_an_archive_never_read_is_checked_with_the_call_that_prints_it(tmp_path):
    # The 1.5B listed archive.zip's one member, then answered "password", never read: a word, so no claim
    # (zip-secret, held-out seed 28000).
    from localinterp.claims import member_unread

    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("ghrqqfd.txt", "hunter42\n")
    asked = "Unzip archive.zip and tell me the password written in the file inside."
    engine = Scripted(
        ("python", "import zipfile\nprint(zipfile.ZipFile('archive.zip').namelist())"),
        "The password is:\n```\npassword\n```",
        ("python", "print(zipfile.ZipFile('archive.zip').read('ghrqqfd.txt').decode())"),
        "The password is hunter42.",
    )
    converse(engine, tmp_path, asked)
    told = engine.seen[2][-1].content
    shell = "unzip -p archive.zip ghrqqfd.txt"
    if not shutil.which("unzip"):  # Python's zipfile in one line (tests/test_hints.py: without_unzip)
        shell = """python3 -c "import zipfile; print(zipfile.ZipFile('archive.zip').read('ghrqqfd.txt').decode())\""""
    assert (
        "the request asks what the file inside archive.zip says, and no block you ran read it (in Python, "
        f"the block below; in a shell, `{shell}`)"
    ) in told
    assert run_given(told, tmp_path).stdout == "hunter42\n\n"
    assert not engine.replies
    assert member_unread(asked, ["unzip archive.zip", "cat ghrqqfd.txt"], tmp_path) == []  # extracted
    assert member_unread(asked, ["unzip -p archive.zip ghrqqfd.txt"], tmp_path) == []
    assert (
        member_unread(asked, ["zipfile.ZipFile('archive.zip').extractall()\nprint(open(n).read())"], tmp_path)
        == []
    )
    assert member_unread("How many files are in archive.zip?", [], tmp_path) == []


@pytest.mark.skipif(shutil.which("unzip") is None, reason="needs the unzip command (.ci/run installs it)")
def test_an_archive_extracted_and_never_read_is_checked_with_the_command_that_prints_the_member(tmp_path):
    # The 0.5B ran `unzip archive.zip`, wrote it again, and its listing ("extracting: ncmwrhz.txt") was
    # the answer (zip-secret, held-out seed 30000).
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("ghrqqfd.txt", "hunter42\n")
    asked = "Unzip archive.zip and tell me the password written in the file inside."
    engine = Scripted(
        ("shell", "unzip archive.zip"),
        ("shell", "unzip archive.zip"),
        ("shell", "cat ghrqqfd.txt"),
        "hunter42",
    )
    converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert (
        "a block extracted ghrqqfd.txt from archive.zip, and none printed what it says: in Python, "
        "`print(open('ghrqqfd.txt').read())`; in a shell, `cat ghrqqfd.txt`"
    ) in engine.seen[2][-1].content
    assert not engine.replies
    # A read that found no file is no read: the 1.5B tried `cat` on the member before its extraction
    # worked, then answered "password", unread (zip-secret, fresh seed 60000).
    (tmp_path / "ghrqqfd.txt").unlink()
    engine = Scripted(
        ("shell", "cat ghrqqfd.txt"),
        ("shell", "unzip -o archive.zip ghrqqfd.txt"),
        'The password written in the file inside is "password".',
        ("shell", "cat ghrqqfd.txt"),
        "hunter42",
    )
    converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert "a block extracted ghrqqfd.txt from archive.zip, and none printed what it says" in (
        engine.seen[3][-1].content
    )
    assert not engine.replies


def test_a_silent_extraction_is_answered_with_the_block_that_prints_the_member(tmp_path):
    # Its extraction silent, the 1.5B wrote the extracted file over with a text of its own, printed that
    # and answered a password it had made up (zip-secret, fresh seed 57000; these are its blocks).
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        zf.writestr("yyinebo.txt", "password: hunter42\n")
    asked = "Unzip archive.zip and tell me the password written in the file inside."
    extract = (
        "import zipfile\nwith zipfile.ZipFile('archive.zip', 'r') as zip_ref:\n"
        "    password_file = [name for name in zip_ref.namelist() if name.endswith('.txt')][0]\n"
        f"    zip_ref.extract(password_file, path={str(tmp_path)!r})"
    )
    engine = Scripted(("python", extract), ("python", "print(open('yyinebo.txt').read())"), "hunter42")
    session, _chunks = converse(engine, tmp_path, asked)
    told = session.messages[2].context
    assert told.startswith(
        "The block extracted yyinebo.txt from archive.zip and printed nothing; the request asks what it "
        "says: the block below prints it.\n```python\nprint(open('yyinebo.txt').read())\n```"
    )
    assert engine.forced[1] and engine.starts[1] == "```python\nprint(open('yyinebo.txt').read())\n"
    assert session.messages[4].content == "password: hunter42\n\n"
    # Read already, not extracted, or not asked what the file says: nothing to hand.
    assert extracted_unprinted(asked, extract + "\nprint(open('yyinebo.txt').read())", tmp_path) == ""
    assert (
        extracted_unprinted(
            asked, "import zipfile\nprint(zipfile.ZipFile('archive.zip').namelist())", tmp_path
        )
        == ""
    )
    assert extracted_unprinted("How many files are in archive.zip?", extract, tmp_path) == ""


def test_a_total_printed_as_the_numbers_end_to_end_is_checked(tmp_path):
    # The 1.5B "fixed" report.py by making the total a text, ran it, printed "total: 05711699628453412217"
    # (57, 11, 6, ... end to end) and answered that, backed by the output (fix-type, held-out 45000).
    from localinterp.claims import concatenated_total

    (tmp_path / "numbers.txt").write_text("57\n11\n6\n99\n")
    (tmp_path / "report.py").write_text(
        "total = 0\nfor line in open('numbers.txt'):\n    total = total + line.strip()\nprint('total:', total)\n"
    )
    joined = (
        "source = open('report.py').read().replace('total = total + line.strip()', "
        "'total = str(total) + str(int(line.strip()))')\nopen('report.py', 'w').write(source)\n"
        "import subprocess\nsubprocess.run(['python3', 'report.py'])"
    )
    added = (
        "source = open('report.py').read().replace('total = str(total) + str(int(line.strip()))', "
        "'total = total + int(line.strip())')\nopen('report.py', 'w').write(source)\n"
        "import subprocess\nsubprocess.run(['python3', 'report.py'])"
    )
    engine = Scripted(("python", joined), "The total is 05711699.", ("python", added), "The total is 173.")
    asked = "Fix report.py so that it prints the total of numbers.txt, then run it."
    converse(engine, tmp_path, asked)
    told = engine.seen[2][-1].content
    assert "5711699 is the numbers of numbers.txt written one after another, not added" in told
    assert (
        not engine.replies
        and "total: 173"
        in subprocess.run([sys.executable, "report.py"], cwd=tmp_path, capture_output=True, text=True).stdout
    )
    # Added, or not a file of numbers one per line: nothing to say.
    assert concatenated_total(asked, ["total: 173"], tmp_path, ["numbers.txt"]) == []
    assert concatenated_total("Print numbers.txt joined.", ["5711699"], tmp_path, ["numbers.txt"]) == []


def test_a_product_computed_without_multiplying_is_checked(tmp_path):
    # The 1.5B computed 76444 times 13378 as `num1 // num2`, printed 5 and answered 5 (multiply, 35000).
    from localinterp.claims import product_uncomputed

    asked = "What is 76444 times 13378?"
    engine = Scripted(
        ("python", "num1 = 76444\nnum2 = 13378\n# multiplication\nprint(num1 // num2)"),
        "The answer is 5.",
        ("python", "print(76444 * 13378)"),
        "1022667832",
    )
    converse(engine, tmp_path, asked)
    assert (
        "the request asks for a product (76444 times 13378), and no block you ran multiplies: compute it "
        "with the * operator and print it"
    ) in engine.seen[2][-1].content
    assert not engine.replies
    # Multiplied (in Python, with bc or expr), or no product asked: nothing to say.
    for code in ("print(76444 * 13378)", "import math\nprint(math.prod([2, 3]))", "echo '2*3' | bc"):
        assert product_uncomputed(asked, [code]) == [], code
    assert product_uncomputed("What is 2 ** 10?", ["print(2 ** 10)"]) == []
    assert product_uncomputed("What is 0x1F in decimal?", ["print(31)"]) == []
    assert product_uncomputed("What is 12 x 7?", ["print(12 + 7)"]) != []
    assert product_uncomputed("How many days from 2026-01-01 to 2026-03-01?", ["print(59)"]) == []
    # Multiplied, but other numbers: the 0.5B multiplied 84832 by 44180, then that by 44181 (multiply,
    # fresh seed 57000). The check hands the block that multiplies the two asked for.
    wrong = "part1 = 84832 * 44180\nresult = part1 * 44181\nprint(result)"
    said = product_uncomputed("What is 84832 times 44181?", [wrong])
    assert said == [
        "the request asks for a product (84832 times 44181), and the blocks you ran multiplied other numbers "
        "(44180 * 84832 and 44180 * 44181 * 84832)\n```python\nprint(84832 * 44181)\n```"
    ]
    assert run_given(said[0], tmp_path).stdout == f"{84832 * 44181}\n"
    for right in (
        "a = 84832\nb = 44181\nprint(a * b)",
        "print(44181 * 84832)",
        "x = int(input())\nprint(x * 2)",
    ):
        assert product_uncomputed("What is 84832 times 44181?", [wrong, right]) == [], right
    assert "no block you ran multiplies" in product_uncomputed("What is 3 times 4?", ['print("3*4")'])[0]


def test_which_row_has_the_largest_value_answered_with_no_row_or_another_row_gets_the_block(tmp_path):
    # The 1.5B printed every qty without its name and answered "'name' (index 0) with a quantity of 488"
    # (csv-max, held-out seed 29000).
    from localinterp.claims import extreme_unbacked

    (tmp_path / "products.csv").write_text("name,price,qty\nquartz,34.42,196\nsummit,87.6,488\n")
    asked = "Which product in products.csv has the largest qty?"
    engine = Scripted(
        (
            "python",
            "for line in open('products.csv').readlines()[1:]:\n    print(line.split(',')[2].strip())",
        ),
        "The product with the largest qty is 'name' (index 0) with a quantity of 488.",
        (
            "python",
            "import csv; print(max(csv.DictReader(open('products.csv')), key=lambda r: float(r['qty'])))",
        ),
        "summit, with 488.",
    )
    converse(engine, tmp_path, asked)
    told = engine.seen[2][-1].content
    assert (
        "no row of products.csv that code printed is named in your answer: print the row with the largest qty"
        in told
    )
    # The block that prints the row is handed whole, and the reply begins with it.
    printed = run_given(told, tmp_path)
    assert printed.stdout == "{'name': 'summit', 'price': '87.6', 'qty': '488'}\n" and not engine.replies
    assert engine.forced[2] and engine.starts[2].startswith(
        "```python\nimport csv\nprint(max(csv.DictReader("
    )
    cheapest = extreme_unbacked("Which product has the lowest price?", "x", [], tmp_path, ["products.csv"])
    assert "print(min(csv.DictReader(open('products.csv')), key=lambda r: float(r['price'])))" in cheapest[0]
    # Named and printed, or no column asked about: nothing to say.
    assert extreme_unbacked(asked, "summit", ["summit 488"], tmp_path, ["products.csv"]) == []
    # A row named and printed that is not the largest: the 0.5B ran the handed block that printed the
    # first row and answered with its name (csv-max, seed 55000).
    first = ["2 rows; the first: {'name': 'quartz', 'price': '34.42', 'qty': '196'}"]
    said = extreme_unbacked(asked, "It is quartz.", first, tmp_path, ["products.csv"])
    assert said[0].startswith("quartz's qty is 196, not the largest qty in products.csv: print the row")
    assert extreme_unbacked(asked, "quartz or summit", [*first, "summit"], tmp_path, ["products.csv"]) == []
    assert extreme_unbacked("Which product is the largest?", "x", [], tmp_path, ["products.csv"]) == []
    assert (
        extreme_unbacked("Which name has the highest total qty?", "x", [], tmp_path, ["products.csv"]) == []
    )


def test_a_digest_asked_for_and_never_computed_is_checked_with_the_call(tmp_path):
    # The 1.5B printed secret.bin's first eight bytes in hex and answered them as its sha256 (sha256,
    # held-out seed 29000).
    import hashlib

    from localinterp.claims import hash_uncomputed

    (tmp_path / "secret.bin").write_bytes(bytes(range(256)) * 4)
    asked = "What are the first 16 hex digits of the sha256 of secret.bin?"
    engine = Scripted(
        ("python", "print(open('secret.bin', 'rb').read().hex()[:16])"),
        "The first 16 hex digits are 0001020304050607.",
        ("python", "import hashlib; print(hashlib.sha256(open('secret.bin', 'rb').read()).hexdigest()[:16])"),
        "They are that.",
    )
    converse(engine, tmp_path, asked, languages=("python", "shell"))
    told = engine.seen[2][-1].content
    assert "the request asks for the sha256 of secret.bin, and no block you ran computed one" in told
    call = told.split("in Python, `")[1].split("`")[0]
    printed = subprocess.run([sys.executable, "-c", call], cwd=tmp_path, capture_output=True, text=True)
    assert printed.stdout == hashlib.sha256(bytes(range(256)) * 4).hexdigest() + "\n"
    shell = told.split("in a shell, `")[1].split("`")[0]
    assert subprocess.run(shell, shell=True, cwd=tmp_path, capture_output=True, text=True).stdout.startswith(
        printed.stdout.strip()
    )
    assert hash_uncomputed(asked, ["sha256sum secret.bin"], tmp_path, ["secret.bin"]) == []
    assert hash_uncomputed("How big is secret.bin?", [], tmp_path, ["secret.bin"]) == []


def test_a_third_check_is_only_for_what_the_second_did_not_say(tmp_path):
    # Told to look, then to walk the subfolders, the 1.5B printed ten paths and answered 14, unchecked
    # (count-txt, seed 26000): a new claim after two checks is checked once more.
    engine = Scripted(("python", "print(len([1, 2]))"), *[f"It is {n}." for n in (41, 42, 43, 44)])
    _session, chunks = converse(engine, tmp_path, "What is the number?")
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("41",), ("42",), ("43",)]
    # The same claim after the second check ends the turn: it was told twice.
    engine = Scripted(("python", "print(len([1, 2]))"), *["It is 41."] * 4)
    _session, chunks = converse(engine, tmp_path, "What is the number?")
    assert sum(isinstance(c, Recheck) for c in chunks) == 2 and engine.replies == ["It is 41."]


def test_a_written_file_left_empty_or_not_json_is_checked_with_a_block_to_fill_in(tmp_path):
    # Told to write people.json, not read it, the 1.5B created it with `pass`, printed the JSON it had
    # built and answered that it was written (csv-to-json, held-out seed 26000).
    (tmp_path / "people.csv").write_text("name,age\nhana,37\n")
    asked = "Convert people.csv to people.json: a JSON list of objects with the same keys and values."
    filled = "import json\ndata = [{'name': 'hana', 'age': '37'}]\njson.dump(data, open('people.json', 'w'))"
    engine = Scripted(
        ("python", "with open('people.json', 'w') as f:\n    pass\nprint('[{\"name\": \"hana\"}]')"),
        "The JSON is written to people.json.",
        ("python", filled),
        "people.json holds the one person.",
    )
    converse(engine, tmp_path, asked)
    told = engine.seen[2][-1].content
    assert "people.json is empty: write into it what the request asks for" in told
    assert "data = <the value people.json should hold, as the request asks>\njson.dump(data" in told
    assert json.loads((tmp_path / "people.json").read_text()) == [{"name": "hana", "age": "37"}]
    # A .json that does not parse is said to be so.
    (tmp_path / "people.json").write_text("[{'name': 'hana'}]")
    said = unlike_request(asked, ["people.json"], tmp_path)
    assert len(said) == 1 and said[0].startswith("people.json is not valid JSON (Expecting property name")


def test_one_rows_value_answered_as_a_total_is_checked(tmp_path):
    # Asked for the region with the highest total, the 1.5B printed the rows and answered one east row's
    # amount, 684: printed, so no claim was unbacked (region-sales, held-out seed 25000).
    from localinterp.claims import row_value_as_total

    rows = [["west", "199"], ["east", "684"], ["west", "61"], ["east", "113"], ["north", "495"]]
    (tmp_path / "sales.csv").write_text("region,amount\n" + "".join(f"{r},{a}\n" for r, a in rows))
    asked = "Which region in sales.csv has the highest total amount, and what is that total?"
    engine = Scripted(
        ("python", "import csv\nprint(list(csv.reader(open('sales.csv')))[1:])"),
        "The region with the highest total is east, with 684.",
        (
            "python",
            "import csv\nt = {}\nfor r, a in list(csv.reader(open('sales.csv')))[1:]:\n"
            "    t[r] = t.get(r, 0) + int(a)\nprint(max(t.items(), key=lambda x: x[1]))",
        ),
        "east, with 797.",
    )
    converse(engine, tmp_path, asked)
    assert "684 is one row's value in the rows the last output printed" in engine.seen[2][-1].content
    assert not engine.replies
    # Totals printed as rows (one per group) are not data; nor is a request that asks for no total.
    printed = str(rows)
    assert row_value_as_total(asked, "east, 797.", printed) == []
    totals = [["east", 684], ["west", 260], ["north", 495], ["south", 31], ["mid", 7]]
    assert row_value_as_total(asked, "east, 684", str(totals)) == []
    assert row_value_as_total("Which row has the largest amount?", "684", printed) == []
    assert row_value_as_total(asked, "684", str([[f"r{i}", "684"] for i in range(6)])) == []
    # Rows printed one per line: the 1.5B printed five and answered the first one's amount (51000).
    one_per_line = "\n".join(str(r) for r in rows)
    assert row_value_as_total(asked, "north, with 495.", one_per_line)[0].startswith("495 is one row's value")
    assert row_value_as_total(asked, "east, 797.", one_per_line) == []


def test_a_hash_of_something_other_than_the_file_comes_back_with_the_command_that_hashes_it(tmp_path):
    # The 0.5B's first block for a sha256 is a bash script that hashes a variable: `echo "$with_hex" |
    # sha256sum` printed the digest of one newline (seeds 48000, 49000), `sha256sum <<< "$content"` the
    # digest of the file's first line (30000); it answered with each.
    import hashlib

    from localinterp.claims import hash_not_of_file

    data = bytes(range(256)) * 8
    (tmp_path / "secret.bin").write_bytes(data)
    asked = "What are the first 16 hex digits of the sha256 of secret.bin?"
    script = 'read -r content < secret.bin\nsha256sum <<< "$content"'
    engine = Scripted(("shell", script), "They are 0123.", ("shell", "sha256sum secret.bin"), "Done.")
    session, _chunks = converse(engine, tmp_path, asked, languages=("python", "shell"))
    told = session.messages[2].context
    assert told.startswith(
        'sha256sum on line 2 (`sha256sum <<< "$content"`) hashes what reaches its input there, not the '
        "bytes of secret.bin. This block hashes the file itself:\n```shell\nsha256sum secret.bin\n```"
    )
    # Answered without running it: asked again, the reply begun with the block.
    assert engine.forced[2] and engine.starts[2] == "```shell\nsha256sum secret.bin\n"
    assert hashlib.sha256(data).hexdigest() in session.messages[-2].content
    # The digest of nothing, in any language's output, is said with the block in that language.
    newline = hashlib.sha256(b"\n").hexdigest()
    said = hash_not_of_file(asked, "print(h)", f"It is {newline[:16]}", tmp_path, ["secret.bin"])
    assert said.startswith(f"{newline[:16]} is the sha256 of empty input (no bytes, or one newline)")
    assert run_given(said, tmp_path).stdout == hashlib.sha256(data).hexdigest() + "\n"
    # The file hashed by name, from a pipe or through a variable, and other requests: nothing to say.
    right = ("cat secret.bin | sha256sum", 'f=secret.bin\nsha256sum "$f"', "sha256sum < secret.bin")
    for code in right:
        assert hash_not_of_file(asked, code, "ab12", tmp_path, ["secret.bin"], "shell") == ""
    assert (
        hash_not_of_file("How big is secret.bin?", script, newline, tmp_path, ["secret.bin"], "shell") == ""
    )


def test_names_listed_from_a_folder_are_compared_by_size_and_found_in_their_folder(tmp_path):
    # Asked for the largest file in files/, the 0.5B took max() of os.listdir's names (the last in
    # alphabetical order: seeds 30000, 49000), or max(files, key=os.path.getsize) on names without their
    # folder (FileNotFoundError, nothing said where the file was: 47000, 48000).
    from localinterp.claims import names_compared
    from localinterp.hints import failure_hint

    (tmp_path / "files").mkdir()
    for name, size in (("abc.bin", 900), ("mno.bin", 50), ("xyz.bin", 300)):
        (tmp_path / "files" / name).write_bytes(b"x" * size)
    asked = "Which file in the folder files is the largest?"
    listed = (
        "import os\nfiles = [f for f in os.listdir('files') if os.path.isfile(os.path.join('files', f))]\n"
    )

    def told_after(last_line: str) -> str:
        """What the block's output is told, the block run once in the folder."""
        engine = Scripted(("python", listed + last_line), *["It is xyz.bin."] * 4)
        session, _chunks = converse(engine, tmp_path, asked)
        return session.messages[2].context

    told = told_after("print(max(files))")
    assert told.startswith(
        "max(files) on line 3 compares the names in files as text (it picks the last in alphabetical order), "
        "not the files' sizes: give it their size as the key. Your block so:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "abc.bin\n"
    told = told_after("print(max(files, key=os.path.getsize))")
    assert told.startswith(
        "abc.bin is in files/: os.listdir('files') gives names without their folder, and a name alone is "
        "looked for in the working directory. Your block with the folder joined to them:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "files/abc.bin\n"
    # A folder named by a variable is found through it; names joined to it further down are left alone.
    by_name = "import os\nd = 'files'\nnames = os.listdir(d)\nprint(max(names, key=os.path.getsize))"
    hint = failure_hint(
        "FileNotFoundError: [Errno 2] No such file or directory: 'abc.bin'", tmp_path, by_name
    )
    assert run_given(hint, tmp_path).stdout == "files/abc.bin\n"
    joined = by_name + "\nprint(os.path.join(d, names[0]))"
    assert failure_hint("No such file or directory: 'abc.bin'", tmp_path, joined) == ""
    # Keyed already, or a request that is not about sizes: nothing to say.
    assert names_compared(asked, listed + "print(max(files, key=len))") == ""
    assert names_compared("Which name in files comes last?", listed + "print(max(files))") == ""


def test_a_query_only_shown_in_a_sql_fence_comes_back_as_the_block_that_runs_it_on_the_database(tmp_path):
    # The 0.5B's first reply for sqlite-join was its JOIN in a ```sql fence, nothing run (seeds 30000,
    # 47000, 49000); told to read shop.db with code, it opened the database as text.
    import sqlite3

    from localinterp.claims import sql_unrun

    db = sqlite3.connect(tmp_path / "shop.db")
    db.executescript(
        "CREATE TABLE customers (id INTEGER, name TEXT); CREATE TABLE orders (customer_id INTEGER, total REAL);"
        "INSERT INTO customers VALUES (1, 'ada'), (2, 'bo'); INSERT INTO orders VALUES (1, 5), (2, 7), (1, 4);"
    )
    db.commit()
    db.close()
    query = (
        "SELECT name FROM customers AS c JOIN orders AS o ON c.id = o.customer_id\n"
        "GROUP BY c.id ORDER BY SUM(o.total) DESC LIMIT 1;"
    )
    asked = "Which customer in shop.db has the highest sum of order totals?"
    engine = Scripted(f"We need to join them:\n```sql\n{query}\n```", *["It is ada."] * 3)
    session, _chunks = converse(engine, tmp_path, asked)
    told = session.messages[2].content
    assert (
        "your ```sql block was only shown: SQL does not run here on its own, only inside a ```python" in told
    )
    one_line = query.replace("\n", " ")
    assert told.endswith(
        f'The block below does it:\n```python\nimport sqlite3\nquery = """{one_line}"""\n'
        "for row in sqlite3.connect('shop.db').execute(query):\n    print(row)\n```"
    )
    assert engine.forced[1] and engine.starts[1] == f"```python\n{given_block(told)}"

    assert run_given(told, tmp_path).stdout == "('ada',)\n"
    # A statement that writes, more than one statement, or no database named: nothing to hand.
    for sql in ("DELETE FROM orders;", "SELECT 1; SELECT 2;", 'SELECT total FROM orders WHERE note = "x"'):
        assert sql_unrun(f"```sql\n{sql}\n```", tmp_path, ["shop.db"]) == []
    assert sql_unrun(f"```sql\n{query}\n```", tmp_path, []) == []


def test_sizes_printed_without_names_for_which_file_is_largest_get_the_block_that_names_it(tmp_path):
    # Asked which file in the folder files is the largest, the 0.5B printed the size column of `ls -l`
    # alone and answered a size, 41011, as the file (largest-file, fresh seed 61000; its command).
    from localinterp.claims import sizes_without_names

    (tmp_path / "files").mkdir()
    for name, size in (("mifek.bin", 4800), ("abc.txt", 600), ("zed.dat", 4100)):
        (tmp_path / "files" / name).write_bytes(b"x" * size)
    asked = "Which file in the folder files is the largest?"
    engine = Scripted(("shell", "ls -l files | awk '{print $5}'"), "4800", "4800", "4800")
    session, _chunks = converse(engine, tmp_path, asked, languages=("python", "shell"))
    assert sorted(session.messages[2].content.split()) == ["4100", "4800", "600"]
    told = session.messages[2].context
    assert told.startswith(
        "It printed only sizes, and the request asks which file: a size is not a file's name. This block "
        "prints the name:\n```python\n"
    )
    assert run_given(told, tmp_path).stdout == "mifek.bin\n"
    smallest = sizes_without_names(asked.replace("largest", "smallest"), "4800\n600\n", tmp_path)
    assert run_given(smallest, tmp_path).stdout == "abc.txt\n"
    # Names printed with the sizes, or a request for a size: nothing to say.
    assert sizes_without_names(asked, "4800 mifek.bin\n600 abc.txt\n", tmp_path) == ""
    assert sizes_without_names("How big is the largest file in files?", "4800\n600\n", tmp_path) == ""
