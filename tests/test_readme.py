"""The README documents what the code does: tables, commands, CLI."""

from __future__ import annotations

import pytest

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
