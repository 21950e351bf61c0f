"""scripts/eval_agent.py: the same code on the same seeds writes the same conversations, so a change can be
compared with the code before it run for run; and two evaluations never share their folders."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "eval_agent.py"


def evaluate(model: Path, tmp: Path, keep: Path) -> subprocess.CompletedProcess:
    args = [str(model), "--tasks", "multiply,env-var", "--seed", "7", "--json", "--keep", str(keep)]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},  # its folders, away from any real evaluation's
        timeout=600,
    )


# What a block prints that the process or the clock makes different on every run: an object's address
# (pip's retry warnings print `<...HTTPSConnection object at 0x7f8443887f90>`), a time of day (`ls -l`)
# and the runner's own per-process marker (SmolLM2's `env -v ...` printed the whole environment; once a
# check asked it on, the differing marker re-rolled the rest of the conversation).
_VOLATILE = re.compile(r"0x[0-9a-f]{6,}|\b\d{1,2}:\d{2}(?::\d{2})?\b|LOCALINTERP_RUNNER=\w+")


def conversations(keep: Path) -> dict[str, list]:
    """Each run's messages, up to the first output that shows something volatile (not compared): the
    model reads that output, so what it writes next may differ without anything localinterp did. An
    output that shows the environment is volatile as a whole: besides the runner's marker, a command's
    stderr and stdout lines may interleave in either order (`env -v` prints its "setenv:" to stderr)."""
    said = {}
    for path in sorted(keep.glob("*/data/conversations/*.json")):
        messages = json.loads(path.read_text())["messages"]
        kept = []
        for m in messages:
            volatile = m["role"] == "output" and _VOLATILE.search(m["content"])
            kept.append((m["role"], "<volatile>" if volatile else m["content"]))
            if volatile:
                break
        said[path.parts[-4]] = kept
    return said


def assert_agree(first: list, again: list) -> None:
    """The two runs' messages are the same, up to the first output whose lines differ only in their order:
    a block whose processes write at once (`print(Popen(['echo', ...]))`: echo's line before or after
    Python's) interleaves them either way, and the model reads what it got. What follows may differ."""
    for mine, theirs in zip(first, again, strict=False):
        if mine == theirs:
            continue
        role, text = mine
        if (
            role == "output"
            and theirs[0] == "output"
            and sorted(text.splitlines()) == sorted(theirs[1].splitlines())
        ):
            return
        assert mine == theirs
    assert len(first) == len(again)


@pytest.mark.slow
def test_the_same_seeds_give_the_same_conversations(smollm2_path, tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    for keep in (first, again):
        done = evaluate(smollm2_path, tmp_path, keep)
        assert done.returncode == 0, done.stderr
    said, again_said = conversations(first), conversations(again)
    assert sorted(said) == ["env-var-run0", "multiply-run0"] and all(said.values())
    assert sorted(again_said) == sorted(said)
    for run in said:
        assert_agree(said[run], again_said[run])
    # Each task's folder is removed when it ends; only the lock stays.
    assert [p.name for p in (tmp_path / "li-eval").iterdir()] == [".lock"]
    # Played again through the current code with the model's replies given, every run comes out as
    # saved; a run whose saved conversation the code would not write is named, with the command that
    # runs it again (scripts/replay_eval.py: paired measuring at the cost of the runs a change touches).
    assert json.loads((first / "multiply-run0" / "row.json").read_text())["seed"] == 7 + 25  # its place
    played = replay(first, tmp_path)
    assert played.returncode == 0, played.stderr
    assert re.search(r"^env-var +run 0 \((?:un)?solved *\): same", played.stdout, re.M), played.stdout
    assert "0 of 2 runs played would not come out as saved." in played.stdout
    saved = next((first / "multiply-run0" / "data" / "conversations").glob("*.json"))
    chat = json.loads(saved.read_text())
    request = next(m for m in chat["messages"] if m["role"] == "user")
    request["context"] = "(a preview this code never shows)"
    saved.write_text(json.dumps(chat))
    played = replay(first, tmp_path)
    differs = r"^multiply +run 0 .*: differs at message 0 \(user\), its context: saved '\(a preview this"
    assert re.search(differs, played.stdout, re.M), played.stdout
    assert played.stdout.endswith(
        "1 of 2 runs played would not come out as saved; to run them again:\n"
        "  scripts/eval_agent.py MODEL --seed 7 --tasks multiply\n"
    )


def replay(keep: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT.with_name("replay_eval.py")), str(keep)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        timeout=600,
    )


def test_a_second_evaluation_at_once_is_refused_in_one_line(tmp_path):
    (tmp_path / "li-eval").mkdir()
    with (tmp_path / "li-eval" / ".lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = evaluate(Path("no-model.gguf"), tmp_path, tmp_path / "keep")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "eval_agent: another evaluation is running; it uses the same folders, so wait for it to end."
    )


def test_chat_flags_go_after_the_options_and_a_double_dash():
    # `MODEL --runs 3 -- --temperature 0` once failed with "unrecognized arguments".
    args = ["m.gguf", "--tasks", "no-such-task", "--runs", "1", "--", "--temperature", "0"]
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip().endswith("error: no task matches 'no-such-task'")
