"""find_published skips ahead with clean._DATE_AT (a pattern that opens with a set of characters)
and asks clean._ANY_DATE for the groups where it stops: it must stop exactly where
_ANY_DATE.finditer matches, and nowhere else."""

import random

from annotate.converters.clean import _ANY_DATE, _DATE_AT, find_published


def _stops(head: str) -> list[tuple[int, int]]:
    """The spans find_published's loop reads, in order (each _ANY_DATE's match at a stop)."""
    out, pos = [], 0
    while (at := _DATE_AT.search(head, pos)) is not None:
        m = _ANY_DATE.match(head, at.start())
        assert m is not None, (head, at.start())
        out.append(m.span())
        pos = m.end()
    return out


def test_the_three_forms_and_their_word_boundaries():
    assert find_published("Posted 2024-11-06 by staff") == "2024-11-06"
    assert find_published("Updated Nov 6, 2024") == "2024-11-06"
    assert find_published("On Sept. 12, 2023 the vote") == "2023-09-12"
    assert find_published("Dated 06-11-2024") == "2024-11-06"  # day-month-year
    assert find_published("ref x2024-11-06 and A06-11-2024") == ""  # no word boundary before either
    assert find_published("Jan 5, 2020 then 2021-02-03") == "2021-02-03"  # an ISO date anywhere wins
    assert find_published("Code 13-13-2020") == ""  # month 13: no date


def test_stops_where_finditer_matches():
    rnd = random.Random(17)
    pieces = ["2024-11-06", "Nov 6, 2024", "Sept. 12, 2023", "06-11-2024", "1-2-2020", "May 5,  2020", "Mayday 5, 2020",
              "99-99-9999", "2024-1-06", "June", "Ju", "Dec", "A", "x", "_", "é", "٣", " ", "\n", "-", ",", ".", "0", "1"]
    heads = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10))) for _ in range(20000)]
    for head in heads:
        assert _stops(head) == [m.span() for m in _ANY_DATE.finditer(head)], head
