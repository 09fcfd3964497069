"""Red team (fourth round) of reading Label Studio exports: what the file itself can do wrong.

Earlier rounds (test_redteam_exports*.py, test_redteam_pull.py, test_redteam_io.py,
test_export_reader.py) broke the tasks inside a well-formed file. This round breaks the file:
the same key twice in one object (json keeps the last and drops the other without a word),
a file cut off in the middle of its last task, a file saved as UTF-16 or UTF-32 (PowerShell's
`>` writes UTF-16), a gzip'ed or zipped export. The base export is the seeds converted and
accepted unchanged (annotate.accept); every good task must still reach gold.jsonl, with the
same bytes as from the plain UTF-8 file.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from annotate.exportfile import iter_export, read_export
from annotate.pull import pull

from . import test_redteam_exports3 as _redteam_exports3

export = _redteam_exports3.export  # the seeds' export, every prediction accepted unchanged


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def pull_file(tmp_path: Path, src: Path, name: str = "gold") -> tuple[list[dict], list[dict], str]:
    out = tmp_path / name
    pull(None, out, from_file=src)
    gold_text = (out / "gold.jsonl").read_text(encoding="utf-8")
    return read_jsonl(out / "gold.jsonl"), read_jsonl(out / "rejects.jsonl"), gold_text


def cli_pull(tmp_path: Path, src: Path):
    return CliRunner().invoke(cli, ["pull", "--from-file", str(src), "-o", str(tmp_path / "cli-gold")])


def doc_ids(tasks: list[dict]) -> set[str]:
    """The document ids of export tasks, or of gold records."""
    return {t["data"]["doc_id"] if "data" in t else t["id"] for t in tasks}


@pytest.fixture(scope="module")
def plain_gold(export, tmp_path_factory) -> str:
    """gold.jsonl from the export written as plain UTF-8 JSON: what every readable variant must give."""
    tmp = tmp_path_factory.mktemp("plain")
    src = tmp / "export.json"
    src.write_text(json.dumps(export), encoding="utf-8")
    gold, rejects, text = pull_file(tmp, src)
    assert len(gold) == len(export) and not rejects
    return text


# --- the same key twice in one object ------------------------------------------------------


def with_second_key(task_json: str, inside: str, key: str, value) -> str:
    """The task's JSON text with `"key": value` added again at the end of the object `inside`
    (a JSON text that occurs once in the task), as a hand merge of two versions leaves it."""
    assert task_json.count(inside) == 1 and inside.endswith("}")
    return task_json.replace(inside, inside[:-1] + f', "{key}": {json.dumps(value)}' + "}")


def test_an_annotation_with_two_result_keys_is_rejected_not_read_as_the_last(tmp_path, export):
    """A hand merge left two "result" keys in one annotation: json keeps the second (here an
    empty result) and the annotators' regions vanish without a word. The task must be
    rejected, saying which key of which object, and the other tasks still be gold."""
    texts = [json.dumps(t) for t in export]
    annotation = json.dumps(export[1]["annotations"][0])
    texts[1] = with_second_key(texts[1], annotation, "result", [])
    src = tmp_path / "export.json"
    src.write_text("[" + ",\n".join(texts) + "]", encoding="utf-8")
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export) - {export[1]["data"]["doc_id"]}
    assert len(rejects) == 1 and rejects[0]["input"] == "item:2"
    (error,) = rejects[0]["errors"]
    assert error["code"] == "duplicate_key"
    assert error["path"] == "/annotations/0"
    assert '"result"' in error["message"] and "twice" in error["message"]
    assert str(export[1]["id"]) in error["message"]  # which task, though the task is not read


@pytest.mark.parametrize("shape", ["jsonl", "pretty", "jq"])
def test_a_task_with_two_id_keys_is_rejected_in_every_file_shape(tmp_path, export, shape):
    """Two "id" keys in one task (task 7 pasted over task 3): which one is the task? Rejected in
    a JSONL file, a pretty-printed array (read whole) and a `jq '.[]'` stream alike."""
    def text_of(task, indent=None):
        return json.dumps(task, indent=indent)

    if shape == "jsonl":
        texts = [text_of(t) for t in export]
        texts[2] = '{"id": 999, ' + texts[2][1:]
        body = "\n".join(texts) + "\n"
        where = "line:3"
    elif shape == "pretty":
        texts = [text_of(t, 2) for t in export]
        texts[2] = '{\n  "id": 999,' + texts[2][1:]
        body = "[\n" + ",\n".join(texts) + "\n]\n"
        where = "item:3"
    else:
        texts = [text_of(t, 2) for t in export]
        texts[2] = '{\n  "id": 999,' + texts[2][1:]
        body = "\n".join(texts) + "\n"
        where = "item:3"
    src = tmp_path / "export.json"
    src.write_text(body, encoding="utf-8")
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export) - {export[2]["data"]["doc_id"]}
    assert [r["input"] for r in rejects] == [where]
    assert [(e["code"], e["path"]) for e in rejects[0]["errors"]] == [("duplicate_key", "")]
    assert '"id"' in rejects[0]["errors"][0]["message"]


def test_a_single_pretty_printed_task_with_a_duplicate_key_is_rejected(tmp_path, export):
    src = tmp_path / "task.json"
    text = json.dumps(export[0], indent=2)
    meta = json.dumps(export[0]["meta"], indent=2).replace("\n", "\n  ")
    assert text.count(meta) == 1
    src.write_text(text.replace(meta, meta[:-1] + ',  "source_file": "elsewhere.txt"\n  }'), encoding="utf-8")
    gold, rejects, _ = pull_file(tmp_path, src)
    assert gold == []
    assert [(e["code"], e["path"]) for e in rejects[0]["errors"]] == [("duplicate_key", "/meta")]


def test_a_key_given_twice_with_the_same_value_loses_nothing_and_is_read(tmp_path, export, plain_gold):
    """Both copies say the same: nothing is dropped, so nothing is refused."""
    texts = [json.dumps(t) for t in export]
    texts[0] = with_second_key(texts[0], json.dumps(export[0]["meta"]), "converter_version",
                               export[0]["meta"]["converter_version"])
    src = tmp_path / "export.json"
    src.write_text("[" + ", ".join(texts) + "]", encoding="utf-8")
    assert pull_file(tmp_path, src)[2] == plain_gold


def test_equal_values_are_compared_as_json_not_as_python(tmp_path, export):
    """1, 1.0 and true are equal in Python but three different JSON values: a second "id" of
    1.0 or true over an id of 1 is a real disagreement."""
    for k, second in enumerate(["1.0", "true"]):
        task = dict(export[0], id=1)
        text = json.dumps(task)
        text = text[:-1] + f', "id": {second}' + "}"
        src = tmp_path / f"export{k}.json"
        src.write_text("[" + text + "]", encoding="utf-8")
        items = list(read_export(src))
        assert [e.code for e in items[0].errors] == ["duplicate_key"], second


def test_colons_inside_strings_and_escaped_colons_neither_hide_nor_fake_a_duplicate(tmp_path, export,
                                                                                    plain_gold):
    """Text full of '":' and ': "' (quotes next to colons: news text is) is no key; a key
    written with an escaped colon (\\u003a) is still one key, and a duplicate beside it is seen."""
    tasks = json.loads(json.dumps(export))
    tasks[0]["meta"]["note"] = 'He said "yes": "no" : ":" {"a": 1}'
    tasks[0]["meta"]["a:b"] = 1
    text = json.dumps(tasks[0]).replace('"a:b"', '"a\\u003ab"')
    assert '\\u003a' in text
    src = tmp_path / "export.json"
    src.write_text("[" + text + "]", encoding="utf-8")
    items = list(read_export(src))
    assert not items[0].errors and items[0].value["meta"]["a:b"] == 1
    text = text[:-1] + ', "project": 2}'  # a second "project" (the first is 1): a real duplicate
    src.write_text("[" + text + "]", encoding="utf-8")
    assert [e.code for e in list(read_export(src))[0].errors] == ["duplicate_key"]


def test_agree_and_report_leave_out_a_task_with_a_duplicate_key_and_say_so(tmp_path, export):
    texts = [json.dumps(t) for t in export]
    texts[3] = with_second_key(texts[3], json.dumps(export[3]["annotations"][0]), "result", [])
    src = tmp_path / "export.json"
    src.write_text("[" + ",".join(texts) + "]", encoding="utf-8")
    warnings: list[str] = []
    tasks = list(iter_export(src, warnings.append))
    assert [t["data"]["doc_id"] for t in tasks] == [t["data"]["doc_id"] for i, t in enumerate(export) if i != 3]
    assert len(warnings) == 1 and "item 4" in warnings[0] and '"result"' in warnings[0]
    for command in ("agree", "report"):
        run = CliRunner().invoke(cli, [command, "--from-file", str(src), "--json"])
        assert run.exit_code == 0, run.output
        assert 'item 4 (task 4): the key "result" is twice in /annotations/0' in run.stderr
        assert "Traceback" not in run.output + run.stderr


# --- a file cut off in the middle of its last task --------------------------------------------


def test_a_jsonl_export_cut_off_in_its_last_line_says_truncated(tmp_path, export):
    """A download or copy that stopped: the last line ends mid-task. That is a truncated file,
    not a malformed task; the complete lines before it are gold, the cut task is a reject
    (exit 1: the dataset is written, the loss is listed)."""
    lines = [json.dumps(t) for t in export]
    src = tmp_path / "export.jsonl"
    src.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2], encoding="utf-8")
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export[:-1])
    (error,) = rejects[0]["errors"]
    assert rejects[0]["input"] == f"line:{len(export)}"
    assert error["code"] == "truncated_json" and "cut off" in error["message"]
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 1 and "truncated_json: 1" in run.output


def test_a_line_in_the_middle_that_ends_early_is_invalid_not_a_cut_file(tmp_path, export):
    lines = [json.dumps(t) for t in export]
    lines[1] = lines[1][:500]
    src = tmp_path / "export.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gold, rejects, _ = pull_file(tmp_path, src)
    assert len(gold) == len(export) - 1
    (error,) = rejects[0]["errors"]
    assert error["code"] == "invalid_json" and "ends before" in error["message"]


def cut_points(text: str) -> list[int]:
    """Every cut in the first 300 characters (all the token kinds of a task's head: keys,
    numbers, true/false/null, \\u escapes) and every 53rd one after."""
    return sorted(set(range(1, min(300, len(text)))) | set(range(300, len(text), 53)))


def test_every_cut_of_the_last_task_is_called_truncated(tmp_path, export):
    """Wherever the file stops (in a key, a number, 'tru', a \\uXXXX escape, between two
    tokens), the array and the JSONL reader both say truncated_json, never invalid_json."""
    task = dict(export[0], flag=True, nothing=None, off=False, ratio=-1.5e-3)
    task["data"] = dict(task["data"], note="caf\\u00e9 \u2019")
    head = json.dumps(export[1])
    last = json.dumps(task)
    for cut in cut_points(last):
        for name, body in (("a.json", f"[{head}, {last[:cut]}"), ("a.jsonl", f"{head}\n{last[:cut]}")):
            src = tmp_path / name
            src.write_text(body, encoding="utf-8")
            items = list(read_export(src))
            assert items[0].value is not None, (name, cut)
            assert [e.code for e in items[1].errors] == ["truncated_json"], (name, cut, last[cut - 10:cut])


def test_a_complete_but_broken_last_task_is_invalid_not_truncated(tmp_path, export):
    head = json.dumps(export[1])
    for broken in ('{"id": 1, "data": {"text": "x"}}}', '{"id": tru}', '{"id": 1 "data": {}}', '{"id": "\\x"}'):
        for name, body in (("a.json", f"[{head}, {broken}]"), ("a.jsonl", f"{head}\n{broken}\n")):
            src = tmp_path / name
            src.write_text(body, encoding="utf-8")
            items = list(read_export(src))
            assert [e.code for e in items[-1].errors] == ["invalid_json"], (name, broken)


# --- encodings and compression ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("shape", ["json", "jsonl"])
def test_an_export_saved_as_utf16_or_utf32_is_read_as_the_same_tasks(tmp_path, export, plain_gold,
                                                                     encoding, shape):
    """PowerShell's `curl ... > export.json` writes UTF-16 with a BOM; JSON (RFC 4627) also
    tells UTF-16/32 without a BOM by where the zero bytes are. Same tasks, same gold bytes."""
    text = json.dumps(export, ensure_ascii=False) if shape == "json" else \
        "".join(json.dumps(t, ensure_ascii=False) + "\r\n" for t in export)
    src = tmp_path / f"export.{shape}"
    src.write_bytes(text.encode(encoding))
    gold, rejects, gold_text = pull_file(tmp_path, src)
    assert not rejects and gold_text == plain_gold


def test_a_gzipped_export_is_read_as_the_same_tasks(tmp_path, export, plain_gold):
    src = tmp_path / "export.json.gz"
    src.write_bytes(gzip.compress(json.dumps(export).encode("utf-8")))
    assert pull_file(tmp_path, src)[2] == plain_gold
    jsonl = tmp_path / "export.jsonl.gz"
    jsonl.write_bytes(gzip.compress("".join(json.dumps(t) + "\n" for t in export).encode("utf-8")))
    assert pull_file(tmp_path, jsonl, "gold2")[2] == plain_gold


def gzip_cut(data: bytes, keep: int) -> bytes:
    """The first `keep` bytes of the gzip stream that a 64 KB-block compressor would have
    written by then: data flushed in full blocks, as a download cut off there holds it."""
    import zlib

    comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip header and trailer
    out = b""
    for at in range(0, len(data), 1 << 16):
        out += comp.compress(data[at:at + (1 << 16)]) + comp.flush(zlib.Z_FULL_FLUSH)
    out += comp.flush()
    return out[:keep]


def test_a_cut_off_gzip_export_keeps_the_tasks_before_the_cut(tmp_path, export):
    """A gzip'ed download that stopped: gzip itself says 'Compressed file ended before the
    end-of-stream marker', which lost every task. Like a cut plain file: the tasks before the
    cut are gold, the cut one is a truncated_json reject (exit 1)."""
    data = json.dumps(export).encode("utf-8")
    cut_at = len(data) - len(json.dumps(export[-1])) // 2  # inside the last task
    full = gzip_cut(data, 10 ** 9)
    keep = next(k for k in range(len(full)) if len(_inflate(full[:k])) >= cut_at)
    src = tmp_path / "export.json.gz"
    src.write_bytes(full[:keep])
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export[:-1])
    assert [e["code"] for e in rejects[0]["errors"]] == ["truncated_json"]


def _inflate(data: bytes) -> bytes:
    import zlib

    return zlib.decompressobj(31).decompress(data)


def test_a_gzip_export_cut_between_two_jsonl_lines_says_what_is_missing(tmp_path, export):
    """Cut right after a line: the lines read are complete JSON, only gzip knows the stream
    stopped. The tasks read are gold; a truncated_json reject says the rest is missing."""
    lines = [json.dumps(t) + "\n" for t in export]
    data = "".join(lines).encode("utf-8")
    boundary = len("".join(lines[:3]).encode("utf-8"))
    comp = __import__("zlib").compressobj(6, 8, 31)
    head = comp.compress(data[:boundary]) + comp.flush(__import__("zlib").Z_FULL_FLUSH)
    src = tmp_path / "export.jsonl.gz"
    src.write_bytes(head)  # the first three lines, then nothing: no end-of-stream marker
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export[:3])
    (reject,) = rejects
    assert reject["input"] == "line:4"
    assert [e["code"] for e in reject["errors"]] == ["truncated_json"]
    assert "after line 3 is missing" in reject["errors"][0]["message"]


def test_a_gzip_file_cut_before_any_task_is_one_line_and_exit_2(tmp_path, export):
    data = gzip.compress(json.dumps(export).encode("utf-8"))
    src = tmp_path / "export.json.gz"
    src.write_bytes(data[:5])  # inside the gzip header
    for command in (["pull", "--from-file", str(src), "-o", str(tmp_path / "out")],
                    ["agree", "--from-file", str(src)], ["report", "--from-file", str(src)],
                    ["validate", str(src)]):
        run = CliRunner().invoke(cli, command)
        # validate counts a file-level error as one invalid item (exit 1), the others exit 2
        assert run.exit_code == (1 if command[0] == "validate" else 2), (command, run.output)
        assert "Traceback" not in run.output + run.stderr
        assert "gzip data is cut off" in run.output + run.stderr, run.output
    assert not (tmp_path / "out").exists()


def test_a_zipped_export_says_to_unzip_it(tmp_path, export):
    src = tmp_path / "export.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("export.json", json.dumps(export))
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2 and "zip" in run.stderr and "unzip" in run.stderr
    assert "Traceback" not in run.output + run.stderr


def test_a_file_neither_utf8_nor_utf16_still_says_not_utf8(tmp_path, export):
    src = tmp_path / "export.json"
    src.write_bytes(json.dumps(export, ensure_ascii=False).encode("cp1252", "replace") + b"\xff\xfe\x81")
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2 and "not UTF-8" in run.stderr


# --- hand-edited region ids in the edit report ------------------------------------------------


@pytest.mark.parametrize("where", ["annotations", "predictions"])
@pytest.mark.parametrize("region_id", [["q1"], {"id": "q1"}, 7, None])
def test_a_region_id_that_is_no_string_is_left_out_of_the_report_not_a_crash(tmp_path, export, where, region_id):
    """`report` used the ids of label items as dict keys: a list or an object there (a hand
    edit) ended the command with a TypeError. Such a region is no region (pull rejects it);
    the report goes on and counts the others as before."""
    tasks = json.loads(json.dumps(export))
    (first,) = [i for i in tasks[0][where][0]["result"] if i["type"] == "labels"][:1]
    first["id"] = region_id
    src = tmp_path / "export.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")
    run = CliRunner().invoke(cli, ["report", "--from-file", str(src), "--json"])
    assert run.exit_code == 0, (run.output, run.exception)
    report = json.loads(run.stdout)
    model = next(iter(report["models"].values()))["labels"]
    base = CliRunner().invoke(cli, ["report", "--from-file", str(_write(tmp_path, export)), "--json"])
    base_model = next(iter(json.loads(base.stdout)["models"].values()))["labels"]
    label = first["value"]["labels"][0]
    # one region fewer on the side that was broken: one prediction deleted or one added region
    if where == "annotations":
        assert model[label]["final"] == base_model[label]["final"] - 1
    else:
        assert model[label]["predicted"] == base_model[label]["predicted"] - 1


def _write(tmp_path: Path, tasks: list) -> Path:
    src = tmp_path / "base.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")
    return src


# --- what a browser or curl saves in place of an export ---------------------------------------


def test_a_login_page_saved_as_the_export_is_named_as_one(tmp_path):
    """`curl $URL/api/projects/1/export > export.json` through a proxy that wants a login
    saves its HTML page: say it is one, with its title, not only 'expected a JSON array'."""
    src = tmp_path / "export.json"
    src.write_text("\n<!DOCTYPE html>\n<html><head>\n<title>\n  Sign in |\n Label Studio</title></head>"
                   "<body><form></form></body></html>\n", encoding="utf-8")
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2
    assert "an HTML page ('Sign in | Label Studio')" in run.stderr and "login" in run.stderr
    assert "Traceback" not in run.output + run.stderr


def test_an_error_answer_saved_as_the_export_quotes_its_detail(tmp_path):
    src = tmp_path / "export.json"
    src.write_text('{"detail": "Authentication credentials were not provided."}', encoding="utf-8")
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2
    assert "error answer of Label Studio" in run.stderr
    assert "'Authentication credentials were not provided.'" in run.stderr
    other = tmp_path / "other.json"
    other.write_text('{"detail": "x", "tasks": []}', encoding="utf-8")  # not only an error's keys
    run = cli_pull(tmp_path, other)
    assert run.exit_code == 2 and "got one object with keys detail, tasks" in run.stderr


# --- padding around the JSON -----------------------------------------------------------------


@pytest.mark.parametrize("shape", ["json", "jsonl", "jsonl-no-newline"])
def test_zero_bytes_after_the_last_task_are_padding_not_a_broken_file(tmp_path, export, plain_gold, shape):
    """A crash or a preallocating download leaves the file's tail zero-filled. Before, an
    array followed by zero bytes lost every task ('extra data after ]': nothing written) and a
    JSONL file got a reject for the zeros. Zero bytes are no JSON: the tasks are read as they are."""
    if shape == "json":
        data = json.dumps(export).encode() + b"\n" + b"\x00" * 5000
    else:
        data = "\n".join(json.dumps(t) for t in export).encode()
        data += (b"\n" if shape == "jsonl" else b"") + b"\x00" * 5000
    src = tmp_path / f"export.{shape}"
    src.write_bytes(data)
    gold, rejects, text = pull_file(tmp_path, src)
    assert not rejects and text == plain_gold


def test_a_byte_order_mark_starting_a_jsonl_line_is_not_data(tmp_path, export, plain_gold):
    """`cat a.jsonl b.jsonl` of files saved with a BOM: b's BOM opens a line in the middle."""
    lines = [json.dumps(t) for t in export]
    src = tmp_path / "export.jsonl"
    src.write_text("\ufeff" + "\n".join(lines[:2]) + "\n\ufeff" + "\n".join(lines[2:]) + "\n", encoding="utf-8")
    gold, rejects, text = pull_file(tmp_path, src)
    assert not rejects and text == plain_gold


