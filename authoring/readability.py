"""Readability scores for the course-health panel: Flesch (English) and Flesch–Douma (Dutch).

    readability("The cat sat on the mat.", language="en").score   # ≈ 116
    readability_of_html("<p>De kat zit op de mat.</p>", language="nl")

Both formulas read 0–100 (higher is easier; texts can fall outside that range):

    Flesch reading ease     206.835 − 1.015 · ASL − 84.6 · ASW
    Flesch–Douma (Dutch)    206.835 − 0.93  · ASL − 77   · ASW

with ASL the average sentence length in words and ASW the average number of syllables per
word. Syllables are counted by heuristics (vowel groups with the common adjustments of each
language); they are right for most words and close enough for a page-level advisory score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from authoring.sanitize import rich_text_to_plain

__all__ = [
    "FORMULAS",
    "Readability",
    "count_syllables",
    "readability",
    "readability_of_html",
    "sentences_of",
    "words_of",
]

# language → (name, base, sentence-length weight, syllable weight)
FORMULAS: dict[str, tuple[str, float, float, float]] = {
    "en": ("flesch", 206.835, 1.015, 84.6),
    "nl": ("flesch_douma", 206.835, 0.93, 77.0),
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
# A sentence ends at . ! ? … (optionally closed by quotes or brackets) before a space, or at
# a line break: rich_text_to_plain puts one after every heading, paragraph and list item.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n+")
# Abbreviations whose dot does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|no|approx|incl|"
    r"bijv|bv|o\.a|d\.w\.z|m\.b\.t|t\.a\.v|i\.p\.v|enz|evt|ca|nr|dhr|mevr)\.",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Readability:
    """A score and what it was computed from. `score` is None for a language without a
    formula or a text without words."""

    formula: str
    score: float | None
    words: int
    sentences: int
    syllables: int

    @property
    def average_sentence_length(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def average_syllables(self) -> float:
        return self.syllables / self.words if self.words else 0.0


def _base_language(language: str) -> str:
    return (language or "").lower().replace("_", "-").split("-")[0]


def words_of(text: str) -> list[str]:
    """Words: runs of letters (apostrophes and hyphens inside); numbers are not words here."""
    return _WORD.findall(text)


def _sentence_words(text: str) -> list[list[str]]:
    """The words of each sentence that has any."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\u2024"), text)
    return [words for words in map(words_of, _SENTENCE_END.split(protected)) if words]


def sentences_of(text: str) -> list[str]:
    """Sentences that hold at least one word."""
    protected = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\u2024"), text)
    parts = _SENTENCE_END.split(protected)
    return [part.replace("\u2024", ".").strip() for part in parts if words_of(part)]


# --- syllables ------------------------------------------------------------------------------------

_EN_VOWELS = re.compile(r"[aeiouy]+")
# Vowel pairs that are two syllables in English (cre-ate is not, vi-de-o is).
_EN_HIATUS = re.compile(r"(?<![cgst])i[aou]|(?<!p)eo|ea$|ua(?!r)|uo|[^aeiou]ie(?=[rt])|ya|yo|ii")
_EN_SILENT_E = re.compile(r"(?<=[^aeiouy])e$")
_EN_SILENT_ES_ED = re.compile(r"(?<=[^aeiouy])(?:es|ed)$")
_EN_SUFFIX_E = re.compile(r"(?<=[^aeiouy])e(?:ly|ful|ment|less|ness)$")


def _english_syllables(word: str) -> int:
    if len(word) <= 3:
        return 1
    # "y" starting a word is a consonant (yes, you).
    core = word[1:] if word.startswith("y") else word
    count = len(_EN_VOWELS.findall(core))
    count += len(_EN_HIATUS.findall(core))
    if _EN_SUFFIX_E.search(core):
        count -= 1  # completely, hopeful, statement
    elif _EN_SILENT_E.search(core) and not re.search(r"[^aeiouy]le$", core):
        count -= 1  # make, time (but ta-ble keeps its e)
    elif _EN_SILENT_ES_ED.search(core):
        stem = core[:-2]
        sounded = core.endswith("ed") and stem.endswith(("t", "d"))
        sounded |= core.endswith("es") and stem.endswith(("s", "x", "z", "ch", "sh", "ce", "ge"))
        if not sounded and not stem.endswith(("c", "g", "l")):
            count -= 1  # asked, makes (but want-ed, box-es keep theirs)
    return max(count, 1)


# Dutch vowel units that are one syllable, longest first: a vowel group is split into units
# left to right, each unit one syllable (the-a-ter: "ea" is no unit, so two syllables).
_NL_UNITS = (
    "aai",
    "ooi",
    "oei",
    "eeu",
    "ieu",
    "aa",
    "ee",
    "oo",
    "uu",
    "ie",
    "oe",
    "eu",
    "ui",
    "ei",
    "ij",
    "ou",
    "au",
    "ai",
    "ay",
    "ey",
    "oy",
)
_NL_VOWELS = "aeiouyáéíóúàèìòùâêîôû"
_NL_DIAERESIS = "äëïöü"  # starts a new syllable: be-ëin-di-gen, ge-ïn-te-res-seerd


def _dutch_syllables(word: str) -> int:
    # A diaeresis starts a new syllable: split there, and read the vowel as a plain one.
    for marked, plain in zip(_NL_DIAERESIS, "aeiou", strict=True):
        word = word.replace(marked, "-" + plain)
    count = 0
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == "i" and word.startswith("ij", i):
            count += 1
            i += 2
            continue
        if ch not in _NL_VOWELS:
            i += 1
            continue
        # The start of a vowel group: take units while the group goes on.
        for unit in _NL_UNITS:
            if word.startswith(unit, i):
                count += 1
                i += len(unit)
                break
        else:
            count += 1
            i += 1
    # Silent final -e only in French loans is too rare to guess; Dutch -e is a spoken schwa.
    return max(count, 1)


def count_syllables(word: str, *, language: str) -> int:
    """Syllables in one word, by the heuristics of `language` (English for unknown ones)."""
    return _syllables(word.lower(), _base_language(language) == "nl")


@lru_cache(maxsize=50_000)
def _syllables(word: str, dutch: bool) -> int:
    # Words repeat a lot within and across pages: counting each once pays off.
    parts = [part for part in word.replace("’", "").replace("'", "").split("-") if part]
    counter = _dutch_syllables if dutch else _english_syllables
    return sum(counter(part) for part in parts) or 1


# --- scores ---------------------------------------------------------------------------------------


def readability(text: str, *, language: str) -> Readability:
    """The reading-ease score of plain text in `language` (en: Flesch, nl: Flesch–Douma)."""
    base_language = _base_language(language)
    formula = FORMULAS.get(base_language)
    sentences = _sentence_words(text)
    words = [word for sentence in sentences for word in sentence]
    dutch = base_language == "nl"
    syllables = sum(_syllables(word.lower(), dutch) for word in words)
    if formula is None or not words:
        return Readability(
            formula=formula[0] if formula else "",
            score=None,
            words=len(words),
            sentences=len(sentences),
            syllables=syllables,
        )
    name, base, sentence_weight, syllable_weight = formula
    asl = len(words) / len(sentences)
    asw = syllables / len(words)
    score = base - sentence_weight * asl - syllable_weight * asw
    return Readability(
        formula=name,
        score=round(score, 1),
        words=len(words),
        sentences=len(sentences),
        syllables=syllables,
    )


def readability_of_html(html_text: str, *, language: str) -> Readability:
    """The score of a rich-text fragment: its visible words, block by block."""
    return readability(rich_text_to_plain(html_text), language=language)
