"""find_antecedent with the per-text cache finds what it finds without one (speakers._earlier)."""
from annotate.converters.speakers import find_antecedent


def _spans(text, words):
    out, at = [], 0
    for w in words:
        at = text.index(w, at)
        out.append((at, at + len(w)))
        at += len(w)
    return out


TEXT = ("Ana Ruiz said the plan works. She added that Ruiz would stay. "
        "Dmitry Peskov said no. He said it twice. Peskov left. Ruiz said yes.")
NAMED = _spans(TEXT, ["Ana Ruiz", "She", "Ruiz", "Dmitry Peskov", "He", "Peskov", "Ruiz"])


def test_cached_and_uncached_agree_mention_by_mention():
    cache: dict = {}
    for sp in NAMED:
        for fallback in (False, True):
            assert find_antecedent(TEXT, sp, NAMED, fallback, cache) == find_antecedent(TEXT, sp, NAMED, fallback)


def test_pronouns_and_bare_names_reach_the_fuller_mention_through_the_cache():
    cache: dict = {}
    ana, she, ruiz, peskov_full, he, peskov, ruiz2 = NAMED
    assert find_antecedent(TEXT, she, NAMED, cache=cache) == ana
    assert find_antecedent(TEXT, ruiz, NAMED, cache=cache) == ana
    assert find_antecedent(TEXT, he, NAMED, cache=cache) == peskov_full
    assert find_antecedent(TEXT, peskov, NAMED, cache=cache) == peskov_full
    # the same cache, a second list (as tasks._plan passes `speech` then `named`): the list's own entries
    speech = [peskov_full]
    assert find_antecedent(TEXT, ruiz2, speech, fallback=False, cache=cache) is None
    assert find_antecedent(TEXT, ruiz2, NAMED, cache=cache) == ana
    # with the fallback, a bare surname finds the first full mention in the text itself
    assert find_antecedent(TEXT, ruiz2, speech, cache=cache) == ana
