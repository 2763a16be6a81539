"""`dvc repro` in a scratch copy of the project: caching and selective re-runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.corpus import runlog

from .conftest import BUNDLED, ROOT

pytestmark = pytest.mark.slow


def _project_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    return [f for f in out if f and (ROOT / f).is_file()]


VENV_BIN = Path(sys.executable).parent


def _dvc(cwd: Path, *args: str) -> str:
    """`dvc ARGS` as the README runs it: `.venv/bin/dvc`, the venv not activated (not on PATH)."""
    path = [p for p in os.environ["PATH"].split(os.pathsep) if Path(p) != VENV_BIN]
    env = {**os.environ, "PATH": os.pathsep.join(path), "HF_HUB_OFFLINE": "1", "DVC_NO_ANALYTICS": "1"}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def _ran(output: str) -> set[str]:
    return {line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("project")
    for f in _project_files():
        if f.startswith(("work/", "models/", "aligned/")) or f == "dvc.lock":
            continue  # outputs: the copy must build its own
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    (dest / ".venv").symlink_to(VENV_BIN.parent)  # the project's venv, where bin/bitext finds `bitext`
    # A small evaluation set: this test is about DVC's bookkeeping, not about F1.
    params_path = dest / "configs" / "params.yaml"
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    params["evaluation"]["max_pairs"] = 120
    params_path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def test_repro_builds_then_is_up_to_date(project):
    first = _ran(_dvc(project, "repro"))
    assert {"model", "scan", "process", "index", "tmx-corpus"} <= first
    assert not any("eval" in stage for stage in first)  # the evaluation is not part of the product
    assert (project / "aligned" / "alignments.parquet" / "zh-en" / f"{BUNDLED}.parquet").is_file()
    second = _dvc(project, "repro")
    assert _ran(second) == set() and "up to date" in second
    assert "up to date" in _dvc(project, "status", "dvc.yaml")


def _steps_run(project: Path) -> dict[str, list[str]]:
    """Steps each task of the last `process` run computed (its run record; reused documents had no task)."""
    tasks = runlog.read_run(runlog.latest_run(project / "work" / "runs"))
    return {r.doc_id: list(r.steps_run) for r in tasks.itertuples()}


def test_changing_an_alignment_parameter_reruns_align_not_ingest(project):
    params_path = project / "configs" / "params.yaml"
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    params["align"]["skip_cost"] = params["align"]["skip_cost"] + 0.01
    params_path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ran = _ran(_dvc(project, "repro"))
    assert "process" in ran and not {"scan", "model"} & ran
    assert _steps_run(project) == {BUNDLED: ["align", "publish"]}  # ingest, segment, embed reused


def test_adding_a_document_leaves_the_others_cached(project):
    lock_size = (project / "dvc.lock").stat().st_size
    shutil.copytree(project / "raw" / BUNDLED, project / "raw" / "TEST_2026_1")
    ran = _ran(_dvc(project, "repro"))
    assert {"scan", "process", "index"} <= ran
    assert _steps_run(project) == {"TEST_2026_1": ["ingest", "segment", "embed", "align", "publish"]}
    ledger = pd.read_parquet(project / "aligned" / "ledger.parquet")
    assert list(ledger.doc_id) == [BUNDLED, "TEST_2026_1"] and (ledger.status == "done").all()
    assert abs((project / "dvc.lock").stat().st_size - lock_size) < 200  # no per-document entries


def test_evaluation_is_a_pipeline_of_its_own(project):
    ran = _ran(_dvc(project, "repro", "eval/dvc.yaml"))
    assert any(stage.endswith("evaluate") for stage in ran)
    assert (project / "eval" / "unpc" / "metrics.json").is_file()
    assert "up to date" in _dvc(project, "status", "dvc.yaml")  # the product's stages are untouched by it
