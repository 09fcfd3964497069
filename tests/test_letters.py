"""Names with diacritics: the rules read a one-for-one ASCII shadow of the text
(converters/letters.py); the task keeps the text and the names as written."""

from __future__ import annotations

import unicodedata

from annotate.converters import annotate_text, convert_text
from annotate.converters.letters import Respeller, fold_letters
from annotate.validate import check_prediction_task


def test_fold_keeps_length_and_only_changes_latin_letters_with_diacritics():
    text = "José Álvarez met Łukasz Wałęsa in Kraków — “Straße” and Москва stay."
    folded = fold_letters(text)
    assert len(folded) == len(text)
    assert folded == "Jose Alvarez met Lukasz Walesa in Krakow — “Strase” and Москва stay."
    assert fold_letters("plain ASCII") == "plain ASCII"


def test_respeller_puts_the_articles_spelling_back_and_keeps_given_and_canonical_names():
    text = "Zoë Ñúñez spoke. Later Ñúñez left."
    respell = Respeller(text, fold_letters(text), given=["Çelik Group"])
    assert respell("Zoe Nunez") == "Zoë Ñúñez"
    assert respell("Nunez") == "Ñúñez"
    assert respell("Celik Group") == "Çelik Group"  # a project's own target, as its owner wrote it
    assert respell("United States") == "United States"  # not in the text: unchanged


def _labels(task, label):
    return [r["value"]["text"] for r in task["predictions"][0]["result"]
            if r.get("type") == "labels" and r["value"]["labels"] == [label]]


ARTICLE = ('Officials met on Monday.\n\n"We will not accept this deal," said José Álvarez, the minister.\n\n'
           'Álvarez added that the talks would continue. "It is a disgrace," said Geert Supré.\n')


def test_a_speaker_with_an_accented_capital_is_read_whole():
    task = convert_text(ARTICLE)
    speakers = _labels(task, "Speaker")
    # "said José Álvarez, the minister": the name is both words (it was "José": Á is no [A-Z]),
    # and an inverted speaker takes its appositive, as PolNeAR's annotators mark it
    assert "José Álvarez, the minister" in speakers and "José" not in speakers
    # "Álvarez added that ...": an indirect quote whose speaker starts with Á
    assert "Álvarez" in speakers
    assert "that the talks would continue" in _labels(task, "Quote")
    assert "José Álvarez" in task["data"]["targets_text"]


def test_every_target_is_spelled_as_the_article_spells_it_and_stances_use_listed_targets():
    text = ('Talks stalled.\n\n"Ñúñez is a liar and a disgrace," said Marta Gómez, the mayor.\n\n'
            'Ñúñez did not answer.\n')
    task = annotate_text(text, fixed_targets=["Çelik Group"])
    targets = [t["value"] for t in task["data"]["targets"]]
    assert targets[0] == "Çelik Group"
    # "Ñúñez is a liar": the one evaluated is a target, in the article's spelling
    assert "Ñúñez" in targets
    assert all("Nunez" not in t and "Gomez" not in t for t in targets), targets
    for r in task["predictions"][0]["result"]:
        if r.get("from_name") == "target":
            assert r["value"]["choices"][0] in targets
        if "text" in r.get("value", {}):
            assert r["value"]["text"] == text[r["value"]["start"]:r["value"]["end"]]
    assert check_prediction_task(task) == []


def test_a_name_shortened_by_the_rules_keeps_the_articles_letters():
    # the target drops the middle initial ("José J. Álvarez" -> "José Álvarez"), a string that
    # is nowhere in the text as such: each of its words takes the article's spelling
    task = annotate_text('Senator José J. Álvarez visited.\n\n“Mr. Álvarez is a disgrace,” Tom Brack said.')
    targets = [t["value"] for t in task["data"]["targets"]]
    assert "José Álvarez" in targets, targets
    assert all("Jose" not in t and "Alvarez" not in t for t in targets), targets


def test_decomposed_accents_fold_with_their_letter_and_keep_every_offset():
    # NFD text (a letter, then its combining accent) as some systems save it
    text = "Jose\u0301 Nun\u0303ez and E\u0301mile met; \u2696\ufe0f stays"
    folded = fold_letters(text)
    assert len(folded) == len(text)
    assert folded == "Josee Nunnez and Eemile met; \u2696\ufe0f stays"  # a mark after no Latin letter stays


def test_a_speaker_written_in_decomposed_form_is_read_whole_and_spans_never_split_a_letter():
    text = 'Jose\u0301 Nun\u0303ez said "the rent is too high."\n'
    task = convert_text(text)
    assert _labels(task, "Speaker") == ["Jose\u0301 Nun\u0303ez"]  # was "Jose": the accent ended the name
    for r in task["predictions"][0]["result"]:
        if r.get("type") == "labels":
            end = r["value"]["end"]
            assert end == len(text) or not unicodedata.combining(text[end]), r["value"]
    assert check_prediction_task(task) == []
