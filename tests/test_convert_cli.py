"""CLI tier: `annotate convert` with click's CliRunner (exit codes and output)."""

import json

from click.testing import CliRunner

from annotate.cli import cli

from .conftest import SEEDS


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def read_tasks(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_convert_seeds_writes_five_consistent_tasks(tmp_path):
    out = tmp_path / "tasks.jsonl"
    result = run("convert", str(SEEDS), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Converted 5 docs" in result.output
    tasks = read_tasks(out)
    assert len(tasks) == 5
    for task in tasks:
        text = task["data"]["text"]
        assert isinstance(task["data"]["targets"], list)
        assert task["meta"]["task_hash"] and task["meta"]["text_sha256"]
        for r in task["predictions"][0]["result"]:
            if "value" in r and "start" in r["value"]:
                v = r["value"]
                assert 0 <= v["start"] < v["end"] <= len(text)
                assert v["text"] == text[v["start"]:v["end"]]


def test_convert_is_deterministic(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run("convert", str(SEEDS), "-o", str(a))
    run("convert", str(SEEDS), "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_convert_stdin_to_stdout():
    result = run("convert", "-", input='"We will win," Jane Smith said.\n')
    assert result.exit_code == 0
    task = json.loads(result.stdout.splitlines()[0])
    assert task["data"]["text"].startswith('"We will win,"')


def test_empty_dir_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["convert", str(tmp_path)])
    assert result.exit_code == 2
    assert "no .txt files" in result.output


def test_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_bad_inputs_are_reported_not_fatal(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin1.txt").write_bytes('"Caf\xe9 prices will rise," Jos\xe9 Garcia said.'.encode("latin-1"))
    (tmp_path / "odd.txt").write_text('He said "this never closes. And then "another one," she said.')
    out = tmp_path / "t.jsonl"
    result = run("convert", str(tmp_path), "-o", str(out))
    assert result.exit_code == 0
    assert "skipped" in result.output and "empty" in result.output and "binary" in result.output
    tasks = read_tasks(out)
    assert sorted(t["data"]["doc_id"] for t in tasks) == ["latin1", "odd"]


def test_every_command_has_help_with_an_example():
    for name in cli.commands:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"{name} --help has no example"


def test_unexpected_error_is_one_line_and_a_saved_traceback(tmp_path):
    """Outside tests a bug shows one line plus where the traceback went, not the traceback."""
    import subprocess
    import sys

    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("PYTEST_", "ANNOTATE_DEBUG"))}
    env["TMPDIR"] = str(tmp_path)
    code = (
        "import annotate.convert as c, annotate.cli as cli\n"
        "def boom(*a, **k): raise RuntimeError('kaboom')\n"
        "c.convert_paths = boom\n"
        "cli.main()\n"
    )
    (tmp_path / "a.txt").write_text("text")
    res = subprocess.run([sys.executable, "-c", code, "convert", str(tmp_path / "a.txt")],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "unexpected RuntimeError: kaboom" in res.stderr
    [saved] = tmp_path.glob("annotate-crash-*.txt")
    assert "kaboom" in saved.read_text() and "Traceback" in saved.read_text()


def test_every_command_is_documented_in_the_readme():
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:
        assert f"annotate {name}" in readme, f"`annotate {name}` is not in README.md"


def test_public_api_names_resolve_to_callables():
    import annotate
    import annotate.adjudicate  # noqa: F401  (a submodule import must not shadow the API)
    import annotate.pull  # noqa: F401
    import annotate.push  # noqa: F401

    for name in annotate.__all__:
        if name != "__version__":
            assert callable(getattr(annotate, name)), name


def _convert_to_stdout(tmp_path, encoding, *args):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ANNOTATE_DEBUG"))}
    env["PYTHONIOENCODING"] = encoding
    env["TMPDIR"] = str(tmp_path)
    return subprocess.run([sys.executable, "-c", "import annotate.cli as c; c.main()", "convert", *args],
                          capture_output=True, env=env)


def test_stdout_gets_utf8_jsonl_whatever_its_encoding(tmp_path):
    """JSONL is UTF-8: a terminal set to latin-1 (or ASCII) still gets the UTF-8 bytes of
    ’ (not in latin-1) and ü (in latin-1, but as one byte 0xfc, not UTF-8's c3 bc)."""
    text = "Zürich’s mayor said: “We will go on.”\n\nThe city council agreed."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    for encoding in ("latin-1", "ascii", "utf-8"):
        for jobs in ("1", "2"):
            res = _convert_to_stdout(tmp_path, encoding, str(tmp_path / "a.txt"), str(tmp_path / "a.txt"),
                                     "--jobs", jobs)
            assert res.returncode == 0, res.stderr
            lines = res.stdout.split(b"\n")
            assert lines[-1] == b"" and len(lines) == 3
            for line in lines[:2]:
                task = json.loads(line.decode("utf-8"))  # strict: latin-1 bytes would not decode
                assert task["data"]["text"] == text
                assert "Zürich’s".encode() in line
