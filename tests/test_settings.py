"""configs/params.yaml is checked against the settings dataclasses (pipeline/settings.py)."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.settings import SECTIONS, validate

from .conftest import ROOT

PARAMS = yaml.safe_load((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8"))


def _a_key(section: str) -> str:
    return next(iter(PARAMS[section]))


def _misspelled(key: str) -> str:
    return key[:-1] + ("x" if key[-1] != "x" else "y")


@pytest.mark.parametrize("section", list(SECTIONS))
def test_a_misspelled_key_stops_with_one_line_naming_it_and_the_closest(section, tmp_path, capsys):
    key = _a_key(section)
    params = {**PARAMS, section: {**PARAMS[section], _misspelled(key): PARAMS[section][key]}}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert main(["--params", str(path), "segment", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"unknown key '{_misspelled(key)}'" in err and f"did you mean '{key}'" in err and section in err


def test_nested_and_mapping_keys_are_checked_too():
    with pytest.raises(PipelineError, match=r"ingest.pdf: unknown key 'word_gapp' \(did you mean 'word_gap'\?\)"):
        validate({**PARAMS, "ingest": {**PARAMS["ingest"], "pdf": {"word_gapp": 0.2}}}, "p.yaml")
    with pytest.raises(PipelineError, match=r"align.weights: unknown key 'semantc'"):
        validate({**PARAMS, "align": {**PARAMS["align"], "weights": {"semantc": 1.0}}}, "p.yaml")
    with pytest.raises(PipelineError, match=r"unknown key 'alignn' \(did you mean 'align'\?\)"):
        validate({**PARAMS, "alignn": {}}, "p.yaml")


def test_a_value_of_the_wrong_type_is_refused():
    with pytest.raises(PipelineError, match=r"align.skip_cost: expected float, got 'high'"):
        validate({**PARAMS, "align": {**PARAMS["align"], "skip_cost": "high"}}, "p.yaml", environ={})
    with pytest.raises(PipelineError, match=r"embedding.batch_size: expected int"):
        validate({**PARAMS, "embedding": {**PARAMS["embedding"], "batch_size": 1.5}}, "p.yaml", environ={})


def test_left_out_keys_take_the_dataclass_default_and_the_environment_overrides():
    params = validate({"align": {"skip_cost": 0.5}}, "p.yaml", environ={})
    assert params["align"]["skip_cost"] == 0.5 and params["align"]["band"] == 12
    assert params["process"] == {"executor": "local", "workers": 1, "scheduler": None, "allowed_failures": 3}
    with pytest.raises(PipelineError, match="documents: no longer a setting; every folder under raw/"):
        validate({"documents": ["X"]}, "p.yaml", environ={})
    assert params["ingest"]["pdf"]["word_gap"] == 0.2
    env = {"BITEXT__ALIGN__SKIP_COST": "0.4", "BITEXT__TMX__LEVEL": "unit"}
    params = validate(PARAMS, "p.yaml", environ=env)
    assert params["align"]["skip_cost"] == 0.4 and params["tmx"]["level"] == "unit"
    with pytest.raises(PipelineError, match="did you mean 'skip_cost'"):
        validate(PARAMS, "p.yaml", environ={"BITEXT__ALIGN__SKIP_COTS": "0.4"})


@pytest.mark.parametrize("section", list(SECTIONS))
def test_params_yaml_documents_every_setting(section):
    """Every field of a section's dataclass is written out in configs/params.yaml."""
    cls = SECTIONS[section]
    assert {f.name for f in dataclasses.fields(cls)} <= set(PARAMS[section])


def test_params_yaml_lists_every_pdf_tolerance_with_its_default():
    """Read from the file itself (load_params would fill in what it leaves out)."""
    from pipeline.ingest.pdf import DEFAULTS

    assert PARAMS["ingest"]["pdf"] == DEFAULTS


