"""Unit tier: stance targets are full names of people, countries and organisations, and issue
phrases, that the article's quotes talk about (issues 16 and 19)."""

import pytest

from annotate.converters import annotate_text, convert_text
from annotate.converters.quotes import find_quotes
from annotate.converters.targets import (
    MAX_ISSUES,
    Candidate,
    candidate_targets,
    final_targets,
    target_mentions,
)


def names(text):
    """{surface: canonical} of every mention in text, as the body of an article (after a
    headline line in sentence case)."""
    text = "A headline in sentence case for the story\n\n" + text
    return {text[s:e]: t for s, e, t in target_mentions(text)}


def listed(text, title=""):
    return [t["value"] for t in annotate_text(text, title=title or None)["data"]["targets"]]


@pytest.mark.parametrize("text, surface, full", [
    # a title before the name is not part of it; the surname alone means the full name
    ("RNC Chairman Reince Priebus spoke on Monday. Later Priebus left.", "Priebus", "Reince Priebus"),
    ("Attorney General Loretta Lynch arrived. Lynch said little.", "Loretta Lynch", "Loretta Lynch"),
    ("Retired Lt. Gen. Michael Flynn spoke. Flynn was angry.", "Flynn", "Michael Flynn"),
    ("FBI Director James Comey testified. Comey was calm.", "James Comey", "James Comey"),
    # an organisation is its whole chain, with 'of'/'for' inside
    ("The Ku Klux Klan marched. Nobody joined the Ku Klux Klan.", "Ku Klux Klan", "Ku Klux Klan"),
    ("The Environmental Protection Agency ruled on it.", "Environmental Protection Agency",
     "Environmental Protection Agency"),
    ("He met Young Americans for Freedom members.", "Young Americans for Freedom", "Young Americans for Freedom"),
    ("Bill de Blasio spoke. De Blasio left.", "Bill de Blasio", "Bill de Blasio"),
    # countries through their gazetteer forms
    ("Moscow said it was ready.", "Moscow", "Russia"),
    # a title word after 'of' inside an organisation's name is part of it, not a cut
    ("The Department of Justice ruled. He trusts the Department of Justice.", "Department of Justice",
     "Department of Justice"),
    # the acronym of a named law is that law ("ISA": Iran Sanctions Act)
    ("Congress renewed the Iran Sanctions Act. The ISA expires soon, and the ISA matters.", "ISA",
     "Iran Sanctions Act"),
    # an acronym may keep the initial of "of"/"for"/"and" ("DOJ": Department of Justice)
    ("The Department of Justice opened a case. A DOJ lawyer said so.", "DOJ", "Department of Justice"),
    # a person is named with the first name, however often the text leaves it out
    ("Debbie Wasserman Schultz spoke. Wasserman Schultz left, and Wasserman Schultz came back.",
     "Wasserman Schultz", "Debbie Wasserman Schultz"),
    # ... and among forms with the first name, the one the text uses most
    ("Hillary Rodham Clinton spoke. Hillary Clinton left, and Hillary Clinton came back.",
     "Hillary Rodham Clinton", "Hillary Clinton"),
    # a group's other names are one target, under the name annotators use
    ("ISIS fighters retreated. Officials said ISIL was weaker.", "ISIL", "Islamic State"),
])
def test_mentions_map_to_the_full_name(text, surface, full):
    assert names(text).get(surface) == full


@pytest.mark.parametrize("text, wrong", [
    ("RNC Chairman Reince Priebus spoke on Monday.", {"Chairman Reince", "RNC Chairman", "Chairman"}),
    ("Attorney General Loretta Lynch arrived.", {"Attorney General", "General Loretta"}),
    ("Retired Lt. Gen. Michael Flynn spoke.", {"Retired Lt", "Lt. Gen. Michael Flynn", "Retired"}),
    ("The Ku Klux Klan marched.", {"Klux Klan", "Ku Klux", "The Ku Klux Klan"}),
    ("Hammering Hillary Clinton was his plan. Hillary Clinton did not reply.", {"Hammering Hillary",
                                                                                "Hammering Hillary Clinton"}),
    # a place is no stance target
    ("Divers love the Great Barrier Reef because the reef is great and the barrier is long.",
     {"Great Barrier", "Great Barrier Reef"}),
    # a capitalised word that only ever opens a sentence is a common word, not a name
    ("Voters want less of it. Majorities in many countries agree. Majorities elsewhere do not.",
     {"Majorities"}),
])
def test_no_title_only_truncated_or_glued_names(text, wrong):
    assert not wrong & set(names(text).values())


