"""Is a document's alignment plausible? Two shares that a correct alignment keeps small.

- omission share: units left unpaired (1-0 and 0-1 rows) over all units of both
  versions. Translations leave out little; a wrong structure or a wrong file turns
  most of a document into omissions.
- numbering break share: among pairs whose two sides both carry a structural number
  of one type (paragraph, sub-paragraph letter, footnote mark), the share where the
  difference between the two numbers changes from the pair before of that type. A
  paragraph present in one version only shifts the numbering once (one break, however
  many paragraphs follow); a scrambled version breaks it everywhere.
Above either threshold (``align.max_omission_share``, ``align.max_numbering_breaks``)
the document gets a warning naming the first place where the versions part.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..segment.markers import marker_of


@dataclass
class Verdict:
    units: int
    omitted_units: int
    numbered_pairs: int  # pairs numbered alike on both sides
    disagreeing_pairs: int  # ... where the numbering breaks
    warning: str | None

    @property
    def omission_share(self) -> float:
        return self.omitted_units / self.units if self.units else 0.0

    @property
    def numbering_break_share(self) -> float:
        return self.disagreeing_pairs / self.numbered_pairs if self.numbered_pairs else 0.0


def _where(pair: dict) -> str:
    side = "zh" if len(pair["zh_seg_ids"]) else "en"
    text = (pair["zh_text"] or pair["en_text"] or "").strip()
    path = f" at {pair['path']}" if pair.get("path") else ""
    return f"{side} {pair[f'{side}_seg_ids'][0]}{path} ({text[:40]!r})"


def _offsets(pairs: list[dict]) -> list[tuple[str, int]]:
    """(marker type, zh number - en number) of each pair numbered alike on both sides."""
    out = []
    for p in pairs:
        if not (len(p["zh_seg_ids"]) and len(p["en_seg_ids"])):
            continue
        a, b = marker_of(p["zh_text"] or ""), marker_of(p["en_text"] or "")
        va, vb = _value(a), _value(b)
        if a.type == b.type and va is not None and vb is not None:
            out.append((a.type, va - vb))
    return out


def _value(m) -> int | None:
    if m.label is None:
        return None
    if m.label.isdigit():
        return int(m.label)
    return ord(m.label) if m.type in ("lettered", "section") and len(m.label) == 1 else None


def assess(pairs: list[dict], max_omission_share: float, max_numbering_breaks: float) -> Verdict:
    """The verdict on one document's unit pairs (rows of the ``alignments`` table)."""
    units = sum(len(p["zh_seg_ids"]) + len(p["en_seg_ids"]) for p in pairs)
    omitted = [p for p in pairs if not (len(p["zh_seg_ids"]) and len(p["en_seg_ids"]))]
    offsets = _offsets(pairs)
    last: dict[str, int] = {}
    breaks = 0
    for kind, offset in offsets:
        breaks += kind in last and last[kind] != offset
        last[kind] = offset
    verdict = Verdict(
        units, sum(len(p["zh_seg_ids"]) + len(p["en_seg_ids"]) for p in omitted), len(offsets), breaks, None
    )
    reasons = []
    if verdict.omission_share > max_omission_share:
        reasons.append(f"{verdict.omission_share:.0%} of units unpaired (limit {max_omission_share:.0%})")
    if verdict.numbering_break_share > max_numbering_breaks:
        reasons.append(
            f"the numbering of the two versions breaks at {verdict.numbering_break_share:.0%} of "
            f"numbered pairs (limit {max_numbering_breaks:.0%})"
        )
    if reasons:
        first = next((p for p in pairs if p in omitted or "labels_differ" in p["flags"]), pairs[0])
        verdict.warning = "; ".join(reasons) + f"; the versions first part at {_where(first)}"
    return verdict
