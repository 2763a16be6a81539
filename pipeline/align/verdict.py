"""Is a document's alignment plausible? Two shares that a correct alignment keeps small.

- omission share: units left unpaired (1-0 and 0-1 rows) over all units of both
  versions. Translations leave out little; a wrong structure or a wrong file turns
  most of a document into omissions.
- label disagreement share: among pairs whose two sides both carry a structural
  number (paragraph, item, footnote mark), the share whose numbers differ. One
  renumbered footnote is normal; a shifted paragraph sequence is not.
Above either threshold (``align.max_omission_share``, ``align.max_label_disagreement``)
the document gets a warning naming the first place where the versions part.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Verdict:
    units: int
    omitted_units: int
    numbered_pairs: int
    disagreeing_pairs: int
    warning: str | None

    @property
    def omission_share(self) -> float:
        return self.omitted_units / self.units if self.units else 0.0

    @property
    def label_disagreement_share(self) -> float:
        return self.disagreeing_pairs / self.numbered_pairs if self.numbered_pairs else 0.0


def _where(pair: dict) -> str:
    side = "zh" if len(pair["zh_seg_ids"]) else "en"
    text = (pair["zh_text"] or pair["en_text"] or "").strip()
    path = f" at {pair['path']}" if pair.get("path") else ""
    return f"{side} {pair[f'{side}_seg_ids'][0]}{path} ({text[:40]!r})"


def assess(pairs: list[dict], max_omission_share: float, max_label_disagreement: float) -> Verdict:
    """The verdict on one document's unit pairs (rows of the ``alignments`` table)."""
    units = sum(len(p["zh_seg_ids"]) + len(p["en_seg_ids"]) for p in pairs)
    omitted = [p for p in pairs if not (len(p["zh_seg_ids"]) and len(p["en_seg_ids"]))]
    numbered = [p for p in pairs if p.get("anchored") or "labels_differ" in p["flags"]]
    differ = [p for p in numbered if "labels_differ" in p["flags"]]
    verdict = Verdict(units, sum(len(p["zh_seg_ids"]) + len(p["en_seg_ids"]) for p in omitted),
                      len(numbered), len(differ), None)
    reasons = []
    if verdict.omission_share > max_omission_share:
        reasons.append(f"{verdict.omission_share:.0%} of units unpaired (limit {max_omission_share:.0%})")
    if verdict.label_disagreement_share > max_label_disagreement:
        reasons.append(f"{verdict.label_disagreement_share:.0%} of numbered pairs disagree on their numbers "
                       f"(limit {max_label_disagreement:.0%})")
    if reasons:
        first = next(p for p in pairs if p in omitted or p in differ)
        verdict.warning = "; ".join(reasons) + f"; the versions first part at {_where(first)}"
    return verdict
