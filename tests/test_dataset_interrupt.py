"""Ctrl-C while `pull` makes its workspace (DatasetWriter's constructor, before any `with`
block owns it) leaves nothing behind: no workspace, and no output directory it created."""

from __future__ import annotations

import pytest

from annotate import dataset


def test_ctrl_c_while_the_workspace_is_made_leaves_nothing(tmp_path, monkeypatch):
    made = []

    class Interrupting:
        def __init__(self, path):
            made.append(path)
            if len(made) == 2:  # gold.jsonl is open, the workspace exists: Ctrl-C now
                raise KeyboardInterrupt

        def abort(self):
            pass

    monkeypatch.setattr(dataset, "_HashingFile", Interrupting)
    out = tmp_path / "ds"
    with pytest.raises(KeyboardInterrupt):
        dataset.DatasetWriter(out)
    assert len(made) == 2 and made[0].parent.parent.parent == out  # it did get that far
    assert not out.exists()


def test_ctrl_c_there_keeps_an_output_directory_that_was_there(tmp_path, monkeypatch):
    out = tmp_path / "ds"
    out.mkdir()  # empty: a directory the user made for the dataset

    def interrupt(_path):
        raise KeyboardInterrupt

    monkeypatch.setattr(dataset, "_HashingFile", interrupt)
    with pytest.raises(KeyboardInterrupt):
        dataset.DatasetWriter(out)
    assert out.is_dir() and list(out.iterdir()) == []
