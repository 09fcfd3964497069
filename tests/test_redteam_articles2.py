"""Red team, second round: news styles the tuning corpus (PolNeAR: 2015-16 US politics) hardly has.

Every snippet is invented and written the way sites publish: a live blog with timestamps, a
print Q&A, a press release with its boilerplate, "according to a statement from ...", quotes
that run on into the next paragraph, quotes inside quotes, British single quotes, a dash
by-line, a headline with a topic label before its colon, a speaker named after a long quote,
plural and anonymous sources, titles before names.

Each test states the Quote and Speaker spans an annotator following PolNeAR's guidelines
(../shared/corpora/polnear-train/guidelines.txt) would mark, reasoned from the text: the source
takes its determiners, adjectives, titles and the appositives that identify it, but not a relative
clause that is an attribution of its own; the content takes everything inside quotation marks and
leaves out the recipient ("told MPs") and the sentence's final period; only the outermost of nested
attributions is annotated; the creator of a statement is its source, the statement part of the cue.
"""

from __future__ import annotations

import pytest

from annotate.converters import annotate_text
from tests.test_redteam_articles import quotes, regions, speakers


def xfail(reason: str):
    return pytest.mark.xfail(strict=True, reason=reason)


def by_content(task: dict) -> dict[str, tuple[str | None, str]]:
    """{quote text: (speaker text or None, quote_type)}."""
    return {q: (s, t) for q, s, t in quotes(task)}


LIVE_BLOG = """Live: Flood warnings across the north as rivers peak

14:05 GMT
Environment Secretary Priya Nair has told MPs the government "will not abandon" flooded towns.

13:48 GMT
"The water came up through the floorboards in minutes," said Dave Holt, a cafe owner in Tadcaster.

13:30 GMT
Key points so far:
Eight severe flood warnings are in force
Rail services between York and Leeds are suspended
"""


def test_live_blog_entries_under_timestamps():
    got = by_content(annotate_text(LIVE_BLOG))
    assert got == {
        'the government "will not abandon" flooded towns': ("Environment Secretary Priya Nair", "mixed"),
        '"The water came up through the floorboards in minutes,"': ("Dave Holt, a cafe owner in Tadcaster", "direct"),
    }


QA = """Q&A: The health minister on waiting lists

Kwame Boateng has been health minister since May. This interview has been edited for length.

Q: Waiting lists are at a record high. Is the government failing patients?

Boateng: No. We inherited a system on its knees, and we have hired 8,000 nurses since then.
"""


def test_print_interview_answer_is_the_named_speakers_own_words():
    task = annotate_text(QA)
    answer = [(s, t) for q, s, t in quotes(task) if "We inherited" in q]
    assert answer == [("Boateng", "direct")]
    assert not {"Q", "Q&A"} & set(speakers(task))  # the interviewer is not named: no speaker "Q"


PRESS_RELEASE = """FOR IMMEDIATE RELEASE

Northwind Energy to build 40 MW solar farm in Kent

LONDON, 3 April 2025 /PRNewswire/ -- Northwind Energy today announced plans to build a 40-megawatt solar farm near Ashford.

"This project shows what community energy can do," said Helen Marsh, Chief Executive Officer of Northwind Energy.

About Northwind Energy
Northwind Energy is a renewable energy developer founded in 2009. For more information, visit www.northwind.example.

Media contact: Sam Reid, press@northwind.example
"""


def test_press_release_quote_and_boilerplate():
    got = quotes(annotate_text(PRESS_RELEASE))
    assert ('"This project shows what community energy can do,"', "Helen Marsh, Chief Executive Officer of Northwind Energy",
            "direct") in got
    announced = [s for q, s, _ in got if "solar farm near Ashford" in q]
    assert announced == ["Northwind Energy"]  # not the dateline "LONDON, 3 April 2025 /PRNewswire/"
    assert not [q for q, _, _ in got if "press@" in q or "renewable energy developer" in q]


@pytest.mark.parametrize("text, content, speaker", [
    ("Ferrovia will close three depots next year, according to a statement from the rail workers' union.",
     "Ferrovia will close three depots next year", "a statement from the rail workers' union"),
    ("The talks collapsed after midnight, according to two people familiar with the negotiations.",
     "The talks collapsed after midnight", "two people familiar with the negotiations"),
])
def test_according_to_runs_the_source_to_the_sentence_end(text, content, speaker):
    # The guidelines would make the creator ("the rail workers' union") the source and the artifact part
    # of the cue, but PolNeAR's annotators mark the whole phrase "a report from X" 9 times in 13
    # ("according to ... from/by X" in the corpus): the whole phrase overlaps either reading.
    assert [(q, s) for q, s, _ in quotes(annotate_text(text))] == [(content, speaker)]


