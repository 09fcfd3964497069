"""The library's text entry points (convert_text, annotate_text) take any str: a lone surrogate
(half of a UTF-16 pair, e.g. from a JSON "\\ud800" escape a caller parsed) is read as U+FFFD,
one for one, so every offset still indexes the caller's text and the task can be written."""

import json

from annotate.converters import annotate_text, convert_text
from annotate.validate import check_prediction_task

TEXT = "Mayor Ana Ruiz said on Monday that the bridge \ud800 would reopen next week."


def _quote_texts(task):
    text = task["data"]["text"]
    return [text[r["value"]["start"]:r["value"]["end"]] for r in task["predictions"][0]["result"]
            if r.get("type") == "labels" and r["value"]["labels"] == ["Quote"]]


def test_annotate_text_reads_a_lone_surrogate_as_a_replacement_character():
    task = annotate_text(TEXT)
    assert task["data"]["text"] == TEXT.replace("\ud800", "\ufffd")  # same length: offsets hold
    [quote] = _quote_texts(task)  # the clause after "said on Monday", with its "that" or without
    assert quote.endswith("the bridge \ufffd would reopen next week")
    json.dumps(task, ensure_ascii=False).encode("utf-8")  # writable as UTF-8
    assert check_prediction_task(task) == []


def test_convert_text_reads_a_lone_surrogate_as_a_replacement_character():
    task = convert_text(TEXT + "\udfff")
    assert "\ufffd" in task["data"]["text"] and not any(0xD800 <= ord(c) <= 0xDFFF for c in task["data"]["text"])
    json.dumps(task, ensure_ascii=False).encode("utf-8")
    assert check_prediction_task(task) == []
