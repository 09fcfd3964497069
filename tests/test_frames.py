"""Unit tier: each frame of the cue finder (converters/frames.py), its score from the one table,
and the word lists it reads (converters/lexicons/quotes/*.txt).

Every sentence is invented for the tests; each expectation is read off the sentence by the
frame's rule (the docstring of the frame says the rule).
"""

import inspect
import re
from pathlib import Path

import pytest

from annotate.converters import frames
from annotate.converters.cues import FORMS, cue_lemma
from annotate.converters.frames import SCORES
from annotate.converters.lexicon import LEXICON_DIR, entries, listed, words
from annotate.converters.quotes import find_quotes

SRC = Path(frames.__file__).parent


def found(text):
    """[(content, speaker text or None, cue, score, group)] of find_quotes, in text order."""
    return [(text[q["start"]:q["end"]], text[q["speaker"][0]:q["speaker"][1]] if q["speaker"] else None,
             q["cue"], q["score"], q["group"]) for q in find_quotes(text)]


def only(text, cue):
    """The one quote signalled by `cue`, as (content, speaker, score)."""
    hits = [(c, sp, score) for c, sp, k, score, _ in found(text) if k == cue]
    assert len(hits) == 1, found(text)
    return hits[0]


def test_according_to():
    text = "According to two officials, the deal is off."
    assert only(text, "according to") == ("the deal is off", "two officials", SCORES["according-to"])


def test_asked_if_has_no_named_asker():
    text = "Asked whether he would run again, Ruiz said no."
    assert only(text, "ask/question") == ("whether he would run again", None, SCORES["asked-if"])


def test_cue_complement_of_a_speech_verb():
    text = "Peskov said the talks had failed."
    assert only(text, "say/after") == ("the talks had failed", "Peskov", SCORES["speech-complement"])


def test_cue_complement_of_an_intention_verb_is_its_infinitive():
    text = "The mayor plans to run again."
    assert only(text, "plan/after") == ("to run again", "The mayor", SCORES["complement"])


@pytest.mark.parametrize(("text", "cue", "content", "speaker"), [
    # an opinion held of someone or something: PolNeAR's content is the object and what is
    # said of it ("consider X honest", "deem X a failure"), as after "view X as Y"
    ("Most voters consider him a phony.", "consider/after", "him a phony", "Most voters"),
    ("Few voters consider Clinton honest.", "consider/after", "Clinton honest", "Few voters"),
    ("The judge deemed the evidence insufficient.", "deem/after", "the evidence insufficient", "The judge"),
    ("Critics labeled the plan a giveaway.", "label/after", "the plan a giveaway", "Critics"),
    # the clause reading stays: "considered whether ..."
    ("She considered whether the plan would work.", "consider/after", "whether the plan would work", "She"),
])
def test_an_opinion_verb_takes_its_object_and_what_is_said_of_it(text, cue, content, speaker):
    assert only(text, cue) == (content, speaker, SCORES["complement"])


def test_participle_takes_the_source_of_the_clause_before():
    text = "Ruiz spoke for an hour, saying the plan would fail."
    assert only(text, "say/participle") == ("the plan would fail", "Ruiz", SCORES["participle"])


def test_passive_has_no_source():
    text = "The House is expected to pass the bill on Friday."
    assert only(text, "expect/passive") == ("The House is expected to pass the bill on Friday", None,
                                            SCORES["passive"])


def test_said_after_content_before_the_cue():
    text = "The talks have failed, Peskov said."
    assert only(text, "say/before") == ("The talks have failed", "Peskov", SCORES["said-after"])


def test_as_reported_takes_the_clause_after():
    text = "And, as the Post reported, Clinton is ahead in Ohio."
    assert only(text, "report/after") == ("Clinton is ahead in Ohio", "the Post", SCORES["said-after"])


def test_opening_adverbial_is_not_content():
    text = "In March, she said, the plan was dropped."
    assert only(text, "say/after") == ("the plan was dropped", "she", SCORES["opening-adverbial"])


def test_split_subject_is_two_fragments_of_one_quote():
    text = "Loyalty, he noted, has long been prized."
    quotes = found(text)
    assert [(c, sp, k) for c, sp, k, _, _ in quotes] == [("Loyalty", "he", "note/before"),
                                                         ("has long been prized", "he", "note/before")]
    assert quotes[0][4] == quotes[1][4]  # one group: one quotation
    assert {q[3] for q in quotes} == {SCORES["said-after"]}


def test_interrupted_clause_is_two_fragments_of_one_quote():
    text = "The new tax, the panel concluded, must rise next year."
    quotes = found(text)
    assert [(c, sp, k) for c, sp, k, _, _ in quotes] == [("The new tax", "the panel", "conclude/before"),
                                                         ("must rise next year", "the panel", "conclude/before")]
    assert quotes[0][4] == quotes[1][4]


def test_nominal_possessive_pronoun_refers_to_the_clause_subject():
    text = "The senator renewed his call for a ban."
    assert only(text, "call/nominal") == ("a ban", "The senator", SCORES["nominal"])


