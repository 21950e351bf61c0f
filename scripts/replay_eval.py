#!/usr/bin/env python3
"""Which kept evaluation runs would the current code handle differently? Paired measuring at the cost of
the runs a change touches.

Each run that `scripts/eval_agent.py --keep KEEP` kept is played again: its task's data built from its
seed in the folder the evaluation used, and the model's saved replies given back in order to a real
Session with real runners, set up as `localinterp chat -y` sets them up (previews on, the workspace
sandbox). Sampling is seeded and the date pinned, so a real model meeting the same messages writes the
same replies: a run where every message comes out as saved would come out as it did, and only the runs
where the current code first decides otherwise (a hint, a preview, a check, a block run or not) need a
real run again. It prints, for each run, "same" or the first message that differs, then the command
that runs the others again.

What a block prints may differ between runs without the code deciding anything (an archive's own
timestamp, `ls -l` times): outputs are compared by status and hint (the sizes of the files a block wrote
aside), and a run whose output bytes alone differ is reported as same, with that said.

Usage: python scripts/replay_eval.py KEEP [--tasks PATTERN] [--seed S]
The seeds come from each kept run's row.json (eval_agent.py writes one); `--seed` gives the first seed
of an evaluation kept before that (each task's seed is then computed as eval_agent.py computes it).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent_tasks import TASKS, prepare_task
from eval_agent import add_clutter, conversation, task_seed

from localinterp.engine.blocks import BlockParser
from localinterp.engine.languages import chosen
from localinterp.engine.types import CodeEnd, TurnEnd, TurnStats
from localinterp.runners import Runners
from localinterp.sandbox import Sandbox
from localinterp.session import Session

COMPARED = ("role", "content", "language", "status", "context")


class Diverged(Exception):
    """The current code decided otherwise than the saved run did, at the message named."""


class Replayed:
    """An engine whose replies are the saved run's, each given only while the conversation so far is the
    saved one (else Diverged)."""

    def __init__(self, saved: list[dict]) -> None:
        self.saved = [{k: m.get(k) for k in COMPARED} for m in saved if m.get("role") != "system"]
        self.session: Session | None = None
        self.bytes_differ: list[int] = []  # outputs whose status and hint match but not their bytes

    def compare(self) -> int:
        """How many messages the session holds, all as saved (else Diverged)."""
        assert self.session is not None
        now = [m.to_json() for m in self.session.messages if m.role != "system"]
        for i, m in enumerate({k: d.get(k) for k in COMPARED} for d in now):
            if i >= len(self.saved):
                raise Diverged(
                    f"message {i}: the current code adds a {m['role']} message: {_short(m['content'])}"
                )
            s = self.saved[i]
            if m == s:
                continue
            if m["role"] == s["role"] == "output" and all(
                _sizeless(m[k]) == _sizeless(s[k]) for k in COMPARED if k != "content"
            ):
                if i not in self.bytes_differ:
                    self.bytes_differ.append(i)
                continue
            field = next(k for k in ("role", "status", "context", "language", "content") if m[k] != s[k])
            raise Diverged(
                f"message {i} ({s['role']}), its {field}: saved {_short(s[field])}, now {_short(m[field])}"
            )
        return len(now)

    def chat(self, messages, **kwargs):
        n = self.compare()
        if n >= len(self.saved) or self.saved[n]["role"] != "assistant":
            had = self.saved[n]["role"] if n < len(self.saved) else "the end of the saved run"
            raise Diverged(f"message {n}: the current code asks for a reply where the saved run has {had}")
        text = self.saved[n]["content"]
        start = kwargs.get("start") or ""
        if not text.startswith(start):
            raise Diverged(f"message {n}: the current code begins the reply with {_short(start)}")
        parser = BlockParser()
        ends = [e for e in parser.feed(text) + parser.close() if isinstance(e, CodeEnd)]
        yield from ends
        # A reply the engine cut (repetition, length) is saved with how, and replayed so.
        yield TurnEnd(self.saved[n].get("status") or ("block" if ends else "stop"), TurnStats(), text)


# The size a file the block wrote has ("changed a.json (1,921 bytes)"): it follows the block's output, so
# it may differ as those bytes do (pip's output written to a file, env-var: 1,921 then 1,902 bytes).
_SIZE = re.compile(r"\(\d[\d,]* bytes\)")


def _sizeless(value: object) -> object:
    return _SIZE.sub("(N bytes)", value) if isinstance(value, str) else value


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def replay(
    folder: Path, task, seed: int, clutter: bool = False, work: Path | None = None
) -> tuple[bool, str]:
    """Play the run kept in `folder` again in the working folder `work` it ran in (by default where
    eval_agent.py ran each task before it named one folder for all): (same, what differs or "")."""
    saved = conversation(folder / "data")
    if not saved:
        return False, "no conversation kept"
    work = work or Path(tempfile.gettempdir()) / "li-eval" / f"{task.name}-{seed}" / "work"
    tmp = work.parent
    if tmp.exists():
        return False, f"{tmp} is in use (an evaluation is running)"
    work.mkdir(parents=True)
    before = dict(os.environ)
    runners = None
    try:
        prompt, _check, env = prepare_task(task, work, seed)
        if clutter:
            add_clutter(work)
        os.environ.update(env)  # the runners inherit it, as the chat's do
        engine = Replayed(saved)
        runners = Runners(chosen(None), cwd=str(work), sandbox=Sandbox("workspace", False))
        engine.session = Session(engine, runners, auto_run=True, previews=True)
        try:
            for _chunk in engine.session.send(prompt):
                pass
            n = engine.compare()
            if n < len(engine.saved):
                raise Diverged(f"message {n}: the current code ends the turn; the saved run goes on")
        except Diverged as e:
            return False, str(e)
        said = f"(the bytes of outputs {engine.bytes_differ} differ)" if engine.bytes_differ else ""
        return True, said
    finally:
        if runners is not None:
            runners.close()
        os.environ.clear()
        os.environ.update(before)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keep", type=Path, help="the folder eval_agent.py --keep wrote")
    parser.add_argument("--tasks", default="*", help="fnmatch patterns of task names, comma-separated")
    parser.add_argument(
        "--seed", type=int, help="the evaluation's first seed, for runs kept without row.json"
    )
    args = parser.parse_args()
    patterns = [p.strip() for p in args.tasks.split(",") if p.strip()]
    by_name = {t.name: t for t in TASKS}
    runs = sorted(p for p in args.keep.glob("*-run*") if p.is_dir())
    if not runs:
        sys.exit(f"replay_eval: no kept runs in {args.keep}; make them with eval_agent.py --keep {args.keep}")
    again: dict[int, list[str]] = {}  # the first seed of a run -> its tasks to run again
    played = 0
    for folder in runs:
        name, run = folder.name.rsplit("-run", 1)
        task = by_name.get(name)
        if task is None or not any(fnmatch.fnmatch(name, p) for p in patterns):
            continue
        row_file = folder / "row.json"
        if row_file.exists():
            row = json.loads(row_file.read_text())
        elif args.seed is not None:
            row = {"seed": task_seed(args.seed, int(run), task), "solved": None}
        else:
            sys.exit(f"replay_eval: {folder} has no row.json; give the evaluation's first seed with --seed")
        work = Path(row["work"]) if row.get("work") else None
        same, said = replay(folder, task, row["seed"], row.get("clutter", False), work)
        played += 1
        solved = {True: "solved", False: "unsolved", None: "?"}[row.get("solved")]
        print(
            f"{name:14} run {run} ({solved:8}): {'same' if same else 'differs at'} {said}".rstrip(),
            flush=True,
        )
        if not same:  # run again as run 0 of an evaluation whose seeds are this run's
            again.setdefault(row["seed"] - task_seed(0, 0, task), []).append(name)
    total = sum(len(t) for t in again.values())
    print(
        f"{total} of {played} runs played would not come out as saved"
        + ("; to run them again:" if total else ".")
    )
    for first, names in sorted(again.items()):
        print(f"  scripts/eval_agent.py MODEL --seed {first} --tasks {','.join(names)}")
    if any(json.loads(f.read_text()).get("clutter") for f in args.keep.glob("*-run*/row.json")):
        print("  (each with --clutter, as they were kept)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
