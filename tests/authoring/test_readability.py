"""Readability: Flesch reading ease (English) and Flesch–Douma (Dutch), with syllable
heuristics per language."""

from __future__ import annotations

import pytest

from authoring.readability import (
    count_syllables,
    readability,
    readability_of_html,
    sentences_of,
    words_of,
)
from tests.authoring.test_health import EASY, EASY_NL, HARD, HARD_NL

# --- the formulas ----------------------------------------------------------------------------------


def test_flesch_of_a_one_syllable_sentence():
    result = readability("The cat sat on the mat.", language="en")
    assert (result.words, result.sentences, result.syllables) == (6, 1, 6)
    # 206.835 − 1.015 × 6 − 84.6 × 1
    assert result.score == pytest.approx(116.1, abs=0.05)
    assert result.formula == "flesch"


def test_flesch_douma_of_the_same_sentence_in_dutch():
    result = readability("De kat zit op de mat.", language="nl")
    assert (result.words, result.sentences, result.syllables) == (6, 1, 6)
    # 206.835 − 0.93 × 6 − 77 × 1
    assert result.score == pytest.approx(124.3, abs=0.05)
    assert result.formula == "flesch_douma"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", 206.835 - 1.015 * 2 - 84.6 * 1.5), ("nl", 206.835 - 0.93 * 2 - 77 * 1.5)],
)
def test_the_weights_of_each_formula(language, expected):
    # 4 words, 2 sentences, 6 syllables: ASL 2, ASW 1.5.
    result = readability("Hotel cat. Sun paper.", language=language)
    assert (result.words, result.sentences, result.syllables) == (4, 2, 6)
    assert result.score == pytest.approx(expected, abs=0.05)


def test_the_textbook_example_is_hard():
    """Wikipedia's example sentence scores 37.5 with hand-counted syllables; the heuristic
    hears two more (Aus-tra-li-an, rep-til-i-an) and lands in the same "difficult" band."""
    result = readability(
        "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature.",
        language="en",
    )
    assert result.words == 13
    assert 20 <= result.score <= 45


@pytest.mark.parametrize(
    ("html", "language", "low", "high"),
    [
        (EASY, "en", 80, 120),
        (HARD, "en", -300, 10),
        (EASY_NL, "nl", 80, 120),
        (HARD_NL, "nl", -300, 10),
        (
            "<p>Close the valve before you open the cover. Check the gauge reads zero.</p>",
            "en",
            70,
            110,
        ),
        (
            "<p>Sluit de klep voordat je het deksel opent. Controleer of de meter op nul staat.</p>",
            "nl",
            60,
            110,
        ),
    ],
)
def test_scores_of_known_texts_fall_in_their_bands(html, language, low, high):
    score = readability_of_html(html, language=language).score
    assert score is not None
    assert low <= score <= high


def test_english_text_scored_as_dutch_differs():
    assert (
        readability_of_html(EASY, language="en").score
        != readability_of_html(EASY, language="nl").score
    )


def test_no_score_without_words_or_without_a_formula():
    assert readability("", language="en").score is None
    assert readability("123 456.", language="en").score is None
    result = readability("Der Hund schläft.", language="de")
    assert result.score is None
    assert result.words == 3


def test_regional_language_codes_use_their_base_language():
    assert readability("The cat sat.", language="en-GB").formula == "flesch"
    assert readability("De kat zat.", language="nl_BE").formula == "flesch_douma"


# --- syllables -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1),
        ("the", 1),
        ("make", 1),  # silent final e
        ("time", 1),
        ("table", 2),  # ta-ble keeps its e
        ("little", 2),
        ("asked", 1),  # silent -ed
        ("wanted", 2),  # want-ed
        ("makes", 1),
        ("boxes", 2),
        ("completely", 3),
        ("hopeful", 2),
        ("video", 3),
        ("idea", 3),
        ("beautiful", 3),
        ("customer", 3),
        ("procedure", 3),
        ("communication", 5),
        ("yes", 1),
        ("you", 1),
        ("people", 2),
        ("don't", 1),
        ("follow-up", 3),
        ("Phone", 1),
    ],
)
def test_english_syllables(word, syllables):
    assert count_syllables(word, language="en") == syllables


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("kat", 1),
        ("de", 1),  # a spoken schwa, not a silent e
        ("klant", 1),
        ("vraag", 1),  # aa
        ("huis", 1),  # ui
        ("ijs", 1),  # ij
        ("eigenlijk", 3),  # ei, e, ij
        ("leeuw", 1),  # eeu
        ("nieuw", 1),  # ieu
        ("koeien", 2),  # oei-en
        ("goed", 1),  # oe
        ("neus", 1),  # eu
        ("hout", 1),  # ou
        ("theater", 3),  # e-a is no diphthong
        ("telefoon", 3),
        ("medewerker", 4),
        ("antwoord", 2),
        ("uitleggen", 3),
        ("beëindigen", 4),  # a diaeresis starts a syllable, ëi is one
        ("geïnteresseerd", 5),
        ("knieën", 2),
        ("organisatie", 5),
    ],
)
def test_dutch_syllables(word, syllables):
    assert count_syllables(word, language="nl") == syllables


# --- words and sentences ---------------------------------------------------------------------------


def test_words_keep_apostrophes_and_hyphens_and_skip_numbers():
    assert words_of("Don't re-enter 3 times, e-mail’s fine.") == [
        "Don't",
        "re-enter",
        "times",
        "e-mail’s",
        "fine",
    ]


def test_sentences_end_at_punctuation_and_at_block_boundaries():
    result = readability_of_html(
        "<h2>Before you start</h2><p>Check the cable. Is it plugged in? Good!</p>"
        "<ul><li>Press start</li><li>Wait</li></ul>",
        language="en",
    )
    assert result.sentences == 6


def test_abbreviations_do_not_end_a_sentence():
    assert len(sentences_of("Bring a tool, e.g. a screwdriver. Then start.")) == 2
    assert len(sentences_of("Neem o.a. een schroevendraaier mee. Begin dan.")) == 2


def test_quotes_after_the_full_stop_still_end_the_sentence():
    assert len(sentences_of('He said "stop." Then he left.')) == 2
