"""The run records of ``bitext process``: what each task did in this run, and its starts.

Seconds, workers, model loads, attempts and the steps a run computed differ from run to
run and clone to clone, so they stay out of every stage output (dvc.lock would change
with each run). They live in ``work/runs/`` (``--runs``), which no stage declares:

- ``<UTC time>.jsonl``: one line per task of the run, appended as its outcome arrives,
  so a killed driver leaves the lines of the tasks that finished;
- ``attempts/<doc_id>.log``: one line per task start, ``<fingerprint> <host:pid>``,
  written before any work, so a start whose worker was killed counts too.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

ATTEMPTS = "attempts"
RUN_GLOB = "*.jsonl"


def runs_beside(work_root: Path) -> Path:
    """The default run records folder: ``runs`` beside the stage files (work/docs -> work/runs)."""
    return Path(work_root).parent / "runs"


def attempts_log(runs: Path, doc_id: str) -> Path:
    return Path(runs) / ATTEMPTS / f"{doc_id}.log"


def record_attempt(log: Path, fingerprint: str, worker: str) -> int:
    """Count this start (synced to disk first: the worker may be killed next); returns the count."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{fingerprint} {worker}\n")
        f.flush()
        os.fsync(f.fileno())
    return count_attempts(log, fingerprint)


def count_attempts(log: Path, fingerprint: str) -> int:
    """Starts logged for this fingerprint."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    return sum(line.split()[0] == fingerprint for line in lines if line)


class RunLog:
    """``<runs>/<UTC time>.jsonl``, created at the first line (a run with no task leaves none)."""

    def __init__(self, runs: Path):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        self.path = Path(runs) / f"{stamp}.jsonl"
        self.lines = 0

    def add(self, record: dict) -> None:
        # appended, not rewritten atomically: each line is one write, and a reader
        # (read_run) skips a last line that a killed driver left half written
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        self.lines += 1


def latest_run(runs: Path) -> Path | None:
    """The newest run record (names sort by time), or None."""
    found = sorted(Path(runs).glob(RUN_GLOB)) if Path(runs).is_dir() else []
    return found[-1] if found else None


def read_run(path: Path) -> pd.DataFrame:
    """One run record as a frame, one row per task (a half-written last line is skipped)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            continue
    return pd.DataFrame(rows)
