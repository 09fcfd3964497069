"""Unit tier: a person's target is written as annotators write it, without the middle
initial some newspapers add ("Donald J. Trump" -> "Donald Trump"), unless the person is
known by it ("George W. Bush"). All sentences are invented."""

import pytest

from annotate.converters import annotate_text
from annotate.converters.targets import target_mentions


def canonical(text):
    text = "A headline in sentence case for the story\n\n" + text
    return {text[s:e]: t for s, e, t in target_mentions(text)}


@pytest.mark.parametrize("text, surface, full", [
    # the middle initial goes, from the full form and from the surname that stands for it
    ("Senator Margaret K. Ollander spoke on Monday. Later Ms. Ollander left.",
     "Margaret K. Ollander", "Margaret Ollander"),
    ("Senator Margaret K. Ollander spoke on Monday. Later Ms. Ollander left.",
     "Ollander", "Margaret Ollander"),
    ("Donald J. Trump spoke in Ohio. Mr. Trump left early.", "Trump", "Donald Trump"),
    # two initials go as well
    ("Mayor Peter H. R. Dunwell opened the bridge. Dunwell waved.", "Peter H. R. Dunwell", "Peter Dunwell"),
    # a person known by the initial keeps it; so does a leading initial
    ("Former President George W. Bush spoke. Mr. Bush smiled.", "Bush", "George W. Bush"),
    ("J. Edgar Hoover ran the bureau. Hoover was feared.", "Hoover", "J. Edgar Hoover"),
    ("The firm of T. R. Moggs grew. Moggs was rich.", "Moggs", "T. R. Moggs"),
])
def test_middle_initial_dropped(text, surface, full):
    assert canonical(text)[surface] == full


def test_stance_target_without_initial():
    """The stance's target and the target list say "Margaret Ollander" too."""
    text = ("Senator Margaret K. Ollander visited the plant on Monday.\n\n"
            "“Ms. Ollander is a disgrace,” union leader Tom Brack said.")
    task = annotate_text(text)
    values = [t["value"] for t in task["data"]["targets"]]
    assert "Margaret Ollander" in values and "Margaret K. Ollander" not in values
    targets = [r["value"]["choices"][0] for r in task["predictions"][0]["result"]
               if r.get("from_name") == "target"]
    assert targets == ["Margaret Ollander"]
