"""The data manager of a project that push creates: title and readable targets, no raw JSON."""

import httpx
import pytest

from annotate.push import push
from annotate.studio import connect, ensure_task_view

from .conftest import SEEDS


@pytest.mark.studio
def test_push_gives_a_new_project_a_task_list_without_the_raw_targets(studio):
    stats = push(studio.url, studio.token, [str(SEEDS)], "Task view check")
    headers = {"Authorization": f"Token {studio.token}"}
    views = httpx.get(f"{studio.url}/api/dm/views/", params={"project": stats.project_id}, headers=headers).json()
    assert [v["data"]["title"] for v in views] == ["Articles"]
    hidden = views[0]["data"]["hiddenColumns"]
    assert "tasks:data.targets" in hidden["explore"]
    assert "tasks:data.targets_text" not in hidden["explore"] and "tasks:data.title" not in hidden["explore"]
    # Label Studio's own hidden defaults are kept (else every internal column would show).
    columns = httpx.get(f"{studio.url}/api/dm/columns/", params={"project": stats.project_id}, headers=headers).json()
    defaults = {f"tasks:{c['id']}" for c in columns["columns"]
                if not c.get("parent") and (c.get("visibility_defaults") or {}).get("explore") is False}
    assert defaults <= set(hidden["explore"])
    # A project that has views keeps them: a second call changes nothing.
    assert ensure_task_view(connect(studio.url, studio.token), stats.project_id) is False
    again = httpx.get(f"{studio.url}/api/dm/views/", params={"project": stats.project_id}, headers=headers).json()
    assert len(again) == 1
