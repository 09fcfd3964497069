"""Red team (second round) of `annotate pull` against a hostile Label Studio: the export download.

The fake server of tests/test_redteam_server.py answers everything as Label Studio would,
except the download of the export snapshot, which here is a login page, a redirect to one, an
empty body, a "slow down" (429 / 503 with Retry-After), a connection closed half-way, a
JSON cut off inside a complete HTTP answer, a gzip'ed or UTF-16 file. Whatever it sends,
pull ends with one line and the exit code of SPEC section 7 (3: the server's trouble), writes
no dataset from half an export, and reads every export it can.

studio._download_snapshot_file looks at what arrived before pull reads it: an empty answer
or an HTML page is the server's trouble (exit 3), and a 429/503 before the first byte is
waited out (Retry-After) and asked again.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.accept import accepted_export
from annotate.cli import cli
from annotate.convert import expand_inputs, iter_tasks

from . import test_redteam_server as _redteam_server
from .test_redteam_server import HTML, TOKEN, answer, raw

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
hostile = _redteam_server.hostile  # hostile(*routes): a fake Label Studio, closed after the test
SNAPSHOT = {"id": 5, "status": "completed", "title": "t", "created_at": "2026-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def export_bytes() -> bytes:
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)]), warn=lambda _m: None))
    return json.dumps(list(accepted_export(tasks))).encode("utf-8")


@pytest.fixture(autouse=True)
def _through_the_snapshot(monkeypatch):
    """These attacks are on the snapshot download: pull is told to read projects through it
    (ANNOTATE_VIA; a pull that only reads snapshots ignores the variable)."""
    monkeypatch.setenv("ANNOTATE_VIA", "snapshot")


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The temporary directory pull downloads into: this test's own, to see what is left there."""
    where = tmp_path / "tmp"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def export_routes(download, *extra) -> list:
    return [*extra,
            ("POST", r"/api/projects/7/exports/?", answer(SNAPSHOT, 201)),
            ("GET", r"/api/projects/7/exports/5/?", answer(SNAPSHOT)),
            ("GET", r"/api/projects/7/exports/5/download/?", download),
            ("DELETE", r"/api/projects/7/exports/5/?", answer({}, 204)),
            ("GET", r"/api/users/?", answer([]))]


def pull(server, out: Path):
    return CliRunner().invoke(cli, ["pull", "--project", "7", "-o", str(out), "--url", server.url,
                                    "--api-key", TOKEN], catch_exceptions=False)


def error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and TOKEN not in result.output
    return lines[0]