def test_a_title_case_headline_only_names_known_people():
    text = ("Carly Fiorina Endorses Ted Cruz In Race\n\n"
            "Carly Fiorina said on Wednesday that Ted Cruz was ready. Cruz thanked her.\n")
    found = set(names(text).values())
    assert found == {"Carly Fiorina", "Ted Cruz"}


ARTICLE = (
    "Kremlin says dialogue with the US is possible\n\n"
    "Kremlin spokesman Dmitry Peskov said on Monday that Russia was open to dialogue with the US. "
    "“We are ready for dialogue with Washington, but the US administration holds a contrary position "
    "and Joe Biden has done nothing,” Peskov said. "
    "“The war in Ukraine must end and Joe Biden knows it,” he told reporters in Sochi. "
    "Peskov spoke at a briefing.\n"
)


def test_targets_are_what_quotes_talk_about_not_the_speaker():
    targets = listed(ARTICLE)
    # "holds a contrary position" is a stance toward the US (its administration)
    assert "United States" in targets
    # issue phrases the quotes name are offered even without a stance
    assert "war in Ukraine" in targets and "dialogue with the US" in targets
    # a name is offered only when a proposed stance is about it: "Joe Biden has done nothing"
    # and "Joe Biden knows it" evaluate nobody
    assert "Joe Biden" not in targets
    # Peskov only speaks: nobody takes a position on him; Sochi is a place
    assert "Dmitry Peskov" not in targets
    assert "Sochi" not in targets


def test_issue_phrases_are_noun_phrases_of_the_article_merged_by_meaning():
    mentions = target_mentions(ARTICLE)
    issues = {ARTICLE[s:e]: t for s, e, t in mentions if "dialogue" in t}
    # "dialogue with the US" (twice) and "dialogue with Washington" are one issue, named as
    # the article most often names it
    assert set(issues.values()) == {"dialogue with the US"}
    assert "dialogue with Washington" in issues
    assert "dialogue with the US" in listed(ARTICLE)
    # "the US administration" is the United States, not an issue of its own
    assert not any("administration" in t for t in listed(ARTICLE))


def test_final_targets_lists_every_stance_target_first_and_caps_the_rest():
    cands = [Candidate(f"Person {chr(65 + i)}", "entity", mentions=5, content=3) for i in range(20)]
    cands.append(Candidate("Quiet Person", "entity", mentions=1, content=0))
    cands += [Candidate(f"talks with country {i}", "issue", mentions=2, content=1) for i in range(3)]
    stances = [{"target": "Quiet Person"}, {"target": "Quiet Person"}, {"target": "Person T"}]
    out = final_targets(cands, stances, limit=12)
    # the stances' targets, most used first, then the issue phrases the quotes name
    assert out == ["Quiet Person", "Person T", "talks with country 0", "talks with country 1",
                   "talks with country 2"]
    # a name is listed only when a stance uses it, however often the quotes name it
    assert final_targets(cands, [], limit=12) == ["talks with country 0", "talks with country 1",
                                                  "talks with country 2"]
    # at most `limit`, never dropping a stance's target
    many = [{"target": f"Person {chr(65 + i)}"} for i in range(14)]
    out = final_targets(cands, many, limit=12)
    assert len(out) == 14 and out == [f"Person {chr(65 + i)}" for i in range(14)]


def test_final_targets_holds_at_most_a_few_issues():
    cands = [Candidate(f"talks with country {i}", "issue", mentions=2, content=2) for i in range(8)]
    assert len(final_targets(cands, [])) == MAX_ISSUES


def test_every_stance_target_is_offered():
    """The accept-unchanged invariant: a proposed stance's target is in data.targets."""
    text = ("Reporters asked about the talks.\n\n"
            "“We support Ukraine, and we condemned Russia for the strike,” said Anna Berg, a minister. "
            "“Ukraine is a friend,” Berg said.\n")
    task = annotate_text(text)
    targets = [t["value"] for t in task["data"]["targets"]]
    used = [r["value"]["choices"][0] for r in task["predictions"][0]["result"] if r.get("from_name") == "target"]
    assert set(used) <= set(targets)
    assert task["data"]["targets_text"] == "; ".join(targets)


