"""Language-independent anchors in text: UN document symbols and numbers.

They survive translation (A/64/123 is A/64/123 in every version), so the aligner
scores their agreement. Numbers are read as values, written the same way in both
languages: English month names next to a date count as their numbers (1 October
2009 = 2009年10月1日), "$135 million" and "1.35亿美元" are both 135000000, "136 000"
is "136,000", "forty-eighth" and "第四十八" are 48, "section II" and "第二节" are 2.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# A UN symbol: an uppercase series, then '/'-separated parts (A/64/123,
# E/CN.7/2009/CRP.6, CTOC/COP/2006/8/Rev.1). 'decision 4/3' starts with a digit: no symbol.
SYMBOL = re.compile(r"(?<![\w/])[A-Z]{1,8}(?:\.\d+)?(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+")
# Digits with thousands groups ("136,000", "136 000" with a space, no-break or thin
# space, as Chinese UN texts write them) and an optional decimal part.
_GROUPED = r"(?<![\d.,])\d{1,3}(?:(?:,|[ \u00a0\u202f\u2009])\d{3})+(?:\.\d+)?(?!\d|,\d)"
NUMBER = re.compile(_GROUPED + r"|\d+(?:\.\d+)*")
MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
# A month name counts only next to a day or a year ("4 May 2015", "May 2015"), so the
# verb "may" and "march" are not numbers.
_MONTH_DATE = re.compile(r"(?<=\d )(" + "|".join(MONTHS) + r")\b|\b(" + "|".join(MONTHS) + r")(?= \d)", re.IGNORECASE)
# Scale words: "$135 million" is "1.35亿美元"; both become 135000000.
_EN_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ZH_SCALE = {"万亿": 10**12, "亿": 10**8, "万": 10**4}
_SCALED = re.compile(
    r"(" + _GROUPED + r"|\d+(?:\.\d+)?) ?(?:(thousand|million|billion|trillion)\b|(万亿|亿|万))", re.IGNORECASE
)
# English number words and ordinals (2 and up: "one" and "first" are mostly not counts).
_EN_WORDS = {
    w: i
    for i, w in enumerate(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split(),
        2,
    )
}
_EN_WORDS.update(
    {
        w: i
        for i, w in enumerate(
            "second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
            2,
        )
    }
)
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_WORD = re.compile(
    r"\b(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?=\w+))?("
    + "|".join(sorted(_EN_WORDS, key=len, reverse=True))
    + r"|"
    + "|".join(_EN_TENS)
    + r"|(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)ieth"
    + r"|(?<=-)(?:one|first))\b(?!-(?:third|quarter|fifth|half)s?\b)",
    re.IGNORECASE,
)
# A number word before a scale word: "two million" is 200万.
_EN_CARDINALS = [w for w, _ in sorted(_EN_WORDS.items(), key=lambda item: item[1]) if not w.endswith(("th", "d"))]
_EN_WORD_SCALED = re.compile(
    r"\b(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?("
    + "|".join(sorted(_EN_CARDINALS, key=len, reverse=True))
    + "|"
    + "|".join(_EN_TENS)
    + r"|one|a) (thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
# ... and a Chinese numeral before 万/亿: 一百万 (a numeral digit is required: 千万 is "by all means")
_ZH_NUMERAL_SCALED = re.compile(
    r"([〇零一二三四五六七八九两十百千]*[〇零一二三四五六七八九两][〇零一二三四五六七八九两十百千]*)"
    r"(万亿|亿|万)"
)
# Roman numerals after the names of parts (section II = 第二节, annex I = 附件一)
_ROMAN_PART = re.compile(
    r"\b((?i:section|chapter|part|volume|annex|schedule|title|appendix|article) )"
    r"([IVXL]+)\b"
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
# Heading numbers: "XII. Amendment of the rules" is "十二、议事规则的修正",
# "I. Introduction" is "一. 导言".
_EN_HEADING = re.compile(r"(?<![\w.,])()([IVXL]+)(?=\.(?:\s+[A-Z]|[A-Z]\.))")
_ZH_HEADING = re.compile(
    r"(?:^|(?<=[。\s]))([〇一二三四五六七八九十]+)(?=\s*、)|([〇一二三四五六七八九十]+)(?=[.．]\s*\S)"
)
# Chinese numerals: counted things (五个, 三年, 第四十八届) and digit-by-digit numbers (一五六);
# a lone 一 is left out, like "one"/"first".
_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_ZH_DIGITS["零"] = 0  # (两 is left out: 两个 is as often "both", 两年期 "biennium")
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_CLASSIFIER = "个项名次国种份天年周位类条点家所处批组届章节段款期轮"
_ZH_PART = "条款段项章节卷篇编"  # 第一条 is "article 1", so a 1 counts there (unlike 第一次, "first")
_ZH_NUMERAL = re.compile(
    r"(?:(?:(?<=第)|(?<=附件)|(?<=附表)|(?<=附录))[〇零一二三四五六七八九十百千]+"
    r"|[〇零一二三四五六七八九十百千]+(?=[" + _ZH_CLASSIFIER + r"])"
    r"|[〇一二三四五六七八九]{3,})"
)
_CLOCK = re.compile(r"\b(\d{1,2})[.:](\d{2}) ?(?=[ap]\.m\.)", re.IGNORECASE)
_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")  # units (km²) and note markers, not quantities


def find_symbols(text: str) -> list[str]:
    """Document symbols in order of first appearance, without duplicates."""
    seen: dict[str, None] = {}
    for m in SYMBOL.finditer(unicodedata.normalize("NFKC", text)):
        seen.setdefault(m.group(0))
    return list(seen)


def _canonical(number: str, scale: int = 1) -> str:
    """'2,784' -> '2784'; ('1.35', 10**8) -> '135000000'; '4.5.1' stays a label."""
    digits = re.sub(r"[, \u00a0\u202f\u2009]", "", number)
    if digits.count(".") > 1:
        return digits
    value = Decimal(digits) * scale
    text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return text


def _zh_numeral_value(text: str) -> int | None:
    if all(c in _ZH_DIGITS and c not in "两" for c in text) and len(text) > 1:
        return int("".join(str(_ZH_DIGITS[c]) for c in text))  # digit by digit: 二〇一五
    total, current = 0, 0
    for c in text:
        if c in _ZH_DIGITS:
            current = _ZH_DIGITS[c]
        elif c in _ZH_UNITS:
            total += (current or 1) * _ZH_UNITS[c]
            current = 0
        else:
            return None
    return total + current


def find_numbers(text: str) -> list[str]:
    """Numbers outside symbols, as a sorted multiset of canonical values.

    The same quantity gets the same value in Chinese and English: thousands
    separators are dropped, scale words applied (万/亿, million/billion), month
    names next to a date become their numbers, number words and Chinese numerals
    become digits.
    """
    text = SYMBOL.sub(" ", unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)))
    found: list[str] = []

    def scaled(m: re.Match) -> str:
        word = (m.group(2) or "").lower()
        found.append(_canonical(m.group(1), _EN_SCALE[word] if word else _ZH_SCALE[m.group(3)]))
        return " "

    def en_word(m: re.Match) -> str:
        tens, word = (m.group(1) or "").lower(), m.group(2).lower()
        if word.endswith("ieth"):  # twentieth ... ninetieth
            value = _EN_TENS[word[:-4] + "y"]
        elif word in ("one", "first"):  # only after a tens word: twenty-one, thirty-first
            value = 1
        else:
            value = _EN_TENS.get(word) or _EN_WORDS[word]
        found.append(str(value + (_EN_TENS[tens] if tens else 0)))
        return " "

    def roman(m: re.Match) -> str:
        values = [_ROMAN[c] for c in m.group(2)]
        found.append(str(sum(-v if v < w else v for v, w in zip(values, values[1:] + [0]))))
        return m.group(1)

    def zh_heading(m: re.Match) -> str:
        value = _zh_numeral_value(m.group(1) or m.group(2))
        if value is not None:
            found.append(str(value))
        return " "

    def zh_numeral(m: re.Match) -> str:
        value = _zh_numeral_value(m.group(0))
        before, after = m.string[max(m.start() - 2, 0) : m.start()], m.string[m.end() : m.end() + 2]
        is_part = (
            (before.endswith("第") and after[:1] in tuple(_ZH_PART))
            or before in ("附件", "附表", "附录")
            or after == "部分"
        )
        if value is not None and (value != 1 or is_part):
            found.append(str(value))
        return " "

    def en_word_scaled(m: re.Match) -> str:
        tens, word = (m.group(1) or "").lower(), m.group(2).lower()
        value = 1 if word in ("one", "a") else _EN_TENS.get(word) or _EN_WORDS[word]
        found.append(str((value + (_EN_TENS[tens] if tens else 0)) * _EN_SCALE[m.group(3).lower()]))
        return " "

    def zh_numeral_scaled(m: re.Match) -> str:
        value = _zh_numeral_value(m.group(1).replace("两", "二"))
        if value is None:
            return m.group(0)
        found.append(str(value * _ZH_SCALE[m.group(2)]))
        return " "

    # clock times: "9.30 a.m." is 9时30分
    text = _EN_HEADING.sub(lambda m: roman(m) + " ", text)
    text = _ZH_HEADING.sub(zh_heading, text)
    text = _CLOCK.sub(lambda m: f" {m.group(1)} {m.group(2)} ", text)
    text = _MONTH_DATE.sub(lambda m: f" {MONTHS[(m.group(1) or m.group(2)).lower()]} ", text)
    text = _SCALED.sub(scaled, text)
    text = _EN_WORD_SCALED.sub(en_word_scaled, text)
    text = _ZH_NUMERAL_SCALED.sub(zh_numeral_scaled, text)
    text = _EN_WORD.sub(en_word, text)
    text = _ROMAN_PART.sub(roman, text)
    text = _ZH_NUMERAL.sub(zh_numeral, text)
    found += [_canonical(n) for n in NUMBER.findall(text)]
    return sorted(found)


def agreement(a: list[str], b: list[str]) -> float | None:
    """Multiset Dice overlap of two anchor lists in [0, 1]; None if both are empty."""
    if not a and not b:
        return None
    rest = list(b)
    common = 0
    for x in a:
        if x in rest:
            rest.remove(x)
            common += 1
    return 2 * common / (len(a) + len(b))
