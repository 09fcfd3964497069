"""The converter's fast paths write exactly what the plain json module writes.

build_task writes the JSON of the result list itself (templates per item shape) for task_hash
and for the line `annotate convert` writes (tasks.task_json); each must be byte for byte what
json.dumps gives for the same dicts, whatever the text holds.
"""

from __future__ import annotations

import json
import math
import random
import re

import pytest

from annotate.converters import MODEL_VERSION, convert_text, mentions
from annotate.converters.clean import _ANY_DATE, find_published
from annotate.converters.cues import word_alternation
from annotate.converters.tasks import build_task, task_hash, task_json
from annotate.io import dumps

ARTICLE = (
    "Kremlin says U.S. ties at a historic low\n\n"
    "Kremlin spokesman Dmitry Peskov said on Monday that Moscow was \"open to a constructive dialogue\" "
    "with Washington. \u201cWe will see,\u201d he said of the talks. Peskov added that relations were "
    "\u201cat a historic low\u201d and that the sanctions were \"unfriendly\".\n\n"
    "Ms. Zakharova called the move \u201cs\u00e9rieux\u201d \u2014 a word with an accent \U0001f600, a tab\there "
    "and a backslash \\ and a \"quote\". \"It is a mistake,\" she said.\n"
)


def _doc(quotes, stances, text="Ann Lee said: \"We will win.\" She smiled.", targets=("Ünïcode", "Russia")):
    return {"text": text, "raw": text, "doc_id": "d1", "quotes": quotes, "stances": stances, "targets": list(targets)}


def _plain_hash(task: dict) -> str:
    """task_hash as it was first written: the json module on the predictions."""
    return task_hash(task["data"]["text"], task["predictions"])


def test_task_json_is_io_dumps_for_a_converted_article():
    task = convert_text(ARTICLE, "doc-1", fixed_targets=["Ünïcode target", "dialogue with the US"])
    assert task["predictions"][0]["result"], "the article should get regions"
    assert task["meta"]["task_hash"] == _plain_hash(task)
    line = task_json(task)
    assert line == dumps(task)
    assert json.loads(line) == task
    assert "\\u" not in line.split('"predictions"')[1]  # real UTF-8, as io.dumps writes


def test_task_json_of_a_task_not_just_built_is_io_dumps():
    task = convert_text(ARTICLE, "doc-1")
    copy = json.loads(json.dumps(task))  # the same content, other objects: nothing remembered
    assert task_json(copy) == dumps(task)
    assert task_json({"b": 1, "a": [1.5, "é"]}) == dumps({"b": 1, "a": [1.5, "é"]})
    assert task_json([1, 2]) == dumps([1, 2])


def test_a_task_edited_after_writing_is_written_as_edited():
    task = convert_text(ARTICLE, "doc-1")
    first = task_json(task)
    assert first == dumps(task)
    task["predictions"][0]["result"][0]["score"] = 0.125
    assert task_json(task) == dumps(task) != first  # what was remembered was used once, then dropped


def test_prediction_score_edited_before_writing_is_written_as_edited():
    # to_tasks with a learned model sets the prediction's score after build_task
    task = convert_text(ARTICLE, "doc-1")
    task["predictions"][0]["score"] = 0.5
    task["meta"]["task_hash"] = "x"
    assert task_json(task) == dumps(task)


@pytest.mark.parametrize("score", [0.9, 1, 0.1 + 0.2, 1e-7, 123456789.123])
def test_scores_are_written_as_json_writes_them(score):
    quotes = [{"start": 13, "end": 28, "quote_type": "direct", "speaker": [0, 7], "score": score, "cue": "said"}]
    stances = [{"start": 14, "end": 21, "score": score, "polarity": "favor", "target": "Ünïcode"}]
    task = build_task(_doc(quotes, stances), MODEL_VERSION, "0")
    assert task["meta"]["task_hash"] == _plain_hash(task)
    assert task_json(task) == dumps(task)


@pytest.mark.parametrize("odd", [math.nan, math.inf, True])
def test_values_the_templates_do_not_write_go_to_the_json_module(odd):
    quotes = [{"start": 13, "end": 28, "quote_type": "direct", "speaker": None, "score": odd}]
    task = build_task(_doc(quotes, []), MODEL_VERSION, "0")
    assert task["meta"]["task_hash"] == _plain_hash(task)
    assert task_json(task) == dumps(task)


