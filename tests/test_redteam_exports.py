"""Red team: agree / report / export fed with hand-broken multi-annotator exports."""

from __future__ import annotations

import json

from annotate.agreement import agreement_report

from .test_agreement import sample_export


def test_a_lone_surrogate_in_one_task_warns_about_that_task_only(tmp_path):
    """The task after the broken one is still compared (it is), and the warning says so: it
    claimed the rest of the file was left out, so a lead would think the figures cover one
    task where they cover all the readable ones."""
    tasks = sample_export()
    broken = dict(tasks[1], data=dict(tasks[1]["data"], doc_id="x\ud800"))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks[:1] + [broken] + tasks[2:]))
    warnings: list[str] = []
    report = agreement_report(from_file=path, warn=warnings.append)
    assert report["tasks"]["total"] == len(tasks) - 1  # every readable task counted
    assert len(warnings) == 1 and "rest of the file" not in warnings[0]
