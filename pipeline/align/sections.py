"""Structure anchors: cut each version into sections and pair the sections.

A section is a maximal run of segments with the same key: the agenda list, one
agenda item (its heading, annotations, documentation list and footnotes), or
the unnumbered stretch after a given section (front matter, an annex). Sections
whose keys match in order (longest common subsequence) are anchors and are
aligned on their own; whatever lies between two anchors in either version is
pooled into one unanchored span, so a structure disagreement costs only that span.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import Segment

Key = tuple


@dataclass
class Span:
    src: list[int]  # positions in the source segment list
    tgt: list[int]
    anchored: bool


def section_key(seg: Segment) -> Key | None:
    """The section a segment opens or continues; None for unnumbered stretches."""
    if seg.kind == "agenda_item":
        return ("agenda",)
    if seg.item is not None:
        return ("item", seg.item)
    return None


def sections(segments: list[Segment]) -> list[tuple[Key, list[int]]]:
    """Runs of equal keys, each with the indices (into ``segments``) of its members."""
    runs: list[tuple[Key, list[int]]] = []
    last_real: Key | None = None
    for idx, seg in enumerate(segments):
        key = section_key(seg)
        if key is None:
            key = ("after", last_real)  # front matter, annexes: named by what precedes them
        else:
            last_real = key
        if runs and runs[-1][0] == key:
            runs[-1][1].append(idx)
        else:
            runs.append((key, [idx]))
    # A key repeated later (a footnote printed under another item) is a new run.
    seen: dict[Key, int] = {}
    numbered = []
    for key, members in runs:
        seen[key] = seen.get(key, 0) + 1
        numbered.append(((*key, seen[key]), members))
    return numbered


def _lcs(a: list[Key], b: list[Key]) -> list[tuple[int, int]]:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def spans(src: list[Segment], tgt: list[Segment]) -> list[Span]:
    """Anchored section pairs and the unanchored spans between them, in order."""
    a, b = sections(src), sections(tgt)
    out: list[Span] = []
    i = j = 0
    for ai, bj in _lcs([k for k, _ in a], [k for k, _ in b]) + [(len(a), len(b))]:
        gap_src = [idx for _, members in a[i:ai] for idx in members]
        gap_tgt = [idx for _, members in b[j:bj] for idx in members]
        if gap_src or gap_tgt:
            out.append(Span(gap_src, gap_tgt, anchored=False))
        if ai < len(a):
            out.append(Span(a[ai][1], b[bj][1], anchored=True))
        i, j = ai + 1, bj + 1
    return out