def _run_with(tmp_path, capsys, embedding: dict, environ: dict | None = None, monkeypatch=None) -> tuple[int, str]:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({**PARAMS, "embedding": {**PARAMS["embedding"], **embedding}}), encoding="utf-8")
    for name, value in (environ or {}).items():
        monkeypatch.setenv(name, value)
    status = main(["--params", str(path), "segment", str(tmp_path / "nowhere")])
    return status, capsys.readouterr().err.strip()


@pytest.mark.parametrize(
    "embedding, message",
    [
        ({"threads": "many"}, "embedding.threads: expected int, got 'many'"),
        ({"threads": 1.5}, "embedding.threads: expected int, got 1.5"),
        ({"query_threads": None}, "embedding.query_threads: expected int, got None"),
        ({"threads": -1}, "embedding.threads must be 0 (every core) or more, not -1"),
        ({"query_threads": -2}, "embedding.query_threads must be 0 (every core) or more, not -2"),
        ({"backend": "tensorrt"}, "embedding.backend must be one of torch, onnx, onnx-int8, not 'tensorrt'"),
    ],
)
def test_thread_settings_are_checked_in_one_line(tmp_path, capsys, embedding, message):
    status, err = _run_with(tmp_path, capsys, embedding)
    assert status == 2 and len(err.splitlines()) == 1
    assert message in err and str(tmp_path / "params.yaml") in err


def test_thread_settings_default_and_come_from_the_environment(monkeypatch):
    params = validate({}, "p.yaml", environ={})
    assert params["embedding"]["threads"] == 0 and params["embedding"]["query_threads"] == 1
    env = {"BITEXT__EMBEDDING__THREADS": "3", "BITEXT__EMBEDDING__QUERY_THREADS": "2"}
    params = validate(PARAMS, "p.yaml", environ=env)
    assert params["embedding"]["threads"] == 3 and params["embedding"]["query_threads"] == 2
    with pytest.raises(PipelineError, match=r"embedding.query_threads: expected int, got 'two'"):
        validate(PARAMS, "p.yaml", environ={"BITEXT__EMBEDDING__QUERY_THREADS": "two"})
    with pytest.raises(PipelineError, match=r"embedding.threads must be 0 \(every core\) or more, not -4"):
        validate(PARAMS, "p.yaml", environ={"BITEXT__EMBEDDING__THREADS": "-4"})


@pytest.mark.parametrize("old, new", [("BITEXT_THREADS", "THREADS"), ("BITEXT_QUERY_THREADS", "QUERY_THREADS")])
def test_the_former_thread_variables_are_refused_with_their_replacement(tmp_path, capsys, monkeypatch, old, new):
    status, err = _run_with(tmp_path, capsys, {}, {old: "2"}, monkeypatch)
    assert status == 2 and err == f"error: environment {old}: no longer read; use BITEXT__EMBEDDING__{new} instead"


@pytest.mark.parametrize(
    ("section", "key", "value", "new"),
    [
        ("align", "languages", ["zh", "en"], "languages.pair"),
        ("tmx", "default_srclang", "en", "languages.default_source"),
    ],
)
def test_moved_keys_say_where_they_live_now(section, key, value, new, tmp_path, capsys):
    params = {**PARAMS, section: {**PARAMS[section], key: value}}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert main(["--params", str(path), "segment", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {path}: {section}.{key} moved to {new}"


def test_the_language_pair_is_checked():
    with pytest.raises(PipelineError, match=r"languages.pair must be zh and en .* got \['zh', 'fr'\]"):
        validate({"languages": {"pair": ["zh", "fr"]}}, "p.yaml", environ={})
    with pytest.raises(PipelineError, match=r"languages.default_source must be one of \['zh', 'en'\], got 'fr'"):
        validate({"languages": {"default_source": "fr"}}, "p.yaml", environ={})
    params = validate({"languages": {"pair": ["en", "zh"]}}, "p.yaml", environ={})
    assert params["languages"] == {"pair": ["en", "zh"], "default_source": "en"}