def test_text_after_the_array_is_still_an_error_and_the_array_is_not_read_whole(tmp_path, export):
    src = tmp_path / "export.json"
    src.write_text(json.dumps(export) + "\n\x00\x00 }", encoding="utf-8")
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2 and "extra data after the closing ']'" in run.stderr


# --- gold.jsonl and tasks JSONL (io.read_jsonl: `export`, `push`) -------------------------------


def test_a_gold_record_with_a_key_twice_is_an_input_error_naming_the_line(tmp_path, plain_gold):
    """`annotate export` reads gold.jsonl with io.read_jsonl: a hand-edited record with two
    "spans" keys lost the first without a word and was exported."""
    lines = plain_gold.splitlines()
    record = json.loads(lines[1])
    assert record["spans"]
    lines[1] = lines[1][:-1] + ',"spans":[]}'
    src = tmp_path / "gold.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["export", str(src), "-f", "bio", "-o", str(tmp_path / "out")])
    assert run.exit_code == 2, run.output
    assert f"{src}:2: " in run.stderr and 'the key "spans" is twice at the top level' in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_gold_line_nested_too_deep_is_one_line_not_a_bug_report(tmp_path):
    src = tmp_path / "gold.jsonl"
    src.write_text('{"a":' * 100_000 + "1" + "}" * 100_000 + "\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["export", str(src), "-f", "bio", "-o", str(tmp_path / "out")])
    assert run.exit_code == 2 and f"{src}:1: JSON nested too deep" in run.stderr
    assert "bug" not in run.stderr


def test_a_gold_file_saved_as_utf16_exports_the_same(tmp_path, plain_gold):
    utf8 = tmp_path / "gold.jsonl"
    utf8.write_text(plain_gold, encoding="utf-8")
    utf16 = tmp_path / "gold16.jsonl"
    utf16.write_bytes(plain_gold.replace("\n", "\r\n").encode("utf-16"))
    for src, out in ((utf8, "a"), (utf16, "b")):
        run = CliRunner().invoke(cli, ["export", str(src), "-f", "bio", "-o", str(tmp_path / out)])
        assert run.exit_code == 0, run.output
    assert (tmp_path / "a" / "bio").is_dir()
    for a in sorted((tmp_path / "a" / "bio").iterdir()):
        assert (tmp_path / "b" / "bio" / a.name).read_bytes() == a.read_bytes(), a.name


# --- lead times too large to add up --------------------------------------------------------------


def strict_json(text: str):
    def refuse(token):
        raise ValueError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_lead_times_whose_sum_overflows_keep_report_and_agree_json_valid(tmp_path, export):
    """Each lead time is a finite float (1.5e308 s), their sum is not: the means came out as
    `Infinity`, which no JSON reader takes. The mean of equal values is that value."""
    tasks = json.loads(json.dumps(export))
    for task in tasks:
        second = dict(task["annotations"][0], id=task["annotations"][0]["id"] + 1000, completed_by=2)
        task["annotations"].append(second)
        for annotation in task["annotations"]:
            annotation["lead_time"] = 1.5e308
    src = tmp_path / "export.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")
    report = CliRunner().invoke(cli, ["report", "--from-file", str(src), "--json"])
    assert report.exit_code == 0, report.output
    buckets = strict_json(report.stdout)["lead_time"]
    assert buckets and all(b["mean_lead_time"] == 1.5e308 for b in buckets), buckets
    agree = CliRunner().invoke(cli, ["agree", "--from-file", str(src), "--json"])
    assert agree.exit_code == 0, agree.output
    annotators = strict_json(agree.stdout)["annotators"]
    assert len(annotators) == 2 and all(a["mean_lead_time"] == 1.5e308 for a in annotators), annotators


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("shape", ["json", "jsonl"])
def test_a_file_cut_in_the_middle_of_a_character_is_truncated_not_undecodable(tmp_path, export, encoding, shape):
    """A download that stops inside a multi-byte character (any non-ASCII text: curly quotes,
    names) was 'not UTF-8 text': exit 2, every task lost. It is a cut-off file like any other:
    the tasks before the cut are gold, the cut one is truncated_json."""
    text = json.dumps(export, ensure_ascii=False) if shape == "json" else \
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in export)
    data = text.encode(encoding)
    last = json.dumps(export[-1], ensure_ascii=False)
    cut_char = len(text) - len(last) // 2  # inside the last task
    while ord(text[cut_char]) < 0x80 if encoding == "utf-8" else False:
        cut_char += 1
    head = len(text[:cut_char].encode(encoding))
    width = len(text[cut_char].encode(encoding)) - (2 if encoding == "utf-16" else 4 if encoding == "utf-32" else 0)
    assert width > 1 or encoding != "utf-8"
    src = tmp_path / f"export.{shape}"
    src.write_bytes(data[:head + max(width - 1, 1)])  # part of the character's bytes, not all
    gold, rejects, _ = pull_file(tmp_path, src)
    assert doc_ids(gold) == doc_ids(export[:-1])
    assert [e["code"] for e in rejects[0]["errors"]] == ["truncated_json"]


def test_an_undecodable_byte_before_the_end_is_still_not_utf8(tmp_path, export):
    data = json.dumps(export, ensure_ascii=False).encode("utf-8")
    middle = data.index("\u2019".encode()) + 1  # inside a curly apostrophe of the first task
    src = tmp_path / "export.json"
    src.write_bytes(data[:middle] + b"\xff" + data[middle + 1:])
    run = cli_pull(tmp_path, src)
    assert run.exit_code == 2 and "not UTF-8 text" in run.stderr
