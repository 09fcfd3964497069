"""A task whose data holds a NUL character is refused before it is sent: Label Studio on
PostgreSQL cannot store U+0000 in a JSON column, and would fail the whole batch."""

from __future__ import annotations

from annotate.converters import annotate_text
from annotate.push import validate_task


def test_a_nul_in_the_text_is_refused_with_what_to_do():
    task = annotate_text('"We will win," Peskov said.\x00 More.', doc_id="d")
    problems = validate_task(task)
    assert any(p.startswith("/data/text: nul_character:") and "convert again" in p for p in problems)


def test_a_nul_in_another_data_field_is_refused_too():
    task = annotate_text('"We will win," Peskov said.', doc_id="d")
    task["data"]["title"] = "A\x00B"
    assert [p.split(":")[0] for p in validate_task(task)] == ["/data/title"]


def test_a_task_without_nul_passes():
    assert validate_task(annotate_text('"We will win," Peskov said.', doc_id="d")) == []
