"""The labeling UI in a real headless Chromium: pushed predictions show as regions, relations and choices.

Needs Debian's chromium (/usr/bin/chromium; `make browser` installs it) and the playwright
package; skipped with the reason when either is missing. With ANNOTATE_UPDATE_SCREENSHOTS=1
it refreshes docs/screenshot-task.png (the README's picture).
"""

from __future__ import annotations

import json
import os

import pytest

from annotate import studio as ls
from annotate.push import push

from .conftest import ROOT, SEEDS, open_task

# The README's screenshot is refreshed only on request, so a test run leaves the tree clean.
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot-task.png"
SEED_DOC = "000_85a85f95ced6c333"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pushed_seed(studio):
    """The seeds pushed into a fresh project; returns (project id, one exported seed task)."""
    title = "Quote attribution (browser test)"  # a fresh server per session: no clash
    stats = push(studio.url, studio.token, [str(SEEDS)], title)
    assert stats.created == 5
    client = ls.connect(studio.url, studio.token)
    tasks = ls.export_tasks(client, stats.project_id)
    # The seed with the most Stance regions, so the per-region choices can be checked.
    task = max(tasks, key=lambda t: (stance_count(t), t["data"]["doc_id"] == SEED_DOC))
    assert stance_count(task) > 0, "the converter predicted no Stance region in any seed"
    return stats.project_id, task


def stance_count(task) -> int:
    return sum(r["type"] == "labels" and r["value"]["labels"] == ["Stance"] for r in task["predictions"][0]["result"])


def region_items(page, label: str):
    """Entries of the regions list whose label is exactly `label` (not merely mentioned in the text)."""
    return page.locator(".lsf-outliner-item").filter(has=page.get_by_text(label, exact=True))


def select_first_region(page, label: str) -> None:
    """Click the first `label` entry of the regions list, scrolling the (virtualised) list to it.

    The list draws only the entries in view: scroll its holder half a page at a time and let
    the app draw the next entries (two animation frames) until one is there or the end is reached.
    """
    holder = page.locator(".lsf-outliner-tree .lsf-tree-list-holder").first
    while not region_items(page, label).count():
        moved = holder.evaluate("el => { const before = el.scrollTop; el.scrollTop += el.clientHeight / 2;"
                                " return el.scrollTop !== before; }")
        page.evaluate(NEXT_FRAMES)
        if not moved and not region_items(page, label).count():
            raise AssertionError(f"no {label} region in the regions list")
    region_items(page, label).first.click()
    page.locator(f".htx-highlight.__active[data-label$=':{label}']").first.wait_for()


# Resolves after the next two animation frames: the app has drawn what a scroll asked for.
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


# {choice text: checked} for every radio choice rendered in the labeling view.
CHOICES_STATE = """() => Object.fromEntries(
    [...document.querySelectorAll('label')]
      .filter(l => l.querySelector('input[type=radio]') && !l.closest('[class*=settings]'))
      .filter(l => l.innerText.trim()).map(l => [l.innerText.replace(/\\[.*?\\]|\\s+$/g, '').trim(), l.querySelector('input').checked]))"""


def choices_state(page) -> dict[str, bool]:
    return page.evaluate(CHOICES_STATE)


