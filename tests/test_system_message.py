"""What the model is told about where its blocks run: the folder, what is in it, and a path spelled out
both ways, so that a small model names files relative to it. The 0.5B dropped a last folder named work
from its absolute paths when sampling (scripts/eval_agent.py measures that); greedy decoding, which the
end-to-end tests use, never did, so the wording is what is tested here."""

from __future__ import annotations

from pathlib import Path

from localinterp.session import LISTING_ENTRIES, default_system_message


def lines_after(message: str, label: str) -> list[str]:
    start = message.index(label)
    return message[start:].splitlines()


def test_the_folder_its_files_and_one_file_named_both_ways(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.json").write_text("{}")
    (work / "pics").mkdir()
    (work / ".env").write_text("SECRET=1")  # hidden: never shown, never the example

    message = default_system_message(("python", "shell"), str(work))

    assert lines_after(message, "Current directory:") == [
        f"Current directory: {work}",
        "It contains: config.json, pics/",
        f"Blocks run there: name its files by their relative path, e.g. 'config.json', not "
        f"{work / 'config.json'}.",
    ]
    assert "Paths are relative to the current directory below." in message
    assert ".env" not in message


def test_a_folder_as_the_only_entry_is_the_example_without_its_slash(tmp_path: Path):
    (tmp_path / "pics").mkdir()
    message = default_system_message(("python",), str(tmp_path))
    assert f"e.g. 'pics', not {tmp_path / 'pics'}." in message


def test_an_empty_folder_says_so_and_invents_no_example(tmp_path: Path):
    message = default_system_message(("python",), str(tmp_path))
    assert lines_after(message, "Current directory:") == [
        f"Current directory: {tmp_path}",
        "It contains: (nothing)",
    ]


def test_a_big_folder_is_listed_in_part(tmp_path: Path):
    for i in range(LISTING_ENTRIES + 5):
        (tmp_path / f"f{i:03}.txt").write_text("")
    message = default_system_message(("python",), str(tmp_path))
    assert f"f{LISTING_ENTRIES - 1:03}.txt, and 5 more" in message
    assert f"f{LISTING_ENTRIES:03}.txt" not in message


def test_an_unreadable_folder_gets_no_listing(tmp_path: Path):
    missing = tmp_path / "gone"
    message = default_system_message(("python",), str(missing))
    assert lines_after(message, "Current directory:") == [f"Current directory: {missing}"]
