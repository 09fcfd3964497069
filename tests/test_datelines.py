"""Unit tier: a wire story's dateline ("WASHINGTON (AP) —") places the story; it never speaks."""

import pytest

from annotate.converters import convert_text


def said_by(raw: str) -> dict[str, str]:
    """Each Quote's text -> its speaker's text."""
    result = convert_text(raw)["predictions"][0]["result"]
    regions = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
    return {regions[r["from_id"]]: regions[r["to_id"]] for r in result
            if r["type"] == "relation" and r["labels"] == ["said_by"]}


@pytest.mark.parametrize(("dateline", "speaker"), [
    ("WASHINGTON (AP) — ", "Senate Majority Leader Maria Lopez"),
    ("FRANKFURT, Germany (AP) — ", "Senate Majority Leader Maria Lopez"),
    ("WASHINGTON, June 24 (Reuters) - ", "Senate Majority Leader Maria Lopez"),
    ("PHILADELPHIA, July 25 (UPI) -- ", "Senate Majority Leader Maria Lopez"),
    ("WASHINGTON ― ", "Senate Majority Leader Maria Lopez"),
    ("LOS ANGELES — ", "Senate Majority Leader Maria Lopez"),
    ("(CNN) — ", "Senate Majority Leader Maria Lopez"),
    ("(Reuters) - ", "Senate Majority Leader Maria Lopez"),
])
def test_a_dateline_is_not_the_speaker_of_its_first_sentence(dateline, speaker):
    quotes = said_by(dateline + 'Senate Majority Leader Maria Lopez vowed on Thursday to block the spending '
                     'bill, calling it "reckless and cruel."')
    assert quotes, "the quote is still found"
    assert set(quotes.values()) == {speaker}


def test_the_subject_after_a_dateline_speaks_an_indirect_quote():
    quotes = said_by("FRANKFURT, Germany (AP) — The European Central Bank kept interest rates unchanged on "
                     "Thursday but signaled that cuts could come later this year.")
    assert list(quotes.values()) == ["The European Central Bank"]
    assert "FRANKFURT" not in " ".join(quotes)


@pytest.mark.parametrize("dateline", ["(CNN) — ", "WASHINGTON (CNN) — "])
def test_a_quote_after_an_agency_dateline_starts_after_its_dash(dateline):
    quotes = said_by(dateline + "The White House on Friday rejected the union's demands as unrealistic, "
                     "a spokesperson said.")
    assert list(quotes.values()) == ["a spokesperson"]
    (quote,) = quotes
    assert quote.startswith("The White House"), quote
