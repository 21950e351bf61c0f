#!/usr/bin/env python3
"""Does a model finish real tasks through localinterp? Measured the way a user would meet it.

Each task (scripts/agent_tasks.py) builds its data in a fresh folder from a random seed, then the real CLI
runs there: `python -m localinterp chat -y --once --offline -m MODEL "TASK"`. The task is scored only from
the saved conversation's output messages (what executed code printed) and the files left on disk, never
from the model's prose. The folder is named for the task and seed, so the same code on the same seeds
gives the same conversations (the date the system message gives is pinned too); a second evaluation
started while one runs is refused.

Usage: python scripts/eval_agent.py MODEL [--tasks PATTERN] [--runs N] [--seed S] [--json] [--keep DIR]
       [-- CHAT FLAGS]   (e.g. `-- --temperature 0`: passed to `localinterp chat`)
MODEL is what `localinterp chat -m` takes (a path, an alias already on disk). Prints one row per task and
run (solved, seconds, rounds, blocks run), then the totals: solved per run and its median over runs, and the
median seconds per task and per solved task.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

# This tree's localinterp, as the runs get it (PYTHONPATH below), not whichever one is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent_tasks import TASKS, prepare_task

from localinterp.session import NOT_RUN

REPO = Path(__file__).resolve().parent.parent
# The day the runs recorded in docs/EVAL.md were made (2026-11-22, midnight UTC), given to every run as
# SOURCE_DATE_EPOCH: the date is in the system message, and a new day would re-roll every conversation.
PINNED_DATE = 1795305600


@dataclass
class Row:
    task: str
    run: int
    seed: int
    solved: bool
    seconds: float
    rounds: int  # model turns
    blocks: int  # code blocks run
    exit_code: int
    note: str = ""


WORK = Path(tempfile.gettempdir()) / "li-eval" / "user" / "work"  # where each task runs


def conversation(data_dir: Path) -> list[dict]:
    """The messages of the one conversation the chat saved."""
    files = sorted((data_dir / "conversations").glob("*.json"))
    if not files:
        return []
    return json.loads(files[-1].read_text()).get("messages", [])


def task_seed(base: int, run: int, task) -> int:
    """The seed of `task` in run `run` of an evaluation from seed `base`. It follows the task's place in
    TASKS, so a subset run meets the data a full run does."""
    return base + 1000 * run + TASKS.index(task)


def one_at_a_time():
    """A lock on the folders every evaluation uses (see run_task); exits with one line if another holds it."""
    folder = Path(tempfile.gettempdir()) / "li-eval"
    folder.mkdir(exist_ok=True)
    lock = (folder / ".lock").open("w")
    try:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # not POSIX: nothing to lock with
        pass
    except OSError:
        sys.exit(
            "eval_agent: another evaluation is running; it uses the same folders, so wait for it to end."
        )
    return lock  # held until this process exits


# A user's folder is never empty: with --clutter each task's folder also holds these (none is a file a
# task reads, writes or counts), so that a request about no file meets a listing that names some.
CLUTTER = {
    "README.md": "# Garden planner\n\nNotes and scripts for the allotment.\n",
    "todo.txt": "order seeds\nfix the shed door\nwater the tomatoes\n",
    "plot.py": 'beds = ["carrots", "beans", "kale"]\nfor bed in beds:\n    print(bed)\n',
    "photos/IMG_0412.jpg": "\xff\xd8\xff\xe0 not really a photo",
}


def add_clutter(work: Path) -> None:
    """The files of CLUTTER the task did not make itself."""
    for name, text in CLUTTER.items():
        path = work / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


def run_task(
    model: str,
    task,
    seed: int,
    run: int,
    timeout: float,
    extra: list[str],
    keep: Path | None = None,
    clutter: bool = False,
) -> Row:
    # The folder is fixed, not random: the system message names the working folder, and sampling is
    # seeded, so the same code meets the same prompt and a change can be compared run for run with the
    # one before it (one evaluation at a time: see one_at_a_time). Its name says nothing of the task: as
    # li-eval/TASK-SEED/work it did, and the 0.5B answered "port 53005" from json-nested-53005 and read
    # its files from li-eval/TASK-SEED/, without work/ (seeds 53000-55000). scripts/replay_eval.py
    # rebuilds a run kept before in the folder it used (row.json's "work", or that old name).
    tmp = WORK.parent
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        work, data = Path(tmp) / "work", Path(tmp) / "data"
        work.mkdir()
        prompt, check, env_extra = prepare_task(task, work, seed)
        if clutter:
            add_clutter(work)
        env = os.environ | env_extra | {"LOCALINTERP_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
        # The system message gives the date: pinned, so that a run on another day (or after midnight)
        # writes the same conversation as the one it is compared with. No task asks about today.
        env["SOURCE_DATE_EPOCH"] = str(PINNED_DATE)
        cmd = [
            sys.executable,
            "-m",
            "localinterp",
            "chat",
            "-y",
            "--once",
            "--offline",
            "-m",
            model,
            *extra,
            prompt,
        ]
        started = time.monotonic()
        note = ""
        try:
            done = subprocess.run(
                cmd,
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            code = done.returncode
            if code != 0:
                note = (done.stderr.strip().splitlines() or [""])[-1][:120]
        except subprocess.TimeoutExpired:
            code, note = 124, f"timed out after {timeout:g} s"
        seconds = time.monotonic() - started
        messages = conversation(data)
        printed = "\n".join(
            m.get("content", "")
            for m in messages
            if m.get("role") == "output" and m.get("status") not in NOT_RUN
        )
        try:
            solved = bool(check(printed, work))
        except Exception as e:  # a check must never sink the run: count it as unsolved, say why
            solved, note = False, f"check failed: {e!r}"[:120]
        row = Row(
            task.name,
            run,
            seed,
            solved,
            round(seconds, 1),
            sum(1 for m in messages if m.get("role") == "assistant"),
            sum(1 for m in messages if m.get("role") == "output" and m.get("status") not in NOT_RUN),
            code,
            note,
        )
        if keep is not None:  # for reading what happened: the folder as the model left it, and the chat
            dest = keep / f"{task.name}-run{run}"
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(tmp, dest, symlinks=True)
            # Its seed and folder: scripts/replay_eval.py rebuilds the data from them.
            (dest / "row.json").write_text(json.dumps(asdict(row) | {"clutter": clutter, "work": str(work)}))
        return row
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--tasks", default="*", help="fnmatch patterns of task names, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs, each with its own seeds")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per task")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--keep", type=Path, help="copy each task's folder and conversation here")
    parser.add_argument(
        "--clutter", action="store_true", help="put a few unrelated files in each folder, as a user's has"
    )
    parser.add_argument("chat_args", nargs="*", help="more `localinterp chat` flags, after --")
    # Intermixed: `MODEL --runs 3 -- --temperature 0` as well as options first (plain parse_args ends
    # the positionals at MODEL and refuses the chat flags after the options).
    args = parser.parse_intermixed_args()
    patterns = [p.strip() for p in args.tasks.split(",") if p.strip()]
    tasks = [t for t in TASKS if any(fnmatch.fnmatch(t.name, p) for p in patterns)]
    if not tasks:
        parser.error(f"no task matches {args.tasks!r}")
    if Path(args.model).exists():  # the chat runs in each task's own folder
        args.model = str(Path(args.model).resolve())
    base = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**9)
    _held = one_at_a_time()  # released when this process ends
    rows: list[Row] = []
    if not args.json:
        cluttered = "; with clutter" if args.clutter else ""
        print(
            f"model {args.model}; {len(tasks)} tasks x {args.runs} runs; seeds from {base}{cluttered}",
            flush=True,
        )
        print(
            f"{'task':14} {'run':>3} {'solved':>6} {'seconds':>8} {'rounds':>6} {'blocks':>6}  note",
            flush=True,
        )
    for run in range(args.runs):
        for task in tasks:
            seed = task_seed(base, run, task)
            row = run_task(args.model, task, seed, run, args.timeout, args.chat_args, args.keep, args.clutter)
            rows.append(row)
            if not args.json:
                print(
                    f"{row.task:14} {row.run:>3} {'yes' if row.solved else 'no':>6} {row.seconds:>8.1f} "
                    f"{row.rounds:>6} {row.blocks:>6}  {row.note}",
                    flush=True,
                )
    per_run = [sum(r.solved for r in rows if r.run == run) for run in range(args.runs)]
    solved_times = [r.seconds for r in rows if r.solved]
    summary = {
        "model": args.model,
        "tasks": len(tasks),
        "runs": args.runs,
        "first_seed": base,
        "solved_per_run": per_run,
        "median_solved": statistics.median(per_run),
        "median_solved_fraction": round(statistics.median(per_run) / len(tasks), 3),
        "median_seconds_per_task": round(statistics.median(r.seconds for r in rows), 1),
        "median_seconds_per_solved_task": round(statistics.median(solved_times), 1) if solved_times else None,
    }
    if args.json:
        print(json.dumps({"summary": summary, "rows": [asdict(r) for r in rows]}, indent=1))
    else:
        print(
            f"solved per run {per_run}; median {summary['median_solved']}/{len(tasks)} "
            f"({100 * summary['median_solved_fraction']:.0f} %); median seconds per task "
            f"{summary['median_seconds_per_task']}, per solved task {summary['median_seconds_per_solved_task']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
