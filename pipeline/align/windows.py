"""Edge windows: is a short member of a merged run translated at its end of the other side?

A sentence vector of a long run hardly moves when a short sentence (a heading, a
date line) is added to it, so whole-run similarities cannot tell a heading that the
other version glued to its neighbour ("... website. Statement by the President")
from a heading that version left out. Members keep their order in a translation, so
the first member of a merged run should be rendered at the start of the other side's
run and the last member at its end. The evidence for a member is how much closer
its vector is to a window at its own end of the other run (about twice its expected
translated length: short headings grow in translation) than to a window of the same
length at the opposite end: a
translated member scores clearly above zero, an absorbed one about zero. The aligner
uses it to spare a member that token coverage missed (sentence_aligner.py).
"""

from __future__ import annotations

from ..langs import is_cjk


def edge_window(text: str, chars: int, head: bool) -> str:
    """About ``chars`` non-space characters from the start (``head``) or end of
    ``text``, extended to whole words where words are spaced."""
    if not head:
        return edge_window(text[::-1], chars, True)[::-1]
    count = 0
    for x, ch in enumerate(text):
        count += not ch.isspace()
        if count >= chars:
            end = x + 1
            while end < len(text) and _inside_word(text[end - 1], text[end]):
                end += 1
            return text[:end]
    return text


def _inside_word(before: str, ch: str) -> bool:
    return not (ch.isspace() or before.isspace() or is_cjk(ch) or is_cjk(before))


def edge_checks(
    members: range, member_texts: list[str], other_run: str, ratio: float, max_share: float
) -> list[tuple[int, str, str]]:
    """(member, own window, opposite window) for the first and last members of a run of
    two or more sentences whose share of the run's characters is at most ``max_share``.

    ``ratio``: window characters on the other side per character of this side.
    A member is skipped when its window would cover more than half of the other run
    (its two windows would overlap and say nothing).
    """
    if len(members) < 2:
        return []
    lengths = {x: sum(1 for ch in member_texts[x] if not ch.isspace()) for x in members}
    total = sum(lengths.values())
    other_chars = sum(1 for ch in other_run if not ch.isspace())
    out = []
    for x, head in ((members[0], True), (members[-1], False)):
        chars = max(2, round(lengths[x] * ratio))
        if lengths[x] > max_share * total or chars > other_chars / 2:
            continue
        out.append((x, edge_window(other_run, chars, head), edge_window(other_run, chars, not head)))
    return out
