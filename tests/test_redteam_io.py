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