SPLIT = """Parents protest over school closure

"We were told the school would stay open until the summer," said Maria Lopes, whose two children attend it.

"Now they tell us it closes in three weeks. Nobody asked the parents."

The council said the building was unsafe.
"""


def test_quote_continued_in_its_own_paragraph_keeps_the_speaker():
    got = quotes(annotate_text(SPLIT))
    assert got == [
        # The headline is an attribution too: protesting over a closure expresses opposition to it
        # (the guidelines count a source's support or lack of support for something).
        ("school closure", "Parents", "indirect"),
        ('"We were told the school would stay open until the summer,"', "Maria Lopes, whose two children attend it", "direct"),
        ('"Now they tell us it closes in three weeks. Nobody asked the parents."', "Maria Lopes, whose two children attend it",
         "direct"),
        ("the building was unsafe", "The council", "indirect"),
    ]


OPEN_PARAGRAPHS = """Chief Constable Ruth Garner said: "The first thing we did was call the families.

"The second was to close the road, and it stays closed until the inquiry is over."
"""


def test_quote_left_open_at_a_paragraph_end_runs_on():
    # News convention: no closing mark at the end of a paragraph whose quote goes on in the next.
    got = quotes(annotate_text(OPEN_PARAGRAPHS))
    assert [(s, t) for _, s, t in got] == [("Chief Constable Ruth Garner", "direct")]
    assert got[0][0].startswith('"The first thing') and got[0][0].endswith('inquiry is over."')


@pytest.mark.parametrize("text, content, speaker", [
    ("\u201cWhen he told me \u2018you\u2019re finished in this town\u2019, I laughed,\u201d Ms Adeyemi said.",
     "\u201cWhen he told me \u2018you\u2019re finished in this town\u2019, I laughed,\u201d", "Ms Adeyemi"),
    ("\"My father always said, 'Never sign anything on a Friday,'\" Carter recalled.",
     "\"My father always said, 'Never sign anything on a Friday,'\"", "Carter"),
])
def test_nested_quote_is_one_attribution_of_the_outer_speaker(text, content, speaker):
    # "No nested attributions": only the outermost is annotated.
    assert quotes(annotate_text(text)) == [(content, speaker, "direct")]


@pytest.mark.parametrize("text, expected", [
    ("The council\u2019s leader, Cllr Anne Price, said the cuts were \u2018painful but unavoidable\u2019.",
     ("the cuts were \u2018painful but unavoidable\u2019", "The council\u2019s leader, Cllr Anne Price", "mixed")),
    ("\u2018We will fight this all the way,\u2019 said Jim Bowen, of the Save Our Pool campaign.",
     ("\u2018We will fight this all the way,\u2019", "Jim Bowen, of the Save Our Pool campaign", "direct")),
])
def test_british_single_quotes(text, expected):
    assert quotes(annotate_text(text)) == [expected]


DASH_BYLINE = """Letters: Nurses and the housing crisis

\u201cA city that cannot house its nurses cannot care for its sick.\u201d

\u2014 Dr. Amara Osei, president of the Royal College of Nursing
"""


def test_dash_byline_names_the_speaker_with_its_appositive():
    # The guidelines' "Imagination is more important than knowledge. \u2014Albert Einstein": the dash is
    # the cue, the name after it (with what identifies it) the source.
    got = quotes(annotate_text(DASH_BYLINE))
    assert got == [("\u201cA city that cannot house its nurses cannot care for its sick.\u201d",
                    "Dr. Amara Osei, president of the Royal College of Nursing", "direct")]


@pytest.mark.parametrize("text, content, speaker", [
    ("Brexit: Johnson says deal is \"within reach\"\n\nTalks resume in Brussels on Monday.\n",
     "deal is \"within reach\"", "Johnson"),
    # "of" belongs to the cue's verb group ("warns of"), as "about" in the guidelines' "talked about".
    ("Storm Ciara: Met Office warns of 80mph gusts\n\nTrains were cancelled across Wales.\n",
     "80mph gusts", "Met Office"),
])
def test_headline_topic_label_before_a_colon_is_no_speaker(text, content, speaker):
    # BBC-style "Topic: X says Y": the label names the story, the source is the subject of "says".
    assert [(q, s) for q, s, _ in quotes(annotate_text(text))] == [(content, speaker)]


LONG_QUOTE = ("\"We have spent three years negotiating with the department, we have written to every minister who "
              "has held the post, and we have been ignored at every turn, which is why our members have voted to "
              "strike,\" said Gemma Collins, general secretary of the Allied Health Union.")


