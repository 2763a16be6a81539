"""Corpus scale: ~200 generated documents through `bitext scan` + `bitext process`,
in this process and on Dask (a LocalCluster; a scheduler and two `dask worker`
processes, one of them killed mid-run), a killed and re-run driver, incremental runs.

The runs share one embedding cache: the sequential run encodes, the others read the
same vectors (cold and warm encodes differ by ~1e-7, and the comparison is about the
executors, not the encoder)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import io
from pipeline.cli import main
from pipeline.corpus import manifest, runlog, store
from pipeline.params import load_params
from pipeline.search.engine import SearchIndex
from pipeline.search.incremental import index_corpus
from pipeline.schema import TABLES

from . import scale_corpus
from .conftest import ROOT, write_params

pytestmark = pytest.mark.scale

N_UNPC, N_PDF = 200, 3


def _process(tmp: Path, raw: Path, params: Path, name: str) -> tuple[int, Path]:
    out, work, manifest = tmp / name / "aligned", tmp / name / "work", tmp / name / "manifest.parquet"
    assert main(["--params", str(params), "scan", str(raw), "--out", str(manifest)]) == 0
    argv = ["process", str(manifest), "--raw", str(raw), "--work", str(work), "--out", str(out)]
    return main(["--params", str(params), *argv]), out


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: store.read(out, name) for name in TABLES}


def _ledger(out: Path) -> pd.DataFrame:
    return io.read_table("ledger", out / "ledger.parquet").set_index("doc_id")


def _tasks(runs: Path) -> pd.DataFrame:
    """The newest run record: one row per task (attempts, seconds, steps_run, worker), by doc_id."""
    latest = runlog.latest_run(runs)
    return (runlog.read_run(latest) if latest else pd.DataFrame(columns=["doc_id", "steps_run"])).set_index("doc_id")


def _temporary_files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob(".*.tmp")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, embedded_model_dir):
    tmp = tmp_path_factory.mktemp("scale")
    raw = tmp / "raw"
    docs = scale_corpus.build(raw, N_UNPC, N_PDF, corrupt=True)
    params = write_params(tmp / "params.yaml", embedded_model_dir)
    code, out = _process(tmp, raw, params, "sequential")
    return {"tmp": tmp, "raw": raw, "docs": docs, "params": params, "code": code, "out": out}


def test_a_corrupt_pdf_fails_alone(corpus):
    ledger = _ledger(corpus["out"])
    assert corpus["code"] == 1  # a failed document makes the run fail ...
    assert list(ledger.index) == corpus["docs"] and len(ledger) == N_UNPC + N_PDF + 1
    failed = ledger[ledger.status == "failed"]
    assert list(failed.index) == [scale_corpus.CORRUPT]
    assert "zh.pdf" in failed.error.iloc[0] or "en.pdf" in failed.error.iloc[0]
    assert (ledger.status == "done").sum() == N_UNPC + N_PDF  # ... and keeps the others' results
    tables = _tables(corpus["out"])
    assert set(tables["documents"].doc_id) == set(corpus["docs"]) - {scale_corpus.CORRUPT}
    metrics = json.loads((corpus["out"] / "metrics.json").read_text())
    assert list(metrics["failed_documents"]) == [scale_corpus.CORRUPT]


def test_every_pair_once(corpus):
    tables = _tables(corpus["out"])
    for name, key in (("alignments", "pair_id"), ("sentence_alignments", "sent_pair_id")):
        assert len(tables[name]) == tables[name][key].nunique() > 0


def test_dask_local_cluster_gives_the_same_tables(corpus, embedded_model_dir):
    params = write_params(corpus["tmp"] / "params-dask.yaml", embedded_model_dir, **{"process.workers": 2})
    code, out = _process(corpus["tmp"], corpus["raw"], params, "dask")
    assert code == 1
    expected, got = _tables(corpus["out"]), _tables(out)
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=True, obj=name)
    workers = set(_tasks(out.parent / "runs").worker)
    assert len(workers) == 2 and os.getpid() not in {int(w.split(":")[1]) for w in workers}
    for doc in corpus["docs"]:
        if doc != scale_corpus.CORRUPT:
            assert (out / "tmx" / f"{doc}.tmx").read_bytes() == (corpus["out"] / "tmx" / f"{doc}.tmx").read_bytes()


def test_killed_driver_rerun_runs_only_the_unfinished(corpus):
    tmp, name = corpus["tmp"], "interrupted"
    manifest, work, out = tmp / name / "manifest.parquet", tmp / name / "work", tmp / name / "aligned"
    assert main(["--params", str(corpus["params"]), "scan", str(corpus["raw"]), "--out", str(manifest)]) == 0
    argv = ["process", str(manifest), "--raw", str(corpus["raw"]), "--work", str(work), "--out", str(out)]
    cmd = [sys.executable, "-m", "pipeline.cli", "--params", str(corpus["params"]), *argv]
    driver = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while len(list(work.glob("*/outcome.json"))) < 40 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    finished = len(list(work.glob("*/outcome.json")))
    assert 40 <= finished < len(corpus["docs"]), "the driver was not killed mid-run"
    assert main(["--params", str(corpus["params"]), *argv]) == 1  # the corrupt PDF fails again
    tasks = _tasks(tmp / name / "runs")
    rerun = tasks[tasks.steps_run.map(len) > 0].index
    failed_before = int((work / scale_corpus.CORRUPT / "outcome.json").exists())
    assert len(rerun) <= len(corpus["docs"]) - finished + failed_before + 1  # + the one killed mid-task
    assert _temporary_files(out, work) == []
    expected, got = _tables(corpus["out"]), _tables(out)
    for table in TABLES:
        pd.testing.assert_frame_equal(got[table], expected[table], check_exact=True, obj=table)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_bin() -> str:
    return str(Path(sys.executable).parent / "dask")


def test_worker_killed_mid_run(tmp_path, embedded_model_dir):
    raw = tmp_path / "raw"
    docs = scale_corpus.build(raw, 12, long_lines=200)
    cache = tmp_path / "cache"  # cold: the workers must load the model
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    params = write_params(
        tmp_path / "params.yaml",
        embedded_model_dir,
        **{"process.executor": "dask", "process.scheduler": address, "embedding.cache_dir": str(cache)},
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"cwd": tmp_path, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([_dask_bin(), "scheduler", "--host", "127.0.0.1", "--port", str(port)], **quiet)
    workers = [
        subprocess.Popen([_dask_bin(), "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet)
        for _ in range(2)
    ]
    try:
        manifest, work, out = tmp_path / "manifest.parquet", tmp_path / "work", tmp_path / "aligned"
        assert main(["--params", str(params), "scan", str(raw), "--out", str(manifest)]) == 0
        argv = ["process", str(manifest), "--raw", str(raw), "--work", str(work), "--out", str(out)]
        cmd = [sys.executable, "-m", "pipeline.cli", "--params", str(params), *argv]
        driver = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        attempts = runlog.attempts_log(tmp_path / "runs", scale_corpus.LONG)
        deadline = time.monotonic() + 240
        while not attempts.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # well inside its encode
        victim = int(attempts.read_text().split()[1].split(":")[1])
        os.kill(victim, signal.SIGKILL)
        output, _ = driver.communicate(timeout=280)
        assert driver.returncode == 0, output
    finally:
        for proc in [*workers, scheduler]:
            proc.terminate()
        for proc in [*workers, scheduler]:
            proc.wait(timeout=30)
    ledger, tasks = _ledger(out), _tasks(tmp_path / "runs")
    assert (ledger.status == "done").all() and sorted(ledger.index) == docs
    assert tasks.loc[scale_corpus.LONG, "attempts"] >= 2
    tables = _tables(out)
    for name, key in (("alignments", "pair_id"), ("sentence_alignments", "sent_pair_id")):
        assert len(tables[name]) == tables[name][key].nunique() > 0
    assert set(tables["documents"].doc_id) == set(docs)
    assert _temporary_files(out, work) == []
    loads: dict[str, int] = {}
    for o in tasks.itertuples():
        loads[o.worker] = max(loads.get(o.worker, 0), o.model_loads)
    assert sum(loads.values()) <= 2 + 1  # workers + the one restart


def test_incremental_runs(tmp_path, embedded_model_dir):
    raw = tmp_path / "raw"
    docs = scale_corpus.build(raw, 6)
    # deleted rows may pile up here (4 of 7 documents change): no compaction into a full build
    params = write_params(tmp_path / "params.yaml", embedded_model_dir, **{"index.compact_dead_share": 0.9})

    runs = tmp_path / "run" / "runs"

    def run(params_path=params) -> pd.DataFrame:
        for record in runs.glob(runlog.RUN_GLOB):  # so that a run without tasks leaves none
            record.unlink()
        code, out = _process(tmp_path, raw, params_path, "run")
        assert code == 0
        tasks = _tasks(runs)
        return tasks[tasks.steps_run.map(len) > 0]

    def index() -> dict:
        """`bitext index` after the run: what it did."""
        run_dir = tmp_path / "run"
        update = index_corpus(run_dir / "aligned", run_dir / "work", run_dir / "index", load_params(params))["update"]
        return {"update": " ".join([update["mode"], *update.get("docs", [])])}

    assert len(run()) == 6
    assert index()["update"] == "full"
    assert run().empty  # nothing changed: no task
    assert index()["update"] == "none"
    faster = write_params(
        tmp_path / "p1.yaml", embedded_model_dir, **{"index.compact_dead_share": 0.9, "embedding.threads": 1}
    )
    assert run(faster).empty  # a thread count changes how fast, not what: no task
    changed = raw / docs[2] / "en.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("e", "E", 1), encoding="utf-8")
    assert list(run().index) == [docs[2]]
    assert index()["update"] == f"incremental {docs[2]}"  # the index changed for it only
    scale_corpus.write_text_doc(raw / "NEW_2026_1", [("新的一段。", "A new paragraph.")])
    assert list(run().index) == ["NEW_2026_1"]
    assert index()["update"] == "incremental NEW_2026_1"
    shutil.rmtree(raw / docs[0])
    assert run().empty
    assert index()["update"] == f"incremental {docs[0]}"
    found = SearchIndex(tmp_path / "run" / "index").db.execute("SELECT count(*) FROM pairs WHERE doc_id = ?", [docs[0]])
    assert found.fetchone() == (0,)
    out = tmp_path / "run" / "aligned"
    for name, frame in _tables(out).items():
        assert docs[0] not in set(frame.doc_id), name
    assert not (out / "tmx" / f"{docs[0]}.tmx").exists() and not (tmp_path / "run" / "work" / docs[0]).exists()
    assert not runlog.attempts_log(runs, docs[0]).exists()
    assert docs[0] not in _ledger(out).index
    realigned = run(write_params(tmp_path / "p2.yaml", embedded_model_dir, **{"align.skip_cost": 0.4}))
    assert len(realigned) == 6 and all(list(s) == ["align", "publish"] for s in realigned.steps_run)
    store.unpublish(out, docs[1])  # its rows lost (aligned/ edited by hand): the next run publishes them again
    republished = run(tmp_path / "p2.yaml")
    assert list(republished.index) == [docs[1]] and list(republished.steps_run.iloc[0]) == ["publish"]
    assert docs[1] in set(store.read(out, "documents").doc_id)


def test_a_rescan_hashes_only_changed_files(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    docs = scale_corpus.build(raw, 3)
    manifest_path = tmp_path / "work" / "manifest.parquet"
    scan = ["--params", str(ROOT / "configs" / "params.yaml"), "scan", str(raw), "--out", str(manifest_path)]
    assert main(scan) == 0
    first = io.read_table("manifest", manifest_path)
    hashed: list[Path] = []
    hash_file = manifest.sha256_of

    def counted(path: Path) -> str:
        hashed.append(path)
        return hash_file(path)

    monkeypatch.setattr(manifest, "sha256_of", counted)
    assert main(scan) == 0 and hashed == []  # nothing changed: no file read
    changed = raw / docs[1] / "en.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "One more line.\n", encoding="utf-8")
    assert main(scan) == 0 and hashed == [changed]
    second = io.read_table("manifest", manifest_path)
    assert list(first.columns) == list(second.columns) and "mtime_ns" not in second.columns  # mtimes: stat cache
    rehashed = {raw / d / f for d, f, a, b in zip(second.doc_id, second.file, first.sha256, second.sha256) if a != b}
    assert rehashed == {changed}
    assert (tmp_path / "work" / "stat-cache.parquet").is_file()


def _declared_outputs() -> list[str]:
    """What dvc.yaml declares as outputs of `scan` and `process` (outs and metrics): what dvc.lock hashes."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    entries = [e for stage in ("scan", "process") for key in ("outs", "metrics") for e in stages[stage].get(key, [])]
    return [next(iter(e)) if isinstance(e, dict) else e for e in entries]


