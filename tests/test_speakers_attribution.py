"""Who said it: speakers the quote finder links to quotes (invented sentences)."""

from __future__ import annotations

from annotate.converters.quotes import find_quotes


def said(text: str) -> list[tuple[str, str | None]]:
    return [(text[q["start"]:q["end"]], text[slice(*q["speaker"])] if q["speaker"] else None)
            for q in find_quotes(text)]


def test_headline_holding_a_quotation_keeps_the_name_before_its_colon():
    text = "Ruiz: Lopez ‘Waving The Flag Of Surrender’ To Voters"
    assert said(text) == [("Lopez ‘Waving The Flag Of Surrender’ To Voters", "Ruiz")]


def test_transcript_line_opening_with_a_quotation_is_not_one_headline():
    text = '"Our goal is to win." Lopez: "The mission is to win, not to draw."'
    assert ('"The mission is to win, not to draw."', "Lopez") in said(text)


def test_participle_after_an_inverted_cue_and_a_question_takes_its_speaker():
    text = '"How much worse could it get?" said strategist Al Ruiz, referring to the new mayor.'
    assert said(text) == [('"How much worse could it get?"', "strategist Al Ruiz"),
                          ("the new mayor", "strategist Al Ruiz")]
