"""`annotate convert --jobs N`: parallel conversion, same bytes, input order, bounded memory."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from annotate.convert import (
    ConvertStats,
    _convert_line,
    _convert_one,
    _in_parallel,
    convert_paths,
    default_jobs,
)

from .conftest import SEEDS, need_shared


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_jobs_two_writes_the_same_bytes_as_jobs_one_on_the_seeds(tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run("convert", str(SEEDS), "--jobs", "1", "-o", str(one)).exit_code == 0
    assert run("convert", str(SEEDS), "--jobs", "2", "-o", str(two)).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    # In input order: the seeds directory sorted by name.
    names = sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert [json.loads(line)["data"]["doc_id"] for line in two.read_text().splitlines()] == names


def test_jobs_two_writes_the_same_bytes_as_jobs_one_on_a_corpus_sample(tmp_path):
    text = need_shared("corpora", "polnear-train", "text")
    files = sorted(str(p) for p in text.glob("*.txt"))[:60]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    convert_paths(files, str(one), jobs=1)
    convert_paths(files, str(two), jobs=2)
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_text().splitlines()) == 60


def test_at_most_two_documents_per_worker_are_in_flight():
    """Memory is bounded by a few articles: the reader is not run ahead of the writer."""
    pulled = []

    def docs():
        for i in range(20):
            pulled.append(i)
            yield {"raw": f"Doc {i}. \u201cWe will see,\u201d Ann Lee said.", "doc_id": f"d{i:02d}", "source_file": ""}

    tasks = _in_parallel(_convert_one, docs(), jobs=2)
    first = next(tasks)
    assert first["data"]["doc_id"] == "d00"
    assert len(pulled) == 4  # 2 jobs x 2 in flight, then the first result is handed out
    rest = list(tasks)
    assert [t["data"]["doc_id"] for t in rest] == [f"d{i:02d}" for i in range(1, 20)]


def test_a_worker_error_reaches_the_caller():
    with pytest.raises(KeyError):
        list(_in_parallel(_convert_line, iter([{"doc_id": "no-raw", "source_file": ""}] * 3), jobs=2))


def test_jobs_zero_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["convert", str(SEEDS), "--jobs", "0", "-o", str(tmp_path / "t.jsonl")])
    assert result.exit_code == 2
    assert "--jobs" in result.output


def test_the_default_is_one_process_per_core():
    import os

    assert default_jobs() == len(os.sched_getaffinity(0))


def test_ctrl_c_stops_the_workers_and_exits_130(tmp_path):
    """Ctrl-C during a parallel convert: one line, exit 130, no output file, no worker left."""
    articles = tmp_path / "in"
    articles.mkdir()
    body = " ".join(f"\u201cWe will talk about item {i},\u201d Ann Lee said." for i in range(400))
    for i in range(3000):  # far more work than the test waits for: still running when Ctrl-C comes
        (articles / f"a{i:04d}.txt").write_text(body)
    out = tmp_path / "tasks.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "annotate", "convert", str(articles), "--jobs", "2",
                             "-o", str(out)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            # A background job (CI) inherits SIGINT ignored; a user's Ctrl-C
                            # reaches a foreground one, whose SIGINT is the default.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Interrupt once tasks are being written: the workers are up and busy then.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            partial = list(tmp_path.glob(".tasks.jsonl.*.tmp"))
            if partial and partial[0].stat().st_size > 0:
                break
            time.sleep(0.05)
        children = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        time.sleep(1)
        left = [pid for pid in children if _alive(pid)]  # what Ctrl-C itself did not stop
    finally:  # whatever happened, nothing of the convert (its fork server, workers) outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert children, "no worker processes were seen"
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".tasks.jsonl.*.tmp"))
    assert not left


def _children(pid):
    """Every descendant pid of `pid` (workers and the fork server)."""
    import os

    found, stack = [], [pid]
    while stack:
        parent = stack.pop()
        path = f"/proc/{parent}/task/{parent}/children"
        if os.path.exists(path):
            kids = [int(x) for x in open(path).read().split()]
            found += kids
            stack += kids
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_send_lines_and_counts_that_add_up_as_the_tasks_do():
    """With --jobs > 1 the workers serialise: the parent's summary counts must be the same
    as counting the tasks themselves."""
    docs = [{"raw": "Doc. \u201cWe will see,\u201d Ann Lee said. \u201cGo,\u201d Bo Ray said.", "doc_id": "d1",
             "source_file": ""}]
    line, counts = _convert_line(docs[0])
    task = _convert_one(docs[0])
    by_tasks, by_counts = ConvertStats(), ConvertStats()
    by_tasks.add(task)
    by_counts.add_counts(counts)
    assert by_counts == by_tasks
    assert by_tasks.quotes == 2 and by_tasks.speakers == 2  # two quotes, each with its speaker
    assert json.loads(line) == task
