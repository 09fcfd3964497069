"""A real, short `python -m spacy train` on an exported set with the shipped spancat config."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotate.exports import export_dataset

from .conftest import missing_module
from .test_exports import seed_records, write_dataset

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(missing_module("spacy"), reason="annotate[spacy] not installed")


def test_shipped_config_is_the_export_config_with_its_paths(tmp_path):
    dataset = write_dataset(seed_records(), tmp_path / "dataset")
    export_dataset(dataset, "spacy", tmp_path / "exports")
    shipped = (ROOT / "labeling_config" / "spancat.cfg").read_text(encoding="utf-8")
    written = (tmp_path / "exports" / "spacy" / "config.cfg").read_text(encoding="utf-8")
    here = (tmp_path / "exports" / "spacy").as_posix()
    assert written == shipped.replace('"exports/spacy/', f'"{here}/')
    assert 'spans_key = "speaker"' in shipped and "vectors = null" in shipped


def test_config_paths_resolve_from_another_directory(tmp_path, monkeypatch):
    """`annotate export ... -o exports` run in one directory, `spacy train` in another: the
    config's [paths] must not depend on where the export ran."""
    from spacy.util import load_config

    write_dataset(seed_records(), tmp_path / "dataset")
    monkeypatch.chdir(tmp_path)
    export_dataset("dataset", "spacy", "exports")  # relative, as people type it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(tmp_path / "exports" / "spacy" / "config.cfg")
    for key, split in (("train", "train"), ("dev", "dev")):
        assert Path(config["paths"][key]).is_file()
        assert Path(config["paths"][key]).samefile(tmp_path / "exports" / "spacy" / f"{split}.spacy")


def test_spacy_train_with_the_shipped_config_writes_a_model(tmp_path, monkeypatch):
    import spacy

    dataset = write_dataset(seed_records(), tmp_path / "dataset")
    monkeypatch.chdir(tmp_path)
    export_dataset(dataset, "spacy", "exports")
    (tmp_path / "elsewhere").mkdir()
    started = time.monotonic()
    # the README's command, with a handful of steps, run from another directory than the export
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(tmp_path / "exports" / "spacy" / "config.cfg"),
         "--output", str(tmp_path / "model"), "--training.max_steps", "6",
         "--training.eval_frequency", "3"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path / "elsewhere")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert elapsed < 60, f"training took {elapsed:.0f} s"
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert nlp.pipe_names == ["tok2vec", "spancat"]
    assert nlp.get_pipe("spancat").labels == ("Speaker",)
    doc = nlp("Kremlin spokesperson Dmitry Peskov said talks would continue.")
    assert "speaker" in doc.spans  # the model writes the span group the config names