def test_noun_that_without_a_holder():
    text = "There is growing concern that the plant will close."
    assert only(text, "concern/noun-that") == ("that the plant will close", None, SCORES["noun-that"])


def test_noun_that_with_a_possessor():
    text = "Her fear that the plant will close is real."
    assert only(text, "fear/noun-that") == ("that the plant will close is real", "Her", SCORES["noun-that"])


def test_headline_colon():
    text = "Graham: Trump's rhetoric hurts the party"
    assert only(text, "headline/colon") == ("Trump's rhetoric hurts the party", "Graham", SCORES["headline"])


def test_direct_quote_scores_come_from_the_table():
    text = '"We will win," Ruiz said.'
    assert only(text, "direct") == ('"We will win,"', "Ruiz", SCORES["direct"])


FRAME_FUNCTIONS = [frames.according_to, frames.asked_if, frames.cue_complement, frames.participle,
                   frames.passive, *frames.BEFORE_FRAMES, frames.nominal, frames.noun_that]


@pytest.mark.parametrize("frame", FRAME_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_frame_has_a_one_line_summary_and_an_example(frame):
    doc = inspect.getdoc(frame)
    assert doc and doc.split("\n")[0].strip(), frame.__name__
    assert "Example:" in doc, frame.__name__
    assert frame.__name__ in Path(__file__).read_text(encoding="utf-8") or frame in frames.BEFORE_FRAMES


def test_every_score_in_the_table_is_used_and_only_there():
    code = "".join((SRC / f).read_text(encoding="utf-8") for f in ("frames.py", "direct.py", "quotes.py"))
    for name in SCORES:
        assert code.count(f'"{name}"') >= 2, name  # in the table and where a frame uses it
    for f in ("frames.py", "direct.py", "quotes.py", "indirect.py"):
        body = (SRC / f).read_text(encoding="utf-8").split("SCORES = {")[-1].split("\n}\n")[-1]
        assert not re.search(r"score\s*=\s*0\.\d", body), f  # no score outside the table


LEXICONS = sorted(p.stem for p in LEXICON_DIR.glob("*.txt"))


@pytest.mark.parametrize("name", LEXICONS)
def test_each_lexicon_says_what_it_is_for_and_lists_each_entry_once(name):
    lines = (LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 20, name
    names = [e for e, _ in entries(name)]
    assert names and len(names) == len(set(names)), name


@pytest.mark.parametrize("name", LEXICONS)
def test_each_lexicon_is_read_by_the_code(name):
    code = "".join(p.read_text(encoding="utf-8") for p in SRC.glob("*.py"))
    assert f'"{name}"' in code, name


def test_lexicon_tags_select_entries():
    assert words("recipient_verbs", "only") < words("recipient_verbs")
    assert listed("recipient_verbs", "direct") == ["tell", "ask"]
    assert "of course" in words("linkers")  # an entry may be a phrase


def test_a_cue_verb_is_read_with_its_kinds_and_forms():
    assert cue_lemma("acknowledged") == ("acknowledge", {"any", "clause"})
    assert cue_lemma("wrote") == ("write", {"any", "works"})  # "works": a qualifier (cue_verbs.txt)
    assert "state" not in FORMS  # not_cue_forms.txt: a noun far more often
    assert FORMS["slammed"][0] == "slam"  # one syllable, consonant doubled


def test_in_a_poll_opening_the_sentence_is_the_source_of_its_clause():
    text = "In a new Fox News poll released Monday, Trump leads Cruz by nine points."
    assert only(text, "in/poll") == ("Trump leads Cruz by nine points", "a new Fox News poll released Monday",
                                     SCORES["in-poll"])
    # a poll elsewhere in the sentence, or an opening adjunct that names none, is no source
    assert [k for _, _, k, _, _ in found("In Iowa, Trump leads Cruz by nine points in the poll.")] == []


def test_according_to_a_long_poll_description_is_one_source():
    text = ("According to early results of the exit poll conducted by Edison Research for the Associated "
            "Press and the television networks, Clinton led in both Virginia and Georgia.")
    found = find_quotes(text)
    assert [(text[q["start"]:q["end"]], text[slice(*q["speaker"])]) for q in found] == [
        ("Clinton led in both Virginia and Georgia", "early results of the exit poll conducted by Edison Research "
         "for the Associated Press and the television networks")]


def test_according_to_after_a_subordinate_clause_introduces_the_main_clause():
    text = "While most were confidential, according to a State Department official, two were upgraded."
    found = find_quotes(text)
    assert [(text[q["start"]:q["end"]], text[slice(*q["speaker"])]) for q in found] == [
        ("two were upgraded", "a State Department official")]


def test_according_to_a_document_seen_by_a_reporter_is_one_source():
    for text, source in (("According to a letter seen by Reuters, the deal collapsed.", "a letter seen by Reuters"),
                         ("According to documents seen by the BBC, the deal collapsed.", "documents seen by the BBC")):
        found = find_quotes(text)
        assert [(text[q["start"]:q["end"]], text[slice(*q["speaker"])]) for q in found] == [
            ("the deal collapsed", source)]
