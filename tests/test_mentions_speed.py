"""Speed rewrites of the mention stage keep its answers (the cross-article caches must not
carry one article's words into another)."""

from annotate.converters.mentions import _by_honorific, _classify, _LowerWords, _Name


def test_two_capitalised_words_are_a_person_unless_this_text_writes_them_in_lower_case():
    words = ("Step", "Forward")
    # the same words, asked in three texts in turn: the answer follows each text
    assert _classify(words, _LowerWords("Step Forward spoke. Nobody else did."), False) == "person"
    assert _classify(words, _LowerWords("Step Forward spoke of a step forward."), False) is None
    assert _classify(words, _LowerWords("Step Forward spoke again."), False) == "person"
    # after a title the lower-case words do not count ("Sen. Step Forward")
    assert _classify(words, _LowerWords("a step forward"), True) == "person"


def test_words_alone_decide_places_and_organisations_in_any_text():
    assert _classify(("Justice", "Department"), _LowerWords("the department of justice"), False) == "org"
    assert _classify(("Alabama", "Democratic"), _LowerWords("alabama democratic"), True) is None  # a description


def _person(name: str) -> _Name:
    n = _Name("person", key=name.split())
    n.forms[name] = 1
    return n


def test_honorific_picks_the_person_of_its_gender_and_a_name_without_one_keeps_its_home():
    bill, hillary = _person("Bill Clinton"), _person("Hillary Clinton")
    text = "Mrs. Clinton met Mr. Clinton and Clinton."
    same = [bill, hillary]
    assert _by_honorific(text, text.index("Clinton"), bill, same, {}) is hillary
    assert _by_honorific(text, text.index("Clinton", 10), hillary, same, {}) is bill
    assert _by_honorific(text, text.rindex("Clinton"), bill, same, {}) is bill  # no honorific before it
    # an 'M' farther back than the honorific's reach ('Ms. ' is 4 characters) changes nothing
    text = "Ms  X Clinton"
    assert _by_honorific(text, text.index("Clinton"), bill, same, {}) is bill


def test_a_name_of_one_form_is_that_form_a_person_without_a_middle_initial():
    assert _person("Donald J. Trump").canonical == "Donald Trump"
    assert _person("George W. Bush").canonical == "George W. Bush"  # known by the initial
    org = _Name("org")
    org.forms["Department of Justice"] = 3
    assert org.canonical == "Department of Justice"
    # with two forms the longer, more frequent one still wins
    two = _person("Hillary Clinton")
    two.forms["Hillary Rodham Clinton"] = 2
    assert two.canonical == "Hillary Rodham Clinton"
