"""Unit tier: stance targets (issue 19, second round). All texts are invented for the tests."""

from annotate.converters.mentions import target_mentions


def _crossing(text: str) -> list[tuple[int, int, str]]:
    return [m for m in target_mentions(text) if "\n" in text[m[0]:m[1]]]


def test_a_name_never_spans_a_line_break():
    # a photo credit line ends in "Images", the caption line opens with "Image": two lines,
    # two words, no name "Images Image" (before: (41, 53, 'Images Image'))
    text = "Minister defends cap\nImage source, Getty Images\nImage caption, The minister spoke\n"
    assert _crossing(text) == []
    assert all(t != "Images Image" for _s, _e, t in target_mentions(text))


def test_a_forum_header_is_no_name_with_the_next_line():
    # "Forum" ends one header line and "Politics & Current Affairs" is the next: "Forum
    # Politics" is no target; the name on the third line is still found whole
    text = ("Welcome to the Forum\nPolitics & Current Affairs\n"
            "Senator Mara Quist said the plan was a disgrace. Quist voted against it.\n")
    targets = [t for _s, _e, t in target_mentions(text)]
    assert "Forum Politics" not in targets
    assert _crossing(text) == []
    assert "Mara Quist" in targets


def test_a_name_split_by_spaces_or_a_no_break_space_stays_one_name():
    # only a line break cuts a chain: a no-break space inside a name still joins it
    text = "Senator Mara\xa0Quist spoke first. Later Mara Quist spoke again, and Quist left.\n"
    assert {t for _s, _e, t in target_mentions(text)} == {"Mara Quist"}


# --- a target named later in the stance's own sentence ---------------------------------------
# Pell is the article's main target (named three times, never speaking): a stance with nothing
# named before it went to him.

PROFILE = ("Victor Pell has run the state party for a decade. Pell built its machine, and Pell still chairs it. "
           "Governor Dana Kowalski toured the Ohio plants on Monday. "
           "Maria Estevez arrived later; she is the union's lawyer.\n\n")


def _targets_of(text: str, word: str) -> list[str]:
    from .test_stance import stances
    return [t for s, _p, t in stances(text) if word in s]


def test_a_name_later_in_the_sentence_beats_the_main_target():
    # nothing before "so disturbed" in the quote names anyone; the rest of its sentence names
    # Kowalski (before: Pell, the article's main target)
    text = PROFILE + "“I am so disturbed, because everyone here says Kowalski will close the plants,” Tom Brack said."
    assert _targets_of(text, "disturbed") == ["Dana Kowalski"]


def test_a_place_named_later_is_a_setting_not_the_target():
    # "in Canada" says where, not whom: the name after it is the target
    text = PROFILE + ("“I am so disturbed, because all I heard in Canada was that Kowalski will close the plants,” "
                      "Tom Brack said.")
    assert _targets_of(text, "disturbed") == ["Dana Kowalski"]


def test_a_name_in_the_next_sentence_is_not_the_target():
    # the sentence ends at "disturbed": Kowalski belongs to the next one, so the stance keeps
    # the article's main target
    text = PROFILE + "“I am so disturbed. Kowalski will close the plants,” Tom Brack said."
    assert _targets_of(text, "disturbed") == ["Victor Pell"]


def test_a_possessor_named_later_is_not_the_target():
    # "Kowalski's plan": the name stands for what it owns, not for whom the stance is about
    text = PROFILE + "“I am so disturbed, because everyone here talks about Kowalski's plan,” Tom Brack said."
    assert _targets_of(text, "disturbed") == ["Victor Pell"]


def test_a_name_later_in_one_sentence_does_not_pull_other_stances():
    # the first quote's stance is about Kowalski (named later in its sentence); the second
    # quote names no one at all, so it keeps the main target: only a stance anchored before
    # or on its span says what the article's unanchored stances are about
    text = PROFILE + ("“I am so disturbed, because everyone here says Kowalski will close the plants,” Tom Brack said.\n\n"
                      "“What a disgrace,” Ann Lee said.")
    assert _targets_of(text, "disturbed") == ["Dana Kowalski"]
    assert _targets_of(text, "disgrace") == ["Victor Pell"]


def test_a_title_s_dot_does_not_end_the_sentence():
    # "Gov." is an abbreviation, not the end of the sentence: Kowalski is still in it
    text = PROFILE + "“I am so disturbed, because everyone here says Gov. Kowalski will close the plants,” Tom Brack said."
    assert _targets_of(text, "disturbed") == ["Dana Kowalski"]


# --- the one the narrative says the speaker evaluated -----------------------------------------

def test_the_lead_in_names_whom_the_speaker_criticised():
    # the paragraph before the quote says Brack knocked Kowalski's remark; the quote names no
    # one: its evaluation is about Kowalski (before: Pell, the article's main target)
    text = PROFILE + ("On Monday, Tom Brack knocked a remark by Governor Dana Kowalski about the plants.\n\n"
                      "“It made no sense,” Brack said.")
    assert _targets_of(text, "no sense") == ["Dana Kowalski"]


def test_a_lead_in_about_someone_else_s_criticism_says_nothing():
    # Estevez, not the quote's speaker Brack, knocked the remark: the quote keeps the main target
    text = PROFILE + ("On Monday, Maria Estevez knocked a remark by Governor Dana Kowalski about the plants.\n\n"
                      "“It made no sense,” Tom Brack said.")
    assert _targets_of(text, "no sense") == ["Victor Pell"]


def test_a_lead_in_two_paragraphs_back_says_nothing():
    # only the quote's own paragraph and the one right before it lead into it
    text = PROFILE + ("On Monday, Tom Brack knocked a remark by Governor Dana Kowalski about the plants.\n\n"
                      "The plants employ four hundred people.\n\n"
                      "“It made no sense,” Brack said.")
    assert _targets_of(text, "no sense") == ["Victor Pell"]
