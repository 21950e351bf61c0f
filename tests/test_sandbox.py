"""The OS sandbox, with real processes on the real kernel: in `workspace` a block writes only inside the
working directory and the temp folder and reaches no network; `strict` also keeps reads in; `off` and
`--allow-net` lift what they say; state between blocks survives. Each escape is tried from python and
from the shell, and through a grandchild."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from localinterp.errors import BadInput, SandboxUnavailable
from localinterp.runners import Runners
from localinterp.sandbox import Sandbox, landlock_abi, missing, netns_available, seatbelt_profile

pytestmark = pytest.mark.skipif(
    bool(missing(Sandbox("workspace"))), reason=f"no sandbox on this machine: {missing(Sandbox('workspace'))}"
)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A working directory, a home outside it, and a temp folder of the test's own (so that the real /tmp,
    which the workspace sandbox would allow, plays no part)."""
    work, home, temp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, temp):
        d.mkdir()
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text("SECRET-KEY\n")
    (home / "notes.txt").write_text("outside\n")
    (work / "link").symlink_to(home)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(temp))
    return work, home, temp


def run(runners: Runners, language: str, code: str):
    """The result of one block (its output is in `.output`)."""
    return list(runners.get(language).run(code))[-1]


def runners_in(work: Path, mode: str, allow_net: bool = False) -> Runners:
    return Runners(["python", "shell"], timeout_s=30, cwd=str(work), sandbox=Sandbox(mode, allow_net))


ESCAPES_PY = {
    "home": "open(os.path.expanduser('~/outside.txt'), 'w').write('x')",
    "dotdot": "open('/tmp/../etc/localinterp-escape', 'w').write('x')",
    "symlink": "open('link/outside.txt', 'w').write('x')",
    "grandchild": "subprocess.run(['sh', '-c', 'echo x > \"$HOME/outside.txt\"'], check=True)",
    "hardlink": "os.link(os.path.expanduser('~/notes.txt'), 'notes-link.txt')",
    "overwrite": "open(os.path.expanduser('~/notes.txt'), 'a').write('changed')",
}
ESCAPES_SH = {
    "home": "echo x > ~/outside.txt",
    "dotdot": "echo x > /tmp/../etc/localinterp-escape",
    "symlink": "echo x > link/outside.txt",
    "grandchild": "python3 -c \"open('$HOME/outside.txt', 'w').write('x')\"",
    "hardlink": "ln ~/notes.txt notes-link.txt",
    "overwrite": "echo changed >> ~/notes.txt",
}


DENIED = ("Permission denied", "Invalid cross-device link")


def outside_untouched(home: Path) -> None:
    assert not (home / "outside.txt").exists()
    assert (home / "notes.txt").read_text() == "outside\n"
    assert not Path("/etc/localinterp-escape").exists()


@pytest.mark.parametrize("escape", sorted(ESCAPES_PY))
def test_workspace_stops_every_write_outside_from_python_and_shell(places, escape):
    work, home, _ = places
    r = runners_in(work, "workspace")
    try:
        py = run(r, "python", f"import os, subprocess\n{ESCAPES_PY[escape]}\nprint('ESCAPED')")
        sh = run(r, "shell", f"{ESCAPES_SH[escape]} && echo ESCAPED")
    finally:
        r.close()
    for result in (py, sh):
        assert result.status == "error", result.output
        assert "ESCAPED" not in result.output
        # Landlock refuses a write with EACCES, and a link that would carry rights across with EXDEV.
        assert any(e in result.output for e in DENIED), result.output
    outside_untouched(home)


def test_workspace_writes_inside_the_working_directory_and_temp_and_keeps_state(places):
    work, home, temp = places
    r = runners_in(work, "workspace")
    try:
        a = run(r, "python", "import tempfile\nn = 41\nopen('made.txt', 'w').write('py')\n"
                             "t = tempfile.NamedTemporaryFile(delete=False); t.write(b'1'); t.close()\nprint(t.name)")  # fmt: skip
        b = run(r, "python", "n += 1\nprint(n)")
        c = run(r, "shell", "mkdir -p sub && cd sub && echo sh > made.txt && greeting=hello")
        d = run(r, "shell", 'echo "$greeting from $(pwd)"; cat made.txt; cat ~/notes.txt')
    finally:
        r.close()
    assert a.status == "ok" and a.output.strip().startswith(str(temp)), a.output
    assert b.output.strip() == "42"
    assert c.status == "ok", c.output
    assert d.output.split("\n")[:3] == [f"hello from {work}/sub", "sh", "outside"]  # reads outside are fine
    assert (work / "made.txt").read_text() == "py"
    assert (work / "sub" / "made.txt").read_text() == "sh\n"
    outside_untouched(home)