def test_predictions_render_in_the_labeling_ui(studio, browser, pushed_seed, tmp_path):
    project_id, task = pushed_seed
    result = task["predictions"][0]["result"]
    n_regions = sum(r["type"] == "labels" for r in result)
    assert n_regions > 0
    page = open_task(browser, studio, project_id, task["id"], width=1600, height=1000, regions=n_regions)
    try:

        # The label buttons show our three labels, and every predicted span is highlighted.
        for label in ("Speaker", "Quote", "Stance"):
            assert page.locator(".lsf-label__text", has_text=label).first.is_visible()
            predicted = sum(r["type"] == "labels" and r["value"]["labels"] == [label] for r in result)
            assert page.locator(f".htx-highlight[data-label$=':{label}']").count() == predicted, label
        # Selecting a Stance region shows its polarity and target choices, ticked as predicted.
        select_first_region(page, "Stance")
        active = page.locator(".htx-highlight.__active").first
        assert active.get_attribute("data-label").endswith(":Stance")
        span = int(active.get_attribute("data-start")), int(active.get_attribute("data-end"))
        predicted = {r["from_name"]: r["value"]["choices"][0] for r in result if r["type"] == "choices"
                     and r["from_name"] in ("polarity", "target") and (r["value"]["start"], r["value"]["end"]) == span}
        assert set(predicted) == {"polarity", "target"}, (span, predicted)
        page.locator(".qa-side").get_by_text("Polarity", exact=True).wait_for()
        # The per-region choices come with the selection: wait until the predicted ones are drawn.
        page.wait_for_function(f"() => {json.dumps(list(predicted.values()))}.every(c => c in ({CHOICES_STATE})())")
        state = choices_state(page)
        assert {"favor", "against", "neutral"} <= set(state), state
        assert {t["value"] for t in task["data"]["targets"]} <= set(state), state
        assert state[predicted["polarity"]] and state[predicted["target"]], (predicted, state)
        assert sum(state.values()) == 2, state  # exactly the two predicted choices are ticked

        # said_by relations are drawn over the text (their label boxes hidden until hovered, see
        # test_workbench_ui) and listed in the Relations panel; hovering one shows its label.
        page.locator("svg text", has_text="said_by").first.wait_for(state="attached")
        page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
        n_relations = sum(r["type"] == "relation" for r in result)
        page.get_by_text(f"Relations ({n_relations})").wait_for()
        page.locator(".lsf-relations__item").first.hover()
        page.locator(".relations-overlay g[class*=_highlighted] text").first.wait_for()

        page.locator(".htx-highlight.__active").first.scroll_into_view_if_needed()  # the text pane scrolls to it
        shot = DOCS_SCREENSHOT if os.environ.get("ANNOTATE_UPDATE_SCREENSHOTS") else tmp_path / "task.png"
        page.screenshot(path=str(shot))
    finally:
        page.close()


def test_offsets_after_emoji_and_astral_characters_line_up_in_the_ui(studio, browser, tmp_path):
    """Our offsets count code points (Python); the UI must highlight the same characters.

    Label Studio stores Text offsets as code points, while the browser counts UTF-16 units:
    a span after an emoji is where a mismatch would show.
    """
    article = tmp_path / "emoji.txt"
    article.write_text(
        "Fans 😀 cheered 🎉🎉 outside the stadium 𝔘𝔫𝔦𝔱𝔢𝔡.\n\n"
        "“We will win the cup,” Ana Ruiz said. “Nobody 🏆 can stop us now.”\n",
        encoding="utf-8",
    )
    stats = push(studio.url, studio.token, [str(article)], "Emoji offsets (browser test)")
    assert stats.created == 1
    client = ls.connect(studio.url, studio.token)
    [task] = ls.export_tasks(client, stats.project_id)
    text = task["data"]["text"]
    predicted = sorted(text[r["value"]["start"]:r["value"]["end"]] for r in task["predictions"][0]["result"]
                       if r["type"] == "labels")
    assert "“We will win the cup,”" in predicted and "Ana Ruiz" in predicted, predicted
    page = open_task(browser, studio, stats.project_id, task["id"], regions=len(predicted))
    try:
        shown = page.evaluate("""() => {
            const byRegion = {};
            for (const el of document.querySelectorAll('.htx-highlight')) {
                const key = [...el.classList].find(c => c.startsWith('htx-highlight-') && c !== 'htx-highlight-last')
                            || el.getAttribute('data-label') + el.getAttribute('data-start');
                byRegion[key] = (byRegion[key] || '') + el.textContent;
            }
            return Object.values(byRegion);
        }""")
        shown = sorted(s for s in shown if s.strip())
        assert shown == predicted, (shown, predicted)
    finally:
        page.close()
