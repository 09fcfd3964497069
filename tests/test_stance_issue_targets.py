"""Stance targets on articles whose stances are about issues, not named entities: local news
about plans, budgets, taxes and votes. The articles are invented; each expected target is what
an annotator reading the text would choose (a noun phrase of the article, not a bare head noun).
"""

from __future__ import annotations

import pytest

from annotate.converters import convert_text
from annotate.converters.stance import _lexicon
from annotate.converters.targets import IssueIndex

LIBRARY = """Library board backs riverside library expansion plan

The county library board voted 4-1 on Monday to approve a plan that would add a children's wing and a cafe to the Riverside branch.

"This plan is a gift to every family in the county," said board member Alan Reyes.

Trustee Nora Blake, who cast the only no vote, called the vote "reckless" and said the board had ignored the cost.

"The new reading garden will make the branch quieter and more welcoming," Reyes said.

The proposed sales tax increase that would pay for the wing will go to voters in May. "Raising taxes now is a terrible mistake," said resident Owen Park.
"""

CLINIC = """Council drops walk-in clinic closure after protests

Councillors on Wednesday abandoned proposals to close the walk-in clinic on Bridge Street.

Health campaigners had fought the closure for months. "Closing the clinic was always a terrible idea," said campaigner Ruth Ellis. "Building on the playing fields is a disgraceful alternative," she added.

The council's finance chief, Graham Hughes, said savings would now have to be found elsewhere. Opposition councillors said they would fight the parking charges he proposed instead. "It is a shameful way to balance the books," said councillor Amir Khan.

Local GP Sarah Lowe praised the council leader. "Our patients are relieved, and Joan Pike has been a great listener," Lowe said.
"""