@pytest.fixture
def server():
    """A loopback TCP server that answers "pong" to whoever connects."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.sendall(b"pong\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    done.set()
    thread.join()
    sock.close()


CONNECT_PY = (
    "import socket\nprint(socket.create_connection(('127.0.0.1', {port}), timeout=5).recv(10).decode())"
)
CONNECT_SH = "exec 3<>/dev/tcp/127.0.0.1/{port} && head -1 <&3"


@pytest.mark.parametrize(
    ("mode", "allow_net", "reaches"),
    [("workspace", False, False), ("strict", False, False), ("off", False, True), ("workspace", True, True)],
)
def test_the_network_is_off_in_the_sandbox_unless_allowed(places, server, mode, allow_net, reaches):
    work, _, _ = places
    r = runners_in(work, mode, allow_net)
    try:
        py = run(r, "python", CONNECT_PY.format(port=server))
        sh = run(r, "shell", CONNECT_SH.format(port=server))
    finally:
        r.close()
    for result in (py, sh):
        assert ("pong" in result.output) is reaches, result.output
        assert (result.status == "ok") is reaches


def test_strict_keeps_reads_in_while_workspace_reads_anywhere(places):
    work, _, _ = places
    (work / "data.txt").write_text("inside\n")
    read_key = "print(open(os.path.expanduser('~/.ssh/id_ed25519')).read())"
    seen = {}
    for mode in ("workspace", "strict"):
        r = runners_in(work, mode)
        try:
            seen[mode] = (
                run(r, "python", f"import os, json, tempfile\nprint(open('data.txt').read())\n{read_key}"),
                run(r, "shell", "cat data.txt; cat ~/.ssh/id_ed25519; ls ~"),
                run(
                    r,
                    "python",
                    "import tempfile\nwith tempfile.TemporaryFile() as f: f.write(b'ok')\nprint('temp ok')",
                ),
            )
        finally:
            r.close()
    for result in seen["workspace"][:2]:
        assert "inside" in result.output and "SECRET-KEY" in result.output
    for result in seen["strict"][:2]:
        assert "inside" in result.output, result.output  # the working directory stays readable
        assert "SECRET-KEY" not in result.output and "Permission denied" in result.output
        assert "notes.txt" not in result.output
    assert seen["strict"][2].output.strip() == "temp ok"  # its own temp folder (TMPDIR) works


def test_a_one_shot_language_is_confined_too(places):
    if not any(Path(d, "node").exists() for d in os.environ["PATH"].split(os.pathsep)):
        pytest.skip("node is not installed")
    work, home, _ = places
    for mode in ("workspace", "strict"):
        r = Runners(["javascript"], cwd=str(work), sandbox=Sandbox(mode))
        try:
            result = run(
                r,
                "javascript",
                "const fs = require('fs'); fs.writeFileSync('in.txt', 'js');"
                f"fs.writeFileSync({str(home / 'outside.txt')!r}, 'x');",
            )
        finally:
            r.close()
        assert result.status == "error" and "EACCES" in result.output, result.output
        assert (work / "in.txt").read_text() == "js"
        outside_untouched(home)


def test_the_sandbox_is_inherited_by_a_detached_grandchild(places):
    # A setsid'd child outlives the block's process group; it stays confined all the same (Landlock is
    # inherited across fork and exec and cannot be dropped).
    work, home, _ = places
    r = runners_in(work, "workspace")
    try:
        run(r, "shell", "setsid sh -c 'sleep 0.3; echo x > ~/outside.txt; echo $? > status.txt' &")
        run(r, "shell", "sleep 1")
    finally:
        r.close()
    assert (work / "status.txt").read_text().strip() != "0"
    outside_untouched(home)


def test_no_new_privileges_inside_the_sandbox(places):
    work, _, _ = places
    r = runners_in(work, "workspace")
    try:
        result = run(r, "shell", "grep NoNewPrivs /proc/self/status")
    finally:
        r.close()
    assert result.output.split() == ["NoNewPrivs:", "1"]


def test_the_system_message_and_the_run_say_which_sandbox(places):
    from localinterp.session import RunStart, Session

    work, _, _ = places

    class OneBlock:
        """An engine that writes one shell block, then answers."""

        def __init__(self) -> None:
            self.turn = 0

        def chat(self, messages, **kwargs):
            from localinterp.engine.types import CodeEnd, TurnEnd, TurnStats

            self.turn += 1
            if self.turn == 1:
                yield CodeEnd("shell", "touch ~/outside.txt", True)
                yield TurnEnd("block", TurnStats(), "```shell\ntouch ~/outside.txt\n```")
            else:
                yield TurnEnd("stop", TurnStats(), "Done.")

    r = runners_in(work, "workspace")
    session = Session(OneBlock(), r, auto_run=True)
    try:
        chunks = list(session.send("make a file in my home"))
    finally:
        r.close()
    assert "Sandbox: code may write only inside the working directory" in session.system_message
    assert "there is no network" in session.system_message
    start = next(c for c in chunks if isinstance(c, RunStart))
    assert start.sandbox == "workspace sandbox"
    assert "Permission denied" in session.messages[-2].content


def test_choosing_the_sandbox_in_approval_restarts_the_interpreters_and_says_so(places):
    from localinterp.session import Approval, Session

    work, home, _ = places

    class TwoBlocks:
        def __init__(self) -> None:
            self.turn = 0

        def chat(self, messages, **kwargs):
            from localinterp.engine.types import CodeEnd, TurnEnd, TurnStats

            self.turn += 1
            code = {1: "x = 5", 2: "import os; print(x); open(os.path.expanduser('~/outside.txt'), 'w')"}
            if self.turn in code:
                yield CodeEnd("python", code[self.turn], True)
                yield TurnEnd("block", TurnStats(), "")
            else:
                yield TurnEnd("stop", TurnStats(), "Done.")

    answers = iter([Approval("run"), Approval("sandbox")])
    r = runners_in(work, "off")
    session = Session(TwoBlocks(), r, approve=lambda _lang, _code: next(answers))
    try:
        list(session.send("go"))
        assert r.sandbox == Sandbox("workspace")
    finally:
        r.close()
    second = [m for m in session.messages if m.role == "output"][1]
    assert second.content.startswith("[Now in the workspace sandbox")
    assert "NameError" in second.content  # x was lost with the restart, as the model is told
    outside_untouched(home)


# -- choosing a sandbox -------------------------------------------------------------------------------------


def test_the_default_is_workspace_with_auto_run_and_off_with_approval(monkeypatch):
    from localinterp.interpreter import Interpreter

    assert Interpreter(auto_run=True, save_history=False).sandbox == "workspace"
    assert Interpreter(save_history=False).sandbox == "off"
    monkeypatch.setenv("LOCALINTERP_SANDBOX", "strict")
    assert Interpreter(save_history=False).sandbox == "strict"
    li = Interpreter(save_history=False, sandbox="off", auto_run=True)
    assert li.sandbox == "off"
    li.sandbox = "workspace"
    assert li.sandbox == "workspace"
    with pytest.raises(BadInput, match="sandbox"):
        li.sandbox = "chroot"


def test_the_sandbox_setting_comes_from_the_config_file_and_a_bad_one_is_one_line():
    from localinterp.config import resolve_config
    from localinterp.settings import config_path

    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('sandbox = "strict"\nallow_net = true\n')
    cfg = resolve_config({})
    assert (cfg.sandbox, cfg.allow_net) == ("strict", True)
    config_path().write_text('sandbox = "jail"\n')
    with pytest.raises(
        BadInput, match=r"config.toml: sandbox = 'jail': the sandbox is one of off, workspace, strict"
    ):
        resolve_config({})
    config_path().unlink()
    out = subprocess.run(
        [sys.executable, "-m", "localinterp", "chat", "--sandbox", "jail", "--once", "hi"],
        capture_output=True, text=True, env={**os.environ, "LOCALINTERP_OFFLINE": "1"}, check=False,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "localinterp: error: --sandbox = 'jail': the sandbox is one of off, workspace, strict."
    ]


def test_a_sandbox_the_machine_lacks_is_refused_when_asked_for_and_said_when_defaulted(monkeypatch):
    # The kernel here has Landlock; a machine without it is stood in for by the ABI probe's answer.
    import localinterp.sandbox as sb
    from localinterp.interpreter import Interpreter

    monkeypatch.setattr(sb, "landlock_abi", lambda: 0)
    said: list[str] = []
    with pytest.raises(SandboxUnavailable, match=r"no Landlock.*--sandbox off"):
        Interpreter(sandbox="workspace", save_history=False).sandbox_choice()
    li = Interpreter(auto_run=True, save_history=False, on_status=said.append)
    assert li.sandbox_choice() == Sandbox("off")
    assert said == [
        "Running code without a sandbox: this kernel has no Landlock (it needs Linux 5.13 or later with "
        "landlock among its security modules; WSL1 has none)."
    ]


def test_landlock_and_the_network_namespace_are_what_this_machine_offers():
    # What the rest of this file relies on, stated: CI and development machines have both.
    assert landlock_abi() >= 4
    assert netns_available()


def test_the_macos_profile_confines_writes_reads_and_the_network():
    # sandbox-exec is not on this machine: the profile's text is what can be checked here.
    work = Path('/Users/a "quoted" name/work')
    text = seatbelt_profile(Sandbox("strict"), [work, Path("/private/tmp/x")], [Path("/usr")])
    lines = text.splitlines()
    assert lines[:3] == ["(version 1)", "(allow default)", "(deny file-write*)"]
    assert '(subpath "/Users/a \\"quoted\\" name/work")' in lines[3]
    assert "(deny file-read-data)" in lines and "(deny network-outbound (remote ip))" in lines
    assert "network" not in seatbelt_profile(Sandbox("workspace", allow_net=True), [work], [])
