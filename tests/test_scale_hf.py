"""The Hugging Face export at scale (issue 18): saving a split never reads through its
memory-mapped Arrow file, whose touched pages would stay resident (RssFile grew 72 -> 214 MB
from 10,000 to 100,000 records while RssAnon stayed at ~170 MB)."""

from __future__ import annotations

import pytest

from annotate.exports import export_dataset

from .conftest import missing_module
from .test_exports import seed_records, write_dataset

pytestmark = pytest.mark.skipif(missing_module("datasets"), reason="annotate[hf] not installed")


def test_saving_a_split_does_not_size_it_through_its_mapping(tmp_path, monkeypatch):
    """`Table.nbytes` of a mapped split reads every offsets buffer through the mapping: the
    size save_to_disk asks for is the one summed while the split was written."""
    from datasets.table import MemoryMappedTable

    sized = []
    nbytes = MemoryMappedTable.nbytes  # the property datasets' Dataset._estimate_nbytes reads
    monkeypatch.setattr(MemoryMappedTable, "nbytes", property(lambda self: sized.append(self) or nbytes.fget(self)))
    records = seed_records()
    dataset = write_dataset(records, tmp_path / "dataset")
    report = export_dataset(dataset, "hf", tmp_path / "out")
    assert sum(report.splits.values()) == len(records) == 5
    assert sized == []


def test_the_summed_size_is_the_tables_own(tmp_path):
    """What save_to_disk is told is what it would have measured: the card's num_bytes per
    split (summed batch by batch while writing) equal the saved table's nbytes."""
    import yaml
    from datasets import load_from_disk

    records = seed_records()
    dataset = write_dataset(records, tmp_path / "dataset")  # seed 5: 3 train, 1 dev, 1 test
    export_dataset(dataset, "hf", tmp_path / "out")
    saved = load_from_disk(str(tmp_path / "out" / "hf" / "arrow"))
    card = (tmp_path / "out" / "hf" / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    splits = {s["name"]: s for s in yaml.safe_load(card)["dataset_info"]["splits"]}
    assert {name: splits[name]["num_examples"] for name in splits} == {"train": 3, "dev": 1, "test": 1}
    assert {name: splits[name]["num_bytes"] for name in splits} == {name: saved[name].data.nbytes for name in saved}
