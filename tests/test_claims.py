"""The final-answer check: a number or file the answer states that nothing ran backs earns the model one more
step, once per request; what the conversation supports passes untouched."""

from __future__ import annotations

from pathlib import Path

from localinterp.claims import recheck_message, unsupported
from localinterp.engine.types import CodeEnd, TurnEnd, TurnStats
from localinterp.runners import Runners
from localinterp.session import Recheck, Session


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
    assert check("Done: see ```text\n99 bottles\n```", printed="") == []  # quoted in a fence, not prose


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
    text = recheck_message(["42.17", "unique.txt"], tmp_path)
    assert "you stated 42.17, but no code printed it" in text
    assert f"unique.txt does not exist in {tmp_path}" in text
    assert text.endswith("then answer from what it printed.")


class Scripted:
    """An engine whose replies are given: a block (language, code) or a final answer (text)."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.seen = []

    def chat(self, messages, **kwargs):
        self.seen.append(messages)
        reply = self.replies.pop(0)
        if isinstance(reply, tuple):
            yield CodeEnd(*reply)
            yield TurnEnd("block", TurnStats(), f"```{reply[0]}\n{reply[1]}\n```")
        else:
            yield TurnEnd("stop", TurnStats(), reply)


def converse(engine, folder, request: str, languages=("python",), **session_args):
    """One request through a real Session with real runners in `folder`: the session and its chunks."""
    runners = Runners(list(languages), cwd=str(folder))
    session = Session(engine, runners, auto_run=True, **session_args)
    try:
        return session, list(session.send(request))
    finally:
        runners.close()


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


def test_a_model_that_insists_is_not_pressed_twice(tmp_path):
    engine = Scripted("The answer is 17.", "The answer is 17.")
    session, chunks = converse(engine, tmp_path, "Pick a number.")
    assert sum(isinstance(c, Recheck) for c in chunks) == 1
    assert [m.role for m in session.messages] == ["user", "assistant", "check", "assistant"]


def test_a_quoted_value_no_output_showed_is_unsupported():
    # The 1.5B's answer after `ls archive.zip` had printed only the archive's name.
    assert check('The password is "bfkmqot".', printed="archive.zip\n") == ["bfkmqot"]
    assert check("The password is `bfkmqot`.", printed="bfkmqot\n") == []
    assert check("Found the 'database' section's `port`.", given='cfg["database"]["port"]') == []
    assert check("It's done; the user's file is fine.") == []  # apostrophes are not quotes


def test_the_same_silent_block_again_is_not_run_but_answered(tmp_path):
    engine = Scripted(
        ("python", "content = open('config.json').read()"),  # prints nothing
        ("python", "content = open('config.json').read()"),  # the same again
        ("python", "print(content)"),
        "It is {}.",
    )
    (tmp_path / "config.json").write_text("{}")
    session, chunks = converse(engine, tmp_path, "What does config.json hold?")
    outputs = [m for m in session.messages if m.role == "output"]
    assert [m.status for m in outputs] == ["ok", "repeated", "ok"]
    assert "printed nothing" in outputs[1].content and outputs[2].content == "{}\n"
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
    assert [c.claims for c in chunks if isinstance(c, Recheck)] == [("2026", "03", "14")]
    assert [m.role for m in session.messages][-3:] == ["assistant", "output", "assistant"]


def test_the_working_directory_the_system_message_gives_is_not_a_claim(tmp_path):
    # The 1.5B quoted its working directory, which only the system message had told it.
    engine = Scripted(f"The files are in `{tmp_path}`.")
    session, chunks = converse(engine, tmp_path, "Where are the files?")
    assert str(tmp_path) in session.system_message and not any(isinstance(c, Recheck) for c in chunks)
