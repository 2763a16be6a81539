"""configs/params.yaml, checked against the settings each stage declares.

Each params section is a dataclass beside the code that reads it (its fields and
defaults are the single source; params.yaml documents and overrides them):

| section | dataclass |
|---|---|
| languages | pipeline/langs.py LanguageSettings |
| ingest (ingest.pdf) | pipeline/ingest/__init__.py IngestSettings (pdf.py PdfSettings) |
| segment | pipeline/segment/units.py SegmentSettings |
| embedding | pipeline/embed/model.py EmbeddingSettings |
| align | pipeline/align/document.py AlignSettings |
| sentence_align | pipeline/align/sentence_aligner.py SentenceAlignParams |
| evaluation | pipeline/evaluate/evalset.py EvalSetParams |
| index | pipeline/search/build.py IndexSettings |
| tmx | pipeline/tmx.py TmxSettings |
| process | pipeline/corpus/executors.py ProcessSettings |
| serve | pipeline/serve/workbench.py ServeSettings |
| spotting | pipeline/search/spotting.py SpottingSettings |

:func:`validate` rejects an unknown key with the closest valid one, and a value of the
wrong type, as one-line errors; what a section leaves out takes the dataclass
default; a dataclass's own value checks (its ``__post_init__``) run on the completed
section. Environment variables ``BITEXT__<SECTION>__<KEY>=<YAML value>`` override a
key through the same checks (``BITEXT__ALIGN__SKIP_COST=0.4``, or
``BITEXT__EMBEDDING__QUERY_THREADS=2``); the variables this replaced are refused with
the name to use (:data:`RETIRED_ENVIRONMENT`).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from typing import Any

import yaml

from .align.document import AlignSettings
from .align.sentence_aligner import SentenceAlignParams
from .corpus.executors import ProcessSettings
from .embed.model import EmbeddingSettings
from .errors import PipelineError
from .evaluate.evalset import EvalSetParams
from .ingest import IngestSettings
from .langs import LanguageSettings
from .search.build import IndexSettings
from .search.spotting import SpottingSettings
from .segment.units import SegmentSettings
from .serve.workbench import ServeSettings
from .tmx import TmxSettings

SECTIONS: dict[str, type] = {
    "languages": LanguageSettings,
    "ingest": IngestSettings,
    "segment": SegmentSettings,
    "embedding": EmbeddingSettings,
    "align": AlignSettings,
    "sentence_align": SentenceAlignParams,
    "evaluation": EvalSetParams,
    "index": IndexSettings,
    "tmx": TmxSettings,
    "process": ProcessSettings,
    "serve": ServeSettings,
    "spotting": SpottingSettings,
}
TOP_LEVEL = tuple(SECTIONS)
ENV_PREFIX = "BITEXT__"
# Variables read before the settings had these keys -> the override that replaces them.
RETIRED_ENVIRONMENT = {
    "BITEXT_THREADS": "BITEXT__EMBEDDING__THREADS",
    "BITEXT_QUERY_THREADS": "BITEXT__EMBEDDING__QUERY_THREADS",
}


# Keys that moved -> where they live now.
MOVED_KEYS = {("align", "languages"): "languages.pair", ("tmx", "default_srclang"): "languages.default_source"}


def _unknown(key: str, valid: typing.Iterable[str], where: str) -> PipelineError:
    close = difflib.get_close_matches(key, list(valid), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (valid: {', '.join(sorted(valid))})"
    return PipelineError(f"{where}: unknown key '{key}'{hint}")


def _type_ok(value: Any, hint: Any) -> bool:
    """Does a YAML value fit a field's type hint (int counts as float; None only if Optional)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in args)
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin in (list, tuple) or hint in (list, tuple):
        inner = args[0] if args else Any
        return isinstance(value, (list, tuple)) and all(_type_ok(v, inner) for v in value)
    if origin is dict or hint is dict:
        inner = args[1] if len(args) == 2 else Any
        return isinstance(value, dict) and all(_type_ok(v, inner) for v in value.values())
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict)
    return True


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _section(cls: type, values: Any, where: str) -> dict:
    """A section's values checked against ``cls`` and completed with its defaults."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise PipelineError(f"{where}: expected a mapping of keys, got {type(values).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in values:
        if key not in fields:
            raise _unknown(str(key), fields, where)
    out = {}
    for name, f in fields.items():
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if name not in values:
            value = dataclasses.asdict(default) if dataclasses.is_dataclass(default) else default
        else:
            value = values[name]
            if not _type_ok(value, hints[name]):
                raise PipelineError(f"{where}.{name}: expected {_type_name(hints[name])}, got {value!r}")
            if dataclasses.is_dataclass(hints[name]):
                value = _section(hints[name], value, f"{where}.{name}")
            elif isinstance(default, dict) and isinstance(value, dict):
                value = _dict_field(default, value, f.metadata.get("open", False), f"{where}.{name}")
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _dict_field(default: dict, value: dict, open_keys: bool, where: str) -> dict:
    """A mapping field (weights, per-language values): given keys over the defaults; a
    closed mapping (the score weights) accepts only its own keys."""
    if not open_keys:
        for key in value:
            if key not in default:
                raise _unknown(str(key), default, where)
    return {**default, **value}


def _from_environment(raw: dict, environ: typing.Mapping[str, str]) -> dict:
    raw = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    for name, replacement in RETIRED_ENVIRONMENT.items():
        if name in environ:
            raise PipelineError(f"environment {name}: no longer read; use {replacement} instead")
    for name, text in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if len(parts) != 2:
            raise PipelineError(f"environment {name}: expected {ENV_PREFIX}<SECTION>__<KEY>")
        section, key = parts
        if section not in SECTIONS:
            raise _unknown(section, SECTIONS, f"environment {name}")
        raw.setdefault(section, {})
        raw[section] = {**(raw[section] or {}), key: yaml.safe_load(text)}
    return raw


def validate(raw: Any, where: str, environ: typing.Mapping[str, str] | None = None) -> dict:
    """The parameters of ``where`` (a params file), checked and completed; see the module
    docstring. Returns plain dicts, one per section."""
    if not isinstance(raw, dict):
        raise PipelineError(f"{where}: expected a mapping of sections, got {type(raw).__name__}")
    raw = _from_environment(raw, os.environ if environ is None else environ)
    if "documents" in raw:  # documents are found in raw/ by `bitext scan` now
        raise PipelineError(f"{where}: documents: no longer a setting; every folder under raw/ is a document")
    for (section, key), new in MOVED_KEYS.items():
        if isinstance(raw.get(section), dict) and key in raw[section]:
            raise PipelineError(f"{where}: {section}.{key} moved to {new}")
    for key in raw:
        if key not in TOP_LEVEL:
            raise _unknown(str(key), TOP_LEVEL, where)
    out: dict = {}
    for name, cls in SECTIONS.items():
        out[name] = _section(cls, raw.get(name), f"{where}: {name}")
        if hasattr(cls, "__post_init__"):
            try:
                cls(**out[name])
            except PipelineError as err:
                raise PipelineError(f"{where}: {err}") from None
    return out
