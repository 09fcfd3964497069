"""Hardening: the dataset directory, Ctrl-C, bad options and hostile inputs (issue 15).

Each test reproduces one way a user lost files or got a traceback, and asserts what must
happen instead. Subprocess tests run the real `annotate` console script.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate import dataset, gold
from annotate.cli import cli
from annotate.dataset import DatasetWriter, assign_split, parse_split
from annotate.errors import UsageError
from annotate.pull import pull

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid.json"  # two valid tasks: doc_001, doc_002
ANNOTATE = Path(sys.executable).parent / "annotate"
NOTES = [f"note{i}.txt" for i in range(1, 7)]


def user_env() -> dict:
    """The environment a user's shell gives: without pytest's marker, which makes
    annotate re-raise unexpected errors instead of reporting them."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def run(args, cwd=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(ANNOTATE), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL, env=user_env(), **kwargs)


def dataset_with_notes(root: Path) -> Path:
    """An earlier dataset `root/ds` plus the user's own files in it (the issue's repro)."""
    ds = root / "ds"
    assert run(["pull", "--from-file", str(VALID), "-o", str(ds)]).returncode == 0
    for name in NOTES:
        (ds / name).write_text(f"my {name}")
    (ds / "exports").mkdir()
    (ds / "exports" / "mine.txt").write_text("keep me")
    return ds


def assert_user_files_kept(ds: Path) -> None:
    for name in NOTES:
        assert (ds / name).read_text() == f"my {name}"
    assert (ds / "exports" / "mine.txt").read_text() == "keep me"


def assert_complete_dataset(ds: Path, ids=("doc_001", "doc_002")) -> None:
    manifest = json.loads((ds / "manifest.json").read_text())
    gold_ids = {json.loads(line)["id"] for line in (ds / "gold.jsonl").read_text().splitlines()}
    assert gold_ids == set(ids)
    assert manifest["counts"]["gold"] == len(ids)
    assert not list(ds.glob(".annotate-pull-*")), "workspace left behind"
    assert not list(ds.parent.glob(f".{ds.name}.*")), "staging left beside the dataset"


