"""What the pipeline knows about languages and scripts (UN's six and beyond)."""

from __future__ import annotations

import unicodedata

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

# Script each language is written in, as a predicate on one character.
_SCRIPT = {
    "zh": lambda ch: "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff",
    "ar": lambda ch: "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f",
    "ru": lambda ch: "\u0400" <= ch <= "\u04ff",
}
_LATIN = lambda ch: ch.isascii() and ch.isalpha() or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())  # noqa: E731
for _lang in ("en", "fr", "es"):
    _SCRIPT[_lang] = _LATIN


def is_cjk(ch: str) -> bool:
    return _SCRIPT["zh"](ch)


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
