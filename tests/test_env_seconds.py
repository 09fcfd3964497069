"""Durations read from the environment: one rule for every ANNOTATE_*_TIMEOUT variable."""

import pytest

from annotate.demo import START_TIMEOUT, start_timeout
from annotate.errors import UsageError
from annotate.studio import EXPORT_SECONDS_PER_ITEM, EXPORT_WAIT_FLOOR, export_timeout

READERS = [
    ("ANNOTATE_START_TIMEOUT", lambda: start_timeout(), START_TIMEOUT),
    ("ANNOTATE_EXPORT_TIMEOUT", lambda: export_timeout(10, 2), EXPORT_WAIT_FLOOR + 12 * EXPORT_SECONDS_PER_ITEM),
]


@pytest.mark.parametrize("name,read,default", READERS)
def test_unset_or_blank_gives_the_default(monkeypatch, name, read, default):
    monkeypatch.delenv(name, raising=False)
    assert read() == default
    monkeypatch.setenv(name, "   ")
    assert read() == default


@pytest.mark.parametrize("name,read,default", READERS)
@pytest.mark.parametrize("raw,seconds", [("2.5", 2.5), (" 90 ", 90.0), ("1e3", 1000.0)])
def test_a_number_of_seconds_is_taken(monkeypatch, name, read, default, raw, seconds):
    monkeypatch.setenv(name, raw)
    assert read() == seconds


@pytest.mark.parametrize("name,read,default", READERS)
@pytest.mark.parametrize("raw", ["0", "-5", "inf", "nan", "soon", "10 min", "1" * 400 + "x"])
def test_anything_else_is_a_usage_error_naming_the_variable(monkeypatch, name, read, default, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(UsageError) as err:
        read()
    message = str(err.value)
    assert name in message and "seconds above 0" in message
    assert len(message) < 160  # a 400-character value is cut, not echoed whole
