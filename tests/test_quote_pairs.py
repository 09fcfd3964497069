"""Quotation marks of other conventions: „…“ ‚…‘ «…» ‹…› 「…」 (and »…«, „…”) pair up (issue 15, item 12).

The opening and closing marks of these pairs differ from English “…”; „ once opened a
quotation that “ never closed, so it ran to the end of the text. Each case is one English
sentence quoted with the pair, then a second sentence that must stay outside the quotation.
All sentences are invented for the tests.
"""

from __future__ import annotations

import pytest

from annotate.converters import annotate_text
from annotate.converters.quotes import direct_spans

WORDS = "We will respond to any new sanctions"
AFTER = " Peskov told reporters. The talks continue on Monday in Geneva."


def quotes(text: str) -> list[tuple[str, str, str | None]]:
    """[(quote text, quote_type, speaker text)] of the task's prediction, in text order."""
    res = annotate_text(text)["predictions"][0]["result"]
    regs = {r["id"]: r for r in res if r["type"] == "labels"}
    kinds = {r["id"]: r["value"]["choices"][0] for r in res if r.get("from_name") == "quote_type"}
    said_by = {r["from_id"]: r["to_id"] for r in res if r["type"] == "relation" and r["labels"] == ["said_by"]}
    out = []
    for rid, r in sorted(regs.items(), key=lambda kv: kv[1]["value"]["start"]):
        if r["value"]["labels"] == ["Quote"]:
            sp = said_by.get(rid)
            out.append((r["value"]["text"], kinds[rid], regs[sp]["value"]["text"] if sp else None))
    return out


@pytest.mark.parametrize("opening, closing", [
    ("„", "“"),  # German, Russian, Czech
    ("‚", "‘"),  # German single
    ("«", "»"),  # French, Russian, Spanish
    ("‹", "›"),  # single guillemets
    ("「", "」"),  # Chinese, Japanese
    ("»", "«"),  # German guillemets, pointing inwards
    ("„", "”"),  # Polish, Hungarian, Romanian
])
def test_pair_is_one_quote_ending_at_its_closing_mark(opening, closing):
    quoted = f"{opening}{WORDS}{closing}"
    text = f"{quoted},{AFTER}"
    assert quotes(text) == [(quoted, "direct", "Peskov")]
    assert direct_spans(text, 0, len(text)) == [(0, len(quoted), True)]


@pytest.mark.parametrize("opening, closing", [("„", "“"), ("«", "»"), ("「", "」"), ("‹", "›")])
def test_pair_with_the_period_inside_ends_the_sentence(opening, closing):
    """'Peskov said: „….“ Then …': the closing mark after the period ends the sentence too."""
    quoted = f"{opening}{WORDS} from anyone.{closing}"
    text = f"Peskov said: {quoted} Then he left the room without another word."
    assert quotes(text) == [(quoted, "direct", "Peskov")]


def test_low_high_quote_does_not_run_to_the_end_of_the_text():
    text = ("„We will respond to any new sanctions“, Peskov told reporters.\n\n"
            "The talks continue on Monday in Geneva, where both sides meet again.\n")
    spans = direct_spans(text, 0, len(text))
    assert spans == [(0, text.index("“") + 1, True)]


def test_single_quotes_nested_inside_a_german_quotation():
    quoted = "„We will not accept ‚sanctions‘ from anyone.“"
    text = f"Peskov said: {quoted} Then he left the room without another word."
    assert quotes(text) == [(quoted, "direct", "Peskov")]


def test_low_single_mark_inside_a_word_is_no_quotation():
    """‚ after a letter (a comma typed with the wrong key) opens nothing."""
    text = "The talks‚ Peskov said‚ will continue on Monday in Geneva."
    assert direct_spans(text, 0, len(text)) == []


@pytest.mark.parametrize("text, quoted", [
    ("‘We will respond to any new sanctions,’ Peskov told reporters.", "‘We will respond to any new sanctions,’"),
    ("Peskov’s aides said the talks’ outcome was open. “We won’t give in,” Peskov told reporters.",
     "“We won’t give in,”"),
])
def test_english_single_quotes_and_apostrophes_unchanged(text, quoted):
    assert [q[0] for q in quotes(text) if q[1] == "direct"] == [quoted]
