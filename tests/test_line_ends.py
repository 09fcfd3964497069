"""Text given as is (the ML backend, `annotate_text`) may end its lines with a lone carriage
return (old Mac files) or CRLF: the quotes found are those of the same text with "\\n", and the
task keeps the text exactly as given, so that its offsets index Label Studio's copy."""

from __future__ import annotations

from annotate.accept import accepted_export
from annotate.converters import annotate_text
from annotate.pull import build_dataset, export_items
from annotate.validate import check_prediction_task

LINES = ['Kremlin says talks are possible',
         '"We will win," Peskov said.',
         'Lavrov said the meeting had been "useful and frank".',
         'More text here.']


def _spans(task: dict) -> list[tuple[str, int, int]]:
    return sorted((item["value"]["labels"][0], item["value"]["start"], item["value"]["end"])
                  for item in task["predictions"][0]["result"] if item["type"] == "labels")


def _relations(task: dict) -> int:
    return sum(1 for item in task["predictions"][0]["result"] if item["type"] == "relation")


def test_a_lone_carriage_return_breaks_lines_as_a_newline_does():
    with_lf = annotate_text("\n".join(LINES), doc_id="d")
    with_cr = annotate_text("\r".join(LINES), doc_id="d")
    # every line break is one character either way, so the offsets are the same
    assert _spans(with_cr) == _spans(with_lf)
    assert _relations(with_cr) == _relations(with_lf)
    # the quote of the second line starts at its opening mark, not at the title before it
    quote_start = len(LINES[0]) + 1
    assert ("Quote", quote_start, quote_start + len('"We will win,"')) in _spans(with_cr)


def test_the_task_keeps_the_text_as_given_and_is_a_valid_gold_record_when_accepted():
    text = "\r".join(LINES)
    task = annotate_text(text, doc_id="d")
    assert task["data"]["text"] == text
    for item in task["predictions"][0]["result"]:
        value = item.get("value") or {}
        if "start" in value:
            assert value["text"] == text[value["start"]:value["end"]]
    assert check_prediction_task(task) == []
    summary = build_dataset(export_items(accepted_export([task])), None, source={}, dry_run=True)
    assert summary.counts.gold == 1 and summary.counts.rejected == 0


def test_crlf_reads_as_its_newline():
    with_lf = annotate_text("\n".join(LINES), doc_id="d")
    with_crlf = annotate_text("\r\n".join(LINES), doc_id="d")
    # "\r\n" is two characters: each line starts one further per line break before it
    shift = [len(LINES[0]) + 1]
    for line in LINES[1:-1]:
        shift.append(shift[-1] + len(line) + 1)

    def line_of(start: int) -> int:
        return sum(1 for s in shift if start >= s)

    expected = sorted((label, s + line_of(s), e + line_of(s)) for label, s, e in _spans(with_lf))
    assert _spans(with_crlf) == expected
    assert _relations(with_crlf) == _relations(with_lf)
