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