def _file_hashes(project: Path, declared: list[str]) -> dict[str, str]:
    """Relative path -> sha256 of every file of the declared outputs under ``project``."""
    hashes = {}
    for path in (project / d for d in declared):
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file():
                hashes[str(f.relative_to(project))] = hashlib.sha256(f.read_bytes()).hexdigest()
    return hashes


def test_declared_outputs_are_the_same_from_run_to_run(tmp_path, embedded_model_dir, monkeypatch):
    """Two runs from scratch, as in two clones (other mtimes, another host, cold caches), write
    byte-identical declared outputs, so `make repro` in a fresh clone leaves dvc.lock unchanged."""
    raw = tmp_path / "raw"
    scale_corpus.build(raw, 3)
    declared = _declared_outputs()
    cache = tmp_path / "cache"  # the same setting in both, as in two clones; emptied: cold in both
    params = write_params(tmp_path / "params.yaml", embedded_model_dir, **{"embedding.cache_dir": str(cache)})
    runs = []
    for i, name in enumerate(("clone1", "clone2")):
        project = tmp_path / name
        shutil.rmtree(cache, ignore_errors=True)
        for f in raw.rglob("*"):
            os.utime(f, ns=(1_700_000_000_000_000_000 + i * 10**9,) * 2)
        monkeypatch.setattr(socket, "gethostname", lambda name=name: f"host-{name}")
        manifest, work, out = project / "work" / "manifest.parquet", project / "work" / "docs", project / "aligned"
        assert main(["--params", str(params), "scan", str(raw), "--out", str(manifest)]) == 0
        argv = ["process", str(manifest), "--raw", str(raw), "--work", str(work), "--out", str(out)]
        assert main(["--params", str(params), *argv]) == 0
        runs.append(_file_hashes(project, declared))
    first, second = runs
    assert len(first) > 3 * 10
    assert sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p)) == []