def test_unattributed_quote_pronoun_speaker_and_escapes():
    text = 'Ann Lee spoke. She said: "a \\ b \u00e9 \U0001f600 \t c." And "x".'
    quotes = [{"start": 25, "end": 43, "quote_type": "direct", "speaker": [15, 18], "score": 0.8, "cue": "said"},
              {"start": 50, "end": 53, "quote_type": "mixed", "speaker": None, "score": 0.4},
              {"start": 25, "end": 43, "quote_type": "direct", "speaker": [0, 7], "score": 0.7}]  # listed twice
    stances = [{"start": 27, "end": 30, "score": 0.55, "polarity": "against", "target": 'a "quoted" \u00e9'}]
    task = build_task(_doc(quotes, stances, text=text), MODEL_VERSION, "0")
    result = task["predictions"][0]["result"]
    assert [r["type"] for r in result].count("relation") == 3  # said_by x2 and she -> Ann Lee
    assert task["meta"]["task_hash"] == _plain_hash(task)
    assert task_json(task) == dumps(task)


# --- the faster spellings of the mention and date regexes match what the plain ones matched ----


def _soup(alphabet: list[str], n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 60))) for _ in range(n)]


def test_gazetteer_matches_what_the_lookahead_spelling_matched():
    plain = re.compile(r"(?=[A-Z])(?<![\w.’'-])(?:" + word_alternation(mentions.SURFACE)
                       + r")(?=\.?(?![\w.&’'-]|['’]s\b)|['’]s\b)")
    texts = ["Moscow-based #Russia @US x.Russia U.S. officials, the US's and Russia’s; USA. USAF UK.\nKremlin",
             "Russia", "aRussia", "'Russia' -Russia .Russia"]
    texts += _soup(["US", "U.S.", "Russia", "Moscow", "Kremlin", "EU", " ", "\n", ".", "'", "’", "-", "&", "s",
                    "#", "@", "a", "A", "é", "'s"], 2000, 3)
    for text in texts:
        assert [(m.span(), m.group()) for m in mentions._GAZETTEER.finditer(text)] == \
               [(m.span(), m.group()) for m in plain.finditer(text)], text


def test_date_scan_matches_what_the_plain_spelling_matched():
    plain = re.compile(_ANY_DATE.pattern.replace(r"(?=[\dJFMASOND])(?:", "", 1)[:-1])
    texts = ["Posted 2024-11-06", "Nov 6, 2024 and 06-11-2024", "x2024-11-06", "November 6, 2024.",
             "Sept. 12, 2016", "ISO 2016-09-12x", "١٢-١١-٢٠٢٤"]
    texts += _soup(["2024", "-", "11", "6", "Nov", "Sept", ".", " ", ", ", "x", "ember", "J", "١"], 2000, 5)
    for text in texts:
        assert [(m.span(), m.lastgroup) for m in _ANY_DATE.finditer(text)] == \
               [(m.span(), m.lastgroup) for m in plain.finditer(text)], text
    assert find_published("Updated: Nov 6, 2024, later 2024-11-07") == "2024-11-07"  # an ISO date wins
    assert find_published("Sept. 12, 2016 then 13-09-2016") == "2016-09-12"


@pytest.mark.parametrize("regex, tails", [("_PREP_BEFORE", "_PREP_TAILS"), ("_PLACE_BEFORE", "_PLACE_TAILS")])
def test_the_cheap_tests_before_a_regex_never_turn_a_match_away(regex, tails):
    """The mention finder runs these regexes only when the text before a name, spaces stripped,
    ends with one of the tails: a match must always pass that test."""
    pattern, endings = getattr(mentions, regex), getattr(mentions, tails)
    words = ["in", "at", "the", "with", "of", "to", "towards", "between", "within", "then", ",", "a"]
    matched = 0
    for text in _soup([*words, " ", "  ", "\n", "\t", "\xa0", "x"], 5000, 7):
        if pattern.search(text, max(0, len(text) - 14), len(text)):
            matched += 1
            assert text[max(0, len(text) - 14):].rstrip().endswith(endings), repr(text)
    assert matched > 100


@pytest.mark.parametrize("chain, pieces", [
    ("Trump", ((0, 5, ("Trump",), False, True, False),)),
    ("Trump's", ((0, 5, ("Trump",), False, True, False),)),  # the possessive goes
    ("NATO", ((0, 4, ("NATO",), False, True, False),)),
    ("Mr.", ()), ("President", ()), ("Monday", ()), ("But", ()),  # titles, days and function words alone
    ("Mr. Trump", ((4, 9, ("Trump",), True, False, False),)),  # after a title
    ("Department of Justice", ((0, 21, ("Department", "Justice"), False, True, True),)),
])
def test_chain_pieces(chain, pieces):
    assert mentions._chain_pieces(chain) == pieces