def _stances(raw: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(data.targets, [(stance text, polarity, target)]) of one converted article."""
    task = convert_text(raw)
    text = task["data"]["text"]
    targets = [t["value"] for t in task["data"]["targets"]]
    result = task["predictions"][0]["result"]
    choice: dict[str, dict[str, str]] = {}
    for r in result:
        if r["type"] == "choices":
            choice.setdefault(r["id"], {})[r["from_name"]] = r["value"]["choices"][0]
    out = []
    for r in result:
        if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]:
            v = r["value"]
            out.append((text[v["start"]:v["end"]], choice[r["id"]]["polarity"], choice[r["id"]]["target"]))
    return targets, out


def _target_of(stances, words: str) -> str:
    found = [t for s, _p, t in stances if words in s]
    assert found, f"no stance holds {words!r}: {stances}"
    return found[0]


# -- the issue index -----------------------------------------------------------------------

def test_bare_head_is_the_fullest_phrase_of_its_issue():
    ix = IssueIndex(LIBRARY, _lexicon().word_set)
    plan = LIBRARY.index("a plan that") + 2
    # "a plan that would add ..." is the plan the headline names in full
    assert ix.at(plan).name == "riverside library expansion plan"
    # the headline's first word keeps no capital it has only as the first word
    assert ix.main is ix.at(plan)


def test_proposed_and_evaluative_words_stay_out_of_the_phrase():
    ix = IssueIndex(LIBRARY, _lexicon().word_set)
    increase = LIBRARY.index("increase that")
    assert ix.at(increase).name == "sales tax increase"  # not "proposed sales tax increase"
    assert ix.of_word("taxes") is ix.at(increase)


def test_verb_and_name_are_no_issue_head():
    ix = IssueIndex(CLINIC, _lexicon().word_set)
    assert ix.at(CLINIC.index("close the")) is None  # "proposals to close": a verb
    assert ix.at(CLINIC.index("Bridge Street")) is None
    # "the closure" is the clinic closure the headline names
    assert ix.at(CLINIC.index("the closure") + 4).name == "walk-in clinic closure"


def test_referring_nouns_stand_for_the_main_issue():
    ix = IssueIndex(LIBRARY, _lexicon().word_set)
    vote = LIBRARY.index("called the vote") + len("called the ")
    assert ix.at(vote) is ix.main


# -- stance targets --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def library():
    return _stances(LIBRARY)


@pytest.fixture(scope="module")
def clinic():
    return _stances(CLINIC)


def test_issue_as_the_subject_of_the_evaluation(library):
    _targets, stances = library
    # "This plan is a gift ...": the plan, worded as the article names it in full
    assert _target_of(stances, "gift") == "riverside library expansion plan"


def test_subject_of_make_is_what_is_evaluated(library):
    _targets, stances = library
    # "The new reading garden will make the branch quieter and more welcoming": the garden
    # is evaluated, not the branch it makes so
    assert _target_of(stances, "welcoming") == "reading garden"


def test_calling_the_vote_is_about_the_plan_voted_on(library):
    _targets, stances = library
    assert _target_of(stances, "reckless") == "riverside library expansion plan"


def test_gerund_subject_about_a_listed_issue(library):
    _targets, stances = library
    # "Raising taxes now is a terrible mistake": the tax increase the paragraph names
    assert _target_of(stances, "terrible mistake") == "sales tax increase"


def test_gerund_subject_whose_object_an_issue_names(clinic):
    _targets, stances = clinic
    # "Closing the clinic was always a terrible idea": the clinic closure the headline names
    assert _target_of(stances, "terrible idea") == "walk-in clinic closure"


def test_gerund_subject_without_an_issue_is_its_own_phrase(clinic):
    _targets, stances = clinic
    # "Building on the playing fields is a disgraceful alternative": no issue of
    # the article names the fields, so the gerund phrase is the target
    assert _target_of(stances, "disgraceful") == "building on the playing fields"


def test_it_stands_for_the_issue_named_before_the_quote(clinic):
    _targets, stances = clinic
    # '... fight the parking charges he proposed instead. "It is a shameful way ..."'
    assert _target_of(stances, "shameful") == "parking charges"


def test_named_subject_stays_the_target(clinic):
    _targets, stances = clinic
    assert _target_of(stances, "great listener") == "Joan Pike"


def test_target_list_holds_every_used_target_and_no_bare_head(library, clinic):
    for targets, stances in (library, clinic):
        assert {t for _s, _p, t in stances} <= set(targets)
        assert len(targets) == len(set(targets))
        for bare in ("plan", "vote", "idea", "decision", "the plan"):
            assert bare not in targets


FERRY = """Island ferry fare rise approved

The transport board on Thursday approved a bill that raises the island ferry fare by 40 percent from April.

"This bill is a disgrace," said islander Megan Ross.

Board chair Paul Grey defended the approval. "Cutting sailings was the alternative," he said.

Harbour master Iain Fraser, who opposed the rise, said the board had not listened. "Raising fares in winter is not the answer," Fraser said. "It is the same stupid mistake the board made in 2019."

The union called the approval "an insult to island families".
"""


@pytest.fixture(scope="module")
def ferry():
    return _stances(FERRY)


def test_a_bill_the_article_never_qualifies_is_the_headline_issue(ferry):
    _targets, stances = ferry
    # "a bill that raises ..." and "This bill": the article never says more than the headline's
    # fare rise, so the fare rise is what the bill is
    assert _target_of(stances, "disgrace") == "island ferry fare rise"


def test_it_goes_on_about_the_sentence_before(ferry):
    _targets, stances = ferry
    # '"Raising fares in winter is not the answer," Fraser said. "It is the same mistake ..."':
    # the gerund the sentence before is about (its object named by the fare rise)
    assert _target_of(stances, "not the answer") == "island ferry fare rise"
    assert _target_of(stances, "stupid") == "island ferry fare rise"


def test_the_approval_is_the_main_issue(ferry):
    _targets, stances = ferry
    assert _target_of(stances, "insult") == "island ferry fare rise"


POOL = """Swimming pool closure upsets residents

The leisure centre's swimming pool will close for good in June, the operator confirmed on Monday.

Swimmer Alice Grant said she was devastated. "I have swum there every morning for twenty years," she said. "Honestly, I am furious."

Club coach Ben Ahmed said the club would look for another pool.
"""


def test_a_bare_feeling_is_about_the_headline_issue_when_the_headline_names_no_one():
    targets, stances = _stances(POOL)
    # "Honestly, I am furious": nothing in the quote says about what; the headline names an
    # issue (the pool closure) and no person, so that is what the annoyance is about, not a
    # name the article mentions
    assert _target_of(stances, "furious") == "swimming pool closure"
    assert targets[0] == "swimming pool closure"
