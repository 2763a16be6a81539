"""The README documents what the code does: tables, commands, CLI."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from pipeline.cli import STAGES, build_parser
from pipeline.schema import markdown

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_tables_match_schema():
    assert markdown() in README, "README tables out of date: paste the output of `bitext schema`"


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    assert "make repro" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("command", [*STAGES, "schema"])
def test_every_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0
    assert len(capsys.readouterr().out) > 100
    assert f"`{command}`" in README or f"bitext {command}" in README


def _stage_commands() -> list[str]:
    return [
        stage["cmd"] for stage in yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"].values()
    ]


def test_stages_run_bitext_through_the_wrapper():
    """`.venv/bin/dvc repro` without an activated venv: every stage calls bin/bitext, not `bitext`."""
    assert all(cmd.startswith("bin/bitext ") for cmd in _stage_commands())


def test_the_wrapper_finds_the_project_venv_or_says_what_to_do(tmp_path):
    bare = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")}  # no venv on PATH
    if (ROOT / ".venv" / "bin" / "bitext").exists():
        done = subprocess.run([ROOT / "bin" / "bitext", "--help"], env=bare, capture_output=True, text=True)
        assert done.returncode == 0 and "usage: bitext" in done.stdout
    (tmp_path / "bin").mkdir()
    shutil.copy2(ROOT / "bin" / "bitext", tmp_path / "bin" / "bitext")  # a project without .venv
    missing = subprocess.run([tmp_path / "bin" / "bitext", "--help"], env=bare, capture_output=True, text=True)
    assert missing.returncode == 127
    assert missing.stderr.count("\n") == 1 and "make install" in missing.stderr
