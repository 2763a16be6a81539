"""What the pipeline knows about languages and scripts (UN's six and beyond)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from .errors import PipelineError

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


@dataclass(frozen=True)
class LanguageSettings:
    """params.yaml ``languages``: the language pair, read by the stages that need it."""

    # The versions each document must have; the aligner's source first, then its target.
    pair: list[str] = field(default_factory=lambda: ["zh", "en"])
    # A document's source language (TMX srclang, the index's documents.srclang) when its
    # original language is unknown (UN documents say it on their "Original:" line).
    default_source: str = "en"

    def __post_init__(self):
        if sorted(self.pair) != ["en", "zh"]:
            raise PipelineError(
                f"languages.pair must be zh and en (the tables have zh/en columns), got {list(self.pair)}"
            )
        if self.default_source not in self.pair:
            raise PipelineError(
                f"languages.default_source must be one of {list(self.pair)}, got {self.default_source!r}"
            )


def language_settings(params: dict) -> dict:
    """The ``languages`` section of ``params``, completed with the defaults and checked
    (also where params did not come through :func:`pipeline.settings.validate`)."""
    return asdict(LanguageSettings(**(params.get("languages") or {})))


# CJK ideographs (unified, extension A, compatibility, extensions B and up), as a regex
# character-class body: the one definition every module uses.
CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
CJK = re.compile(f"[{CJK_RANGES}]")
# Characters set full-width in CJK text: ideographs, CJK punctuation (。，、《》) and
# full-width forms (，：（）); a line of them is justified by spacing, not by spaces.
WIDE_RANGES = CJK_RANGES + "\u2e80-\u33ff\uff00-\uffef"
WIDE = re.compile(f"[{WIDE_RANGES}]")

# Script each language is written in, as a predicate on one character.
_SCRIPT = {
    "zh": lambda ch: CJK.match(ch) is not None,
    "ar": lambda ch: "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f",
    "ru": lambda ch: "\u0400" <= ch <= "\u04ff",
}
_LATIN = lambda ch: ch.isascii() and ch.isalpha() or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())  # noqa: E731
for _lang in ("en", "fr", "es"):
    _SCRIPT[_lang] = _LATIN


def is_cjk(ch: str) -> bool:
    return CJK.match(ch) is not None


def is_wide(ch: str) -> bool:
    return WIDE.match(ch) is not None


def script_share(text: str, lang: str) -> float | None:
    """Share of the letters in ``text`` written in ``lang``'s script (None: no letters)."""
    in_script = _SCRIPT.get(lang)
    if in_script is None:
        return None
    letters = [ch for ch in text if ch.isalpha() or is_cjk(ch)]
    if not letters:
        return None
    return sum(1 for ch in letters if in_script(ch)) / len(letters)


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between two CJK characters, one space otherwise."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and not (is_cjk(out[-1]) and is_cjk(line[0])):
            out += " "
        out += line
    return out


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
