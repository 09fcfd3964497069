"""Unit tier: the fast paths pull runs on every task of an export say what the plain code says."""

import random
from collections import OrderedDict

from annotate.exportfile import _deeper_than
from annotate.labeling import is_int


def depth(value) -> int:
    """Levels of lists/objects, by plain recursion (a scalar is 0, [] is 1, [[1]] is 2)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def random_value(rng, levels):
    if levels <= 0 or rng.random() < 0.3:
        return rng.choice([1, "x", None, 2.5, True, [], {}, OrderedDict(), 10**30])
    r = rng.random()
    if r < 0.4:
        return [random_value(rng, levels - rng.randint(1, 2)) for _ in range(rng.randint(0, 4))]
    if r < 0.8:
        return {str(i): random_value(rng, levels - rng.randint(1, 2)) for i in range(rng.randint(0, 4))}
    return OrderedDict((str(i), random_value(rng, levels - 1)) for i in range(rng.randint(0, 3)))


def test_deeper_than_is_the_recursive_depth_compared_with_the_limit():
    rng = random.Random(7)
    for _ in range(3000):
        value = random_value(rng, rng.randint(0, 10))
        d = depth(value)
        for limit in (0, 1, 2, 3, 5, 8):
            assert _deeper_than(value, limit) is (d > limit), (value, limit)


def test_deeper_than_at_the_edges():
    nested = []
    for _ in range(64):  # 64 levels of lists: at the limit, not over it
        nested = [nested]
    assert depth(nested) == 65 and _deeper_than(nested, 65) is False and _deeper_than(nested, 64) is True
    assert _deeper_than("a string", 0) is False
    assert _deeper_than({}, 0) is True and _deeper_than({}, 1) is False
    assert _deeper_than(OrderedDict(a=OrderedDict(b=[1])), 2) is True  # dict subclasses are walked as objects


def test_is_int_is_an_int_and_not_a_bool():
    class Count(int):
        pass

    assert is_int(3) and is_int(-1) and is_int(10**30) and is_int(Count(2))
    assert not is_int(True) and not is_int(False) and not is_int(1.0) and not is_int("1") and not is_int(None)
