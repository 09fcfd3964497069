"""Red-team: io.dumps, the one serialiser of every file we write."""

import json

from annotate.io import dumps


def test_dumps_bytes_are_compact_sorted_real_utf8():
    record = {"b": [1, 2.5, None, True], "a": {"é": "\U0001F468\u200d\U0001F469", "z": "\u05e9\n"}}
    assert dumps(record) == '{"a":{"z":"\u05e9\\n","é":"\U0001F468\u200d\U0001F469"},"b":[1,2.5,null,true]}'
    assert json.loads(dumps(record)) == record


def test_an_output_that_is_a_pipe_is_written_into_not_replaced_by_a_file(tmp_path):
    # `-o /dev/null`, `-o /dev/stdout` or a FIFO: the atomic rename must not swap the device
    # or pipe for a regular file (as root that turns /dev/null into a file for everyone)
    import os
    import stat
    import threading

    from annotate.io import atomic_writer

    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    try:
        with atomic_writer(fifo) as fh:
            fh.write('{"a":1}\n')
        reader.join(10)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert got == ['{"a":1}\n']
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temp file left
    finally:
        if reader.is_alive():  # free the reader if the writer never opened the pipe
            with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "w"):
                pass


def test_a_jsonl_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    # Notepad and Excel save UTF-8 "with BOM": the mark is not part of the first record
    from annotate.io import read_jsonl

    path = tmp_path / "gold.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a"}\n{"id": "b"}\n')
    assert list(read_jsonl(path)) == [{"id": "a"}, {"id": "b"}]


def test_an_export_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    # the same for a Label Studio export (JSON array or JSONL) that validate / agree / report read
    from annotate.exportfile import read_export

    for name, body in (("a.json", '[{"id": 1}, {"id": 2}]'), ("b.jsonl", '{"id": 1}\n{"id": 2}\n')):
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + body.encode())
        items = list(read_export(path))
        assert [(i.value, i.errors) for i in items] == [({"id": 1}, []), ({"id": 2}, [])], name


BIG = "1" + "0" * 5000  # over Python's 4300-digit limit for int(): a ValueError, not a JSONDecodeError


def test_a_jsonl_line_with_a_number_too_long_to_read_is_an_input_error(tmp_path):
    import pytest

    from annotate.errors import InputError
    from annotate.io import read_jsonl

    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a"}\n{"id": ' + BIG + "}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gold.jsonl:2: a number of more than \d+ digits"):
        list(read_jsonl(path))


def test_an_export_item_with_a_number_too_long_to_read_is_an_error_item(tmp_path):
    from annotate.exportfile import read_export

    jsonl = tmp_path / "a.jsonl"  # the bad line alone is refused, the others still read
    jsonl.write_text('{"id": ' + BIG + '}\n{"id": 2}\n{"id": ' + BIG + "}\n", encoding="utf-8")
    items = list(read_export(jsonl))
    assert [i.value for i in items] == [None, {"id": 2}, None]
    assert [[e.code for e in i.errors] for i in items] == [["invalid_json"], [], ["invalid_json"]]
    assert "digits" in items[0].errors[0].message
    array = tmp_path / "b.json"  # in an array too, only the bad item is lost
    array.write_text('[{"id": 1}, {"id": ' + BIG + '}, {"id": 3}]', encoding="utf-8")
    items = list(read_export(array))
    assert [i.value for i in items] == [{"id": 1}, None, {"id": 3}]
    assert items[1].where == "item:2" and [e.code for e in items[1].errors] == ["invalid_json"]


def test_a_lone_surrogate_escape_is_refused_as_input_but_an_escaped_emoji_is_text(tmp_path):
    # "\ud800" alone parses to a str that cannot be hashed or written as UTF-8: validate and
    # export crashed in sha256_text ("This is a bug"). "\ud83d\ude00" is the emoji 😀.
    import pytest

    from annotate.errors import InputError
    from annotate.exportfile import read_export
    from annotate.io import read_jsonl

    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "\\ud83d\\ude00 ok"}\n{"text": "\\ud800 x"}\n{"text": "\\\\ud800 is a backslash"}\n',
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(InputError, match=r"gold.jsonl:2: .*lone surrogate"):
        list(read_jsonl(path))
    items = list(read_export(path))
    assert [i.value for i in items] == [{"text": "\U0001F600 ok"}, None, {"text": "\\ud800 is a backslash"}]
    assert [e.code for e in items[1].errors] == ["invalid_json"] and "surrogate" in items[1].errors[0].message
    array = tmp_path / "export.json"
    array.write_text("[" + ",".join(lines) + "]", encoding="utf-8")
    items = list(read_export(array))
    assert [i.value for i in items] == [{"text": "\U0001F600 ok"}, None, {"text": "\\ud800 is a backslash"}]
    assert items[1].where == "item:2" and "surrogate" in items[1].errors[0].message
    pretty = tmp_path / "pretty.json"  # one object over several lines: read whole
    pretty.write_text('{\n "data": {"text": "\\udc00"}\n}\n', encoding="utf-8")
    items = list(read_export(pretty))
    assert [i.value for i in items] == [None] and "surrogate" in items[0].errors[0].message
