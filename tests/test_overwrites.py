"""A block must not destroy a file the request names, unasked: moved over, copied over or deleted."""

from __future__ import annotations

from scripted import Scripted, approving, converse

from localinterp.overwrites import Overwrite, overwrite
from localinterp.session import Unrunnable

SCRIPT = "import json\nprices = json.load(open('price.json'))\nprint(sum(prices.values()))\n"
FIXED = "source = open('summary.py').read().replace('price.json', 'prices.json')\nopen('summary.py', 'w').write(source)"
RUN = "import subprocess\n_ = subprocess.run(['python3', 'summary.py'])"


def _folder(tmp_path):
    (tmp_path / "summary.py").write_text(SCRIPT)
    (tmp_path / "prices.json").write_text('{"tea": 3, "jam": 4}')
    return tmp_path


def test_a_data_file_moved_over_the_script_to_fix_never_runs_with_auto_run(tmp_path):
    # Told summary.py looked for price.json where prices.json was, the 1.5B ran this with -y: the script
    # and the data were both gone (fix-name, held-out seed 25000).
    folder = _folder(tmp_path)
    moved = "import shutil\nshutil.move('prices.json', 'summary.py')\nprint('fixed')"
    engine = Scripted(("python", moved), ("python", FIXED + "\n" + RUN), "It prints 7.")
    session, chunks = converse(engine, folder, "summary.py crashes. Fix it and run it.")
    assert [c.reason for c in chunks if isinstance(c, Unrunnable)] == [
        "it would replace summary.py, a file the request names, with prices.json: summary.py's own text "
        "would be lost"
    ]
    told = engine.seen[1][-1].content
    assert told.startswith("Not run: it would replace summary.py") and told.endswith(
        "Leave prices.json where it is and change what the request asks for inside summary.py."
    )
    assert (folder / "prices.json").exists() and "prices.json" in (folder / "summary.py").read_text()
    assert session.messages[-2].content == "7\n"  # the fix that followed ran


def test_with_approval_the_user_is_warned_and_decides(tmp_path):
    folder = _folder(tmp_path)
    shown: list[tuple[str, str]] = []
    engine = Scripted(("shell", "mv prices.json summary.py"))
    _session, chunks = converse(
        engine,
        folder,
        "summary.py crashes. Fix it and run it.",
        languages=("python", "shell"),
        auto_run=False,
        approve=approving(shown, "skip"),
    )
    notices = [c.text for c in chunks if getattr(c, "stream", "") == "notice"]
    assert notices == [
        "[Careful: it would replace summary.py, a file the request names, with prices.json: summary.py's "
        "own text would be lost.]\n"
    ]
    assert shown == [("shell", "mv prices.json summary.py")]  # asked all the same: the user's call
    assert (folder / "summary.py").read_text() == SCRIPT


def test_what_is_read_as_a_move_a_copy_or_a_deletion(tmp_path):
    folder = _folder(tmp_path)
    there = {"summary.py", "prices.json"}

    def found(code: str, language: str = "python", request: str = "Fix summary.py.") -> Overwrite | None:
        return overwrite(request, language, code, folder, ["summary.py"], there)

    replaced = Overwrite("summary.py", "prices.json")
    assert found("import os\nos.replace('./prices.json', 'summary.py')") == replaced
    assert found("from pathlib import Path\nPath('prices.json').rename('summary.py')") == replaced
    assert found("from shutil import copyfile\ncopyfile('prices.json', 'summary.py')") == replaced
    assert found("cp -f prices.json summary.py && python3 summary.py", "shell") == replaced
    assert found("import os\nos.remove('summary.py')") == Overwrite("summary.py")
    assert found("rm -f summary.py", "shell") == Overwrite("summary.py")
    # A deletion followed by the file written again is a rewrite.
    assert found("import os\nos.remove('summary.py')\nopen('summary.py', 'w').write('print(7)')") is None
    # The model's own corrected copy put in place: it was not there before the request.
    (folder / "fixed.py").write_text("print(7)\n")
    assert found("mv fixed.py summary.py", "shell") is None
    # A backup, a file the request does not name, a name built at run time, a string's replace: no.
    assert found("cp summary.py summary.bak", "shell") is None
    assert found("mv prices.json old.json", "shell") is None
    assert found("import shutil\nname = 'summary.py'\nshutil.move('prices.json', name)") is None
    assert found("s = open('summary.py').read().replace('prices.json', 'summary.py')") is None
    # The request asks for it itself.
    assert found("mv prices.json summary.py", "shell", "Replace summary.py with prices.json.") is None
    assert found("rm summary.py", "shell", "summary.py should be deleted.") is None
    assert found("rm summary.py", "shell", "Is summary.py about copper prices? Fix it.") is not None
