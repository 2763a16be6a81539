"""Shared notions are defined once (issue 18): checks on the source text."""

from __future__ import annotations

import re

from .conftest import ROOT

PIPELINE = sorted((ROOT / "pipeline").rglob("*.py"))


def test_cjk_ranges_are_defined_once():
    """Only pipeline/langs.py spells out the CJK code point ranges; everything else uses
    its CJK / CJK_RANGES / is_cjk / is_wide."""
    spelled = re.compile(r"\\u4e00|\\u9fff|\\u3400|\u4e00-|-\u9fff")
    found = [str(p.relative_to(ROOT)) for p in PIPELINE if spelled.search(p.read_text(encoding="utf-8"))]
    assert found == ["pipeline/langs.py"]
