"""Embedded posts (converter 0.3.13): a web page's copy of an X/Twitter or Instagram embed
keeps the post's text and its signature line, "— Name (@handle) June 18, 2016". The text is
the account holder's own words: one direct Quote said_by the name in the signature. Each expected value
is read off the input text."""

from __future__ import annotations

from annotate.converters import convert_text
from annotate.validate import check_prediction_task


def quotes(text: str) -> list[tuple[str, str | None, str]]:
    """(quote text, its speaker's text or None, quote type) of every Quote, in text order."""
    task = convert_text(text)
    assert check_prediction_task(task) == []  # accepted unchanged, it is a valid gold record
    result = task["predictions"][0]["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    said_by = {r["from_id"]: r["to_id"] for r in result if r["type"] == "relation" and r["labels"] == ["said_by"]}
    types = {r["id"]: r["value"]["choices"][0] for r in result if r["type"] == "choices" and r["from_name"] == "quote_type"}
    out = []
    for rid, r in regions.items():
        if r["value"]["labels"] == ["Quote"]:
            sp = regions.get(said_by.get(rid, ""))
            out.append((r["value"]["text"], sp["value"]["text"] if sp else None, types[rid]))
    return sorted(out, key=lambda q: text.find(q[0]))


TWEET = "Crooked Hillary is spending a fortune on false ads against me. Sad!"


def test_a_signature_on_its_own_line_attributes_the_post_before_it():
    text = (f"Trump went after Clinton on Saturday.\n\n{TWEET} pic.twitter.com/abc123\n\n"
            "— Donald J. Trump (@realDonaldTrump) June 18, 2016\n\nThe campaign did not respond.\n")
    # the closing picture link is no part of what was said
    assert (TWEET, "Donald J. Trump", "direct") in quotes(text)


def test_a_signature_at_the_end_of_the_posts_own_line():
    text = ("The senator answered within the hour.\n\n.@realDonaldTrump is a thin-skinned bully. "
            "https://t.co/xyz — Elizabeth Warren (@SenWarren) 18 June 2016\n\nShe has criticized him before.\n")
    assert (".@realDonaldTrump is a thin-skinned bully.", "Elizabeth Warren", "direct") in quotes(text)


def test_a_post_in_quote_marks_is_one_quote_by_the_account_holder():
    text = ('The mayor posted a reply.\n\n"We will rebuild, and we will do it together."\n\n'
            "— Mayor Ana Ruiz (@MayorRuiz) Mar. 3, 2021\n\nCrews began work on Monday.\n")
    assert ('"We will rebuild, and we will do it together."', "Mayor Ana Ruiz", "direct") in quotes(text)


def test_a_cue_inside_a_post_makes_no_second_quote():
    # the post is one quotation of its author, whatever it reports
    text = ("Reporters shared the news.\n\nThe governor said the bridge will reopen in May.\n\n"
            "— Jane Roe (@janeroe) May 2, 2022\n\nThe bridge closed in March.\n")
    found = quotes(text)
    assert ("The governor said the bridge will reopen in May.", "Jane Roe", "direct") in found
    assert not any(q[0] == "the bridge will reopen in May" for q in found)


def test_a_picture_alone_or_a_signature_first_attributes_nothing():
    text = ("pic.twitter.com/abc123\n\n— Donald J. Trump (@realDonaldTrump) June 18, 2016\n\n"
            "The campaign did not respond.\n")
    assert quotes(text) == []
    assert quotes("— Donald J. Trump (@realDonaldTrump) June 18, 2016\n\nThe campaign did not respond.\n") == []


def test_a_reporters_by_line_or_a_handle_in_running_text_is_no_signature():
    byline = "The council voted on Monday.\n\n— By Ana Ruiz (@aruiz) June 18, 2016\n\nThe vote was close.\n"
    assert not any(q[1] == "Ana Ruiz" for q in quotes(byline))
    running = "The council voted on Monday. Ana Ruiz (@aruiz) covers the council.\n"
    assert quotes(running) == []


def test_an_instagram_signature_attributes_the_caption_before_it():
    text = ("The singer thanked her fans.\n\nView this post on Instagram\n\n"
            "I could not have done this without every one of you.\n\n"
            "A post shared by Ana Ruiz (@ana.ruiz) on Jun 18, 2016 at 3:15pm PDT\n\nThe tour starts in May.\n")
    assert ("I could not have done this without every one of you.", "Ana Ruiz", "direct") in quotes(text)
    # "a post shared by" in running text is no signature
    assert not any(q[1] == "Ana Ruiz" for q in quotes("A post shared by Ana Ruiz went viral on Monday.\n"))