def test_speaker_named_after_a_long_quote():
    assert [(s, t) for _, s, t in quotes(annotate_text(LONG_QUOTE))] == [
        ("Gemma Collins, general secretary of the Allied Health Union", "direct")]


@pytest.mark.parametrize("text, content, speaker", [
    ("The ceasefire is expected to hold through the weekend, two Western officials said on Tuesday.",
     "The ceasefire is expected to hold through the weekend", "two Western officials"),
    ("Officials said the bridge would reopen in June.", "the bridge would reopen in June", "Officials"),
    ("Hospital bosses warned that winter would be \u201cthe hardest yet\u201d.",
     "that winter would be \u201cthe hardest yet\u201d", "Hospital bosses"),
])
def test_plural_and_anonymous_sources(text, content, speaker):
    assert [(q, s) for q, s, _ in quotes(annotate_text(text))] == [(content, speaker)]


@pytest.mark.parametrize("text, expected", [
    ('Health Secretary Maya Rowe said the offer was "fair and final".',
     ('the offer was "fair and final"', "Health Secretary Maya Rowe", "mixed")),
    ('Detective Chief Inspector Paul Marsh, who led the inquiry, said: "This was a cruel and calculated fraud."',
     ('"This was a cruel and calculated fraud."', "Detective Chief Inspector Paul Marsh, who led the inquiry", "direct")),
    ('Former Labour MP and ex-minister Clare Dunn told the BBC the party had "lost its way".',
     ('the party had "lost its way"', "Former Labour MP and ex-minister Clare Dunn", "mixed")),
])
def test_titles_before_names(text, expected):
    # "who led the inquiry" tells why her account counts (no attribution of its own): part of the source;
    # "the BBC" is the recipient, in neither span.
    assert quotes(annotate_text(text)) == [expected]


def test_speaker_inside_a_dashed_relative_clause_keeps_its_title_modifier():
    # "club" modifies the title, as "port" in "port chief executive": the whole phrase is the source.
    text = "The new stadium \u2014 which club chairman Ray Dunn called \u201cthe best in Europe\u201d \u2014 opens in August."
    assert [s for _, s, _ in quotes(annotate_text(text))] == ["club chairman Ray Dunn"]


LIVE_PRONOUN = """10:42am
The Prime Minister has arrived in Kyiv.

10:51am
He told reporters he would \u201cstand with Ukraine for as long as it takes\u201d.
"""


def test_live_blog_pronoun_refers_to_the_entry_before():
    task = annotate_text(LIVE_PRONOUN)
    assert quotes(task) == [("he would \u201cstand with Ukraine for as long as it takes\u201d", "He", "mixed")]
    regs = regions(task)
    refers = [(regs[r["from_id"]][3], regs[r["to_id"]][3]) for r in task["predictions"][0]["result"]
              if r["type"] == "relation" and r.get("labels") == ["refers_to"]]
    assert refers == [("He", "The Prime Minister")]


def test_asked_question_has_no_source_and_the_answer_the_person_asked():
    # The reporter who asked is not in the text: the question is an attribution without a source.
    got = quotes(annotate_text("Asked whether she would resign, Ms Hart told Sky News: \u201cAbsolutely not.\u201d"))
    assert got == [("whether she would resign", None, "indirect"), ("\u201cAbsolutely not.\u201d", "Ms Hart", "direct")]


@xfail("direct.py/frames.py: a quote whose speaker is named in the next paragraph by a noun cue "
       "('That was the verdict of X') stays unattributed")
def test_speaker_named_by_a_noun_cue_in_the_next_paragraph():
    text = ("\u201cWe simply ran out of money.\u201d\n\nThat was the verdict of Lena Frost, the charity\u2019s founder, "
            "as it closed its doors on Friday.\n")
    got = quotes(annotate_text(text))
    assert got[0] == ("\u201cWe simply ran out of money.\u201d", "Lena Frost, the charity\u2019s founder", "direct")


def test_surname_and_pronoun_refer_to_a_speaker_named_with_its_appositive():
    # The head of "Gemma Collins, general secretary of the Allied Health Union" is "Collins", not "Union".
    task = annotate_text('"We will strike," said Gemma Collins, general secretary of the Allied Health Union.\n\n'
                         'Collins said the vote was clear. She said "nobody wants this".\n')
    regs = regions(task)
    refers = [(regs[r["from_id"]][3], regs[r["to_id"]][3]) for r in task["predictions"][0]["result"]
              if r["type"] == "relation" and r.get("labels") == ["refers_to"]]
    full = "Gemma Collins, general secretary of the Allied Health Union"
    assert refers == [("Collins", full), ("She", full)]
