"""The guides' commands: every shell block is marked, and every block marked "runs here" runs here.

`MODEL` in a block stands for the test model's path; `localinterp` and `python` are this environment's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(
    r"(?P<marker><!--[^\n]*-->\n)?```(?P<lang>bash|sh|powershell|console|bat)\n(?P<body>.*?)```", re.S
)


def blocks():
    for doc in sorted(DOCS.glob("*.md")):
        for m in BLOCK.finditer(doc.read_text()):
            yield doc.name, (m["marker"] or "").strip(), m["body"]


def test_every_shell_block_says_whether_it_runs_here():
    found = list(blocks())
    assert len(found) >= 10
    for name, marker, body in found:
        assert marker.startswith(("<!-- runs here", "<!-- not run here")), (name, body[:80])
        if marker.startswith("<!-- not run here"):
            assert ":" in marker, f"{name}: say why it is not run: {marker}"


RUNNABLE = [(name, body) for name, marker, body in blocks() if marker.startswith("<!-- runs here")]


@pytest.mark.parametrize(
    ("doc", "body"), RUNNABLE, ids=[f"{n}:{b.splitlines()[0][:40]}" for n, b in RUNNABLE]
)
def test_the_commands_marked_as_running_here_do(doc, body, smollm2_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for line in body.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        command = line.replace("MODEL", f"'{smollm2_path}'")
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=300)
        assert result.returncode == 0, (doc, command, result.stderr[-2000:])
        assert "Traceback" not in result.stderr