def gold_ids(out: Path) -> list[str]:
    return [json.loads(line)["id"] for line in (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


# --- what arrives is not the export ------------------------------------------------------------


def test_a_login_page_instead_of_the_download_is_the_servers_trouble(hostile, tmp_path, private_tmp):
    server = hostile(*export_routes(raw(HTML, 200, "text/html")))
    result = pull(server, tmp_path / "gold")
    line = error_line(result)
    assert result.exit_code == 3 and "HTML page" in line
    assert not (tmp_path / "gold").exists() and not list(private_tmp.iterdir())


def redirect_to_login(h, _body):
    h.send_response(302)
    h.send_header("Location", "/user/login/?next=/api/projects/7/exports/5/download")
    h.send_header("Content-Length", "0")
    h.end_headers()


def test_a_redirect_to_a_login_page_is_the_servers_trouble(hostile, tmp_path, private_tmp):
    server = hostile(*export_routes(redirect_to_login, ("GET", r"/user/login/?", raw(HTML, 200, "text/html"))))
    result = pull(server, tmp_path / "gold")
    line = error_line(result)
    assert result.exit_code == 3 and "HTML page" in line
    assert not (tmp_path / "gold").exists()


def test_an_empty_download_names_the_server_not_a_temporary_file(hostile, tmp_path, private_tmp):
    server = hostile(*export_routes(raw(b"", 200, "application/json")))
    result = pull(server, tmp_path / "gold")
    line = error_line(result)
    assert result.exit_code == 3 and "empty" in line and str(private_tmp) not in line


def test_a_login_page_instead_of_the_download_says_it_is_one_and_writes_nothing(hostile, tmp_path, private_tmp):
    """One line naming the HTML page and its title, no dataset, no temporary file left."""
    page = b"<!doctype html><html><head><title>Sign in</title></head><body></body></html>"
    server = hostile(*export_routes(raw(page, 200, "text/html")))
    result = pull(server, tmp_path / "gold")
    line = error_line(result)
    assert result.exit_code == 3 and "an HTML page ('Sign in')" in line
    assert not (tmp_path / "gold").exists() and not list(private_tmp.iterdir())


# --- slow down ---------------------------------------------------------------------------------


def busy_then(status: int, times: int, body: bytes):
    served = []

    def serve(h, _body):
        served.append(1)
        if len(served) <= times:
            h.send_raw(b'{"detail": "Request was throttled."}', status, "application/json", {"Retry-After": "1"})
        else:
            h.send_raw(body, 200, "application/json")
    return serve


@pytest.mark.parametrize("status", [429, 503])
def test_a_download_answered_slow_down_is_asked_again_after_retry_after(hostile, tmp_path, export_bytes, status):
    server = hostile(*export_routes(busy_then(status, 1, export_bytes)))
    result = pull(server, tmp_path / "gold")
    assert result.exit_code == 0, result.output
    assert len(gold_ids(tmp_path / "gold")) == 5


@pytest.mark.parametrize("status", [429, 503])
def test_a_download_that_stays_busy_is_one_line_exit_3(hostile, tmp_path, export_bytes, status):
    server = hostile(*export_routes(busy_then(status, 1000, export_bytes)))
    result = pull(server, tmp_path / "gold")
    line = error_line(result)
    assert result.exit_code == 3 and str(status) in line
    assert not (tmp_path / "gold").exists()


# --- a download cut off --------------------------------------------------------------------------


def cut_connection(body: bytes, chunked: bool):
    """The headers promise the whole export, half of it comes, then the connection closes."""
    def serve(h, _body):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        part = body[: len(body) // 2]
        h.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n" if chunked else part)
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(2)
    return serve


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_connection_closed_mid_download_is_one_line_and_no_half_dataset(hostile, tmp_path, export_bytes,
                                                                        private_tmp, chunked):
    """Half an export must not become a dataset of the tasks in that half (the other tasks
    would vanish from gold.jsonl as if deleted): exit 3, nothing written, no temporary file."""
    out = tmp_path / "gold"
    earlier = hostile(*export_routes(raw(export_bytes, 200, "application/json")))
    assert pull(earlier, out).exit_code == 0
    before = (out / "gold.jsonl").read_bytes()
    server = hostile(*export_routes(cut_connection(export_bytes, chunked)))
    result = pull(server, out)
    error_line(result)
    assert result.exit_code == 3
    assert (out / "gold.jsonl").read_bytes() == before and len(gold_ids(out)) == 5
    assert not list(private_tmp.iterdir())


def test_a_complete_answer_holding_a_cut_export_says_truncated(hostile, tmp_path, export_bytes):
    """A server (or a proxy's cache) that serves a cut file as a complete answer: the tasks
    before the cut are gold, the cut one is a truncated_json reject, exit 1."""
    tasks = json.loads(export_bytes)
    cut = export_bytes[: len(export_bytes) - len(json.dumps(tasks[-1])) // 2]
    server = hostile(*export_routes(raw(cut, 200, "application/json")))
    result = pull(server, tmp_path / "gold")
    assert result.exit_code == 1, result.output
    assert gold_ids(tmp_path / "gold") == [t["data"]["doc_id"] for t in tasks[:-1]]
    (reject,) = [json.loads(line) for line in (tmp_path / "gold" / "rejects.jsonl").read_text().splitlines()]
    assert [e["code"] for e in reject["errors"]] == ["truncated_json"]


# --- other encodings of the same export ----------------------------------------------------------


@pytest.mark.parametrize("encode", [
    pytest.param(lambda b: gzip.compress(b), id="gzip-file"),
    pytest.param(lambda b: b.decode("utf-8").encode("utf-16"), id="utf-16"),
])
def test_an_export_served_gzipped_or_as_utf16_gives_the_same_gold(hostile, tmp_path, export_bytes, encode):
    plain = hostile(*export_routes(raw(export_bytes, 200, "application/json")))
    assert pull(plain, tmp_path / "plain").exit_code == 0
    other = hostile(*export_routes(raw(encode(export_bytes), 200, "application/octet-stream")))
    result = pull(other, tmp_path / "other")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "other" / "gold.jsonl").read_bytes() == (tmp_path / "plain" / "gold.jsonl").read_bytes()
