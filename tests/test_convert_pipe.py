"""`annotate convert ... | head -1`: a reader that closes the pipe early ends convert quietly,
exit 0, as other Unix tools do (it exited 1 without a word: click's own EPIPE handler)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.mark.xfail(strict=True, reason="needs the BrokenPipeError handler in cli.AnnotateGroup.invoke "
                                       "(asked of cli.py's owner); remove this mark with it")
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
