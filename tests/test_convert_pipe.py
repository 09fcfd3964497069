"""`annotate convert ... | head -1`: a reader that closes the pipe early ends convert quietly,
exit 0, as other Unix tools do (it exited 1 without a word: click's own EPIPE handler)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_stdout_ends_convert_quietly(jobs, tmp_path):
    for i in range(4):  # 20 articles: more than a pipe holds, so convert is still writing when it closes
        for f in SEEDS.glob("*.txt"):
            (tmp_path / f"{i}_{f.name}").write_bytes(f.read_bytes())
    env = {**os.environ, "ANNOTATE_DEBUG": ""}
    env.pop("PYTEST_CURRENT_TEST", None)
    proc = subprocess.Popen([sys.executable, "-m", "annotate", "convert", str(tmp_path), "--jobs", jobs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does once it has its line
    _, err = proc.communicate(timeout=300)
    assert first.startswith(b'{"data":')
    assert err.decode() == ""
    assert proc.returncode == 0


def test_a_closed_stdout_stops_any_other_command_with_a_line_and_exit_2():
    """`validate` is not a filter: what it prints may be all the user gets (the same path
    carries a new account's password in `users`/`push`), so a reader that went away is an
    error naming what happened, exit 2 — not click's silent exit 1."""
    env = {**os.environ, "ANNOTATE_DEBUG": ""}
    env.pop("PYTEST_CURRENT_TEST", None)
    bad = Path(__file__).resolve().parent / "data" / "bad_offsets.json"
    proc = subprocess.Popen([sys.executable, "-m", "annotate", "validate", str(bad)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    proc.stdout.close()  # gone before validate prints its first line
    _, err = proc.communicate(timeout=120)
    assert err.decode().strip() == "Error: the output pipe was closed before everything was written"
    assert proc.returncode == 2
