"""The on-disk cache of the labeling contract (labeling.cached_contract): it saves the SDK's
LabelInterface load on every run, so it must never answer for another config or SDK, nor trust
a file somebody else could have written."""

import json
import os

import pytest

from annotate import labeling
from annotate.labeling import cached_contract, labeling_config, read_contract


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def counted(monkeypatch):
    """Count the calls that go through LabelInterface."""
    calls = []
    real = labeling.read_contract

    def spy(config):
        calls.append(config)
        return real(config)

    monkeypatch.setattr(labeling, "read_contract", spy)
    return calls


def test_second_call_comes_from_the_cache_and_is_the_same_contract(cache, counted):
    config = labeling_config()
    first = cached_contract(config)
    second = cached_contract(config)
    assert first == second == read_contract(config)
    assert len(counted) == 1  # the SDK read it once; the second answer is the file
    files = list(cache.iterdir())
    assert len(files) == 1 and files[0].name.startswith("contract-")
    assert not files[0].stat().st_mode & 0o077  # private to the user


def test_another_config_text_is_never_answered_from_the_cache(cache, counted):
    config = labeling_config()
    cached_contract(config)
    # the same config without the polarity choice: a different contract, a different key
    start = config.index('<Choices name="polarity"')
    smaller = config[:start] + config[config.index("</Choices>", start) + len("</Choices>"):]
    assert 'name="polarity"' not in smaller
    got = cached_contract(smaller)
    assert [c.name for c in got.choices] == ["quote_type", "attribution", "target"]
    assert len(counted) == 2


def test_a_malformed_cache_file_is_rebuilt(cache, counted):
    config = labeling_config()
    cached_contract(config)
    (path,) = cache.iterdir()
    path.write_text(json.dumps({"labels_control": "label", "choices": "nonsense"}))
    assert cached_contract(config) == read_contract(config)
    assert len(counted) == 2
    assert json.loads(path.read_text())["choices"][0][0] == "quote_type"  # rewritten whole


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")
def test_a_cache_others_can_write_is_not_trusted(cache, counted):
    config = labeling_config()
    cached_contract(config)
    (path,) = cache.iterdir()
    # somebody with group write could have put a different contract there
    doctored = json.loads(path.read_text())
    doctored["labels"] = ["Speaker", "Quote", "Stance", "Evil"]
    path.write_text(json.dumps(doctored))
    os.chmod(cache, 0o770)
    assert cached_contract(config).labels == ("Speaker", "Quote", "Stance")
    assert len(counted) == 2


def test_an_unwritable_cache_place_still_gives_the_contract(tmp_path, monkeypatch, counted):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(blocker / "annotate"))
    assert cached_contract(labeling_config()) == read_contract(labeling_config())
