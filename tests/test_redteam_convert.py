"""Red-team: `annotate convert` on hostile inputs (encodings, text that cleans away)."""

import json

from click.testing import CliRunner

from annotate.cli import cli

QUOTE = '"We will win," Jane Smith said.\n'


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def tasks_of(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_utf16_with_a_bom_is_read_as_text_not_skipped_as_binary(tmp_path):
    # Notepad's "Unicode" is UTF-16 LE with a BOM; its ASCII characters carry NUL bytes
    (tmp_path / "le.txt").write_bytes("\ufeff".encode("utf-16-le") + QUOTE.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes("\ufeff".encode("utf-16-be") + QUOTE.encode("utf-16-be"))
    out = tmp_path / "tasks.jsonl"
    result = run("convert", str(tmp_path / "le.txt"), str(tmp_path / "be.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output
    tasks = tasks_of(out)
    # the same article as UTF-8 gives the same text (cleaning keeps the final newline)
    assert [t["data"]["text"] for t in tasks] == [QUOTE, QUOTE]
    for task in tasks:  # the BOM is not part of the text and the quote is found
        labels = [r["value"]["labels"][0] for r in task["predictions"][0]["result"] if r["type"] == "labels"]
        assert "Quote" in labels and "Speaker" in labels


def test_a_file_of_nul_bytes_is_still_skipped_as_binary(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b'"We will\x00 win," she said.')
    out = tmp_path / "tasks.jsonl"
    result = run("convert", str(tmp_path / "nul.txt"), "-o", str(out))
    assert "binary" in result.output
    assert out.read_text() == ""


def test_an_article_that_cleans_to_nothing_is_skipped_not_an_empty_task(tmp_path):
    # only boilerplate, or only invisible characters: no text is left to annotate, and a task
    # with an empty data.text could never become a gold record (pull rejects it: missing_text)
    (tmp_path / "boiler.txt").write_text("Skip to main content\nShare on Facebook\n", encoding="utf-8")
    (tmp_path / "invisible.txt").write_text("\u00a0\u200b\ufeff\u2003\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text(QUOTE, encoding="utf-8")
    for jobs in ("1", "2"):
        out = tmp_path / f"tasks{jobs}.jsonl"
        result = run("convert", str(tmp_path), "-o", str(out), "--jobs", jobs)
        assert result.exit_code == 0, result.output
        tasks = tasks_of(out)
        assert [t["data"]["doc_id"] for t in tasks] == ["good"]
        assert "boiler.txt" in result.output and "invisible.txt" in result.output
        assert "Converted 1 docs" in result.output and "2 inputs skipped" in result.output


def test_ctrl_c_while_a_worker_starts_waits_until_the_start_is_done(monkeypatch):
    # Ctrl-C used to land inside ProcessPoolExecutor.submit while it started a worker: the
    # worker, half-started, then failed to unpickle the pool's already released locks and
    # printed a traceback under "Interrupted: ...". The signal must wait for submit to return.
    import os
    import signal
    import threading
    import time
    from concurrent.futures import Future

    import annotate.convert as convert_module

    finished = []

    class Pool:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, fn, *args):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C half-way through starting a worker
            time.sleep(0.05)  # time for the handler to run, wherever the signal landed
            finished.append(True)
            future = Future()
            future.set_result(fn)
            return future

    monkeypatch.setattr(convert_module, "ProcessPoolExecutor", Pool)
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    # another thread of the process (a server, a progress bar) may be the one the kernel
    # hands the signal to: holding it must not depend on a signal mask of this thread
    idle = threading.Event()
    other = threading.Thread(target=idle.wait, daemon=True)
    other.start()
    try:
        try:
            list(convert_module._in_parallel(str, [{"raw": "x"}], 1))
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the Ctrl-C was lost")
    finally:
        signal.signal(signal.SIGINT, old)
        idle.set()
    assert finished == [True]


def test_files_with_the_same_name_in_different_folders_get_different_doc_ids(tmp_path):
    # news/2024/a/story.txt and news/2024/b/story.txt: one doc_id each, else pull keeps one
    # record and rejects the rest as duplicate_record (an accepted prediction must be gold)
    import hashlib

    from annotate.accept import accepted_export
    from annotate.pull import build_dataset, export_items

    for sub, quote in (("a", '"We will win," Peskov said.\n'), ("b", '"We will lose," Smith said.\n')):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "story.txt").write_text(quote, encoding="utf-8")
    (tmp_path / "in" / "story.TXT").write_text('"Same," Jones said.\n', encoding="utf-8")
    out = tmp_path / "tasks.jsonl"
    result = run("convert", str(tmp_path / "in"), "-o", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    tasks = tasks_of(out)
    second = str(tmp_path / "in" / "b" / "story.txt")
    third = str(tmp_path / "in" / "story.TXT")
    # inputs in sorted order; the first keeps its stem, the others add a hash of their path
    assert [t["data"]["doc_id"] for t in tasks] == [
        "story", "story-" + hashlib.sha256(second.encode()).hexdigest()[:8],
        "story-" + hashlib.sha256(third.encode()).hexdigest()[:8]]
    assert "already used by" in result.output
    summary = build_dataset(export_items(accepted_export(tasks)), None, source={}, dry_run=True)
    assert (summary.counts.gold, summary.counts.rejected) == (3, 0)


def test_a_stray_nul_past_the_binary_check_is_removed_from_the_text(tmp_path):
    # a NUL in the first 8 KiB marks a binary file; one further on reached data.text as
    # \u0000, which Label Studio on PostgreSQL refuses to store
    path = tmp_path / "late.txt"
    path.write_bytes(b"Intro line.\n" + b"x " * 5000 + b'\n"We will win," Peskov\x00 said.\n')
    out = tmp_path / "tasks.jsonl"
    result = run("convert", str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "1 NUL character removed" in result.output
    (task,) = tasks_of(out)
    assert "\x00" not in task["data"]["text"]
    assert task["data"]["text"].endswith('"We will win," Peskov said.\n')
