"""The type of a UN document, read from its front matter (title and masthead lines).

The type decides how the segmenter reads unnumbered paragraphs (a resolution's
paragraphs before the operative part are preambular) and whether units carry agenda
items (only agendas do). The order of the tests matters: a "Note by the
Secretary-General" transmitting a report is a note, a resolution adopted "on the
report of the Sixth Committee" is a resolution, a "Letter dated ..." transmitting
anything is a letter.
"""

from __future__ import annotations

import re

from ..schema import DOC_TYPES  # noqa: F401  (the types and what they mean are defined there)

_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("note_verbale", re.compile(r"^note verbale dated\b|普通照会$", re.I)),
    ("letter", re.compile(r"^(?:identical )?letters? dated\b|日[^。，]{0,80}的(?:同文)?信$", re.I)),
    ("agenda", re.compile(r"^(?:annotated )?provisional agenda\b|^临时议程(?:和说明)?$|^附加说明的临时议程$", re.I)),
    ("draft_resolution", re.compile(r"\bdraft resolution\b|决议草案", re.I)),
    ("resolution", re.compile(r"^resolution adopted by\b|通过的决议|大会决议", re.I)),
    (
        "decision",
        re.compile(
            r"\bdraft decision\b|^decision adopted by\b|^decision \d+/\d+|决定草案|通过的决定|大会决定"
            r"|^第\s*\d+/\d+\s*号决定",
            re.I,
        ),
    ),
    ("note", re.compile(r"\bnote by the secretar(?:iat|y-general)\b|秘书[处长]的说明", re.I)),
    ("report", re.compile(r"^report of\b|^report on\b|\breport of the secretary-general\b|的报告$", re.I)),
    # a numbered title ("86/171. Measures to ...") without any of the above: a resolution
    ("resolution", re.compile(r"^\d{1,3}/\d{1,4}\.\s*\S")),
)


def detect(front_texts: list[str]) -> str:
    """The document type of one version from its front-matter texts (masthead, session
    lines, title); 'other' when nothing matches."""
    lines = [t.strip() for t in front_texts if t and t.strip()]
    for doc_type, pattern in _RULES:
        if any(pattern.search(line) for line in lines):
            return doc_type
    return "other"


def agree(types: dict[str, str], source_lang: str | None = None) -> str:
    """One type for the document from its versions' types: the one they share, else the
    source language's (the original is what the translation was made from), else the
    alphabetically first that is not 'other' (deterministic)."""
    found = [t for t in types.values() if t != "other"]
    if not found:
        return "other"
    if len(set(found)) == 1:
        return found[0]
    if source_lang in types and types[source_lang] != "other":
        return types[source_lang]
    return sorted(found)[0]