def test_fixed_targets_are_listed_first_and_can_be_stance_targets():
    text = "“We support the Green Deal,” the minister said. “The Green Deal is good,” she said.\n"
    task = annotate_text(text, fixed_targets=["the Green Deal", "Climate policy"])
    targets = [t["value"] for t in task["data"]["targets"]]
    assert targets[:2] == ["the Green Deal", "Climate policy"]
    doc_task = convert_text("Headline here now\n\n" + text, fixed_targets=["Climate policy"])
    assert doc_task["data"]["targets"][0] == {"value": "Climate policy"}


def test_candidates_count_mentions_inside_quotes_but_not_as_speaker():
    text = "“Joe Biden failed,” said Mary Novak. Mary Novak left.\n"
    quotes = find_quotes(text)
    cands = {c.name: c for c in candidate_targets(text, target_mentions(text), quotes)}
    assert cands["Joe Biden"].content == 1
    assert cands["Mary Novak"].content == 0


def test_gazetteer_aliases_are_one_target_ranked_by_mentions():
    # moved from test_stance (the old stance.find_targets): capitals and short forms count for
    # their country, and countries quotes talk about most come first
    text = ("“Moscow and the Kremlin answered Washington,” Paul Orban said. “Russia said the U.S. and "
            "America were wrong, and Russia is not alone,” Orban added. “Helena Varga met Russia's envoy "
            "and Helena Varga left,” he said.\n")
    mentions = {text[s:e]: t for s, e, t in target_mentions(text)}
    assert mentions["Moscow"] == mentions["Kremlin"] == "Russia"
    assert mentions["Washington"] == mentions["U.S."] == mentions["America"] == "United States"
    ranked = [c.name for c in candidate_targets(text, quotes=find_quotes(text))]
    assert ranked[:3] == ["Russia", "United States", "Helena Varga"]


def test_a_headline_phrase_is_not_a_person():
    # moved from test_stance (the old stance.find_people)
    text = "Substantial Step Forward\n\nThe talks were a substantial step forward, said Paul Orban."
    assert "Substantial Step" not in {t for _, _, t in target_mentions(text)}


@pytest.mark.parametrize("epithet", ["Crooked", "Corrupt", "Reckless"])
def test_an_epithet_before_a_name_is_not_part_of_it(epithet):
    # a nickname made of an insult names the person, it is no new person ("Crooked Hillary")
    found = names(f"“The lobbyists control {epithet} Helena Varga,” Paul Orban said. Varga did not answer.")
    assert found.get("Helena Varga") == "Helena Varga"
    assert f"{epithet} Helena Varga" not in found
    assert not any(epithet in t for t in found.values())


def test_an_issue_compound_and_its_prepositional_form_are_one_target():
    # "the Iran deal" and "deal with Iran" name one issue (head "deal", entity Iran); the
    # phrase named most often ("the Iran deal", twice) is its name
    text = ("“The Iran deal is a mistake,” Senator Jack Ruby said. “We never wanted a deal with Iran. "
            "The Iran deal must go,” he added.")
    issues = {text[s:e]: t for s, e, t in target_mentions(text) if "deal" in t}
    assert set(issues) == {"The Iran deal", "deal with Iran"}, issues
    assert set(issues.values()) == {"The Iran deal"}, issues


def test_an_article_without_stances_still_offers_the_name_its_quotes_talk_about():
    # No stance is proposed ("will not win this war" predicts, it does not evaluate), but an
    # annotator who marks one needs a target to choose: Russia, named twice inside the quote.
    text = ('"Russia will not win this war, and Russia knows it," Ukrainian President Volodymyr '
            'Zelensky said on Tuesday.')
    task = annotate_text(text)
    assert [t["value"] for t in task["data"]["targets"]] == ["Russia"]
    # the filling never displaces what stances use or the issues quotes name
    cands = [Candidate("Person A", "entity", mentions=5, content=3),
             Candidate("talks with country 0", "issue", mentions=2, content=1)]
    assert final_targets(cands, []) == ["talks with country 0"]
    assert final_targets(cands[:1], []) == ["Person A"]
