"""How a concordance term is matched: language, English inflection, Chinese tokens and bigrams.

The full-text index (SQLite FTS5, ``unicode61`` tokenizer) finds candidate rows; every
candidate is then checked here with an exact regular expression, which also gives the
spans to highlight. So the index only has to be generous, never exact.

- **Chinese** (a term with any CJK character): the term is matched as a substring of the
  Chinese text (whitespace between characters ignored, so 2009年 matches "2009 年"). The
  index finds candidates through overlapping character bigrams (``zh_chars`` column). A
  match is reported as ``word`` when the term's jieba tokens also occur as a token
  sequence of the text (``zh_words`` column), else as ``substring`` (e.g. 援助 inside
  援助国, which jieba keeps as one word).
- **English**: case-insensitive, on word boundaries, with simple inflection: each word
  of three or more letters also matches its -s/-es/-ies forms and, read as a base form,
  its -ed/-ing forms (provider ~ providers, need ~ needs ~ needed ~ needing); a plural
  query word matches its singular too. Irregular forms (met, children) and derivations
  (assist vs assistance) are not matched. Possessives match (provider's).
- **Wildcard** ``*``: in English, a word ending in ``*`` matches every word it begins
  (``assist*``: assist, assistance, assisted); in Chinese, ``*`` stands for up to
  :data:`ZH_WILDCARD_CHARS` letters (``技术*援助`` matches 技术援助 and 技术支助援助).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..langs import CJK

_WORD = re.compile(r"[^\W_]+")
_VOWELS = set("aeiou")
_HYPHENS = "-\u2010\u2011\u2012\u2013"
ZH_WILDCARD_CHARS = 4


def is_chinese(term: str) -> bool:
    return bool(CJK.search(term))


# --- Chinese -------------------------------------------------------------------------


def _runs(text: str) -> list[str]:
    """Maximal runs of letters/digits after dropping whitespace (punctuation breaks runs)."""
    return _WORD.findall(re.sub(r"\s+", "", text))


def char_bigrams(text: str) -> str:
    """Overlapping character bigrams of each run, space-separated (the ``zh_chars`` column).

    A run of one character is kept as itself, so every character is findable.
    """
    out: list[str] = []
    for run in _runs(text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(out)


@lru_cache(maxsize=1)
def _jieba():
    from ..segment.sentences import _jieba as load

    return load()


def zh_tokens(text: str) -> list[str]:
    """jieba tokens without whitespace (the same tokenizer the segment stage uses)."""
    return [t for t in _jieba().lcut(text) if t.strip()]


# --- English -------------------------------------------------------------------------


def _lemmas(word: str) -> set[str]:
    """The word itself and, for a plural-looking word, its singular(s)."""
    out = {word}
    if len(word) > 4 and word.endswith("ies"):
        out.add(word[:-3] + "y")
    if len(word) > 3 and re.search(r"(?:ch|sh|ss|x|z|o)es$", word):
        out.add(word[:-2])
    if len(word) > 3 and word.endswith("s") and not re.search(r"(?:ss|us|is)$", word):
        out.add(word[:-1])
    return out


def _forms(lemma: str) -> set[str]:
    """Regular inflections of a base form (bogus forms are harmless: they never occur)."""
    out = {lemma, lemma + "s"}
    last, before = lemma[-1], lemma[-2] if len(lemma) > 1 else ""
    if re.search(r"(?:s|x|z|ch|sh|o)$", lemma):
        out.add(lemma + "es")
    if last == "y" and before and before not in _VOWELS:
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if last == "e":
        out |= {lemma + "d", lemma[:-1] + "ing" if not lemma.endswith("ee") else lemma + "ing"}
    else:
        out |= {lemma + "ed", lemma + "ing"}
        if (
            len(lemma) >= 3 and last not in _VOWELS | set("wxy") and before in _VOWELS and lemma[-3] not in _VOWELS
        ):  # stop -> stopped, submit -> submitted
            out |= {lemma + last + "ed", lemma + last + "ing"}
    return out


def word_forms(word: str) -> list[str]:
    """Every form a query word matches, lower-case, sorted (the word itself included)."""
    word = word.lower()
    if len(word) < 3 or not word.isalpha():
        return [word]
    forms: set[str] = set()
    for lemma in _lemmas(word):
        forms |= _forms(lemma)
    return sorted(forms)


# --- Compiled terms ----------------------------------------------------------------


def _fts_phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


@dataclass(frozen=True)
class Term:
    """A query term compiled for one language: FTS5 candidate queries plus the exact check."""

    text: str
    lang: str  # 'zh' or 'en': the side the term is looked for in
    pattern: re.Pattern  # exact match on that side's text (gives highlight spans)
    fts: str  # FTS5 MATCH expression for candidates ('' = no usable tokens)
    fts_words: str = ""  # zh only: the term as a jieba token sequence (match type 'word')

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self.pattern.finditer(text or "")]


def compile_term(term: str, lang: str | None = None) -> Term:
    """Compile ``term`` for the Chinese side (it has CJK characters) or the English side."""
    from ..errors import PipelineError

    text = term.strip()
    if not _WORD.search(text):
        raise PipelineError(f"query term {term!r} has no letters or digits to look for")
    lang = lang or ("zh" if is_chinese(text) else "en")
    if lang == "zh":
        compact = re.sub(r"\s+", "", text)
        pieces = [r"[^\W_]{0,%d}" % ZH_WILDCARD_CHARS if ch == "*" else re.escape(ch) for ch in compact]
        pattern = re.compile(r"\s*".join(pieces), re.IGNORECASE)
        runs = [r for r in _runs(compact)]
        long_runs = [r for r in runs if len(r) > 1]
        # Candidates: every run of two or more characters as a phrase of its bigrams. Runs
        # of one character next to punctuation cannot be found by bigrams in all cases,
        # so a term made only of those scans the texts instead (fts = '').
        fts = " AND ".join("{zh_chars} : " + _fts_phrase(char_bigrams(r).split()) for r in long_runs)
        words = [t for t in zh_tokens(compact) if _WORD.search(t)]
        fts_words = ("{zh_words} : " + _fts_phrase([w for t in words for w in _WORD.findall(t)])) if words else ""
        if "*" in compact:  # a gap: the term's words are no longer one token sequence
            fts_words = ""
        return Term(text, "zh", pattern, fts, fts_words)

    # English: words with their inflections, joined as in the text (spaces, hyphens,
    # or the literal punctuation of the term).
    text = re.sub(r"\s*([^\w\s])\s*", r"\1", re.sub(r"\s+", " ", text))  # "4 / 3" = "4/3"
    pieces = re.findall(r"[^\W_]+\*?|\s+|[" + _HYPHENS + r"]|[^\w\s]", text)
    regex, words = [], []
    prefixes = False
    for piece in pieces:
        if piece.endswith("*") and len(piece) > 1:  # prefix wildcard
            prefixes = True
            stem = piece[:-1].lower()
            words.append([stem + "*"])
            regex.append(re.escape(stem) + r"[^\W_]*")
        elif _WORD.fullmatch(piece):
            forms = word_forms(piece)
            words.append(forms)
            regex.append("(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")")
        elif piece.isspace():
            regex.append(r"\s+")
        elif piece in _HYPHENS:
            regex.append(r"\s*[" + _HYPHENS + r"]\s*")
        else:
            regex.append(r"\s*" + re.escape(piece) + r"\s*")
    body = "".join(regex)
    pattern = re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])", re.IGNORECASE)
    combos = 1
    for forms in words:
        combos *= len(forms)
    if prefixes:  # FTS5 prefix queries for wildcards; the regex checks adjacency
        fts = " AND ".join(
            "("
            + " OR ".join(_fts_phrase([f[:-1]]) + " *" if f.endswith("*") else _fts_phrase([f]) for f in forms)
            + ")"
            for forms in words
        )
    elif combos <= 64:  # every combination of forms as a phrase: exact adjacency in the index
        phrases = [[]]
        for forms in words:
            phrases = [p + [f] for p in phrases for f in forms]
        fts = " OR ".join(_fts_phrase(p) for p in phrases)
    else:  # long terms: each word (any form) anywhere; the regex checks adjacency
        fts = " AND ".join("(" + " OR ".join(_fts_phrase([f]) for f in forms) + ")" for forms in words)
    return Term(text, "en", pattern, "{en_words} : (" + fts + ")")
