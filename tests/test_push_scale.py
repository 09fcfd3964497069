"""push at scale: converting on every core, and the warning before a project grows too big."""

import pytest

from annotate import push as push_module
from annotate.push import iter_input_tasks, push

from .conftest import SEEDS


def test_push_converts_on_the_fly_with_jobs_and_fixed_targets_like_convert():
    one = [task for _, task in iter_input_tasks([str(SEEDS)], jobs=1, fixed_targets=["European Union"])]
    two = [task for _, task in iter_input_tasks([str(SEEDS)], jobs=2, fixed_targets=["European Union"])]
    assert one == two and len(one) == 5
    assert all(t["data"]["targets"][0] == {"value": "European Union"} for t in one)


@pytest.mark.studio
def test_push_warns_when_a_project_passes_the_task_limit_and_before_the_next_push(studio, monkeypatch):
    monkeypatch.setattr(push_module, "PROJECT_TASK_LIMIT", 4)
    said: list[str] = []
    stats = push(studio.url, studio.token, [str(SEEDS)], "Size warning check", warn=said.append)
    assert stats.created == 5
    # 5 tasks >= a limit of 4: said once, after the push, with what to do.
    [line] = [m for m in said if "recommends" in m]
    assert "now holds 5 tasks" in line and "new project" in line
    said.clear()
    again = push(studio.url, studio.token, [str(SEEDS)], "Size warning check", warn=said.append)
    assert again.skipped == 5
    [line] = [m for m in said if "recommends" in m]
    assert "already holds 5 tasks" in line


@pytest.mark.studio
def test_push_under_the_limit_says_nothing_about_size(studio):
    said: list[str] = []
    push(studio.url, studio.token, [str(SEEDS)], "Size quiet check", warn=said.append)
    assert not [m for m in said if "recommends" in m]