# --- 1. the output directory -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["dot", "dotdot", "symlink", "trailing-slash"])
def test_pull_into_an_earlier_dataset_keeps_every_user_file(tmp_path, how):
    ds = dataset_with_notes(tmp_path)
    if how == "dot":
        cwd, out = ds, "."
    elif how == "dotdot":
        (ds / "sub").mkdir()
        cwd, out = ds / "sub", ".."
    elif how == "symlink":
        (tmp_path / "link").symlink_to(ds, target_is_directory=True)
        cwd, out = tmp_path, "link"
    else:
        cwd, out = tmp_path, "ds/"
    result = run(["pull", "--from-file", str(VALID), "-o", out], cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr
    assert_user_files_kept(ds)
    assert_complete_dataset(ds)
    if how == "symlink":
        assert (tmp_path / "link").is_symlink()
    if how == "dotdot":
        assert (ds / "sub").is_dir()


def test_a_failed_swap_restores_the_old_dataset(tmp_path, monkeypatch):
    ds = dataset_with_notes(tmp_path)
    before = {p.relative_to(ds): p.read_bytes() for p in ds.rglob("*") if p.is_file()}
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 4:  # in the middle: some old entries aside, none of the new in yet
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(dataset.os, "replace", failing_replace)
    with pytest.raises(UsageError, match="unchanged"):
        pull(None, ds, from_file=DATA / "bad_offsets.json")
    after = {p.relative_to(ds): p.read_bytes() for p in ds.rglob("*") if p.is_file()}
    assert after == before
    assert not list(ds.glob(".annotate-pull-*"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_pull_killed_in_the_middle_of_its_swap_is_rolled_back_by_the_next(tmp_path):
    """A real SIGKILL after two of the swap's renames; the next pull restores, then writes."""
    ds = dataset_with_notes(tmp_path)
    old_gold = (ds / "gold.jsonl").read_bytes()
    script = f"""
import os, annotate.dataset as g
from annotate.pull import pull
real = os.replace
n = {{"calls": 0}}
def replace(src, dst):
    n["calls"] += 1
    if n["calls"] == 8:  # old entries aside (5), two new ones in, then killed
        os.kill(os.getpid(), 9)
    return real(src, dst)
g.os.replace = replace
pull(None, {str(ds)!r}, from_file={str(DATA / 'bad_offsets.json')!r})
"""
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert not (ds / "manifest.json").exists()  # the marker of a complete dataset is gone
    assert list(ds.glob(".annotate-pull-*"))
    # Any later pull into the directory first restores the old dataset, then replaces it.
    from annotate.dataset import recover_output_dir

    handled = recover_output_dir(ds)
    assert any("restored" in line for line in handled)
    assert (ds / "gold.jsonl").read_bytes() == old_gold
    assert_user_files_kept(ds)
    assert_complete_dataset(ds)
    assert run(["pull", "--from-file", str(VALID), "-o", str(ds)]).returncode == 0
    assert_complete_dataset(ds)


def test_a_sigkilled_pull_leaves_a_workspace_that_the_next_pull_removes(tmp_path):
    ds = dataset_with_notes(tmp_path)
    fifo = tmp_path / "export.fifo"
    os.mkfifo(fifo)  # the pull blocks reading it: killed while it works
    child = subprocess.Popen([str(ANNOTATE), "pull", "--from-file", str(fifo), "-o", str(ds)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=user_env())
    try:
        deadline = time.monotonic() + 60
        while not list(ds.glob(".annotate-pull-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(ds.glob(".annotate-pull-*"))
        child.kill()
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert list(ds.glob(".annotate-pull-*")) and (ds / "manifest.json").exists()
    result = run(["pull", "--from-file", str(VALID), "-o", str(ds)])
    assert result.returncode == 0, result.stderr
    assert_user_files_kept(ds)
    assert_complete_dataset(ds)


def test_a_workspace_of_a_running_pull_is_left_alone(tmp_path):
    ds = dataset_with_notes(tmp_path)
    live = ds / ".annotate-pull-abc"
    live.mkdir()
    (live / "owner").write_text(f"{os.uname().nodename} {os.getpid()}\n")
    dead = ds / ".annotate-pull-def"
    dead.mkdir()
    (dead / "owner").write_text(f"{os.uname().nodename} {_dead_pid()}\n")
    assert run(["pull", "--from-file", str(VALID), "-o", str(ds)]).returncode == 0
    assert live.is_dir() and not dead.exists()


def test_a_failed_pull_into_a_new_directory_leaves_nothing(tmp_path):
    out = tmp_path / "new"
    with pytest.raises(Exception, match="doc_002"):
        pull(None, out, from_file=DATA / "bad_offsets.json", on_error="fail")
    assert not out.exists()


def test_pull_checks_the_output_before_contacting_the_server(tmp_path):
    """A directory pull would refuse is reported before the (possibly long) download."""
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["pull", "--project", "1", "-o", str(tmp_path),
                                      "--url", "http://127.0.0.1:9", "--api-key", "x" * 40])
    assert result.exit_code == 2, result.output
    assert "holds no earlier dataset" in result.output and "127.0.0.1" not in result.output


# --- Ctrl-C ------------------------------------------------------------------------------------


def _default_sigint():
    # A background job inherits SIGINT ignored; a user's Ctrl-C reaches a foreground one.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_in_pull_exits_130_with_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "ds"
    fifo = tmp_path / "export.fifo"
    os.mkfifo(fifo)
    child = subprocess.Popen([str(ANNOTATE), "pull", "--from-file", str(fifo), "-o", str(out)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, preexec_fn=_default_sigint, env=user_env())
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob(".annotate-pull-*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Interrupted:") and "re-running" in lines[0], err
    assert "Aborted" not in err and "Traceback" not in err
    assert not out.exists()


# --- --split -----------------------------------------------------------------------------------


@pytest.mark.parametrize("split", ["nan,0,1", "0.8,nan,0.2", "-0.1,0.6,0.5", "inf,0,0",
                                   "0.8,0.1", "a,b,c", "1e309,0,0", "0.5,0.5,0.5"])
def test_bad_split_ratios_are_a_usage_error_and_write_nothing(tmp_path, split):
    out = tmp_path / "ds"
    result = CliRunner().invoke(cli, ["pull", "--from-file", str(VALID), "-o", str(out), "--split", split])
    assert result.exit_code == 2, result.output
    assert "split" in result.output and not out.exists()
    with pytest.raises(ValueError):
        parse_split(split)


def _records(n: int) -> list[dict]:
    task = json.loads(VALID.read_text())[0]
    out = []
    for i in range(n):
        t = copy.deepcopy(task)
        t["data"]["doc_id"] = f"doc_{i}"
        t["data"]["text"] += f" Story {i}."
        out.append(gold.build_record(t, t["annotations"][0]))
    return out


def _write(out: Path, records: list[dict], ratios=(0.8, 0.1, 0.1)) -> dict:
    with DatasetWriter(out, ratios=ratios) as w:
        for r in records:
            w.add_gold(r)
        manifest = w.commit({"file": "x"})
    splits = {}
    for name in ("train", "dev", "test"):
        splits[name] = [json.loads(x)["id"] for x in (out / "splits" / f"{name}.jsonl").read_text().splitlines()]
    assert manifest["counts"]["splits"] == {k: len(v) for k, v in splits.items() if v}
    return splits


def test_three_records_give_one_to_each_split_whatever_their_order(tmp_path):
    records = _records(3)
    first = _write(tmp_path / "a", records)
    assert sorted(len(v) for v in first.values()) == [1, 1, 1]
    assert _write(tmp_path / "b", records[::-1]) == first  # deterministic, order-independent
    # the files hold exactly what gold.jsonl holds
    assert sorted(sum(first.values(), [])) == ["doc_0", "doc_1", "doc_2"]


def test_a_split_with_ratio_zero_stays_empty(tmp_path):
    splits = _write(tmp_path / "a", _records(4), ratios=(0.5, 0.0, 0.5))
    assert splits["dev"] == [] and splits["train"] and splits["test"]


def test_large_datasets_keep_the_hash_assignment(tmp_path):
    records = _records(60)
    splits = _write(tmp_path / "a", records)
    expected = {name: [r["id"] for r in records if assign_split(r) == name] for name in ("train", "dev", "test")}
    if all(expected.values()):  # 60 documents at 0.8/0.1/0.1 fill every split by hash alone
        assert splits == expected


def test_an_empty_split_is_warned_about(tmp_path):
    """Two gold records cannot fill three splits: pull says which split is empty."""
    result = CliRunner().invoke(cli, ["pull", "--from-file", str(VALID), "-o", str(tmp_path / "ds")])
    assert result.exit_code == 0
    manifest = json.loads((tmp_path / "ds" / "manifest.json").read_text())
    empty = [s for s in ("train", "dev", "test") if not manifest["counts"]["splits"].get(s)]
    assert len(empty) >= 1
    assert "warning: split" in result.output and all(s in result.output for s in empty)


# --- hostile exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["array", "jsonl", "inside-task"])
def test_deeply_nested_json_is_a_clean_reject(tmp_path, shape):
    depth = 200_000
    path = tmp_path / ("x.jsonl" if shape == "jsonl" else "x.json")
    nested = "[" * depth + "]" * depth
    if shape == "array":
        path.write_text(f"[{nested}]")
    elif shape == "jsonl":
        path.write_text('{"data": ' + nested + "}\n")
    else:
        task = json.loads(VALID.read_text())[0]
        task["data"]["extra"] = "HOLE"
        path.write_text("[" + json.dumps(task).replace('"HOLE"', "[" * 500 + "]" * 500) + "]")
    for args in (["validate", str(path)], ["pull", "--from-file", str(path), "-o", str(tmp_path / "ds")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert "too_deep" in result.output and "Traceback" not in result.output


# --- the dataset card --------------------------------------------------------------------------


def test_the_card_names_the_project_in_words():
    source = {"project": {"id": 3, "title": "News", "config_hash": "ab"}, "url": "http://h:8080"}
    card = dataset.render_card(dataset.Counts(), source, 0, (0.8, 0.1, 0.1), {})
    assert 'project 3 "News" at http://h:8080' in card
    assert "{" not in card.split("\n")[2]


# --- convert: inputs that used to vanish or crash ----------------------------------------------


ARTICLE = 'Officials met on Monday. "We will see," Peskov told reporters.\n'


def test_convert_reports_what_a_directory_cannot_give(tmp_path, monkeypatch):
    src = tmp_path / "src"
    (src / "locked").mkdir(parents=True)
    (src / "locked" / "hidden.txt").write_text(ARTICLE)
    (src / "good.txt").write_text(ARTICLE)
    os.mkfifo(src / "pipe.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    (src / "gone.txt").symlink_to(src / "nowhere.txt")
    bad_name = os.fsencode(str(src)) + b"/caf\xe9.txt"
    with open(bad_name, "w") as fh:
        fh.write(ARTICLE)
    # root reads every directory: make one unreadable the way a permission error looks
    import annotate.convert as convert_module

    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(convert_module.os, "scandir", scandir)
    out = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(cli, ["convert", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    tasks = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    names = sorted(Path(t["meta"]["source_file"]).name for t in tasks)
    assert names == ["caf\ufffd.txt", "good.txt"]
    assert len({t["data"]["doc_id"] for t in tasks}) == 2
    for what in ("locked", "pipe.txt", "loop.txt", "gone.txt"):
        assert what in result.output, what
    assert "4 inputs skipped" in result.output
    assert "Permission denied" in result.output and "named pipe" in result.output
    assert "symbolic link loop" in result.output and "broken symbolic link" in result.output


def test_a_named_pipe_given_directly_is_read_and_a_loop_is_named(tmp_path):
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(ARTICLE), daemon=True)
    writer.start()
    result = run(["convert", str(fifo)])
    writer.join(10)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["data"]["text"].startswith("Officials")
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    result = run(["convert", str(loop)])
    assert result.returncode == 2 and "symbolic link loop" in result.stderr
    assert "no such file" not in result.stderr


def test_files_written_respect_the_umask(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE)
    old = os.umask(0o027)
    try:
        assert run(["convert", str(src), "-o", str(tmp_path / "t.jsonl")]).returncode == 0
        assert run(["pull", "--from-file", str(VALID), "-o", str(tmp_path / "ds")]).returncode == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "t.jsonl").stat().st_mode) == 0o640
    for f in ("gold.jsonl", "manifest.json", "README.md", "splits/train.jsonl"):
        assert stat.S_IMODE((tmp_path / "ds" / f).stat().st_mode) == 0o640, f
    assert stat.S_IMODE((tmp_path / "ds").stat().st_mode) == 0o750


def test_disk_full_is_one_line_in_convert_and_pull(tmp_path, monkeypatch):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE)
    # /dev/full answers every write with ENOSPC: a real full disk for stdout
    with open("/dev/full", "w") as full:
        result = subprocess.run([str(ANNOTATE), "convert", str(src)], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=60, env=user_env())
    assert result.returncode == 2, result.stderr
    assert "No space left on device" in result.stderr and "bug" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and the convert summary at most

    def full_write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.path))

    monkeypatch.setattr(dataset._HashingFile, "write", full_write)
    out = tmp_path / "ds"
    result = CliRunner().invoke(cli, ["pull", "--from-file", str(VALID), "-o", str(out)])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert not out.exists()


def test_unwritable_output_is_one_line(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE)
    (tmp_path / "plainfile").write_text("x")
    result = run(["convert", str(src), "-o", str(tmp_path / "plainfile" / "t.jsonl")])
    assert result.returncode == 2 and "cannot write" in result.stderr and "bug" not in result.stderr
    result = run(["pull", "--from-file", str(VALID), "-o", str(tmp_path / "plainfile" / "ds")])
    assert result.returncode == 2 and "bug" not in result.stderr, result.stderr


def test_closed_stdin_and_stdout_are_one_line(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE)
    closed_out = subprocess.run(["sh", "-c", f'exec "{ANNOTATE}" convert "{src}" >&-'],
                                stderr=subprocess.PIPE, text=True, timeout=60, env=user_env())
    assert closed_out.returncode == 2 and "standard output is closed" in closed_out.stderr
    closed_in = subprocess.run(["sh", "-c", f'exec "{ANNOTATE}" convert - <&-'],
                               capture_output=True, text=True, timeout=60, env=user_env())
    assert closed_in.returncode == 2 and "standard input is closed" in closed_in.stderr
    for result in (closed_out, closed_in):
        assert "bug" not in result.stderr and "Traceback" not in result.stderr


def test_an_unexpected_error_never_shows_the_token(tmp_path, monkeypatch, capsys):
    """The crash line and the saved traceback are redacted too."""
    import annotate.cli as cli_module
    import annotate.convert as convert_module

    token = "f" * 12 + "0123456789abcdef0123456789ab"

    def boom(*_a, **_k):
        raise RuntimeError(f"server said: Authorization: Token {token} at http://me:secretpw@host/")

    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(convert_module, "convert_paths", boom)
    (tmp_path / "a.txt").write_text(ARTICLE)
    monkeypatch.setattr(sys, "argv", ["annotate", "convert", str(tmp_path / "a.txt")])
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        cli_module.main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    crash = next(tmp_path.glob("annotate-crash-*.txt")).read_text()
    for text in (err, crash):
        assert token not in text and "secretpw" not in text
    assert "RuntimeError" in crash


def test_version_names_the_package_and_the_rules():
    from annotate import __version__
    from annotate.converters import MODEL_VERSION

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"annotate {__version__} (pre-annotation rules {MODEL_VERSION})"
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject  # one source: annotate/__init__.py


def test_json_output_escapes_terminal_controls_from_an_export(tmp_path):
    """agree --json: an annotator e-mail with a bidi override or a C1 control stays valid JSON
    but never reaches the terminal raw."""
    task = json.loads(VALID.read_text())[0]
    first = task["annotations"][0]
    second = copy.deepcopy(first)
    first["completed_by"] = {"id": 1, "email": "evil\u202eusr@example.com"}
    second.update(id=first["id"] + 1, completed_by={"id": 2, "email": "b\x9bob@example.com"})
    task["annotations"] = [first, second]
    export = tmp_path / "export.json"
    export.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(export), "--json"])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout and "\x9b" not in result.stdout
    parsed = json.loads(result.stdout)
    assert "evil\u202eusr@example.com" in json.dumps(parsed, ensure_ascii=False)


def test_exports_respect_the_umask(tmp_path):
    out = tmp_path / "ds"
    old = os.umask(0o027)
    try:
        result = run(["pull", "--from-file", str(VALID), "-o", str(out), "--format", "bio,brat"])
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    for folder in ("bio", "brat", "brat/train/text"):
        assert stat.S_IMODE((out / folder).stat().st_mode) == 0o750, folder
    for f in (out / "bio").iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o640, f


def test_push_reports_what_a_directory_cannot_give_and_goes_on(tmp_path):
    """The same directory walk as convert: a named pipe among the articles is a warning and
    the other articles are still read (the input stream alone, no server needed)."""
    from annotate.push import iter_input_tasks

    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(ARTICLE)
    os.mkfifo(src / "pipe.txt")
    warnings = []
    tasks = list(iter_input_tasks([str(src)], warn=warnings.append))
    assert [Path(t["meta"]["source_file"]).name for _, t in tasks] == ["good.txt"]
    assert len(warnings) == 1 and "pipe.txt" in warnings[0] and "named pipe" in warnings[0]
